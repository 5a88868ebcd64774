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
    $script:KindCode = @{ String = 1; ExpandString = 2; Binary = 3; DWord = 4; DWordBigEndian = 5; MultiString = 7; QWord = 11 }

    function Get-MeantRecord {
        # The records rendered settings mean, from the rendering's typed data (never from the module's .pol bytes):
        # a value, or for a list policy **delvals. then "1".."n".
        param($Settings)
        $records = [System.Collections.Generic.List[object]]::new()
        foreach ($s in $Settings) {
            if ($s.JsonMember) {
                # Members of one JSON value (Firefox's Preferences) mean one record holding all of them, where the first is.
                $at = -1; for ($i = 0; $i -lt $records.Count; $i++) { if ($records[$i].Key -eq $s.Key -and $records[$i].ValueName -eq $s.ValueName) { $at = $i } }
                $merged = if ($at -ge 0) { ConvertFrom-Json $records[$at].Data[0] -AsHashtable } else { [ordered]@{} }
                $member = ConvertFrom-Json $s.Data[0] -AsHashtable
                foreach ($k in $member.Keys) { $merged[$k] = $member[$k] }
                $record = [pscustomobject]@{ Key = $s.Key; ValueName = $s.ValueName; Type = 7; Data = [string[]]@(ConvertTo-Json $merged -Compress -Depth 5) }
                if ($at -ge 0) { $records[$at] = $record } else { $records.Add($record) }
                continue
            }
            foreach ($r in @(Get-MeantPlain $s)) { $records.Add($r) }
        }
        $records
    }

    function Get-MeantPlain($s) {
        & {
            if ($s.IsList) {
                [pscustomobject]@{ Key = $s.Key; ValueName = '**delvals.'; Type = 1; Data = ' ' }
                for ($i = 0; $i -lt $s.ListItems.Count; $i++) { [pscustomobject]@{ Key = $s.Key; ValueName = "$($i + 1)"; Type = 1; Data = $s.ListItems[$i] } }
            } else {
                [pscustomobject]@{ Key = $s.Key; ValueName = $s.ValueName; Type = $script:KindCode["$($s.Kind)"]; Data = $s.Data }
            }
        }
    }

    function Assert-SambaEntry {
        # Samba's typed reading of one file equals the meant records, entry for entry (type, key, name and typed data).
        param($Samba, [object[]] $Meant)
        $Samba.repackEqual | Should -BeTrue
        @($Samba.entries).Count | Should -Be $Meant.Count
        for ($i = 0; $i -lt $Meant.Count; $i++) {
            $e = $Samba.entries[$i]; $m = $Meant[$i]
            $because = "entry $i [$($m.Key);$($m.ValueName)]"
            $e.key | Should -BeExactly $m.Key -Because $because
            $e.value | Should -BeExactly $m.ValueName -Because $because
            $e.type | Should -Be $m.Type -Because $because
            switch ($m.Type) {
                { $_ -in 1, 2 } { $e.data.kind | Should -Be 'str' -Because $because; $e.data.v | Should -BeExactly $m.Data -Because $because }
                { $_ -in 4, 5, 11 } { $e.data.kind | Should -Be 'int' -Because $because; [uint64] $e.data.v | Should -Be ([uint64] $m.Data) -Because $because }
                7 { $e.data.kind | Should -Be 'multi' -Because $because; ConvertTo-Json -Compress @($e.data.v) | Should -BeExactly (ConvertTo-Json -Compress @($m.Data)) -Because $because }
                default { $e.data.kind | Should -Be 'bytes' -Because $because; $e.data.v | Should -Be (-join ($m.Data | ForEach-Object { ([byte] $_).ToString('x2') })) -Because $because }
            }
        }
    }
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
        Assert-SambaEntry $s @(
            [pscustomobject]@{ Key = $K; ValueName = 'Dw'; Type = 4; Data = 300 }
            [pscustomobject]@{ Key = $K; ValueName = 'Sz'; Type = 1; Data = 'Grüße' }
            [pscustomobject]@{ Key = $K; ValueName = 'Multi'; Type = 7; Data = @('a', '', 'b') }
            [pscustomobject]@{ Key = $K; ValueName = 'Bin'; Type = 3; Data = @(1, 2, 255) }
            [pscustomobject]@{ Key = "$K\List"; ValueName = '**delvals.'; Type = 1; Data = ' ' }
            [pscustomobject]@{ Key = "$K\List"; ValueName = '1'; Type = 1; Data = 'https://web.whatsapp.com' })
        $s.entries[2].data.v.Count | Should -Be 3   # the empty middle element is an element
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
        # What the profile means, from the rendering (security options go to GptTmpl.inf, not registry.pol).
        $content = [WaHardening.Core.GroupPolicy.GpoContent]::From([WaHardening.Core.Model.Control[]] @(Get-WaBaseline -Profile SharedComputer),
            [WaHardening.Core.GroupPolicy.SecurityOptionPlacement]::SecurityTemplate)
        $machine = @($content.Settings | Where-Object { $_.Hive -eq 'HKLM' -and -not $content.SecurityOptions.Contains($_) })
        $user = @($content.Settings | Where-Object Hive -eq 'HKCU')
        $machine.Count | Should -BeGreaterThan 0
        $user.Count | Should -BeGreaterThan 0
        Assert-SambaEntry (Invoke-Samba (Join-Path $root 'DomainSysvol/GPO/Machine/registry.pol')) @(Get-MeantRecord $machine)
        Assert-SambaEntry (Invoke-Samba (Join-Path $root 'DomainSysvol/GPO/User/registry.pol')) @(Get-MeantRecord $user)
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
        $all = [WaHardening.Core.GroupPolicy.GpoContent]::From([WaHardening.Core.Model.Control[]] @(Get-WaBaseline -Path $bl),
            [WaHardening.Core.GroupPolicy.SecurityOptionPlacement]::RegistryPol)
        $meant = @(Get-MeantRecord @($all.Settings | Where-Object Hive -eq 'HKLM'))
        ($meant | Where-Object ValueName -eq 'InactivityTimeoutSecs').Data | Should -Be 300
        Assert-SambaEntry (Invoke-Samba (Join-Path $pol.Path 'Machine/registry.pol')) $meant
    }
}

Describe 'Set-WaLocalGpo' {
    # -Root keeps the module's data folder (backups, lock) in the test drive; the GPO folders lie below it.
    BeforeEach { $script:Sys = Join-Path $TestDrive ([guid]::NewGuid().ToString('N')) }

    It 'merges into a scratch GroupPolicy folder keeping foreign records, and -WhatIf writes nothing' {
        $root = Join-Path $Sys 'GroupPolicy'
        New-Item -ItemType Directory (Join-Path $root 'Machine') -Force | Out-Null
        $pol = Join-Path $root 'Machine/Registry.pol'
        New-WaRegistryPolicyEntry -Key 'Software\Policies\Other' -ValueName 'Keep' -Type DWord -Data 9 | Export-WaRegistryPolicy -Path $pol
        Set-WaLocalGpo -Path $root -Root $Sys -WhatIf
        @(Get-WaRegistryPolicy $pol).Count | Should -Be 1
        Test-Path (Join-Path $root 'gpt.ini') | Should -BeFalse
        Test-Path (Join-Path $Sys 'var') | Should -BeFalse

        $bak = Join-Path $TestDrive 'merge-backup.json'
        $r = Set-WaLocalGpo -Path $root -Root $Sys -BackupPath $bak -Confirm:$false
        $r.MachineChanged | Should -BeTrue
        $r.UserChanged | Should -BeTrue   # the screen-saver policies are user settings
        $r.NewVersion | Should -Be ((1 -shl 16) -bor 1)
        $r.BackupPath | Should -Be $bak
        (Get-Content -Raw $bak | ConvertFrom-Json).format | Should -Be 'WaHardening.Backup'
        $entries = Get-WaRegistryPolicy $pol
        $entries[0].ValueName | Should -Be 'Keep'
        $entries.Count | Should -BeGreaterThan 1
        (Invoke-Samba $pol).repackEqual | Should -BeTrue
        Get-Content (Join-Path $root 'gpt.ini') | Should -Contain 'gPCMachineExtensionNames=[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]'
        $again = Set-WaLocalGpo -Path $root -Root $Sys -Confirm:$false
        $again.Changed | Should -BeFalse
        $again.BackupPath | Should -BeNullOrEmpty
    }

    It 'keeps stricter values and foreign list entries, replaces looser ones, and Undo-WaHardening restores the files byte for byte' {
        $root = Join-Path $Sys 'GroupPolicy'
        New-Item -ItemType Directory (Join-Path $root 'Machine') -Force | Out-Null
        $pol = Join-Path $root 'Machine/Registry.pol'
        $gpt = Join-Path $root 'gpt.ini'
        $sites = 'SOFTWARE\Policies\Google\Chrome\CookiesSessionOnlyForUrls'
        $system = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System'
        @(
            New-WaRegistryPolicyEntry -Key $system -ValueName 'InactivityTimeoutSecs' -Type DWord -Data 120
            New-WaRegistryPolicyEntry -Key $sites -DeleteAllValues
            New-WaRegistryPolicyEntry -Key $sites -ValueName '1' -Type String -Data 'https://stale.example'
            New-WaRegistryPolicyEntry -Key 'SOFTWARE\Policies\Google\Chrome' -ValueName 'BackgroundModeEnabled' -Type DWord -Data 1
        ) | Export-WaRegistryPolicy -Path $pol
        Set-Content -Path $gpt -Value "[General]`r`nVersion=3" -NoNewline
        $before = [IO.File]::ReadAllBytes($pol); $gptBefore = [IO.File]::ReadAllBytes($gpt)

        $r = Set-WaHardening -Target LocalGpo -Root $Sys -LocalGpoPath $root -Id WA-LOCK-01, WA-SESSION-01, WA-SESSION-03 -Confirm:$false
        $r.BackupPath | Should -BeLike (Join-Path $Sys '*')
        $merged = @(Get-WaRegistryPolicy $pol)
        ($merged | Where-Object ValueName -eq 'InactivityTimeoutSecs').Data | Should -Be 120   # stricter than 300: kept
        @($merged | Where-Object ValueName -eq 'InactivityTimeoutSecs').Count | Should -Be 1
        $r.Kept | Should -Match 'InactivityTimeoutSecs: kept 120'
        ($merged | Where-Object { $_.Key -eq 'SOFTWARE\Policies\Google\Chrome' -and $_.ValueName -eq 'BackgroundModeEnabled' }).Data | Should -Be 0   # looser: replaced
        $list = @($merged | Where-Object { $_.Key -eq $sites -and $_.Action -eq 'SetValue' })
        $list.ValueName | Should -Be @('1', '2', '3', '4')
        $list[0].Data | Should -Be 'https://stale.example'                                     # the foreign entry stays, first
        $list.Data | Should -Contain 'https://web.whatsapp.com'
        (Invoke-Samba $pol).repackEqual | Should -BeTrue

        $undo = $r | Undo-WaHardening -Root $Sys -Confirm:$false
        @($undo).Count | Should -Be 3
        [IO.File]::ReadAllBytes($pol) | Should -Be $before
        [IO.File]::ReadAllBytes($gpt) | Should -Be $gptBefore
        Test-Path (Join-Path $root 'User') | Should -BeFalse                                      # created by the merge: removed

        # The same through Set-WaLocalGpo and Undo-WaHardening -BackupPath.
        $r2 = Set-WaLocalGpo -Path $root -Root $Sys -Confirm:$false
        $r2.UserChanged | Should -BeTrue
        $null = Undo-WaHardening -BackupPath $r2.BackupPath -Root $Sys -Confirm:$false
        [IO.File]::ReadAllBytes($pol) | Should -Be $before
        [IO.File]::ReadAllBytes($gpt) | Should -Be $gptBefore
        Test-Path (Join-Path $root 'User/Registry.pol') | Should -BeFalse
    }

    It 'is what Set-WaHardening -Target LocalGpo does, with the same baseline selection' {
        $a = Join-Path $Sys 'gpo-a'
        $b = Join-Path $Sys 'gpo-b'
        Set-WaHardening -Target LocalGpo -Root $Sys -LocalGpoPath $a -Id WA-LOCK-01 -WhatIf
        Test-Path $a | Should -BeFalse
        $r = Set-WaHardening -Target LocalGpo -Root $Sys -LocalGpoPath $a -Id WA-LOCK-01 -Confirm:$false
        $r | Should -BeOfType ([WaHardening.Core.GroupPolicy.LocalGpoMergeResult])
        $null = Set-WaLocalGpo -Path $b -Root $Sys -Confirm:$false -BaselinePath (New-TestBaseline -Path (Join-Path $TestDrive 'lock.json') -Change {
                param($j) $j.controls = @($j.controls | Where-Object { $_.id -eq 'WA-LOCK-01' }) })
        (Get-FileHash (Join-Path $a 'Machine/Registry.pol')).Hash | Should -Be (Get-FileHash (Join-Path $b 'Machine/Registry.pol')).Hash
        (Set-WaHardening -Target LocalGpo -Root $Sys -LocalGpoPath $a -Id WA-LOCK-01 -Confirm:$false).Changed | Should -BeFalse
        $err = $null
        try { Set-WaHardening -Target LocalGpo -Root $Sys -LocalGpoPath (Join-Path $TestDrive 'elsewhere') -Id WA-LOCK-01 -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'PathOutsideRoot,*'
        Test-Path (Join-Path $TestDrive 'elsewhere') | Should -BeFalse
        if (-not $IsWindows) {
            $err = $null
            try { Set-WaHardening -Target LocalGpo -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'LocalGpoNotAvailable,*'
        }
    }
}
