<#
.SYNOPSIS
    The main job: audit this machine against the default baseline and export every artifact.
.DESCRIPTION
    Called by `build.ps1 Audit` with the freshly built module. Writes under -OutputPath:
      baseline/controls.json   the controls of the default baseline (both profiles)
      report/results.json      Test-WaHardening on this machine (read-only), one result per control and target
    Every step adds its own output below; see README.md.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WaHardening.psd1') -Force

$dir = New-Item -ItemType Directory -Force -Path (Join-Path $OutputPath 'baseline')
$controls = Get-WaBaseline -Profile SharedComputer
$controls | Select-Object Id, Title, Category, Severity, Profiles, Platforms, Targets, Advisory |
    ConvertTo-Json -Depth 5 | Set-Content (Join-Path $dir 'controls.json') -Encoding utf8NoBOM
Write-Host "Baseline: $($controls.Count) controls -> $(Join-Path $dir 'controls.json')"

# Audit this machine (real paths, read-only: Test-WaHardening never writes) against every control of the
# default baseline (SharedComputer includes Standard). One result per control and target; reports read this file.
$reportDir = New-Item -ItemType Directory -Force -Path (Join-Path $OutputPath 'report')
$results = @(Test-WaHardening -Profile SharedComputer)
$results | ConvertTo-Json -Depth 6 -EnumsAsStrings | Set-Content (Join-Path $reportDir 'results.json') -Encoding utf8NoBOM
$summary = ($results | Group-Object Status | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ', '
Write-Host "Audit: $($results.Count) results ($summary) -> $(Join-Path $reportDir 'results.json')"
