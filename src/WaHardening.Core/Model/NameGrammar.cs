using System;
using System.Linq;
using System.Text.RegularExpressions;

namespace WaHardening.Core.Model
{
    /// <summary>
    /// The grammar of every name a baseline puts into a file format or store, checked when the baseline is loaded (a name
    /// from a custom baseline must never inject lines, paths or keys). One place per format:
    /// Chromium/Chrome/Edge policy names (CamelCase letters and digits, as in Chromium's policy_templates), updater policy
    /// value names (letters, digits and an app GUID in braces), Firefox policy paths (dot-separated parts, each letters,
    /// digits, '_', '-', '@', '*', braces), Firefox preference names (dot-separated parts), dconf key paths (GSettings: path
    /// components without '.'/'..' or empty parts, a key of letters, digits and '-'), APT option names ("::"-joined parts),
    /// registry key paths (non-empty components of at most 255 printable characters, no '\' at either end) and value names
    /// (printable, at most 259 characters: the Registry.pol limit), plist keys and payload types, Intune setting ids,
    /// OMA-URIs and Graph property/type names.
    /// </summary>
    public static class NameGrammar
    {
        private static readonly Regex s_policy = SafeRegex.Create(@"\A[A-Za-z][A-Za-z0-9]*\z");
        private static readonly Regex s_updater = SafeRegex.Create(@"\A[A-Za-z][A-Za-z0-9]*(\{[0-9A-Fa-f-]+\})?\z");
        private static readonly Regex s_firefoxPath = SafeRegex.Create(@"\A[A-Za-z0-9_@*{}-]+(\.[A-Za-z0-9_@*{}-]+)*\z");
        private static readonly Regex s_preference = SafeRegex.Create(@"\A[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\z");
        private static readonly Regex s_dconf = SafeRegex.Create(@"\A/?([A-Za-z0-9_-][A-Za-z0-9_.-]*/)+[A-Za-z][A-Za-z0-9_-]*\z");
        private static readonly Regex s_apt = SafeRegex.Create(@"\A[A-Za-z0-9_.+-]+(::[A-Za-z0-9_.+-]+)*\z");
        private static readonly Regex s_aptFile = SafeRegex.Create(@"\A[A-Za-z0-9_-][A-Za-z0-9_.-]*\z");
        private static readonly Regex s_plistKey = SafeRegex.Create(@"\A[A-Za-z0-9_.-]+\z");
        private static readonly Regex s_payloadType = SafeRegex.Create(@"\A[A-Za-z0-9-]+(\.[A-Za-z0-9_-]+)+\z");
        private static readonly Regex s_intuneId = SafeRegex.Create(@"\A[A-Za-z0-9_.~{}$()#-]+\z");
        private static readonly Regex s_omaUri = SafeRegex.Create(@"\A\./(Device|User|Vendor)(/[A-Za-z0-9_.~{}%-]+)+\z");
        private static readonly Regex s_graphProperty = SafeRegex.Create(@"\A[A-Za-z][A-Za-z0-9]*\z");
        private static readonly Regex s_graphType = SafeRegex.Create(@"\A#microsoft\.graph\.[A-Za-z][A-Za-z0-9]*\z");

        /// <summary>Why a setting name cannot be the target's name; null when it fits.</summary>
        public static string? SettingName(string target, string name, bool firefoxPreference)
        {
            if (Targets.Find(target)?.Family == TargetFamily.ChromiumBrowser)
                return Check(s_policy, name, "a Chromium policy name (letters and digits, starting with a letter)");
            switch (target)
            {
                case Targets.GoogleUpdate: case Targets.EdgeUpdate:
                    return Check(s_updater, name, "an updater policy name (letters and digits, optionally an app GUID in braces)");
                case Targets.Firefox:
                    return firefoxPreference
                        ? Check(s_preference, name, "a Firefox preference name (dot-separated parts of letters, digits, '_' and '-')")
                        : Check(s_firefoxPath, name, "a Firefox policy path (dot-separated non-empty parts of letters, digits, '_', '-', '@', '*', '{', '}')");
                case Targets.Gnome:
                    return Check(s_dconf, name, "a dconf key path such as org/gnome/desktop/session/idle-delay (no empty, '.' or '..' parts; a key of letters, digits, '_' and '-')");
                case Targets.Apt:
                    return Check(s_apt, name, "an APT option name such as APT::Periodic::Unattended-Upgrade");
                case Targets.MacOS:
                    return Check(s_plistKey, name, "a plist key (letters, digits, '_', '.', '-')");
                case Targets.Windows:
                    return RegistryValue(name);
                default:
                    return Check(s_graphProperty, name, "a Graph property name (letters and digits)");
            }
        }

        public static string? RegistryKey(string key)
        {
            var parts = key.Split('\\');
            if (parts.Any(p => p.Length == 0)) return $"'{Shown(key)}' has an empty key component (a '\\' at either end or '\\\\')";
            if (parts.Any(p => p.Length > 255)) return $"'{Shown(key)}' has a key component longer than 255 characters";
            if (key.Any(char.IsControl)) return $"'{Shown(key)}' contains a control character";
            return null;
        }

        public static string? RegistryValue(string name)
        {
            if (name.Length > 259) return $"'{Shown(name)}' is longer than 259 characters (the Registry.pol limit)";
            if (name.Any(char.IsControl)) return $"'{Shown(name)}' contains a control character";
            return null;
        }

        public static string? AptFile(string name) => Check(s_aptFile, name, "a file name apt reads from apt.conf.d (letters, digits, '_', '-', '.')");
        public static string? PlistKey(string name) => Check(s_plistKey, name, "a plist key (letters, digits, '_', '.', '-')");
        public static string? PayloadType(string name) => Check(s_payloadType, name, "a payload type in reverse-DNS form such as com.apple.screensaver");
        public static string? IntuneId(string name) => Check(s_intuneId, name, "an Intune setting id (letters, digits and _ . ~ { } $ ( ) # -)");
        public static string? OmaUri(string name) =>
            name.Split('/').Skip(1).Any(p => p == "." || p == "..") ? $"'{Shown(name)}' has a '.' or '..' part" : Check(s_omaUri, name, "an OMA-URI such as ./Device/Vendor/MSFT/Policy/Config/…");
        public static string? GraphProperty(string name) => Check(s_graphProperty, name, "a Graph property name (letters and digits)");
        public static string? GraphType(string name) => Check(s_graphType, name, "a Graph type such as #microsoft.graph.iosCompliancePolicy");

        private static string? Check(Regex r, string value, string what) => r.IsMatch(value) ? null : $"'{Shown(value)}' is not {what}";

        private static string Shown(string s) =>
            string.Concat(s.Select(c => char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString()));
    }
}
