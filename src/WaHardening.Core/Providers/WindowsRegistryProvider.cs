using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// Windows: policy registry values (HKLM and HKCU) at the place <see cref="RegistryRendering"/>
    /// gives for each setting. List policies are a subkey holding "1".."n"; on write the stale
    /// values of that subkey are deleted, on read the numbered values are collected in order.
    /// The audit also reads Intune's MDM store (HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Area, value
    /// Policy) for settings whose omaUri is ./Device/Vendor/MSFT/Policy/Config/Area/Policy (Policy CSP,
    /// not ADMX-backed) and names it as the Origin; a value in the Policies location wins.
    /// </summary>
    public sealed class WindowsRegistryProvider : ISettingProvider
    {
        public const string PolicyManagerDevice = @"SOFTWARE\Microsoft\PolicyManager\current\device";
        private const string PolicyCspPrefix = "./Device/Vendor/MSFT/Policy/Config/";

        public string Name => "WindowsRegistry";

        public bool Serves(string target, string platform) => platform == Platforms.Windows &&
            (Targets.Find(target)?.WindowsPolicyKey != null || target == Targets.Windows);

        public bool CanWrite(string target) => true;

        private static IRegistry Reg(ProviderContext ctx) => ctx.Registry ?? throw new WaHardeningException(ErrorIds.RegistryUnavailable,
            WaErrorCategory.ResourceUnavailable, ctx.Root != null
                ? $"No registry is used with -Root ('{ctx.Root}' redirects files only), so the registry-based targets cannot be read or written."
                : "There is no Windows registry on this computer.");

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            var reg = Reg(ctx);
            if (target == Targets.Windows || target == Targets.EdgeUpdate) { reason = "part of Windows"; return true; }
            var policyKey = Targets.Find(target)?.WindowsPolicyKey;
            if (policyKey != null && reg.KeyExists("HKLM", policyKey)) { reason = $@"HKLM\{policyKey} exists"; return true; }
            if (target == Targets.GoogleUpdate)
            {
                var ok = reg.KeyExists("HKLM", @"SOFTWARE\Google\Update") || reg.KeyExists("HKLM", @"SOFTWARE\WOW6432Node\Google\Update");
                reason = ok ? "Google Update is installed" : "Google Update is not installed";
                return ok;
            }
            // App Paths entries the browsers' installers register (the row's WindowsAppPathsExe, Model/Targets.cs).
            if (Targets.Find(target)?.WindowsAppPathsExe is string exe)
            {
                var key = @"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\" + exe;
                var ok = reg.KeyExists("HKLM", key);
                reason = ok ? $"{target} is installed ({exe})" : $@"{target} is not installed (no HKLM\{key}, no HKLM\{policyKey})";
                return ok;
            }
            reason = $@"{target} is not installed (no HKLM\{policyKey})";
            return false;
        }

        /// <summary>Intune's MDM location of a Policy CSP setting, when it has one.</summary>
        public static (string Key, string Value)? MdmLocation(SettingDefinition s)
        {
            if (s.OmaUri is not string uri || !uri.StartsWith(PolicyCspPrefix, StringComparison.OrdinalIgnoreCase)) return null;
            var parts = uri.Substring(PolicyCspPrefix.Length).Split('/');
            // ADMX-backed policies (ingested "app~Policy~category" areas and the built-in ADMX_* areas) land in the
            // Policies keys, and their MDM values are <enabled/> XML, not the policy's data.
            if (parts.Length != 2 || parts[0].IndexOf('~') >= 0 || parts[0].StartsWith("ADMX_", StringComparison.OrdinalIgnoreCase)) return null;
            return (PolicyManagerDevice + @"\" + parts[0], parts[1]);
        }

        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            var reg = Reg(ctx);
            var r = RegistryRendering.Render(s);
            if (r.IsList)
            {
                var items = NumberedValues(reg, r.Hive, r.Key);
                var location = $@"{r.Hive}\{r.Key}\{{1..n}}";
                if (items.Count == 0) return new ReadResult(null, location);
                var list = new JsonArray();
                foreach (var (_, v) in items) list.Add(new JsonString(v.Text));
                return new ReadResult(list, location);
            }
            if (r.JsonMember != null) return ReadPreference(reg, s, r);
            var value = reg.GetValue(r.Hive, r.Key, r.ValueName!);
            if (value != null) return new ReadResult(Convert(s, value), r.Path, null, KindProblem(r, value));
            if (RegistryRendering.FirefoxBooleanForm(s) is (string bHive, string bKey, string bName) && reg.GetValue(bHive, bKey, bName) is RegistryValue all && DWordFlag(all) is bool on)
                return new ReadResult(new JsonBoolean(on), r.Path, $@"{bHive}\{bKey}\{bName} = {all.Text} (the boolean form, for every item)");
            if (MdmLocation(s) is (string mdmKey, string mdmValue))
            {
                var mv = reg.GetValue("HKLM", mdmKey, mdmValue);
                if (mv != null) return new ReadResult(Convert(s, mv), r.Path, $@"Intune MDM (HKLM\{mdmKey}\{mdmValue})");
            }
            return new ReadResult(null, r.Path);
        }

        /// <summary>
        /// A Firefox preference: its member of the Preferences JSON value (the current form). Values of the deprecated form (DWORDs
        /// under ...\Firefox\Preferences) are a problem whichever preference they name: Mozilla says they must be cleared for the
        /// Preferences policy to work (docs/index.md, Preferences). One of this preference with no JSON member is read as its value
        /// (so the report shows it) and is still not compliant.
        /// </summary>
        private static ReadResult ReadPreference(IRegistry reg, SettingDefinition s, RegistrySetting r)
        {
            var (dHive, dKey, dName) = RegistryRendering.DeprecatedPreference(s)!.Value;
            var deprecated = reg.GetValueNames(dHive, dKey).ToList();
            var deprecatedProblem = deprecated.Count == 0 ? null
                : $@"{dHive}\{dKey} holds values of the deprecated per-preference form ({string.Join(", ", deprecated)}), which keep Firefox's Preferences policy from working";
            // REG_MULTI_SZ is the Preferences policy, REG_SZ its one-line twin PreferencesOneLine (firefox.admx): both are read.
            var value = reg.GetValue(r.Hive, r.Key, r.ValueName!);
            if (value != null)
            {
                var (member, problem) = RegistryRendering.ReadMember(s, r, value.Data);
                var all = string.Join("; ", new[] { problem, deprecatedProblem, value.Kind == RegistryKind.String ? null : KindProblem(r, value) }.Where(p => p != null));
                if (member != null) return new ReadResult(member, r.Path, null, all.Length == 0 ? null : all);
            }
            if (deprecated.Any(n => string.Equals(n, dName, StringComparison.OrdinalIgnoreCase)))
                return new ReadResult(Convert(s, reg.GetValue(dHive, dKey, dName)!), r.Path, $@"{dHive}\{dKey}\{dName} (deprecated form)", deprecatedProblem);
            return new ReadResult(null, r.Path, null, deprecatedProblem);
        }

        private static bool? DWordFlag(RegistryValue v) => v.Kind != RegistryKind.DWord ? null : v.Data switch
        {
            uint u => u != 0,
            int i => i != 0,
            _ => (bool?)null,
        };

        private static JsonValue Convert(SettingDefinition s, RegistryValue v) =>
            RegistryRendering.FromRegistry(s, v.Data) ?? new JsonString(v.Text);

        private static string? KindProblem(RegistrySetting r, RegistryValue v) => v.Kind == r.Kind ? null
            : $"it is stored as {RegistrySetting.KindName(v.Kind)}, the policy reads {RegistrySetting.KindName(r.Kind)}";

        /// <summary>Values named 1, 2, … of a list key, in numeric order.</summary>
        private static List<(int N, RegistryValue V)> NumberedValues(IRegistry reg, string hive, string key) =>
            reg.GetValueNames(hive, key)
                .Select(n => (Ok: int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var i), N: i, Name: n))
                .Where(x => x.Ok && x.N > 0).OrderBy(x => x.N)
                .Select(x => (x.N, reg.GetValue(hive, key, x.Name)!)).ToList();

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx)
        {
            var reg = Reg(ctx);
            var plan = new ProviderPlan();
            // Shared JSON values (Firefox's Preferences): every member of one value merged into one write.
            var merged = new Dictionary<string, (RegistrySetting R, object? Data)>(StringComparer.OrdinalIgnoreCase);
            foreach (var i in items)
            {
                var r = RegistryRendering.Render(i.Setting, i.Desired);
                if (r.JsonMember != null)
                {
                    var id = $@"{r.Hive}\{r.Key}\{r.ValueName}";
                    var current = merged.TryGetValue(id, out var m) ? m.Data : reg.GetValue(r.Hive, r.Key, r.ValueName!)?.Data;
                    merged[id] = (r, RegistryRendering.MergeMember(i.Setting, r, current, i.Desired));
                    // The deprecated per-preference value of this preference is ours to clear; one of another preference is not,
                    // and would keep the Preferences policy from working: refuse rather than write a policy Firefox ignores.
                    var (dHive, dKey, dName) = RegistryRendering.DeprecatedPreference(i.Setting)!.Value;
                    if (reg.GetValue(dHive, dKey, dName) != null && !plan.Operations.OfType<RegistryDeleteOperation>().Any(d => d.Hive == dHive && d.Key == dKey && d.Name == dName))
                        plan.Operations.Add(new RegistryDeleteOperation(dHive, dKey, dName));
                    continue;
                }
                if (r.IsList)
                {
                    var wanted = r.ListItems!;
                    for (var n = 0; n < wanted.Count; n++)
                    {
                        var v = new RegistryValue(RegistryKind.String, wanted[n]);
                        var name = (n + 1).ToString(CultureInfo.InvariantCulture);
                        if (!v.SameAs(reg.GetValue(r.Hive, r.Key, name))) plan.Operations.Add(new RegistrySetOperation(r.Hive, r.Key, name, v));
                    }
                    // The list key belongs to the policy: anything else in it is stale ("**delvals." in Registry.pol terms).
                    var keep = new HashSet<string>(Enumerable.Range(1, wanted.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), StringComparer.OrdinalIgnoreCase);
                    foreach (var name in reg.GetValueNames(r.Hive, r.Key).Where(n => !keep.Contains(n)).ToList())
                        plan.Operations.Add(new RegistryDeleteOperation(r.Hive, r.Key, name));
                }
                else
                {
                    if (RegistryRendering.FirefoxBooleanForm(i.Setting) is (string bHive, string bKey, string bName) && reg.GetValue(bHive, bKey, bName) is RegistryValue all
                        && DWordFlag(all) is bool on && reg.GetValue(r.Hive, r.Key, r.ValueName!) == null)
                    {
                        // On: it stands for every item, so only an item it does not satisfy gets here, and writing the item
                        // form next to it would leave Firefox to pick one. Off: nothing is cleared; the item form replaces it.
                        if (on)
                            throw new WaHardeningException(ErrorIds.PolicyFormConflict, WaErrorCategory.InvalidData,
                                $@"{bHive}\{bKey}\{bName} = {all.Text} stands for every item, and {i.Setting.Name} = {i.Desired} can only be written as an item, " +
                                "which would leave Firefox two forms of the policy; nothing was written.", $@"{bHive}\{bKey}\{bName}");
                        if (!plan.Operations.OfType<RegistryDeleteOperation>().Any(d => d.Hive == bHive && d.Key == bKey && d.Name == bName))
                            plan.Operations.Add(new RegistryDeleteOperation(bHive, bKey, bName));
                    }
                    var v = new RegistryValue(r.Kind, r.Data!);
                    if (!v.SameAs(reg.GetValue(r.Hive, r.Key, r.ValueName!)))
                        plan.Operations.Add(new RegistrySetOperation(r.Hive, r.Key, r.ValueName!, v));
                }
            }
            foreach (var (r, data) in merged.Values)
            {
                var owned = new HashSet<string>(items.Where(i => FirefoxPolicy.IsPreference(i.Setting)).Select(i => i.Setting.Name), StringComparer.OrdinalIgnoreCase);
                var (dHive, dKey, _) = RegistryRendering.DeprecatedPreference(items.First(i => FirefoxPolicy.IsPreference(i.Setting)).Setting)!.Value;
                var foreign = reg.GetValueNames(dHive, dKey).Where(n => !owned.Contains(n)).ToList();
                if (foreign.Count > 0)
                    throw new WaHardeningException(ErrorIds.PolicyFormConflict, WaErrorCategory.InvalidData,
                        $@"{dHive}\{dKey} holds values of the deprecated per-preference form ({string.Join(", ", foreign)}) that are not this baseline's; " +
                        $"Firefox's Preferences policy ({r.Path}) does not work while they exist (Mozilla: clear them first). Nothing was written.", $@"{dHive}\{dKey}");
                var v = new RegistryValue(r.Kind, data!);
                var existing = reg.GetValue(r.Hive, r.Key, r.ValueName!);
                if (!v.SameAs(existing)) plan.Operations.Add(new RegistrySetOperation(r.Hive, r.Key, r.ValueName!, v));
            }
            return plan;
        }

        public void RunPostAction(string action, ProviderContext ctx) { }
    }
}
