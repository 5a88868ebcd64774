using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// GNOME settings as system-wide dconf defaults (GNOME System Administration Guide, "Lock down
    /// specific settings"): a keyfile /etc/dconf/db/local.d/90-wa-hardening, the locks in
    /// /etc/dconf/db/local.d/locks/wa-hardening, a profile /etc/dconf/profile/user that names
    /// system-db:local, then `dconf update`. dconf compiles the keyfiles in name order and a later
    /// file overrides an earlier one (checked with `dconf compile` on Debian 12), so the audit takes
    /// the last file that sets a key and names it. A value only counts when the key is locked (when
    /// the setting asks for it), the profile uses the local database and the compiled database is
    /// newer than the keyfiles.
    /// </summary>
    public sealed class DconfProvider : ISettingProvider
    {
        // The keyfile folder and the module's keyfile are the GNOME row of Model/Targets.cs.
        public static readonly string KeyfileDir = Targets.Get(Targets.Gnome).LinuxPolicyFolder!;
        public static readonly string OwnKeyfile = Targets.Get(Targets.Gnome).LinuxOwnedFile!;
        public static readonly string LocksDir = KeyfileDir + "/locks";
        public static readonly string OwnLocks = LocksDir + "/wa-hardening";
        public const string Profile = "/etc/dconf/profile/user";
        public const string Database = "/etc/dconf/db/local";
        public const string ProfileLine = "system-db:local";

        public string Name => "Dconf";
        public bool Serves(string target, string platform) => platform == Platforms.Linux && target == Targets.Gnome;
        public bool CanWrite(string target) => true;

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            if (FileHelpers.DirExists(ctx, "/etc/dconf")) { reason = "/etc/dconf exists"; return true; }
            if (FileHelpers.Exists(ctx, "/usr/bin/dconf")) { reason = "dconf is installed"; return true; }
            reason = "dconf (GNOME) is not installed (no /etc/dconf, no /usr/bin/dconf)";
            return false;
        }

        private static (string Group, string Key) Split(SettingDefinition s)
        {
            var name = s.Name.Trim('/');
            var slash = name.LastIndexOf('/');
            if (slash <= 0) throw new WaHardeningException(ErrorIds.DconfKeyInvalid, WaErrorCategory.InvalidData,
                $"The GNOME setting '{s.Name}' must be a dconf key path such as org/gnome/desktop/session/idle-delay.", s.Name);
            return (name.Substring(0, slash), name.Substring(slash + 1));
        }

        internal static string GType(SettingDefinition s) => s.Dconf?.Type ?? "string";
        internal static bool WantsLock(SettingDefinition s) => s.Dconf?.Lock ?? DconfSection.DefaultLock;

        // ------------------------------------------------------------ keyfiles

        /// <summary>A keyfile as ordered groups of ordered key = raw GVariant text.</summary>
        internal sealed class Keyfile
        {
            public readonly List<KeyValuePair<string, List<KeyValuePair<string, string>>>> Groups = new List<KeyValuePair<string, List<KeyValuePair<string, string>>>>();

            public static Keyfile Parse(string text, string path)
            {
                var kf = new Keyfile();
                List<KeyValuePair<string, string>>? current = null;
                var lines = text.Replace("\r\n", "\n").Split('\n');
                for (var n = 0; n < lines.Length; n++)
                {
                    var line = lines[n].Trim();
                    if (line.Length == 0 || line[0] == '#') continue;
                    if (line[0] == '[')
                    {
                        if (line[line.Length - 1] != ']') throw Bad(path, n + 1, "a group header must end with ']'");
                        current = kf.Group(line.Substring(1, line.Length - 2).Trim('/'));
                        continue;
                    }
                    var eq = line.IndexOf('=');
                    if (eq <= 0) throw Bad(path, n + 1, "expected key=value");
                    if (current == null) throw Bad(path, n + 1, "a key before the first [group]");
                    var key = line.Substring(0, eq).Trim();
                    var value = line.Substring(eq + 1).Trim();
                    var i = current.FindIndex(p => p.Key == key);
                    if (i >= 0) current[i] = new KeyValuePair<string, string>(key, value);
                    else current.Add(new KeyValuePair<string, string>(key, value));
                }
                return kf;
            }

            private static WaHardeningException Bad(string path, int line, string what) => new WaHardeningException(ErrorIds.DconfKeyfileInvalid,
                WaErrorCategory.InvalidData, $"The dconf keyfile '{path}' is malformed at line {line}: {what}; nothing was written.", path);

            public List<KeyValuePair<string, string>> Group(string name)
            {
                var g = Groups.FirstOrDefault(x => x.Key == name);
                if (g.Value != null) return g.Value;
                var list = new List<KeyValuePair<string, string>>();
                Groups.Add(new KeyValuePair<string, List<KeyValuePair<string, string>>>(name, list));
                return list;
            }

            public string? Get(string group, string key) =>
                Groups.Where(g => g.Key == group).SelectMany(g => g.Value).Where(p => p.Key == key).Select(p => p.Value).LastOrDefault();

            public string Write()
            {
                var sb = new StringBuilder("# Written by WaHardening (Set-WaHardening); changes here are overwritten. Run 'dconf update' after editing.\n");
                foreach (var g in Groups)
                {
                    sb.Append('\n').Append('[').Append(g.Key).Append("]\n");
                    foreach (var p in g.Value) sb.Append(p.Key).Append('=').Append(p.Value).Append('\n');
                }
                return sb.ToString();
            }
        }

        // ------------------------------------------------------------ GVariant text

        /// <summary>GVariant text form of a value for the setting's dconf type (uint32 300, true, 'text', ['a', 'b']).</summary>
        public static string Format(string gtype, JsonValue v)
        {
            switch (gtype)
            {
                case "boolean": return ((JsonBoolean)v).Value ? "true" : "false";
                case "uint32": return "uint32 " + ((JsonNumber)v).Raw;
                case "int32": return ((JsonNumber)v).Raw;
                case "as":
                    var items = ((JsonArray)v).Items.Select(i => Quote(((JsonString)i).Value)).ToArray();
                    return items.Length == 0 ? "@as []" : "[" + string.Join(", ", items) + "]";
                default: return Quote(v is JsonString s ? s.Value : v.ToString());
            }
        }

        private static string Quote(string s)
        {
            var sb = new StringBuilder("'");
            foreach (var c in s)
            {
                if (c == '\'' || c == '\\') sb.Append('\\');
                if (c == '\n') { sb.Append("\\n"); continue; }
                sb.Append(c);
            }
            return sb.Append('\'').ToString();
        }

        /// <summary>Parses the GVariant text forms this module reads; unknown forms come back as a string of the raw text.</summary>
        public static JsonValue ParseValue(string text)
        {
            var t = text.Trim();
            if (t == "true") return new JsonBoolean(true);
            if (t == "false") return new JsonBoolean(false);
            foreach (var prefix in new[] { "uint32 ", "int32 ", "uint64 ", "int64 ", "uint16 ", "int16 ", "byte " })
                if (t.StartsWith(prefix, StringComparison.Ordinal)) { t = t.Substring(prefix.Length).Trim(); break; }
            if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return new JsonNumber(n);
            if (t.Length >= 2 && (t[0] == '\'' || t[0] == '"') && t[t.Length - 1] == t[0]) return new JsonString(Unquote(t));
            if (t == "@as []") return new JsonArray();
            if (t.StartsWith("[", StringComparison.Ordinal) && t.EndsWith("]", StringComparison.Ordinal))
            {
                var arr = new JsonArray();
                var i = 1;
                while (i < t.Length - 1)
                {
                    while (i < t.Length - 1 && (t[i] == ' ' || t[i] == ',')) i++;
                    if (i >= t.Length - 1) break;
                    var q = t[i];
                    if (q != '\'' && q != '"') return new JsonString(text);
                    var sb = new StringBuilder();
                    i++;
                    while (i < t.Length - 1 && t[i] != q) { if (t[i] == '\\' && i + 1 < t.Length - 1) i++; sb.Append(t[i] == 'n' && t[i - 1] == '\\' ? '\n' : t[i]); i++; }
                    i++;
                    arr.Add(new JsonString(sb.ToString()));
                }
                return arr;
            }
            return new JsonString(text);
        }

        private static string Unquote(string t)
        {
            var sb = new StringBuilder();
            for (var i = 1; i < t.Length - 1; i++)
            {
                if (t[i] == '\\' && i + 1 < t.Length - 1) { i++; sb.Append(t[i] == 'n' ? '\n' : t[i] == 't' ? '\t' : t[i]); }
                else sb.Append(t[i]);
            }
            return sb.ToString();
        }

        // ------------------------------------------------------------ read

        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            var (group, key) = Split(s);
            string? raw = null, from = null;
            foreach (var f in FileHelpers.Files(ctx, KeyfileDir))
            {
                var v = Keyfile.Parse(FileHelpers.ReadText(ctx, f), f).Get(group, key);
                if (v != null) { raw = v; from = f; }
            }
            var location = $"{OwnKeyfile}: [{group}] {key}";
            if (raw == null) return new ReadResult(null, location);
            var problems = new List<string>();
            if (WantsLock(s) && !Locks(ctx).Contains("/" + group + "/" + key))
                problems.Add($"the key is not locked (no /{group}/{key} in {LocksDir}), so users can change it");
            var profileProblem = ProfileProblem(ctx);
            if (profileProblem != null) problems.Add(profileProblem);
            else if (Stale(ctx)) problems.Add($"the compiled database {Database} is missing or older than the keyfiles (run 'dconf update')");
            return new ReadResult(ParseValue(raw), location, from != OwnKeyfile ? from : null, problems.Count == 0 ? null : string.Join("; ", problems));
        }

        private static HashSet<string> Locks(ProviderContext ctx)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in FileHelpers.Files(ctx, LocksDir))
                foreach (var line in FileHelpers.ReadText(ctx, f).Split('\n'))
                {
                    var l = line.Trim();
                    if (l.Length > 0 && l[0] != '#') set.Add(l);
                }
            return set;
        }

        private static string? ProfileProblem(ProviderContext ctx)
        {
            if (!FileHelpers.Exists(ctx, Profile)) return $"the dconf profile {Profile} does not exist, so the system database is not used";
            return ProfileLines(ctx).Contains(ProfileLine) ? null : $"the dconf profile {Profile} does not name {ProfileLine}";
        }

        private static List<string> ProfileLines(ProviderContext ctx) =>
            FileHelpers.ReadText(ctx, Profile).Split('\n').Select(l => l.Trim()).ToList();

        private static bool Stale(ProviderContext ctx)
        {
            var db = ctx.Map(Database);
            if (!File.Exists(db)) return true;
            var built = File.GetLastWriteTimeUtc(db);
            return FileHelpers.Files(ctx, KeyfileDir).Concat(FileHelpers.Files(ctx, LocksDir))
                .Any(f => File.GetLastWriteTimeUtc(ctx.Map(f)) > built);
        }

        // ------------------------------------------------------------ plan

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx)
        {
            var plan = new ProviderPlan();
            if (items.Count == 0) return plan;
            if (!ctx.Commands.Exists("dconf"))
                throw new WaHardeningException(ErrorIds.DconfNotFound, WaErrorCategory.ResourceUnavailable,
                    "The 'dconf' program is not installed (Debian/Ubuntu package dconf-cli); it is needed to compile the GNOME settings. Nothing was written.", "dconf");
            foreach (var f in FileHelpers.Files(ctx, KeyfileDir)) Keyfile.Parse(FileHelpers.ReadText(ctx, f), f); // all must parse

            var existing = FileHelpers.ReadBytes(ctx, OwnKeyfile);
            var kf = existing != null ? Keyfile.Parse(FileHelpers.ReadText(ctx, OwnKeyfile), OwnKeyfile) : new Keyfile();
            var lockPaths = new List<string>();
            foreach (var i in items)
            {
                var (group, key) = Split(i.Setting);
                var g = kf.Group(group);
                var text = Format(GType(i.Setting), i.Desired);
                var at = g.FindIndex(p => p.Key == key);
                if (at >= 0) g[at] = new KeyValuePair<string, string>(key, text); else g.Add(new KeyValuePair<string, string>(key, text));
                if (WantsLock(i.Setting)) lockPaths.Add("/" + group + "/" + key);
            }
            var bytes = Utf8.NoBom.GetBytes(kf.Write());
            if (!FileHelpers.SameBytes(existing, bytes))
                plan.Operations.Add(new FileWriteOperation(OwnKeyfile, bytes, "GNOME defaults: " + string.Join(", ", items.Select(i => i.Setting.Name))));

            var oldLocks = FileHelpers.ReadBytes(ctx, OwnLocks);
            var lockLines = oldLocks == null ? new List<string>() : FileHelpers.ReadText(ctx, OwnLocks).Split('\n').Where(l => l.Trim().Length > 0).ToList();
            foreach (var p in lockPaths) if (!lockLines.Contains(p)) lockLines.Add(p);
            var lockBytes = Utf8.NoBom.GetBytes(string.Concat(lockLines.Select(l => l + "\n")));
            if (lockLines.Count > 0 && !FileHelpers.SameBytes(oldLocks, lockBytes))
                plan.Operations.Add(new FileWriteOperation(OwnLocks, lockBytes, "GNOME locks"));

            var oldProfile = FileHelpers.ReadBytes(ctx, Profile);
            if (oldProfile == null)
                plan.Operations.Add(new FileWriteOperation(Profile, Utf8.NoBom.GetBytes("user-db:user\n" + ProfileLine + "\n"), "dconf profile"));
            else if (!ProfileLines(ctx).Contains(ProfileLine))
            {
                var text = FileHelpers.ReadText(ctx, Profile);
                if (text.Length > 0 && !text.EndsWith("\n", StringComparison.Ordinal)) text += "\n";
                plan.Operations.Add(new FileWriteOperation(Profile, Utf8.NoBom.GetBytes(text + ProfileLine + "\n"), $"dconf profile: add {ProfileLine}"));
            }
            // Even with no file to change (e.g. only the database was stale) the database must be rebuilt. The compiled
            // database is in the backup too, so Undo leaves no database behind that was not there before.
            plan.Operations.Add(new FileByCommandOperation(Database, "compiled by 'dconf update'"));
            plan.PostActions.Add(new PostAction(Name, "update"));
            return plan;
        }

        public void RunPostAction(string action, ProviderContext ctx)
        {
            if (action != "update") throw new WaHardeningException(ErrorIds.UnknownPostAction, WaErrorCategory.InvalidData, $"Dconf has no post-action '{action}'.", action);
            if (!ctx.Commands.Exists("dconf"))
                throw new WaHardeningException(ErrorIds.DconfNotFound, WaErrorCategory.ResourceUnavailable,
                    "The 'dconf' program is not installed (package dconf-cli); run 'dconf update' once it is.", "dconf");
            var args = ctx.Root == null ? new[] { "update" } : new[] { "update", ctx.Map("/etc/dconf/db") };
            ctx.Verbose("Running dconf " + string.Join(" ", args));
            var r = ctx.Commands.Run("dconf", args);
            if (r.ExitCode != 0)
                throw new WaHardeningException(ErrorIds.DconfUpdateFailed, WaErrorCategory.InvalidOperation,
                    $"'dconf {string.Join(" ", args)}' failed with exit code {r.ExitCode}: {r.Error.Trim()}", "dconf");
        }
    }
}
