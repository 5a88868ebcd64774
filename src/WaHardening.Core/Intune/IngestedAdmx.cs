using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Intune
{
    /// <summary>
    /// ADMX files the custom OMA-URI profile ingests (Policy CSP ConfigOperations/ADMXInstall, no licence beyond Intune) so that
    /// ADMX-backed OMA-URIs of applications the settings catalog does not know can be set with no manual prerequisite.
    /// <para>
    /// One generator for every such file: an application whose name starts with <see cref="OwnPrefix"/> in a setting's
    /// <c>omaUri</c> ("./Device/Vendor/MSFT/Policy/Config/&lt;App&gt;~Policy~&lt;category path&gt;/&lt;policy&gt;") is the
    /// module's own, and its ADMX is written from the settings that name it — nothing is copied from a vendor's file:
    /// the categories are the OMA-URI's category path, the policy name its last part, the registry key, value name and type
    /// are <see cref="RegistryRendering"/>'s (the one mapping every Windows rendering uses, itself the vendor's: Mozilla's
    /// firefox.admx for Firefox, Omaha's template for Google Update — the tests render every exported value through this
    /// ADMX and through the vendor's and compare the registry values), and the element is the setting's <c>admxData</c> id:
    /// a boolean without one is the policy's own value (enabledValue 1 / disabledValue 0, as firefox.admx), a list a
    /// <c>list</c> with <c>valuePrefix=""</c> (values 1..n in the list's subkey), a <c>oneOf</c> or literal string or
    /// integer an <c>enum</c> of exactly the accepted values, another integer a <c>decimal</c> within the setting's bounds;
    /// Firefox preferences are the Preferences policy's <c>multiText</c> (the JSON object).
    /// </para>
    /// <para>
    /// Each own application has its own namespace (WaHardening.Policies.&lt;App without the prefix&gt;), AppName and FileUid,
    /// so it cannot replace or collide with a vendor ADMX a tenant already ingested (Mozilla's under AppName Firefox,
    /// namespace Mozilla.Policies.Firefox; Omaha's Google.Policies.Update): an ADMXInstall with the same AppName and FileUid
    /// would replace that file, the same target namespace twice is refused. An own application belongs to one export profile
    /// only (<see cref="CheckOneProfilePerApp"/>): a device of a shared computer receives two exports, and two different files
    /// under one AppName/FileUid would replace each other. Ingested policies may write below Software\Policies\Mozilla and
    /// Software\Policies\Google (only System, Software\Microsoft and Software\Policies\Microsoft are refused:
    /// learn.microsoft.com/windows/client-management/win32-and-centennial-app-policy-configuration).
    /// </para>
    /// </summary>
    public static class IngestedAdmx
    {
        public sealed class Admx
        {
            public Admx(string appName, string text) { AppName = appName; Text = text; }
            /// <summary>The first part of the OMA-URIs of its policies: ./Device/Vendor/MSFT/Policy/Config/&lt;AppName&gt;~Policy~…</summary>
            public string AppName { get; }
            public string FileUid => FileUidOf(AppName);
            public string Text { get; }
            public string InstallOmaUri => InstallOmaUriOf(AppName);
        }

        /// <summary>Applications whose name starts with this are the module's own: their ADMX is generated and ingested.</summary>
        public const string OwnPrefix = "WaHardening";
        public const string GoogleUpdateApp = "WaHardeningGoogleUpdate";
        /// <summary>The Firefox policies of the Standard profile.</summary>
        public const string FirefoxApp = "WaHardeningFirefox";
        /// <summary>The Firefox policies of the SharedComputer profile (a profile of its own: see <see cref="CheckOneProfilePerApp"/>).</summary>
        public const string FirefoxSharedApp = "WaHardeningFirefoxShared";

        private const string ConfigPrefix = "./Device/Vendor/MSFT/Policy/Config/";

        public static bool IsOwn(string? app) => app != null && app.StartsWith(OwnPrefix, StringComparison.Ordinal) && app.Length > OwnPrefix.Length;
        public static string FileUidOf(string app) => app + "Admx";
        public static string NamespaceOf(string app) => "WaHardening.Policies." + app.Substring(OwnPrefix.Length);
        public static string InstallOmaUriOf(string app) => $"./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/{app}/Policy/{FileUidOf(app)}";

        /// <summary>The application of an ADMX-backed OMA-URI (./Device/Vendor/MSFT/Policy/Config/App~Policy~…/Policy), or null.</summary>
        public static string? AppOf(string omaUri)
        {
            if (!omaUri.StartsWith(ConfigPrefix, StringComparison.OrdinalIgnoreCase)) return null;
            var rest = omaUri.Substring(ConfigPrefix.Length);
            var tilde = rest.IndexOf("~Policy~", StringComparison.Ordinal);
            return tilde > 0 ? rest.Substring(0, tilde) : null;
        }

        /// <summary>The category path (outermost first) and policy name of an ADMX-backed OMA-URI.</summary>
        public static (string[] Categories, string Policy) Split(string omaUri)
        {
            var rest = omaUri.Substring(ConfigPrefix.Length);
            var slash = rest.IndexOf('/');
            var area = rest.Substring(0, slash).Split('~');
            return (area.Skip(2).ToArray(), rest.Substring(slash + 1));
        }

        /// <summary>
        /// Refuses a baseline in which one own application is delivered by the Intune exports of two profiles: each export ingests
        /// the application's ADMX, generated from its own settings, and a device that receives both (a shared computer gets
        /// SharedComputer and Standard) would keep only the file ingested last.
        /// </summary>
        public static void CheckOneProfilePerApp(Baseline baseline, Func<SettingDefinition, bool> delivers, Func<SettingDefinition, string> omaUriOf)
        {
            var owner = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var profile in baseline.Profiles)
                foreach (var s in IntuneExporter.IntuneControls(baseline, profile.Name).SelectMany(c => c.Settings).Where(delivers))
                {
                    var app = AppOf(omaUriOf(s));
                    if (!IsOwn(app)) continue;
                    if (owner.TryGetValue(app!, out var other) && !string.Equals(other, profile.Name, StringComparison.OrdinalIgnoreCase))
                        throw new WaHardeningException(ErrorIds.IngestedAdmxShared, WaErrorCategory.InvalidData,
                            $"The ingested ADMX application '{app}' is used by the profiles {other} and {profile.Name} (setting {s}): a device " +
                            "receiving both exports would keep only one of the two ADMX files. Give each profile's settings an application of its own in 'omaUri'.", s);
                    owner[app!] = profile.Name;
                }
        }

        private sealed class Policy
        {
            public Policy(string name, string category, string key, SettingDefinition first) { Name = name; Category = category; Key = key; First = first; }
            public string Name { get; }
            public string Category { get; }
            public string Key { get; }
            public SettingDefinition First { get; }
            public string? ValueName;
            public string? Element;
            public bool HasEnabledValue;
        }

        /// <summary>
        /// The ADMX of an own application, generated from the settings an export delivers through its OMA-URIs
        /// (<paramref name="settings"/>, with the OMA-URI each is delivered by). Throws <c>AdmxDataInvalid</c> for a setting
        /// it cannot express (two settings for one policy, a category under two parents, a boolean with an element id).
        /// </summary>
        public static Admx Generate(string app, IEnumerable<(SettingDefinition Setting, string OmaUri)> settings)
        {
            if (!IsOwn(app)) throw new ArgumentException($"'{app}' is not an own ADMX application", nameof(app));
            var parents = new Dictionary<string, string?>(StringComparer.Ordinal);
            var categoryOrder = new List<string>();
            var policies = new List<Policy>();
            var byName = new Dictionary<string, Policy>(StringComparer.Ordinal);
            foreach (var (s, uri) in settings)
            {
                if (!string.Equals(AppOf(uri), app, StringComparison.Ordinal)) continue;
                if (uri.IndexOf('/', ConfigPrefix.Length) < 0) Fail(s, uri, "names no policy (…/<policy>)");
                var (categories, policyName) = Split(uri);
                if (categories.Length == 0) Fail(s, uri, "names no category");
                for (var k = 0; k < categories.Length; k++)
                {
                    var parent = k == 0 ? null : categories[k - 1];
                    if (parents.TryGetValue(categories[k], out var known))
                    {
                        if (known != parent) Fail(s, uri, $"puts category '{categories[k]}' under '{parent ?? "(top)"}', another OMA-URI under '{known ?? "(top)"}'");
                    }
                    else { parents[categories[k]] = parent; categoryOrder.Add(categories[k]); }
                }
                var r = RegistryRendering.Render(s);
                var element = FirefoxPolicy.IsPreference(s) ? FirefoxPolicy.PreferencesAdmxElement : (s.Raw["admxData"] as JsonString)?.Value;
                if (byName.TryGetValue(policyName, out var p))
                {
                    // Only the Preferences policy carries several settings (one JSON value).
                    if (!(FirefoxPolicy.IsPreference(s) && FirefoxPolicy.IsPreference(p.First)) || p.Category != categories.Last())
                        Fail(s, uri, $"is also the OMA-URI of {p.First}");
                    continue;
                }
                p = new Policy(policyName, categories.Last(), r.Key, s);
                byName[policyName] = p;
                policies.Add(p);
                if (element == null)
                {
                    if (s.Type != Model.ValueType.Boolean || r.IsList || r.Kind != RegistryKind.DWord)
                        Fail(s, uri, "needs 'admxData' (the element id) for a value that is not a boolean");
                    p.ValueName = r.ValueName;
                    p.HasEnabledValue = true;
                    continue;
                }
                if (s.Type == Model.ValueType.Boolean && !FirefoxPolicy.IsPreference(s)) Fail(s, uri, "is a boolean: its policy carries the value itself, without 'admxData'");
                p.Element = ElementXml(s, r, element, uri);
            }
            var sb = new StringBuilder();
            var ns = NamespaceOf(app);
            sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
            sb.Append("<!-- WaHardening: generated from the baseline for Intune ADMX ingestion (AppName ").Append(app)
              .Append("). Policy names and categories are the OMA-URIs'; keys, value names and types the vendor's (see docs/intune-export.md). -->\n");
            sb.Append("<policyDefinitions xmlns=\"http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions\" revision=\"1.0\" schemaVersion=\"1.0\">\n");
            sb.Append("  <policyNamespaces>\n    <target namespace=\"").Append(ns).Append("\" prefix=\"").Append("wah" + app.Substring(OwnPrefix.Length).ToLowerInvariant()).Append("\" />\n  </policyNamespaces>\n");
            sb.Append("  <resources minRequiredRevision=\"1.0\" />\n");
            sb.Append("  <supportedOn>\n    <definitions>\n      <definition name=\"SUPPORTED_WaHardening\" displayName=\"$(string.SUPPORTED_WaHardening)\" />\n    </definitions>\n  </supportedOn>\n");
            sb.Append("  <categories>\n");
            foreach (var c in categoryOrder)
            {
                sb.Append("    <category name=\"").Append(Attr(c)).Append("\" displayName=\"$(string.").Append(Attr(c)).Append(")\"");
                sb.Append(parents[c] is string parent ? "><parentCategory ref=\"" + Attr(parent) + "\" /></category>\n" : " />\n");
            }
            sb.Append("  </categories>\n  <policies>\n");
            foreach (var p in policies)
            {
                sb.Append("    <policy name=\"").Append(Attr(p.Name)).Append("\" class=\"Machine\" displayName=\"$(string.").Append(Attr(p.Name))
                  .Append(")\" explainText=\"$(string.").Append(Attr(p.Name)).Append("_Explain)\"");
                if (p.Element != null) sb.Append(" presentation=\"$(presentation.").Append(Attr(p.Name)).Append(")\"");
                sb.Append(" key=\"").Append(Attr(p.Key)).Append('"');
                if (p.ValueName != null) sb.Append(" valueName=\"").Append(Attr(p.ValueName)).Append('"');
                sb.Append(">\n      <parentCategory ref=\"").Append(Attr(p.Category)).Append("\" />\n      <supportedOn ref=\"SUPPORTED_WaHardening\" />\n");
                if (p.HasEnabledValue)
                    sb.Append("      <enabledValue><decimal value=\"1\" /></enabledValue>\n      <disabledValue><decimal value=\"0\" /></disabledValue>\n");
                if (p.Element != null) sb.Append("      <elements>\n").Append(p.Element).Append("      </elements>\n");
                sb.Append("    </policy>\n");
            }
            sb.Append("  </policies>\n</policyDefinitions>\n");
            return new Admx(app, sb.ToString());
        }

        private static string ElementXml(SettingDefinition s, RegistrySetting r, string id, string uri)
        {
            var sb = new StringBuilder();
            if (FirefoxPolicy.IsPreference(s))
            {
                // firefox.admx policy "Preferences": multiText id JSON, valueName Preferences (REG_MULTI_SZ), maxLength 16384.
                if (r.Kind != RegistryKind.MultiString) Fail(s, uri, "is a preference, but its registry form is not REG_MULTI_SZ");
                return $"        <multiText id=\"{Attr(id)}\" valueName=\"{Attr(r.ValueName!)}\" maxLength=\"16384\" />\n";
            }
            if (r.IsList)
                // Values 1..n in the list's own subkey; without additive="true" other values there are removed, as RegistryRendering does.
                return $"        <list id=\"{Attr(id)}\" key=\"{Attr(r.Key)}\" valuePrefix=\"\" />\n";
            var values = s.Comparison == Comparison.OneOf ? s.Accept.ToList() : s.Comparison == Comparison.Equal ? new List<JsonValue>() : null;
            if (values != null && !values.Any(v => v.DeepEquals(s.Expected))) values.Insert(0, s.Expected);
            if (r.Kind == RegistryKind.DWord && s.Type == Model.ValueType.Integer)
            {
                if (values == null)
                {
                    // Without them an ADMX decimal is bounded to 0..9999: always give both.
                    var bounds = $" minValue=\"{(s.Minimum ?? 0).ToString(CultureInfo.InvariantCulture)}\" maxValue=\"{(s.Maximum ?? uint.MaxValue).ToString(CultureInfo.InvariantCulture)}\"";
                    return $"        <decimal id=\"{Attr(id)}\" valueName=\"{Attr(r.ValueName!)}\" required=\"true\"{bounds} />\n";
                }
                sb.Append($"        <enum id=\"{Attr(id)}\" valueName=\"{Attr(r.ValueName!)}\" required=\"true\">\n");
                foreach (var v in values)
                    sb.Append($"          <item displayName=\"$(string.{Attr(id)}_{((JsonNumber)v).Raw})\"><value><decimal value=\"{((JsonNumber)v).Raw}\" /></value></item>\n");
                return sb.Append("        </enum>\n").ToString();
            }
            // A string is always compared equal or oneOf (the loader allows nothing else): an enum of the accepted values.
            if (r.Kind == RegistryKind.String && s.Type == Model.ValueType.String && values != null)
            {
                sb.Append($"        <enum id=\"{Attr(id)}\" valueName=\"{Attr(r.ValueName!)}\" required=\"true\">\n");
                foreach (var v in values)
                    sb.Append($"          <item displayName=\"$(string.{Attr(id)}_{Attr(((JsonString)v).Value)})\"><value><string>{Text(((JsonString)v).Value)}</string></value></item>\n");
                return sb.Append("        </enum>\n").ToString();
            }
            Fail(s, uri, $"has a registry form ({RegistrySetting.KindName(r.Kind)}) no ADMX element is generated for");
            return "";
        }

        private static void Fail(SettingDefinition s, string uri, string why) =>
            throw new WaHardeningException(ErrorIds.AdmxDataInvalid, WaErrorCategory.InvalidData, $"Setting {s.Target}:{s.Name}: the OMA-URI {uri} {why}.", s);

        private static string Attr(string v) => v.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
        private static string Text(string v) => v.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
