BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $script:Baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')
}

Describe 'Undo-WaHardening' {
    It 'restores files byte for byte and removes what did not exist (pipeline from Set-WaHardening)' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'undo')
        New-Item -ItemType Directory -Force (Join-Path $root 'etc/firefox/policies') | Out-Null
        # Odd but valid formatting, CRLF and a trailing blank line: must come back exactly.
        [IO.File]::WriteAllText((Join-Path $root 'etc/firefox/policies/policies.json'), "{ `"policies`" : { `"DisableAppUpdate`":true , `"N`": 1.0e0 } }`r`n`r`n")
        $before = Get-TreeState $root
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01, WA-T-02 -Confirm:$false
        Get-TreeState $root | Should -Not -Be $before
        $restored = $changes | Undo-WaHardening -Root $root -Confirm:$false
        $restored | ForEach-Object { $_.Action | Should -Be 'Restored' }
        Get-TreeState $root | Should -Be $before
        Test-Path (Join-Path $root 'etc/chromium') | Should -BeFalse
    }

    It '-WhatIf restores nothing' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'whatif')
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
        $state = Get-TreeState $root
        Undo-WaHardening -BackupPath $changes[0].BackupPath -Root $root -WhatIf
        Get-TreeState $root | Should -Be $state
    }

    It 'refuses a corrupt backup with BackupInvalid and writes nothing' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'corrupt')
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
        $state = Get-TreeState $root
        $bad = Join-Path $TestDrive 'bad-backup.json'
        (Get-Content -Raw $changes[0].BackupPath).Substring(0, 40) | Set-Content $bad
        { Undo-WaHardening -BackupPath $bad -Confirm:$false } | Should -Throw -ErrorId 'BackupInvalid*'
        '{"format":"WaHardening.Backup","version":99}' | Set-Content $bad
        { Undo-WaHardening -BackupPath $bad -Confirm:$false } | Should -Throw -ErrorId 'BackupInvalid*'
        { Undo-WaHardening -BackupPath (Join-Path $TestDrive 'none.json') -Confirm:$false } | Should -Throw -ErrorId 'BackupNotFound*'
        Get-TreeState $root | Should -Be $state
    }

    It 'refuses a backup made for another root' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'r1')
        $changes = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
        { Undo-WaHardening -BackupPath $changes[0].BackupPath -Root (Join-Path $TestDrive 'elsewhere') -Confirm:$false } | Should -Throw -ErrorId 'BackupRootMismatch*'
    }
}
