BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')

    # A scratch system: ana and bob in etc/passwd, root's home, and the current user's (so the default -User has one).
    function New-SessionRoot {
        param([Parameter(Mandatory)] [string] $Path)
        $root = New-ScratchRoot -Path $Path
        $me = [Environment]::UserName
        $lines = @('root:x:0:0:root:/root:/bin/bash', 'ana:x:1000:1000::/home/ana:/bin/bash', 'bob:x:1001:1001::/home/bob:/bin/bash')
        if ($me -notin 'root', 'ana', 'bob') { $lines += "${me}:x:1002:1002::/home/${me}:/bin/bash" }
        New-Item -ItemType Directory -Force (Join-Path $root 'etc') | Out-Null
        ($lines -join "`n") + "`n" | Set-Content -NoNewline (Join-Path $root 'etc/passwd')
        foreach ($h in 'root', 'home/ana', 'home/bob', "home/$me") { New-Item -ItemType Directory -Force (Join-Path $root $h) | Out-Null }
        $root
    }
    function Add-File {
        param([string] $Root, [string] $Rel, [string] $Text = 'x')
        $p = Join-Path $Root $Rel
        New-Item -ItemType Directory -Force (Split-Path $p) | Out-Null
        [IO.File]::WriteAllText($p, $Text)
        $p
    }
    # ana: Chromium with WhatsApp IndexedDB and Cache Storage, plus another site's data; Firefox with WhatsApp storage and a
    # service worker. bob: only another site's data.
    function Add-Sessions {
        param([string] $Root)
        $ch = 'home/ana/.config/chromium/Default'
        Add-File $Root "$ch/Preferences" '{}' | Out-Null
        Add-File $Root "$ch/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000003.log" 'IDBVALUE_SECRET' | Out-Null
        Add-File $Root "$ch/Service Worker/CacheStorage/0bf6ab7f94a21cdc9c1649f884333ec20f40a544/index.txt" 'https://web.whatsapp.com/' | Out-Null
        Add-File $Root "$ch/IndexedDB/https_example.org_0.indexeddb.leveldb/000003.log" 'other' | Out-Null
        $ff = 'home/ana/.mozilla/firefox'
        Add-File $Root "$ff/profiles.ini" "[Profile0]`nName=default-esr`nIsRelative=1`nPath=p.default-esr`n" | Out-Null
        Add-File $Root "$ff/p.default-esr/storage/default/https+++web.whatsapp.com/idb/1.sqlite" 'idb' | Out-Null
        Add-File $Root "$ff/p.default-esr/serviceworker.txt" "12`n`nhttps://web.whatsapp.com/`nhttps://web.whatsapp.com/sw.js`ntrue`n{u}`n0`n#`n" | Out-Null
        Add-File $Root 'home/bob/.config/chromium/Default/IndexedDB/https_example.org_0.indexeddb.leveldb/000003.log' 'other' | Out-Null
    }
}

Describe 'Get-WaWebSession' {
    It 'writes one typed object per profile holding WhatsApp data, for every user with -AllUsers, read-only' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'all')
        Add-Sessions $root
        $before = Get-TreeState -Root $root
        $found = @(Get-WaWebSession -AllUsers -Root $root -ErrorAction Stop)
        $found | Should -HaveCount 2
        $found | ForEach-Object { $_ | Should -BeOfType ([WaHardening.Core.Sessions.WebSessionProfile]) }
        $ch = $found | Where-Object Browser -eq 'Chromium'
        $ch.User | Should -Be 'ana'
        $ch.ProfileName | Should -Be 'Default'
        $ch.Install | Should -Be 'package'
        $ch.Kinds | Should -Be ([WaHardening.Core.Sessions.WebStorageKinds]'IndexedDB, CacheStorage')
        $ch.Origins | Should -Be @('https://web.whatsapp.com')
        $ch.Running | Should -BeFalse
        $ch.Bytes | Should -BeGreaterThan 0
        $ch.LastWritten | Should -Not -BeNullOrEmpty
        $ch.Locations | Should -Contain (Join-Path $root 'home/ana/.config/chromium/Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb')
        ($ch.Locations -join ';') | Should -Not -Match 'example\.org'
        $ff = $found | Where-Object Browser -eq 'Firefox'
        $ff.ProfileName | Should -Be 'default-esr'
        $ff.Kinds | Should -Be ([WaHardening.Core.Sessions.WebStorageKinds]'IndexedDB, ServiceWorker')
        (Get-TreeState -Root $root) | Should -Be $before        # nothing written, touched or locked
    }

    It 'filters by user and browser, and reports an unknown user without stopping' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'filter')
        Add-Sessions $root
        @(Get-WaWebSession -User bob -Root $root) | Should -HaveCount 0      # bob has only another site's data
        @(Get-WaWebSession -User ana -Browser Firefox -Root $root).Browser | Should -Be 'Firefox'
        $found = @(Get-WaWebSession -User nobody, ana -Root $root -ErrorVariable errs -ErrorAction SilentlyContinue)
        $found | Should -HaveCount 2
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Match '^WebSessionUserNotFound'
        $errs[0].Exception.Message | Should -Match "'nobody'"
    }

    It 'defaults to the current user and to the baseline''s WhatsApp origins; -Origin looks for others' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'me')
        $me = [Environment]::UserName
        $homeDir = if ($me -eq 'root') { 'root' } else { "home/$me" }
        Add-File $root "$homeDir/.config/google-chrome/Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.blob/1/00/2" 'blob' | Out-Null
        Add-File $root "$homeDir/.config/google-chrome/Default/IndexedDB/https_media.whatsapp.net_0.indexeddb.leveldb/000003.log" 'x' | Out-Null
        Add-Sessions $root
        $mine = @(Get-WaWebSession -Root $root)
        $mine | Should -HaveCount 1
        $mine[0].User | Should -Be $me
        $mine[0].Browser | Should -Be 'Chrome'
        $mine[0].Origins | Should -Be @('https://media.whatsapp.net', 'https://web.whatsapp.com')   # [*.]whatsapp.net from WhatsAppOrigins
        @(Get-WaWebSession -AllUsers -Root $root -Origin 'https://example.org').User | Sort-Object | Should -Be @('ana', 'bob')
        { Get-WaWebSession -Root $root -Origin 'ftp://x' -ErrorAction Stop } | Should -Throw -ErrorId 'WebSessionOriginInvalid*'
    }

    It 'finds cookies in a real SQLite cookie database (python3 sqlite3)' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'cookies')
        $db = Join-Path $root 'home/ana/.config/chromium/Default/Network/Cookies'
        New-Item -ItemType Directory -Force (Split-Path $db) | Out-Null
        & /usr/bin/python3 -c @'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE cookies(creation_utc INTEGER NOT NULL, host_key TEXT NOT NULL, top_frame_site_key TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, encrypted_value BLOB NOT NULL, path TEXT NOT NULL)")
db.execute("INSERT INTO cookies VALUES(1, '.whatsapp.com', '', 'wa_dom', '', x'763130', '/')")
db.execute("INSERT INTO cookies VALUES(1, '.example.com', '', 'o', '', x'763130', '/')")
db.commit()
'@ $db
        $LASTEXITCODE | Should -Be 0
        $r = Get-WaWebSession -User ana -Root $root -ErrorAction Stop
        $r.Kinds | Should -Be ([WaHardening.Core.Sessions.WebStorageKinds]::Cookies)
        $r.Locations | Should -Be @($db)
        $r.Origins | Should -Be @('https://whatsapp.com')
    }

    It 'has a table view' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'view')
        Add-Sessions $root
        $text = Get-WaWebSession -AllUsers -Root $root | Format-Table | Out-String -Width 200
        $text | Should -Match 'User\s+Browser\s+Profile\s+Running\s+Bytes\s+LastWritten\s+Kinds'
        $text | Should -Match 'ana\s+Chromium\s+Default\s+False'
    }
}

Describe 'WA-SESSION-04 in Test-WaHardening' {
    It 'SharedComputer: a stored session in a profile whose browser is not running is NonCompliant, naming user, browser, profile and kinds' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'shared')
        Add-Sessions $root
        $r = Test-WaHardening -Profile SharedComputer -Root $root -Id WA-SESSION-04
        $r.Status | Should -Be 'NonCompliant'
        $r.Target | Should -Be 'WebSessions'
        $r.Reason | Should -Match "ana Chromium 'Default' \(.*\): IndexedDB, CacheStorage stored while the browser is not running"
        $r.Reason | Should -Match "ana Firefox 'default-esr'"
        $r.Guidance | Should -Match 'Clear-WaWebSession'
    }

    It 'Standard: NonCompliant (unclean exit) only where the clear-on-exit policy is in force; Compliant without a session' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'standard')
        Add-Sessions $root
        # WA-SESSION-01 not in force: the browser keeps the data by design (WA-SESSION-01 reports that).
        $r = Test-WaHardening -Root $root -Id WA-SESSION-04
        $r.Status | Should -Be 'Compliant'
        $r.Reason | Should -Match 'WA-SESSION-01 is NonCompliant for Chromium'
        # Put WA-SESSION-01 in force with the module itself; the data still there now means an unclean exit.
        Set-WaHardening -Root $root -Id WA-SESSION-01 -Confirm:$false | Out-Null
        (Test-WaHardening -Root $root -Id WA-SESSION-01 | Where-Object Target -eq 'Chromium').Status | Should -Be 'Compliant'
        $r = Test-WaHardening -Root $root -Id WA-SESSION-04
        $r.Status | Should -Be 'NonCompliant'
        $r.Reason | Should -Match "ana Chromium 'Default'.*WA-SESSION-01 clears it at exit and the browser is not running: unclean exit \(crash, kill, power loss\)"
        $empty = New-SessionRoot -Path (Join-Path $TestDrive 'nosession')
        $r = Test-WaHardening -Root $empty -Id WA-SESSION-04
        $r.Status | Should -Be 'Compliant'
        $r.Reason | Should -Be 'no profile holds data of the origins'
    }

    It 'a browser running on the profile is Compliant, with the evidence in the reason' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'running')
        Add-Sessions $root
        Remove-Item -Recurse -Force (Join-Path $root 'home/ana/.mozilla')
        $lock = Add-File $root 'home/ana/.config/chromium/Default/Local Storage/leveldb/LOCK' ''
        # A real POSIX lock holder (lockf = fcntl, as LevelDB takes it), killed by its pid afterwards.
        $psi = [Diagnostics.ProcessStartInfo]::new('/usr/bin/python3')
        $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
        $psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add("import fcntl,sys`nf=open(sys.argv[1],'r+')`nfcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)`nprint('locked',flush=True)`nsys.stdin.read()"); $psi.ArgumentList.Add($lock)
        $holder = [Diagnostics.Process]::Start($psi)
        try {
            $holder.StandardOutput.ReadLine() | Should -Be 'locked'
            $r = Test-WaHardening -Profile SharedComputer -Root $root -Id WA-SESSION-04
            $r.Status | Should -Be 'Compliant'
            $r.Reason | Should -Match "ana Chromium 'Default'.*the browser is running on it \(Local Storage/leveldb/LOCK is locked by pid $($holder.Id)\)"
            (Get-WaWebSession -User ana -Root $root).Running | Should -BeTrue
        } finally { $holder.Kill(); $holder.WaitForExit() }
        (Test-WaHardening -Profile SharedComputer -Root $root -Id WA-SESSION-04).Status | Should -Be 'NonCompliant'
    }

    It 'Set-WaHardening does not pretend to enforce it: NotEnforced, pointing to Clear-WaWebSession, nothing written' {
        $root = New-SessionRoot -Path (Join-Path $TestDrive 'set')
        Add-Sessions $root
        $before = Get-TreeState -Root $root
        $r = Set-WaHardening -Profile SharedComputer -Root $root -Id WA-SESSION-04 -Confirm:$false
        $r.Action | Should -Be 'NotEnforced'
        $r.Reason | Should -Match 'not a setting: Set-WaHardening does not change it'
        $r.Reason | Should -Match 'Get-WaWebSession -AllUsers \| Clear-WaWebSession'
        (Get-TreeState -Root $root) | Should -Be $before
    }
}
