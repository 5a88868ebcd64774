BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
    }
}

Describe 'Argument completion' {
    It 'completes control ids' {
        $ids = Complete 'Get-WaBaseline -Id WA-L'
        $ids | Should -Contain 'WA-LOCK-01'
        $ids | ForEach-Object { $_ | Should -BeLike 'WA-L*' }
    }
    It 'completes categories and profiles' {
        Complete 'Get-WaBaseline -Category Scr' | Should -Contain 'ScreenLock'
        Complete 'Get-WaBaseline -Profile ' | Should -Be @('Standard', 'SharedComputer')
    }
    It 'completes platforms' {
        Complete 'Get-WaBaseline -Platform L' | Should -Contain 'Linux'
    }
    It 'completes from the baseline given with -Path' {
        $file = New-TestBaseline -Path (Join-Path $TestDrive 'c.json') -Change {
            param($b) $b.controls[0].id = 'ZZ-CUSTOM-01'
        }
        Complete "Get-WaBaseline -Path '$file' -Id ZZ" | Should -Be 'ZZ-CUSTOM-01'
    }
}

Describe 'Default views' {
    It 'shows controls as a table with id, category, severity, targets and title' {
        $text = Get-WaBaseline -Id WA-LOCK-01 | Out-String -Width 200
        $text | Should -Match 'Id\s+Category\s+Severity\s+Targets\s+Title'
        $text | Should -Match 'WA-LOCK-01\s+ScreenLock'
    }
    It 'has a list view with rationale and parameters' {
        $text = Get-WaBaseline -Id WA-LOCK-01 | Format-List | Out-String -Width 200
        $text | Should -Match 'Rationale'
        $text | Should -Match 'IdleTimeoutSeconds=300'
    }
}
