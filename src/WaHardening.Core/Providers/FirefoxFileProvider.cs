using System.Collections.Generic;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// Firefox on Linux: /etc/firefox/policies/policies.json, an object {"policies": {…}}
    /// (mozilla/policy-templates README, "Linux"). The file is shared with other tools, so it is
    /// merged: every other policy, the key order and number text stay as they are; dotted setting
    /// names (Cookies.AllowSession, SanitizeOnShutdown.Cookies) address nested objects.
    /// Some policies also take a boolean in place of that object: "SanitizeOnShutdown": true clears
    /// everything and locks it (policy-templates, "SanitizeOnShutdown (All)"; false clears nothing).
    /// A true there satisfies every boolean item of it that must be true and is never rewritten;
    /// false is a non-compliant value of those items, replaced by the object form on Set.
    /// Presence: a Firefox binary, or the /etc/firefox/policies folder.
    /// </summary>
    public sealed class FirefoxFileProvider : ISettingProvider
    {
        private static readonly TargetInfo s_row = Targets.Get(Targets.Firefox);

        /// <summary>/etc/firefox/policies/policies.json (the Firefox row of Model/Targets.cs).</summary>
        public static readonly string PolicyFile = s_row.LinuxOwnedFile!;

        public string Name => "FirefoxJson";
        public bool Serves(string target, string platform) => platform == Platforms.Linux && target == Targets.Firefox;
        public bool CanWrite(string target) => true;

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            var bin = s_row.LinuxBinaries.FirstOrDefault(x => FileHelpers.Exists(ctx, x));
            if (bin != null) { reason = $"Firefox is installed ({bin})"; return true; }
            if (FileHelpers.DirExists(ctx, s_row.LinuxPolicyFolder!)) { reason = $"{s_row.LinuxPolicyFolder} exists"; return true; }
            reason = $"Firefox is not installed (no {string.Join(", ", s_row.LinuxBinaries)} and no {s_row.LinuxPolicyFolder})";
            return false;
        }

        /// <summary>The whole document, or null when the file does not exist.</summary>
        private static JsonObject? Load(ProviderContext ctx)
        {
            if (!FileHelpers.Exists(ctx, PolicyFile) && !FileHelpers.DirExists(ctx, PolicyFile)) return null; // a folder: PolicyFileUnreadable
            var v = FileHelpers.ParseJson(ctx, PolicyFile, ErrorIds.PolicyFileInvalid, "The Firefox policy file", owned: true);
            if (v is not JsonObject o)
                throw Bad($"must hold a JSON object (line {v.Line}, column {v.Column})");
            if (o["policies"] is JsonValue p && p is not JsonObject)
                throw Bad($"\"policies\" must be an object (line {p.Line}, column {p.Column})");
            return o;
        }

        private static WaHardeningException Bad(string what) => new WaHardeningException(ErrorIds.PolicyFileInvalid, WaErrorCategory.InvalidData,
            $"The Firefox policy file '{PolicyFile}' {what}; nothing was written.", PolicyFile);

        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            var (value, origin, problem) = FirefoxPolicy.ReadFrom(s, Load(ctx)?["policies"], PolicyFile + ": policies");
            return new ReadResult(value, $"{PolicyFile}: {FirefoxPolicy.Display(s)}", origin, problem);
        }

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx)
        {
            var plan = new ProviderPlan();
            if (items.Count == 0) return plan;
            var source = Load(ctx); // shared by this run's reads: never changed here (copy-on-write below)
            var existing = source != null ? ctx.Files.SourceBytes(PolicyFile) : null; // the bytes it was parsed from, as checked now
            var key = items.Select(i => new KeyValuePair<object, string>(i.Setting, i.Desired.ToString())).ToList();
            if (source == null || !ctx.Files.TryGetPlan(PolicyFile, source, key, out var bytes, out var doc))
            {
                doc = Change(source, items);
                bytes = JsonWriter.WriteUtf8(doc, sizeHint: existing?.Length ?? 0);
                if (source != null) ctx.Files.RememberPlan(PolicyFile, source, key, bytes, doc);
            }
            ctx.Files.Expect(PolicyFile, bytes, doc); // read back after the write without parsing it again
            if (!FileHelpers.SameBytes(existing, bytes))
                plan.Operations.Add(new FileWriteOperation(PolicyFile, bytes, "Firefox policies: " + string.Join(", ", items.Select(i => i.Setting.Name)), existing));
            return plan;
        }

        /// <summary>
        /// The document with the items written into it. <paramref name="source"/> and everything in it stay as they are: only the
        /// objects on the path from the root to a changed member are copied (<see cref="JsonObject.ShallowClone"/>); every other
        /// member, however large, is shared with the source.
        /// </summary>
        private static JsonObject Change(JsonObject? source, IReadOnlyList<PlanItem> items)
        {
            var owned = new HashSet<JsonObject>(ReferenceComparer.Instance); // objects of the new document only: safe to change
            JsonObject Own(JsonObject o) { if (owned.Contains(o)) return o; var c = o.ShallowClone(); owned.Add(c); return c; }
            JsonObject New() { var c = new JsonObject(); owned.Add(c); return c; }
            var doc = source != null ? Own(source) : New();
            JsonObject policies;
            if (doc["policies"] is JsonObject p) doc.Set("policies", policies = Own(p));
            else doc.Set("policies", policies = New());
            foreach (var i in items)
            {
                var parts = FirefoxPolicy.Path(i.Setting);
                var node = policies;
                for (var k = 0; k < parts.Length - 1; k++)
                {
                    var next = node[parts[k]];
                    if (next == null) node.Set(parts[k], next = New());
                    if (next is JsonBoolean all && k + 1 == FirefoxPolicy.BooleanFormDepth(i.Setting))
                    {
                        // false: nothing is cleared, so the object form with our items is stricter. true stands for every item;
                        // only an item it does not satisfy gets here, and the object form would drop the others.
                        if (all.Value)
                            throw new WaHardeningException(ErrorIds.PolicyFormConflict, WaErrorCategory.InvalidData,
                                $"The Firefox policy file '{PolicyFile}' has policies.{string.Join(".", parts, 0, k + 1)} = true (every item), and {i.Setting.Name} = {i.Desired} " +
                                $"can only be written in the object form, which would drop the other items (line {next.Line}, column {next.Column}); nothing was written.", PolicyFile);
                        node.Set(parts[k], next = New());
                    }
                    if (next is not JsonObject no)
                        throw Bad($"has policies.{string.Join(".", parts.Take(k + 1))} = {next} where an object is needed for {FirefoxPolicy.Display(i.Setting)} (line {next.Line}, column {next.Column})");
                    var mine = Own(no);
                    if (!ReferenceEquals(mine, no)) node.Set(parts[k], mine);
                    node = mine;
                }
                // A preference object already there keeps its other fields and is changed in place: in a copy.
                if (FirefoxPolicy.IsPreference(i.Setting) && node[parts[parts.Length - 1]] is JsonObject leaf)
                {
                    var mine = Own(leaf);
                    if (!ReferenceEquals(mine, leaf)) node.Set(parts[parts.Length - 1], mine);
                }
                FirefoxPolicy.SetLeaf(node, i.Setting, i.Desired);
            }
            return doc;
        }

        public void RunPostAction(string action, ProviderContext ctx) { }
    }
}
