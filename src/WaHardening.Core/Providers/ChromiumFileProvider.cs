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
    /// Presence: the browser binary, or the managed policy folder (someone already manages it).
    /// </summary>
    public sealed class ChromiumFileProvider : ISettingProvider
    {
        public const string OwnFileName = "wa-hardening.json";

        private sealed class Browser
        {
            public Browser(string dir, params string[] binaries) { Dir = dir; Binaries = binaries; }
            public string Dir { get; }
            public string[] Binaries { get; }
        }

        private static readonly Dictionary<string, Browser> s_browsers = new Dictionary<string, Browser>(StringComparer.OrdinalIgnoreCase)
        {
            // Paths: Chrome/Chromium "Linux quick start" (chromium.org/administrators/linux-quick-start), Edge on Linux
            // (learn.microsoft.com/deployedge/configure-microsoft-edge-on-linux); binaries as installed by the Debian/vendor packages.
            [Targets.Chromium] = new Browser("/etc/chromium/policies/managed", "/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser"),
            [Targets.Chrome] = new Browser("/etc/opt/chrome/policies/managed", "/opt/google/chrome/chrome"),
            [Targets.Edge] = new Browser("/etc/opt/microsoft/edge/policies/managed", "/opt/microsoft/msedge/msedge"),
        };

        public string Name => "ChromiumJson";

        public bool Serves(string target, string platform) => platform == Platforms.Linux && s_browsers.ContainsKey(target);

        public static string ManagedDirectory(string target) => s_browsers[target].Dir;
        public static string OwnFile(string target) => ManagedDirectory(target) + "/" + OwnFileName;

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            var b = s_browsers[target];
            var bin = b.Binaries.FirstOrDefault(x => FileHelpers.Exists(ctx, x));
            if (bin != null) { reason = $"{target} is installed ({bin})"; return true; }
            if (FileHelpers.DirExists(ctx, b.Dir)) { reason = $"{b.Dir} exists"; return true; }
            reason = $"{target} is not installed (no {string.Join(", ", b.Binaries)} and no {b.Dir})";
            return false;
        }

        public bool CanWrite(string target) => true;

        /// <summary>Every policy file of the folder, parsed, in the browser's order.</summary>
        private static List<(string Path, JsonObject Policies)> Load(string target, ProviderContext ctx)
        {
            var list = new List<(string, JsonObject)>();
            foreach (var f in FileHelpers.Files(ctx, ManagedDirectory(target)))
            {
                var own = f.EndsWith("/" + OwnFileName, StringComparison.Ordinal);
                var v = FileHelpers.ParseJson(ctx, f, own ? "PolicyFileInvalid" : "ForeignPolicyFileInvalid",
                    own ? $"The {target} policy file" : $"The {target} policy file (not written by this module)",
                    JsonParseOptions.Chromium, owned: own); // Chromium's loader takes comments and trailing commas (checked against Debian Chromium)
                if (v is not JsonObject o)
                    throw new WaHardeningException(own ? "PolicyFileInvalid" : "ForeignPolicyFileInvalid", WaErrorCategory.InvalidData,
                        $"The {target} policy file '{f}' must hold a JSON object (line {v.Line}, column {v.Column}); nothing was written.", f);
                list.Add((f, o));
            }
            return list;
        }

        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            var own = OwnFile(s.Target);
            JsonValue? value = null;
            string? from = null;
            foreach (var (path, policies) in Load(s.Target, ctx))
                if (policies.TryGet(s.Name, out var v)) { value = v; from = path; }
            return new ReadResult(value, $"{own}: {s.Name}", from != null && from != own ? from : null);
        }

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx)
        {
            var plan = new ProviderPlan();
            foreach (var g in items.GroupBy(i => i.Setting.Target, StringComparer.OrdinalIgnoreCase))
            {
                var own = OwnFile(g.Key);
                // Every file must parse before anything is written; ours is among them when it exists. Its document is shared by
                // this run's reads and never changed: the new one is a shallow copy (members are set only at its top level).
                var source = Load(g.Key, ctx).Where(f => f.Path == own).Select(f => f.Policies).FirstOrDefault();
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
