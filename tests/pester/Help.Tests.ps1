BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:cmdlets = @((Get-Module WaHardening).ExportedCmdlets.Keys | Sort-Object)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Offline help for <_>' -ForEach $cmdlets {
    BeforeAll {
        $name = $_
        $help = Get-Help $name -Full
    }
    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$name*[<CommonParameters>]*"   # not the auto-generated syntax
        ($help.Description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }
    It 'has at least one example with code and remarks' {
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        foreach ($ex in $help.Examples.Example) {
            $ex.Code | Should -Not -BeNullOrEmpty
            ($ex.Remarks.Text -join ' ') | Should -Not -BeNullOrEmpty
        }
    }
    It 'describes every parameter' {
        $params = (Get-Command $name).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $params) {
            $ph = $help.Parameters.Parameter | Where-Object Name -eq $p
            $ph | Should -Not -BeNullOrEmpty -Because "parameter -$p needs help"
            ($ph.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "parameter -$p needs a description"
        }
    }
    It 'names the aliases of every parameter' {
        foreach ($p in (Get-Command $name).Parameters.Values | Where-Object { $_.Name -notin $common }) {
            $ph = $help.Parameters.Parameter | Where-Object Name -eq $p.Name
            $want = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }
            "$($ph.aliases)" | Should -Be $want -Because "-$($p.Name)"
        }
    }
    It 'names every parameter type as a user writes it (no Nullable`1 or other generic CLR names)' {
        foreach ($ph in @($help.Parameters.Parameter)) {
            "$($ph.parameterValue)" | Should -Not -Match '`' -Because "-$($ph.Name) shows its type"
            "$($ph.type.name)" | Should -Not -Match '`' -Because "-$($ph.Name) shows its type"
        }
    }
}

Describe 'about_WaHardening' {
    It 'explains the concepts' {
        $text = Get-Help about_WaHardening | Out-String
        foreach ($concept in 'BASELINE', 'PROFILES', 'STRICTER WINS', 'BACKUPS AND UNDO', 'ADVISORY') {
            $text | Should -Match $concept
        }
    }

    It 'lists every ErrorId of the catalog with its description' {
        $text = Get-Help about_WaHardening | Out-String
        $text | Should -Not -Match '\{ErrorIds\}'
        foreach ($e in [WaHardening.Core.ErrorIds]::Descriptions.GetEnumerator()) {
            $text | Should -Match ('(?m)^\s*' + $e.Key + '\s*$') -Because "$($e.Key) is an ErrorId"
            $text | Should -Match ([regex]::Escape(($e.Value -split ' ')[0..2] -join ' '))
        }
    }
}
