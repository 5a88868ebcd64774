# Shared helpers for bench/*.bench.ps1.

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count -eq 0) { return [double]::NaN }
    if ($s.Count % 2) { return $s[[int][math]::Floor($s.Count / 2)] }
    return ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

function Invoke-Timed {
    <# Runs a process to completion; returns wall milliseconds and its peak RSS (KiB, from GNU time when present). #>
    param([string] $File, [string[]] $Arguments, [hashtable] $Environment = @{})
    $time = '/usr/bin/time'
    $psi = [System.Diagnostics.ProcessStartInfo]::new()
    $rssFile = $null
    if (Test-Path $time) {
        $rssFile = [System.IO.Path]::GetTempFileName()
        $psi.FileName = $time
        foreach ($a in @('-f', '%M', '-o', $rssFile, $File) + $Arguments) { $psi.ArgumentList.Add($a) }
    } else {
        $psi.FileName = $File
        foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $stdout = $p.StandardOutput.ReadToEndAsync()
    $stderr = $p.StandardError.ReadToEndAsync()
    $p.WaitForExit()
    $sw.Stop()
    $rss = $null
    if ($rssFile) { $rss = [long]((Get-Content $rssFile | Select-Object -Last 1).Trim()); Remove-Item $rssFile }
    if ($p.ExitCode -ne 0) { throw "$File $($Arguments -join ' ') exited $($p.ExitCode): $($stderr.Result)" }
    [pscustomobject]@{ Milliseconds = $sw.Elapsed.TotalMilliseconds; PeakRssKiB = $rss; Output = $stdout.Result }
}

function New-BenchRow {
    param($Benchmark, $Measure, [double] $Value, $Unit, $Baseline = $null, [Nullable[double]] $BaselineValue = $null,
        [Nullable[double]] $Ratio = $null, $Target = '', [Nullable[bool]] $Met = $null)
    [pscustomobject]@{
        Benchmark = $Benchmark; Measure = $Measure; Value = $Value; Unit = $Unit
        Baseline = $Baseline; BaselineValue = $BaselineValue; Ratio = $Ratio; Target = $Target; Met = $Met
    }
}

function ConvertTo-BenchMarkdown($Rows, $Context) {
    $cpu = if (Test-Path /proc/cpuinfo) { ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':', 2)[1].Trim() } else { $env:PROCESSOR_IDENTIFIER }
    $mem = if (Test-Path /proc/meminfo) { '{0:N0} MiB' -f ([long](((Get-Content /proc/meminfo)[0] -split '\s+')[1]) / 1024) } else { '' }
    $lines = @(
        "Machine: $([Environment]::ProcessorCount) cores ($cpu), $mem, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), PowerShell $($PSVersionTable.PSVersion)$(if ($Context.Quick) { ', quick mode' })",
        '',
        '| Benchmark | Measure | Value | Baseline (same run) | Ratio | Target | Met |',
        '| --- | --- | --- | --- | --- | --- | --- |'
    )
    foreach ($r in $Rows) {
        $ratio = if ($null -ne $r.Ratio) { '{0:N2}x' -f $r.Ratio } else { '' }
        $base = if ($r.Baseline) { "$($r.Baseline): {0:N2}" -f $r.BaselineValue } else { '' }
        $lines += "| $($r.Benchmark) | $($r.Measure) | $('{0:N2}' -f $r.Value) $($r.Unit) | $base | $ratio | $($r.Target) | $($r.Met) |"
    }
    $lines -join "`n"
}

# One real device report of the default baseline (every control and target of SharedComputer), written by the module in a
# child process, as the template the fleet benchmarks copy.
function Get-SeedReport($Context, [string] $Dir) {
    $manifest = Join-Path $Context.ModulePath 'WaHardening.psd1'
    $seed = Join-Path $Dir 'seed.tmp'
    & $Context.Pwsh -NoProfile -NonInteractive -c "Import-Module '$manifest'; Test-WaHardening -Profile SharedComputer | Export-WaComplianceReport -Path '$seed' -Format Json -Profile SharedComputer -Confirm:`$false | Out-Null"
    if ($LASTEXITCODE -ne 0) { throw 'Could not write the seed report.' }
    $text = [IO.File]::ReadAllText($seed)
    Remove-Item $seed
    $text
}
