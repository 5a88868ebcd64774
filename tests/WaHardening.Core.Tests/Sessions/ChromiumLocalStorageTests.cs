using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using WaHardening.Core.Sessions.Formats;
using Xunit;

namespace WaHardening.Core.Tests.Sessions
{
    /// <summary>
    /// A real Chromium Local Storage database: headless chromium visits a loopback page that writes localStorage; our
    /// reader agrees with plyvel and with what the page wrote; after Rewrite, chromium itself reads the kept entries (and
    /// not the dropped one) back from the rewritten database.
    /// </summary>
    /// <remarks>Also Chromium's Cookies SQLite database, against python3's sqlite3.</remarks>
    public class ChromiumLocalStorageTests
    {
        private const string WritePage = @"<html><body><script>
localStorage.setItem('WAToken1', 'LSVALUE_SECRET_1');
localStorage.setItem('wid', 'h\u00e9llo \u4e2d\u6587 UTF16VALUE');
localStorage.setItem('WAToken1', 'LSVALUE_NEWER');
for (let i = 0; i < 30; i++) localStorage.setItem('k' + i, 'v'.repeat(i * 100));
document.cookie = 'wa_cookie=COOKIEVALUE42; max-age=3600; path=/';
</script>written</body></html>";

        private const string ReadPage = @"<html><body><script>
const o = {}; for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); o[k] = localStorage.getItem(k); }
document.body.textContent = 'LS=' + btoa(unescape(encodeURIComponent(JSON.stringify(o)))) + '=END';
</script></body></html>";

        private static string Chromium(string profile, string url)
        {
            var exe = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
            Assert.True(exe != null, "chromium is missing (scripts/install-test-deps.sh installs it)");
            var psi = new ProcessStartInfo(exe!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--headless=new", "--no-sandbox", "--no-first-run", "--no-default-browser-check", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--user-data-dir=" + profile, "--dump-dom", url })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(90_000)) { p.Kill(true); Assert.Fail("chromium did not finish within 90 s"); }
            Assert.True(p.ExitCode == 0, "chromium failed: " + stderr.Result);
            return stdout.Result;
        }

        private sealed class Server : IDisposable
        {
            private readonly Process _p;
            public readonly int Port;
            public Server(string root)
            {
                var l = new TcpListener(IPAddress.Loopback, 0); l.Start(); Port = ((IPEndPoint)l.LocalEndpoint).Port; l.Stop();
                var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { "-m", "http.server", Port.ToString(), "--bind", "127.0.0.1", "--directory", root }) psi.ArgumentList.Add(a);
                _p = Process.Start(psi)!;
                _p.ErrorDataReceived += (_, _) => { }; _p.BeginErrorReadLine(); _p.OutputDataReceived += (_, _) => { }; _p.BeginOutputReadLine();
                for (var i = 0; i < 100; i++)
                {
                    try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, Port); return; }
                    catch (SocketException) { Thread.Sleep(100); }
                }
                Assert.Fail("python3 -m http.server did not start");
            }
            public void Dispose() { try { _p.Kill(true); _p.WaitForExit(5000); } catch (InvalidOperationException) { } _p.Dispose(); }
        }

        [Fact]
        public void Chromium_local_storage_reads_and_rewrites_as_chromium_reads_it()
        {
            var root = Peers.TempDir("chromium-ls");
            try
            {
                var www = Path.Combine(root, "www"); Directory.CreateDirectory(www);
                File.WriteAllText(Path.Combine(www, "write.html"), WritePage);
                File.WriteAllText(Path.Combine(www, "read.html"), ReadPage);
                var profile = Path.Combine(root, "profile");
                using var server = new Server(www);
                var origin = "http://127.0.0.1:" + server.Port;
                Assert.Contains("written", Chromium(profile, origin + "/write.html"));
                var ldb = Path.Combine(profile, "Default", "Local Storage", "leveldb");
                Assert.True(Directory.Exists(ldb), "chromium wrote no Local Storage database");

                var live = LevelDb.ReadLive(ldb);
                var all = LevelDb.ReadAllVersions(ldb);
                byte[] Key(string k) => Encoding.ASCII.GetBytes("_" + origin + "\0\u0001" + k);
                var token = live.Single(r => r.Key.SequenceEqual(Key("WAToken1")));
                Assert.Equal("\u0001LSVALUE_NEWER", Encoding.Latin1.GetString(token.Value));
                var wid = live.Single(r => r.Key.SequenceEqual(Key("wid")));
                Assert.Equal(0, wid.Value[0]); // UTF-16LE form
                Assert.Equal("h\u00e9llo \u4e2d\u6587 UTF16VALUE", Encoding.Unicode.GetString(wid.Value, 1, wid.Value.Length - 1));
                Assert.Contains(live, r => Encoding.ASCII.GetString(r.Key) == "VERSION");
                Assert.Contains(live, r => Encoding.ASCII.GetString(r.Key) == "META:" + origin);
                Assert.True(all.Count >= live.Count);
                // Real LevelDB agrees (on a copy: its open converts the log).
                var copy = Path.Combine(root, "copy");
                Directory.CreateDirectory(copy);
                foreach (var f in Directory.GetFiles(ldb)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
                Assert.Equal(Peers.Run("leveldb_peer.py", "dump", copy).Split('\n', StringSplitOptions.RemoveEmptyEntries),
                    live.Select(r => Peers.Hex(r.Key) + " " + Peers.Hex(r.Value)));

                // Chromium's Cookies database (SQLite) reads as python3's sqlite3 reads it (on a copy: SQLite may recover it).
                var cookies = new[] { Path.Combine(profile, "Default", "Cookies"), Path.Combine(profile, "Default", "Network", "Cookies") }.First(File.Exists);
                var cdb = SqliteDatabase.Open(cookies);
                Assert.Contains(cdb.Rows("cookies"), r => "wa_cookie".Equals(r[cdb.Columns("cookies").ToList().IndexOf("name")]));
                var ccopy = Path.Combine(root, "cookies-copy");
                foreach (var f in Directory.GetFiles(Path.GetDirectoryName(cookies)!, "Cookies*")) File.Copy(f, ccopy + Path.GetFileName(f).Substring("Cookies".Length));
                Peers.Run("sqlite_peer.py", "dump", ccopy, ccopy + ".expected");
                SqliteTests.AssertSame(cdb, ccopy + ".expected");

                // Drop the token; chromium itself must then read exactly the rest.
                Assert.Equal(1, LevelDb.Rewrite(ldb, k => !k.SequenceEqual(Key("WAToken1"))));
                Assert.Empty(Peers.FilesContaining(ldb, Encoding.ASCII.GetBytes("LSVALUE_NEWER")));
                Assert.Empty(Peers.FilesContaining(ldb, Encoding.ASCII.GetBytes("LSVALUE_SECRET_1")));
                var dom = Chromium(profile, origin + "/read.html");
                var start = dom.IndexOf("LS=", StringComparison.Ordinal); var end = dom.IndexOf("=END", StringComparison.Ordinal);
                Assert.True(start >= 0 && end > start, "the read page printed no localStorage: " + dom);
                var json = Encoding.UTF8.GetString(Convert.FromBase64String(dom.Substring(start + 3, end - start - 3)));
                Assert.DoesNotContain("WAToken1", json);
                Assert.Contains("\"wid\":\"h\u00e9llo \u4e2d\u6587 UTF16VALUE\"", json);
                Assert.Contains("\"k29\":\"" + new string('v', 2900) + "\"", json);
            }
            finally { Directory.Delete(root, true); }
        }
    }
}
