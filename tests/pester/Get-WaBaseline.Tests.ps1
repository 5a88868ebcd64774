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

    It 'filters by category and platform' {
        @(Get-WaBaseline -Category ScreenLock).Category | Sort-Object -Unique | Should -Be 'ScreenLock'
        foreach ($c in Get-WaBaseline -Platform Linux) { $c.Platforms | Should -Contain 'Linux' }
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
