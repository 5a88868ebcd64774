using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Get-WaWebSession's core (issue #16): the profile locator on scratch trees for Linux (package, snap, flatpak), Windows
    /// and macOS layouts; origin matching; the scanner on stores written by the REAL producers (python3's sqlite3 module =
    /// real SQLite, python3-plyvel = real LevelDB, python3-lz4 = real LZ4 blocks in Firefox's mozLz4 frame); and running
    /// detection against a held fcntl lock, a stale SingletonLock, and real chromium and firefox-esr processes.
    /// </summary>
    public class WebSessionTests
    {
        /// <summary>Where real Firefox ESR puts a new user's profiles: it creates them with -CreateProfile in a scratch home, and the
        /// locator finds that profile through the profiles.ini Firefox wrote (the XDG folder ~/.config/mozilla/firefox on 153).</summary>
        [Fact]
        public void The_locator_finds_the_profile_real_Firefox_creates_for_a_new_user()
        {
            var firefox = new[] { "/usr/bin/firefox-esr", "/usr/bin/firefox" }.FirstOrDefault(File.Exists);
            Assert.True(firefox != null, "firefox-esr is missing (scripts/install-test-deps.sh)");
            var root = Path.Combine(Path.GetTempPath(), "wah-fxnew-" + Guid.NewGuid().ToString("N"));
            try
            {
                var home = Path.Combine(root, "home", "fxuser");
                Directory.CreateDirectory(home);
                Directory.CreateDirectory(Path.Combine(root, "etc"));
                File.WriteAllText(Path.Combine(root, "etc", "passwd"), "fxuser:x:0:0::/home/fxuser:/bin/sh\n");
                var psi = new ProcessStartInfo(firefox!) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { "--headless", "-CreateProfile", "waprobe" }) psi.ArgumentList.Add(a);
                psi.Environment["HOME"] = home;
                psi.Environment.Remove("XDG_CONFIG_HOME");
                using (var p = Process.Start(psi)!)
                {
                    p.StandardOutput.ReadToEnd();
                    Assert.True(p.WaitForExit(60000), "firefox -CreateProfile did not finish");
                }
                var ini = Directory.GetFiles(home, "profiles.ini", SearchOption.AllDirectories);
                Assert.NotEmpty(ini);
                var ctx = new ProviderContext(root, Platforms.Linux);
                var locator = new WebSessionLocator(ctx);
                var profiles = locator.Profiles(locator.Users().Where(u => u.Name == "fxuser"), new[] { Targets.Firefox }).ToList();
                Assert.Contains(profiles, p => p.ProfileName == "waprobe");
            }
            finally { try { Directory.Delete(root, true); } catch (IOException) { } }
        }

        /// <summary>Where no lock can be probed (macOS): a process of the browser running at all marks its profiles in use; the
        /// names come from the row (macOS app bundle, Linux binaries), helpers included, other browsers not.</summary>
        [Fact]
        public void Without_a_lock_probe_any_process_of_the_browser_counts_as_running()
        {
            var chrome = Targets.Get(Targets.Chrome);
            var firefox = Targets.Get(Targets.Firefox);
            var mac = new[] { (101, "Google Chrome Helper (Renderer)"), (102, "Finder") };
            Assert.Contains("pid 101", ProfileLock.RunningByName(chrome, mac));
            Assert.Null(ProfileLock.RunningByName(firefox, mac));
            Assert.Contains("pid 7", ProfileLock.RunningByName(firefox, new[] { (7, "firefox") }));
            Assert.Null(ProfileLock.RunningByName(chrome, new[] { (8, "chromium"), (9, "") }));
            Assert.Contains("pid 8", ProfileLock.RunningByName(Targets.Get(Targets.Chromium), new[] { (8, "chromium") }));
        }

        /// <summary>The same rule over the real process table: a real chromium is found by its process name.</summary>
        [Fact]
        public void Without_a_lock_probe_a_real_chromium_process_is_found_by_name()
        {
            Assert.True(File.Exists("/usr/bin/chromium"), "chromium is missing (scripts/install-test-deps.sh)");
            var dir = Path.Combine(Path.GetTempPath(), "wah-byname-" + Guid.NewGuid().ToString("N"));
            var psi = new ProcessStartInfo("/usr/bin/chromium") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "--headless=new", "--no-sandbox", "--no-first-run", "--user-data-dir=" + dir, "about:blank" }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            try
            {
                string? evidence = null;
                for (var i = 0; i < 50 && evidence == null; i++)
                {
                    Thread.Sleep(100);
                    evidence = ProfileLock.RunningByName(Targets.Get(Targets.Chromium), Process.GetProcesses().Select(x => { using (x) return (x.Id, x.ProcessName); }));
                }
                Assert.NotNull(evidence);
            }
            finally
            {
                try { p.Kill(true); } catch (InvalidOperationException) { }
                p.WaitForExit(10000);
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        private static readonly OriginSet WhatsApp = OriginSet.Parse(new[] { "https://web.whatsapp.com", "[*.]whatsapp.com", "[*.]whatsapp.net" });

        // ------------------------------------------------------------------ helpers

        /// <summary>Runs python3 (Debian's, with its packages) on a script; the test fails when it fails (never skipped).</summary>
        internal static string Py(string script, params string[] args)
        {
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"python3 failed ({p.ExitCode}): {e}");
            return o.Result;
        }

        private static string Dir(string path) { Directory.CreateDirectory(path); return path; }

        private static void Passwd(Scratch s, params string[] users) =>
            s.Write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n" + string.Join("", users.Select((u, i) => $"{u}:x:{1000 + i}:{1000 + i}::/home/{u}:/bin/bash\n")));

        private static List<WebSessionProfile> Find(Scratch s, string platform = Platforms.Linux, List<WaHardeningException>? errors = null, OriginSet? origins = null) =>
            WebSessionScanner.Find(new ProviderContext(s.Root, platform), null, null, origins ?? WhatsApp, (errors ?? new List<WaHardeningException>()).Add).ToList();

        // ------------------------------------------------------------------ locator

        [Fact]
        public void Locator_finds_every_users_profiles_in_package_snap_and_flatpak_homes_and_profiles_ini()
        {
            using var s = new Scratch();
            Passwd(s, "ana", "bob", "gone");
            Dir(s.P("/home/ana")); Dir(s.P("/home/bob")); Dir(s.P("/root"));
            s.Write("/home/ana/.config/chromium/Default/Preferences", "{}");
            Dir(s.P("/home/ana/.config/chromium/Profile 2"));                       // named profile folder, no Preferences yet
            s.Write("/home/ana/.config/chromium/Work/Preferences", "{}");           // any folder with Preferences
            Dir(s.P("/home/ana/.config/chromium/Crashpad"));                        // not a profile
            s.Write("/home/ana/snap/chromium/common/chromium/Default/Preferences", "{}");
            s.Write("/home/bob/.var/app/com.google.Chrome/config/google-chrome/Default/Preferences", "{}");
            s.Write("/home/bob/.config/BraveSoftware/Brave-Browser/Default/Preferences", "{}");
            s.Write("/home/bob/.config/microsoft-edge/Default/Preferences", "{}");
            // Firefox: a relative and an absolute profile, one only installs.ini names, one escaping the folder, one missing.
            Dir(s.P("/home/ana/.mozilla/firefox/rel.default"));
            Dir(s.P("/srv/ffabs"));
            Dir(s.P("/home/ana/.mozilla/firefox/inst.default-esr"));
            Dir(s.P("/home/ana/outside"));
            s.Write("/home/ana/.mozilla/firefox/profiles.ini",
                "[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=default\nIsRelative=1\nPath=rel.default\nDefault=1\n\n" +
                "[Profile1]\nName=abs\nIsRelative=0\nPath=/srv/ffabs\n\n[Profile2]\nName=escape\nIsRelative=1\nPath=../../outside\n\n[Profile3]\nName=missing\nIsRelative=1\nPath=nothere\n");
            s.Write("/home/ana/.mozilla/firefox/installs.ini", "[3B6073811A6ABF12]\nDefault=inst.default-esr\nLocked=1\n");
            Dir(s.P("/root/snap/firefox/common/.mozilla/firefox/snapprof"));
            s.Write("/root/snap/firefox/common/.mozilla/firefox/profiles.ini", "[Profile0]\nName=snapp\nIsRelative=1\nPath=snapprof\n");

            var ctx = new ProviderContext(s.Root, Platforms.Linux);
            var loc = new WebSessionLocator(ctx);
            var users = loc.Users();
            Assert.Equal(new[] { "root", "ana", "bob" }, users.Select(u => u.Name).ToArray()); // "gone" has no home folder
            var found = loc.Profiles(users).Select(p => $"{p.User}|{p.Browser.Name}|{p.Install}|{p.ProfileName}|{p.ProfilePath.Substring(s.Root.Length)}").OrderBy(x => x, StringComparer.Ordinal).ToList();
            Assert.Equal(new[]
            {
                "ana|Chromium|package|Default|/home/ana/.config/chromium/Default",
                "ana|Chromium|package|Profile 2|/home/ana/.config/chromium/Profile 2",
                "ana|Chromium|package|Work|/home/ana/.config/chromium/Work",
                "ana|Chromium|snap|Default|/home/ana/snap/chromium/common/chromium/Default",
                "ana|Firefox|package|abs|/srv/ffabs",
                "ana|Firefox|package|default|/home/ana/.mozilla/firefox/rel.default",
                "ana|Firefox|package|inst.default-esr|/home/ana/.mozilla/firefox/inst.default-esr",
                "bob|Brave|package|Default|/home/bob/.config/BraveSoftware/Brave-Browser/Default",
                "bob|Chrome|flatpak|Default|/home/bob/.var/app/com.google.Chrome/config/google-chrome/Default",
                "bob|Edge|package|Default|/home/bob/.config/microsoft-edge/Default",
                "root|Firefox|snap|snapp|/root/snap/firefox/common/.mozilla/firefox/snapprof",
            },
                found.Select(x => x.Replace(Path.DirectorySeparatorChar, '/')).ToArray());
            Assert.Equal(Path.Combine(s.P("/home/ana/.config/chromium")), loc.Profiles(users, new[] { "Chromium" }).First().UserDataDirectory);
            Assert.All(loc.Profiles(users, new[] { "Firefox" }), p => Assert.Equal(p.ProfilePath, p.UserDataDirectory));
        }

        [Fact]
        public void Locator_does_not_follow_links_to_a_data_folder_or_profile()
        {
            using var s = new Scratch();
            Passwd(s, "ana");
            s.Write("/elsewhere/chromium/Default/Preferences", "{}");
            Dir(s.P("/home/ana/.config"));
            File.CreateSymbolicLink(s.P("/home/ana/.config/chromium"), s.P("/elsewhere/chromium"));   // linked user-data dir
            s.Write("/home/ana/.config/google-chrome/Real/Preferences", "{}");
            Directory.CreateSymbolicLink(s.P("/home/ana/.config/google-chrome/Default"), s.P("/elsewhere/chromium/Default")); // linked profile
            Dir(s.P("/elsewhere/ffprof"));
            s.Write("/home/ana/.mozilla/firefox/profiles.ini", "[Profile0]\nName=l\nIsRelative=1\nPath=linked\n");
            Directory.CreateSymbolicLink(s.P("/home/ana/.mozilla/firefox/linked"), s.P("/elsewhere/ffprof"));
            var loc = new WebSessionLocator(new ProviderContext(s.Root, Platforms.Linux));
            var found = loc.Profiles(loc.Users()).Select(p => p.ProfilePath).ToList();
            Assert.Equal(new[] { s.P("/home/ana/.config/google-chrome/Real") }, found);
        }

        [Fact]
        public void Locator_reads_Windows_and_macOS_layouts()
        {
            using var s = new Scratch();
            s.Write("/Users/ana/AppData/Local/Google/Chrome/User Data/Default/Preferences", "{}");
            s.Write("/Users/ana/AppData/Local/Microsoft/Edge/User Data/Profile 1/Preferences", "{}");
            s.Write("/Users/ana/AppData/Roaming/Mozilla/Firefox/profiles.ini", "[Profile0]\nName=default-release\nIsRelative=1\nPath=Profiles/abcd.default-release\n");
            Dir(s.P("/Users/ana/AppData/Roaming/Mozilla/Firefox/Profiles/abcd.default-release"));
            s.Write("/Users/Public/AppData/Local/Google/Chrome/User Data/Default/Preferences", "{}"); // not a user
            var win = new WebSessionLocator(new ProviderContext(s.Root, Platforms.Windows));
            var winUsers = win.Users();
            Assert.Equal(new[] { "ana" }, winUsers.Select(u => u.Name).ToArray());
            Assert.Equal(new[] { "Chrome Default", "Edge Profile 1", "Firefox default-release" },
                win.Profiles(winUsers).Select(p => $"{p.Browser.Name} {p.ProfileName}").OrderBy(x => x, StringComparer.Ordinal).ToArray());
            Assert.Equal(s.P("/Users/ana/AppData/Roaming/Mozilla/Firefox/Profiles/abcd.default-release"),
                win.Profiles(winUsers, new[] { "Firefox" }).Single().ProfilePath.Replace('\\', '/').Replace("/", Path.DirectorySeparatorChar.ToString()));

            using var m = new Scratch();
            m.Write("/Users/bo/Library/Application Support/Google/Chrome/Default/Preferences", "{}");
            m.Write("/Users/bo/Library/Application Support/Firefox/profiles.ini", "[Profile0]\nName=x\nIsRelative=1\nPath=Profiles/x.default\n");
            Dir(m.P("/Users/bo/Library/Application Support/Firefox/Profiles/x.default"));
            Dir(m.P("/Users/Shared"));
            var mac = new WebSessionLocator(new ProviderContext(m.Root, Platforms.MacOS));
            var macUsers = mac.Users();
            Assert.Equal(new[] { "bo" }, macUsers.Select(u => u.Name).ToArray());
            Assert.Equal(new[] { "Chrome Default", "Firefox x" }, mac.Profiles(macUsers).Select(p => $"{p.Browser.Name} {p.ProfileName}").OrderBy(x => x, StringComparer.Ordinal).ToArray());
        }

        // ------------------------------------------------------------------ origins

        [Theory]
        [InlineData("web.whatsapp.com", true)]
        [InlineData(".web.whatsapp.com", true)]
        [InlineData(".whatsapp.com", true)]          // a parent domain cookie is sent to web.whatsapp.com
        [InlineData("whatsapp.com", false)]          // host-only cookie of the parent: not sent to web.whatsapp.com
        [InlineData(".com", false)]                  // one label: never
        [InlineData("evilwhatsapp.com", false)]
        [InlineData(".example.com", false)]
        [InlineData("other.web.whatsapp.com", false)]
        public void A_cookie_belongs_to_an_origin_by_host_or_parent_domain(string hostKey, bool expected) =>
            Assert.Equal(expected, WatchedOrigin.Parse("https://web.whatsapp.com").MatchesCookieHost(hostKey));

        [Fact]
        public void Patterns_cover_subdomains_and_origins_keep_scheme_and_port()
        {
            var pattern = WatchedOrigin.Parse("[*.]whatsapp.com");
            Assert.True(pattern.MatchesOrigin("https", "media.whatsapp.com", -1));
            Assert.True(pattern.MatchesOrigin("https", "whatsapp.com", 443));
            Assert.True(pattern.MatchesCookieHost("static.whatsapp.com"));
            Assert.False(pattern.MatchesOrigin("https", "whatsapp.com.evil.org", -1));
            var exact = WatchedOrigin.Parse("https://web.whatsapp.com");
            Assert.False(exact.MatchesOrigin("http", "web.whatsapp.com", -1));
            Assert.False(exact.MatchesOrigin("https", "web.whatsapp.com", 8443));
            Assert.Equal("https://web.whatsapp.com", WhatsApp.Match("https://web.whatsapp.com/^0https://example.org"));
            Assert.Null(WhatsApp.Match("https://example.org/"));
            var e = Assert.Throws<WaHardeningException>(() => WatchedOrigin.Parse("ftp://web.whatsapp.com"));
            Assert.Equal(ErrorIds.WebSessionOriginInvalid, e.ErrorId);
            Assert.Equal(ErrorIds.WebSessionOriginInvalid, Assert.Throws<WaHardeningException>(() => WatchedOrigin.Parse("https://we b")).ErrorId);
        }

        // ------------------------------------------------------------------ scanner: Chromium

        private const string ChromiumCookiesSql = @"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('''CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)''')
db.execute(""INSERT INTO meta VALUES('version','24')"")
db.execute('''CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,
 name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,
 is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,
 is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,
 source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,has_cross_site_ancestor INTEGER NOT NULL)''')
for host in sys.argv[2:]:
    db.execute('INSERT INTO cookies VALUES(1,?,\'\',\'n\',\'\',?,\'/\',0,1,1,1,1,1,1,0,2,443,1,0,0)', (host, b'v10' + b'x' * 20))
db.commit()
db.close()
";

        private const string LevelDbPut = @"
import plyvel, sys
db = plyvel.DB(sys.argv[1], create_if_missing=True)
args = sys.argv[2:]
for i in range(0, len(args), 2):
    k = args[i].encode('latin-1').decode('unicode_escape').encode('latin-1')
    if args[i + 1] == '<delete>':
        db.delete(k)
    else:
        db.put(k, args[i + 1].encode('latin-1').decode('unicode_escape').encode('latin-1'))
db.close()
";

        [Fact]
        public void Chromium_profile_every_kind_found_from_real_sqlite_and_leveldb_and_other_sites_ignored()
        {
            using var s = new Scratch();
            Passwd(s, "ana");
            var prof = Dir(s.P("/home/ana/.config/chromium/Default"));
            File.WriteAllText(Path.Combine(prof, "Preferences"), "{}");
            Py(ChromiumCookiesSql, Path.Combine(prof, "Cookies"), ".whatsapp.com", "web.whatsapp.com", ".example.com");
            Py(LevelDbPut, Dir(Path.Combine(prof, "Local Storage", "leveldb")), "VERSION", "1",
                "_https://web.whatsapp.com\\x00\\x01WAToken1", "\\x01LSVALUE_SECRET_1", "META:https://web.whatsapp.com", "\\x08\\x01",
                "_https://example.org\\x00\\x01k", "\\x01v");
            Py(LevelDbPut, Dir(Path.Combine(prof, "Session Storage")), "version", "1",
                "namespace-5d74a542_3356_4e4b_aa67_21233dda41ff-https://web.whatsapp.com/", "0", "map-0-SSKEY", "S\\x00S\\x00");
            Py(LevelDbPut, Dir(Path.Combine(prof, "Service Worker", "Database")), "INITDATA_DB_VERSION", "2",
                "REG:https://web.whatsapp.com/\\x000", "scope", "REGID_TO_ORIGIN:0", "https://web.whatsapp.com/");
            s.Write("/home/ana/.config/chromium/Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000003.log", "IDBVALUE_SECRET");
            s.Write("/home/ana/.config/chromium/Default/IndexedDB/https_example.org_0.indexeddb.leveldb/000003.log", "other");
            s.Write("/home/ana/.config/chromium/Default/Service Worker/CacheStorage/0bf6ab7f94a21cdc9c1649f884333ec20f40a544/index.txt", "x");
            s.Write("/home/ana/.config/chromium/Default/Service Worker/CacheStorage/" + WebSessionScanner.Sha1Hex("https_example.org_0") + "/index.txt", "https://example.org/");
            Py(@"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('''CREATE TABLE buckets(id INTEGER PRIMARY KEY AUTOINCREMENT, storage_key TEXT NOT NULL, host TEXT NOT NULL, name TEXT NOT NULL,
 use_count INTEGER NOT NULL, last_accessed INTEGER NOT NULL, last_modified INTEGER NOT NULL, expiration INTEGER NOT NULL,
 quota INTEGER NOT NULL, persistent INTEGER NOT NULL, durability INTEGER NOT NULL) STRICT''')
db.execute(""INSERT INTO buckets VALUES(1,'https://web.whatsapp.com/','web.whatsapp.com','_default',0,0,0,0,0,0,0)"")
db.execute(""INSERT INTO buckets VALUES(2,'https://web.whatsapp.com/','web.whatsapp.com','wabucket',0,0,0,0,0,0,0)"")
db.execute(""INSERT INTO buckets VALUES(3,'https://example.org/','example.org','b',0,0,0,0,0,0,0)"")
db.commit()
", s.P("/home/ana/.config/chromium/Default/WebStorage/QuotaManager").Also(p => Dir(Path.GetDirectoryName(p)!)));
            s.Write("/home/ana/.config/chromium/Default/WebStorage/2/IndexedDB/indexeddb.leveldb/000003.log", "bucket data");
            s.Write("/home/ana/.config/chromium/Default/WebStorage/3/IndexedDB/indexeddb.leveldb/000003.log", "other bucket");

            var errors = new List<WaHardeningException>();
            var p = Assert.Single(Find(s, errors: errors));
            Assert.Empty(errors);
            Assert.Equal("ana", p.User);
            Assert.Equal("Chromium", p.Browser);
            Assert.Equal(WebStorageKinds.Cookies | WebStorageKinds.LocalStorage | WebStorageKinds.SessionStorage | WebStorageKinds.IndexedDB
                | WebStorageKinds.CacheStorage | WebStorageKinds.ServiceWorker, p.Kinds);
            Assert.Contains("https://web.whatsapp.com", p.Origins);
            Assert.False(p.Running);
            Assert.True(p.Bytes > 0);
            Assert.NotNull(p.LastWritten);
            Assert.Contains(Path.Combine(prof, "Cookies"), p.Locations);
            Assert.Contains(Path.Combine(prof, "WebStorage", "2"), p.Locations);
            Assert.Contains(Path.Combine(prof, "IndexedDB", "https_web.whatsapp.com_0.indexeddb.leveldb"), p.Locations);
            Assert.DoesNotContain(p.Locations, l => l.Contains("example.org") || l.EndsWith(Path.DirectorySeparatorChar + "3", StringComparison.Ordinal)
                || l.Contains(WebSessionScanner.Sha1Hex("https_example.org_0")));

            // Only another site's data: no output at all.
            var other = Find(s, origins: OriginSet.Parse(new[] { "https://nothing.example.net" }));
            Assert.Empty(other);
        }

        [Fact]
        public void Chromium_deleted_leveldb_records_still_on_disk_are_Remnants_not_live_data()
        {
            using var s = new Scratch();
            Passwd(s, "ana");
            var prof = Dir(s.P("/home/ana/.config/chromium/Default"));
            var ls = Dir(Path.Combine(prof, "Local Storage", "leveldb"));
            // One session (as the browser's): the value, then its deletion, appended to the log.
            Py(LevelDbPut, ls, "VERSION", "1", "_https://web.whatsapp.com\\x00\\x01WAToken1", "\\x01LSVALUE_SECRET_1", "_https://example.org\\x00\\x01k", "\\x01v",
                "_https://web.whatsapp.com\\x00\\x01WAToken1", "<delete>");
            // The deleted value's bytes are still in the log (what issue #16 saw after a clean exit).
            Assert.Contains("LSVALUE_SECRET_1", string.Concat(Directory.GetFiles(ls, "*.log").Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f)))));
            var p = Assert.Single(Find(s));
            Assert.Equal(WebStorageKinds.Remnants, p.Kinds);
            Assert.Contains(p.Locations, l => l.StartsWith(ls, StringComparison.Ordinal) && l.EndsWith(".log", StringComparison.Ordinal));
        }

        [Fact]
        public void An_unreadable_store_is_a_typed_error_naming_it_and_the_scan_goes_on()
        {
            using var s = new Scratch();
            Passwd(s, "ana");
            s.Write("/home/ana/.config/chromium/Default/Cookies", "this is not an SQLite database, just text long enough to look like something");
            s.Write("/home/ana/.config/chromium/Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.blob/1/00/2", "blob");
            s.Write("/home/ana/.config/google-chrome/Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000003.log", "x");
            var errors = new List<WaHardeningException>();
            var found = Find(s, errors: errors);
            Assert.Equal(new[] { "Chrome", "Chromium" }, found.Select(f => f.Browser).OrderBy(x => x, StringComparer.Ordinal).ToArray());
            Assert.All(found, f => Assert.Equal(WebStorageKinds.IndexedDB, f.Kinds));
            var e = Assert.Single(errors);
            Assert.Equal(ErrorIds.WebSessionProfileUnreadable, e.ErrorId);
            Assert.Contains(s.P("/home/ana/.config/chromium/Default/Cookies"), e.Message);
            Assert.Contains(s.P("/home/ana/.config/chromium/Default"), e.Message);
        }

        [Fact]
        public void Linked_stores_inside_a_profile_are_not_read()
        {
            using var s = new Scratch();
            Passwd(s, "ana");
            var prof = Dir(s.P("/home/ana/.config/chromium/Default"));
            var outside = Dir(s.P("/outside"));
            Py(ChromiumCookiesSql, Path.Combine(outside, "Cookies"), "web.whatsapp.com");
            File.CreateSymbolicLink(Path.Combine(prof, "Cookies"), Path.Combine(outside, "Cookies"));
            s.Write("/outside/idb/000003.log", "x");
            Dir(Path.Combine(prof, "IndexedDB"));
            Directory.CreateSymbolicLink(Path.Combine(prof, "IndexedDB", "https_web.whatsapp.com_0.indexeddb.leveldb"), s.P("/outside/idb"));
            Assert.Empty(Find(s));
        }

        // ------------------------------------------------------------------ scanner: Firefox

        [Fact]
        public void Firefox_profile_every_kind_found_from_real_sqlite_and_real_lz4_session_store()
        {
            using var s = new Scratch();
            Passwd(s, "ana");
            var prof = Dir(s.P("/home/ana/.mozilla/firefox/p.default-esr"));
            s.Write("/home/ana/.mozilla/firefox/profiles.ini", "[Profile0]\nName=default-esr\nIsRelative=1\nPath=p.default-esr\n");
            s.Write("/home/ana/.mozilla/firefox/p.default-esr/storage/default/https+++web.whatsapp.com/ls/data.sqlite", "ls");
            s.Write("/home/ana/.mozilla/firefox/p.default-esr/storage/default/https+++web.whatsapp.com/idb/3166453069wcaw.sqlite", "idb");
            s.Write("/home/ana/.mozilla/firefox/p.default-esr/storage/default/https+++web.whatsapp.com^userContextId=1/cache/caches.sqlite", "c");
            s.Write("/home/ana/.mozilla/firefox/p.default-esr/storage/default/https+++example.org/ls/data.sqlite", "other");
            Py(@"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('''CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', name TEXT, value TEXT,
 host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER,
 inBrowserElement INTEGER DEFAULT 0, sameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0,
 isPartitionedAttributeSet INTEGER DEFAULT 0, updateTime INTEGER, CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes))''')
db.execute(""INSERT INTO moz_cookies(name,value,host,path) VALUES('wa_dom','SECRET','.whatsapp.com','/')"")
db.execute(""INSERT INTO moz_cookies(name,value,host,path) VALUES('o','x','example.org','/')"")
db.commit()
db2 = sqlite3.connect(sys.argv[2])
db2.execute('CREATE TABLE webappsstore2 (originAttributes TEXT, originKey TEXT, scope TEXT, key TEXT, value TEXT)')
db2.execute(""INSERT INTO webappsstore2 VALUES('','moc.ppastahw.bew.:https:443','','k','v')"")
db2.commit()
", Path.Combine(prof, "cookies.sqlite"), Path.Combine(prof, "webappsstore.sqlite"));
            s.Write("/home/ana/.mozilla/firefox/p.default-esr/serviceworker.txt",
                "12\n\nhttps://web.whatsapp.com/\nhttps://web.whatsapp.com/sw.js\ntrue\n{uuid}\n0\n#\n\nhttps://example.org/\nhttps://example.org/sw.js\ntrue\n{u2}\n0\n#\n");
            var session = "{\"version\":[\"sessionrestore\",1],\"windows\":[{\"tabs\":[],\"_closedTabs\":[{\"state\":{\"entries\":[],\"storage\":{\"https://web.whatsapp.com\":{\"SSKEY\":\"SSVALUE_SECRET\"}}}}]}],\"cookies\":[]}";
            Py(@"
import lz4.block, struct, sys
data = sys.argv[2].encode('utf-8')
open(sys.argv[1], 'wb').write(b'mozLz40\0' + struct.pack('<I', len(data)) + lz4.block.compress(data, store_size=False))
", Path.Combine(Dir(Path.Combine(prof, "sessionstore-backups")), "recovery.jsonlz4"), session);

            var errors = new List<WaHardeningException>();
            var p = Assert.Single(Find(s, errors: errors));
            Assert.Empty(errors);
            Assert.Equal("Firefox", p.Browser);
            Assert.Equal("default-esr", p.ProfileName);
            Assert.Equal(WebStorageKinds.Cookies | WebStorageKinds.LocalStorage | WebStorageKinds.IndexedDB | WebStorageKinds.CacheStorage
                | WebStorageKinds.ServiceWorker | WebStorageKinds.SessionStorage | WebStorageKinds.SessionRestore, p.Kinds);
            Assert.Contains(Path.Combine(prof, "sessionstore-backups", "recovery.jsonlz4"), p.Locations);
            Assert.Contains(Path.Combine(prof, "storage", "default", "https+++web.whatsapp.com^userContextId=1"), p.Locations);
            Assert.DoesNotContain(p.Locations, l => l.Contains("example.org"));
        }

        // ------------------------------------------------------------------ running detection

        private static bool Running(BrowserProfile p, out string evidence) => ProfileLock.IsRunning(p, Platforms.Linux, out evidence);

        private static BrowserProfile Chromium(string userData) =>
            new BrowserProfile("ana", Targets.Get(Targets.Chromium), "package", userData, Path.Combine(userData, "Default"), "Default");

        private static BrowserProfile Firefox(string dir) => new BrowserProfile("ana", Targets.Get(Targets.Firefox), "package", dir, dir, "p");

        [Fact]
        public void A_held_fcntl_lock_shows_running_and_the_probe_does_not_take_it()
        {
            using var s = new Scratch();
            var ud = Dir(s.P("/ud"));
            var lockFile = Path.Combine(Dir(Path.Combine(ud, "Default", "Local Storage", "leveldb")), "LOCK");
            File.WriteAllText(lockFile, "");
            var ff = Dir(s.P("/ff"));
            File.WriteAllText(Path.Combine(ff, ".parentlock"), "");
            Assert.False(Running(Chromium(ud), out var none));
            Assert.Equal("", none);
            // A real holder: python3 takes the POSIX lock (lockf = fcntl F_SETLK, as LevelDB and Firefox do) and waits.
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import fcntl,sys\nfs=[open(p,'r+') for p in sys.argv[1:]]\nfor f in fs: fcntl.lockf(f, fcntl.LOCK_EX|fcntl.LOCK_NB)\nprint('locked', flush=True)\nsys.stdin.read()");
            psi.ArgumentList.Add(lockFile);
            psi.ArgumentList.Add(Path.Combine(ff, ".parentlock"));
            using var holder = Process.Start(psi)!;
            try
            {
                Assert.Equal("locked", holder.StandardOutput.ReadLine());
                Assert.True(Running(Chromium(ud), out var ev));
                Assert.Contains($"Local Storage/leveldb/LOCK is locked by pid {holder.Id}", ev);
                Assert.True(Running(Firefox(ff), out var fev));
                Assert.Contains($".parentlock is locked by pid {holder.Id}", fev);
                // Probing twice changes nothing (F_GETLK takes no lock): the holder still has it.
                Assert.True(Running(Firefox(ff), out _));
            }
            finally { holder.Kill(); holder.WaitForExit(); }
            Assert.False(Running(Chromium(ud), out _));
            Assert.False(Running(Firefox(ff), out _));
        }

        [Fact]
        public void A_stale_SingletonLock_or_one_naming_a_process_that_is_no_browser_is_not_running()
        {
            using var s = new Scratch();
            var ud = Dir(s.P("/ud"));
            Dir(Path.Combine(ud, "Default"));
            var deadPid = 0;
            using (var d = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!) { deadPid = d.Id; d.WaitForExit(); }
            var link = Path.Combine(ud, "SingletonLock");
            File.CreateSymbolicLink(link, $"{System.Net.Dns.GetHostName()}-{deadPid}");
            Assert.False(Running(Chromium(ud), out _));
            File.Delete(link);
            File.CreateSymbolicLink(link, $"{System.Net.Dns.GetHostName()}-{Environment.ProcessId}"); // alive, but the test host, not a browser
            Assert.False(Running(Chromium(ud), out _));
            File.Delete(link);
            File.CreateSymbolicLink(link, $"otherhost-{Environment.ProcessId}");
            Assert.False(Running(Chromium(ud), out _));
        }

        private static Process StartGroup(string program, params string[] args)
        {
            var psi = new ProcessStartInfo("/usr/bin/setsid") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add(program);
            foreach (var a in args) psi.ArgumentList.Add(a);
            var p = Process.Start(psi)!;
            p.OutputDataReceived += (_, __) => { };
            p.ErrorDataReceived += (_, __) => { };
            p.BeginOutputReadLine(); p.BeginErrorReadLine();
            return p;
        }

        [DllImport("libc", SetLastError = true)] private static extern int kill(int pid, int sig);

        /// <summary>Kills the process group the browser leads (setsid made it a group leader): its pid only, never by name.</summary>
        private static void KillGroup(Process p)
        {
            kill(-p.Id, 9);
            p.WaitForExit(10_000);
        }

        private static bool WaitFor(Func<bool> condition, int seconds)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (DateTime.UtcNow < until) { if (condition()) return true; Thread.Sleep(250); }
            return condition();
        }

        [Fact]
        public void Real_chromium_running_on_a_profile_is_detected_and_not_after_kill_9()
        {
            Assert.True(File.Exists("/usr/bin/chromium"), "chromium is not installed (scripts/install-test-deps.sh)");
            using var s = new Scratch();
            var ud = Dir(s.P("/chromium-ud"));
            var page = s.P("/page.html");
            File.WriteAllText(page, "<script>localStorage.setItem('k','v')</script>");
            var p = StartGroup("/usr/bin/chromium", "--headless=new", "--no-sandbox", "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--user-data-dir=" + ud, "file://" + page);
            try
            {
                Assert.True(WaitFor(() => Running(Chromium(ud), out _), 60), "chromium did not show as running on its profile");
                Assert.True(Running(Chromium(ud), out var evidence));
                Assert.Contains("SingletonLock", evidence);
            }
            finally { KillGroup(p); }
            // kill -9 leaves SingletonLock behind (stale): its pid is dead, so the profile is not in use.
            Assert.NotNull(new FileInfo(Path.Combine(ud, "SingletonLock")).LinkTarget);
            Assert.True(WaitFor(() => !Running(Chromium(ud), out _), 10), "chromium still shows as running after kill -9");
        }

        [Fact]
        public void Real_firefox_running_on_a_profile_is_detected_and_not_after_kill_9()
        {
            Assert.True(File.Exists("/usr/bin/firefox-esr"), "firefox-esr is not installed (scripts/install-test-deps.sh)");
            using var s = new Scratch();
            var prof = Dir(s.P("/ff-profile"));
            var p = StartGroup("/usr/bin/firefox-esr", "--headless", "--no-remote", "-profile", prof, "about:blank");
            try
            {
                Assert.True(WaitFor(() => Running(Firefox(prof), out _), 90), "firefox-esr did not show as running on its profile");
                Assert.True(Running(Firefox(prof), out var evidence));
                Assert.Contains(".parentlock is locked by pid", evidence);
            }
            finally { KillGroup(p); }
            Assert.True(WaitFor(() => !Running(Firefox(prof), out _), 10), "firefox-esr still shows as running after kill -9");
        }

        // ------------------------------------------------------------------ WA-SESSION-04 (loader and engine)

        private const string WsSetting = @"{ ""target"": ""WebSessions"", ""name"": ""StoredSessions"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""enforce"": false,
            ""source"": ""https://e.org"", ""webSessions"": { ""strictProfile"": ""%P%"", ""cleanExitControl"": ""%C%"" } }";
        private const string ChromiumClear = @"{ ""target"": ""Chromium"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";

        private static Baseline SessionBaseline(string profile = "Shared", string control = "WA-CLEAR-01") => BaselineLoader.Parse($@"{{ ""schemaVersion"": 1, ""name"": ""t"", ""version"": ""1"",
  ""profiles"": {{ ""Standard"": {{ ""description"": ""s"" }}, ""Shared"": {{ ""description"": ""x"", ""includes"": [""Standard""] }} }}, ""parameters"": {{ }},
  ""controls"": [ {EnforcementTests.Control("WA-CLEAR-01", ChromiumClear)}, {EnforcementTests.Control("WA-STORED-01", WsSetting.Replace("%P%", profile).Replace("%C%", control))} ] }}", "t.json");

        [Fact]
        public void The_webSessions_section_must_name_a_profile_and_a_browser_control_of_the_baseline()
        {
            Assert.NotNull(SessionBaseline().Controls[1].Settings[0].WebSessions);
            var e = Assert.Throws<BaselineValidationException>(() => SessionBaseline(profile: "Nope"));
            Assert.Contains(e.Problems, p => p.ToString().Contains("unknown profile 'Nope'"));
            e = Assert.Throws<BaselineValidationException>(() => SessionBaseline(control: "WA-NONE-01"));
            Assert.Contains(e.Problems, p => p.ToString().Contains("unknown control 'WA-NONE-01'"));
            e = Assert.Throws<BaselineValidationException>(() => SessionBaseline(control: "WA-STORED-01"));
            Assert.Contains(e.Problems, p => p.ToString().Contains("has no browser setting"));
            // The section is required for WebSessions and refused elsewhere.
            e = Assert.Throws<BaselineValidationException>(() => EnforcementTests.Baseline(EnforcementTests.Control("WA-X-01",
                @"{ ""target"": ""WebSessions"", ""name"": ""StoredSessions"", ""type"": ""stringList"", ""value"": [""https://a.b""], ""source"": ""https://e.org"" }")));
            Assert.Contains(e.Problems, p => p.ToString().Contains("webSessions") && p.ToString().Contains("required"));
            e = Assert.Throws<BaselineValidationException>(() => EnforcementTests.Baseline(EnforcementTests.Control("WA-X-01",
                ChromiumClear.Replace(@"""compare""", @"""webSessions"": { ""strictProfile"": ""Standard"", ""cleanExitControl"": ""WA-X-01"" }, ""compare"""))));
            Assert.Contains(e.Problems, p => p.ToString().Contains("applies to target WebSessions only"));
        }

        [Fact]
        public void WebSessions_audit_follows_the_profile_and_the_clean_exit_control_and_Set_never_writes_it()
        {
            using var s = new Scratch();
            Passwd(s, "ana");
            s.Touch("/usr/bin/chromium");
            s.Write("/home/ana/.config/chromium/Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000003.log", "IDB");
            var b = SessionBaseline();
            var stored = b.Controls.Where(c => c.Id == "WA-STORED-01").ToList();
            ComplianceResultFor(s, b, stored, null, out var standardOff);
            Assert.Equal(Evaluation.ComplianceStatus.Compliant, standardOff.Status);              // clear-on-exit not in force: by design
            Assert.Contains("WA-CLEAR-01 is NonCompliant for Chromium", standardOff.Reason);
            ComplianceResultFor(s, b, stored, new[] { "Shared", "Standard" }, out var shared);
            Assert.Equal(Evaluation.ComplianceStatus.NonCompliant, shared.Status);
            Assert.Contains("ana Chromium 'Default'", shared.Reason);
            Assert.Contains("IndexedDB stored while the browser is not running", shared.Reason);
            s.Write("/etc/chromium/policies/managed/site.json", "{\"CookiesSessionOnlyForUrls\": [\"https://web.whatsapp.com\"]}");
            ComplianceResultFor(s, b, stored, new[] { "Standard" }, out var standardOn);
            Assert.Equal(Evaluation.ComplianceStatus.NonCompliant, standardOn.Status);
            Assert.Contains("unclean exit (crash, kill, power loss)", standardOn.Reason);
            Assert.Equal("[\"ana Chromium Default: IndexedDB\"]", standardOn.Actual);
            // Set: a finding is reported NotEnforced (like an audit-only setting), nothing is written; no finding, no record.
            var engine = new Engine(new ProviderContext(s.Root, Platforms.Linux) { AuditProfiles = new[] { "Standard" } }) { ReferenceControls = b.Controls };
            var before = s.Snapshot();
            var plan = engine.Plan(stored);
            Assert.Empty(plan.Changes);
            var n = Assert.Single(plan.NotEnforced);
            Assert.Contains("not a setting", n.Reason);
            Assert.Contains("unclean exit", n.Reason);
            Assert.Empty(plan.Operations);
            Assert.Equal(before, s.Snapshot());
            Directory.Delete(s.P("/home/ana/.config/chromium"), true);
            Assert.Empty(engine.Plan(stored).NotEnforced);
        }

        private static void ComplianceResultFor(Scratch s, Baseline b, List<Control> controls, string[]? profiles, out Evaluation.ComplianceResult result)
        {
            var ctx = new ProviderContext(s.Root, Platforms.Linux) { AuditProfiles = profiles };
            var engine = new Engine(ctx) { ReferenceControls = b.Controls };
            result = Assert.Single(engine.Test(controls));
        }
    }

    internal static class TestExtensions
    {
        public static T Also<T>(this T value, Action<T> action) { action(value); return value; }
    }
}
