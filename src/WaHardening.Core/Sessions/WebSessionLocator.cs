using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Model;

namespace WaHardening.Core.Sessions
{
    /// <summary>A local account whose home (Linux, macOS) or profile folder (Windows) may hold browser profiles.</summary>
    public sealed class LocalUser
    {
        public LocalUser(string name, string home, string physicalHome) { Name = name; Home = home; PhysicalHome = physicalHome; }
        /// <summary>The account name.</summary>
        public string Name { get; }
        /// <summary>The home folder as the system names it (/home/ana, C:\Users\ana).</summary>
        public string Home { get; }
        /// <summary>The folder on disk (under -Root when one is given).</summary>
        public string PhysicalHome { get; }
        public override string ToString() => $"{Name} ({Home})";
    }

    /// <summary>One browser profile found on disk (paths are physical: under -Root when one is given).</summary>
    public sealed class BrowserProfile
    {
        public BrowserProfile(string user, TargetInfo browser, string install, string userDataDirectory, string profilePath, string profileName)
        {
            User = user; Browser = browser; Install = install; UserDataDirectory = userDataDirectory; ProfilePath = profilePath; ProfileName = profileName;
        }
        public string User { get; }
        public TargetInfo Browser { get; }
        public string Install { get; }
        /// <summary>Chromium family: the user-data directory; Firefox: the profile folder itself.</summary>
        public string UserDataDirectory { get; }
        public string ProfilePath { get; }
        public string ProfileName { get; }
        public bool IsFirefox => Browser.Family == TargetFamily.Firefox;
        public override string ToString() => $"{User} {Browser.Name} {ProfilePath}";
    }

    /// <summary>
    /// Finds every local user's browser profiles (Chrome, Chromium, Edge, Brave, Firefox) from the per-user data folders of
    /// the browser's target row (<see cref="TargetInfo.UserDataLinux"/>, …): users from <c>/etc/passwd</c> (Linux),
    /// <c>/Users/*</c> (macOS) or the Windows Users folder; Chromium-family profiles are the subfolders <c>Default</c>,
    /// <c>Profile N</c> and any with a <c>Preferences</c> file; Firefox's are the ones <c>profiles.ini</c> and
    /// <c>installs.ini</c> name. Every path is mapped through <see cref="ProviderContext.Map"/> (so a -Root scratch tree
    /// stands in for the system) and no symbolic link is followed: a linked data folder or profile is skipped.
    /// Nothing is written or locked.
    /// </summary>
    public sealed class WebSessionLocator
    {
        /// <summary>Largest passwd / profiles.ini / installs.ini read.</summary>
        public const int MaxTextFile = 4 * 1024 * 1024;

        private readonly ProviderContext _ctx;
        public WebSessionLocator(ProviderContext ctx) { _ctx = ctx; }

        /// <summary>The browsers whose profiles this locator finds (the rows with per-user data folders).</summary>
        public static IReadOnlyList<TargetInfo> Browsers => Targets.All.Where(t => t.UserDataLinux.Count > 0 || t.UserDataWindows.Count > 0 || t.UserDataMac.Count > 0).ToList();

        // ------------------------------------------------------------------ users

        /// <summary>The local users that have a home folder here.</summary>
        public IReadOnlyList<LocalUser> Users()
        {
            var list = new List<LocalUser>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            void Add(string name, string home)
            {
                if (name.Length == 0 || !ProviderContext.IsCanonicalAbsolute(home) || home == "/") return;
                string physical;
                try { physical = _ctx.Map(home); } catch (WaHardeningException) { return; }
                if (!IsRealDirectory(physical) || !seen.Add(physical)) return;
                list.Add(new LocalUser(name, home, physical));
            }
            if (_ctx.Platform == Platforms.Windows)
            {
                var users = _ctx.Root == null
                    ? Path.GetDirectoryName(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile).TrimEnd('\\', '/')) ?? @"C:\Users"
                    : @"C:\Users";
                var physical = _ctx.Root == null ? users : _ctx.Map(users);
                foreach (var d in SafeDirectories(physical))
                {
                    var n = Path.GetFileName(d);
                    if (s_windowsNotUsers.Contains(n)) continue;
                    Add(n, users.TrimEnd('\\') + "\\" + n);
                }
            }
            else if (_ctx.Platform == Platforms.MacOS)
            {
                foreach (var d in SafeDirectories(_ctx.Map("/Users")))
                {
                    var n = Path.GetFileName(d);
                    if (n == "Shared" || n.StartsWith(".", StringComparison.Ordinal) || n == "Guest") continue;
                    Add(n, "/Users/" + n);
                }
                foreach (var (name, home) in Passwd()) if (home.StartsWith("/Users/", StringComparison.Ordinal) || name == "root") Add(name, home);
            }
            else
            {
                foreach (var (name, home) in Passwd()) Add(name, home);
            }
            return list;
        }

        private static readonly HashSet<string> s_windowsNotUsers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { "Public", "Default", "Default User", "All Users", "defaultuser0", "WDAGUtilityAccount" };

        /// <summary>name and home of every /etc/passwd entry (malformed lines skipped).</summary>
        private IEnumerable<(string Name, string Home)> Passwd()
        {
            var text = ReadText(_ctx.Map("/etc/passwd"));
            if (text == null) yield break;
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                if (line.Length == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
                var f = line.Split(':');
                if (f.Length < 7) continue;
                yield return (f[0], f[5]);
            }
        }

        // ------------------------------------------------------------------ profiles

        /// <summary>
        /// Every profile of <paramref name="users"/> for the <paramref name="browsers"/> (target names; null = all).
        /// <paramref name="problem"/> receives folders that could not be listed (they are skipped).
        /// </summary>
        public IReadOnlyList<BrowserProfile> Profiles(IEnumerable<LocalUser> users, IEnumerable<string>? browsers = null, Action<WaHardeningException>? problem = null)
        {
            var wanted = browsers?.Select(b => Targets.Find(b) ?? throw new WaHardeningException(ErrorIds.WebSessionBrowserUnknown, WaErrorCategory.InvalidArgument,
                $"'{b}' is not a browser WaHardening finds profiles of; use one of {string.Join(", ", Browsers.Select(x => x.Name))}.", b)).ToList();
            var result = new List<BrowserProfile>();
            foreach (var user in users)
            {
                foreach (var browser in Browsers)
                {
                    if (wanted != null && !wanted.Contains(browser)) continue;
                    foreach (var loc in browser.UserDataOn(_ctx.Platform))
                    {
                        var dir = Path.Combine(user.PhysicalHome, loc.RelativePath.Replace('/', Path.DirectorySeparatorChar));
                        try
                        {
                            if (!IsRealDirectory(dir)) continue;
                            if (HasLinkBelow(user.PhysicalHome, dir)) continue;
                            _ctx.Verbose($"Looking for {browser.Name} profiles of {user.Name} in {dir}");
                            if (browser.Family == TargetFamily.Firefox) result.AddRange(FirefoxProfiles(user, browser, loc.Install, dir));
                            else result.AddRange(ChromiumProfiles(user, browser, loc.Install, dir));
                        }
                        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                        {
                            problem?.Invoke(new WaHardeningException(ErrorIds.WebSessionProfileUnreadable, WaErrorCategory.ReadError,
                                $"Cannot list the {browser.Name} profiles of {user.Name} in '{dir}': {e.Message}", dir, e));
                        }
                    }
                }
            }
            return result;
        }

        private static IEnumerable<BrowserProfile> ChromiumProfiles(LocalUser user, TargetInfo browser, string install, string userData)
        {
            foreach (var d in SafeDirectories(userData).OrderBy(x => x, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(d);
                var isNamed = name == "Default" || (name.StartsWith("Profile ", StringComparison.Ordinal) && name.Length > 8 && name.Substring(8).All(char.IsDigit));
                if (isNamed || IsRegularFile(Path.Combine(d, "Preferences")))
                    yield return new BrowserProfile(user.Name, browser, install, userData, d, name);
            }
        }

        private IEnumerable<BrowserProfile> FirefoxProfiles(LocalUser user, TargetInfo browser, string install, string root)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var found = new List<BrowserProfile>();
            void Add(string path, bool relative, string? name)
            {
                var dir = ResolveFirefoxPath(root, path, relative);
                // Relative: no link anywhere below the Firefox folder; absolute: the profile folder itself is no link (the system's
                // own links above it, such as /home -> /var/home, are accepted).
                if (dir == null || !IsRealDirectory(dir) || (relative && HasLinkBelow(root, dir))) return;
                if (!seen.Add(dir)) return;
                found.Add(new BrowserProfile(user.Name, browser, install, dir, dir, string.IsNullOrEmpty(name) ? Path.GetFileName(dir) : name!));
            }
            foreach (var section in Ini(ReadText(Path.Combine(root, "profiles.ini"))))
            {
                if (!section.Key.StartsWith("Profile", StringComparison.OrdinalIgnoreCase)) continue;
                if (!section.Value.TryGetValue("Path", out var p) || p.Length == 0) continue;
                section.Value.TryGetValue("IsRelative", out var rel);
                section.Value.TryGetValue("Name", out var n);
                Add(p, rel != "0", n);
            }
            foreach (var section in Ini(ReadText(Path.Combine(root, "installs.ini"))))
            {
                if (!section.Value.TryGetValue("Default", out var p) || p.Length == 0) continue;
                // installs.ini writes relative paths (IsRelative is not stored there); an absolute one is taken as such.
                Add(p, !IsAbsoluteProfilePath(p), null);
            }
            return found;
        }

        private static bool IsAbsoluteProfilePath(string p) => p.StartsWith("/", StringComparison.Ordinal) || (p.Length >= 3 && char.IsLetter(p[0]) && p[1] == ':');

        /// <summary>The physical folder of a profiles.ini Path; null when it leaves the Firefox folder (relative) or is not canonical.</summary>
        private string? ResolveFirefoxPath(string root, string path, bool relative)
        {
            if (path.IndexOf('\0') >= 0) return null;
            if (relative)
            {
                var parts = path.Split('/', '\\');
                if (parts.Any(x => x.Length == 0 || x == "." || x == "..")) return null;
                return Path.Combine(new[] { root }.Concat(parts).ToArray());
            }
            if (!ProviderContext.IsCanonicalAbsolute(path)) return null;
            try { return _ctx.Map(path); } catch (WaHardeningException) { return null; }
        }

        /// <summary>INI sections (name → key → value); later duplicates win. Null text gives none.</summary>
        internal static Dictionary<string, Dictionary<string, string>> Ini(string? text)
        {
            var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
            if (text == null) return result;
            Dictionary<string, string>? current = null;
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == ';' || line[0] == '#') continue;
                if (line[0] == '[' && line[line.Length - 1] == ']')
                {
                    var name = line.Substring(1, line.Length - 2);
                    if (!result.TryGetValue(name, out current)) result[name] = current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    continue;
                }
                var eq = line.IndexOf('=');
                if (current == null || eq <= 0) continue;
                current[line.Substring(0, eq).Trim()] = line.Substring(eq + 1).Trim();
            }
            return result;
        }

        // ------------------------------------------------------------------ file helpers (no links followed)

        /// <summary>Text of a regular file (not a link) up to <see cref="MaxTextFile"/>; null when absent or not a regular file.</summary>
        internal static string? ReadText(string path)
        {
            if (!IsRegularFile(path)) return null;
            var bytes = SessionFiles.ReadBounded(path, MaxTextFile);
            return bytes == null ? null : Encoding.UTF8.GetString(bytes);
        }

        internal static bool IsRealDirectory(string path)
        {
            try
            {
                var a = File.GetAttributes(path);
                return (a & FileAttributes.Directory) != 0 && (a & FileAttributes.ReparsePoint) == 0;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException) { return false; }
        }

        internal static bool IsRegularFile(string path)
        {
            try
            {
                var a = File.GetAttributes(path);
                return (a & (FileAttributes.Directory | FileAttributes.ReparsePoint | FileAttributes.Device)) == 0
                    && (!UnixFileStatusAvailable || Platform.UnixFileStatus.Stat(path, false, out var st) != 0 || st.Kind == Platform.UnixFileKind.Regular);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException) { return false; }
        }

        private static bool UnixFileStatusAvailable => Platform.UnixFileStatus.CanStat;

        /// <summary>True when a component of <paramref name="path"/> below <paramref name="top"/> (excluded) is a link.</summary>
        internal static bool HasLinkBelow(string top, string path)
        {
            var t = Path.GetFullPath(top).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (!full.StartsWith(t, StringComparison.Ordinal)) return true;
            var current = t;
            foreach (var seg in full.Substring(t.Length).Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries))
            {
                current = Path.Combine(current, seg);
                try { if ((File.GetAttributes(current) & FileAttributes.ReparsePoint) != 0) return true; }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return true; }
            }
            return false;
        }

        /// <summary>Real (not linked) subfolders; none when the folder cannot be listed.</summary>
        internal static IEnumerable<string> SafeDirectories(string dir)
        {
            string[] all;
            try { all = Directory.GetDirectories(dir); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { yield break; }
            foreach (var d in all) if (IsRealDirectory(d)) yield return d;
        }
    }
}
