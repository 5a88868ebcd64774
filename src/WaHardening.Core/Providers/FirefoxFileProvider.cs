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
            var existing = FileHelpers.ReadBytes(ctx, PolicyFile);
            var doc = Load(ctx)?.DeepClone() ?? new JsonObject(); // the loaded document is shared by this run's reads
            if (doc["policies"] is not JsonObject policies) doc.Set("policies", policies = new JsonObject());
            foreach (var i in items)
            {
                var parts = FirefoxPolicy.Path(i.Setting);
                var node = policies;
                for (var k = 0; k < parts.Length - 1; k++)
                {
                    var next = node[parts[k]];
                    if (next == null) node.Set(parts[k], next = new JsonObject());
                    if (next is JsonBoolean all && k + 1 == FirefoxPolicy.BooleanFormDepth(i.Setting))
                    {
                        // false: nothing is cleared, so the object form with our items is stricter. true stands for every item;
                        // only an item it does not satisfy gets here, and the object form would drop the others.
                        if (all.Value)
                            throw new WaHardeningException(ErrorIds.PolicyFormConflict, WaErrorCategory.InvalidData,
                                $"The Firefox policy file '{PolicyFile}' has policies.{string.Join(".", parts, 0, k + 1)} = true (every item), and {i.Setting.Name} = {i.Desired} " +
                                $"can only be written in the object form, which would drop the other items (line {next.Line}, column {next.Column}); nothing was written.", PolicyFile);
                        node.Set(parts[k], next = new JsonObject());
                    }
                    if (next is not JsonObject no)
                        throw Bad($"has policies.{string.Join(".", parts.Take(k + 1))} = {next} where an object is needed for {FirefoxPolicy.Display(i.Setting)} (line {next.Line}, column {next.Column})");
                    node = no;
                }
                FirefoxPolicy.SetLeaf(node, i.Setting, i.Desired);
            }
            var bytes = Utf8.NoBom.GetBytes(JsonWriter.Write(doc));
            ctx.Files.Expect(PolicyFile, bytes, doc); // read back after the write without parsing it again
            if (!FileHelpers.SameBytes(existing, bytes))
                plan.Operations.Add(new FileWriteOperation(PolicyFile, bytes, "Firefox policies: " + string.Join(", ", items.Select(i => i.Setting.Name))));
            return plan;
        }

        public void RunPostAction(string action, ProviderContext ctx) { }
    }
}
