# Hostile inputs (issue #14), through the cmdlets as users call them, on scratch roots only. Each helper adds its own
# Describe block; keep them separate (the xunit side is tests/WaHardening.Core.Tests/HostileInputTests.cs).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $script:Baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')

    function Get-Stat([string] $Path) { (& stat -c '%a %u:%g' -- $Path) }   # mode and owner, as the system reports them

    function New-HostileBackup {
        # A backup document written by hand: the shape Set-WaHardening writes, with the entries given.
        param([string] $Path, $Root, [object[]] $Entries)
        [ordered]@{ format = 'WaHardening.Backup'; version = 1; created = '2026-01-01T00:00:00Z'; computer = 'x'; platform = 'Linux'
            root = $Root; entries = $Entries; postActions = @() } | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $Path -Encoding utf8NoBOM
        $Path
    }
    function New-FileEntry([string] $Path, [string] $Text) {
        $bytes = [Text.Encoding]::UTF8.GetBytes($Text)
        [ordered]@{ type = 'file'; path = $Path; existed = $true; content = [Convert]::ToBase64String($bytes)
            sha256 = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes)).ToLowerInvariant(); createdDirectories = @() }
    }
}

Describe 'Confinement: a root tool that cannot be turned against its host (#14 items 1-3, 9, 10)' -Skip:$IsWindows {
    It 'Undo without -Root refuses a backup that names a root (it would restore there); a relative root is invalid' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'named-root')
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
        $state = Get-TreeState $root
        { Undo-WaHardening -BackupPath $changes[0].BackupPath -Confirm:$false } | Should -Throw -ErrorId 'BackupRootMismatch*'
        Get-TreeState $root | Should -Be $state
        Push-Location $TestDrive
        try {
            $rel = New-HostileBackup -Path (Join-Path $TestDrive 'relative-root.json') -Root 'rel' -Entries @(New-FileEntry '/etc/planted' 'x')
            { Undo-WaHardening -BackupPath $rel -Confirm:$false } | Should -Throw -ErrorId 'BackupInvalid*'
            Test-Path (Join-Path $TestDrive 'rel') | Should -BeFalse
        } finally { Pop-Location }
    }

    It 'Undo -Root refuses entries with .. segments before any write; nothing outside the root is created or deleted' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'dotdot/root')
        $outside = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'dotdot/outside')
        Set-Content (Join-Path $outside 'victim') 'keep'
        $b = New-HostileBackup -Path (Join-Path $TestDrive 'dotdot.json') -Root $root -Entries @(
            (New-FileEntry '/etc/first' 'first'), (New-FileEntry '/../outside/planted' 'planted'),
            [ordered]@{ type = 'file'; path = '/../outside/victim'; existed = $false; createdDirectories = @() })
        $err = { Undo-WaHardening -BackupPath $b -Root $root -Confirm:$false } | Should -Throw -ErrorId 'BackupInvalid*' -PassThru
        $err.Exception.Message | Should -Match '/\.\./outside/planted'
        Test-Path (Join-Path $outside 'planted') | Should -BeFalse
        Get-Content (Join-Path $outside 'victim') | Should -Be 'keep'
        Test-Path (Join-Path $root 'etc/first') | Should -BeFalse
    }

    It 'replacing a 0600 nobody:nogroup policies.json keeps its mode and owner; Undo puts them back' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'owner')
        $policies = Join-Path $root 'etc/firefox/policies/policies.json'
        New-Item -ItemType Directory -Force (Split-Path $policies) | Out-Null
        Set-Content -LiteralPath $policies '{"policies":{"DisableAppUpdate":true}}'
        & chmod 0600 $policies; & chown 65534:65534 $policies
        $LASTEXITCODE | Should -Be 0 -Because 'the test changes owners: run as root (CI does)'
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-02 -Confirm:$false
        $changes.Action | Should -Be 'Changed'
        Get-Stat $policies | Should -Be '600 65534:65534'
        & chmod 0644 $policies; & chown 0:0 $policies
        $null = Undo-WaHardening -BackupPath $changes[0].BackupPath -Root $root -Confirm:$false
        Get-Stat $policies | Should -Be '600 65534:65534'
        Get-Content -Raw $policies | Should -Match 'DisableAppUpdate'
    }

    It 'under umask 000 new policy files are 0644 and folders 0755; the backup is 0600 in a 0700 folder' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'umask')
        $script = Join-Path $TestDrive 'umask.ps1'
        "Import-Module '$ModulePath/WaHardening.psd1'; (Set-WaHardening -Path '$Baseline' -Root '$root' -Id WA-T-01, WA-T-02 -Confirm:`$false)[0].BackupPath" |
            Set-Content -LiteralPath $script
        $backup = "$(& bash -c "umask 000 && exec '$(Get-PwshCommand)' -NoProfile -NonInteractive -File '$script'")".Trim()
        $LASTEXITCODE | Should -Be 0
        (Get-Stat (Join-Path $root 'etc/chromium/policies/managed/wa-hardening.json')).Split(' ')[0] | Should -Be '644'
        (Get-Stat (Join-Path $root 'etc/firefox/policies/policies.json')).Split(' ')[0] | Should -Be '644'
        foreach ($d in 'etc/chromium', 'etc/chromium/policies', 'etc/chromium/policies/managed', 'etc/firefox/policies', 'var/lib/wa-hardening') {
            (Get-Stat (Join-Path $root $d)).Split(' ')[0] | Should -Be '755' -Because $d
        }
        $backup | Should -BeLike "$root*"
        (Get-Stat $backup).Split(' ')[0] | Should -Be '600'
        (Get-Stat (Split-Path $backup)).Split(' ')[0] | Should -Be '700'
    }

    It 'a policies.json linked to a root-only file is refused (PathIsLink, naming it); its secret goes nowhere' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'link/root')
        $secret = Join-Path $TestDrive 'link/secret.json'
        Set-Content -LiteralPath $secret '{"policies":{"Secret":"s3cr3t"}}'; & chmod 0600 $secret
        $policies = Join-Path $root 'etc/firefox/policies/policies.json'
        New-Item -ItemType Directory -Force (Split-Path $policies) | Out-Null
        New-Item -ItemType SymbolicLink -Path $policies -Target $secret | Out-Null
        $err = { Set-WaHardening -Path $Baseline -Root $root -Id WA-T-02 -Confirm:$false } | Should -Throw -ErrorId 'PathIsLink*' -PassThru
        $err.Exception.Message | Should -BeLike "*$policies*"
        (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-02).Reason | Should -Match 'PathIsLink'
        Get-ChildItem -LiteralPath $root -Recurse -File -Force | Where-Object { -not $_.LinkTarget } |
            ForEach-Object { Get-Content -Raw -LiteralPath $_.FullName | Should -Not -Match 's3cr3t' -Because $_.FullName }
        Get-Content -Raw $secret | Should -Match 's3cr3t'
    }

    It 'a dangling link at the lock file or a linked backup folder is refused; the link target is not created' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'lock/root')
        $data = New-Item -ItemType Directory -Force (Join-Path $root 'var/lib/wa-hardening')
        $target = Join-Path $TestDrive 'lock/created-by-lock'
        New-Item -ItemType SymbolicLink -Path (Join-Path $data 'wa-hardening.lock') -Target $target | Out-Null
        { Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false } | Should -Throw -ErrorId 'PathIsLink*'
        Test-Path $target | Should -BeFalse
        Test-Path (Join-Path $root 'etc/chromium') | Should -BeFalse

        Remove-Item (Join-Path $data 'wa-hardening.lock')
        $elsewhere = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'lock/elsewhere')
        New-Item -ItemType SymbolicLink -Path (Join-Path $data 'backups') -Target $elsewhere | Out-Null
        { Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false } | Should -Throw -ErrorId 'PathIsLink*'
        @(Get-ChildItem -Force $elsewhere).Count | Should -Be 0
    }

    It 'Set then Undo of GNOME leaves no compiled dconf database that was not there (real dconf)' {
        Get-Command dconf -ErrorAction Stop | Out-Null   # a missing peer fails the test
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'dconf')
        $site = Join-Path $root 'etc/dconf/db/local.d/00-site'
        New-Item -ItemType Directory -Force (Split-Path $site) | Out-Null
        Set-Content -LiteralPath $site "[org/gnome/desktop/interface]`nclock-show-seconds=true"
        $before = Get-TreeState $root
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-03 -Confirm:$false
        $changes.Action | Should -Be 'Changed'
        Test-Path (Join-Path $root 'etc/dconf/db/local') | Should -BeTrue
        $null = Undo-WaHardening -BackupPath $changes[0].BackupPath -Root $root -Confirm:$false
        Test-Path (Join-Path $root 'etc/dconf/db/local') | Should -BeFalse
        Get-TreeState $root | Should -Be $before
    }

    It 'the temp file of a backup whose run was killed (kill -9) is removed by the next run' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'killbackup')
        $cmd = "`$env:WAH_TEST_PAUSE_BEFORE_RENAME_MS = '3000'; Import-Module '$ModulePath/WaHardening.psd1'; Set-WaHardening -Path '$Baseline' -Root '$root' -Id WA-T-01 -Confirm:`$false | Out-Null"
        $p = Start-Process -FilePath (Get-PwshCommand) -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $cmd -PassThru
        try {
            $deadline = (Get-Date).AddSeconds(60)
            $temp = $null
            while (-not $temp -and -not $p.HasExited -and (Get-Date) -lt $deadline) {
                $temp = Get-ChildItem -LiteralPath $root -Recurse -Force -File -Filter '.backup-*.wa-tmp' -ErrorAction SilentlyContinue | Select-Object -First 1
                if (-not $temp) { Start-Sleep -Milliseconds 25 }
            }
            $temp | Should -Not -BeNullOrEmpty -Because 'the child paused with the backup''s temp file written'
        } finally {
            & kill -9 $p.Id
            $p.WaitForExit()
        }
        Test-Path -LiteralPath $temp.FullName | Should -BeTrue
        (Get-Stat $temp.FullName).Split(' ')[0] | Should -Be '600'   # private from its first byte
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
        $changes[0].Action | Should -Be 'Changed'
        @(Get-ChildItem -LiteralPath $root -Recurse -Force -File -Filter '*.wa-tmp').Count | Should -Be 0
    }
}
