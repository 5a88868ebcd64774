<#
.SYNOPSIS
    The main job: audit this machine against the default baseline and export every artifact.
.DESCRIPTION
    Called by `build.ps1 Audit` with the freshly built module. Writes under -OutputPath:
      baseline/controls.json   the controls of the default baseline (both profiles)
      gpo/                     GPO backups of both profiles (Import-GPO / LGPO.exe /g) and
                               gpo/registry-pol/<profile>/{Machine,User}/registry.pol
      intune/<profile>/        Intune profiles, device scripts, .mobileconfig and Linux files of both profiles, with manifest.json
      report/report.*          Test-WaHardening on this machine (read-only) as JSON (schema), HTML, CSV, JUnit XML;
                               report/fleet.{html,json} the fleet summary of it
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

# Group Policy: a GPO backup (Import-GPO -Path gpo -BackupGpoName ..., LGPO.exe /g gpo) and bare Registry.pol files.
$gpoDir = Join-Path $OutputPath 'gpo'
foreach ($profileName in 'Standard', 'SharedComputer') {
    $gpo = Export-WaGpo -Path $gpoDir -Profile $profileName -DisplayName "WaHardening - $profileName"
    $pol = Export-WaGpo -Path (Join-Path $gpoDir "registry-pol/$profileName") -Profile $profileName -AsRegistryPol
    Write-Host "GPO backup: $($gpo.DisplayName) {$($gpo.BackupId)}: $($gpo.MachineEntryCount) machine, $($gpo.UserEntryCount) user records, $($gpo.SecurityOptionCount) security options -> $($gpo.Path)"
    Write-Host "Registry.pol: $($pol.Files -join ', ')"
}

# Intune (settings catalog, custom OMA-URI, compliance, custom compliance, remediations), macOS .mobileconfig and
# Linux policy files, one folder per profile with manifest.json (what Publish-WaIntuneProfile reads).
foreach ($profileName in 'Standard', 'SharedComputer') {
    $files = @(Export-WaIntuneProfile -Path (Join-Path $OutputPath "intune/$profileName") -Profile $profileName -Force -Confirm:$false)
    $byKind = ($files | Group-Object Kind | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ', '
    Write-Host "Intune export ($profileName): $($files.Count) files ($byKind) -> $(Join-Path $OutputPath "intune/$profileName")"
}

# Audit this machine (real paths, read-only: Test-WaHardening never writes) against every control of the
# default baseline (SharedComputer includes Standard), and write the device report in every format.
$reportDir = New-Item -ItemType Directory -Force -Path (Join-Path $OutputPath 'report')
$results = @(Test-WaHardening -Profile SharedComputer)
foreach ($name in 'report.json', 'report.html', 'report.csv', 'report.junit.xml') {
    $format = @{ 'report.json' = 'Json'; 'report.html' = 'Html'; 'report.csv' = 'Csv'; 'report.junit.xml' = 'JUnit' }[$name]
    $null = $results | Export-WaComplianceReport -Path (Join-Path $reportDir $name) -Format $format -Confirm:$false
}
$summary = ($results | Group-Object Status | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ', '
Write-Host "Audit: $($results.Count) results ($summary) -> $(Join-Path $reportDir 'report.{json,html,csv,junit.xml}')"
# The fleet view of this one device (the same command merges thousands of device reports).
$fleet = Merge-WaComplianceReport -Path (Join-Path $reportDir 'report.json') -HtmlPath (Join-Path $reportDir 'fleet.html') -JsonPath (Join-Path $reportDir 'fleet.json') -Confirm:$false
Write-Host "Fleet summary: $($fleet.Devices) device(s), score $($fleet.Score)% -> $(Join-Path $reportDir 'fleet.html')"
