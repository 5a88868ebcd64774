<#
    A small Chrome DevTools Protocol client for the tests: start Debian's Chromium headless on a
    profile folder, drive one page over its DevTools websocket, close it cleanly.
    Test tooling only (never shipped). Facts used: ../shared/DESIGN.md (flags that keep Chromium off
    this closed network; DevToolsActivePort is written to the user-data-dir on start).
#>
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'BrowserProcess.ps1')

function Get-WaChromiumPath {
    foreach ($c in '/usr/bin/chromium', '/usr/bin/chromium-browser') { if (Test-Path $c) { return $c } }
    throw "Chromium is not installed: run scripts/install-test-deps.sh (Debian package 'chromium')."
}

function Start-WaChromium {
    <# Starts headless Chromium on -UserDataDir and returns a session object with the page websocket open. #>
    param(
        [Parameter(Mandatory)] [string] $UserDataDir,
        [string[]] $ExtraArgument = @(),
        [int] $TimeoutSeconds = 30
    )
    $null = New-Item -ItemType Directory -Force -Path $UserDataDir
    $chromeArgs = @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-default-browser-check', '--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1',
        "--user-data-dir=$UserDataDir") + $ExtraArgument + @('about:blank')
    $started = Start-WaBrowserProcess -Path (Get-WaChromiumPath) -Arguments $chromeArgs -Name Chromium -TimeoutSeconds $TimeoutSeconds `
        -PortFile (Join-Path $UserDataDir 'DevToolsActivePort')
    $proc = $started.Process; $port = $started.Port; $deadline = $started.Deadline
    $page = $null
    while (-not $page) {
        $targets = Invoke-RestMethod -Uri "http://127.0.0.1:$port/json/list" -TimeoutSec 5
        $page = @($targets | Where-Object type -EQ 'page') | Select-Object -First 1
        if (-not $page) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'Chromium has no page target.' }
            Start-Sleep -Milliseconds 100
        }
    }
    $ws = [System.Net.WebSockets.ClientWebSocket]::new()
    $ws.Options.KeepAliveInterval = [TimeSpan]::Zero
    $null = $ws.ConnectAsync([Uri]$page.webSocketDebuggerUrl, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    [pscustomobject]@{
        PSTypeName  = 'WaTest.ChromiumSession'
        Process     = $proc
        Port        = $port
        Socket      = $ws
        NextId      = 1
        UserDataDir = $UserDataDir
    }
}

function Receive-CdpMessage([System.Net.WebSockets.ClientWebSocket] $Socket, [DateTime] $Deadline) {
    $buffer = [byte[]]::new(65536)
    $ms = [System.IO.MemoryStream]::new()
    do {
        $left = $Deadline - [DateTime]::UtcNow
        if ($left -le [TimeSpan]::Zero) { throw 'Timed out waiting for a DevTools message.' }
        $cts = [Threading.CancellationTokenSource]::new($left)
        try {
            $r = $Socket.ReceiveAsync([ArraySegment[byte]]::new($buffer), $cts.Token).GetAwaiter().GetResult()
        } finally { $cts.Dispose() }
        if ($r.MessageType -eq [System.Net.WebSockets.WebSocketMessageType]::Close) { throw 'DevTools closed the websocket.' }
        $ms.Write($buffer, 0, $r.Count)
    } while (-not $r.EndOfMessage)
    [Text.Encoding]::UTF8.GetString($ms.ToArray())
}

function Invoke-Cdp {
    <# Sends one DevTools command and returns its result (events in between are skipped). #>
    param(
        [Parameter(Mandatory)] $Session,
        [Parameter(Mandatory)] [string] $Method,
        [hashtable] $Params = @{},
        [int] $TimeoutSeconds = 30
    )
    $id = $Session.NextId++
    $json = @{ id = $id; method = $Method; params = $Params } | ConvertTo-Json -Depth 10 -Compress
    $bytes = [Text.Encoding]::UTF8.GetBytes($json)
    $null = $Session.Socket.SendAsync([ArraySegment[byte]]::new($bytes), [System.Net.WebSockets.WebSocketMessageType]::Text, $true,
        [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $msg = Receive-CdpMessage $Session.Socket $deadline | ConvertFrom-Json -Depth 50
        if ($msg.PSObject.Properties['id'] -and $msg.id -eq $id) {
            if ($msg.PSObject.Properties['error']) { throw "DevTools $Method failed: $($msg.error.message)" }
            return $msg.result
        }
    }
}

function Invoke-CdpEval {
    <# Evaluates a JavaScript expression in the page (promises awaited) and returns its JSON value. #>
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Expression, [int] $TimeoutSeconds = 30)
    $r = Invoke-Cdp $Session 'Runtime.evaluate' @{ expression = $Expression; awaitPromise = $true; returnByValue = $true } -TimeoutSeconds $TimeoutSeconds
    if ($r.PSObject.Properties['exceptionDetails']) {
        throw "JavaScript failed: $($r.exceptionDetails.exception.description ?? $r.exceptionDetails.text)"
    }
    if ($r.result.PSObject.Properties['value']) { return $r.result.value }
    return $null
}

function Invoke-CdpNavigate {
    <# Navigates and waits until document.readyState is complete. #>
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Url, [int] $TimeoutSeconds = 30)
    $null = Invoke-Cdp $Session 'Page.navigate' @{ url = $Url }
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        Start-Sleep -Milliseconds 100
        $state = try { Invoke-CdpEval $Session "document.readyState + '|' + location.href" } catch { '' }
        if ($state -like "complete|*" -and $state -notlike '*|about:blank') { return }
        if ([DateTime]::UtcNow -gt $deadline) { throw "Navigation to $Url did not complete (last state '$state')." }
    }
}

function Wait-CdpCondition {
    <# Polls a JavaScript expression until it returns true. #>
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Expression, [int] $TimeoutSeconds = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Invoke-CdpEval $Session $Expression)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Condition not met within $TimeoutSeconds s: $Expression" }
        Start-Sleep -Milliseconds 200
    }
}

function Get-CdpChromePolicy {
    <# Reads chrome://policy as Chromium renders it: one object per policy that has a value
       (Name, Value, Source, Scope, Level, Status, Errors, Warnings). #>
    param([Parameter(Mandatory)] $Session)
    Invoke-CdpNavigate $Session 'chrome://policy'
    $js = @'
new Promise((resolve) => {
  const collect = () => {
    const rows = [];
    const visit = (n) => {
      if (n.tagName && n.tagName.toLowerCase() === 'policy-row') rows.push(n);
      if (n.shadowRoot) visit(n.shadowRoot);
      for (const c of n.children || []) visit(c);
    };
    visit(document.documentElement);
    const cell = (root, sel) => { const e = root.querySelector(sel); return e ? e.textContent.trim() : ''; };
    return rows.map(r => r.shadowRoot || r).map(root => ({
      Name: cell(root, '.policy.row .name #name') || cell(root, '.policy.row .name'),
      Value: cell(root, '.value.row .value'),
      Source: cell(root, '.policy.row .source'),
      Scope: cell(root, '.policy.row .scope'),
      Level: cell(root, '.policy.row .level'),
      Status: cell(root, '.policy.row .messages'),
      Errors: cell(root, '.errors.row .value'),
      Warnings: cell(root, '.warnings.row .value')
    })).filter(p => p.Name && p.Source && !/^Not set/.test(p.Value));
  };
  let tries = 0;
  const tick = () => { const r = collect(); if (r.length || ++tries > 30) resolve(r); else setTimeout(tick, 200); };
  tick();
})
'@
    @(Invoke-CdpEval $Session $js)
}

function Save-CdpScreenshot {
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Path)
    $r = Invoke-Cdp $Session 'Page.captureScreenshot' @{ format = 'png'; captureBeyondViewport = $true }
    [IO.File]::WriteAllBytes($Path, [Convert]::FromBase64String($r.data))
}

function Set-CdpEmulatedMedia {
    <# Emulates a CSS media type ('print', 'screen'; '' resets) for the page's style rules (Emulation.setEmulatedMedia). #>
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Media)
    $null = Invoke-Cdp $Session 'Emulation.setEmulatedMedia' @{ media = $Media }
}

function Set-CdpViewport {
    <# Sets the page's viewport to -Width x -Height CSS pixels (Emulation.setDeviceMetricsOverride, scale 1, desktop). #>
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [int] $Width, [int] $Height = 1123)
    $null = Invoke-Cdp $Session 'Emulation.setDeviceMetricsOverride' @{ width = $Width; height = $Height; deviceScaleFactor = 1; mobile = $false }
}

function Stop-WaChromium {
    <# Closes the browser cleanly (Browser.close: a normal shutdown that runs the exit-time clean-up) and waits for it. #>
    param([Parameter(Mandatory)] $Session, [int] $TimeoutSeconds = 30)
    try { $null = Invoke-Cdp $Session 'Browser.close' -TimeoutSeconds 5 } catch { Write-Verbose "Browser.close: $_" }
    try { $Session.Socket.Dispose() } catch { Write-Verbose "$_" }
    if (-not $Session.Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Session.Process.Kill($true)
        throw "Chromium did not exit within $TimeoutSeconds s after Browser.close (killed)."
    }
}

Export-ModuleMember -Function Get-WaChromiumPath, Start-WaChromium, Invoke-Cdp, Invoke-CdpEval, Invoke-CdpNavigate,
    Wait-CdpCondition, Get-CdpChromePolicy, Save-CdpScreenshot, Set-CdpEmulatedMedia, Set-CdpViewport, Stop-WaChromium
