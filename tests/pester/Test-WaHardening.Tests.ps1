BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    function Write-File([string] $Path, [string] $Text) {
        $full = Join-Path $TestDrive ('root' + $Path)
        New-Item -ItemType Directory -Force -Path (Split-Path $full) | Out-Null
        Set-Content -Path $full -Value $Text -NoNewline
    }
    $script:root = Join-Path $TestDrive 'root'
}

Describe 'Test-WaHardening' {
    BeforeEach {
        if (Test-Path $root) { Remove-Item $root -Recurse -Force }
        New-Item -ItemType Directory $root | Out-Null
    }

    It 'writes one typed result per control and target' {
        $results = @(Test-WaHardening -Root $root)
        $results.Count | Should -BeGreaterThan 10
        $results[0].GetType().FullName | Should -Be 'WaHardening.Core.Evaluation.ComplianceResult'
        $keys = $results | ForEach-Object { "$($_.ControlId)|$($_.Target)" }
        ($keys | Sort-Object -Unique).Count | Should -Be $keys.Count
        $results | Where-Object ControlId -like 'WA-SHARED-*' | Should -BeNullOrEmpty   # Standard profile by default
    }

    It 'reports a configured Chromium compliant and a missing one non-compliant, with the fix' {
        Write-File '/usr/bin/chromium' ''
        Write-File '/etc/chromium/policies/managed/wa-hardening.json' '{ "HttpsOnlyMode": "force_enabled" }'
        $r = Test-WaHardening -Root $root -Id 'WA-PHISH-02', 'WA-SESSION-01' | Where-Object Target -eq 'Chromium'
        ($r | Where-Object ControlId -eq 'WA-PHISH-02').Status | Should -Be 'Compliant'
        $s = $r | Where-Object ControlId -eq 'WA-SESSION-01'
        $s.Status | Should -Be 'NonCompliant'
        $s.Reason | Should -BeLike '*CookiesSessionOnlyForUrls not configured*'
        $s.Guidance | Should -BeLike '*Set-WaHardening -Id WA-SESSION-01*'
        $s.Settings[0].Actual | Should -BeNullOrEmpty
    }

    It 'takes controls from Get-WaBaseline through the pipeline and binds parameters' {
        Write-File '/usr/bin/gnome-shell' ''
        Write-File '/etc/dconf/db/local.d/00-site' "[org/gnome/desktop/session]`nidle-delay=uint32 200`n"
        $r = Get-WaBaseline -Id WA-LOCK-01 | Test-WaHardening -Root $root -Parameter @{ IdleTimeoutSeconds = 120 }
        @($r).ControlId | Sort-Object -Unique | Should -Be 'WA-LOCK-01'
        ($r | Where-Object Target -eq 'GNOME').Status | Should -Be 'NonCompliant'
        (Get-WaBaseline -Id WA-LOCK-01 | Test-WaHardening -Root $root | Where-Object Target -eq 'GNOME').Status | Should -Be 'Compliant'
    }

    It 'returns one boolean with -Quiet' {
        $q = Test-WaHardening -Root $root -Id 'WA-ADVICE-*' -Quiet
        $q | Should -BeOfType [bool]
        $q | Should -BeTrue      # advisory only: nothing non-compliant
        Write-File '/usr/bin/firefox-esr' ''
        Test-WaHardening -Root $root -Id 'WA-PHISH-02' -Quiet | Should -BeFalse
    }

    It 'never reports advisory controls compliant' {
        Test-WaHardening -Root $root -Id 'WA-ADVICE-*' | ForEach-Object { $_.Status | Should -Be 'Advisory' }
    }

    It 'turns an unreadable policy file into an Error result naming it, and reads nothing else wrongly' {
        Write-File '/usr/bin/firefox-esr' ''
        Write-File '/etc/firefox/policies/policies.json' '{ "policies": { "HttpsOnlyMode": '
        $r = Test-WaHardening -Root $root -Id 'WA-PHISH-02' | Where-Object Target -eq 'Firefox'
        $r.Status | Should -Be 'Error'
        $r.Reason | Should -BeLike '*policies.json*'
    }

    It 'shows results as a table with status' {
        $text = Test-WaHardening -Root $root -Id WA-LOCK-01 | Out-String -Width 200
        $text | Should -Match 'ControlId\s+Target\s+Status\s+Reason'
    }

    It 'rejects an unknown profile with a typed error' {
        { Test-WaHardening -Root $root -Profile Kiosk } | Should -Throw -ErrorId 'ProfileNotFound,WaHardening.Commands.TestWaHardeningCommand'
    }
}
