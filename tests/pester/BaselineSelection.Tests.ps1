# One baseline-selection surface (issue #15): every cmdlet that selects controls from a baseline derives from
# BaselineCmdlet and takes -BaselinePath (alias -Path where -Path names nothing else), -Profile (default Standard, one
# rule) and -Parameter; an unknown profile is ProfileNotFound everywhere, and nothing is written then.
BeforeDiscovery {
    $script:Selecting = 'Get-WaBaseline', 'Test-WaHardening', 'Set-WaHardening', 'Export-WaGpo', 'Set-WaLocalGpo', 'Export-WaIntuneProfile'
    $script:SelectingCases = $Selecting | ForEach-Object { @{ Command = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')

    function New-Scratch([string] $Name) { Join-Path $TestDrive ($Name + '-' + [guid]::NewGuid().ToString('N')) }

    function Get-PolHash([string] $Dir) {
        (Get-ChildItem -LiteralPath $Dir -Recurse -File -Filter '*.pol' | Sort-Object FullName | ForEach-Object {
            $_.Directory.Name + '=' + (Get-FileHash -LiteralPath $_.FullName).Hash }) -join ';'
    }

    # Runs a baseline-selecting cmdlet on scratch folders (never the real system) with the given selection parameters
    # and returns what it selected, as text that two runs can be compared by.
    $script:Run = @{
        'Get-WaBaseline'         = { param($sel) (@(Get-WaBaseline @sel).Id | Sort-Object) -join ',' }
        'Test-WaHardening'       = { param($sel)
            $r = @(Test-WaHardening -Root (New-ScratchRoot -Path (New-Scratch 'test')) @sel)
            ((@($r.ControlId | Sort-Object -Unique) -join ',') + '|' + (@($r.Profile | Sort-Object -Unique) -join ',')) }
        'Set-WaHardening'        = { param($sel)
            $r = @(Set-WaHardening -Root (New-ScratchRoot -Path (New-Scratch 'set')) -Confirm:$false @sel)
            (@($r.ControlId | Sort-Object -Unique) -join ',') }
        'Export-WaGpo'           = { param($sel)
            $dir = New-Scratch 'gpo'
            $r = Export-WaGpo -Path $dir -AsRegistryPol @sel
            $r.DisplayName + '|' + (Get-PolHash $dir) }
        'Set-WaLocalGpo'         = { param($sel)
            $sys = New-Scratch 'lgpo'
            $null = Set-WaLocalGpo -Path (Join-Path $sys 'GroupPolicy') -Root $sys -Confirm:$false @sel
            Get-PolHash (Join-Path $sys 'GroupPolicy') }
        'Export-WaIntuneProfile' = { param($sel)
            $dir = New-Scratch 'intune'
            $null = Export-WaIntuneProfile -Path $dir -Confirm:$false @sel
            $m = Get-Content -Raw (Join-Path $dir 'manifest.json') | ConvertFrom-Json
            $m.profile + '|' + (@($m.files | ForEach-Object { $_.path + '=' + (@($_.controls) -join ',') + '=' + $_.sha256 }) -join ';') }
    }

    # A baseline that differs from the default in what every cmdlet shows: a Standard control renamed and another idle
    # limit (which lands in the registry, Intune and dconf settings).
    $script:Custom = New-TestBaseline -Path (Join-Path $TestDrive 'custom.json') -Change {
        param($b)
        ($b.controls | Where-Object id -eq 'WA-LOCK-01').id = 'WA-LOCK-91'
        $b.parameters.IdleTimeoutSeconds.default = 240
    }
}

Describe 'Baseline selection' {
    It 'is one base class for exactly the cmdlets that select controls from a baseline' {
        $derived = Get-Command -Module WaHardening -CommandType Cmdlet |
            Where-Object { $_.ImplementingType.IsSubclassOf([WaHardening.Commands.BaselineCmdlet]) } | ForEach-Object Name | Sort-Object
        $derived | Should -Be ($Selecting | Sort-Object)
        # Any other cmdlet with a baseline file parameter would have been left out of the surface; the one exception
        # reads a baseline only for the controls' titles (its profile comes from the published export's manifest),
        # so it takes -BaselinePath with the same meaning and no -Profile/-Parameter to disagree with the export.
        $readers = @('Get-WaIntuneCompliance')
        Get-Command -Module WaHardening -CommandType Cmdlet | Where-Object { $_.Name -notin $Selecting -and $_.Name -notin $readers } |
            ForEach-Object { $_.Parameters.Keys | Should -Not -Contain 'BaselinePath' -Because $_.Name }
        foreach ($r in $readers) {
            $p = (Get-Command $r).Parameters
            $p.Keys | Should -Contain 'BaselinePath'
            $p.Keys | Should -Not -Contain 'Profile' -Because "$r takes its profile from the export"
            $p.Keys | Should -Not -Contain 'Parameter' -Because "$r takes its parameters from the export"
        }
    }

    It '<Command>: -BaselinePath, -Profile and -Parameter are the shared ones; -Path is an alias of -BaselinePath exactly where -Path names nothing else' -ForEach $SelectingCases {
        $cmd = Get-Command $Command
        foreach ($p in 'BaselinePath', 'Profile', 'Parameter') {
            $cmd.Parameters.Keys | Should -Contain $p
        }
        $aliases = @($cmd.Parameters['BaselinePath'].Aliases)
        if ($cmd.Parameters.ContainsKey('Path')) { $aliases | Should -BeNullOrEmpty }
        else { $aliases | Should -Be @('Path') }
    }

    It '<Command> uses the baseline given by each of its names for it' -ForEach $SelectingCases {
        $names = @('BaselinePath') + @((Get-Command $Command).Parameters['BaselinePath'].Aliases)
        $default = & $Run[$Command] @{}
        $fromCustom = & $Run[$Command] @{ BaselinePath = $Custom }
        $fromCustom | Should -Not -Be $default -Because 'the custom baseline differs in what this cmdlet selects'
        foreach ($n in $names) {
            & $Run[$Command] @{ $n = $Custom } | Should -Be $fromCustom -Because "-$n names the baseline"
            # A file that is not there: the loader's error names it, whichever name it came by.
            $missing = Join-Path $TestDrive "missing-$n.json"
            $err = $null
            try { & $Run[$Command] @{ $n = $missing; ErrorAction = 'Stop' } } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'BaselineNotFound,*' -Because "-$n"
            $err.Exception.Message | Should -BeLike "*missing-$n.json*"
        }
    }

    It '<Command> selects the Standard profile when -Profile is not given' -ForEach $SelectingCases {
        $none = & $Run[$Command] @{}
        $none | Should -Be (& $Run[$Command] @{ Profile = 'Standard' })
        $none | Should -Not -Be (& $Run[$Command] @{ Profile = 'SharedComputer' }) -Because 'SharedComputer adds controls this cmdlet shows'
        # The profile as the baseline spells it, whatever case it was typed in.
        & $Run[$Command] @{ Profile = 'sharedcomputer' } | Should -Be (& $Run[$Command] @{ Profile = 'SharedComputer' })
    }

    It '<Command> rejects an unknown profile with ProfileNotFound, writing nothing' -ForEach $SelectingCases {
        $before = Get-ChildItem -LiteralPath $TestDrive -Recurse -Force | ForEach-Object FullName
        $err = $null
        try { & $Run[$Command] @{ Profile = 'Kiosk'; ErrorAction = 'Stop' } } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be "ProfileNotFound,$((Get-Command $Command).ImplementingType.FullName)"
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike "*no profile 'Kiosk'*Standard, SharedComputer*"
        # Only the empty scratch folders the runner itself made (Test-/Set-WaHardening's fake system) may be new.
        $new = @(Get-ChildItem -LiteralPath $TestDrive -Recurse -Force -File | Where-Object FullName -notin $before |
            Where-Object { $_.FullName -notmatch '[\\/](test|set)-[0-9a-f]{32}[\\/]usr[\\/]bin[\\/]' })
        $new | Should -BeNullOrEmpty
    }

    It 'Set-WaLocalGpo without -Profile merges what Set-WaHardening -Target LocalGpo does (Standard)' {
        $sys = New-Scratch 'same'
        $a = Join-Path $sys 'a'
        $b = Join-Path $sys 'b'
        $null = Set-WaLocalGpo -Path $a -Root $sys -Confirm:$false
        $null = Set-WaHardening -Target LocalGpo -LocalGpoPath $b -Root $sys -Confirm:$false
        Get-PolHash $a | Should -Not -BeNullOrEmpty
        (Get-PolHash $a) -replace '(^|;)a=', '$1' | Should -Be ((Get-PolHash $b) -replace '(^|;)b=', '$1')
    }

    It 'Get-WaBaseline | Test-WaHardening audits what Test-WaHardening audits' {
        $root = New-ScratchRoot -Path (New-Scratch 'pipe')
        (Get-WaBaseline | Test-WaHardening -Root $root).ControlId | Sort-Object -Unique |
            Should -Be ((Test-WaHardening -Root $root).ControlId | Sort-Object -Unique)
    }

    It 'completes -Profile and -Id from the baseline typed as -Path (the alias) or -BaselinePath' {
        $zeta = New-TestBaseline -Path (Join-Path $TestDrive 'zeta.json') -Change { param($b) $b.profiles['Zeta'] = [ordered]@{ description = 'only here' } }
        foreach ($line in "Get-WaBaseline -Path '$zeta' -Profile Z", "Get-WaBaseline -BaselinePath '$zeta' -Profile Z",
            "Set-WaLocalGpo -Path '$TestDrive' -BaselinePath '$zeta' -Profile Z") {
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'Zeta' -Because $line
        }
    }
}
