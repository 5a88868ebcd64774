BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $script:Baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')
}

Describe 'Test-WaHardening' {
    It 'reports NotApplicable for absent programs, Advisory for guidance, and writes nothing' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'empty') -Empty
        $results = Test-WaHardening -Path $Baseline -Root $root
        $results | Should -HaveCount 5
        $results | ForEach-Object { $_ | Should -BeOfType ([WaHardening.Core.Evaluation.ComplianceResult]) }
        ($results | Where-Object ControlId -eq 'WA-T-01').Status | Should -Be 'NotApplicable'
        ($results | Where-Object ControlId -eq 'WA-T-01').Reason | Should -Match 'not installed'
        $advice = $results | Where-Object ControlId -eq 'WA-T-05'
        $advice.Status | Should -Be 'Advisory'
        $advice.Guidance | Should -Be 'Check linked devices.'
        @(Get-ChildItem -Recurse -File $root).Count | Should -Be 0
    }

    It 'reads the effective value across managed files and names the file it came from' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'foreign')
        $managed = New-Item -ItemType Directory -Force -Path (Join-Path $root 'etc/chromium/policies/managed')
        '{ "RestoreOnStartup": 1, "CookiesSessionOnlyForUrls": ["https://web.whatsapp.com", "https://x.example"] }' | Set-Content (Join-Path $managed 'site.json')
        $r = Test-WaHardening -Path $Baseline -Root $root -Id WA-T-01
        $r.Status | Should -Be 'NonCompliant'
        $restore = $r.Settings | Where-Object Name -eq 'RestoreOnStartup'
        $restore.Actual | Should -Be '1'
        $restore.Origin | Should -Be '/etc/chromium/policies/managed/site.json'
        ($r.Settings | Where-Object Name -eq 'CookiesSessionOnlyForUrls').Status | Should -Be 'Compliant'  # a superset is stricter
    }

    It 'tells "not configured" apart from "configured wrong"' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'nc')
        (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-02).Settings[0].NotConfigured | Should -BeTrue
        New-Item -ItemType Directory -Force (Join-Path $root 'etc/firefox/policies') | Out-Null
        '{"policies":{"SanitizeOnShutdown":{"Cookies":false}}}' | Set-Content (Join-Path $root 'etc/firefox/policies/policies.json')
        $s = (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-02).Settings[0]
        $s.NotConfigured | Should -BeFalse
        $s.Actual | Should -Be 'false'
        $s.Status | Should -Be 'NonCompliant'
    }

    It 'reports a malformed foreign policy file as Error naming the file' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'bad')
        $managed = New-Item -ItemType Directory -Force -Path (Join-Path $root 'etc/chromium/policies/managed')
        '{ "RestoreOnStartup": 1,' | Set-Content (Join-Path $managed 'broken.json')
        $r = Test-WaHardening -Path $Baseline -Root $root -Id WA-T-01
        $r.Status | Should -Be 'Error'
        $r.Reason | Should -Match 'ForeignPolicyFileInvalid'
        $r.Reason | Should -Match 'broken\.json'
    }

    It '-Quiet returns one boolean' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'quiet')
        $q = Test-WaHardening -Path $Baseline -Root $root -Quiet
        $q | Should -BeOfType ([bool])
        @($q).Count | Should -Be 1
        $q | Should -BeFalse
        Test-WaHardening -Path $Baseline -Root (New-ScratchRoot -Path (Join-Path $TestDrive 'q2') -Empty) -Quiet | Should -BeTrue
    }

    It 'accepts controls from Get-WaBaseline on the pipeline, with their bound parameters' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'pipe')
        $r = Get-WaBaseline -Path $Baseline -Id WA-T-03 -Parameter @{ Idle = 120 } | Test-WaHardening -Root $root
        $r.ControlId | Should -Be 'WA-T-03'
        $r.Expected | Should -Be '120'
        { Get-WaBaseline -Path $Baseline | Test-WaHardening -Root $root -Profile Standard } | Should -Throw -ErrorId 'PipelineWithBaselineOptions*'
    }

    It 'audits the default baseline: one result per control and target, phones NotApplicable' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'default')
        $results = Test-WaHardening -Root $root -Profile SharedComputer
        $results | Should -Not -BeNullOrEmpty
        $controls = Get-WaBaseline -Profile SharedComputer
        $results.Count | Should -Be (($controls | ForEach-Object { @($_.Targets).Count } | Measure-Object -Sum).Sum)
        $results | Where-Object { $_.Target -in 'iOS', 'Android' } | ForEach-Object { $_.Status | Should -Be 'NotApplicable' }
        $results | Where-Object { $_.Target -eq 'Guidance' } | ForEach-Object { $_.Status | Should -Be 'Advisory' }
    }
}
