BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'docs/baseline.md' {
    It 'is what the generator makes from policies/ (run build.ps1 Docs after changing the baseline)' {
        $out = Join-Path $TestDrive 'baseline.md'
        & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'scripts/New-BaselineDoc.ps1') -ModulePath $ModulePath -OutFile $out
        $LASTEXITCODE | Should -Be 0
        (Get-Content -Raw $out) | Should -BeExactly (Get-Content -Raw (Join-Path $RepoRoot 'docs/baseline.md'))
    }
    It 'lists every control with its sources' {
        $doc = Get-Content -Raw (Join-Path $RepoRoot 'docs/baseline.md')
        # Every control of every profile (Get-WaBaseline alone gives the Standard profile's).
        foreach ($c in [WaHardening.Core.Model.BaselineLoader]::Load((Join-Path $ModulePath 'policies/baseline.json')).Controls) {
            $doc | Should -Match ([regex]::Escape("### $($c.Id)"))
            foreach ($s in $c.Settings) { $doc | Should -Match ([regex]::Escape($s.Source)) }
        }
    }
}

Describe 'policies/baseline.schema.json' {
    It 'is valid JSON and names every top-level and setting field the loader accepts' {
        $schema = Get-Content -Raw (Join-Path $RepoRoot 'policies/baseline.schema.json') | ConvertFrom-Json -AsHashtable
        $schema.properties.Keys | Should -Contain 'controls'
        $setting = $schema.'$defs'.setting.properties.Keys
        foreach ($f in 'target', 'name', 'type', 'value', 'compare', 'minimum', 'maximum', 'accept', 'default', 'source', 'enforce', 'note', 'registry', 'dconf', 'macos', 'intune', 'omaUri', 'compliance', 'apt') {
            $setting | Should -Contain $f
        }
    }
}
