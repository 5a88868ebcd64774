<#
.SYNOPSIS
    Generates docs/baseline.md from the baseline in policies/ (called by `build.ps1 Docs`).
.DESCRIPTION
    One table of every control, then per control its settings with the exact location on each
    platform and channel (from the same rendering code the providers and exporters use) and the
    primary source. A test regenerates it and compares with the committed file.
    With -IntuneExportDoc, also rewrites the generated section "What each platform cannot enforce" of that file
    (docs/intune-export.md, between its BEGIN/END markers) from the same data.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutFile,
    [string] $BaselinePath,
    [string] $IntuneExportDoc
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $ModulePath 'WaHardening.psd1') -Force
Add-Type -Path (Join-Path $ModulePath 'WaHardening.Core.dll')   # the core's types, for the renderings
$path = if ($BaselinePath) { $BaselinePath } else { Join-Path $ModulePath 'policies/baseline.json' }
$baseline = [WaHardening.Core.Model.BaselineLoader]::Load($path)

function Esc([string] $s) { if ($null -eq $s) { '' } else { $s.Replace('|', '\|').Replace("`n", ' ') } }
function Show($v) {
    $t = $v.ToString()
    if ($v -is [WaHardening.Core.Json.JsonArray]) { $t = ($v.Items | ForEach-Object { $_.ToString() }) -join ', ' }
    '`' + $t + '`'
}

$lines = [System.Collections.Generic.List[string]]::new()
$lines.Add("# Baseline: $($baseline.Name) $($baseline.Version)")
$lines.Add('')
$lines.Add('Generated from `policies/baseline.json` by `build.ps1 Docs` — do not edit by hand.')
$lines.Add('"Stricter wins": a device already stricter than a value below is compliant and is not changed.')
$lines.Add('')
$lines.Add('## Profiles')
$lines.Add('')
foreach ($p in $baseline.Profiles) {
    $inc = if ($p.Includes.Count) { " Includes: $($p.Includes -join ', ')." } else { '' }
    $lines.Add("- **$($p.Name)** — $(Esc $p.Description)$inc")
}
$lines.Add('')
$lines.Add('## Parameters')
$lines.Add('')
$lines.Add('| Parameter | Type | Default | Bounds | Description |')
$lines.Add('| --- | --- | --- | --- | --- |')
foreach ($p in $baseline.ParameterDefinitions) {
    $bounds = @()
    if ($null -ne $p.Minimum) { $bounds += "≥ $($p.Minimum)" }
    if ($null -ne $p.Maximum) { $bounds += "≤ $($p.Maximum)" }
    if ($null -ne $p.MinItems) { $bounds += "≥ $($p.MinItems) item(s)" }
    if ($p.Pattern) { $bounds += "matches ``$(Esc $p.Pattern)``" }
    $lines.Add("| ``$($p.Name)`` | $($p.Type) | $(Show $p.Default) | $($bounds -join '; ') | $(Esc $p.Description) |")
}
$lines.Add('')
$lines.Add('## Controls')
$lines.Add('')
$lines.Add('| Id | Title | Category | Severity | Profiles | Targets |')
$lines.Add('| --- | --- | --- | --- | --- | --- |')
foreach ($c in $baseline.Controls) {
    $lines.Add("| [$($c.Id)](#$($c.Id.ToLowerInvariant())) | $(Esc $c.Title) | $($c.Category) | $($c.Severity) | $($c.Profiles -join ', ') | $($c.Targets -join ', ') |")
}
foreach ($c in $baseline.Controls) {
    $lines.Add('')
    $lines.Add("### $($c.Id)")
    $lines.Add('')
    $lines.Add("**$(Esc $c.Title)** — $($c.Category), severity $($c.Severity), profile $($c.Profiles -join ', ').")
    $lines.Add('')
    $lines.Add((Esc $c.Rationale))
    if ($c.Advisory) {
        $lines.Add('')
        $lines.Add("Advisory (no endpoint can enforce it; always reported Advisory): $(Esc $c.Guidance)")
        foreach ($r in $c.References) { $lines.Add("- $r") }
        continue
    }
    $lines.Add('')
    $lines.Add('| Target | Setting | Value | Judged | Where | Source |')
    $lines.Add('| --- | --- | --- | --- | --- | --- |')
    foreach ($s in $c.Settings) {
        $judge = switch ($s.Comparison.ToString()) {
            'Equal' { 'equal' }
            'Superset' { 'holds all (more is fine)' }
            'AtMost' { if ($null -ne $s.Minimum) { "at most (≥ $($s.Minimum))" } else { 'at most' } }
            'AtLeast' { 'at least' }
            'OneOf' { 'one of ' + (($s.Accept | ForEach-Object { $_.ToString() }) -join ', ') }
        }
        if ($null -ne $s.Default) { $judge += "; unset = $($s.Default)" }
        if (-not $s.Enforce) { $judge += '; audit only' }
        if ($s.WebSessions) { $judge = "device state (origins above; stored data in a profile whose browser is not running: NonCompliant under $($s.WebSessions.StrictProfile), after an unclean exit where $($s.WebSessions.CleanExitControl) is in force otherwise)" }
        $value = Show $s.Expected
        if ($s.Value.Parameter) { $value += " (``$($s.Value)``)" }
        $where = ([WaHardening.Core.Rendering.SettingLocations]::Describe($s) | ForEach-Object { "$($_.Platform) $($_.Kind): ``$(Esc $_.Where)``" }) -join '<br>'
        $lines.Add("| $($s.Target) | ``$(Esc $s.Name)`` | $value | $judge | $where | [source]($($s.Source)) |")
    }
    $notes = @($c.Settings | Where-Object Note | ForEach-Object { "- $($_.Target) ``$($_.Name)``: $(Esc $_.Note)" } | Select-Object -Unique)
    if ($notes) { $lines.Add(''); $lines.AddRange([string[]]$notes) }
}
$text = ($lines -join "`n") + "`n"
[System.IO.File]::WriteAllText($OutFile, $text, [System.Text.UTF8Encoding]::new($false))
Write-Host "Wrote $OutFile"

if ($IntuneExportDoc) {
    # What each platform cannot enforce, from the data: settings whose `platforms` leave a platform of their target out
    # (with their `elsewhere`), controls that have nothing on a platform, or only compliance-only targets or audit-only
    # settings there, and advisory controls.
    $Platforms = [WaHardening.Core.Model.Platforms]
    $g = [System.Collections.Generic.List[string]]::new()
    $g.Add('<!-- BEGIN generated by build.ps1 Docs from policies/baseline.json (scripts/New-BaselineDoc.ps1): do not edit by hand -->')
    $g.Add('| Platform | Control | What cannot be enforced there, and what the baseline does instead |')
    $g.Add('| --- | --- | --- |')
    $controls = @($baseline.Controls | Where-Object { -not $_.Advisory })
    foreach ($p in $Platforms::All) {
        $none = @($controls | Where-Object { $c = $_; @($c.Settings | Where-Object { ([WaHardening.Core.Model.Targets]::Find($_.Target).Platforms -contains $p) -and $_.AppliesOn($p) }).Count -eq 0 })
        if ($none) {
            $g.Add("| $p | $(($none | ForEach-Object { $_.Id }) -join ', ') | nothing: no setting of these controls exists there (the audit reports their targets NotApplicable) |")
        }
        foreach ($c in $controls) {
            $on = @($c.Settings | Where-Object { ([WaHardening.Core.Model.Targets]::Find($_.Target).Platforms -contains $p) -and $_.AppliesOn($p) })
            $what = $null
            if ($on.Count -eq 0) {
            } elseif (@($on | Where-Object { -not [WaHardening.Core.Model.Targets]::IsIntuneComplianceOnly($_.Target) }).Count -eq 0) {
                $what = "nothing on the device: only the Intune compliance policy judges it (" + ((@($on | ForEach-Object { '`' + $_.Compliance.PropertyFor($_.Name) + '`' }) | Select-Object -Unique) -join ', ') + '); a device that does not meet it is marked non-compliant, not changed'
            } elseif (@($on | Where-Object { [WaHardening.Core.Model.Targets]::Find($_.Target).Family -ne 'DeviceState' }).Count -eq 0) {
                $what = 'nothing to deploy: a read-only check of the device''s state (' + ((@($on | ForEach-Object { "$($_.Target) ``$($_.Name)``" })) -join ', ') + '), found by Test-WaHardening and removed with Get-WaWebSession | Clear-WaWebSession'
            } elseif (@($on | Where-Object Enforce).Count -eq 0) {
                $what = 'audit only: judged, never written (' + ((@($on | ForEach-Object { "$($_.Target) ``$($_.Name)``" })) -join ', ') + ')'
            }
            if ($what) { $g.Add("| $p | $($c.Id) $(Esc $c.Title) | $what |") }
            elseif ($on.Count -gt 0) {
                foreach ($s in @($on | Where-Object { -not $_.Enforce })) {
                    $g.Add("| $p | $($c.Id) $(Esc $c.Title) | $($s.Target) ``$(Esc $s.Name)`` is audit only: judged, never written$(if ($null -ne $s.Default) { " (unset = $($s.Default), compliant)" }) |")
                }
            }
            foreach ($s in $c.Settings) {
                if ([WaHardening.Core.Model.Targets]::Find($s.Target).Platforms -contains $p -and -not $s.AppliesOn($p)) {
                    $g.Add("| $p | $($c.Id) $(Esc $c.Title) | $($s.Target) ``$(Esc $s.Name)`` does not exist there (reported NotApplicable): $(Esc $s.Elsewhere) |")
                }
            }
        }
    }
    foreach ($c in @($baseline.Controls | Where-Object Advisory)) {
        $g.Add("| every platform | $($c.Id) $(Esc $c.Title) | guidance only, no endpoint setting enforces it (always reported Advisory): $(Esc $c.Guidance) |")
    }
    $g.Add('<!-- END generated -->')
    $doc = [System.IO.File]::ReadAllText($IntuneExportDoc)
    $begin = $doc.IndexOf('<!-- BEGIN generated by build.ps1 Docs')
    $end = $doc.IndexOf('<!-- END generated -->')
    if ($begin -lt 0 -or $end -lt $begin) { throw "$IntuneExportDoc has no generated section (BEGIN/END markers)." }
    $doc = $doc.Substring(0, $begin) + ($g -join "`n") + $doc.Substring($end + '<!-- END generated -->'.Length)
    [System.IO.File]::WriteAllText($IntuneExportDoc, $doc, [System.Text.UTF8Encoding]::new($false))
    Write-Host "Wrote $IntuneExportDoc"
}
