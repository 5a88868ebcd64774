using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using WaHardening.Core.Model;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Sessions
{
    /// <summary>
    /// Whether a browser runs on a profile now, found without disturbing it (docs/research/web-session-storage.md §1.8, §2.6):
    /// <list type="bullet">
    /// <item>Chromium family on Linux: the user-data directory's <c>SingletonLock</c> symlink (<c>host-pid</c>) names this
    /// host and a live process whose executable or command line is a Chromium-family browser (a stale link after a kill,
    /// or a pid reused by another program, does not count); and/or a process holds the fcntl lock on the profile's
    /// <c>Local Storage/leveldb/LOCK</c>.</item>
    /// <item>Firefox on Linux: a process holds the fcntl lock on <c>.parentlock</c> (the <c>lock</c> symlink stays behind
    /// after a clean quit, so it is not used).</item>
    /// <item>Windows: <c>lockfile</c> in the Chromium user-data directory, <c>parent.lock</c> in a Firefox profile, cannot
    /// be opened with no sharing (the running browser holds it open).</item>
    /// <item>macOS (and any Unix without the statx/fcntl probe): a process of the browser running at all, by name
    /// (conservative: every profile of that browser counts as in use).</item>
    /// </list>
    /// The fcntl probe is <c>F_GETLK</c>: it asks the kernel and never takes the lock. Nothing is opened for writing.
    /// The process table is always the real one (/proc), also under -Root.
    /// </summary>
    public static class ProfileLock
    {
        /// <summary>Program names (basename of the executable or of argv[0]) of Chromium-family browser processes.</summary>
        private static readonly string[] s_chromiumNames = { "chrome", "chromium", "chromium-browser", "google-chrome", "msedge", "microsoft-edge", "brave", "brave-browser" };

        /// <summary>True when the browser runs on the profile; <paramref name="evidence"/> says what showed it ("" when not).</summary>
        public static bool IsRunning(BrowserProfile profile, string platform, out string evidence)
        {
            var found = new List<string>();
            if (platform == Platforms.Windows)
            {
                var file = profile.IsFirefox ? Path.Combine(profile.ProfilePath, "parent.lock") : Path.Combine(profile.UserDataDirectory, "lockfile");
                if (HeldOpenExclusively(file)) found.Add($"{Path.GetFileName(file)} is held open by the browser");
            }
            else if (!UnixFileStatus.Available)
            {
                // macOS (or a C library without statx): no lock probe here. Any process of this browser counts as using every
                // profile of it, so Clear-WaWebSession never writes under a browser that may run on the profile.
                var process = RunningByName(profile.Browser, System.Diagnostics.Process.GetProcesses().Select(ProcessEntry));
                if (process != null) found.Add(process);
            }
            else if (profile.IsFirefox)
            {
                var holder = LockHolder(Path.Combine(profile.ProfilePath, ".parentlock"));
                if (holder != null) found.Add($".parentlock is locked{holder}");
            }
            else
            {
                var singleton = SingletonEvidence(Path.Combine(profile.UserDataDirectory, "SingletonLock"));
                if (singleton != null) found.Add(singleton);
                var holder = LockHolder(Path.Combine(profile.ProfilePath, "Local Storage", "leveldb", "LOCK"));
                if (holder != null) found.Add($"Local Storage/leveldb/LOCK is locked{holder}");
            }
            evidence = string.Join("; ", found);
            return found.Count > 0;
        }

        private static (int Pid, string Name) ProcessEntry(System.Diagnostics.Process p)
        {
            try { return (p.Id, p.ProcessName); }
            catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception || e is NotSupportedException) { return (0, ""); }
            finally { p.Dispose(); }
        }

        /// <summary>Where no per-profile lock can be probed: evidence that a process of the browser runs at all (its macOS app
        /// name from the row's bundle — "Google Chrome", "Firefox" — or a Linux binary's name, helpers included); null when
        /// none does.</summary>
        internal static string? RunningByName(TargetInfo browser, IEnumerable<(int Pid, string Name)> processes)
        {
            var names = browser.LinuxBinaries.Select(b => b.Substring(b.LastIndexOf('/') + 1)).ToList();
            if (browser.MacAppBundle is string app)
                names.Add(Path.GetFileNameWithoutExtension(app.TrimEnd('/')));
            foreach (var (pid, name) in processes)
                if (name.Length > 0 && names.Any(n => name.StartsWith(n, StringComparison.OrdinalIgnoreCase)))
                    return $"a {browser.DisplayName} process runs ({name}, pid {pid}); no per-profile lock can be probed here, so every {browser.DisplayName} profile counts as in use";
            return null;
        }

        /// <summary>" by pid N" when a process holds an fcntl lock on the file; null when none does (or it cannot be probed).</summary>
        internal static string? LockHolder(string file)
        {
            if (!UnixFileStatus.Available) return null;
            var pid = UnixFileStatus.ProbeWriteLock(file);
            if (pid <= 0) return null;
            return pid == int.MaxValue ? " (by a process of another namespace)" : $" by pid {pid}";
        }

        /// <summary>The evidence of a live <c>SingletonLock</c> (host-pid of this host, a live browser process); null otherwise.</summary>
        internal static string? SingletonEvidence(string link)
        {
            if (!UnixFileStatus.CanStat || UnixFileStatus.Stat(link, false, out var st) != 0 || st.Kind != UnixFileKind.SymbolicLink) return null;
            var target = UnixFileStatus.ReadLink(link);
            if (target == null) return null;
            var dash = target.LastIndexOf('-');
            if (dash <= 0 || !int.TryParse(target.Substring(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) || pid <= 0)
                return null;
            var host = target.Substring(0, dash);
            if (!string.Equals(host, HostName(), StringComparison.OrdinalIgnoreCase)) return null;
            var program = BrowserProgram(pid);
            return program == null ? null : $"SingletonLock -> {target}, pid {pid} is {program}";
        }

        private static string HostName()
        {
            try { return Dns.GetHostName(); } catch (Exception) { return Environment.MachineName; }
        }

        /// <summary>The Chromium-family program pid <paramref name="pid"/> runs (from /proc/pid/exe or cmdline); null when it
        /// is not alive or not such a browser.</summary>
        internal static string? BrowserProgram(int pid)
        {
            var proc = "/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!Directory.Exists(proc)) return null;
            var names = new List<string>();
            var exe = UnixFileStatus.ReadLink(proc + "/exe");
            if (exe != null) names.Add(exe.EndsWith(" (deleted)", StringComparison.Ordinal) ? exe.Substring(0, exe.Length - 10) : exe);
            try
            {
                var cmd = SessionFiles.ReadBounded(proc + "/cmdline", 64 * 1024, allowSpecial: true);
                if (cmd != null && cmd.Length > 0)
                {
                    var end = Array.IndexOf(cmd, (byte)0);
                    names.Add(Encoding.UTF8.GetString(cmd, 0, end < 0 ? cmd.Length : end));
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is WaHardeningException) { }
            foreach (var n in names)
            {
                var b = n.Substring(n.LastIndexOfAny(new[] { '/', '\\' }) + 1);
                if (s_chromiumNames.Contains(b, StringComparer.OrdinalIgnoreCase)) return n;
            }
            return null;
        }

        /// <summary>Windows: true when the file exists but cannot be opened with no sharing (another process holds it open).
        /// The probe opens it read-only and closes it at once; a missing file is not held.</summary>
        internal static bool HeldOpenExclusively(string file)
        {
            if (!File.Exists(file)) return false;
            try
            {
                using (new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None)) { }
                return false;
            }
            catch (IOException) { return File.Exists(file); }
            catch (UnauthorizedAccessException) { return false; }
        }
    }
}
