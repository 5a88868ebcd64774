# Get-WaRegistryPolicy, New-WaRegistryPolicyEntry, Export-WaRegistryPolicy, Export-WaGpo, Set-WaLocalGpo.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Samba = Join-Path $script:RepoRoot 'tests/tools/preg_samba.py'
    function Invoke-Samba([string[]] $Files) {
        # Samba's independent parser; a missing python3-samba fails the test (exit 3), never skips.
        $json = & /usr/bin/python3 $script:Samba @Files
        if ($LASTEXITCODE -ne 0) { throw "Samba's PReg parser failed with exit code $LASTEXITCODE (python3-samba missing?)" }
        $json | ConvertFrom-Json
    }
    $script:K = 'Software\Policies\WaHardening\Pester'
}

Describe 'Registry.pol cmdlets' {
    It 'writes typed entries that Samba reads back as meant, and reads them back the same' {
        $file = Join-Path $TestDrive 'typed.pol'
        $entries = @(
            New-WaRegistryPolicyEntry -Key $K -ValueName 'Dw' -Type DWord -Data 300
            New-WaRegistryPolicyEntry -Key $K -ValueName 'Sz' -Type String -Data 'Grüße'
            New-WaRegistryPolicyEntry -Key $K -ValueName 'Multi' -Type MultiString -Data @('a', '', 'b')
            New-WaRegistryPolicyEntry -Key $K -ValueName 'Bin' -Type Binary -Data @(1, 2, 255)
            New-WaRegistryPolicyEntry -Key "$K\List" -DeleteAllValues
            @{ Key = "$K\List"; ValueName = '1'; Type = 'REG_SZ'; Data = 'https://web.whatsapp.com' }
        )
        $entries | Export-WaRegistryPolicy -Path $file
        $back = Get-WaRegistryPolicy -Path $file
        $back.Count | Should -Be 6
        $back[0].Data | Should -Be 300
        $back[1].Data | Should -Be 'Grüße'
        $back[2].Data | Should -Be @('a', '', 'b')
        $back[4].ValueName | Should -Be '**delvals.'
        $back[4].Action | Should -Be 'DeleteAllValues'
        $s = Invoke-Samba $file
        $s.signature | Should -Be 'PReg'
        $s.version | Should -Be 1
        $s.repackEqual | Should -BeTrue
        $s.entries.Count | Should -Be 6
        $s.entries[0].data.v | Should -Be 300
        $s.entries[1].data.v | Should -Be 'Grüße'
        $s.entries[5].data.v | Should -Be 'https://web.whatsapp.com'
        $s.entries[4].value | Should -Be '**delvals.'
    }

    It 'copies a file byte for byte through the pipeline' {
        $a = Join-Path $TestDrive 'a.pol'; $b = Join-Path $TestDrive 'b.pol'
        @(
            New-WaRegistryPolicyEntry -Key $K -ValueName 'X' -Type DWord -Data 1
            New-WaRegistryPolicyEntry -Key $K -ValueName 'X' -Type DWord -Data 1
        ) | Export-WaRegistryPolicy -Path $a
        Get-WaRegistryPolicy $a | Export-WaRegistryPolicy -Path $b
        (Get-FileHash $b).Hash | Should -Be (Get-FileHash $a).Hash
    }

    It 'refuses a non-PReg file with a typed error naming the file and offset' {
        $bad = Join-Path $TestDrive 'bad.pol'
        Set-Content -Path $bad -Value 'this is not a policy file'
        $err = { Get-WaRegistryPolicy -Path $bad -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryPolicyInvalid*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -BeLike "*bad.pol*offset 0*"
    }

    It 'writes nothing when an input is invalid or with -WhatIf' {
        $out = Join-Path $TestDrive 'none.pol'
        { @{ Key = 'HKLM\Software\X'; ValueName = 'V'; Type = 'DWord'; Data = 1 } | Export-WaRegistryPolicy -Path $out -ErrorAction Stop } | Should -Throw
        Test-Path $out | Should -BeFalse
        New-WaRegistryPolicyEntry -Key $K -ValueName 'V' -Type DWord -Data 1 | Export-WaRegistryPolicy -Path $out -WhatIf
        Test-Path $out | Should -BeFalse
    }
}

Describe 'Export-WaGpo' {
    It 'writes a deterministic GPO backup whose Registry.pol files Samba reads' {
        $d1 = Join-Path $TestDrive 'gpo1'; $d2 = Join-Path $TestDrive 'gpo2'
        $r1 = Export-WaGpo -Path $d1 -Profile SharedComputer
        $r2 = Export-WaGpo -Path $d2 -Profile SharedComputer
        $r1.BackupId | Should -Be $r2.BackupId
        $root = Join-Path $d1 $r1.BackupId.ToString('B').ToUpperInvariant()
        Test-Path (Join-Path $root 'Backup.xml') | Should -BeTrue
        Test-Path (Join-Path $root 'bkupInfo.xml') | Should -BeTrue
        Test-Path (Join-Path $d1 'manifest.xml') | Should -BeTrue
        $h1 = Get-ChildItem $d1 -Recurse -File | ForEach-Object { "$($_.FullName.Substring($d1.Length)) $((Get-FileHash $_.FullName).Hash)" }
        $h2 = Get-ChildItem $d2 -Recurse -File | ForEach-Object { "$($_.FullName.Substring($d2.Length)) $((Get-FileHash $_.FullName).Hash)" }
        $h1 | Should -Be $h2
        $pols = @(Get-ChildItem $root -Recurse -Filter registry.pol | ForEach-Object FullName)
        foreach ($p in $pols) {
            $s = Invoke-Samba $p
            $s.repackEqual | Should -BeTrue
            $s.entries.Count | Should -Be @(Get-WaRegistryPolicy $p).Count
        }
    }

    It 'puts the machine inactivity limit in GptTmpl.inf (the default baseline has it in WA-LOCK-01)' {
        $bl = Join-Path $ModulePath 'policies/baseline.json'
        $r = Export-WaGpo -Path (Join-Path $TestDrive 'gpowin') -BaselinePath $bl -Parameter @{ IdleTimeoutSeconds = 120 } -Timestamp '2024-05-01T10:00:00'
        $r.SecurityOptionCount | Should -Be 1
        $inf = Join-Path $r.Path 'DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf'
        $bytes = [IO.File]::ReadAllBytes($inf)
        $bytes[0] | Should -Be 0xFF; $bytes[1] | Should -Be 0xFE
        [Text.Encoding]::Unicode.GetString($bytes, 2, $bytes.Length - 2) | Should -Match 'MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\InactivityTimeoutSecs=4,120'
        ([xml](Get-Content -Raw (Join-Path $r.Path 'bkupInfo.xml'))).BackupInst.BackupTime.'#cdata-section' | Should -Be '2024-05-01T10:00:00'

        $pol = Export-WaGpo -Path (Join-Path $TestDrive 'polonly') -BaselinePath $bl -AsRegistryPol
        $m = Get-WaRegistryPolicy (Join-Path $pol.Path 'Machine/registry.pol')
        ($m | Where-Object ValueName -eq 'InactivityTimeoutSecs').Data | Should -Be 300
        (Invoke-Samba (Join-Path $pol.Path 'Machine/registry.pol')).repackEqual | Should -BeTrue
    }
}

Describe 'Set-WaLocalGpo' {
    It 'merges into a scratch GroupPolicy folder keeping foreign records, and -WhatIf writes nothing' {
        $root = Join-Path $TestDrive 'GroupPolicy'
        New-Item -ItemType Directory (Join-Path $root 'Machine') -Force | Out-Null
        $pol = Join-Path $root 'Machine/Registry.pol'
        New-WaRegistryPolicyEntry -Key 'Software\Policies\Other' -ValueName 'Keep' -Type DWord -Data 9 | Export-WaRegistryPolicy -Path $pol
        Set-WaLocalGpo -Path $root -WhatIf
        @(Get-WaRegistryPolicy $pol).Count | Should -Be 1
        Test-Path (Join-Path $root 'gpt.ini') | Should -BeFalse

        $r = Set-WaLocalGpo -Path $root -BackupPath (Join-Path $TestDrive 'bak') -Confirm:$false
        $r.MachineChanged | Should -BeTrue
        $r.UserChanged | Should -BeTrue   # the screen-saver policies are user settings
        $r.NewVersion | Should -Be ((1 -shl 16) -bor 1)
        $entries = Get-WaRegistryPolicy $pol
        $entries[0].ValueName | Should -Be 'Keep'
        $entries.Count | Should -BeGreaterThan 1
        (Invoke-Samba $pol).repackEqual | Should -BeTrue
        Get-Content (Join-Path $root 'gpt.ini') | Should -Contain 'gPCMachineExtensionNames=[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]'
        (Set-WaLocalGpo -Path $root -Confirm:$false).Changed | Should -BeFalse
    }

    It 'is what Set-WaHardening -Target LocalGpo does, with the same baseline selection' {
        $a = Join-Path $TestDrive 'gpo-a'
        $b = Join-Path $TestDrive 'gpo-b'
        Set-WaHardening -Target LocalGpo -LocalGpoPath $a -Id WA-LOCK-01 -WhatIf
        Test-Path $a | Should -BeFalse
        $r = Set-WaHardening -Target LocalGpo -LocalGpoPath $a -Id WA-LOCK-01 -Confirm:$false
        $r | Should -BeOfType ([WaHardening.Core.GroupPolicy.LocalGpoMergeResult])
        $null = Set-WaLocalGpo -Path $b -Confirm:$false -BaselinePath (New-TestBaseline -Path (Join-Path $TestDrive 'lock.json') -Change {
                param($j) $j.controls = @($j.controls | Where-Object { $_.id -eq 'WA-LOCK-01' }) })
        (Get-FileHash (Join-Path $a 'Machine/Registry.pol')).Hash | Should -Be (Get-FileHash (Join-Path $b 'Machine/Registry.pol')).Hash
        (Set-WaHardening -Target LocalGpo -LocalGpoPath $a -Id WA-LOCK-01 -Confirm:$false).Changed | Should -BeFalse
        if (-not $IsWindows) {
            $err = $null
            try { Set-WaHardening -Target LocalGpo -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'LocalGpoNotAvailable,*'
        }
    }
}
