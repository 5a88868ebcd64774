using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.GroupPolicy
{
    /// <summary>What a local GPO merge changed, and the backup that undoes it.</summary>
    public sealed class LocalGpoMergeResult
    {
        internal LocalGpoMergeResult(string root, bool machineChanged, bool userChanged, uint oldVersion, uint newVersion,
            string? backupPath, int machineForeign, int userForeign, int machineOwn, int userOwn, IReadOnlyList<string> kept, bool whatIf)
        {
            Root = root; MachineChanged = machineChanged; UserChanged = userChanged; OldVersion = oldVersion; NewVersion = newVersion;
            BackupPath = backupPath; MachineForeignEntries = machineForeign; UserForeignEntries = userForeign;
            MachineEntries = machineOwn; UserEntries = userOwn; Kept = kept; WhatIf = whatIf;
        }

        public string Root { get; }
        public bool MachineChanged { get; }
        public bool UserChanged { get; }
        public bool Changed => MachineChanged || UserChanged;
        /// <summary>gpt.ini <c>Version</c> before: <c>(user &lt;&lt; 16) | machine</c>.</summary>
        public uint OldVersion { get; }
        public uint NewVersion { get; }
        /// <summary>The backup (the JSON format of Set-WaHardening) holding every file the merge replaced or created, as it was;
        /// <c>Undo-WaHardening -BackupPath</c> restores them byte for byte (and removes the created ones). Null when nothing was written.</summary>
        public string? BackupPath { get; }
        /// <summary>Records found in the file and kept as they were (other tools' records, and values already as strict as the baseline).</summary>
        public int MachineForeignEntries { get; }
        public int UserForeignEntries { get; }
        /// <summary>Records this merge wrote.</summary>
        public int MachineEntries { get; }
        public int UserEntries { get; }
        /// <summary>Baseline settings left as they were because the policy already holds them as strict or stricter, with the reason.</summary>
        public IReadOnlyList<string> Kept { get; }
        public bool WhatIf { get; }
    }

    /// <summary>
    /// Merges the baseline into the local Group Policy object (<c>%SystemRoot%\System32\GroupPolicy</c>) with "stricter wins":
    /// in <c>Machine\Registry.pol</c> and <c>User\Registry.pol</c> every record of other tools stays in its place; a baseline
    /// value already in the file is judged with <see cref="ValueComparer"/> (as Set-WaHardening judges the registry) and kept
    /// when it is as strict or stricter, replaced (its records removed, the desired value appended) when it is looser; a list
    /// policy becomes the union of the entries in the file and the baseline's, renumbered 1..n. <c>gpt.ini</c> gets its
    /// <c>Version</c> bumped (<c>(user &lt;&lt; 16) | machine</c>: the low word for a machine change, the high word for a user
    /// change) and the registry extension GUIDs added to <c>gPCMachineExtensionNames</c>/<c>gPCUserExtensionNames</c>.
    /// Unchanged files are not rewritten and the version is not bumped. The files are written through the enforcement engine
    /// (<see cref="Engine.ApplyOperations"/>): a JSON backup first, atomic replacement, rollback on failure; Undo-WaHardening
    /// restores it. Windows applies the result at the next policy refresh (<c>gpupdate /force</c>).
    /// </summary>
    public static class LocalGpo
    {
        public static string DefaultRoot =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "GroupPolicy");

        /// <summary>Merges the settings of <paramref name="content"/> into the local GPO at <paramref name="root"/>. The caller holds
        /// the <see cref="EnforcementLock"/> when <paramref name="whatIf"/> is false.</summary>
        /// <param name="context">Where the module runs: its root (the GPO folder must lie under it), platform and backup folder.</param>
        /// <param name="root">The GPO folder (holds gpt.ini, Machine\ and User\), a physical path.</param>
        /// <param name="content">The rendered baseline (its <see cref="GpoContent.Settings"/> and <see cref="GpoContent.Definitions"/>).</param>
        /// <param name="backupPath">The backup file to write (default: a new file in the module's backup folder).</param>
        /// <param name="whatIf">Compute the result without writing anything.</param>
        public static LocalGpoMergeResult Merge(ProviderContext context, string root, GpoContent content, string? backupPath = null, bool whatIf = false)
        {
            root = Path.GetFullPath(root);
            var machinePath = FindFile(root, "Machine", "Registry.pol");
            var userPath = FindFile(root, "User", "Registry.pol");
            var gptPath = FindFile(root, null, "gpt.ini");
            // Checked before anything else: with a root, the GPO folder must lie below it.
            var real = new[] { machinePath, userPath, gptPath }.Select(context.Unmap).ToArray();

            var machine = new List<(SettingDefinition, RegistrySetting)>();
            var user = new List<(SettingDefinition, RegistrySetting)>();
            for (var i = 0; i < content.Settings.Count; i++)
                (content.Settings[i].Hive == "HKCU" ? user : machine).Add((content.Definitions[i], content.Settings[i]));

            var m = MergeFile(machinePath, machine);
            var u = MergeFile(userPath, user);
            var machineChanged = m.Bytes != null;
            var userChanged = u.Bytes != null;

            var gptOld = File.Exists(gptPath) ? ReadText(gptPath) : null;
            var oldVersion = GptVersion(gptOld);
            var newVersion = oldVersion;
            if (machineChanged) newVersion = (newVersion & 0xFFFF0000u) | Bump(newVersion & 0xFFFF);
            if (userChanged) newVersion = (Bump(newVersion >> 16) << 16) | (newVersion & 0xFFFF);
            var gptNew = UpdateGptIni(gptOld, newVersion, machine.Count > 0, user.Count > 0);
            var gptChanged = gptOld != gptNew && (machineChanged || userChanged || ExtensionsMissing(gptOld ?? "", machine.Count > 0, user.Count > 0));

            string? written = null;
            if (!whatIf && (machineChanged || userChanged || gptChanged))
            {
                // Registry.pol files first, gpt.ini last: a crash in between leaves the old version number, and
                // Windows then reapplies on the next refresh anyway. A failure rolls back what was written.
                var ops = new List<WriteOperation>();
                if (machineChanged) ops.Add(new FileWriteOperation(real[0], m.Bytes!, "local GPO, machine policy"));
                if (userChanged) ops.Add(new FileWriteOperation(real[1], u.Bytes!, "local GPO, user policy"));
                if (gptChanged) ops.Add(new FileWriteOperation(real[2], Encoding.ASCII.GetBytes(gptNew), "local GPO version and extensions"));
                written = new Engine(context, Array.Empty<ISettingProvider>()).ApplyOperations(ops, null, backupPath);
            }
            return new LocalGpoMergeResult(root, machineChanged, userChanged, oldVersion, gptChanged ? newVersion : oldVersion, written,
                m.Kept, u.Kept, m.Written, u.Written, m.Notes.Concat(u.Notes).ToList(), whatIf);
        }

        /// <summary>The outcome of merging one Registry.pol.</summary>
        internal sealed class FileMerge
        {
            /// <summary>The merged records: the file's records that stay, in their order, then the ones written.</summary>
            public List<PolEntry> Records { get; } = new List<PolEntry>();
            /// <summary>The merged file, or null when it would not change.</summary>
            public byte[]? Bytes { get; set; }
            public int Kept { get; set; }
            public int Written { get; set; }
            public List<string> Notes { get; } = new List<string>();
        }

        internal static FileMerge MergeFile(string path, IReadOnlyList<(SettingDefinition Definition, RegistrySetting Setting)> own)
        {
            byte[]? old = File.Exists(path) ? RegistryPolicyFile.ReadBytes(path) : null;
            var existing = old == null ? new List<PolEntry>() : RegistryPolicyFile.Read(old, path);
            var merge = Merge(existing, own);
            if (old == null && own.Count == 0) return merge;
            var bytes = RegistryPolicyFile.ToBytes(merge.Records);
            merge.Bytes = old != null && Same(old, bytes) ? null : bytes;
            return merge;
        }

        /// <summary>
        /// "Stricter wins" over the records of one Registry.pol: for each baseline setting, the value the file gives it (records
        /// applied in order, as the client does: <c>**delvals.</c>, <c>**del.</c>, <c>**DeleteValues</c>, <c>**soft.</c>) is
        /// judged with <see cref="ValueComparer.Judge"/>. As strict or stricter: its records stay. Looser, missing or of another
        /// registry type: its records go and <see cref="ValueComparer.Desired"/> is appended (for a list, the union of the
        /// file's entries and the baseline's, <c>**delvals.</c> then 1..n). Every other record stays where it is.
        /// </summary>
        internal static FileMerge Merge(IReadOnlyList<PolEntry> existing, IReadOnlyList<(SettingDefinition Definition, RegistrySetting Setting)> own)
        {
            var result = new FileMerge();
            var drop = new HashSet<int>();
            var append = new List<PolEntry>();
            foreach (var (def, setting) in own)
            {
                if (setting.JsonMember != null) { MergeMember(existing, def, setting, own, result, drop, append); continue; }
                var (actual, owned, kindProblem) = setting.IsList ? ListState(existing, def, setting) : ValueState(existing, def, setting);
                if (actual == null && RegistryRendering.FirefoxBooleanForm(def) is (_, string allKey, string allName)
                    && RawValue(existing, allKey, allName) is (PolEntry all, List<int> allOwned) && all.Type == RegistryKind.DWord && all.Data is uint flag)
                {
                    // Firefox's boolean form (SanitizeOnShutdown = 1: clear everything), as the registry provider judges it: on, it
                    // stands for this item and stays; off, it clears nothing and the item records replace it.
                    var (ok, why) = ValueComparer.Judge(def, new JsonBoolean(flag != 0));
                    if (ok) { result.Notes.Add($@"{setting.Path}: kept {allKey}\{allName} = {flag} (the boolean form, {why})"); continue; }
                    if (flag != 0)
                        throw new WaHardeningException(ErrorIds.PolicyFormConflict, WaErrorCategory.InvalidData,
                            $@"{allKey}\{allName} = {flag} stands for every item, and {def.Name} = {def.Expected} can only be written as an item, " +
                            "which would leave Firefox two forms of the policy; nothing was written.", $@"{allKey}\{allName}");
                    drop.UnionWith(allOwned);
                }
                if (actual != null && !kindProblem)
                {
                    var (ok, why) = ValueComparer.Judge(def, actual);
                    if (ok)
                    {
                        result.Notes.Add($"{setting.Path}: kept {actual} ({why})");
                        continue;
                    }
                }
                drop.UnionWith(owned);
                var desired = ValueComparer.Desired(def, actual);
                append.AddRange(PolEntry.FromSetting(RegistryRendering.Render(def, desired)));
            }
            for (var i = 0; i < existing.Count; i++)
                if (!drop.Contains(i)) { result.Records.Add(existing[i]); result.Kept++; }
            result.Records.AddRange(append);
            result.Written = append.Count;
            return result;
        }

        /// <summary>
        /// A member of a shared JSON value (Firefox's Preferences): judged inside the value the file gives it; when looser or
        /// missing, the value's records go and one merged record (the file's members kept, this one set) replaces them, shared by
        /// every member of the value. Records of the deprecated per-preference form of this preference are dropped (Mozilla: they
        /// must be cleared for the Preferences policy to work); one of another preference is refused (PolicyFormConflict).
        /// </summary>
        private static void MergeMember(IReadOnlyList<PolEntry> existing, SettingDefinition def, RegistrySetting setting,
            IReadOnlyList<(SettingDefinition Definition, RegistrySetting Setting)> own, FileMerge result,
            HashSet<int> drop, List<PolEntry> append)
        {
            var (dHive, dKey, dName) = RegistryRendering.DeprecatedPreference(def)!.Value;
            var (deprecated, deprecatedOwned) = RawValue(existing, dKey, dName);
            drop.UnionWith(deprecatedOwned);
            var foreign = existing.Where(e => e.Action == PolAction.SetValue && SameName(e.Key, dKey) && !own.Any(o => SameName(o.Setting.JsonMember, e.ValueName))).Select(e => e.ValueName).ToList();
            if (foreign.Count > 0)
                throw new WaHardeningException(ErrorIds.PolicyFormConflict, WaErrorCategory.InvalidData,
                    $@"The file holds values of Firefox's deprecated per-preference form ({dKey}: {string.Join(", ", foreign)}); the Preferences policy " +
                    "does not work while they exist (Mozilla: clear them first). Nothing was written.", dKey);
            var pending = append.FindIndex(e => e.Action == PolAction.SetValue && SameName(e.Key, setting.Key) && SameName(e.ValueName, setting.ValueName));
            var (state, owned) = RawValue(existing, setting.Key, setting.ValueName);
            var data = pending >= 0 ? append[pending].Data : state?.Data;
            var kindOk = state == null || state.Type == RegistryKind.MultiString || state.Type == RegistryKind.String;
            var (actual, problem) = kindOk ? RegistryRendering.ReadMember(def, setting, data) : (null, null);
            if (actual != null && problem == null)
            {
                var (ok, why) = ValueComparer.Judge(def, actual);
                if (ok)
                {
                    result.Notes.Add($"{setting.Path}: kept {actual} ({why})" + (deprecated != null ? $@"; dropped the deprecated {dKey}\{dName}" : ""));
                    return;
                }
            }
            drop.UnionWith(owned);
            var merged = PolEntry.Create(setting.Key, setting.ValueName!, setting.Kind,
                RegistryRendering.MergeMember(def, setting, kindOk ? data : null, ValueComparer.Desired(def, actual)));
            if (pending >= 0) append[pending] = merged; else append.Add(merged);
        }

        private static bool SameName(string? a, string? b) => a != null && b != null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        private static IEnumerable<string> Names(PolEntry e) => (e.Data as string ?? "").Split(';').Select(n => n.Trim());

        /// <summary>The value the file gives one registry value, the records that speak of it, and whether its type is not the policy's.</summary>
        private static (JsonValue? Actual, List<int> Owned, bool KindProblem) ValueState(IReadOnlyList<PolEntry> existing, SettingDefinition def, RegistrySetting s)
        {
            var (state, owned) = RawValue(existing, s.Key, s.ValueName);
            return state == null ? (null, owned, false) : (Typed(def, state.Data, state), owned, state.Type != s.Kind);
        }

        /// <summary>The record that gives one registry value its final state (null: none or deleted) and the records that speak of it.</summary>
        private static (PolEntry? State, List<int> Owned) RawValue(IReadOnlyList<PolEntry> existing, string key, string? valueName)
        {
            PolEntry? state = null;
            var owned = new List<int>();
            for (var i = 0; i < existing.Count; i++)
            {
                var e = existing[i];
                if (!SameName(e.Key, key)) continue;
                switch (e.Action)
                {
                    case PolAction.SetValue when SameName(e.ValueName, valueName): state = e; owned.Add(i); break;
                    case PolAction.SoftSetValue when SameName(e.TargetValueName, valueName): state ??= e; owned.Add(i); break;
                    case PolAction.DeleteValue when SameName(e.TargetValueName, valueName): state = null; owned.Add(i); break;
                    case PolAction.DeleteAllValues: state = null; break;
                    case PolAction.DeleteValues when Names(e).Any(n => SameName(n, valueName)): state = null; break;
                }
            }
            return (state, owned);
        }

        /// <summary>The list the file gives a list key (its values 1..n in numeric order) and the records that build it.</summary>
        private static (JsonValue? Actual, List<int> Owned, bool KindProblem) ListState(IReadOnlyList<PolEntry> existing, SettingDefinition def, RegistrySetting s)
        {
            var items = new SortedDictionary<int, PolEntry>();
            var owned = new List<int>();
            int? Number(string? name) => name != null && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : (int?)null;
            for (var i = 0; i < existing.Count; i++)
            {
                var e = existing[i];
                if (!SameName(e.Key, s.Key)) continue;
                switch (e.Action)
                {
                    case PolAction.DeleteAllValues: items.Clear(); owned.Add(i); break;
                    case PolAction.DeleteValues:
                        foreach (var n in Names(e).Select(Number)) if (n != null) items.Remove(n.Value);
                        owned.Add(i);
                        break;
                    case PolAction.SetValue when Number(e.ValueName) is int set: items[set] = e; owned.Add(i); break;
                    case PolAction.SoftSetValue when Number(e.TargetValueName) is int soft: if (!items.ContainsKey(soft)) items[soft] = e; owned.Add(i); break;
                    case PolAction.DeleteValue when Number(e.TargetValueName) is int del: items.Remove(del); owned.Add(i); break;
                }
            }
            if (items.Count == 0) return (null, owned, false);
            var list = items.Values.Select(e => e.Data as string ?? Text(e)).ToArray();
            return (Typed(def, list, null), owned, items.Values.Any(e => e.Type != s.Kind));
        }

        /// <summary>Data in the setting's JSON type, exactly as the registry provider reads a registry value.</summary>
        private static JsonValue Typed(SettingDefinition def, object? data, PolEntry? e) =>
            RegistryRendering.FromRegistry(def, data) ?? new JsonString(e == null ? "" : Text(e));

        private static string Text(PolEntry e) => e.Data switch
        {
            null => "",
            byte[] b => BitConverter.ToString(b),
            _ => Convert.ToString(e.Data, CultureInfo.InvariantCulture) ?? "",
        };

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
