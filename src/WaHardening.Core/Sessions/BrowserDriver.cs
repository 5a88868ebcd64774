using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using WaHardening.Core.Json;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Sessions
{
    /// <summary>What the browser's own deletion code did for one profile.</summary>
    public sealed class BrowserClearReport
    {
        /// <summary>"DevTools" (Chromium family) or "Marionette" (Firefox).</summary>
        public string Method { get; internal set; } = "";
        /// <summary>The browser program that ran.</summary>
        public string Executable { get; internal set; } = "";
        /// <summary>The account it ran as.</summary>
        public string RanAs { get; internal set; } = "";
        /// <summary>Cookies the browser deleted (Chromium: Network.deleteCookies calls; Firefox: not counted, -1).</summary>
        public int CookiesDeleted { get; internal set; }
        /// <summary>What else is worth knowing (per-site results, files restored).</summary>
        public List<string> Notes { get; } = new List<string>();
    }

    /// <summary>
    /// Clears origins' data with the browser's own code, on a profile no browser runs on: Chromium family through a
    /// headless start and the DevTools protocol (<c>Storage.clearDataForOrigin</c> for every storage type, then
    /// <c>Network.deleteCookies</c> for the host's and its parent domains' cookies, then <c>Browser.close</c>); Firefox
    /// through Marionette and its clear-data service (<c>deleteDataFromSite</c> on the site, with cookies, site data,
    /// caches and history, so the session history holding sessionStorage is purged too). When root clears another
    /// user's profile the browser runs as that user (setpriv), so no root-owned file appears in the profile.
    /// The browser gets no network during the clear (Chromium: every host name resolves to nothing; Firefox: no session
    /// restore, the start page blank, and the same host mapping).
    /// </summary>
    public static class BrowserDriver
    {
        public static TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
        public static TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);
        public static TimeSpan ExitTimeout { get; set; } = TimeSpan.FromSeconds(30);

        private static readonly string[] FirefoxNames = { "Firefox" };

        public static bool IsFirefox(string browser) => FirefoxNames.Contains(browser, StringComparer.OrdinalIgnoreCase);

        /// <summary>The browser program for a target name (Chrome, Chromium, Edge, Brave, Firefox) on this machine, or a
        /// typed error naming what was looked for.</summary>
        public static string FindExecutable(string browser)
        {
            string[] linux, windows, mac;
            switch (browser.ToLowerInvariant())
            {
                case "chromium":
                    linux = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium" };
                    windows = new[] { @"%LOCALAPPDATA%\Chromium\Application\chrome.exe" };
                    mac = new[] { "/Applications/Chromium.app/Contents/MacOS/Chromium" };
                    break;
                case "chrome":
                    linux = new[] { "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome" };
                    windows = new[] { @"%ProgramFiles%\Google\Chrome\Application\chrome.exe", @"%ProgramFiles(x86)%\Google\Chrome\Application\chrome.exe", @"%LOCALAPPDATA%\Google\Chrome\Application\chrome.exe" };
                    mac = new[] { "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" };
                    break;
                case "edge":
                    linux = new[] { "/usr/bin/microsoft-edge", "/usr/bin/microsoft-edge-stable", "/opt/microsoft/msedge/msedge" };
                    windows = new[] { @"%ProgramFiles(x86)%\Microsoft\Edge\Application\msedge.exe", @"%ProgramFiles%\Microsoft\Edge\Application\msedge.exe" };
                    mac = new[] { "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge" };
                    break;
                case "brave":
                    linux = new[] { "/usr/bin/brave-browser", "/usr/bin/brave", "/opt/brave.com/brave/brave" };
                    windows = new[] { @"%ProgramFiles%\BraveSoftware\Brave-Browser\Application\brave.exe" };
                    mac = new[] { "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser" };
                    break;
                case "firefox":
                    linux = new[] { "/usr/bin/firefox-esr", "/usr/bin/firefox", "/usr/lib/firefox-esr/firefox-esr", "/usr/lib/firefox/firefox" };
                    windows = new[] { @"%ProgramFiles%\Mozilla Firefox\firefox.exe", @"%ProgramFiles(x86)%\Mozilla Firefox\firefox.exe" };
                    mac = new[] { "/Applications/Firefox.app/Contents/MacOS/firefox" };
                    break;
                default:
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserNotFound, WaErrorCategory.InvalidArgument,
                        $"'{browser}' is not a browser the clear can drive (Chrome, Chromium, Edge, Brave, Firefox).", browser);
            }
            var candidates = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? windows.Select(Environment.ExpandEnvironmentVariables).ToArray()
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? mac : linux;
            foreach (var c in candidates) if (File.Exists(c)) return c;
            throw new WaHardeningException(ErrorIds.WebSessionBrowserNotFound, WaErrorCategory.ObjectNotFound,
                $"{browser} is not installed where the clear looks for it ({string.Join(", ", candidates)}); the profile was not touched.", browser);
        }

        /// <summary>The host of an origin ("https://web.whatsapp.com" → "web.whatsapp.com"), or a typed error.</summary>
        public static string HostOf(string origin)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var u) || (u.Scheme != "https" && u.Scheme != "http") || string.IsNullOrEmpty(u.Host))
                throw new WaHardeningException(ErrorIds.WebSessionOriginInvalid, WaErrorCategory.InvalidArgument,
                    $"'{origin}' is not an http(s) origin such as https://web.whatsapp.com.", origin);
            return u.Host.ToLowerInvariant();
        }

        /// <summary>The origin in its serialized form (scheme://host[:port], no path, no trailing slash).</summary>
        public static string Normalize(string origin)
        {
            var host = HostOf(origin);
            var u = new Uri(origin);
            return u.IsDefaultPort ? $"{u.Scheme}://{host}" : $"{u.Scheme}://{host}:{u.Port.ToString(CultureInfo.InvariantCulture)}";
        }

        /// <summary>True when a cookie of <paramref name="cookieDomain"/> (".whatsapp.com", "web.whatsapp.com") is sent to
        /// <paramref name="host"/>: the domain is the host or a parent domain of it with at least two labels.</summary>
        public static bool CookieDomainCovers(string cookieDomain, string host)
        {
            var d = cookieDomain.TrimStart('.').ToLowerInvariant();
            if (d.Length == 0) return false;
            if (d == host) return true;
            return d.IndexOf('.') > 0 && host.EndsWith("." + d, StringComparison.Ordinal);
        }

        // ---------------------------------------------------------------- Chromium family

        /// <summary>Clears <paramref name="origins"/> in a Chromium-family profile with the browser's own code (see the class).</summary>
        public static BrowserClearReport ClearChromium(string browser, string userDataDirectory, string profileName, IReadOnlyList<string> origins)
        {
            var exe = FindExecutable(browser);
            var account = BrowserAccount.ForProfile(userDataDirectory);
            var report = new BrowserClearReport { Method = "DevTools", Executable = exe, RanAs = account.IsCurrent ? Environment.UserName : account.Name };
            var portFile = Path.Combine(userDataDirectory, "DevToolsActivePort");
            DeleteRegularFile(portFile);
            var args = new List<string>
            {
                "--headless=new", "--no-first-run", "--no-default-browser-check", "--disable-sync", "--disable-background-networking",
                "--disable-component-update", "--disable-gpu", "--remote-debugging-port=0",
                // No network while clearing: a restored tab must not fetch the site (and store new data) again.
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--user-data-dir=" + userDataDirectory, "--profile-directory=" + profileName,
            };
            if (account.IsCurrent && BrowserAccount.EffectiveUid() == 0) args.Add("--no-sandbox"); // Chromium refuses to run as root with its sandbox.
            args.Add("about:blank");
            using var proc = BrowserProcess.Start(exe, args, account);
            try
            {
                var (port, path) = WaitForDevToolsPort(proc, portFile, browser);
                using var cdp = DevToolsClient.Connect(new Uri($"ws://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}"), CommandTimeout);
                // Close what the browser restored, so no page of the origins is open while its data goes.
                var targets = cdp.Call("Target.getTargets", null, null, CommandTimeout)["targetInfos"] as JsonArray;
                var created = cdp.Call("Target.createTarget", new JsonObject().Set("url", "about:blank"), null, CommandTimeout);
                var targetId = (created["targetId"] as JsonString)?.Value ?? throw Protocol("Target.createTarget returned no targetId");
                foreach (var t in targets?.Items.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>())
                {
                    if ((t["type"] as JsonString)?.Value != "page") continue;
                    var id = (t["targetId"] as JsonString)?.Value;
                    if (id != null && id != targetId) cdp.Call("Target.closeTarget", new JsonObject().Set("targetId", id), null, CommandTimeout);
                }
                var attached = cdp.Call("Target.attachToTarget", new JsonObject().Set("targetId", targetId).Set("flatten", true), null, CommandTimeout);
                var session = (attached["sessionId"] as JsonString)?.Value ?? throw Protocol("Target.attachToTarget returned no sessionId");
                foreach (var origin in origins)
                {
                    cdp.Call("Storage.clearDataForOrigin", new JsonObject().Set("origin", Normalize(origin)).Set("storageTypes", "all"), session, CommandTimeout);
                    report.Notes.Add($"Storage.clearDataForOrigin {Normalize(origin)} (all storage types)");
                }
                var hosts = origins.Select(HostOf).Distinct().ToList();
                var deleted = 0;
                for (var pass = 0; pass < 3; pass++)
                {
                    var cookies = (cdp.Call("Storage.getCookies", null, null, CommandTimeout)["cookies"] as JsonArray)?.Items.OfType<JsonObject>().ToList()
                        ?? new List<JsonObject>();
                    var match = cookies.Where(c => c["domain"] is JsonString d && hosts.Any(h => CookieDomainCovers(d.Value, h))).ToList();
                    if (match.Count == 0) break;
                    if (pass == 2)
                        throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidOperation,
                            $"{browser} still has {match.Count} cookie(s) of {string.Join(", ", hosts)} after Network.deleteCookies ({string.Join(", ", match.Select(c => c["domain"] + " " + c["name"]))}) in '{userDataDirectory}'.", userDataDirectory);
                    foreach (var c in match)
                    {
                        var p = new JsonObject().Set("name", c["name"] ?? new JsonString("")).Set("domain", c["domain"]!)
                            .Set("path", c["path"] ?? new JsonString("/"));
                        if (c.TryGet("partitionKey", out var pk) && pk.Kind != JsonKind.Null) p.Set("partitionKey", pk);
                        cdp.Call("Network.deleteCookies", p, session, CommandTimeout);
                        deleted++;
                    }
                }
                report.CookiesDeleted = deleted;
                try { cdp.Call("Browser.close", null, null, TimeSpan.FromSeconds(10)); }
                catch (WaHardeningException) { /* the connection may drop before the reply; the exit wait decides */ }
            }
            catch
            {
                proc.Kill();
                throw;
            }
            WaitForExitOrKill(proc, browser, userDataDirectory);
            DeleteRegularFile(portFile);
            return report;
        }

        private static (int port, string path) WaitForDevToolsPort(BrowserProcess proc, string portFile, string browser)
        {
            var deadline = DateTime.UtcNow + StartTimeout;
            while (true)
            {
                if (proc.HasExited)
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidOperation,
                        $"{browser} exited with code {proc.ExitCode} before its DevTools port was up: {proc.StandardErrorTail.Trim()}", portFile);
                var lines = ReadSmallFile(portFile)?.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
                if (lines != null && lines.Length >= 2 && int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
                    && lines[1].Trim().StartsWith("/devtools/browser/", StringComparison.Ordinal))
                    return (port, lines[1].Trim());
                if (DateTime.UtcNow > deadline)
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserTimeout, WaErrorCategory.ResourceUnavailable,
                        $"{browser} did not write {portFile} within {StartTimeout.TotalSeconds:0} s: {proc.StandardErrorTail.Trim()}", portFile);
                Thread.Sleep(100);
            }
        }

        // ---------------------------------------------------------------- Firefox

        /// <summary>
        /// Clears the sites of <paramref name="origins"/> in a Firefox profile through Marionette and
        /// <c>Services.clearData.deleteDataFromSite</c> (CLEAR_COOKIES_AND_SITE_DATA | CLEAR_ALL_CACHES | CLEAR_HISTORY).
        /// Marionette's port is chosen by Firefox (pref <c>marionette.port</c> = 0 in <c>user.js</c>, read back from
        /// <c>MarionetteActivePort</c>); <c>user.js</c> and <c>prefs.js</c> are put back byte for byte afterwards (and
        /// removed when they were not there), as is <c>MarionetteActivePort</c>.
        /// </summary>
        public static BrowserClearReport ClearFirefox(string profilePath, IReadOnlyList<string> origins)
        {
            var exe = FindExecutable("Firefox");
            var account = BrowserAccount.ForProfile(profilePath);
            var report = new BrowserClearReport { Method = "Marionette", Executable = exe, RanAs = account.IsCurrent ? Environment.UserName : account.Name, CookiesDeleted = -1 };
            var userJs = Path.Combine(profilePath, "user.js");
            var prefsJs = Path.Combine(profilePath, "prefs.js");
            var portFile = Path.Combine(profilePath, "MarionetteActivePort");
            var savedUser = SaveFile(userJs);
            var savedPrefs = SaveFile(prefsJs);
            var hadPortFile = File.Exists(portFile);
            try
            {
                var extra = new StringBuilder();
                extra.Append("\n// Clear-WaWebSession (removed again after the clear)\n");
                foreach (var line in new[]
                {
                    "user_pref(\"marionette.port\", 0);",
                    "user_pref(\"browser.sessionstore.resume_from_crash\", false);",
                    "user_pref(\"browser.sessionstore.resume_session_once\", false);",
                    "user_pref(\"browser.startup.page\", 0);",
                    "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");",
                    "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
                    "user_pref(\"app.update.disabledForTesting\", true);",
                    "user_pref(\"network.dns.forceResolve\", \"127.0.0.255\");",
                    "user_pref(\"network.proxy.type\", 0);",
                    "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
                }) extra.Append(line).Append('\n');
                var bytes = (savedUser.Bytes ?? Array.Empty<byte>()).Concat(Encoding.UTF8.GetBytes(extra.ToString())).ToArray();
                WriteInPlace(userJs, bytes, savedUser.Bytes != null);
                DeleteRegularFile(portFile);

                var env = new Dictionary<string, string> { ["MOZ_CRASHREPORTER_DISABLE"] = "1" };
                var args = new List<string> { "--headless", "--marionette", "--remote-allow-system-access", "--no-remote", "-profile", profilePath, "about:blank" };
                using var proc = BrowserProcess.Start(exe, args, account, env);
                try
                {
                    var port = WaitForMarionettePort(proc, portFile);
                    using var mn = MarionetteClient.Connect(port, CommandTimeout);
                    mn.Call("WebDriver:NewSession", new JsonObject().Set("strictFileInteractability", true), CommandTimeout);
                    mn.Call("WebDriver:SetTimeouts", new JsonObject().Set("script", new JsonNumber((long)CommandTimeout.TotalMilliseconds)), CommandTimeout);
                    mn.Call("Marionette:SetContext", new JsonObject().Set("value", "chrome"), CommandTimeout);
                    var hosts = new JsonArray(origins.Select(HostOf).Distinct().Select(h => (JsonValue)new JsonString(h)));
                    var result = mn.Call("WebDriver:ExecuteAsyncScript", new JsonObject().Set("script", FirefoxClearScript).Set("args", new JsonArray(new JsonValue[] { hosts })),
                        CommandTimeout + TimeSpan.FromSeconds(10));
                    var text = ((result as JsonObject)?["value"] as JsonString)?.Value
                        ?? throw Protocol($"the clear-data script returned no value ({result})");
                    var outcome = JsonParser.Parse(text, "Firefox clear-data result") as JsonObject ?? throw Protocol("the clear-data result is not an object");
                    if (outcome["error"] is JsonString err)
                        throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidOperation,
                            $"Firefox's clear-data service failed in '{profilePath}': {err.Value}", profilePath);
                    if (outcome["codes"] is JsonObject codes)
                        foreach (var kv in codes.Properties)
                        {
                            report.Notes.Add($"Services.clearData.deleteDataFromSite {kv.Key}: {kv.Value}");
                            if (!(kv.Value is JsonNumber n) || !n.TryGetInt64(out var code) || code != 0)
                                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidOperation,
                                    $"Firefox's clear-data service reported failure {kv.Value} for site '{kv.Key}' in '{profilePath}'.", profilePath);
                        }
                    if (outcome["left"] is JsonArray left && left.Count > 0)
                        throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidOperation,
                            $"Firefox still has cookies after the clear in '{profilePath}': {left}", profilePath);
                    try { mn.Call("Marionette:Quit", new JsonObject().Set("flags", new JsonArray(new JsonValue[] { new JsonString("eAttemptQuit") })), TimeSpan.FromSeconds(20)); }
                    catch (WaHardeningException) { /* the connection may drop before the reply; the exit wait decides */ }
                }
                catch
                {
                    proc.Kill();
                    throw;
                }
                WaitForExitOrKill(proc, "Firefox", profilePath);
            }
            finally
            {
                RestoreFile(userJs, savedUser);
                RestoreFile(prefsJs, savedPrefs);
                if (!hadPortFile) DeleteRegularFile(portFile);
                report.Notes.Add("user.js and prefs.js put back byte for byte");
            }
            return report;
        }

        // Runs in Firefox's chrome context (Marionette, --remote-allow-system-access). The last argument is Marionette's
        // callback. deleteDataFromSite works on the site (eTLD+1), so the parent-domain cookies (.whatsapp.com) go too;
        // CLEAR_HISTORY is what purges the session history (the sessionStorage kept for session restore).
        private const string FirefoxClearScript = @"
const done = arguments[arguments.length - 1];
const hosts = arguments[0];
(async () => {
  const S = Ci.nsIClearDataService;
  const flags = (S.CLEAR_COOKIES_AND_SITE_DATA | S.CLEAR_ALL_CACHES | S.CLEAR_HISTORY) >>> 0;
  const sites = [...new Set(hosts.map(h => { try { return Services.eTLD.getBaseDomainFromHost(h); } catch (e) { return h; } }))];
  const codes = {};
  for (const site of sites) {
    codes[site] = await new Promise(r => Services.clearData.deleteDataFromSite(site, {}, true, flags, { onDataDeleted: c => r(c) }));
  }
  const covered = (h) => { h = h.replace(/^\./, '').toLowerCase(); return hosts.some(x => x === h || (h.includes('.') && x.endsWith('.' + h))); };
  const left = Services.cookies.cookies.filter(c => covered(c.host)).map(c => c.host + ' ' + c.name);
  done(JSON.stringify({ sites, codes, left }));
})().catch(e => done(JSON.stringify({ error: String(e) })));
";

        private static int WaitForMarionettePort(BrowserProcess proc, string portFile)
        {
            var deadline = DateTime.UtcNow + StartTimeout;
            while (true)
            {
                if (proc.HasExited)
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidOperation,
                        $"Firefox exited with code {proc.ExitCode} before Marionette was up: {proc.StandardErrorTail.Trim()}", portFile);
                var text = ReadSmallFile(portFile)?.Trim();
                if (text != null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0) return port;
                if (DateTime.UtcNow > deadline)
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserTimeout, WaErrorCategory.ResourceUnavailable,
                        $"Firefox did not write {portFile} within {StartTimeout.TotalSeconds:0} s: {proc.StandardErrorTail.Trim()}", portFile);
                Thread.Sleep(100);
            }
        }

        // ---------------------------------------------------------------- shared

        private static void WaitForExitOrKill(BrowserProcess proc, string browser, string target)
        {
            if (proc.WaitForExit(ExitTimeout)) return;
            proc.Kill();
            throw new WaHardeningException(ErrorIds.WebSessionBrowserTimeout, WaErrorCategory.ResourceUnavailable,
                $"{browser} did not exit within {ExitTimeout.TotalSeconds:0} s after it was asked to close; it was killed (pid {proc.Id}). The data it cleared may not all be written: run the clear again.", target);
        }

        private static WaHardeningException Protocol(string what) =>
            new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidData, $"Unexpected reply from the browser: {what}.", what);

        private static string? ReadSmallFile(string path)
        {
            try
            {
                var fi = new FileInfo(path);
                if (!fi.Exists || fi.Length > 4096) return null;
                return File.ReadAllText(path);
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }

        internal sealed class SavedFile
        {
            public byte[]? Bytes;
        }

        private static SavedFile SaveFile(string path)
        {
            var kind = Kind(path);
            if (kind == null) return new SavedFile();
            if (kind != UnixFileKind.Regular)
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidData,
                    $"'{path}' is a {UnixFileStatus.Describe(kind.Value)}, not a regular file; the profile is not touched.", path);
            var fi = new FileInfo(path);
            if (fi.Length > 64 * 1024 * 1024)
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidData,
                    $"'{path}' is {fi.Length} bytes, more than a preference file can be; the profile is not touched.", path);
            return new SavedFile { Bytes = File.ReadAllBytes(path) };
        }

        private static void RestoreFile(string path, SavedFile saved)
        {
            if (saved.Bytes == null) { DeleteRegularFile(path); return; }
            WriteInPlace(path, saved.Bytes, Kind(path) != null);
        }

        /// <summary>Writes a profile file: an existing regular file in place (its inode, mode and owner kept), a new one
        /// created and given to the profile folder's owner. Never through a symlink.</summary>
        private static void WriteInPlace(string path, byte[] bytes, bool exists)
        {
            var kind = Kind(path);
            if (kind != null && kind != UnixFileKind.Regular)
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidData,
                    $"'{path}' is a {UnixFileStatus.Describe(kind.Value)}, not a regular file; it is not written.", path);
            using (var fs = new FileStream(path, kind != null ? FileMode.Truncate : FileMode.CreateNew, FileAccess.Write, FileShare.None))
                fs.Write(bytes, 0, bytes.Length);
            if (kind == null && UnixFileStatus.CanStat && UnixFileStatus.Stat(Path.GetDirectoryName(path)!, false, out var dir) == 0
                && BrowserAccount.EffectiveUid() == 0)
            {
                BrowserProcess.Chown(path, dir.Uid, dir.Gid);
                UnixFileStatus.Chmod(path, Convert.ToInt32("644", 8));
            }
        }

        private static UnixFileKind? Kind(string path)
        {
            if (UnixFileStatus.CanStat)
            {
                var rc = UnixFileStatus.Stat(path, false, out var st);
                return rc == 0 ? st.Kind : (UnixFileKind?)null;
            }
            var fi = new FileInfo(path);
            if ((fi.Attributes & FileAttributes.ReparsePoint) != 0 && fi.Exists) return UnixFileKind.SymbolicLink;
            if (fi.Exists) return UnixFileKind.Regular;
            return Directory.Exists(path) ? UnixFileKind.Directory : (UnixFileKind?)null;
        }

        internal static void DeleteRegularFile(string path)
        {
            var kind = Kind(path);
            if (kind == UnixFileKind.Regular) File.Delete(path);
        }
    }
}
