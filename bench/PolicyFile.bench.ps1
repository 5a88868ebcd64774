<#
A large Firefox policies.json (50 MB; 10 MB in quick mode, mostly foreign ExtensionSettings entries): Test and Set of
the default baseline's Firefox controls with the audit engine, against one parse of the same file in the same run
(target: each within 2x one parse — every input file is read and parsed once per run, #14 item 11).
Set is the cmdlet's sequence: plan (for ShouldProcess), plan again under the lock, write with backup, read back.
Measured in rounds inside one process after a warm-up (parse, Test, Set back to back); the ratios are medians of the
per-round ratios. Memory: the peak resident set of a
process running Set once (bench/PolicyFileChild.ps1, GNU time) against one that only parses the file.
#>
param($Context)
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
Add-Type -Path (Join-Path $Context.ModulePath 'WaHardening.Core.dll')
$mbWanted = if ($Context.Quick) { 10 } else { 50 }
$runs = if ($Context.Quick) { 3 } else { 5 }

$sb = [System.Text.StringBuilder]::new()
$null = $sb.Append("{`n  `"policies`": {`n    `"DisableAppUpdate`": false,`n    `"ExtensionSettings`": {")
$i = 0
while ($sb.Length -lt $mbWanted * 1MB) {
    if ($i -gt 0) { $null = $sb.Append(',') }
    $null = $sb.Append("`n      `"ext$i@example.test`": { `"installation_mode`": `"allowed`", `"install_url`": `"https://addons.example.test/$i/latest.xpi`", `"updates_disabled`": false }")
    $i++
}
$null = $sb.Append("`n    }`n  }`n}`n")
$bytes = [System.Text.UTF8Encoding]::new($false).GetBytes($sb.ToString())
$sb = $null
$mb = $bytes.Length / 1MB

$seed = Join-Path $Context.OutputPath 'bench-policyfile-seed.json'
[System.IO.File]::WriteAllBytes($seed, $bytes)
$baseline = [WaHardening.Core.Model.BaselineLoader]::Load((Join-Path $Context.ModulePath 'policies/baseline.json'))
$controls = [WaHardening.Core.Model.Control[]]@($baseline.Controls | Where-Object { $_.Targets -contains 'Firefox' -and -not $_.Advisory })

function New-Root {
    $root = Join-Path $Context.OutputPath "bench-policyfile-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Force (Join-Path $root 'etc/firefox/policies'), (Join-Path $root 'usr/bin')
    $null = New-Item -ItemType File -Force (Join-Path $root 'usr/bin/firefox')
    [System.IO.File]::Copy($seed, (Join-Path $root 'etc/firefox/policies/policies.json'))
    $root
}
function New-Engine([string] $Root) {
    [WaHardening.Core.Enforcement.Engine]::new([WaHardening.Core.Enforcement.ProviderContext]::new($Root, 'Linux', $null, $null), $null)
}
function Measure-Once([scriptblock] $Block, $State) {
    [GC]::Collect()
    $sw = [System.Diagnostics.Stopwatch]::StartNew(); & $Block $State; $sw.Elapsed.TotalSeconds
}

$testRoot = New-Root
$parseBlock = { $null = [WaHardening.Core.Json.JsonParser]::ParseFile((Join-Path $testRoot 'etc/firefox/policies/policies.json')) }
$testBlock = {
    $e = New-Engine $testRoot
    $results = @($e.Test($controls))
    if ($results.Count -eq 0) { throw 'Test returned nothing.' }
    if (($e.Context.Files.Parses.Values | Measure-Object -Maximum).Maximum -ne 1) { throw 'Test parsed a file more than once.' }
}
$setBlock = {
    param($root)
    $e = New-Engine $root
    $lock = [WaHardening.Core.Enforcement.EnforcementLock]::Acquire($e.Context, [TimeSpan]::FromSeconds(30))
    try {
        $null = $e.Plan($controls, $null)
        $plan = $e.Plan($controls, $null)
        if ($plan.Changes.Count -eq 0) { throw 'Set had nothing to change.' }
        $backup = $null
        $null = $e.Apply($plan, (Join-Path $root "backup.json"), [ref] $backup)
    } finally { $lock.Dispose() }
    if (($e.Context.Files.Parses.Values | Measure-Object -Maximum).Maximum -ne 1) { throw 'Set parsed a file more than once.' }
}
# Warm-up, then rounds of parse, Test, Set back to back: each round's ratios are taken against the parse of the same round,
# so load from other jobs on the machine (which comes and goes over seconds) weighs on both sides of a ratio alike; the
# medians of the per-round ratios are reported.
& $parseBlock; & $testBlock; & $setBlock (New-Root)
$rounds = foreach ($r in 1..$runs) {
    $setRoot = New-Root
    $p = Measure-Once $parseBlock $null
    $t = Measure-Once $testBlock $null
    $s = Measure-Once $setBlock $setRoot
    [pscustomobject]@{ ParseS = $p; TestS = $t; SetS = $s }
}
$parse = Get-Median @($rounds | ForEach-Object { $_.ParseS })
$test = Get-Median @($rounds | ForEach-Object { $_.TestS })
$set = Get-Median @($rounds | ForEach-Object { $_.SetS })
$testRatio = Get-Median @($rounds | ForEach-Object { $_.TestS / $_.ParseS })
$setRatio = Get-Median @($rounds | ForEach-Object { $_.SetS / $_.ParseS })
$child = Join-Path $PSScriptRoot 'PolicyFileChild.ps1'
$peak = @{}
foreach ($mode in 'Parse', 'Set') {
    $r = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-File', $child, '-ModulePath', $Context.ModulePath, '-Root', (New-Root), '-Mode', $mode)
    $peak[$mode] = if ($null -ne $r.PeakRssKiB) { $r.PeakRssKiB / 1024 } else { [double]::NaN }
}
Get-ChildItem $Context.OutputPath -Filter 'bench-policyfile-*' | Remove-Item -Recurse -Force

New-BenchRow 'PolicyFile' "Test of a $('{0:N0}' -f $mb) MB policies.json" $test 's' 'one parse of the file (same round)' $parse $testRatio 'within 2x one parse' ($testRatio -le 2)
New-BenchRow 'PolicyFile' "Set of a $('{0:N0}' -f $mb) MB policies.json (backup, write, read back)" $set 's' 'one parse of the file (same round)' $parse $setRatio 'within 2x one parse' ($setRatio -le 2)
New-BenchRow 'PolicyFile' "Peak memory of Set of a $('{0:N0}' -f $mb) MB policies.json (own process)" $peak.Set 'MB' 'a process that parses it once' $peak.Parse ($peak.Set / $peak.Parse) 'reported (no target)' $null
