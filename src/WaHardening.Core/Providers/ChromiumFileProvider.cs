using System;
using System.Collections.Generic;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// Chromium, Google Chrome and Microsoft Edge on Linux: JSON files in the browser's managed
    /// policy folder. Chromium reads every file there, sorted by name, and the last file naming a
    /// policy wins (components/policy/core/common/config_dir_policy_loader.cc, LoadFromPath); a file
    /// that does not parse is skipped by the browser. This module owns one file, wa-hardening.json,
    /// and never touches the others; the audit reads them all and names the file the effective value
    /// came from. A foreign file that is not valid JSON is an error (the browser would silently
    /// ignore the policies in it).
    /// Every installation of the browser present (Model/Targets.cs, LinuxInstalls: Debian's package, the snap, …) has its
    /// own folder and is audited and written; a setting complies only when every one of them gets it.
    /// Presence: a browser binary, or a managed policy folder (someone already manages it).
    /// </summary>
    public sealed class ChromiumFileProvider : ISettingProvider
    {
        /// <summary>The file this module owns in each managed folder (<see cref="Targets.OwnedPolicyFileName"/>).</summary>
        public const string OwnFileName = Targets.OwnedPolicyFileName;

        public string Name => "ChromiumJson";

        // Folders and binaries are the target's descriptor row (Model/Targets.cs): every Chromium-family browser with a Linux folder.
        private static TargetInfo? Row(string target) =>
            Targets.Find(target) is TargetInfo t && t.Family == TargetFamily.ChromiumBrowser && t.LinuxPolicyFolder != null ? t : null;

        public bool Serves(string target, string platform) => platform == Platforms.Linux && Row(target) != null;

        /// <summary>The first installation's managed folder (the browser's usual package).</summary>
        public static string ManagedDirectory(string target) => Row(target)?.LinuxPolicyFolder
            ?? throw new ArgumentOutOfRangeException(nameof(target), target, "not a Chromium-family browser with a Linux policy folder");
        public static string OwnFile(string target) => ManagedDirectory(target) + "/" + OwnFileName;

        /// <summary>
        /// The managed folders of the installations present (a binary of the installation, or its folder, exists), in row
        /// order; the first installation's when none is. A snap Chromium reads another folder than Debian's package, so each
        /// present installation is audited and written.
        /// </summary>
        internal static IReadOnlyList<string> Folders(string target, ProviderContext ctx)
        {
            var row = Row(target)!;
            var present = row.LinuxInstalls
                .Where(i => i.Binaries.Any(b => FileHelpers.Exists(ctx, b)) || FileHelpers.DirExists(ctx, i.PolicyFolder))
                .Select(i => i.PolicyFolder).Distinct(StringComparer.Ordinal).ToList();
            return present.Count > 0 ? present : new[] { row.LinuxPolicyFolder! };
        }

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            var b = Row(target)!;
            foreach (var i in b.LinuxInstalls)
            {
                var bin = i.Binaries.FirstOrDefault(x => FileHelpers.Exists(ctx, x));
                if (bin != null) { reason = $"{target} is installed ({bin})"; return true; }
                if (FileHelpers.DirExists(ctx, i.PolicyFolder)) { reason = $"{i.PolicyFolder} exists"; return true; }
            }
            reason = $"{target} is not installed (no {string.Join(", ", b.LinuxBinaries)} and no {string.Join(", ", b.LinuxInstalls.Select(i => i.PolicyFolder))})";
            return false;
        }

        public bool CanWrite(string target) => true;

        /// <summary>Every policy file of the folder, parsed, in the browser's order.</summary>
        private static List<(string Path, JsonObject Policies)> Load(string target, string folder, ProviderContext ctx)
        {
            var list = new List<(string, JsonObject)>();
            foreach (var f in FileHelpers.Files(ctx, folder))
            {
                var own = f.EndsWith("/" + OwnFileName, StringComparison.Ordinal);
                var v = FileHelpers.ParseJson(ctx, f, own ? ErrorIds.PolicyFileInvalid : ErrorIds.ForeignPolicyFileInvalid,
                    own ? $"The {target} policy file" : $"The {target} policy file (not written by this module)",
                    JsonParseOptions.Chromium, owned: own); // Chromium's loader takes comments and trailing commas (checked against Debian Chromium)
                if (v is not JsonObject o)
                    throw new WaHardeningException(own ? ErrorIds.PolicyFileInvalid : ErrorIds.ForeignPolicyFileInvalid, WaErrorCategory.InvalidData,
                        $"The {target} policy file '{f}' must hold a JSON object (line {v.Line}, column {v.Column}); nothing was written.", f);
                list.Add((f, o));
            }
            return list;
        }

        /// <summary>
        /// The effective value in each present installation's folder; when they differ, the first that does not comply is
        /// the result (a setting is compliant only when every installation on the machine gets it).
        /// </summary>
        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            ReadResult? first = null;
            foreach (var folder in Folders(s.Target, ctx))
            {
                var own = folder + "/" + OwnFileName;
                JsonValue? value = null;
                string? from = null;
                foreach (var (path, policies) in Load(s.Target, folder, ctx))
                    if (policies.TryGet(s.Name, out var v)) { value = v; from = path; }
                var r = new ReadResult(value, $"{own}: {s.Name}", from != null && from != own ? from : null);
                first ??= r;
                if (!Evaluation.ValueComparer.Judge(s, value).Compliant) return r;
            }
            return first!;
        }

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx)
        {
            var plan = new ProviderPlan();
            foreach (var g in items.GroupBy(i => i.Setting.Target, StringComparer.OrdinalIgnoreCase))
            foreach (var folder in Folders(g.Key, ctx))
            {
                var own = folder + "/" + OwnFileName;
                // Every file must parse before anything is written; ours is among them when it exists. Its document is shared by
                // this run's reads and never changed: the new one is a shallow copy (members are set only at its top level).
                var source = Load(g.Key, folder, ctx).Where(f => f.Path == own).Select(f => f.Policies).FirstOrDefault();
                var existing = source != null ? ctx.Files.SourceBytes(own) : null; // the bytes it was parsed from, as checked now
                var key = g.Select(i => new KeyValuePair<object, string>(i.Setting, i.Desired.ToString())).ToList();
                if (source == null || !ctx.Files.TryGetPlan(own, source, key, out var bytes, out var doc))
                {
                    doc = source?.ShallowClone() ?? new JsonObject();
                    foreach (var i in g) doc.Set(i.Setting.Name, i.Desired);
                    bytes = JsonWriter.WriteUtf8(doc, sizeHint: existing?.Length ?? 0);
                    if (source != null) ctx.Files.RememberPlan(own, source, key, bytes, doc);
                }
                ctx.Files.Expect(own, bytes, doc); // read back after the write without parsing it again
                if (!FileHelpers.SameBytes(existing, bytes))
                    plan.Operations.Add(new FileWriteOperation(own, bytes, $"{g.Key} policies: {string.Join(", ", g.Select(i => i.Setting.Name))}", existing));
            }
            return plan;
        }

        public void RunPostAction(string action, ProviderContext ctx) { }
    }
}
