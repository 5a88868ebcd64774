# The module against the real programs it configures, on this machine's real paths:
# Debian's Chromium (chrome://policy over DevTools, and what it really deletes at exit), Firefox ESR
# (about:policies over Marionette) and dconf/gsettings. Every real path the tests write is saved
# first and put back afterwards, even when a test fails (tests/tools/SystemState.ps1).
# These peers are required: scripts/install-test-deps.sh installs them; a missing one fails loudly.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot '../tools/SystemState.ps1')
    Import-Module (Join-Path $PSScriptRoot '../tools/Cdp.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../tools/Marionette.psm1') -Force

    if ($IsWindows -or (& id -u) -ne '0') { throw 'The real-peer tests write /etc policy folders: run them as root on Linux (CI does).' }
    foreach ($tool in 'dconf', 'gsettings') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool is not installed: run scripts/install-test-deps.sh." }
    }
    $null = Get-WaChromiumPath
    $null = Get-WaFirefoxPath

    $script:SavedState = Save-WaSystemState -Store (Join-Path $TestDrive 'saved') -Path @(
        '/etc/chromium/policies', '/etc/firefox/policies', '/etc/dconf', '/var/lib/wa-hardening',
        # WA-SESSION-05 (SharedComputer) installs the boot and logon clean-up units and their drop-ins.
        '/etc/systemd/system/wa-hardening-session-cleanup.service', '/etc/systemd/system/multi-user.target.d',
        '/etc/systemd/user/wa-hardening-session-cleanup.service', '/etc/systemd/user/default.target.d')
    $script:Work = (New-Item -ItemType Directory -Force -Path (Join-Path ([IO.Path]::GetTempPath()) "wah-peers-$PID")).FullName

    function Read-PolicyFile([string] $Path) {
        Get-Content -Raw -LiteralPath $Path | ConvertFrom-Json -AsHashtable -Depth 32
    }
}

AfterAll {
    # Put the machine back as it was, whatever happened above.
    Get-Process chromium, firefox-esr -ErrorAction SilentlyContinue | Where-Object { $_.CommandLine -like "*$script:Work*" } | Stop-Process -Force -ErrorAction SilentlyContinue
    if ($script:SavedState) { Restore-WaSystemState -State $script:SavedState }
    if ($script:Work) { Remove-Item -Recurse -Force -LiteralPath $script:Work -ErrorAction SilentlyContinue }
}

Describe 'Set-WaHardening -Profile SharedComputer on the real machine' {
    BeforeAll {
        $script:Backup = Join-Path $TestDrive 'shared-backup.json'
        $script:Changes = @(Set-WaHardening -Profile SharedComputer -BackupPath $Backup -Confirm:$false)
        $script:ChromiumFile = '/etc/chromium/policies/managed/wa-hardening.json'
        $script:FirefoxFile = '/etc/firefox/policies/policies.json'
    }
    AfterAll {
        if (Test-Path $Backup) { $null = Undo-WaHardening -BackupPath $Backup -Confirm:$false }
    }

    It 'changed Chromium, Firefox, GNOME and the session clean-up and left every control compliant' {
        ($Changes | Where-Object Action -eq 'Changed').Target | Sort-Object -Unique | Should -Be @('Chromium', 'Firefox', 'GNOME', 'SessionCleanup')
        $results = Test-WaHardening -Profile SharedComputer | Where-Object Target -in 'Chromium', 'Firefox', 'GNOME', 'SessionCleanup'
        $results | Should -Not -BeNullOrEmpty
        $results | Where-Object Status -ne 'Compliant' | ForEach-Object { "$($_.ControlId) $($_.Target): $($_.Status) $($_.Reason)" } | Should -BeNullOrEmpty
    }

    It "Chromium's chrome://policy lists every policy the module wrote, with its value and status OK" {
        $written = Read-PolicyFile $ChromiumFile
        $written.Count | Should -BeGreaterThan 10
        $session = Start-WaChromium -UserDataDir (Join-Path $Work 'chromium-policy')
        try {
            $rows = Get-CdpChromePolicy $session
            Save-CdpScreenshot $session (Join-Path $Work 'chrome-policy.png')
        } finally { Stop-WaChromium $session }
        foreach ($name in $written.Keys) {
            $row = $rows | Where-Object Name -eq $name
            $row | Should -HaveCount 1 -Because "chrome://policy should list $name"
            $row.Status | Should -Be 'OK' -Because "$name should be accepted (errors: '$($row.Errors)', warnings: '$($row.Warnings)')"
            $row.Source | Should -Be 'Platform'
            $row.Level | Should -Be 'Mandatory'
            $row.Scope | Should -Be 'Machine'
            $expected = $written[$name]
            if ($expected -is [string]) { $row.Value | Should -Be $expected }
            else {
                ($row.Value | ConvertFrom-Json -AsHashtable -NoEnumerate | ConvertTo-Json -Compress -Depth 10) |
                    Should -Be ($expected | ConvertTo-Json -Compress -Depth 10) -Because "the value of $name"
            }
        }
    }

    It "Firefox's about:policies shows every policy the module wrote as active, and no errors" {
        $written = (Read-PolicyFile $FirefoxFile).policies
        $written.Count | Should -BeGreaterThan 5
        $session = Start-WaFirefox -ProfileDir (Join-Path $Work 'firefox-policy')
        try { $page = Get-WaFirefoxAboutPolicies $session } finally { Stop-WaFirefox $session }
        $page.EngineStatus | Should -Be 1 -Because 'Services.policies.status 1 means the policy engine is active'
        $page.Errors | Should -BeNullOrEmpty
        foreach ($name in $written.Keys) {
            $page.Active.Name | Should -Contain $name
            # Firefox keeps origins as URLs ("https://web.whatsapp.com/"): compare with the trailing slash dropped.
            $norm = { param($v) ($v | ConvertTo-Json -Compress -Depth 10) -replace '/"', '"' }
            (& $norm $page.Engine[$name]) | Should -Be (& $norm $written[$name]) -Because "Firefox's view of $name"
        }
    }

    It 'gsettings reads the GNOME lock settings from the system database and cannot change them' {
        $env:GSETTINGS_BACKEND = 'dconf'
        try {
            $idle = (Get-Content -Raw (Join-Path $ModulePath 'policies/baseline.json') | ConvertFrom-Json).parameters.IdleTimeoutSeconds.default
            & gsettings get org.gnome.desktop.session idle-delay | Should -Be "uint32 $idle"
            & gsettings get org.gnome.desktop.screensaver lock-enabled | Should -Be 'true'
            & gsettings get org.gnome.desktop.screensaver lock-delay | Should -Be 'uint32 0'
            foreach ($k in @('org.gnome.desktop.session idle-delay', 'org.gnome.desktop.screensaver lock-enabled', 'org.gnome.desktop.screensaver lock-delay')) {
                $schema, $key = $k -split ' '
                & gsettings writable $schema $key | Should -Be 'false' -Because "$k is locked"
            }
        } finally { Remove-Item Env:GSETTINGS_BACKEND }
    }

    It 'Undo-WaHardening puts Chromium, Firefox and dconf back exactly' {
        $null = Undo-WaHardening -BackupPath $Backup -Confirm:$false
        foreach ($s in $SavedState | Where-Object Path -ne '/var/lib/wa-hardening') {
            Get-WaTreeFingerprint $s.Path | Should -Be $s.Fingerprint -Because "$($s.Path) should be as before"
        }
        Remove-Item $Backup
    }
}

Describe 'What the browsers delete at exit for a session-only origin (WA-SESSION-01)' {
    BeforeAll {
        # A loopback origin stands in for web.whatsapp.com; the pattern has no port on purpose
        # (cookies are matched on scheme and host only, storage on the origin).
        $site = New-Item -ItemType Directory -Force -Path (Join-Path $Work 'site')
        '<!doctype html><title>wa</title><p>session page</p>' | Set-Content (Join-Path $site 'index.html')
        $listener = [System.Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start(); $script:Port = $listener.LocalEndpoint.Port; $listener.Stop()
        $script:Server = Start-Process -FilePath /usr/bin/python3 -ArgumentList '-m', 'http.server', '--bind', '127.0.0.1', $Port, '--directory', $site.FullName -PassThru -RedirectStandardError (Join-Path $Work 'http.err') -RedirectStandardOutput (Join-Path $Work 'http.out')
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ($true) {
            try { $null = Invoke-WebRequest "http://127.0.0.1:$Port/" -TimeoutSec 2; break } catch { if ([DateTime]::UtcNow -gt $deadline) { throw "http.server did not start: $_" }; Start-Sleep -Milliseconds 200 }
        }
        $script:Url = "http://127.0.0.1:$Port/index.html"
        $script:WriteJs = @'
(async () => {
  localStorage.setItem('wa', 'session');
  document.cookie = 'wa=session; max-age=86400; path=/';
  await new Promise((resolve, reject) => {
    const open = indexedDB.open('wa', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('s');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('s', 'readwrite');
      tx.objectStore('s').put('session', 'k');
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  });
  return true;
})()
'@
        $script:ReadJs = @'
(async () => {
  const idb = await new Promise((resolve) => {
    const open = indexedDB.open('wa');
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('s')) { db.close(); resolve(null); return; }
      const get = db.transaction('s').objectStore('s').get('k');
      get.onsuccess = () => { db.close(); resolve(get.result === undefined ? null : get.result); };
      get.onerror = () => { db.close(); resolve(null); };
    };
  });
  return JSON.stringify({ LocalStorage: localStorage.getItem('wa'), IndexedDB: idb, Cookie: document.cookie.includes('wa=session') });
})()
'@
        function Assert-SiteData($Data, [bool] $Storage, [bool] $Cookie) {
            # What the page found: localStorage and IndexedDB (both there or both gone) and the persistent cookie.
            if ($Storage) { $Data.LocalStorage | Should -Be 'session'; $Data.IndexedDB | Should -Be 'session' }
            else { $Data.LocalStorage | Should -BeNullOrEmpty; $Data.IndexedDB | Should -BeNullOrEmpty }
            $Data.Cookie | Should -Be $Cookie
        }
        function Invoke-FirefoxRoundTrip([string] $ProfileName) {
            # The same page scripts through Marionette (WebDriver's ExecuteScript waits for a returned promise);
            # Marionette:Quit is a normal shutdown, which is when Firefox clears session-only origins.
            $dir = Join-Path $Work $ProfileName
            $s = Start-WaFirefox -ProfileDir $dir
            try {
                $null = Invoke-Marionette $s 'WebDriver:Navigate' @{ url = $Url }
                Invoke-MarionetteScript $s "return $WriteJs;" | Should -BeTrue
                $before = Invoke-MarionetteScript $s "return $ReadJs;" | ConvertFrom-Json
                Assert-SiteData $before -Storage $true -Cookie $true
            } catch { $s.Process.Kill($true); throw }
            Stop-WaFirefox $s
            $s = Start-WaFirefox -ProfileDir $dir
            try {
                $null = Invoke-Marionette $s 'WebDriver:Navigate' @{ url = $Url }
                Invoke-MarionetteScript $s "return $ReadJs;" | ConvertFrom-Json
            } finally { Stop-WaFirefox $s }
        }
        function Invoke-SessionRoundTrip([string] $ProfileName) {
            # Store data, close the browser cleanly (Browser.close), start it again on the same profile, read.
            $dir = Join-Path $Work $ProfileName
            $s = Start-WaChromium -UserDataDir $dir
            try {
                Invoke-CdpNavigate $s $Url
                Invoke-CdpEval $s $WriteJs | Should -BeTrue
                $before = Invoke-CdpEval $s $ReadJs | ConvertFrom-Json
                Assert-SiteData $before -Storage $true -Cookie $true
            } catch { $s.Process.Kill($true); throw }
            Stop-WaChromium $s
            $s = Start-WaChromium -UserDataDir $dir
            try {
                Invoke-CdpNavigate $s $Url
                Invoke-CdpEval $s $ReadJs | ConvertFrom-Json
            } finally { Stop-WaChromium $s }
        }
    }
    AfterAll {
        if ($script:Server) { Stop-Process -Id $Server.Id -Force -ErrorAction SilentlyContinue }
    }

    It 'without the policy, localStorage, IndexedDB and a persistent cookie survive a restart' {
        Test-Path /etc/chromium/policies/managed/wa-hardening.json | Should -BeFalse
        $after = Invoke-SessionRoundTrip 'no-policy'
        Assert-SiteData $after -Storage $true -Cookie $true
    }

    It 'with a scheme-less pattern for the host (like [*.]whatsapp.com), localStorage, IndexedDB and the cookie are gone after a clean close' {
        $backup = Join-Path $TestDrive 'session-backup.json'
        $null = Set-WaHardening -Id WA-SESSION-01 -Parameter @{ WhatsAppOrigins = @('127.0.0.1') } -BackupPath $backup -Confirm:$false
        try {
            (Read-PolicyFile /etc/chromium/policies/managed/wa-hardening.json).CookiesSessionOnlyForUrls | Should -Be @('127.0.0.1')
            $after = Invoke-SessionRoundTrip 'with-policy'
            Assert-SiteData $after -Storage $false -Cookie $false
        } finally { $null = Undo-WaHardening -BackupPath $backup -Confirm:$false }
    }

    It 'with an http:// pattern, storage is gone but a non-secure cookie survives (Chromium also asks the https origin for it)' {
        # Settled here, and stated in docs/baseline.md: for a cookie set over plain http Chromium deletes it at
        # exit only if the https origin of the host is session-only too (non-secure cookies are readable by secure
        # sites). WhatsApp Web is https-only and the default baseline also lists the scheme-less [*.]whatsapp.com
        # and [*.]whatsapp.net, so its cookies are covered; an http-only pattern is not enough for cookies.
        $backup = Join-Path $TestDrive 'session-http-backup.json'
        $null = Set-WaHardening -Id WA-SESSION-01 -Parameter @{ WhatsAppOrigins = @('http://127.0.0.1') } -BackupPath $backup -Confirm:$false
        try {
            $after = Invoke-SessionRoundTrip 'with-http-policy'
            Assert-SiteData $after -Storage $false -Cookie $true
        } finally { $null = Undo-WaHardening -BackupPath $backup -Confirm:$false }
    }

    It 'Firefox without the policy: localStorage, IndexedDB and a persistent cookie survive a restart' {
        Test-Path /etc/firefox/policies/policies.json | Should -BeFalse
        $after = Invoke-FirefoxRoundTrip 'firefox-no-policy'
        Assert-SiteData $after -Storage $true -Cookie $true
    }

    It 'Firefox with the origin in Cookies.AllowSession: localStorage, IndexedDB and the cookie are gone after a clean close' {
        $backup = Join-Path $TestDrive 'firefox-session-backup.json'
        $origin = "http://127.0.0.1:$Port"
        $null = Set-WaHardening -Id WA-SESSION-01 -Parameter @{ WhatsAppFirefoxOrigins = @($origin) } -BackupPath $backup -Confirm:$false
        try {
            (Read-PolicyFile /etc/firefox/policies/policies.json).policies.Cookies.AllowSession | Should -Be @($origin)
            $after = Invoke-FirefoxRoundTrip 'firefox-with-policy'
            Assert-SiteData $after -Storage $false -Cookie $false
        } finally { $null = Undo-WaHardening -BackupPath $backup -Confirm:$false }
        Test-Path /etc/firefox/policies/policies.json | Should -BeFalse -Because 'Undo removes the file it created'
    }
}

Describe 'Policy file encodings: Chromium reads what the module reads (#14 item 4)' {
    # A foreign managed/zz.json in the encoding: Chromium applies it exactly when Test-WaHardening trusts it.
    It '<Kind>: chrome://policy applied = <Applied>, and Test-WaHardening agrees' -TestCases @(
        @{ Kind = 'UTF-8 with BOM'; Bom = [byte[]](0xEF, 0xBB, 0xBF); Encoding = [Text.UTF8Encoding]::new($false); Applied = $true }
        @{ Kind = 'UTF-16LE with BOM'; Bom = [byte[]](0xFF, 0xFE); Encoding = [Text.Encoding]::Unicode; Applied = $false }
    ) {
        $dir = '/etc/chromium/policies/managed'
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
        $null = New-Item -ItemType Directory -Force $dir
        try {
            $json = '{ "CookiesSessionOnlyForUrls": ["https://web.whatsapp.com", "[*.]whatsapp.com", "[*.]whatsapp.net"] }'
            [IO.File]::WriteAllBytes("$dir/zz.json", $Bom + $Encoding.GetBytes($json))
            $session = Start-WaChromium -UserDataDir (Join-Path $Work "chromium-enc-$($Kind -replace '\W', '')")
            try { $rows = Get-CdpChromePolicy $session } finally { Stop-WaChromium $session }
            [bool]($rows | Where-Object Name -eq 'CookiesSessionOnlyForUrls') | Should -Be $Applied
            $setting = (Test-WaHardening -Id WA-SESSION-01 | Where-Object Target -eq 'Chromium').Settings |
                Where-Object Name -eq 'CookiesSessionOnlyForUrls'
            if ($Applied) { $setting.Status | Should -Be 'Compliant' }
            else { $setting.Status | Should -Be 'Error'; $setting.Reason | Should -BeLike '*ForeignPolicyFileInvalid*UTF-16*' }
        } finally { Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue }
    }
}
