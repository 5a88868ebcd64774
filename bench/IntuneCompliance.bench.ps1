<#
Intune compliance: Get-WaIntuneCompliance over N synthetic devices (100,000; 5,000 in quick mode) served by the loopback
Graph stand-in of the tests (FakeGraph + IntuneTenantSim from the xunit test assembly), which runs in its own child
process (so its memory is not counted) after publishing the Standard export to itself. Every source is read: the
compliance policies' deviceStatuses and the remediation's deviceRunStates in pages of 1,000 (@odata.nextLink; 1,000 is
the Intune page size observed, docs/intune-reporting.md), the per-setting and settings-catalog reports as export jobs
(create, poll, download a zip of CSV). Measured in a child pwsh (its start included): wall time, peak RSS, HTTP requests.
Baseline, same run: the same command over N/10 devices, so the ratios show how time, memory and requests grow with
the fleet. Targets: peak RSS < 500 MB at N; time per device at N within 2x of the baseline's (linear);
requests per 1,000 devices not growing. -ExportJobs (everything from report jobs) is measured at N too.
#>
param($Context)
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$n = if ($Context.Quick) { 5000 } else { 100000 }
$small = [int]($n / 10)
$testDll = Join-Path $Context.RepoRoot 'tests/WaHardening.Core.Tests/bin/Release/net10.0/WaHardening.Core.Tests.dll'
if (-not (Test-Path $testDll)) {
    & dotnet build (Join-Path $Context.RepoRoot 'tests/WaHardening.Core.Tests') -c Release -nologo -v quiet -clp:ErrorsOnly | Out-Null
}
$manifest = Join-Path $Context.ModulePath 'WaHardening.psd1'
$export = Join-Path $Context.OutputPath 'intune-compliance-export'

# The stand-in: publishes the export to itself, serves <devices> synthetic devices, answers 'count' with the HTTP
# requests since the last 'count', 'stop' to end.
$server = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$testDll'
Import-Module '$manifest'
`$null = Export-WaIntuneProfile -Path '$export' -Force -Confirm:`$false
`$g = [WaHardening.Core.Tests.FakeGraph]::new()
`$g.PageSize = 1000
`$g.PollsToComplete = 2
`$null = Publish-WaIntuneProfile -Path '$export' -AccessToken (ConvertTo-SecureString 'bench-token' -AsPlainText -Force) -GraphEndpoint `$g.Root -Confirm:`$false
`$sim = [WaHardening.Core.Tests.IntuneTenantSim]::new(`$g)
`$sim.ServeSynthetic(__DEVICES__, [datetimeoffset]::UtcNow)
`$g.ClearLog()
[Console]::Out.WriteLine('READY ' + `$g.Root); [Console]::Out.Flush()
while ((`$line = [Console]::In.ReadLine()) -ne `$null -and `$line -ne 'stop') {
    `$c = `$g.HttpRequests; `$g.ClearLog(); [Console]::Out.WriteLine("COUNT `$c"); [Console]::Out.Flush()
}
`$g.Dispose()
"@

function Start-StandIn([int] $Devices) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new($Context.Pwsh)
    foreach ($a in '-NoProfile', '-NonInteractive', '-c', $server.Replace('__DEVICES__', [string]$Devices)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    while (($l = $p.StandardOutput.ReadLine()) -ne $null -and -not $l.StartsWith('READY ')) { }
    if ($null -eq $l) { throw 'the Graph stand-in did not start' }
    [pscustomobject]@{ Process = $p; Root = $l.Substring(6) }
}
function Get-Requests($s) { $s.Process.StandardInput.WriteLine('count'); [int]($s.Process.StandardOutput.ReadLine() -replace '^COUNT ') }
function Stop-StandIn($s) { $s.Process.StandardInput.WriteLine('stop'); $s.Process.WaitForExit(60000) | Out-Null }

function Measure-Read([string] $Root, [string] $Extra = '') {
    $client = "Import-Module '$manifest'; `$s = Get-WaIntuneCompliance -Path '$export' -AccessToken (ConvertTo-SecureString 'bench-token' -AsPlainText -Force) -GraphEndpoint '$Root' -PollIntervalSeconds 0 $Extra -WarningAction SilentlyContinue; `$s.Devices"
    $run = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', $client)
    [pscustomobject]@{ Ms = $run.Milliseconds; RssMiB = $run.PeakRssKiB / 1024; Devices = [int](($run.Output.Trim() -split "`n")[-1]) }
}

$rows = @()
$base = Start-StandIn $small
try {
    $b = Measure-Read $base.Root
    $bReq = Get-Requests $base
} finally { Stop-StandIn $base }
$big = Start-StandIn $n
try {
    $r = Measure-Read $big.Root
    $rReq = Get-Requests $big
    $j = Measure-Read $big.Root '-ExportJobs'
    $jReq = Get-Requests $big
} finally { Stop-StandIn $big }
if ($r.Devices -ne $n -or $b.Devices -ne $small -or $j.Devices -ne $n) { throw "device counts: $($r.Devices) of $n, $($b.Devices) of $small, $($j.Devices) of $n (-ExportJobs)" }

$perDevice = $r.Ms / $n; $basePerDevice = $b.Ms / $small
New-BenchRow 'IntuneCompliance' "$n devices: wall time" ($r.Ms / 1000) 's' "$small devices" ($b.Ms / 1000) ($r.Ms / $b.Ms) '' $null
New-BenchRow 'IntuneCompliance' "$n devices: time per device" ($perDevice * 1000) 'µs' "$small devices" ($basePerDevice * 1000) ($perDevice / $basePerDevice) '<= 2x (linear)' ($perDevice / $basePerDevice -le 2)
New-BenchRow 'IntuneCompliance' "$n devices: peak RSS" $r.RssMiB 'MiB' "$small devices" $b.RssMiB ($r.RssMiB / $b.RssMiB) '< 500 MB' ($r.RssMiB * 1.048576 -lt 500)
New-BenchRow 'IntuneCompliance' "$n devices: HTTP requests" $rReq 'requests' "$small devices" $bReq ($rReq / [math]::Max(1, $bReq)) '' $null
New-BenchRow 'IntuneCompliance' "$n devices: requests per 1,000 devices" ($rReq * 1000 / $n) 'requests' "$small devices" ($bReq * 1000 / $small) (($rReq / $n) / ($bReq / $small)) '<= 1x' (($rReq / $n) -le ($bReq / $small))
New-BenchRow 'IntuneCompliance' "$n devices, -ExportJobs: wall time" ($j.Ms / 1000) 's' "$n devices, paged" ($r.Ms / 1000) ($j.Ms / $r.Ms) '' $null
New-BenchRow 'IntuneCompliance' "$n devices, -ExportJobs: peak RSS" $j.RssMiB 'MiB' "$n devices, paged" $r.RssMiB ($j.RssMiB / $r.RssMiB) '< 500 MB' ($j.RssMiB * 1.048576 -lt 500)
New-BenchRow 'IntuneCompliance' "$n devices, -ExportJobs: HTTP requests" $jReq 'requests' "$n devices, paged" $rReq ($jReq / [math]::Max(1, $rReq)) '' $null
