using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Platform;
using WaHardening.Core.Sessions.Formats;

namespace WaHardening.Core.Sessions
{
    /// <summary>What Clear-WaWebSession did for one profile.</summary>
    public sealed class WebSessionClearResult
    {
        public string User { get; set; } = "";
        public string Browser { get; set; } = "";
        public string ProfilePath { get; set; } = "";
        public string ProfileName { get; set; } = "";
        /// <summary>The origins whose data was cleared (or would have been).</summary>
        public IReadOnlyList<string> Origins { get; set; } = Array.Empty<string>();
        /// <summary>"Cleared", "Skipped" or "Failed".</summary>
        public string Status { get; set; } = "";
        /// <summary>The ErrorId when skipped or failed (e.g. WebSessionBrowserRunning), "" when cleared.</summary>
        public string Reason { get; set; } = "";
        /// <summary>Human-readable detail of the reason.</summary>
        public string Message { get; set; } = "";
        /// <summary>The kinds of the origins' data the profile held (from Get-WaWebSession) and that were cleared.</summary>
        public WebStorageKinds Cleared { get; set; }
        /// <summary>The kinds Get-WaWebSession's scanner still finds for the origins after the clear (None when it worked).</summary>
        public WebStorageKinds Remaining { get; set; }
        /// <summary>Where the scanner still finds them.</summary>
        public IReadOnlyList<string> RemainingLocations { get; set; } = Array.Empty<string>();
        /// <summary>True when -Force closed the running browser first.</summary>
        public bool ClosedBrowser { get; set; }
        /// <summary>How the browser's own code ran (DevTools / Marionette), the account it ran as.</summary>
        public string Method { get; set; } = "";
        public string RanAs { get; set; } = "";
        /// <summary>Per-origin files and folders removed after the browser's clear.</summary>
        public IReadOnlyList<string> Removed { get; set; } = Array.Empty<string>();
        /// <summary>Shared files rewritten without the origins' records (LevelDB folders, session-restore files).</summary>
        public IReadOnlyList<string> Rewritten { get; set; } = Array.Empty<string>();
        /// <summary>Notes (per-step results).</summary>
        public IReadOnlyList<string> Notes { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// Removes the origins' data from one browser profile (issue #16): a profile a browser runs on is skipped with
    /// <see cref="ErrorIds.WebSessionBrowserRunning"/> and not touched, unless <c>force</c>, which closes that browser
    /// first (SIGTERM to the pid of Chromium's SingletonLock or Firefox's lock: a clean exit for Chromium, an unclean one
    /// for Firefox, whose data the clear then removes anyway). A profile no browser runs on is cleared by the browser's
    /// own code (<see cref="BrowserDriver"/>), then what the browser leaves is removed: per-origin folders it did not
    /// delete, and the bytes of deleted records in shared stores (LevelDB logs and tables are rewritten with their live
    /// records only, less the origins'; Firefox's session-restore files are rewritten without the origins or removed).
    /// Rewritten files keep their mode and owner; nothing is written through a symlink; deletions stay under the profile.
    /// </summary>
    public static class WebSessionCleaner
    {
        /// <summary>How long -Force waits for a browser to exit after SIGTERM.</summary>
        public static TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

        public static WebSessionClearResult Clear(WebSessionProfile profile, IReadOnlyList<string> origins, bool force)
        {
            var result = new WebSessionClearResult
            {
                User = profile.User, Browser = profile.Browser, ProfilePath = profile.ProfilePath, ProfileName = profile.ProfileName,
                Origins = origins.Select(BrowserDriver.Normalize).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            };
            var notes = new List<string>();
            var removed = new List<string>();
            var rewritten = new List<string>();
            var firefox = BrowserDriver.IsFirefox(profile.Browser);
            var (running, evidence) = Probe(profile);
            if (running)
            {
                if (!force)
                {
                    result.Status = "Skipped";
                    result.Reason = ErrorIds.WebSessionBrowserRunning;
                    result.Message = $"{profile.Browser} runs on '{profile.ProfilePath}' ({evidence}); nothing was touched. Close it, or use -Force to close it first.";
                    return result;
                }
                CloseBrowser(profile, firefox, evidence);
                result.ClosedBrowser = true;
                notes.Add($"closed the running {profile.Browser} ({evidence}) with SIGTERM");
                // What the exit looked like: a clean Chromium exit removes its Singleton links, a clean Firefox exit
                // its crash-recovery file.
                var trace = firefox ? Path.Combine(profile.ProfilePath, "sessionstore-backups", "recovery.jsonlz4") : Path.Combine(profile.UserDataDirectory, "SingletonLock");
                notes.Add(File.Exists(trace) || ProfileFiles.LockPid(trace, '-') != null
                    ? $"{Path.GetFileName(trace)} is still there: the browser did not exit cleanly (what it had not written yet is lost)"
                    : $"{Path.GetFileName(trace)} is gone: the browser exited cleanly");
            }

            var report = firefox
                ? BrowserDriver.ClearFirefox(profile.ProfilePath, result.Origins)
                : BrowserDriver.ClearChromium(profile.Browser, profile.UserDataDirectory, profile.ProfileName, result.Origins);
            result.Method = report.Method;
            result.RanAs = report.RanAs;
            notes.AddRange(report.Notes);
            if (report.CookiesDeleted >= 0) notes.Add($"{report.CookiesDeleted} cookie(s) deleted by the browser");

            var hosts = result.Origins.Select(BrowserDriver.HostOf).Distinct().ToList();
            if (firefox) ScrubFirefox(profile.ProfilePath, result.Origins, hosts, removed, rewritten, notes);
            else ScrubChromium(profile.ProfilePath, result.Origins, hosts, removed, rewritten, notes);

            result.Removed = removed;
            result.Rewritten = rewritten;
            result.Notes = notes;

            // Checked the way Get-WaWebSession looks: what the scanner still finds for these origins.
            var left = new WebSessionScanner(OriginSet.Parse(result.Origins), ProviderContext.CurrentPlatform()).Scan(ToBrowserProfile(profile));
            result.Remaining = left?.Kinds ?? WebStorageKinds.None;
            result.RemainingLocations = left?.Locations ?? Array.Empty<string>();
            if (result.Remaining != WebStorageKinds.None)
            {
                result.Status = "Failed";
                result.Reason = ErrorIds.WebSessionClearFailed;
                result.Message = $"After the clear, '{profile.ProfilePath}' still holds {result.Remaining} of {string.Join(", ", result.Origins)} in {string.Join(", ", result.RemainingLocations)}.";
                result.Cleared = profile.Kinds & ~result.Remaining;
                return result;
            }
            result.Status = "Cleared";
            result.Cleared = profile.Kinds;
            return result;
        }

        // ------------------------------------------------------------ Chromium family

        private static void ScrubChromium(string profile, IReadOnlyList<string> origins, IReadOnlyList<string> hosts,
            List<string> removed, List<string> rewritten, List<string> notes)
        {
            foreach (var origin in origins)
            {
                var u = new Uri(origin);
                var id = $"{u.Scheme}_{u.Host}_{(u.IsDefaultPort ? 0 : u.Port).ToString(CultureInfo.InvariantCulture)}";
                foreach (var rel in new[]
                {
                    Path.Combine("IndexedDB", id + ".indexeddb.leveldb"),
                    Path.Combine("IndexedDB", id + ".indexeddb.blob"),
                    Path.Combine("Service Worker", "CacheStorage", Sha1Hex(id)),
                })
                    if (ProfileFiles.DeleteTree(profile, Path.Combine(profile, rel))) removed.Add(rel);
            }

            // Shared LevelDBs: only live records are kept, less the origins' keys, so the deleted-but-unreclaimed records
            // (the browser's deletions only append tombstones) are gone from the disk too.
            var originBytes = origins.Select(o => Encoding.UTF8.GetBytes(o)).ToList();
            RewriteLevelDb(profile, Path.Combine("Local Storage", "leveldb"), key => !originBytes.Any(o =>
                StartsWith(key, Concat(new[] { (byte)'_' }, o, new byte[] { 0 })) || EqualsAscii(key, "META:", o) || EqualsAscii(key, "METAACCESS:", o)),
                rewritten, notes);
            RewriteSessionStorage(profile, origins, rewritten, notes);
            RewriteLevelDb(profile, Path.Combine("Service Worker", "Database"), key => !originBytes.Any(o =>
                StartsWith(key, Concat(Encoding.ASCII.GetBytes("REG:"), o, new[] { (byte)'/' })) ||
                StartsWith(key, Concat(Encoding.ASCII.GetBytes("INITDATA_UNIQUE_ORIGIN:"), o, new[] { (byte)'/' }))),
                rewritten, notes);
            var fsIds = origins.Select(o => { var u = new Uri(o); return Encoding.UTF8.GetBytes($"ORIGIN:{u.Scheme}_{u.Host}_{(u.IsDefaultPort ? 0 : u.Port)}"); }).ToList();
            RewriteLevelDb(profile, Path.Combine("File System", "Origins"), key => !fsIds.Any(f => StartsWith(key, f)), rewritten, notes);
        }

        private static void RewriteSessionStorage(string profile, IReadOnlyList<string> origins, List<string> rewritten, List<string> notes)
        {
            // namespace-<guid>-<origin>/ -> map id; map-<id>-<key> -> value. A map is dropped when only the origins'
            // namespaces refer to it (maps are shared between namespaces cloned from one another).
            var dir = Path.Combine(profile, "Session Storage");
            if (!ProfileFiles.IsPlainDirectory(profile, dir)) return;
            var live = LevelDb.ReadLive(dir);
            var suffixes = origins.Select(o => "-" + o + "/").ToList();
            var dropMaps = new HashSet<string>(StringComparer.Ordinal);
            var keepMaps = new HashSet<string>(StringComparer.Ordinal);
            foreach (var kv in live)
            {
                var key = Encoding.UTF8.GetString(kv.Key);
                if (!key.StartsWith("namespace-", StringComparison.Ordinal)) continue;
                var map = Encoding.UTF8.GetString(kv.Value ?? Array.Empty<byte>());
                if (suffixes.Any(s => key.EndsWith(s, StringComparison.Ordinal))) dropMaps.Add(map); else keepMaps.Add(map);
            }
            dropMaps.ExceptWith(keepMaps);
            var mapPrefixes = dropMaps.Select(m => Encoding.UTF8.GetBytes("map-" + m + "-")).ToList();
            RewriteLevelDb(profile, "Session Storage", key =>
            {
                var s = Encoding.UTF8.GetString(key);
                if (s.StartsWith("namespace-", StringComparison.Ordinal) && suffixes.Any(x => s.EndsWith(x, StringComparison.Ordinal))) return false;
                return !mapPrefixes.Any(p => StartsWith(key, p));
            }, rewritten, notes);
        }

        private static void RewriteLevelDb(string profile, string relative, Func<byte[], bool> keep, List<string> rewritten, List<string> notes)
        {
            var dir = Path.Combine(profile, relative);
            if (!ProfileFiles.IsPlainDirectory(profile, dir)) return;
            LevelDb.Rewrite(dir, keep);
            rewritten.Add(relative);
        }

        // ------------------------------------------------------------ Firefox

        private static void ScrubFirefox(string profile, IReadOnlyList<string> origins, IReadOnlyList<string> hosts,
            List<string> removed, List<string> rewritten, List<string> notes)
        {
            // Per-origin storage folders (any origin attributes: containers, partitions) the clear-data service left.
            foreach (var repo in new[] { "default", "temporary", "permanent" })
            {
                var root = Path.Combine(profile, "storage", repo);
                if (!ProfileFiles.IsPlainDirectory(profile, root)) continue;
                foreach (var origin in origins)
                {
                    var u = new Uri(origin);
                    var name = u.Scheme + "+++" + u.Host + (u.IsDefaultPort ? "" : "+" + u.Port.ToString(CultureInfo.InvariantCulture));
                    foreach (var d in Directory.GetDirectories(root))
                    {
                        var n = Path.GetFileName(d);
                        if (n == name || n.StartsWith(name + "^", StringComparison.Ordinal))
                            if (ProfileFiles.DeleteTree(profile, d)) removed.Add(Path.Combine("storage", repo, n));
                    }
                }
            }

            // Session-restore files: the origins' sessionStorage, cookies, form data and history entries are taken out;
            // a file that still names a host afterwards is removed.
            var files = new List<string> { Path.Combine(profile, "sessionstore.jsonlz4") };
            var backups = Path.Combine(profile, "sessionstore-backups");
            if (ProfileFiles.IsPlainDirectory(profile, backups))
                files.AddRange(Directory.GetFiles(backups).Where(f =>
                {
                    var n = Path.GetFileName(f);
                    return n == "previous.jsonlz4" || n.StartsWith("recovery.", StringComparison.Ordinal) || n.StartsWith("upgrade.jsonlz4-", StringComparison.Ordinal);
                }));
            foreach (var f in files)
            {
                if (!ProfileFiles.IsRegularFile(profile, f)) continue;
                var rel = f.Substring(profile.Length).TrimStart(Path.DirectorySeparatorChar);
                var outcome = SessionRestoreScrubber.Scrub(f, hosts);
                switch (outcome)
                {
                    case SessionRestoreScrubber.Outcome.Untouched: break;
                    case SessionRestoreScrubber.Outcome.Rewritten: rewritten.Add(rel); break;
                    case SessionRestoreScrubber.Outcome.Removed: ProfileFiles.DeleteFile(profile, f); removed.Add(rel); notes.Add($"{rel} still named the site after the scrub (or could not be read): removed"); break;
                }
            }
        }

        // ------------------------------------------------------------ -Force

        private static void CloseBrowser(WebSessionProfile profile, bool firefox, string evidence)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                throw new WaHardeningException(ErrorIds.WebSessionBrowserRunning, WaErrorCategory.NotImplemented,
                    $"{profile.Browser} runs on '{profile.ProfilePath}' ({evidence}); -Force cannot close it on Windows (its process id is not in a lock file there). Close it first. Nothing was touched.", profile.ProfilePath);
            var pid = firefox ? ProfileFiles.LockPid(Path.Combine(profile.ProfilePath, "lock"), ':')
                : ProfileFiles.LockPid(Path.Combine(profile.UserDataDirectory, "SingletonLock"), '-');
            if (pid == null || pid <= 1)
                throw new WaHardeningException(ErrorIds.WebSessionBrowserRunning, WaErrorCategory.ResourceUnavailable,
                    $"{profile.Browser} runs on '{profile.ProfilePath}' ({evidence}) but its process id cannot be read from its lock; close it by hand. Nothing was touched.", profile.ProfilePath);
            if (kill(pid.Value, 15) != 0)
                throw new WaHardeningException(ErrorIds.WebSessionBrowserRunning, WaErrorCategory.PermissionDenied,
                    $"Cannot signal {profile.Browser} (pid {pid}) on '{profile.ProfilePath}': {UnixFileStatus.Message(Marshal.GetLastWin32Error())}. Nothing was touched.", profile.ProfilePath);
            var deadline = DateTime.UtcNow + CloseTimeout;
            while (true)
            {
                Thread.Sleep(200);
                var (still, _) = Probe(profile);
                if (!still && kill(pid.Value, 0) != 0) return;
                if (DateTime.UtcNow > deadline)
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserTimeout, WaErrorCategory.ResourceUnavailable,
                        $"{profile.Browser} (pid {pid}) did not exit within {CloseTimeout.TotalSeconds:0} s of SIGTERM; '{profile.ProfilePath}' was not cleared.", profile.ProfilePath);
            }
        }

        /// <summary>Whether a browser runs on the profile now (Get-WaWebSession's own probe, asked again at clear time).</summary>
        private static BrowserProfile ToBrowserProfile(WebSessionProfile p)
        {
            var target = Model.Targets.Find(p.Browser)
                ?? throw new WaHardeningException(ErrorIds.WebSessionBrowserNotFound, WaErrorCategory.InvalidArgument,
                    $"'{p.Browser}' is not a browser the clear knows (Chrome, Chromium, Edge, Brave, Firefox).", p.Browser);
            return new BrowserProfile(p.User, target, p.Install, p.UserDataDirectory, p.ProfilePath, p.ProfileName);
        }

        private static (bool running, string evidence) Probe(WebSessionProfile p)
        {
            var bp = ToBrowserProfile(p);
            var running = ProfileLock.IsRunning(bp, ProviderContext.CurrentPlatform(), out var evidence);
            return (running, evidence);
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int kill(int pid, int sig);

        // ------------------------------------------------------------ helpers

        internal static string Sha1Hex(string s)
        {
            using var sha = SHA1.Create();
            return string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(s)).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }

        private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

        private static bool StartsWith(byte[] key, byte[] prefix)
        {
            if (key.Length < prefix.Length) return false;
            for (var i = 0; i < prefix.Length; i++) if (key[i] != prefix[i]) return false;
            return true;
        }

        private static bool EqualsAscii(byte[] key, string head, byte[] origin)
        {
            var full = Concat(Encoding.ASCII.GetBytes(head), origin);
            return key.Length == full.Length && StartsWith(key, full);
        }
    }
}
