using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Field truth for the scanner: REAL chromium and firefox-esr store a session (cookie, localStorage, sessionStorage,
    /// IndexedDB, Cache Storage, a service worker) of a test origin served by python3's http.server (the name mapped to
    /// loopback by the browsers' own resolver overrides), in a profile under a scratch home; Get-WaWebSession's scanner
    /// finds every kind while the browser runs (Running, with evidence) and after kill -9 (not running), and nothing of
    /// the origin in the other browser's profile. Browsers are started in their own process group and killed by its id.
    /// </summary>
    public class WebSessionRealBrowserTests
    {
        private const string Page = @"<html><body><script>
document.cookie = 'sess_js=JSCOOKIE; max-age=86400; path=/';
localStorage.setItem('Token1', 'LSVALUE_SECRET_1');
sessionStorage.setItem('SSKEY', 'SSVALUE_SECRET');
const r = indexedDB.open('db', 1);
r.onupgradeneeded = () => r.result.createObjectStore('s');
r.onsuccess = () => { const t = r.result.transaction('s', 'readwrite'); t.objectStore('s').put('IDBVALUE_SECRET', 'k'); t.oncomplete = () => {
  caches.open('c').then(c => c.put('/x', new Response('CACHEVAL'))).then(() => navigator.serviceWorker.register('/sw.js'));
}; };
</script></body></html>";

        private const string Server = @"
import http.server, sys, os, socket
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        if self.path.endswith('.js'): self.send_header('Content-Type', 'application/javascript')
        http.server.SimpleHTTPRequestHandler.end_headers(self)
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
";

        [DllImport("libc", SetLastError = true)] private static extern int kill(int pid, int sig);

        private sealed class Group : IDisposable
        {
            public Group(string program, IEnumerable<string> args, bool readLine = false)
            {
                var psi = new ProcessStartInfo("/usr/bin/setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                psi.ArgumentList.Add(program);
                foreach (var a in args) psi.ArgumentList.Add(a);
                Process = Process.Start(psi)!;
                if (readLine) FirstLine = Process.StandardOutput.ReadLine();
                Process.OutputDataReceived += (_, __) => { };
                Process.ErrorDataReceived += (_, __) => { };
                if (!readLine) Process.BeginOutputReadLine();
                Process.BeginErrorReadLine();
            }
            public Process Process { get; }
            public string? FirstLine { get; }
            /// <summary>SIGKILL to the process group setsid made (the pid is the group id): this test's processes only.</summary>
            public void Kill() { kill(-Process.Id, 9); Process.WaitForExit(10_000); }
            public void Dispose() { if (!Process.HasExited) Kill(); Process.Dispose(); }
        }

        private static (Scratch S, string Site, Group Server) Setup()
        {
            var s = new Scratch();
            s.Write("/etc/passwd", "ana:x:1000:1000::/home/ana:/bin/bash\n");
            Directory.CreateDirectory(s.P("/home/ana"));
            var site = Directory.CreateDirectory(s.P("/site")).FullName;
            File.WriteAllText(Path.Combine(site, "index.html"), Page);
            File.WriteAllText(Path.Combine(site, "sw.js"), "self.addEventListener('fetch', e => {});");
            var server = new Group("/usr/bin/python3", new[] { "-c", Server, site }, readLine: true);
            Assert.True(int.TryParse(server.FirstLine, out _), "the test server did not start");
            return (s, site, server);
        }

        /// <summary>The scan; <paramref name="errors"/> null = none allowed (after the browser is gone); while it runs, a
        /// store caught mid-write may be unreadable for a moment, so errors are only collected then.</summary>
        private static WebSessionProfile? Scan(Scratch s, string origin, string browser, List<WaHardeningException>? errors = null) =>
            WebSessionScanner.Find(new ProviderContext(s.Root, Platforms.Linux), null, new[] { browser }, OriginSet.Parse(new[] { origin }),
                e => { if (errors == null) throw e; errors.Add(e); }).SingleOrDefault();

        private static WebSessionProfile WaitFor(Func<WebSessionProfile?> scan, WebStorageKinds kinds, int seconds)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            WebSessionProfile? last = null;
            while (DateTime.UtcNow < until)
            {
                last = scan();
                if (last != null && (last.Kinds & kinds) == kinds) return last;
                Thread.Sleep(1000);
            }
            Assert.Fail($"expected {kinds}, found {(last == null ? "nothing" : last.Kinds.ToString())}");
            return null!;
        }

        private const WebStorageKinds Stored = WebStorageKinds.Cookies | WebStorageKinds.LocalStorage | WebStorageKinds.SessionStorage
            | WebStorageKinds.IndexedDB | WebStorageKinds.CacheStorage | WebStorageKinds.ServiceWorker;

        [Fact]
        public void Real_chromium_session_every_kind_found_running_and_after_kill_9()
        {
            var (s, _, server) = Setup();
            using (s)
            using (server)
            {
                var port = server.FirstLine!;
                var origin = $"http://wa.test:{port}";
                var ud = s.P("/home/ana/.config/chromium");
                using var chromium = new Group("/usr/bin/chromium", new[] { "--headless=new", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
                    "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + ud,
                    $"--host-resolver-rules=MAP wa.test 127.0.0.1:{port}", "--unsafely-treat-insecure-origin-as-secure=" + origin, origin + "/index.html" });
                // Chromium writes cookies to the database within about 30 s; everything else at once.
                var running = WaitFor(() => Scan(s, origin, "Chromium", new List<WaHardeningException>()), Stored, 90);
                Assert.True(running.Running, "the scan did not see chromium running on the profile");
                Assert.Contains("SingletonLock", running.RunningEvidence);
                Assert.Equal(new[] { origin }, running.Origins);
                chromium.Kill();
                var after = Scan(s, origin, "Chromium");
                Assert.NotNull(after);
                Assert.False(after!.Running);
                Assert.Equal(Stored, after.Kinds & Stored);
                Assert.Contains(after.Locations, l => l.EndsWith(Path.Combine("Default", "Cookies"), StringComparison.Ordinal));
                Assert.Null(Scan(s, "https://web.whatsapp.com", "Chromium"));   // nothing of an origin it never stored
            }
        }

        [Fact]
        public void Real_firefox_session_every_kind_found_running_and_after_kill_9()
        {
            var (s, _, server) = Setup();
            using (s)
            using (server)
            {
                var port = server.FirstLine!;
                var origin = $"http://wa.test:{port}";
                var prof = Directory.CreateDirectory(s.P("/home/ana/.mozilla/firefox/t.default")).FullName;
                File.WriteAllText(s.P("/home/ana/.mozilla/firefox/profiles.ini"), "[Profile0]\nName=default\nIsRelative=1\nPath=t.default\n");
                File.WriteAllText(Path.Combine(prof, "user.js"), "user_pref(\"network.dns.forceResolve\", \"127.0.0.1\");\n" +
                    "user_pref(\"browser.sessionstore.interval\", 1000);\nuser_pref(\"dom.serviceWorkers.testing.enabled\", true);\n");
                using var firefox = new Group("/usr/bin/firefox-esr", new[] { "--headless", "--no-remote", "-profile", prof, origin + "/index.html" });
                var running = WaitFor(() => Scan(s, origin, "Firefox", new List<WaHardeningException>()), Stored | WebStorageKinds.SessionRestore, 90);
                Assert.True(running.Running);
                Assert.Contains(".parentlock is locked by pid", running.RunningEvidence);
                Assert.Contains(running.Locations, l => l.EndsWith("http+++wa.test+" + port, StringComparison.Ordinal));
                firefox.Kill();
                var after = Scan(s, origin, "Firefox");
                Assert.NotNull(after);
                Assert.False(after!.Running);
                Assert.Equal(Stored | WebStorageKinds.SessionRestore, after.Kinds & (Stored | WebStorageKinds.SessionRestore));
                Assert.Null(Scan(s, "https://web.whatsapp.com", "Firefox"));
            }
        }
    }
}
