<#
Fleet merge: Merge-WaComplianceReport over N device reports of the default baseline (100,000; 2,000 in quick mode),
in a child pwsh: wall time and peak RSS (median of 3 runs). Targets: 100,000 reports in <= 10 s with peak memory < 500 MB.
Baseline, same run, on a smaller sample: the plain PowerShell way
(Get-ChildItem | Get-Content | ConvertFrom-Json | Group-Object), per report; target >= 20x faster per report.
The reports are generated once per size under out/bench/fleet-<N> (a real device report, with device name, date
and statuses varied) and reused by later runs.
#>
param($Context)
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$n = if ($Context.Quick) { 2000 } else { 100000 }
$sample = if ($Context.Quick) { 1000 } else { 3000 }
$manifest = Join-Path $Context.ModulePath 'WaHardening.psd1'

function New-FleetReports([string] $Dir, [int] $Count) {
    if ((Test-Path (Join-Path $Dir '.complete')) -and @(Get-ChildItem $Dir -Filter *.json).Count -eq $Count) { return }
    Remove-Item -Recurse -Force $Dir -ErrorAction SilentlyContinue
    $null = New-Item -ItemType Directory -Force -Path $Dir
    $template = Get-SeedReport $Context $Dir
    $statuses = '"status": "Compliant"', '"status": "NonCompliant"'
    $rx = [regex]'"status": "(Compliant|NonCompliant)"'
    for ($i = 0; $i -lt $Count; $i++) {
        $rnd = [Random]::new($i)
        $text = $rx.Replace($template, { param($m) $statuses[$rnd.Next(2)] })
        $text = $text.Replace('"name": "' + ([regex]::Match($template, '"name": "([^"]*)"').Groups[1].Value) + '"', ('"name": "PC-{0:000000}"' -f $i))
        $text = [regex]::Replace($text, '"generatedAt": "[^"]*"', ('"generatedAt": "2026-11-{0:00}T08:00:00Z"' -f (1 + $i % 28)))
        [IO.File]::WriteAllText((Join-Path $Dir ('pc{0:000000}.json' -f $i)), $text)
    }
    Set-Content (Join-Path $Dir '.complete') $Count
}

$dir = Join-Path $Context.OutputPath "fleet-$n"
$sampleDir = Join-Path $Context.OutputPath "fleet-sample-$sample"
New-FleetReports $dir $n
New-FleetReports $sampleDir $sample
$bytes = (Get-ChildItem $dir -Filter *.json | Measure-Object Length -Sum).Sum

# Let freshly generated files reach the disk (write-back would be measured otherwise), warm the file cache, then
# measure three merges, each in a new pwsh (its start included), and take the median.
if (Get-Command sync -CommandType Application -ErrorAction SilentlyContinue) { & sync }
$null = Get-ChildItem $dir -Filter *.json | ForEach-Object { [IO.File]::ReadAllBytes($_.FullName).Length }
$merges = 1..3 | ForEach-Object {
    Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c',
        "Import-Module '$manifest'; `$s = Merge-WaComplianceReport -Path '$dir'; if (`$s.ReportsRead -ne $n) { throw ""read `$(`$s.ReportsRead)"" }; `$s.Devices")
}
$merge = ($merges | Sort-Object Milliseconds)[1]
# Per report, in one warmed-up process (no pwsh start in either figure): ours (best of 3) against the plain PowerShell way.
$compare = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', @"
Import-Module '$manifest'
`$null = Merge-WaComplianceReport -Path '$sampleDir'
`$null = Get-ChildItem '$sampleDir' -Filter *.json | Select-Object -First 20 | Get-Content -Raw | ConvertFrom-Json
`$ours = (1..3 | ForEach-Object { (Measure-Command { `$s = Merge-WaComplianceReport -Path '$sampleDir' }).TotalMilliseconds } | Measure-Object -Minimum).Minimum
`$plain = (Measure-Command { `$g = Get-ChildItem '$sampleDir' -Filter *.json | Get-Content -Raw | ConvertFrom-Json | ForEach-Object { `$_.results } | Group-Object controlId, target, status }).TotalMilliseconds
"`$ours `$plain"
"@)
$perOurs, $perPlain = ($compare.Output.Trim() -split '\s+') | ForEach-Object { [double]$_ / $sample }
New-BenchRow 'FleetMerge' "merge $n reports ($('{0:N0}' -f ($bytes / 1MB)) MB)" ($merge.Milliseconds / 1000) 's' '' $null $null '<= 10 s' (($merge.Milliseconds / 1000) -le 10)
New-BenchRow 'FleetMerge' 'reports/s' ($n / ($merge.Milliseconds / 1000)) 'reports/s' '' $null $null '' $null
if ($merge.PeakRssKiB) { New-BenchRow 'FleetMerge' 'peak RSS of the merging pwsh' ($merge.PeakRssKiB / 1024) 'MiB' '' $null $null '< 500 MiB' (($merge.PeakRssKiB / 1024) -lt 500) }
New-BenchRow 'FleetMerge' "per report, $sample reports (warm process)" $perOurs 'ms' 'ConvertFrom-Json | Group-Object' $perPlain ($perPlain / $perOurs) '>= 20x faster' (($perPlain / $perOurs) -ge 20)
