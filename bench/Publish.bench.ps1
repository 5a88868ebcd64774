<#
Publish: Graph requests per publish of the full export (SharedComputer, every platform) to an empty tenant and to an
up-to-date one, against the loopback Graph stand-in of the tests (FakeGraph, in the xunit test assembly; build.ps1
Test or Bench builds it). Counted: HTTP requests on the wire, requests without the $batch envelopes (inside a batch or on their own), writes. Target: an up-to-date
tenant costs reads only, batched. The baseline is the unbatched cost: one request per read and write.
#>
param($Context)
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$testDll = Join-Path $Context.RepoRoot 'tests/WaHardening.Core.Tests/bin/Release/net10.0/WaHardening.Core.Tests.dll'
if (-not (Test-Path $testDll)) {
    & dotnet build (Join-Path $Context.RepoRoot 'tests/WaHardening.Core.Tests') -c Release -nologo -v quiet -clp:ErrorsOnly | Out-Null
}
$manifest = Join-Path $Context.ModulePath 'WaHardening.psd1'
$export = Join-Path $Context.OutputPath 'publish-export'
$script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$testDll'
Import-Module '$manifest'
`$null = Export-WaIntuneProfile -Path '$export' -Profile SharedComputer -Force -Confirm:`$false
`$g = [WaHardening.Core.Tests.FakeGraph]::new()
`$g.Groups['11111111-2222-3333-4444-555555555555'] = 'All WaHardening devices'
`$tok = ConvertTo-SecureString 'bench-token' -AsPlainText -Force
`$p = @{ Path = '$export'; AccessToken = `$tok; GraphEndpoint = `$g.Root; AssignTo = 'All WaHardening devices'; Confirm = `$false }
`$r1 = @(Publish-WaIntuneProfile @p)
`$empty = @(`$g.HttpRequests, @(`$g.Requests | Where-Object { `$_.InBatch -or `$_.Path -notlike '*/`$batch' }).Count, `$g.Writes, `$r1.Count)
`$g.ClearLog()
`$r2 = @(Publish-WaIntuneProfile @p)
`$upToDate = @(`$g.HttpRequests, @(`$g.Requests | Where-Object { `$_.InBatch -or `$_.Path -notlike '*/`$batch' }).Count, `$g.Writes, @(`$r2 | Where-Object Action -ne 'Unchanged').Count)
`$g.Dispose()
(`$empty + `$upToDate) -join ' '
"@
$run = Invoke-Timed $Context.Pwsh @('-NoProfile', '-NonInteractive', '-c', $script)
$n = ($run.Output.Trim() -split "`n")[-1].Trim() -split ' ' | ForEach-Object { [int]$_ }
$eHttp, $eInner, $eWrites, $profiles, $uHttp, $uInner, $uWrites, $uChanged = $n
New-BenchRow 'Publish' "empty tenant: HTTP requests ($profiles profiles)" $eHttp 'requests' 'unbatched' $eInner ($eInner / [math]::Max(1, $eHttp)) '' $null
New-BenchRow 'Publish' 'empty tenant: writes (creates + assigns)' $eWrites 'writes' '' $null $null '' $null
New-BenchRow 'Publish' 'up-to-date tenant: HTTP requests' $uHttp 'requests' 'unbatched' $uInner ($uInner / [math]::Max(1, $uHttp)) 'batched reads' ($uHttp -lt $uInner)
New-BenchRow 'Publish' 'up-to-date tenant: writes' $uWrites 'writes' '' $null $null '0 (reads only)' ($uWrites -eq 0 -and $uChanged -eq 0)
