BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $script:Baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')
}

Describe 'Set-WaHardening' {
    It '-WhatIf writes nothing and shows one line per change a real run makes' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'whatif')
        New-Item -ItemType Directory -Force (Join-Path $root 'etc/firefox/policies') | Out-Null
        '{"policies":{"DisableAppUpdate":true,"Cookies":{"Behavior":"reject"}}}' | Set-Content (Join-Path $root 'etc/firefox/policies/policies.json')
        $copy = Join-Path $TestDrive 'whatif-copy'
        Copy-Item -Recurse $root $copy
        $before = Get-TreeState $root
        # A child process, so the host's "What if:" lines can be captured as text (the default baseline, every target).
        $out = & (Get-PwshCommand) -NoProfile -NonInteractive -Command "Import-Module '$ModulePath/WaHardening.psd1'; Set-WaHardening -Root '$root' -Profile SharedComputer -WhatIf | Out-Null"
        $LASTEXITCODE | Should -Be 0
        Get-TreeState $root | Should -Be $before
        Test-Path (Join-Path $root 'var/lib/wa-hardening') | Should -BeFalse
        $whatIf = @($out | Where-Object { $_ -like 'What if: *' })

        $real = @(Set-WaHardening -Root $copy -Profile SharedComputer -Confirm:$false | Where-Object Action -in 'Changed', 'NotEffective')
        $real.Count | Should -BeGreaterThan 10
        $whatIf.Count | Should -Be $real.Count
        foreach ($c in $real) {
            $line = "What if: Performing the operation `"Set $($c.ControlId) $($c.Target):$($c.Setting) from $($c.Before ?? '(not set)') to $($c.After)`" on target `"$($c.Location)`"."
            $whatIf | Should -Contain $line
        }
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

    It 'two runs at once, started together and contending for the lock, both finish and keep every entry' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'concurrent')
        $pwsh = Get-PwshCommand
        $go = Join-Path $TestDrive 'concurrent-go'
        # Each write sleeps 50 ms between its temp file and the rename (test hook), so every Set holds the lock a while
        # and the two runs collide; the barrier (ready files, then one go file) starts their loops together.
        $procs = foreach ($i in 1..2) {
            $ready = Join-Path $TestDrive "ready$i"
            $cmd = "`$env:WAH_TEST_PAUSE_BEFORE_RENAME_MS = '50'; Import-Module '$ModulePath/WaHardening.psd1'; New-Item '$ready' | Out-Null; " +
                "while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; `$t0 = [DateTime]::UtcNow.Ticks; " +
                "foreach (`$k in 1..5) { Set-WaHardening -Path '$Baseline' -Root '$root' -Id WA-T-01 -Parameter @{ Origins = @('https://p$i-' + `$k + '.example') } -Confirm:`$false -Verbose 4>&1 | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message }; " +
                "'WINDOW ' + `$t0 + ' ' + [DateTime]::UtcNow.Ticks"
            Start-Process -FilePath $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $cmd -PassThru `
                -RedirectStandardOutput (Join-Path $TestDrive "out$i.txt") -RedirectStandardError (Join-Path $TestDrive "err$i.txt")
        }
        $deadline = (Get-Date).AddSeconds(60)
        while (-not ((Test-Path (Join-Path $TestDrive 'ready1')) -and (Test-Path (Join-Path $TestDrive 'ready2'))) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }
        New-Item $go | Out-Null
        $procs | Wait-Process -Timeout 120
        $runs = foreach ($i in 1..2) {
            $procs[$i - 1].ExitCode | Should -Be 0
            Get-Content -Raw (Join-Path $TestDrive "err$i.txt") | Should -BeNullOrEmpty
            $out = @(Get-Content (Join-Path $TestDrive "out$i.txt"))
            $w = @($out | Where-Object { $_ -like 'WINDOW *' })
            $w | Should -HaveCount 1
            $ticks = $w[0] -split ' '
            [pscustomobject]@{ Start = [long]$ticks[1]; End = [long]$ticks[2]; Verbose = $out }
        }
        ($runs[0].Start -lt $runs[1].End -and $runs[1].Start -lt $runs[0].End) | Should -BeTrue -Because 'the two loops ran at the same time'
        @($runs.Verbose | Where-Object { $_ -like 'Waiting for another WaHardening run*' }).Count | Should -BeGreaterThan 0 -Because 'one run waited for the other''s lock'
        $policy = Get-Content -Raw (Join-Path $root 'etc/chromium/policies/managed/wa-hardening.json') | ConvertFrom-Json
        foreach ($i in 1..2) { foreach ($k in 1..5) { $policy.CookiesSessionOnlyForUrls | Should -Contain "https://p$i-$k.example" } }
    }

    It 'kill -9 between the complete temp file and the rename leaves the old file byte for byte; the next run cleans up' -Skip:$IsWindows {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'kill')
        $file = Join-Path $root 'etc/chromium/policies/managed/wa-hardening.json'
        Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false | Out-Null
        $old = [System.IO.File]::ReadAllBytes($file)
        $tempDir = Join-Path $root 'etc/chromium/policies'   # temp files go to the parent of the managed folder
        $pwsh = Get-PwshCommand
        # The pause applies to every atomic write: the backup first, then the policy file.
        $cmd = "`$env:WAH_TEST_PAUSE_BEFORE_RENAME_MS = '2500'; Import-Module '$ModulePath/WaHardening.psd1'; Set-WaHardening -Path '$Baseline' -Root '$root' -Id WA-T-01 -Parameter @{ Origins = @(1..200 | ForEach-Object { 'https://k' + `$_ + '.example' }) } -Confirm:`$false | Out-Null"
        $p = Start-Process -FilePath $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $cmd -PassThru
        try {
            $deadline = (Get-Date).AddSeconds(60)
            $temp = $null
            while (-not $temp -and -not $p.HasExited -and (Get-Date) -lt $deadline) {
                $temp = Get-ChildItem -LiteralPath $tempDir -Force -Filter '.wa-hardening.json.*.wa-tmp' | Select-Object -First 1
                if (-not $temp) { Start-Sleep -Milliseconds 25 }
            }
            $temp | Should -Not -BeNullOrEmpty -Because 'the child paused with its temp file written'
            (Get-Content -Raw -LiteralPath $temp.FullName | ConvertFrom-Json).CookiesSessionOnlyForUrls | Should -Contain 'https://k200.example'   # complete
        } finally {
            & kill -9 $p.Id
            $p.WaitForExit()
        }
        [System.IO.File]::ReadAllBytes($file) | Should -Be $old
        Test-Path -LiteralPath $temp.FullName | Should -BeTrue   # the killed run's temp file is left behind ...
        @(Get-ChildItem (Split-Path $file) -Force).Name | Should -Be 'wa-hardening.json'   # ... outside the browser's folder

        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Parameter @{ Origins = @('https://k1.example') } -Confirm:$false
        ($changes | Where-Object Setting -eq 'CookiesSessionOnlyForUrls').Action | Should -Be 'Changed'
        (Get-Content -Raw $file | ConvertFrom-Json).CookiesSessionOnlyForUrls | Should -Contain 'https://k1.example'
        @(Get-ChildItem -LiteralPath $tempDir -Force -Filter '*.wa-tmp').Count | Should -Be 0   # ... and removed by the next write
    }

    It 'leaves a stricter "SanitizeOnShutdown": true alone and replaces false with the object form' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'sanitize')
        $policies = Join-Path $root 'etc/firefox/policies/policies.json'
        New-Item -ItemType Directory -Force (Split-Path $policies) | Out-Null
        '{"policies":{"SanitizeOnShutdown":true}}' | Set-Content $policies
        $hash = (Get-FileHash $policies).Hash
        $r = Test-WaHardening -Path $Baseline -Root $root -Id WA-T-02
        $r.Status | Should -Be 'Compliant'
        $r.Settings[0].Origin | Should -Match 'policies\.SanitizeOnShutdown = true'
        Set-WaHardening -Path $Baseline -Root $root -Id WA-T-02 -Confirm:$false | Should -BeNullOrEmpty
        (Get-FileHash $policies).Hash | Should -Be $hash

        '{"policies":{"SanitizeOnShutdown":false}}' | Set-Content $policies
        (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-02).Status | Should -Be 'NonCompliant'
        (Set-WaHardening -Path $Baseline -Root $root -Id WA-T-02 -Confirm:$false).Action | Should -Be 'Changed'
        (Get-Content -Raw $policies | ConvertFrom-Json).policies.SanitizeOnShutdown.Cookies | Should -BeTrue
    }

    It 'PolicyFileUnreadable: a folder named policies.json is an error naming it, and nothing is written' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'unreadable')
        New-Item -ItemType Directory -Force (Join-Path $root 'etc/firefox/policies/policies.json') | Out-Null
        $before = Get-TreeState $root
        (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-02).Reason | Should -Match 'PolicyFileUnreadable.*policies\.json'
        { Set-WaHardening -Path $Baseline -Root $root -Id WA-T-02 -Confirm:$false } | Should -Throw -ErrorId 'PolicyFileUnreadable*'
        Get-TreeState $root | Should -Be $before
        Test-Path (Join-Path $root 'var/lib/wa-hardening/backups') | Should -BeFalse
    }
}
