using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Audit
{
    /// <summary>What a reader found for one setting.</summary>
    public sealed class ReadOutcome
    {
        public ReadOutcome(JsonValue? actual, string location, string? origin = null)
        { Actual = actual; Location = location; Origin = origin; }

        /// <summary>The value in effect; null when not configured.</summary>
        public JsonValue? Actual { get; }
        public string Location { get; }
        /// <summary>The file the effective value came from, when it is not the module's own.</summary>
        public string? Origin { get; }
    }

    /// <summary>Reads the live state of one target's settings on this machine (read-only).</summary>
    public interface ISettingReader
    {
        /// <summary>The target name this reader serves.</summary>
        string Target { get; }
        /// <summary>Why the target does not apply here (not installed, another OS), or null when it does.</summary>
        string? NotApplicableReason { get; }
        ReadOutcome Read(SettingDefinition setting);
    }

    /// <summary>Maps real paths under an optional root, so tests run readers against a scratch directory.</summary>
    public sealed class FileSystemRoot
    {
        public FileSystemRoot(string? root) { Root = string.IsNullOrEmpty(root) ? null : Path.GetFullPath(root); }
        public string? Root { get; }
        public string Map(string absolute) => Root == null ? absolute : Path.Combine(Root, absolute.TrimStart('/'));
        public bool AnyExists(params string[] paths) => paths.Any(p => File.Exists(Map(p)) || Directory.Exists(Map(p)));
    }

    internal static class ReaderErrors
    {
        public static WaHardeningException Unreadable(string file, Exception e) =>
            new WaHardeningException("PolicyFileUnreadable", WaErrorCategory.ReadError, $"Cannot read '{file}': {e.Message}", file, e);

        public static WaHardeningException Invalid(string file, string why, Exception? e = null) =>
            new WaHardeningException("PolicyFileInvalid", WaErrorCategory.InvalidData, $"'{file}' is not a valid policy file: {why}", file, e);

        public static string ReadText(string file)
        {
            try { return File.ReadAllText(file, new UTF8Encoding(false, true)); }
            catch (DecoderFallbackException e) { throw Invalid(file, "it is not UTF-8 text", e); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { throw Unreadable(file, e); }
        }

        public static JsonValue ParseJson(string file)
        {
            try { return JsonParser.Parse(ReadText(file), file); }
            catch (JsonParseException e) { throw Invalid(file, $"line {e.Line}, column {e.Column}: {e.Reason}", e); }
        }
    }

    /// <summary>
    /// Chrome, Chromium and Edge on Linux: every *.json in the managed-policy folder, as the browser
    /// merges them (files in name order; our own file is one of them). A file that is not valid JSON
    /// is an error naming it, as the browser would ignore it.
    /// </summary>
    public sealed class ChromiumLinuxReader : ISettingReader
    {
        private static readonly Dictionary<string, string[]> s_binaries = new Dictionary<string, string[]>
        {
            [Targets.Chromium] = new[] { "/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser" },
            [Targets.Chrome] = new[] { "/opt/google/chrome/chrome", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable" },
            [Targets.Edge] = new[] { "/opt/microsoft/msedge/msedge", "/usr/bin/microsoft-edge", "/usr/bin/microsoft-edge-stable" },
        };

        private readonly FileSystemRoot _root;
        private readonly string _dir;
        private Dictionary<string, (JsonValue Value, string File)>? _merged;

        public ChromiumLinuxReader(string target, FileSystemRoot root)
        {
            Target = target;
            _root = root;
            _dir = SettingLocations.LinuxManagedPolicyDirectories[target];
            var installed = root.AnyExists(s_binaries[target]) || root.AnyExists(_dir);
            NotApplicableReason = installed ? null : $"{target} is not installed ({string.Join(", ", s_binaries[target])} not found)";
        }

        public string Target { get; }
        public string? NotApplicableReason { get; }

        public ReadOutcome Read(SettingDefinition s)
        {
            var merged = _merged ??= Load();
            var own = Path.Combine(_dir, SettingLocations.OwnedPolicyFileName);
            var location = $"{own} \"{s.Name}\"";
            if (!merged.TryGetValue(s.Name, out var hit)) return new ReadOutcome(null, location);
            var origin = hit.File == own ? null : hit.File;
            return new ReadOutcome(hit.Value, location, origin);
        }

        private Dictionary<string, (JsonValue, string)> Load()
        {
            var result = new Dictionary<string, (JsonValue, string)>(StringComparer.Ordinal);
            var dir = _root.Map(_dir);
            if (!Directory.Exists(dir)) return result;
            foreach (var file in Directory.GetFiles(dir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            {
                if (ReaderErrors.ParseJson(file) is not JsonObject o)
                    throw ReaderErrors.Invalid(file, "the top level must be a JSON object of policies");
                var shown = Path.Combine(_dir, Path.GetFileName(file));
                foreach (var p in o.Properties)
                    if (!result.ContainsKey(p.Key)) result[p.Key] = (p.Value, shown);
            }
            return result;
        }
    }

    /// <summary>Firefox on Linux: /etc/firefox/policies/policies.json, {"policies": {…}}, dotted names address nested objects.</summary>
    public sealed class FirefoxLinuxReader : ISettingReader
    {
        private readonly FileSystemRoot _root;
        private JsonObject? _policies;
        private bool _loaded;

        public FirefoxLinuxReader(FileSystemRoot root)
        {
            _root = root;
            var installed = root.AnyExists("/usr/bin/firefox-esr", "/usr/bin/firefox", "/usr/lib/firefox-esr", "/usr/lib/firefox", "/etc/firefox/policies");
            NotApplicableReason = installed ? null : "Firefox is not installed (/usr/bin/firefox-esr, /usr/bin/firefox not found)";
        }

        public string Target => Targets.Firefox;
        public string? NotApplicableReason { get; }

        public ReadOutcome Read(SettingDefinition s)
        {
            if (!_loaded) { _policies = Load(); _loaded = true; }
            var location = $"{SettingLocations.FirefoxLinuxPolicyFile} policies.{s.Name}";
            JsonValue? node = _policies;
            foreach (var part in s.Name.Split('.'))
                node = (node as JsonObject)?[part];
            return new ReadOutcome(node, location);
        }

        private JsonObject? Load()
        {
            var file = _root.Map(SettingLocations.FirefoxLinuxPolicyFile);
            if (!File.Exists(file)) return null;
            if (ReaderErrors.ParseJson(file) is not JsonObject o)
                throw ReaderErrors.Invalid(file, "the top level must be an object {\"policies\": {…}}");
            if (!o.TryGet("policies", out var p)) return null;
            return p as JsonObject ?? throw ReaderErrors.Invalid(file, "\"policies\" must be an object");
        }
    }

    /// <summary>GNOME: dconf keyfiles of the system database (/etc/dconf/db/local.d/*), values in GVariant text form.</summary>
    public sealed class DconfReader : ISettingReader
    {
        private const string KeyfileDir = "/etc/dconf/db/local.d";
        private readonly FileSystemRoot _root;
        private Dictionary<string, (string Value, string File)>? _values;

        public DconfReader(FileSystemRoot root)
        {
            _root = root;
            var present = root.AnyExists("/usr/bin/gnome-shell", "/usr/bin/gnome-session", KeyfileDir);
            NotApplicableReason = present ? null : "GNOME is not installed (/usr/bin/gnome-shell not found)";
        }

        public string Target => Targets.Gnome;
        public string? NotApplicableReason { get; }

        public ReadOutcome Read(SettingDefinition s)
        {
            var values = _values ??= Load();
            var (section, key) = SettingLocations.SplitDconfKey(s.Name);
            var location = $"{SettingLocations.DconfKeyfile} [{section}] {key}";
            if (!values.TryGetValue(section + "/" + key, out var hit)) return new ReadOutcome(null, location);
            var own = hit.File == SettingLocations.DconfKeyfile;
            return new ReadOutcome(ParseGVariant(hit.Value, hit.File), location, own ? null : hit.File);
        }

        /// <summary>The GVariant text forms this module reads: booleans, (typed) integers, quoted strings.</summary>
        public static JsonValue ParseGVariant(string text, string file)
        {
            var t = text.Trim();
            if (t == "true") return new JsonBoolean(true);
            if (t == "false") return new JsonBoolean(false);
            var m = Regex.Match(t, @"^(?:(?:uint32|int32|uint64|int64|uint16|int16|byte)\s+)?(-?\d+)$", RegexOptions.CultureInvariant);
            if (m.Success && long.TryParse(m.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                return new JsonNumber(l);
            if (t.Length >= 2 && (t[0] == '\'' || t[0] == '"') && t[t.Length - 1] == t[0])
                return new JsonString(t.Substring(1, t.Length - 2).Replace("\\'", "'"));
            throw ReaderErrors.Invalid(file, $"the value '{text}' is not a GVariant this module reads");
        }

        private Dictionary<string, (string, string)> Load()
        {
            // Files are read in name order; a later file overrides an earlier one (as `dconf compile` does).
            var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            var dir = _root.Map(KeyfileDir);
            if (!Directory.Exists(dir)) return result;
            foreach (var file in Directory.GetFiles(dir).OrderBy(f => f, StringComparer.Ordinal))
            {
                var shown = KeyfileDir + "/" + Path.GetFileName(file);
                string? section = null;
                var n = 0;
                foreach (var raw in ReaderErrors.ReadText(file).Split('\n'))
                {
                    n++;
                    var line = raw.Trim();
                    if (line.Length == 0 || line[0] == '#') continue;
                    if (line[0] == '[')
                    {
                        if (line[line.Length - 1] != ']') throw ReaderErrors.Invalid(shown, $"line {n}: unterminated section header");
                        section = line.Substring(1, line.Length - 2).Trim('/');
                        continue;
                    }
                    var eq = line.IndexOf('=');
                    if (eq <= 0 || section == null) throw ReaderErrors.Invalid(shown, $"line {n}: expected key=value inside a [section]");
                    result[section + "/" + line.Substring(0, eq).Trim()] = (line.Substring(eq + 1), shown);
                }
            }
            return result;
        }
    }

    /// <summary>APT periodic settings (audit only): the last assignment in /etc/apt/apt.conf.d/* in name order wins.</summary>
    public sealed class AptReader : ISettingReader
    {
        private const string Dir = "/etc/apt/apt.conf.d";
        private static readonly Regex s_assign = new Regex(@"^\s*([A-Za-z0-9:_-]+)\s+""([^""]*)""\s*;", RegexOptions.CultureInvariant | RegexOptions.Multiline);
        private readonly FileSystemRoot _root;
        private Dictionary<string, (string Value, string File)>? _values;

        public AptReader(FileSystemRoot root)
        {
            _root = root;
            NotApplicableReason = root.AnyExists("/usr/bin/apt-get", Dir) ? null : "APT is not present (/usr/bin/apt-get not found)";
        }

        public string Target => Targets.Apt;
        public string? NotApplicableReason { get; }

        public ReadOutcome Read(SettingDefinition s)
        {
            var values = _values ??= Load();
            var location = $"{Dir}/{(s.Section("apt")?["file"] as JsonString)?.Value ?? "*"} {s.Name}";
            if (!values.TryGetValue(s.Name, out var hit)) return new ReadOutcome(null, location);
            JsonValue v = long.TryParse(hit.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? new JsonNumber(l) : new JsonString(hit.Value);
            return new ReadOutcome(v, location, hit.File);
        }

        private Dictionary<string, (string, string)> Load()
        {
            var result = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
            var dir = _root.Map(Dir);
            if (!Directory.Exists(dir)) return result;
            foreach (var file in Directory.GetFiles(dir).OrderBy(f => f, StringComparer.Ordinal))
            {
                var text = Regex.Replace(ReaderErrors.ReadText(file), @"//[^\n]*|/\*.*?\*/", "", RegexOptions.Singleline);
                foreach (Match m in s_assign.Matches(text))
                    result[m.Groups[1].Value] = (m.Groups[2].Value, Dir + "/" + Path.GetFileName(file));
            }
            return result;
        }
    }

    /// <summary>A target that cannot be audited on this machine (another OS, or Intune-only).</summary>
    public sealed class NotApplicableReader : ISettingReader
    {
        public NotApplicableReader(string target, string reason) { Target = target; NotApplicableReason = reason; }
        public string Target { get; }
        public string? NotApplicableReason { get; }
        public ReadOutcome Read(SettingDefinition setting) => throw new InvalidOperationException("not applicable");
    }
}
