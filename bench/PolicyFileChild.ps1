<#
Child process of bench/PolicyFile.bench.ps1, for its memory figure (peak resident set, measured from outside by GNU time):
-Mode Parse parses the policy file once; -Mode Set runs Set's sequence on it (plan, plan again under the lock, write with
backup, read back) for the Firefox controls of the default baseline.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $Root, [ValidateSet('Parse', 'Set')] [string] $Mode)
$ErrorActionPreference = 'Stop'
Add-Type -Path (Join-Path $ModulePath 'WaHardening.Core.dll')
if ($Mode -eq 'Parse') {
    $null = [WaHardening.Core.Json.JsonParser]::ParseFile((Join-Path $Root 'etc/firefox/policies/policies.json'))
    return
}
$baseline = [WaHardening.Core.Model.BaselineLoader]::Load((Join-Path $ModulePath 'policies/baseline.json'))
$controls = [WaHardening.Core.Model.Control[]]@($baseline.Controls | Where-Object { $_.Targets -contains 'Firefox' -and -not $_.Advisory })
$e = [WaHardening.Core.Enforcement.Engine]::new([WaHardening.Core.Enforcement.ProviderContext]::new($Root, 'Linux', $null, $null), $null)
$null = $e.Plan($controls, $null)
$lock = [WaHardening.Core.Enforcement.EnforcementLock]::Acquire($e.Context, [TimeSpan]::FromSeconds(30))
try {
    $plan = $e.Plan($controls, $null)
    if ($plan.Changes.Count -eq 0) { throw 'Set had nothing to change.' }
    $backup = $null
    $null = $e.Apply($plan, (Join-Path $Root 'backup.json'), [ref] $backup)
} finally { $lock.Dispose() }
