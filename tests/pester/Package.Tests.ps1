BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:pwsh = Join-Path $PSHOME 'pwsh'
}

Describe 'Package' {
    It 'builds a .nupkg that Install-PSResource installs and Import-Module loads by name' {
        $repo = Join-Path $TestDrive 'repo'
        & $pwsh -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'scripts/New-Package.ps1') -ModulePath $ModulePath -OutputPath $repo
        $LASTEXITCODE | Should -Be 0
        $pkg = @(Get-ChildItem $repo -Filter 'WaHardening.*.nupkg')
        $pkg.Count | Should -Be 1

        # Install into a throw-away user profile (HOME decides PSResourceGet's CurrentUser scope).
        $home2 = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory $home2 | Out-Null
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name WaLocal -Uri '$repo' -Trusted
Install-PSResource -Name WaHardening -Repository WaLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module WaHardening
`$m = Get-Module WaHardening
"`$(`$m.Version)|`$(`$m.ModuleBase)|`$(@(Get-WaBaseline).Count)"
"@
        $env:HOME_BACKUP = $env:HOME
        try {
            $env:HOME = $home2
            $out = & $pwsh -NoProfile -NonInteractive -Command $script
        } finally { $env:HOME = $env:HOME_BACKUP }
        $LASTEXITCODE | Should -Be 0
        $version, $base, $count = ($out | Select-Object -Last 1) -split '\|'
        $version | Should -Be (Import-PowerShellDataFile (Join-Path $ModulePath 'WaHardening.psd1')).ModuleVersion
        $base | Should -BeLike "$home2*"
        [int]$count | Should -BeGreaterThan 0
    }
}
