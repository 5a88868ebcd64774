<#
.SYNOPSIS
    Generates docs/baseline.md from the baseline in policies/ (called by `build.ps1 Docs`).
.DESCRIPTION
    One table of every control, then per control its settings with the exact location on each
    platform and channel (from the same rendering code the providers and exporters use) and the
    primary source. A test regenerates it and compares with the committed file.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutFile,
    [string] $BaselinePath
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
