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
    It 'and the platform limits in docs/intune-export.md are what the generator makes from policies/' {
        $out = Join-Path $TestDrive 'baseline2.md'
        $intune = Join-Path $TestDrive 'intune-export.md'
        Copy-Item (Join-Path $RepoRoot 'docs/intune-export.md') $intune
        & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'scripts/New-BaselineDoc.ps1') -ModulePath $ModulePath -OutFile $out -IntuneExportDoc $intune
        $LASTEXITCODE | Should -Be 0
        $text = Get-Content -Raw $intune
        $text | Should -BeExactly (Get-Content -Raw (Join-Path $RepoRoot 'docs/intune-export.md'))
        # Statements the issue names, as the data says them.
        $text | Should -Match '\| macOS \| WA-SESSION-03 [^|]*\| Chrome `BackgroundModeEnabled` does not exist there'
        $text | Should -Match '\| Linux \| WA-SESSION-03 [^|]*\| Edge `StartupBoostEnabled` does not exist there'
        $text | Should -Match '\| iOS \| WA-LOCK-03 [^|]*\| nothing on the device: only the Intune compliance policy'
        $text | Should -Match '\| every platform \| WA-ADVICE-01 '
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
