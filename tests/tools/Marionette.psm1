<#
    A small Marionette client for the tests: start Debian's Firefox ESR headless on a fresh profile
    with Marionette on, and run WebDriver commands over its TCP protocol (messages are
    "<length>:<json>"; a command is [0, id, name, params], a reply [1, id, error, result]).
    Test tooling only (never shipped). Facts: Firefox's Marionette protocol documentation
    (firefox-source-docs.mozilla.org/testing/marionette/Protocol.html).
#>
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'BrowserProcess.ps1')

function Get-WaFirefoxPath {
    foreach ($c in '/usr/bin/firefox-esr', '/usr/bin/firefox') { if (Test-Path $c) { return $c } }
    throw "Firefox is not installed: run scripts/install-test-deps.sh (Debian package 'firefox-esr')."
}

function Read-MarionetteMessage($Session, [DateTime] $Deadline) {
    $stream = $Session.Stream
    $len = 0
    while ($true) {
        $b = Read-MarionetteByte $Session $Deadline
        if ($b -eq [byte][char]':') { break }
        if ($b -lt 48 -or $b -gt 57) { throw "Marionette sent a malformed frame header (byte $b)." }
        $len = $len * 10 + ($b - 48)
    }
    $buf = [byte[]]::new($len)
    $read = 0
    while ($read -lt $len) {
        $n = Invoke-MarionetteRead $Session $buf $read ($len - $read) $Deadline
        $read += $n
    }
    [Text.Encoding]::UTF8.GetString($buf)
}

function Invoke-MarionetteRead($Session, [byte[]] $Buffer, [int] $Offset, [int] $Count, [DateTime] $Deadline) {
    $left = $Deadline - [DateTime]::UtcNow
    if ($left -le [TimeSpan]::Zero) { throw 'Timed out waiting for Marionette.' }
    $Session.Client.ReceiveTimeout = [int][Math]::Max(1, $left.TotalMilliseconds)
    $n = $Session.Stream.Read($Buffer, $Offset, $Count)
    if ($n -le 0) { throw 'Marionette closed the connection.' }
    $n
}

function Read-MarionetteByte($Session, [DateTime] $Deadline) {
    $one = [byte[]]::new(1)
    $null = Invoke-MarionetteRead $Session $one 0 1 $Deadline
    $one[0]
}

function Start-WaFirefox {
    <# Starts headless Firefox with Marionette on a new profile folder; returns a connected session. #>
    param(
        [Parameter(Mandatory)] [string] $ProfileDir,
        [int] $TimeoutSeconds = 60,
        # More user.js lines (e.g. 'user_pref("network.dns.forceResolve", "127.0.0.1");').
        [string[]] $ExtraPref = @()
    )
    $null = New-Item -ItemType Directory -Force -Path $ProfileDir
    # Port 0: Firefox picks a free port and writes it to MarionetteActivePort in the profile.
    @(
        'user_pref("marionette.port", 0);'
        'user_pref("browser.shell.checkDefaultBrowser", false);'
        'user_pref("app.update.disabledForTesting", true);'
        'user_pref("datareporting.policy.dataSubmissionEnabled", false);'
        'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);'
        'user_pref("browser.aboutwelcome.enabled", false);'
    ) + $ExtraPref | Set-Content -LiteralPath (Join-Path $ProfileDir 'user.js')
    $started = Start-WaBrowserProcess -Path (Get-WaFirefoxPath) -Name Firefox -TimeoutSeconds $TimeoutSeconds `
        -Arguments @('--headless', '--marionette', '--remote-allow-system-access', '--no-remote', '-profile', $ProfileDir, 'about:blank') `
        -PortFile (Join-Path $ProfileDir 'MarionetteActivePort') -Environment @{ MOZ_CRASHREPORTER_DISABLE = '1' }
    $proc = $started.Process; $port = $started.Port; $deadline = $started.Deadline
    $client = [System.Net.Sockets.TcpClient]::new()
    $client.Connect('127.0.0.1', $port)
    $session = [pscustomobject]@{
        PSTypeName = 'WaTest.FirefoxSession'
        Process    = $proc
        Client     = $client
        Stream     = $client.GetStream()
        NextId     = 1
        ProfileDir = $ProfileDir
    }
    $null = Read-MarionetteMessage $session $deadline   # the server's hello
    $null = Invoke-Marionette $session 'WebDriver:NewSession' @{ strictFileInteractability = $true }
    $session
}

function Invoke-Marionette {
    <# Sends one Marionette command and returns its result; a Marionette error becomes an exception. #>
    param(
        [Parameter(Mandatory)] $Session,
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Params = @{},
        [int] $TimeoutSeconds = 30
    )
    $id = $Session.NextId++
    $json = ConvertTo-Json -InputObject @(0, $id, $Command, $Params) -Depth 10 -Compress
    $body = [Text.Encoding]::UTF8.GetBytes($json)
    $head = [Text.Encoding]::ASCII.GetBytes("$($body.Length):")
    $Session.Stream.Write($head, 0, $head.Length)
    $Session.Stream.Write($body, 0, $body.Length)
    $Session.Stream.Flush()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $msg = Read-MarionetteMessage $Session $deadline | ConvertFrom-Json -Depth 50 -NoEnumerate
        if ($msg[0] -eq 1 -and $msg[1] -eq $id) {
            if ($null -ne $msg[2]) { throw "Marionette $Command failed: $($msg[2].error): $($msg[2].message)" }
            return $msg[3]
        }
    }
}

function Invoke-MarionetteScript {
    <# Runs a script (its return value comes back) in the 'content' page or in Firefox's 'chrome' context. #>
    param(
        [Parameter(Mandatory)] $Session,
        [Parameter(Mandatory)] [string] $Script,
        [ValidateSet('content', 'chrome')] [string] $Context = 'content',
        [int] $TimeoutSeconds = 30
    )
    $null = Invoke-Marionette $Session 'Marionette:SetContext' @{ value = $Context }
    $r = Invoke-Marionette $Session 'WebDriver:ExecuteScript' @{ script = $Script; args = @() } -TimeoutSeconds $TimeoutSeconds
    $r.value
}

function Get-WaFirefoxAboutPolicies {
    <# Reads about:policies as Firefox renders it: Active (Name, Value) rows, Errors lines, and the
       engine's own view (Services.policies.status: 1 = active; getActivePolicies()). #>
    param([Parameter(Mandatory)] $Session)
    $null = Invoke-Marionette $Session 'Marionette:SetContext' @{ value = 'content' }
    $null = Invoke-Marionette $Session 'WebDriver:Navigate' @{ url = 'about:policies' }
    $page = Invoke-MarionetteScript $Session @'
return JSON.stringify({
  active: [...document.querySelectorAll("#activeContent tr")].map(r => [...r.cells].map(c => c.textContent.trim())).filter(c => c.length >= 2),
  errors: [...document.querySelectorAll("#errorsContent tr")].map(r => [...r.cells].map(c => c.textContent.trim()).join(": "))
});
'@ | ConvertFrom-Json
    $engine = Invoke-MarionetteScript $Session 'return JSON.stringify({ status: Services.policies.status, active: Services.policies.getActivePolicies() || {} });' -Context chrome | ConvertFrom-Json -AsHashtable
    [pscustomobject]@{
        Active       = @($page.active | ForEach-Object { [pscustomobject]@{ Name = $_[0]; Value = $_[1] } })
        Errors       = @($page.errors)
        EngineStatus = $engine.status
        Engine       = $engine.active
    }
}

function Stop-WaFirefox {
    <# Quits Firefox cleanly (Marionette:Quit) and waits for the process. #>
    param([Parameter(Mandatory)] $Session, [int] $TimeoutSeconds = 30)
    try { $null = Invoke-Marionette $Session 'Marionette:Quit' @{ flags = @('eForceQuit') } -TimeoutSeconds 10 } catch { Write-Verbose "Marionette:Quit: $_" }
    try { $Session.Client.Dispose() } catch { Write-Verbose "$_" }
    if (-not $Session.Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Session.Process.Kill($true)
        throw "Firefox did not exit within $TimeoutSeconds s after Marionette:Quit (killed)."
    }
}

Export-ModuleMember -Function Get-WaFirefoxPath, Start-WaFirefox, Invoke-Marionette, Invoke-MarionetteScript, Get-WaFirefoxAboutPolicies, Stop-WaFirefox
