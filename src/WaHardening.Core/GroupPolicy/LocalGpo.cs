using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.GroupPolicy
{
    /// <summary>What a local GPO merge changed (and where the previous files were saved).</summary>
    public sealed class LocalGpoMergeResult
    {
        internal LocalGpoMergeResult(string root, bool machineChanged, bool userChanged, uint oldVersion, uint newVersion,
            IReadOnlyDictionary<string, string?> backups, int machineForeign, int userForeign, int machineOwn, int userOwn, bool whatIf)
        {
            Root = root; MachineChanged = machineChanged; UserChanged = userChanged; OldVersion = oldVersion; NewVersion = newVersion;
            Backups = backups; MachineForeignEntries = machineForeign; UserForeignEntries = userForeign;
            MachineEntries = machineOwn; UserEntries = userOwn; WhatIf = whatIf;
        }

        public string Root { get; }
        public bool MachineChanged { get; }
        public bool UserChanged { get; }
        public bool Changed => MachineChanged || UserChanged;
        /// <summary>gpt.ini <c>Version</c> before: <c>(user &lt;&lt; 16) | machine</c>.</summary>
        public uint OldVersion { get; }
        public uint NewVersion { get; }
        /// <summary>Each file the merge replaced or created → the copy of its previous content (null: it did not exist).
        /// <see cref="LocalGpo.Restore"/> puts them back.</summary>
        public IReadOnlyDictionary<string, string?> Backups { get; }
        /// <summary>Records of other tools kept as they were.</summary>
        public int MachineForeignEntries { get; }
        public int UserForeignEntries { get; }
        /// <summary>Records this module wrote.</summary>
        public int MachineEntries { get; }
        public int UserEntries { get; }
        public bool WhatIf { get; }
    }

    /// <summary>
    /// Merges baseline records into the local Group Policy object (<c>%SystemRoot%\System32\GroupPolicy</c>):
    /// <c>Machine\Registry.pol</c> and <c>User\Registry.pol</c> keep every record of other tools in its place, the
    /// records this module owns (same key and value, or the whole key of a list policy) are replaced by the new ones,
    /// and <c>gpt.ini</c> gets its <c>Version</c> bumped (<c>(user &lt;&lt; 16) | machine</c>: the low word for a machine
    /// change, the high word for a user change) and the registry extension GUIDs added to
    /// <c>gPCMachineExtensionNames</c>/<c>gPCUserExtensionNames</c>. Unchanged files are not rewritten and the version
    /// is not bumped. Previous files are copied to a backup folder first; each file is replaced atomically.
    /// Windows applies the result at the next policy refresh (<c>gpupdate /force</c>).
    /// </summary>
    public static class LocalGpo
    {
        public static string DefaultRoot =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "GroupPolicy");

        /// <summary>Merges <paramref name="machine"/> and <paramref name="user"/> records into the local GPO at <paramref name="root"/>.</summary>
        /// <param name="root">The GPO folder (holds gpt.ini, Machine\ and User\).</param>
        /// <param name="machine">Records this module owns for HKLM.</param>
        /// <param name="user">Records this module owns for HKCU.</param>
        /// <param name="backupDirectory">Where previous files are copied (created; default <c>root\.wahardening-backup\&lt;time&gt;</c>).</param>
        /// <param name="whatIf">Compute the result without writing anything.</param>
        public static LocalGpoMergeResult Merge(string root, IReadOnlyList<PolEntry> machine, IReadOnlyList<PolEntry> user,
            string? backupDirectory = null, bool whatIf = false)
        {
            root = Path.GetFullPath(root);
            var machinePath = FindFile(root, "Machine", "Registry.pol");
            var userPath = FindFile(root, "User", "Registry.pol");
            var gptPath = FindFile(root, null, "gpt.ini");

            var (machineBytes, machineForeign) = MergeFile(machinePath, machine);
            var (userBytes, userForeign) = MergeFile(userPath, user);
            var machineChanged = machineBytes != null;
            var userChanged = userBytes != null;

            var gptOld = File.Exists(gptPath) ? ReadText(gptPath) : null;
            var oldVersion = GptVersion(gptOld);
            var newVersion = oldVersion;
            if (machineChanged) newVersion = (newVersion & 0xFFFF0000u) | Bump(newVersion & 0xFFFF);
            if (userChanged) newVersion = (Bump(newVersion >> 16) << 16) | (newVersion & 0xFFFF);
            var gptNew = UpdateGptIni(gptOld, newVersion, machine.Count > 0, user.Count > 0);
            var gptChanged = gptOld != gptNew && (machineChanged || userChanged || ExtensionsMissing(gptOld ?? "", machine.Count > 0, user.Count > 0));

            var backups = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (!whatIf && (machineChanged || userChanged || gptChanged))
            {
                var dir = backupDirectory ?? Path.Combine(root, ".wahardening-backup", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                void Save(string path, string name)
                {
                    if (File.Exists(path)) { var copy = Path.Combine(dir, name); File.Copy(path, copy, true); backups[path] = copy; }
                    else backups[path] = null;
                }
                if (machineChanged) Save(machinePath, "Machine.Registry.pol");
                if (userChanged) Save(userPath, "User.Registry.pol");
                if (gptChanged) Save(gptPath, "gpt.ini");
                // Registry.pol files first, gpt.ini last: a crash in between leaves the old version number, and
                // Windows then reapplies on the next refresh anyway.
                if (machineChanged) AtomicFile.WriteAllBytes(machinePath, machineBytes!);
                if (userChanged) AtomicFile.WriteAllBytes(userPath, userBytes!);
                if (gptChanged) AtomicFile.WriteAllBytes(gptPath, Encoding.ASCII.GetBytes(gptNew));
            }
            return new LocalGpoMergeResult(root, machineChanged, userChanged, oldVersion, gptChanged ? newVersion : oldVersion, backups,
                machineForeign, userForeign, machine.Count, user.Count, whatIf);
        }

        /// <summary>Puts back the files a merge replaced (and deletes the ones it created).</summary>
        public static void Restore(LocalGpoMergeResult result)
        {
            foreach (var kv in result.Backups)
            {
                if (kv.Value == null) { if (File.Exists(kv.Key)) File.Delete(kv.Key); }
                else AtomicFile.WriteAllBytes(kv.Key, File.ReadAllBytes(kv.Value));
            }
        }

        /// <summary>The merged file bytes, or null when the file would not change; and the number of foreign records kept.</summary>
        internal static (byte[]? Bytes, int Foreign) MergeFile(string path, IReadOnlyList<PolEntry> own)
        {
            byte[]? old = File.Exists(path) ? RegistryPolicyFile.ReadBytes(path) : null;
            var existing = old == null ? new List<PolEntry>() : RegistryPolicyFile.Read(old, path);
            var merged = Merge(existing, own, out var foreign);
            if (old == null && own.Count == 0) return (null, 0);
            var bytes = RegistryPolicyFile.ToBytes(merged);
            return (old != null && Same(old, bytes) ? null : bytes, foreign);
        }

        /// <summary>Foreign records in their order, then <paramref name="own"/>. A record is ours to replace when it names
        /// a value we set (the value itself, or a <c>**del.</c>/<c>**soft.</c> for it) or lies in a key we own as a list.</summary>
        public static List<PolEntry> Merge(IReadOnlyList<PolEntry> existing, IReadOnlyList<PolEntry> own, out int foreignCount)
        {
            var ownedKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var ownedValues = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var e in own)
            {
                if (e.Action == PolAction.DeleteAllValues) ownedKeys.Add(e.Key);
                else if (e.TargetValueName != null) ownedValues.Add(e.Key + "\0" + e.TargetValueName);
            }
            var result = new List<PolEntry>(existing.Count + own.Count);
            foreignCount = 0;
            foreach (var e in existing)
            {
                if (ownedKeys.Contains(e.Key)) continue;
                if (e.TargetValueName != null && ownedValues.Contains(e.Key + "\0" + e.TargetValueName)) continue;
                result.Add(e);
                foreignCount++;
            }
            result.AddRange(own);
            return result;
        }

        // ---- gpt.ini ----

        /// <summary><c>[General] Version=</c> (0 when absent or unreadable).</summary>
        public static uint GptVersion(string? gptIni)
        {
            var v = GetValue(gptIni, "Version");
            return v != null && uint.TryParse(v.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        }

        public static string? GetValue(string? ini, string name)
        {
            if (ini == null) return null;
            var inGeneral = false;
            foreach (var raw in ini.Split('\n'))
            {
                var line = raw.TrimEnd('\r').Trim();
                if (line.StartsWith("[", StringComparison.Ordinal)) { inGeneral = string.Equals(line, "[General]", StringComparison.OrdinalIgnoreCase); continue; }
                var eq = line.IndexOf('=');
                if (inGeneral && eq > 0 && string.Equals(line.Substring(0, eq).Trim(), name, StringComparison.OrdinalIgnoreCase))
                    return line.Substring(eq + 1);
            }
            return null;
        }

        private static uint Bump(uint v) => v >= 0xFFFF ? 1u : v + 1;

        private static bool ExtensionsMissing(string gpt, bool machine, bool user)
        {
            bool Has(string name, string tool) => GpoExtensions.Parse(GetValue(gpt, name))
                .Any(p => string.Equals(p.Key, GpoExtensions.RegistryCse, StringComparison.OrdinalIgnoreCase) && string.Equals(p.Value, tool, StringComparison.OrdinalIgnoreCase));
            return (machine && !Has("gPCMachineExtensionNames", GpoExtensions.RegistryMachineTool)) ||
                   (user && !Has("gPCUserExtensionNames", GpoExtensions.RegistryUserTool));
        }

        /// <summary>gpt.ini with the new version and the registry CSE pairs added; every other line kept as it was.</summary>
        public static string UpdateGptIni(string? gptIni, uint version, bool machine, bool user)
        {
            var lines = gptIni == null ? new List<string>() : gptIni.Replace("\r\n", "\n").Split('\n').ToList();
            if (lines.Count > 0 && lines[lines.Count - 1].Length == 0) lines.RemoveAt(lines.Count - 1);
            var general = lines.FindIndex(l => string.Equals(l.Trim(), "[General]", StringComparison.OrdinalIgnoreCase));
            if (general < 0) { lines.Insert(0, "[General]"); general = 0; }
            var end = general + 1;
            while (end < lines.Count && !lines[end].TrimStart().StartsWith("[", StringComparison.Ordinal)) end++;

            void Set(string name, string value)
            {
                for (var i = general + 1; i < end; i++)
                {
                    var eq = lines[i].IndexOf('=');
                    if (eq > 0 && string.Equals(lines[i].Substring(0, eq).Trim(), name, StringComparison.OrdinalIgnoreCase))
                    { lines[i] = lines[i].Substring(0, eq) + "=" + value; return; }
                }
                lines.Insert(end, name + "=" + value);
                end++;
            }

            var current = string.Join("\n", lines);
            if (machine)
            {
                var pairs = GpoExtensions.Parse(GetValue(current, "gPCMachineExtensionNames"));
                pairs.AddRange(GpoExtensions.ForMachine(true, false));
                Set("gPCMachineExtensionNames", GpoExtensions.Format(pairs));
            }
            if (user)
            {
                var pairs = GpoExtensions.Parse(GetValue(current, "gPCUserExtensionNames"));
                pairs.AddRange(GpoExtensions.ForUser(true));
                Set("gPCUserExtensionNames", GpoExtensions.Format(pairs));
            }
            Set("Version", version.ToString(CultureInfo.InvariantCulture));
            return string.Join("\r\n", lines) + "\r\n";
        }

        // ---- files ----

        /// <summary>The file under root (case-insensitively, as on Windows), or its default spelling if absent.</summary>
        private static string FindFile(string root, string? folder, string name)
        {
            var dir = root;
            if (folder != null)
            {
                var existing = Directory.Exists(root)
                    ? Directory.GetDirectories(root).FirstOrDefault(d => string.Equals(Path.GetFileName(d), folder, StringComparison.OrdinalIgnoreCase))
                    : null;
                dir = existing ?? Path.Combine(root, folder);
            }
            if (Directory.Exists(dir))
            {
                var f = Directory.GetFiles(dir).FirstOrDefault(p => string.Equals(Path.GetFileName(p), name, StringComparison.OrdinalIgnoreCase));
                if (f != null) return f;
            }
            return Path.Combine(dir, name);
        }

        private static string ReadText(string path)
        {
            var b = RegistryPolicyFile.ReadBytes(path);
            if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xFE) return Encoding.Unicode.GetString(b, 2, b.Length - 2);
            return Encoding.UTF8.GetString(b);
        }

        private static bool Same(byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return false;
            for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        /// <summary>Splits rendered settings into the Machine and User halves (HKLM / HKCU).</summary>
        public static (List<PolEntry> Machine, List<PolEntry> User) Split(IEnumerable<RegistrySetting> settings)
        {
            var m = new List<PolEntry>(); var u = new List<PolEntry>();
            foreach (var s in settings) (s.Hive == "HKCU" ? u : m).AddRange(PolEntry.FromSetting(s));
            return (m, u);
        }
    }
}
