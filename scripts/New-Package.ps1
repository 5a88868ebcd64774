<#
.SYNOPSIS
    Packs the built module as a .nupkg that Install-PSResource installs.
.DESCRIPTION
    Called by `build.ps1 Package`. Publishes the module folder to a local file repository
    (-OutputPath) with PSResourceGet, which writes WaHardening.<version>.nupkg there. Installing:
        Register-PSResourceRepository -Name WaLocal -Uri <OutputPath> -Trusted
        Install-PSResource WaHardening -Repository WaLocal
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
$OutputPath = (Resolve-Path $OutputPath).Path
$name = 'WaHardeningBuild' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name $name -Uri $OutputPath -Trusted
try {
    Get-ChildItem $OutputPath -Filter 'WaHardening.*.nupkg' | Remove-Item -Force
    # Publish-PSResource wants the folder to be named after the module.
    $staging = Join-Path ([System.IO.Path]::GetTempPath()) "wa-pack-$([guid]::NewGuid().ToString('N'))/WaHardening"
    New-Item -ItemType Directory -Force -Path $staging | Out-Null
    Copy-Item (Join-Path $ModulePath '*') $staging -Recurse
    Publish-PSResource -Path $staging -Repository $name -SkipDependenciesCheck
    Remove-Item (Split-Path $staging) -Recurse -Force
}
finally {
    Unregister-PSResourceRepository -Name $name
}
$pkg = Get-ChildItem $OutputPath -Filter 'WaHardening.*.nupkg' | Select-Object -First 1
if (-not $pkg) { throw "No package was written to $OutputPath." }
Write-Host "Package: $($pkg.FullName)"
