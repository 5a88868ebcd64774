# Dot-sourced by Cdp.psm1 and Marionette.psm1: start a browser with its pipes drained and wait for the
# port file it writes into its profile when its remote-control server is listening.

function Start-WaBrowserProcess {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string[]] $Arguments,
        [Parameter(Mandatory)] [string] $PortFile,
        [Parameter(Mandatory)] [string] $Name,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 30
    )
    Remove-Item -LiteralPath $PortFile -ErrorAction SilentlyContinue
    $psi = [System.Diagnostics.ProcessStartInfo]::new($Path)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    foreach ($kv in $Environment.GetEnumerator()) { $psi.Environment[$kv.Key] = [string]$kv.Value }
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $proc = [System.Diagnostics.Process]::Start($psi)
    # Drain the pipes so the browser never blocks on a full pipe; stderr is kept for the error message.
    $stderr = $proc.StandardError.ReadToEndAsync()
    $null = $proc.StandardOutput.ReadToEndAsync()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        if ($proc.HasExited) { throw "$Name exited with code $($proc.ExitCode) before its remote port was up: $($stderr.Result)" }
        if ([DateTime]::UtcNow -gt $deadline) { $proc.Kill($true); throw "$Name did not write $PortFile within $TimeoutSeconds s." }
        # The first line of the port file is the port (Chromium adds the browser target's path on a second line).
        $first = if (Test-Path -LiteralPath $PortFile) { @(Get-Content -LiteralPath $PortFile -ErrorAction SilentlyContinue) | Select-Object -First 1 }
        if ($first -match '^\s*(\d+)\s*$' -and [int]$Matches[1] -gt 0) {
            return [pscustomobject]@{ Process = $proc; Port = [int]$Matches[1]; Deadline = $deadline }
        }
        Start-Sleep -Milliseconds 150
    }
}
