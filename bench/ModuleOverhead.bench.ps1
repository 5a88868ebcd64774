<#
Module overhead: `pwsh -NoProfile -c "Import-Module WaHardening; Test-WaHardening | Out-Null"` against
`pwsh -NoProfile -c exit`, medians of >= 10 runs (5 in quick mode), runs interleaved so noise hits
both alike. Target: the module adds at most 250 ms; Microsoft.Graph is not loaded. Peak RSS of both.
#>
param($Context)
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$runs = if ($Context.Quick) { 5 } else { 11 }
# Exactly the command of the target, with the module found by name: its folder's parent goes first on PSModulePath.
$modulesDir = Split-Path (Split-Path $Context.ModulePath -Parent) -Parent
$childEnv = @{ PSModulePath = $modulesDir + [IO.Path]::PathSeparator + $env:PSModulePath }
$work = 'Import-Module WaHardening; Test-WaHardening | Out-Null'
# Whether Microsoft.Graph got loaded is asked in runs of their own: the check is a pipeline with a script block, whose
# cost (about 60 ms here) would otherwise be counted as the module's.
$probe = "$work; if ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'Microsoft.Graph*' }) { 'GRAPH-LOADED' } else { 'GRAPH-NOT-LOADED' }"
$baseline = @(); $module = @(); $baseRss = @(); $modRss = @(); $graphLoaded = $false
# Warm-up (disk cache), not measured; it also checks the module really imports by name and Graph stays out.
$null = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', 'exit')
$check = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', "$probe; (Get-Module WaHardening).ModuleBase") -Environment $childEnv
if ($check.Output -notmatch [regex]::Escape($Context.ModulePath)) { throw "Import-Module WaHardening did not load $($Context.ModulePath): $($check.Output)" }
if ($check.Output -notmatch 'GRAPH-NOT-LOADED') { $graphLoaded = $true }
for ($i = 0; $i -lt $runs; $i++) {
    $b = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', 'exit')
    $m = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', $work) -Environment $childEnv
    $baseline += $b.Milliseconds; $module += $m.Milliseconds
    if ($b.PeakRssKiB) { $baseRss += $b.PeakRssKiB; $modRss += $m.PeakRssKiB }
}
for ($i = 0; $i -lt 3; $i++) {
    if ((Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', $probe) -Environment $childEnv).Output -notmatch 'GRAPH-NOT-LOADED') { $graphLoaded = $true }
}
$mb = Get-Median $baseline; $mm = Get-Median $module
$added = $mm - $mb
New-BenchRow 'ModuleOverhead' 'median wall time, import + audit' $mm 'ms' 'pwsh -c exit' $mb ($mm / $mb) '' $null
New-BenchRow 'ModuleOverhead' 'added by the module' $added 'ms' '' $null $null '<= 250 ms' ($added -le 250)
if ($baseRss) {
    $rb = (Get-Median $baseRss) / 1024; $rm = (Get-Median $modRss) / 1024
    New-BenchRow 'ModuleOverhead' 'peak RSS, import + audit' $rm 'MiB' 'pwsh -c exit' $rb ($rm / $rb) '' $null
}
New-BenchRow 'ModuleOverhead' 'Microsoft.Graph loaded' ([int]$graphLoaded) 'bool' '' $null $null 'not loaded' (-not $graphLoaded)
