<#
Module overhead: `pwsh -NoProfile -c "Import-Module WaHardening; <audit> | Out-Null"` against
`pwsh -NoProfile -c exit`, medians of >= 10 runs (5 in quick mode), runs interleaved so noise hits
both alike. Target: the module adds at most 250 ms; Microsoft.Graph is not loaded. Peak RSS of both.
#>
param($Context)
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$runs = if ($Context.Quick) { 5 } else { 11 }
$manifest = Join-Path $Context.ModulePath 'WaHardening.psd1'
# The audit the brief names is Test-WaHardening; until it exists in the build, Get-WaBaseline is the work done.
# (Looked up in the module's own table: Get-Command would scan every module on PSModulePath.)
$work = "if ((Get-Module WaHardening).ExportedCmdlets.ContainsKey('Test-WaHardening')) { Test-WaHardening | Out-Null } else { Get-WaBaseline | Out-Null }"
$probe = "Import-Module '$manifest'; $work; if ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'Microsoft.Graph*' }) { 'GRAPH-LOADED' }"
$baseline = @(); $module = @(); $baseRss = @(); $modRss = @(); $graphLoaded = $false
# Warm-up (disk cache), not measured.
$null = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', 'exit')
$null = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', $probe)
for ($i = 0; $i -lt $runs; $i++) {
    $b = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', 'exit')
    $m = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', $probe)
    $baseline += $b.Milliseconds; $module += $m.Milliseconds
    if ($b.PeakRssKiB) { $baseRss += $b.PeakRssKiB; $modRss += $m.PeakRssKiB }
    if ($m.Output -match 'GRAPH-LOADED') { $graphLoaded = $true }
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
