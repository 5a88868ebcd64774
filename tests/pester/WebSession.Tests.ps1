# Get-WaWebSession | Clear-WaWebSession against the real browsers (issue #16, "Proof with the real browsers"):
# Debian's Chromium and Firefox ESR store a session of every kind on the real origin name https://web.whatsapp.com
# (a loopback HTTPS server with a throw-away openssl CA: Chromium maps the names with --host-resolver-rules and trusts
# the server's key with --ignore-certificate-errors-spki-list; Firefox maps them with network.dns.forceResolve and
# trusts the CA, added to the profile's cert9.db with certutil), plus data of an unrelated origin; then the browser is
# killed with SIGKILL, Get-WaWebSession must report every kind, Clear-WaWebSession must remove them, the next start of
# the browser must show none of WhatsApp's data and all of the other origin's, and no file of the profile may hold a
# session token. With the browser running, the profile is skipped and not one byte of it changes.
# Needs root (the server binds port 443; CI runs as root), chromium, firefox-esr, openssl, certutil, python3:
# scripts/install-test-deps.sh installs them; a missing one fails the tests.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot '../tools/Cdp.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../tools/Marionette.psm1') -Force

    if ($IsWindows -or (& id -u) -ne '0') { throw 'The web-session tests bind port 443 and run browsers as other users: run them as root on Linux (CI does).' }
    foreach ($tool in 'openssl', 'certutil', 'python3', 'setpriv') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool is not installed: run scripts/install-test-deps.sh." }
    }
    $null = Get-WaChromiumPath
    $null = Get-WaFirefoxPath

    $script:Work = (New-Item -ItemType Directory -Force -Path (Join-Path ([IO.Path]::GetTempPath()) "wah-websess-$PID")).FullName
    & chmod 755 $Work
    $script:Started = [Collections.Generic.List[object]]::new()   # browser processes this file started (killed by pid at the end)

    # ---- a throw-away CA and a server certificate for web.whatsapp.com and the unrelated origin
    $script:OtherHost = 'unrelated.example.net'
    $pki = New-Item -ItemType Directory -Force -Path (Join-Path $Work 'pki')
    Push-Location $pki
    try {
        & openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=WaHardening throw-away test CA' `
            -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>$null
        & openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=web.whatsapp.com' 2>$null
        "subjectAltName=DNS:web.whatsapp.com,DNS:$OtherHost`nextendedKeyUsage=serverAuth`nbasicConstraints=CA:FALSE" | Set-Content ext.cnf
        & openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext.cnf 2>$null
        if (-not (Test-Path server.crt)) { throw 'openssl could not make the test certificates.' }
        # Chromium trusts the server by its public key: base64(sha256(SubjectPublicKeyInfo)).
        $script:Spki = (& bash -c 'openssl x509 -in server.crt -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64').Trim()
    } finally { Pop-Location }

    # ---- the HTTPS server on <random loopback address>:443 (Firefox can map a name to an address, not to a port)
    $script:Ip = "127.$(Get-Random -Minimum 20 -Maximum 250).$(Get-Random -Minimum 1 -Maximum 250).$(Get-Random -Minimum 2 -Maximum 250)"
    $server = @'
import http.server, ssl, sys
ip, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
PAGE = b'<!doctype html><meta charset="utf-8"><title>session test</title><p>session test page</p>'
SW = b"self.addEventListener('install', e => self.skipWaiting()); self.addEventListener('activate', e => e.waitUntil(clients.claim())); self.addEventListener('fetch', () => {});"
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        path = self.path.split('?')[0]
        if path in ('/', '/index.html'): body, ctype = PAGE, 'text/html; charset=utf-8'
        elif path == '/sw.js': body, ctype = SW, 'application/javascript'
        else:
            self.send_response(404); self.send_header('Content-Length', '0'); self.end_headers(); return
        self.send_response(200)
        self.send_header('Content-Type', ctype); self.send_header('Cache-Control', 'no-store')
        self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
srv = http.server.ThreadingHTTPServer((ip, 443), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print('ready', flush=True)
srv.serve_forever()
'@
    $server | Set-Content (Join-Path $Work 'server.py')
    $script:Server = Start-Process -FilePath python3 -PassThru -ArgumentList (Join-Path $Work 'server.py'), $Ip, (Join-Path $pki 'server.crt'), (Join-Path $pki 'server.key') `
        -RedirectStandardOutput (Join-Path $Work 'server.out') -RedirectStandardError (Join-Path $Work 'server.err')
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while (-not ((Get-Content (Join-Path $Work 'server.out') -ErrorAction SilentlyContinue) -match 'ready')) {
        if ($Server.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "The test HTTPS server did not start: $(Get-Content -Raw (Join-Path $Work 'server.err') -ErrorAction SilentlyContinue)" }
        Start-Sleep -Milliseconds 200
    }

    $script:ChromiumArgs = @("--host-resolver-rules=MAP web.whatsapp.com ${Ip}:443, MAP $OtherHost ${Ip}:443", "--ignore-certificate-errors-spki-list=$Spki")
    $script:FirefoxPrefs = @(
        "user_pref(`"network.dns.forceResolve`", `"$Ip`");"
        'user_pref("browser.sessionstore.interval", 500);'
        'user_pref("network.trr.mode", 5);'
    )

    # ---- what the pages store: every kind, each value carrying the run's marker
    $script:WriteWa = @'
(async () => {
  const M = '__M__';
  localStorage.setItem('ls_' + M, 'lsval_' + M);
  sessionStorage.setItem('ss_' + M, 'ssval_' + M);
  document.cookie = 'ckdom_' + M + '=v_' + M + '; Domain=.whatsapp.com; Path=/; Max-Age=86400; Secure';
  document.cookie = 'cksub_' + M + '=v_' + M + '; Domain=web.whatsapp.com; Path=/; Max-Age=86400; Secure';
  document.cookie = 'ckhost_' + M + '=v_' + M + '; Path=/; Max-Age=86400; Secure';
  await new Promise((res, rej) => {
    const o = indexedDB.open('db_' + M, 1);
    o.onupgradeneeded = () => o.result.createObjectStore('s');
    o.onerror = () => rej(o.error);
    o.onsuccess = () => {
      const tx = o.result.transaction('s', 'readwrite');
      tx.objectStore('s').put({ token: 'idbval_' + M, blob: new Blob(['blobval_' + M + '.'.repeat(200000)]) }, 'k');
      tx.oncomplete = () => { o.result.close(); res(); };
      tx.onerror = () => rej(tx.error);
    };
  });
  const c = await caches.open('cache_' + M);
  await c.put(new Request('/tok_' + M), new Response('cacheval_' + M));
  await navigator.serviceWorker.register('/sw.js?m=' + M);
  await navigator.serviceWorker.ready;
  return true;
})()
'@
    $script:WriteOther = @'
(async () => {
  const M = '__M__';
  localStorage.setItem('ls_' + M, 'lsval_' + M);
  document.cookie = 'ck_' + M + '=v_' + M + '; Path=/; Max-Age=86400; Secure';
  await new Promise((res, rej) => {
    const o = indexedDB.open('db_' + M, 1);
    o.onupgradeneeded = () => o.result.createObjectStore('s');
    o.onerror = () => rej(o.error);
    o.onsuccess = () => {
      const tx = o.result.transaction('s', 'readwrite');
      tx.objectStore('s').put('idbval_' + M, 'k');
      tx.oncomplete = () => { o.result.close(); res(); };
      tx.onerror = () => rej(tx.error);
    };
  });
  const c = await caches.open('cache_' + M);
  await c.put(new Request('/tok_' + M), new Response('cacheval_' + M));
  await navigator.serviceWorker.register('/sw.js?m=' + M);
  await navigator.serviceWorker.ready;
  return true;
})()
'@
    # Reads without creating anything (indexedDB.databases() lists, it does not open).
    $script:ReadJs = @'
(async () => {
  const M = '__M__';
  const dbs = (await indexedDB.databases()).map(d => d.name);
  const regs = (await navigator.serviceWorker.getRegistrations()).map(r => (r.active || r.waiting || r.installing || {}).scriptURL || r.scope);
  return JSON.stringify({
    LocalStorage: Object.keys(localStorage).filter(k => k.includes(M)),
    SessionStorage: Object.keys(sessionStorage).filter(k => k.includes(M)),
    Cookies: document.cookie.split('; ').filter(c => c.includes(M)).map(c => c.split('=')[0]),
    IndexedDB: dbs.filter(n => n && n.includes(M)),
    CacheStorage: (await caches.keys()).filter(k => k.includes(M)),
    ServiceWorker: regs.filter(s => s && s.includes(M))
  });
})()
'@
    function Get-Js([string] $Template, [string] $Marker) { $Template.Replace('__M__', $Marker) }
    function New-Marker([string] $Prefix) { $Prefix + [Guid]::NewGuid().ToString('N').Substring(0, 16) }

    # ---- a scratch system for Get-WaWebSession -Root: one user whose home holds the browsers' profiles
    function New-WaTestRoot([string] $Name, [int] $Uid = 0, [int] $Gid = 0) {
        $root = (New-Item -ItemType Directory -Force -Path (Join-Path $Work $Name)).FullName
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $root 'etc'), (Join-Path $root 'home/wauser')
        "wauser:x:${Uid}:${Gid}:WA test:/home/wauser:/bin/sh" | Set-Content (Join-Path $root 'etc/passwd')
        [pscustomobject]@{
            Root           = $root
            ChromiumUdd    = Join-Path $root 'home/wauser/.config/chromium'
            FirefoxRoot    = Join-Path $root 'home/wauser/.mozilla/firefox'
            FirefoxProfile = Join-Path $root 'home/wauser/.mozilla/firefox/wa.default'
        }
    }
    function Initialize-FirefoxProfile($Tree) {
        $null = New-Item -ItemType Directory -Force -Path $Tree.FirefoxProfile
        "[General]`nStartWithLastProfile=1`n`n[Profile0]`nName=default`nIsRelative=1`nPath=wa.default`nDefault=1`n" | Set-Content (Join-Path $Tree.FirefoxRoot 'profiles.ini')
        # The throw-away CA, trusted for TLS servers in this profile's NSS database only.
        & certutil -N -d "sql:$($Tree.FirefoxProfile)" --empty-password
        & certutil -A -n 'WaHardening test CA' -t 'C,,' -i (Join-Path $Work 'pki/ca.crt') -d "sql:$($Tree.FirefoxProfile)"
        if ($LASTEXITCODE -ne 0) { throw 'certutil could not add the test CA.' }
    }

    # ---- browsers: start, store, read, stop
    function Start-TestChromium($Tree) {
        $s = Start-WaChromium -UserDataDir $Tree.ChromiumUdd -ExtraArgument $ChromiumArgs -TimeoutSeconds 60
        $Started.Add($s.Process); $s
    }
    function Start-TestFirefox($Tree) {
        $s = Start-WaFirefox -ProfileDir $Tree.FirefoxProfile -ExtraPref $FirefoxPrefs -TimeoutSeconds 90
        $Started.Add($s.Process); $s
    }
    function Invoke-InPage($Session, [string] $Url, [string] $Js) {
        if ($Session.PSObject.TypeNames -contains 'WaTest.ChromiumSession') {
            Invoke-CdpNavigate $Session $Url
            return Invoke-CdpEval $Session $Js -TimeoutSeconds 60
        }
        $null = Invoke-Marionette $Session 'Marionette:SetContext' @{ value = 'content' }
        $null = Invoke-Marionette $Session 'WebDriver:Navigate' @{ url = $Url } -TimeoutSeconds 60
        Invoke-MarionetteScript $Session "return $Js;" -TimeoutSeconds 60
    }
    function Write-Session($Session, [string] $Wa, [string] $Other) {
        Invoke-InPage $Session "https://$OtherHost/" (Get-Js $WriteOther $Other) | Should -BeTrue
        Invoke-InPage $Session 'https://web.whatsapp.com/' (Get-Js $WriteWa $Wa) | Should -BeTrue
        $seen = Invoke-InPage $Session 'https://web.whatsapp.com/' (Get-Js $ReadJs $Wa) | ConvertFrom-Json
        foreach ($k in 'LocalStorage', 'IndexedDB', 'CacheStorage', 'ServiceWorker') { @($seen.$k) | Should -HaveCount 1 -Because "the page stored its $k" }
        @($seen.Cookies) | Should -HaveCount 3 -Because 'the page set a .whatsapp.com, a .web.whatsapp.com and a host-only cookie'
        # The tab is left on WhatsApp with its sessionStorage, as a user's would be.
        Invoke-InPage $Session 'https://web.whatsapp.com/' "(() => { sessionStorage.setItem('ss_$Wa', 'ssval_$Wa'); return true; })()" | Should -BeTrue
    }
    function Read-Site($Session, [string] $Url, [string] $Marker) {
        Invoke-InPage $Session $Url (Get-Js $ReadJs $Marker) | ConvertFrom-Json
    }
    function Stop-TestBrowser($Session) {
        if ($Session.PSObject.TypeNames -contains 'WaTest.ChromiumSession') { Stop-WaChromium $Session } else { Stop-WaFirefox $Session }
    }
    function Stop-Hard($Session) {
        # SIGKILL to the whole browser (a crash or a power cut): nothing runs at exit.
        $Session.Process.Kill($true)
        $null = $Session.Process.WaitForExit(30000)
        try { if ($Session.PSObject.Properties['Socket']) { $Session.Socket.Dispose() } else { $Session.Client.Dispose() } } catch { Write-Verbose "$_" }
    }

    # ---- what is on disk
    function Find-Marker([string] $Dir, [string] $Marker) {
        # Every regular file of the profile, raw (UTF-8 and UTF-16LE forms), plus the decoded content of mozLz4 files and
        # every record version of every LevelDB folder (tables may be Snappy-compressed).
        $latin = [Text.Encoding]::Latin1
        $needles = @($latin.GetString([Text.Encoding]::UTF8.GetBytes($Marker)), $latin.GetString([Text.Encoding]::Unicode.GetBytes($Marker)))
        $hits = [Collections.Generic.List[string]]::new()
        foreach ($f in Get-ChildItem -LiteralPath $Dir -Recurse -File -Force -ErrorAction SilentlyContinue) {
            if ($f.LinkType) { continue }
            $bytes = [IO.File]::ReadAllBytes($f.FullName)
            $text = $latin.GetString($bytes)
            if ($needles | Where-Object { $text.Contains($_) }) { $hits.Add($f.FullName.Substring($Dir.Length)) ; continue }
            if ($bytes.Length -gt 12 -and $text.StartsWith("mozLz40`0")) {
                $plain = $latin.GetString([WaHardening.Core.Sessions.Formats.MozLz4]::Decode($bytes, 512MB))
                if ($needles | Where-Object { $plain.Contains($_) }) { $hits.Add("$($f.FullName.Substring($Dir.Length)) (decoded)") }
            }
        }
        foreach ($current in Get-ChildItem -LiteralPath $Dir -Recurse -File -Force -Filter CURRENT -ErrorAction SilentlyContinue) {
            $db = $current.DirectoryName
            foreach ($r in [WaHardening.Core.Sessions.Formats.LevelDb]::ReadAllVersions($db)) {
                $k = $latin.GetString($r.Key); $v = if ($r.Value) { $latin.GetString($r.Value) } else { '' }
                if ($needles | Where-Object { $k.Contains($_) -or $v.Contains($_) }) { $hits.Add("$($db.Substring($Dir.Length)) (LevelDB record, $(if ($r.Deleted) { 'deleted' } else { 'live' }))"); break }
            }
        }
        @($hits | Sort-Object -Unique)
    }
    function Get-TreeHash([string] $Dir) {
        # Path, size, mode, owner and SHA-256 of every file and link of the tree.
        Get-ChildItem -LiteralPath $Dir -Recurse -Force | Sort-Object FullName | ForEach-Object {
            $h = if ($_.LinkType) { "-> $($_.Target)" } elseif ($_.PSIsContainer) { 'dir' } else { (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
            "$($_.FullName.Substring($Dir.Length)) $($_.UnixMode) $($_.User) $(if ($_.PSIsContainer) { '' } else { $_.Length }) $h"
        }
    }
    function Assert-Profile($Found, [string] $Browser) {
        $Found | Should -HaveCount 1 -Because "Get-WaWebSession should find the one $Browser profile"
        $Found.Browser | Should -Be $Browser
        $Found.Origins | Should -Contain 'https://web.whatsapp.com'
        $Found.Origins | Where-Object { $_ -like "*$OtherHost*" } | Should -BeNullOrEmpty
        foreach ($kind in 'Cookies', 'LocalStorage', 'IndexedDB', 'CacheStorage', 'ServiceWorker') {
            $Found.Kinds.HasFlag([WaHardening.Core.Sessions.WebStorageKinds]$kind) | Should -BeTrue -Because "the $Browser profile holds $kind of WhatsApp (kinds found: $($Found.Kinds))"
        }
        $ss = if ($Browser -eq 'Firefox') { 'SessionRestore' } else { 'SessionStorage' }
        $Found.Kinds.HasFlag([WaHardening.Core.Sessions.WebStorageKinds]$ss) | Should -BeTrue -Because "the $Browser profile holds WhatsApp's sessionStorage ($ss; kinds found: $($Found.Kinds))"
        $Found.Running | Should -BeFalse
    }
    function Assert-Gone($Data, [string] $What) {
        foreach ($k in 'LocalStorage', 'SessionStorage', 'Cookies', 'IndexedDB', 'CacheStorage', 'ServiceWorker') {
            @($Data.$k) | Should -HaveCount 0 -Because "$What should have no $k of WhatsApp left"
        }
    }
    function Assert-Kept($Data, [string] $What) {
        # sessionStorage belongs to a tab, and a new tab has none: the other origin keeps everything else.
        foreach ($k in 'LocalStorage', 'Cookies', 'IndexedDB', 'CacheStorage', 'ServiceWorker') {
            @($Data.$k) | Should -HaveCount 1 -Because "$What should still have the unrelated origin's $k"
        }
    }
}

AfterAll {
    foreach ($p in $script:Started) { try { if (-not $p.HasExited) { $p.Kill($true) } } catch { Write-Verbose "$_" } }
    if ($script:Server) { Stop-Process -Id $script:Server.Id -Force -ErrorAction SilentlyContinue }
    if ($script:Work) { Remove-Item -Recurse -Force -LiteralPath $script:Work -ErrorAction SilentlyContinue }
}

Describe 'Clear-WaWebSession after the browser was killed (<Browser>)' -ForEach @(
    @{ Browser = 'Chromium'; Settle = 32 }   # Chromium writes cookies to disk every 30 s
    @{ Browser = 'Firefox'; Settle = 5 }
) {
    BeforeAll {
        $script:Tree = New-WaTestRoot "crash-$Browser"
        $script:Wa = New-Marker 'WAS'
        $script:Other = New-Marker 'OTH'
        if ($Browser -eq 'Firefox') { Initialize-FirefoxProfile $Tree }
        $s = if ($Browser -eq 'Firefox') { Start-TestFirefox $Tree } else { Start-TestChromium $Tree }
        try { Write-Session $s $Wa $Other } catch { Stop-Hard $s; throw }
        Start-Sleep -Seconds $Settle
        Stop-Hard $s
        if ($Browser -eq 'Firefox') {
            # Older session-restore files Firefox keeps (previous, upgrade-time copies): here copies of the crash file it
            # wrote, which hold the WhatsApp tab, its sessionStorage and the unrelated origin's tab.
            $bk = Join-Path $Tree.FirefoxProfile 'sessionstore-backups'
            Copy-Item (Join-Path $bk 'recovery.jsonlz4') (Join-Path $bk 'previous.jsonlz4')
            Copy-Item (Join-Path $bk 'recovery.jsonlz4') (Join-Path $bk 'upgrade.jsonlz4-20990101000000')
        }
        $script:PrefsBefore = foreach ($f in 'user.js', 'prefs.js') { $p = Join-Path $Tree.FirefoxProfile $f; if (Test-Path $p) { "$f $((Get-FileHash $p).Hash)" } }
        $script:Dir = if ($Browser -eq 'Firefox') { $Tree.FirefoxProfile } else { $Tree.ChromiumUdd }
    }

    It 'the killed browser left the session on disk (the tokens are in its files, the cookies in its cookie database)' {
        $hits = Find-Marker $Dir $Wa
        Write-Host "Files holding the session before the clear ($Browser): $($hits -join '; ')"
        $hits | Should -Not -BeNullOrEmpty
        # The cookie names carry the marker (Chromium encrypts the values): the SQLite file (or its WAL) holds them, so
        # finding none there after the clear means no deleted row's bytes stay in free pages or the journal.
        $hits | Where-Object { $_ -match '(/Cookies|cookies\.sqlite)' } | Should -Not -BeNullOrEmpty
    }

    It 'Get-WaWebSession reports every kind, and the browser as not running' {
        $script:Found = @(Get-WaWebSession -Root $Tree.Root -User wauser -Browser $Browser)
        Assert-Profile $Found $Browser
    }

    It '-WhatIf changes nothing and writes nothing' {
        $before = Get-TreeHash $Dir
        $r = $Found | Clear-WaWebSession -WhatIf
        $r | Should -BeNullOrEmpty
        Compare-Object $before (Get-TreeHash $Dir) | Should -BeNullOrEmpty
    }

    It 'Clear-WaWebSession clears the profile (browser-driven) and reports what it cleared' {
        $script:Result = $Found | Clear-WaWebSession -Confirm:$false
        $Result | Should -HaveCount 1
        $Result.Status | Should -Be 'Cleared' -Because "$($Result.Reason) $($Result.Message)"
        $Result.Method | Should -Be $(if ($Browser -eq 'Firefox') { 'Marionette' } else { 'DevTools' })
        $Result.Cleared | Should -Be $Found.Kinds
        $Result.Remaining | Should -Be 'None' -Because "the clear checks itself with Get-WaWebSession's scanner ($($Result.RemainingLocations -join ', '))"
        @(Get-Process -ErrorAction SilentlyContinue | Where-Object { $_.CommandLine -like "*$Dir*" }) | Should -HaveCount 0 -Because 'the browser the clear started has exited'
    }

    It 'no file of the profile holds a session token afterwards (raw bytes, decoded mozLz4, every LevelDB record version)' {
        Find-Marker $Dir $Wa | Should -BeNullOrEmpty
    }

    It 'Get-WaWebSession finds nothing of WhatsApp any more' {
        @(Get-WaWebSession -Root $Tree.Root -User wauser -Browser $Browser) | Should -HaveCount 0
    }

    if ($Browser -eq 'Firefox') {
        It 'Firefox: user.js and prefs.js are back byte for byte (the clear set its Marionette port there)' {
            $PrefsBefore | Should -HaveCount 2
            $after = foreach ($f in 'user.js', 'prefs.js') { $p = Join-Path $Tree.FirefoxProfile $f; if (Test-Path $p) { "$f $((Get-FileHash $p).Hash)" } }
            $after | Should -Be $PrefsBefore
        }
    }

    It 'the next start shows none of WhatsApp''s data and all of the other origin''s' {
        $s = if ($Browser -eq 'Firefox') { Start-TestFirefox $Tree } else { Start-TestChromium $Tree }
        try {
            $wa = Read-Site $s 'https://web.whatsapp.com/' $Wa
            $other = Read-Site $s "https://$OtherHost/" $Other
        } finally { Stop-TestBrowser $s }
        Assert-Gone $wa "$Browser after the clear"
        Assert-Kept $other "$Browser after the clear"
    }

    if ($Browser -eq 'Firefox') {
        It 'Firefox: the older session-restore files lost the site, and Firefox restores a rewritten one' {
            Write-Host "Firefox session files: rewritten $($Result.Rewritten -join ', '); removed $($Result.Removed -join ', ')"
            $bk = Join-Path $Tree.FirefoxProfile 'sessionstore-backups'
            foreach ($f in 'previous.jsonlz4', 'upgrade.jsonlz4-20990101000000') {
                ($Result.Rewritten + $Result.Removed) -match [regex]::Escape($f) | Should -Not -BeNullOrEmpty -Because "$f held the site"
            }
            # The upgrade copy (Firefox rotates previous.jsonlz4 at every start, so the next-start check above replaced it).
            $rewritten = @('upgrade.jsonlz4-20990101000000' | Where-Object { Test-Path (Join-Path $bk $_) })
            if ($rewritten.Count -eq 0) { Set-ItResult -Inconclusive -Because 'the scrub removed the file (it still named the site): nothing to restore'; return }
            # Real Firefox reads the rewritten file: as the session to restore at start (browser.startup.page 3).
            Copy-Item (Join-Path $bk $rewritten[0]) (Join-Path $Tree.FirefoxProfile 'sessionstore.jsonlz4') -Force
            $s = Start-WaFirefox -ProfileDir $Tree.FirefoxProfile -ExtraPref ($FirefoxPrefs + 'user_pref("browser.startup.page", 3);') -TimeoutSeconds 90
            $Started.Add($s.Process)
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                do {
                    Start-Sleep -Milliseconds 500
                    $state = Invoke-MarionetteScript $s 'return SessionStore.getBrowserState();' -Context chrome
                } until ($state -match [regex]::Escape($OtherHost) -or [DateTime]::UtcNow -gt $deadline)
            } finally { Stop-WaFirefox $s }
            $state | Should -Match ([regex]::Escape("https://$OtherHost/")) -Because 'Firefox restored the unrelated tab from the rewritten file'
            $state | Should -Not -Match 'whatsapp'
        }
    }
}

Describe 'Clear-WaWebSession with the browser running (<Browser>)' -ForEach @(
    # Chromium writes cookies to disk every 30 s, and headless Chromium does not write them at SIGTERM (observed: -Force
    # right after the page set the unrelated origin's cookie lost that cookie, and the Singleton links stay, so it is not
    # a clean exit): the data is let reach the disk first, so the -Force test below speaks for the clear, not for that.
    @{ Browser = 'Chromium'; Settle = 32 }
    @{ Browser = 'Firefox'; Settle = 6 }
) {
    BeforeAll {
        $script:Tree = New-WaTestRoot "running-$Browser"
        $script:Wa = New-Marker 'WAR'
        $script:Other = New-Marker 'OTR'
        if ($Browser -eq 'Firefox') { Initialize-FirefoxProfile $Tree }
        $script:Session = if ($Browser -eq 'Firefox') { Start-TestFirefox $Tree } else { Start-TestChromium $Tree }
        Write-Session $Session $Wa $Other
        $script:Dir = if ($Browser -eq 'Firefox') { $Tree.FirefoxProfile } else { $Tree.ChromiumUdd }
        # The browser is idle on a loaded page; its own delayed writes are let settle first.
        Start-Sleep -Seconds $Settle
    }
    AfterAll {
        if ($script:Session -and -not $Session.Process.HasExited) { Stop-Hard $Session }
    }

    It 'is skipped with WebSessionBrowserRunning and not one file of the profile changes' {
        $found = @(Get-WaWebSession -Root $Tree.Root -User wauser -Browser $Browser)
        $found | Should -HaveCount 1
        $found.Running | Should -BeTrue
        # The running browser maintains its HTTP caches in the background (observed: Firefox removed a cache2/doomed entry
        # during the clear), so those folders, which the clear never touches, are left out of the comparison.
        $own = '^/(cache2|Default/Cache|Default/Code Cache|Default/GPUCache|GrShaderCache|ShaderCache|GraphiteDawnCache)/'
        $before = Get-TreeHash $Dir | Where-Object { $_ -notmatch $own }
        $r = $found | Clear-WaWebSession -Confirm:$false -WarningAction SilentlyContinue
        $after = Get-TreeHash $Dir | Where-Object { $_ -notmatch $own }
        $r.Status | Should -Be 'Skipped'
        $r.Reason | Should -Be 'WebSessionBrowserRunning'
        Compare-Object $before $after | Should -BeNullOrEmpty
        $Session.Process.HasExited | Should -BeFalse
        $seen = Read-Site $Session 'https://web.whatsapp.com/' $Wa
        @($seen.LocalStorage) | Should -HaveCount 1 -Because 'the running browser still has its data'
    }

    It '-Force closes the browser (SIGTERM) and clears the profile' {
        $found = @(Get-WaWebSession -Root $Tree.Root -User wauser -Browser $Browser)
        $r = $found | Clear-WaWebSession -Confirm:$false -Force
        $r.Status | Should -Be 'Cleared' -Because "$($r.Reason) $($r.Message)"
        $r.ClosedBrowser | Should -BeTrue
        Write-Host "-Force on $Browser`: $($r.Notes -join ' | ')"
        $Session.Process.WaitForExit(30000) | Should -BeTrue
        Find-Marker $Dir $Wa | Should -BeNullOrEmpty
        $s = if ($Browser -eq 'Firefox') { Start-TestFirefox $Tree } else { Start-TestChromium $Tree }
        try {
            $wa = Read-Site $s 'https://web.whatsapp.com/' $Wa
            $other = Read-Site $s "https://$OtherHost/" $Other
        } finally { Stop-TestBrowser $s }
        Assert-Gone $wa "$Browser after -Force"
        Assert-Kept $other "$Browser after -Force"
    }
}

Describe 'Root clears another user''s profile: the browser runs as that user (<Browser>)' -ForEach @(
    @{ Browser = 'Chromium' }
    @{ Browser = 'Firefox' }
) {
    It 'no root-owned file appears in the profile, and the session is gone' {
        $tree = New-WaTestRoot "owner-$Browser" -Uid 65534 -Gid 65534
        $wa = New-Marker 'WAO'
        $other = New-Marker 'OTO'
        if ($Browser -eq 'Firefox') { Initialize-FirefoxProfile $tree }
        $s = if ($Browser -eq 'Firefox') { Start-TestFirefox $tree } else { Start-TestChromium $tree }
        try { Write-Session $s $wa $other } finally { Stop-TestBrowser $s }   # a clean close keeps everything (no policy)
        $dir = if ($Browser -eq 'Firefox') { $tree.FirefoxProfile } else { $tree.ChromiumUdd }
        & chown -R 65534:65534 (Join-Path $tree.Root 'home/wauser')
        $found = @(Get-WaWebSession -Root $tree.Root -User wauser -Browser $Browser)
        $found | Should -HaveCount 1
        $ls = Join-Path $dir 'Default/Local Storage/leveldb'
        if ($Browser -eq 'Chromium') { $mode = (Get-Item (Join-Path $ls 'CURRENT')).UnixMode }
        $r = $found | Clear-WaWebSession -Confirm:$false
        $r.Status | Should -Be 'Cleared' -Because "$($r.Reason) $($r.Message)"
        $r.RanAs | Should -Be 'nobody'
        if ($Browser -eq 'Chromium') {
            $r.Rewritten | Should -Contain 'Local Storage/leveldb'
            Get-ChildItem -File $ls | Where-Object UnixMode -ne $mode | ForEach-Object Name | Should -BeNullOrEmpty -Because "the rewritten LevelDB files keep the mode $mode"
        }
        $rootOwned = @(& find $dir -user 0)
        $rootOwned | Should -BeNullOrEmpty -Because 'every file the clear wrote belongs to the profile''s owner'
        Find-Marker $dir $wa | Should -BeNullOrEmpty
    }
}

Describe 'The logon clean-up (WA-SESSION-05): the installed unit''s own command ends the session' {
    # Set-WaHardening -Profile SharedComputer installs the units (on a scratch root here); their ExecStart is run as systemd
    # would split it, as the user logging on (root in CI), against that user's real home: its browser folders are saved
    # first and put back afterwards (tests/tools/SystemState.ps1).
    BeforeAll {
        . (Join-Path $PSScriptRoot '../tools/SystemState.ps1')
        . (Join-Path $PSScriptRoot '../tools/Systemd.ps1')
        $script:UserHome = ((& getent passwd (& id -un)) -split ':')[5]
        $script:Udd = Join-Path $UserHome '.config/chromium'
        # The command clears every browser profile of the user: the user's Firefox folders are saved and put back too.
        $script:Saved = Save-WaSystemState -Store (Join-Path $Work 'saved-home') -Path @($Udd,
            (Join-Path $UserHome '.mozilla/firefox'), (Join-Path $UserHome '.config/mozilla/firefox'))
        if (Test-Path -LiteralPath $Udd) { Remove-Item -Recurse -Force -LiteralPath $Udd }
        $units = New-Item -ItemType Directory -Force -Path (Join-Path $Work 'units-root/usr/bin'), (Join-Path $Work 'units-root/etc/systemd')
        $null = New-Item -ItemType File -Force -Path (Join-Path $Work 'units-root/usr/bin/systemctl')
        $null = Set-WaHardening -Root (Join-Path $Work 'units-root') -Profile SharedComputer -Id WA-SESSION-05 -Confirm:$false
        $script:LogonUnit = Join-Path $Work 'units-root/etc/systemd/user/wa-hardening-session-cleanup.service'
    }
    AfterAll {
        Get-Process chromium -ErrorAction SilentlyContinue | Where-Object { $_.CommandLine -like "*$Udd*" } | Stop-Process -Force -ErrorAction SilentlyContinue
        if ($script:Saved) { Restore-WaSystemState -State $script:Saved }
    }

    It 'a session stored in Chromium is found, the unit''s command runs, and nothing of it is left' {
        $wa = New-Marker 'WAU'
        $other = New-Marker 'OTU'
        $tree = [pscustomobject]@{ ChromiumUdd = $Udd }
        $s = Start-TestChromium $tree
        try { Write-Session $s $wa $other } finally { Stop-TestBrowser $s }   # a clean close keeps everything (no policy)
        @(Get-WaWebSession -Browser Chromium) | Should -HaveCount 1 -Because 'the session is stored in the logged-on user''s profile'

        $argv = Get-WaExecStart $LogonUnit
        $out = & $argv[0] @($argv[1..($argv.Count - 1)]) 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out | Out-String)

        @(Get-WaWebSession -Browser Chromium) | Should -HaveCount 0
        Find-Marker $Udd $wa | Should -BeNullOrEmpty
        $s = Start-TestChromium $tree
        try {
            $waData = Read-Site $s 'https://web.whatsapp.com/' $wa
            $otherData = Read-Site $s "https://$OtherHost/" $other
        } finally { Stop-TestBrowser $s }
        Assert-Gone $waData 'Chromium after the logon clean-up'
        Assert-Kept $otherData 'Chromium after the logon clean-up'
    }
}
