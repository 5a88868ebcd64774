using System;
using System.Collections.Concurrent;
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
    /// MozLz4 against Firefox itself: firefox-esr restores a session from a sessionstore.jsonlz4 that MozLz4.Encode wrote
    /// (it loads the tab's loopback URL), and the recovery.jsonlz4 Firefox then writes is read by MozLz4.Decode. Also
    /// Firefox's live cookies.sqlite (WAL mode) read by SqliteDatabase, against python3's sqlite3.
    /// </summary>
    public class FirefoxSessionStoreTests
    {
        [Fact]
        public void Firefox_restores_a_session_encoded_by_MozLz4_and_MozLz4_decodes_what_firefox_writes()
        {
            Assert.True(File.Exists("/usr/bin/firefox-esr"), "firefox-esr is missing (scripts/install-test-deps.sh installs it)");
            var root = Peers.TempDir("firefox-ss");
            Process? server = null, firefox = null;
            try
            {
                var marker = "marker-" + Guid.NewGuid().ToString("N") + ".html";
                var www = Path.Combine(root, "www"); Directory.CreateDirectory(www);
                File.WriteAllText(Path.Combine(www, marker), "<html><title>marker</title><script>document.cookie = 'ff_cookie=FFCOOKIE42; max-age=3600; path=/';</script>marker</html>");
                var l = new TcpListener(IPAddress.Loopback, 0); l.Start(); var port = ((IPEndPoint)l.LocalEndpoint).Port; l.Stop();
                var requests = new ConcurrentQueue<string>();
                var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { "-m", "http.server", port.ToString(), "--bind", "127.0.0.1", "--directory", www }) psi.ArgumentList.Add(a);
                server = Process.Start(psi)!;
                server.ErrorDataReceived += (_, e) => { if (e.Data != null) requests.Enqueue(e.Data); };
                server.OutputDataReceived += (_, e) => { if (e.Data != null) requests.Enqueue(e.Data); };
                server.BeginErrorReadLine(); server.BeginOutputReadLine();

                var profile = Path.Combine(root, "profile"); Directory.CreateDirectory(profile);
                File.WriteAllText(Path.Combine(profile, "user.js"), string.Join("\n",
                    "user_pref(\"browser.startup.page\", 3);", "user_pref(\"browser.sessionstore.interval\", 1000);",
                    "user_pref(\"browser.shell.checkDefaultBrowser\", false);", "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
                    "user_pref(\"toolkit.telemetry.reportingpolicy.firstRun\", false);", "user_pref(\"browser.aboutwelcome.enabled\", false);",
                    "user_pref(\"startup.homepage_welcome_url\", \"\");", "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");") + "\n");
                var url = $"http://127.0.0.1:{port}/{marker}";
                var session = "{\"version\":[\"sessionrestore\",1],\"windows\":[{\"tabs\":[{\"entries\":[{\"url\":\"" + url +
                    "\",\"title\":\"marker\",\"triggeringPrincipal_base64\":\"\"}],\"index\":1}],\"selected\":1}],\"selectedWindow\":1," +
                    "\"_closedWindows\":[],\"session\":{\"lastUpdate\":0,\"startTime\":0,\"recentCrashes\":0},\"global\":{}," +
                    "\"padding\":\"" + string.Concat(Enumerable.Repeat("compressible padding ", 2000)) + "\"}";
                var encoded = MozLz4.Encode(Encoding.UTF8.GetBytes(session));
                Assert.True(encoded.Length < session.Length / 4, "Encode compresses");
                File.WriteAllBytes(Path.Combine(profile, "sessionstore.jsonlz4"), encoded);

                var fpsi = new ProcessStartInfo("/usr/bin/firefox-esr") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { "--headless", "--no-remote", "-profile", profile }) fpsi.ArgumentList.Add(a);
                firefox = Process.Start(fpsi)!;
                firefox.ErrorDataReceived += (_, _) => { }; firefox.OutputDataReceived += (_, _) => { };
                firefox.BeginErrorReadLine(); firefox.BeginOutputReadLine();

                var recovery = Path.Combine(profile, "sessionstore-backups", "recovery.jsonlz4");
                string? recovered = null;
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed < TimeSpan.FromSeconds(90))
                {
                    if (requests.Any(r => r.Contains("GET /" + marker)) && File.Exists(recovery))
                    {
                        try
                        {
                            var text = Encoding.UTF8.GetString(MozLz4.Decode(File.ReadAllBytes(recovery), 64 << 20, recovery));
                            if (text.Contains(url)) { recovered = text; break; }
                        }
                        catch (WaHardeningException) { } // caught mid-write (Firefox writes it through a temp file, so rarely)
                        catch (IOException) { }
                    }
                    Thread.Sleep(500);
                }
                Assert.True(requests.Any(r => r.Contains("GET /" + marker)), "firefox did not load the tab of the session MozLz4.Encode wrote: " + string.Join(" | ", requests));
                Assert.True(recovered != null, "firefox's recovery.jsonlz4 did not decode to a session holding the tab");
                Assert.StartsWith("{", recovered);

                // Firefox's cookies.sqlite (WAL mode, written while it runs): our reader finds the page's cookie, and after
                // a hard kill (the WAL is left uncheckpointed) it reads what python3's sqlite3 reads.
                var cookies = Path.Combine(profile, "cookies.sqlite");
                var found = false;
                sw.Restart();
                while (!found && sw.Elapsed < TimeSpan.FromSeconds(30))
                {
                    try
                    {
                        var c = SqliteDatabase.Open(cookies);
                        found = c.HasTable("moz_cookies") && c.Rows("moz_cookies").Any(r => r.Contains("FFCOOKIE42"));
                    }
                    catch (WaHardeningException) { }
                    if (!found) Thread.Sleep(500);
                }
                Assert.True(found, "the cookie the page set is not in cookies.sqlite as read by SqliteDatabase");
                firefox.Kill(true);
                firefox.WaitForExit(10_000);
                var copy = Path.Combine(root, "cookies-copy.sqlite");
                foreach (var f in Directory.GetFiles(profile, "cookies.sqlite*")) File.Copy(f, copy + Path.GetFileName(f).Substring("cookies.sqlite".Length));
                var ours = SqliteDatabase.Open(copy);
                Peers.Run("sqlite_peer.py", "dump", copy, copy + ".expected");
                SqliteTests.AssertSame(ours, copy + ".expected");
            }
            finally
            {
                foreach (var p in new[] { firefox, server })
                {
                    if (p == null) continue;
                    try { if (!p.HasExited) { p.Kill(true); p.WaitForExit(10_000); } } catch (InvalidOperationException) { }
                    p.Dispose();
                }
                try { Directory.Delete(root, true); } catch (IOException) { }
            }
        }
    }
}
