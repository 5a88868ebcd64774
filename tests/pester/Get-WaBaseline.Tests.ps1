BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Get-WaBaseline' {
    It 'returns typed controls from the default baseline' {
        $controls = @(Get-WaBaseline)
        $controls.Count | Should -BeGreaterThan 0
        $controls[0].GetType().FullName | Should -Be 'WaHardening.Core.Model.Control'
        foreach ($c in $controls) {
            $c.Id | Should -Match '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$'
            $c.Title | Should -Not -BeNullOrEmpty
            $c.Category | Should -Not -BeNullOrEmpty
            $c.Platforms.Count | Should -BeGreaterThan 0
            $c.Targets.Count | Should -BeGreaterThan 0
        }
    }

    It 'filters by id with wildcards' {
        $all = @(Get-WaBaseline)
        $lock = @(Get-WaBaseline -Id 'WA-LOCK-*')
        $lock.Count | Should -BeGreaterThan 0
        $lock.Count | Should -BeLessThan $all.Count
        $lock.Id | ForEach-Object { $_ | Should -BeLike 'WA-LOCK-*' }
    }

    It 'filters by category: every control of it, and no other' {
        $all = @(Get-WaBaseline)
        $screen = @(Get-WaBaseline -Category ScreenLock)
        $screen.Count | Should -BeGreaterThan 0
        $screen.Count | Should -BeLessThan $all.Count
        $screen.Category | Sort-Object -Unique | Should -Be 'ScreenLock'
        $screen.Id | Should -Be @($all | Where-Object Category -eq 'ScreenLock').Id
    }

    It 'filters by category with wildcards, and by several categories' {
        $all = @(Get-WaBaseline)
        $s = @(Get-WaBaseline -Category 's*')
        $s.Count | Should -BeGreaterThan 0
        $s.Count | Should -BeLessThan $all.Count
        $s.Id | Should -Be @($all | Where-Object Category -like 's*').Id
        $two = @(Get-WaBaseline -Category ScreenLock, '*Persist*')
        $two.Id | Should -Be @($all | Where-Object { $_.Category -eq 'ScreenLock' -or $_.Category -like '*Persist*' }).Id
        @($two.Category | Sort-Object -Unique).Count | Should -BeGreaterThan 1
    }

    It 'filters by platform <_>: every control that applies to it, and no other' -ForEach 'Windows', 'Linux', 'macOS', 'iOS', 'Android' {
        $all = @(Get-WaBaseline)
        $got = @(Get-WaBaseline -Platform $_)
        $got.Count | Should -BeGreaterThan 0
        foreach ($c in $got) { $c.Platforms | Should -Contain $_ }
        $got.Id | Should -Be @($all | Where-Object Platforms -Contains $_).Id
    }

    It 'leaves out the controls of other platforms' {
        # Every default control has a Windows and a macOS rendering, so a control made Linux-only shows the exclusion.
        $file = New-TestBaseline -Path (Join-Path $TestDrive 'linux-only.json') -Change {
            param($b)
            $lock = $b.controls | Where-Object id -eq 'WA-LOCK-01'
            $lock.settings = @($lock.settings | Where-Object target -eq 'GNOME')
        }
        $all = @(Get-WaBaseline -Path $file)
        (Get-WaBaseline -Path $file -Id WA-LOCK-01).Platforms | Should -Be 'Linux'
        foreach ($p in 'Windows', 'macOS', 'iOS', 'Android') {
            $got = @(Get-WaBaseline -Path $file -Platform $p)
            $got.Id | Should -Not -Contain 'WA-LOCK-01' -Because "-Platform $p leaves out a Linux-only control"
            $got.Count | Should -BeLessThan $all.Count
        }
        (Get-WaBaseline -Path $file -Platform Linux).Id | Should -Contain 'WA-LOCK-01'
        (Get-WaBaseline -Path $file -Platform Linux, Windows).Id | Should -Be $all.Id
    }

    It 'reports an id without wildcards that matches nothing as a non-terminating ObjectNotFound error' {
        $out = @(Get-WaBaseline -Id WA-NOPE, WA-LOCK-01 -ErrorAction SilentlyContinue -ErrorVariable ev)
        $out.Id | Should -Be 'WA-LOCK-01'  # the run carries on
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'ControlNotFound,WaHardening.Commands.GetWaBaselineCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].TargetObject | Should -Be 'WA-NOPE'
        $ev[0].Exception.Message | Should -BeLike "*no control with id 'WA-NOPE'*"
        { Get-WaBaseline -Id WA-NOPE -ErrorAction Stop } | Should -Throw -ErrorId 'ControlNotFound,WaHardening.Commands.GetWaBaselineCommand'
    }

    It 'reports a category without wildcards that matches nothing the same way' {
        $out = @(Get-WaBaseline -Category NoSuchCategory -ErrorAction SilentlyContinue -ErrorVariable ev)
        $out.Count | Should -Be 0
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'CategoryNotFound,WaHardening.Commands.GetWaBaselineCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].TargetObject | Should -Be 'NoSuchCategory'
        $ev[0].Exception.Message | Should -BeLike '*ScreenLock*'  # names the categories there are
    }

    It 'stays silent for a wildcard that matches nothing, and for a control another filter leaves out' {
        @(Get-WaBaseline -Id 'WA-NOPE-*' -Category 'Nope*' -ErrorVariable ev).Count | Should -Be 0
        $ev.Count | Should -Be 0
        $lock = Get-WaBaseline -Id WA-LOCK-01
        $elsewhere = @('Windows', 'Linux', 'macOS', 'iOS', 'Android' | Where-Object { $lock.Platforms -notcontains $_ })
        $elsewhere.Count | Should -BeGreaterThan 0
        @(Get-WaBaseline -Id WA-LOCK-01 -Category ScreenLock -Platform $elsewhere[0] -ErrorVariable ev2).Count | Should -Be 0
        $ev2.Count | Should -Be 0
    }

    It 'filters by profile, SharedComputer including Standard' {
        $standard = @(Get-WaBaseline -Profile Standard)
        $shared = @(Get-WaBaseline -Profile SharedComputer)
        $shared.Count | Should -BeGreaterOrEqual $standard.Count
        foreach ($c in $standard) { $shared.Id | Should -Contain $c.Id }
    }

    It 'binds parameters into the expected values' {
        $c = Get-WaBaseline -Id WA-LOCK-01 -Parameter @{ IdleTimeoutSeconds = 120 }
        $c.Parameters['IdleTimeoutSeconds'] | Should -Be 120
        ($c.Settings | Where-Object Target -eq 'GNOME' | Select-Object -First 1).Expected.Raw | Should -Be '120'
    }

    It 'rejects a parameter outside its bounds with a typed error naming it' {
        { Get-WaBaseline -Parameter @{ IdleTimeoutSeconds = 5 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterInvalid,WaHardening.Commands.GetWaBaselineCommand' -ExpectedMessage '*IdleTimeoutSeconds*minimum*'
    }

    It 'rejects an unknown parameter' {
        { Get-WaBaseline -Parameter @{ NoSuchThing = 1 } } | Should -Throw -ExpectedMessage "*no parameter 'NoSuchThing'*"
    }

    It 'rejects an unknown profile' {
        { Get-WaBaseline -Profile Kiosk } | Should -Throw -ErrorId 'ProfileNotFound,WaHardening.Commands.GetWaBaselineCommand'
    }

    It 'every cmdlet that selects a profile reports an unknown one with the same ErrorId' {
        $out = Join-Path $TestDrive 'unknown-profile'
        $calls = @(
            @{ Name = 'Test-WaHardening'; Call = { Test-WaHardening -Profile Kiosk -Root $out -ErrorAction Stop } }
            @{ Name = 'Export-WaIntuneProfile'; Call = { Export-WaIntuneProfile -Profile Kiosk -Path $out -Confirm:$false -ErrorAction Stop } }
            @{ Name = 'Export-WaGpo'; Call = { Export-WaGpo -Profile Kiosk -Path $out -Confirm:$false -ErrorAction Stop } }
        )
        foreach ($c in $calls) {
            $err = $null
            try { & $c.Call | Out-Null } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty -Because "$($c.Name) -Profile Kiosk fails"
            $err.FullyQualifiedErrorId | Should -BeLike 'ProfileNotFound,*' -Because $c.Name
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound' -Because $c.Name
        }
        Test-Path $out | Should -BeFalse
    }

    It 'loads a custom baseline with -Path' {
        $file = New-TestBaseline -Path (Join-Path $TestDrive 'custom.json') -Change {
            param($b) $b.controls = @($b.controls | Where-Object { $_.id -eq 'WA-LOCK-01' })
        }
        $controls = @(Get-WaBaseline -Path $file)
        $controls.Id | Should -Be 'WA-LOCK-01'
        $controls[0].SourceFile | Should -Be $file
    }

    It 'reports every problem of an invalid baseline in one error, with file, control and field' {
        $file = New-TestBaseline -Path (Join-Path $TestDrive 'bad.json') -Change {
            param($b)
            $b.controls[0].severity = 'Extreme'
            $b.controls[1].Remove('title')
            $b.controls[1].settings[0].target = 'Netscape'
        }
        $err = $null
        try { Get-WaBaseline -Path $file -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'BaselineInvalid,WaHardening.Commands.GetWaBaselineCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $file
        $err.Exception.Problems.Count | Should -Be 3
        $msg = $err.Exception.Message
        $msg | Should -BeLike "*$file*"
        $msg | Should -BeLike "*severity*'Extreme'*"
        $msg | Should -BeLike '*title: is required*'
        $msg | Should -BeLike "*unknown target 'Netscape'*"
    }

    It 'reports a syntax error with its line and column' {
        $file = Join-Path $TestDrive 'syntax.json'
        Set-Content $file "{`n  `"schemaVersion`": 1,`n  `"name`": oops`n}"
        { Get-WaBaseline -Path $file } | Should -Throw -ExpectedMessage "*syntax.json:3:11*"
    }

    It 'reports a missing file as ObjectNotFound' {
        $err = $null
        try { Get-WaBaseline -Path (Join-Path $TestDrive 'none.json') -ErrorAction Stop } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.FullyQualifiedErrorId | Should -BeLike 'BaselineNotFound,*'
    }

    It 'shows as a table' {
        $text = Get-WaBaseline | Format-Table | Out-String
        $text | Should -Match 'WA-LOCK-01'
    }
}
