BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # Every -Id / -Profile / -Category / -Platform parameter of every cmdlet, and the commands that read a baseline file.
    $script:valueCases = foreach ($cmd in Get-Command -Module WaHardening -CommandType Cmdlet) {
        foreach ($p in 'Id', 'Profile', 'Category', 'Platform') {
            if ($cmd.Parameters.ContainsKey($p)) { @{ Command = $cmd.Name; Parameter = $p } }
        }
    }
    # The baseline file is -BaselinePath on every cmdlet that has one, and -Path too where that is its alias.
    $script:fileCases = foreach ($cmd in Get-Command -Module WaHardening -CommandType Cmdlet) {
        if (-not $cmd.Parameters.ContainsKey('BaselinePath')) { continue }
        foreach ($name in @('BaselinePath') + @($cmd.Parameters['BaselinePath'].Aliases)) {
            foreach ($p in 'Id', 'Profile') {
                if ($cmd.Parameters.ContainsKey($p)) { @{ Command = $cmd.Name; Parameter = $p; FileParameter = $name } }
            }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
    }
    # What each kind of parameter completes to from the default baseline: a prefix typed and what must come back.
    $script:expected = @{
        Id       = @{ Word = 'WA-L'; Contains = 'WA-LOCK-01' }
        Profile  = @{ Word = ''; Exactly = @('Standard', 'SharedComputer') }
        Category = @{ Word = 'Scr'; Contains = 'ScreenLock' }
        Platform = @{ Word = 'L'; Contains = 'Linux' }
    }
    $script:custom = New-TestBaseline -Path (Join-Path $TestDrive 'c.json') -Change {
        param($b)
        # (not WA-SESSION-01: WA-SESSION-04's webSessions section names it, and the loader checks that reference)
        ($b.controls | Where-Object id -eq 'WA-SESSION-02').id = 'ZZ-CUSTOM-01'
        $b.profiles['Zeta'] = [ordered]@{ description = 'a profile only the custom baseline has' }
    }
}

Describe 'Argument completion' {
    It 'covers the parameters of every cmdlet that take ids, profiles, categories or platforms' {
        $names = $valueCases | ForEach-Object { "$($_.Command) -$($_.Parameter)" }
        foreach ($must in 'Get-WaBaseline -Id', 'Get-WaBaseline -Category', 'Test-WaHardening -Id', 'Set-WaHardening -Id',
            'Test-WaHardening -Profile', 'Set-WaHardening -Profile', 'Export-WaGpo -Profile', 'Set-WaLocalGpo -Profile',
            'Export-WaIntuneProfile -Profile', 'Export-WaIntuneProfile -Platform', 'Export-WaComplianceReport -Profile') {
            $names | Should -Contain $must
        }
    }

    It '<Command> -<Parameter> completes from the default baseline' -ForEach $valueCases {
        $want = $expected[$Parameter]
        $got = @(Complete "$Command -$Parameter $($want.Word)")
        if ($want.Exactly) { $got | Should -Be $want.Exactly }
        else {
            $got | Should -Contain $want.Contains
            $got | ForEach-Object { $_ | Should -BeLike "$($want.Word)*" }
        }
    }

    It '<Command> -<Parameter> completes from the baseline given with -<FileParameter>' -ForEach $fileCases {
        # An output -Path typed as well must not be taken for the baseline.
        $line = "$Command -$FileParameter '$custom'" + $(if ($FileParameter -ne 'Path' -and (Get-Command $Command).Parameters.ContainsKey('Path')) { " -Path '$TestDrive'" })
        if ($Parameter -eq 'Id') { Complete "$line -Id ZZ" | Should -Be 'ZZ-CUSTOM-01' }
        else { Complete "$line -Profile Z" | Should -Be 'Zeta' }
    }

    It 'reads a baseline path relative to the current location' {
        Push-Location $TestDrive
        try { Complete 'Get-WaBaseline -Path c.json -Id ZZ' | Should -Be 'ZZ-CUSTOM-01' }
        finally { Pop-Location }
    }

    It 'reads a baseline path on a PowerShell drive (TestDrive:)' {
        Complete 'Get-WaBaseline -Path TestDrive:/c.json -Id ZZ' | Should -Be 'ZZ-CUSTOM-01'
    }

    It 'uses the default baseline when -Path names an output file, not a baseline' {
        $report = Join-Path $TestDrive 'report.json'
        '{ "not": "a baseline" }' | Set-Content $report
        Complete "Export-WaComplianceReport -Path '$report' -Profile S" | Should -Be @('Standard', 'SharedComputer')
    }

    It 'offers nothing, without an error, when the baseline given does not load' {
        $bad = Join-Path $TestDrive 'bad.json'
        '{ "schemaVersion": ' | Set-Content $bad
        $Error.Clear()
        Complete "Get-WaBaseline -Path '$bad' -Id WA" | Should -BeNullOrEmpty
        $Error.Count | Should -Be 0
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
