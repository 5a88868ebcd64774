BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $script:Baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')
}

Describe 'Set-WaHardening' {
    It '-WhatIf shows every change and writes nothing' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'whatif')
        $before = Get-TreeState $root
        Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01, WA-T-02 -WhatIf | Should -BeNullOrEmpty
        Get-TreeState $root | Should -Be $before
        Test-Path (Join-Path $root 'var/lib/wa-hardening') | Should -BeFalse
    }

    It 'writes, saves a backup first, returns typed changes read back, and a second run writes nothing' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'apply')
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01, WA-T-02 -Confirm:$false
        $changed = $changes | Where-Object Action -eq 'Changed'
        $changed | Should -HaveCount 3
        $changed | ForEach-Object { $_ | Should -BeOfType ([WaHardening.Core.Enforcement.ChangeRecord]) }
        ($changed | Where-Object Setting -eq 'RestoreOnStartup').After | Should -Be '5'
        ($changed | Where-Object Setting -eq 'RestoreOnStartup').Before | Should -BeNullOrEmpty
        $backup = ($changed | Select-Object -First 1).BackupPath
        $backup | Should -BeLike (Join-Path $root 'var/lib/wa-hardening/backups/*')
        (Get-Content -Raw $backup | ConvertFrom-Json).format | Should -Be 'WaHardening.Backup'
        $own = Join-Path $root 'etc/chromium/policies/managed/wa-hardening.json'
        (Get-Content -Raw $own | ConvertFrom-Json).RestoreOnStartup | Should -Be 5
        (Get-Content -Raw (Join-Path $root 'etc/firefox/policies/policies.json') | ConvertFrom-Json).policies.SanitizeOnShutdown.Cookies | Should -BeTrue
        (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-01, WA-T-02).Status | Should -Be @('Compliant', 'Compliant')

        $mtime = (Get-Item $own).LastWriteTimeUtc
        $state = Get-TreeState $root
        $backups = @(Get-ChildItem (Join-Path $root 'var/lib/wa-hardening/backups')).Count
        $again = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01, WA-T-02 -Confirm:$false
        @($again | Where-Object Action -eq 'Changed').Count | Should -Be 0
        (Get-Item $own).LastWriteTimeUtc | Should -Be $mtime
        Get-TreeState $root | Should -Be $state
        @(Get-ChildItem (Join-Path $root 'var/lib/wa-hardening/backups')).Count | Should -Be $backups
    }

    It 'never loosens a stricter value and keeps foreign files untouched' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'stricter')
        $managed = New-Item -ItemType Directory -Force -Path (Join-Path $root 'etc/chromium/policies/managed')
        $site = Join-Path $managed 'site.json'
        '{"RestoreOnStartup": 4}' | Set-Content $site
        $hash = (Get-FileHash $site).Hash
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
        $changes.Setting | Should -Be 'CookiesSessionOnlyForUrls'
        (Get-Content -Raw (Join-Path $managed 'wa-hardening.json') | ConvertFrom-Json).PSObject.Properties.Name | Should -Not -Contain 'RestoreOnStartup'
        (Get-FileHash $site).Hash | Should -Be $hash
    }

    It 'shows changes as a table: action, control, setting, before and after' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'view')
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
        $env:NO_COLOR = '1'
        try { $text = $changes | Format-Table | Out-String -Width 200 } finally { Remove-Item Env:NO_COLOR }
        $text | Should -Match 'Action\s+ControlId\s+Setting\s+Before\s+After\s+Location'
        $text | Should -Match 'Changed\s+WA-T-01\s+Chromium:RestoreOnStartup\s+\(not set\)\s+5'
    }

    It 'honours -BackupPath and reports audit-only settings as NotEnforced' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'bp')
        $bp = Join-Path $TestDrive 'my-backup.json'
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01, WA-T-04 -BackupPath $bp -Confirm:$false
        Test-Path $bp | Should -BeTrue
        ($changes | Where-Object Action -eq 'Changed').BackupPath | Select-Object -Unique | Should -Be $bp
        ($changes | Where-Object Target -eq 'Apt').Action | Should -Be 'NotEnforced'
        Test-Path (Join-Path $root 'etc/apt') | Should -BeFalse
    }

    It 'stops with PolicyFileInvalid naming the file, line and column, and writes nothing' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'invalid')
        New-Item -ItemType Directory -Force (Join-Path $root 'etc/firefox/policies') | Out-Null
        "{`n  `"policies`": { oops }`n}" | Set-Content (Join-Path $root 'etc/firefox/policies/policies.json')
        $before = Get-TreeState $root
        $err = $null
        try { Set-WaHardening -Path $Baseline -Root $root -Confirm:$false } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'PolicyFileInvalid,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -Match 'policies\.json.*line 2, column'
        Get-TreeState $root | Should -Be $before
    }

    It 'writes the GNOME keyfile, lock and profile and compiles the scratch database with dconf' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'gnome')
        $c = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-03 -Parameter @{ Idle = 120 } -Confirm:$false
        $c.Action | Should -Be 'Changed'
        Get-Content -Raw (Join-Path $root 'etc/dconf/db/local.d/90-wa-hardening') | Should -Match 'idle-delay=uint32 120'
        Get-Content (Join-Path $root 'etc/dconf/db/local.d/locks/wa-hardening') | Should -Be '/org/gnome/desktop/session/idle-delay'
        Get-Content (Join-Path $root 'etc/dconf/profile/user') | Should -Contain 'system-db:local'
        Test-Path (Join-Path $root 'etc/dconf/db/local') | Should -BeTrue   # built by the real `dconf update <root>/etc/dconf/db`
        (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-03 -Parameter @{ Idle = 120 }).Status | Should -Be 'Compliant'
    }

    It 'two runs at once both finish and the file stays valid with both entries' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'concurrent')
        $pwsh = Get-PwshCommand
        $procs = foreach ($i in 1..2) {
            $cmd = "Import-Module '$ModulePath/WaHardening.psd1'; foreach (`$k in 1..3) { Set-WaHardening -Path '$Baseline' -Root '$root' -Id WA-T-01 -Parameter @{ Origins = @('https://p$i-' + `$k + '.example') } -Confirm:`$false | Out-Null }"
            Start-Process -FilePath $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $cmd -PassThru -RedirectStandardError (Join-Path $TestDrive "err$i.txt")
        }
        $procs | Wait-Process -Timeout 120
        $procs | ForEach-Object { $_.ExitCode | Should -Be 0 }
        Get-Content -Raw (Join-Path $TestDrive 'err1.txt') | Should -BeNullOrEmpty
        $policy = Get-Content -Raw (Join-Path $root 'etc/chromium/policies/managed/wa-hardening.json') | ConvertFrom-Json
        foreach ($i in 1..2) { foreach ($k in 1..3) { $policy.CookiesSessionOnlyForUrls | Should -Contain "https://p$i-$k.example" } }
    }

    It 'kill -9 during writes leaves the old or the new file, never a torn one' -Skip:$IsWindows {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'kill')
        $pwsh = Get-PwshCommand
        $marker = Join-Path $TestDrive 'kill-started'
        $cmd = "Import-Module '$ModulePath/WaHardening.psd1'; `$i = 0; while (`$true) { `$i++; Set-WaHardening -Path '$Baseline' -Root '$root' -Id WA-T-01 -Parameter @{ Origins = @(1..200 | ForEach-Object { 'https://s' + `$i + '-' + `$_ + '.example' }) } -Confirm:`$false | Out-Null; if (`$i -eq 2) { New-Item '$marker' | Out-Null } }"
        $p = Start-Process -FilePath $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $cmd -PassThru
        try {
            $deadline = (Get-Date).AddSeconds(60)
            while (-not (Test-Path $marker) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Test-Path $marker | Should -BeTrue
            Start-Sleep -Milliseconds (Get-Random -Minimum 100 -Maximum 900)
        } finally {
            & kill -9 $p.Id
            $p.WaitForExit()
        }
        $file = Join-Path $root 'etc/chromium/policies/managed/wa-hardening.json'
        $policy = Get-Content -Raw $file | ConvertFrom-Json   # throws on a torn file
        @($policy.CookiesSessionOnlyForUrls).Count | Should -BeGreaterOrEqual 400
        @(Get-ChildItem (Split-Path $file) -Force).Name | Should -Be 'wa-hardening.json'   # no temp file in the browser's folder
    }
}
