# Dot-sourced by every Pester test file (in BeforeAll): imports the built module under test.
$script:ModulePath = if ($env:WAH_MODULE_PATH) { $env:WAH_MODULE_PATH } else {
    $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../WaHardening.psd1')
    Join-Path $PSScriptRoot "../../out/WaHardening/$($manifest.ModuleVersion)"
}
if (-not (Test-Path (Join-Path $script:ModulePath 'WaHardening.psd1'))) {
    throw "The module is not built at $script:ModulePath; run 'dotnet pwsh ./build.ps1 Build' first."
}
Import-Module (Join-Path $script:ModulePath 'WaHardening.psd1') -Force
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function New-TestBaseline {
    # Writes a baseline file for a test: the default one, changed by a script block.
    param([Parameter(Mandatory)] [string] $Path, [scriptblock] $Change)
    $json = Get-Content -Raw (Join-Path $script:ModulePath 'policies/baseline.json') | ConvertFrom-Json -AsHashtable
    if ($Change) { & $Change $json }
    $json | ConvertTo-Json -Depth 32 | Set-Content -Path $Path -Encoding utf8NoBOM
    $Path
}
