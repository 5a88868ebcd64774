<#
.SYNOPSIS
    Runs WaHardening's benchmarks and prints a table of ratios against baselines measured in the
    same run (machines are noisy; absolute times are not comparable across runs).
.DESCRIPTION
    Called by `build.ps1 Bench [-Quick]`. Each benchmark is a script bench/*.bench.ps1 that returns
    rows: Benchmark, Measure, Value, Unit, Baseline, BaselineValue, Ratio, Target, Met. This script
    runs them all, prints the table and writes it to -OutputPath as results.json and results.md.
    -Quick runs fewer iterations and smaller inputs (under a minute in total).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [switch] $Quick,
    [string[]] $Name = '*'
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
$context = [pscustomobject]@{
    ModulePath = (Resolve-Path $ModulePath).Path
    OutputPath = (Resolve-Path $OutputPath).Path
    Quick      = [bool]$Quick
    Pwsh       = Join-Path $PSHOME 'pwsh'
    RepoRoot   = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
}
$rows = [System.Collections.Generic.List[object]]::new()
# The start-up benchmark runs first, on a quiet machine: the fleet benchmark writes gigabytes of reports (the first
# time) and the write-back that follows would be measured as module overhead.
$order = @{ ModuleOverhead = 0; RegistryPol = 1; Publish = 2; FleetMerge = 3 }
$benches = Get-ChildItem $PSScriptRoot -Filter '*.bench.ps1' | Where-Object { $n = $_.Name -replace '\.bench\.ps1$'; $Name | Where-Object { $n -like $_ } } |
    Sort-Object { $k = $_.Name -replace '\.bench\.ps1$'; if ($order.ContainsKey($k)) { $order[$k] } else { 99 } }, Name
foreach ($bench in $benches) {
    Write-Host "== $($bench.BaseName -replace '\.bench$') =="
    foreach ($r in & $bench.FullName -Context $context) { $rows.Add($r) }
}
$rows | Format-Table Benchmark, Measure, @{ n = 'Value'; e = { '{0:N2} {1}' -f $_.Value, $_.Unit } },
    Baseline, @{ n = 'Ratio'; e = { if ($null -ne $_.Ratio) { '{0:N2}x' -f $_.Ratio } } }, Target, Met -AutoSize | Out-String -Width 200 | Write-Host
$rows | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $OutputPath 'results.json') -Encoding utf8NoBOM
ConvertTo-BenchMarkdown $rows $context | Set-Content (Join-Path $OutputPath 'results.md') -Encoding utf8NoBOM
$missed = @($rows | Where-Object { $_.Met -eq $false })
if ($missed) { Write-Warning "Targets missed: $(($missed | ForEach-Object { "$($_.Benchmark)/$($_.Measure)" }) -join ', ')" }
