using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Intune
{
    /// <summary>
    /// Renders one profile of a baseline as everything a tenant and a config tool need: settings-catalog policies,
    /// a custom OMA-URI profile, compliance policies, custom compliance, remediations, macOS configuration profiles,
    /// Linux policy files — and manifest.json listing them. Pure: no I/O, no clock, no randomness, so two exports
    /// of the same input are byte-identical. docs/intune-export.md describes every file.
    /// </summary>
    public static class IntuneExporter
    {
        /// <summary>Platform names accepted by -Platform (as Get-WaBaseline's) and the manifest's spelling of each.</summary>
        public static readonly IReadOnlyDictionary<string, string> ManifestPlatform = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [Platforms.Windows] = "windows", [Platforms.MacOS] = "macOS", [Platforms.IOS] = "iOS",
            [Platforms.Android] = "android", [Platforms.Linux] = "linux",
        };

        private static readonly UTF8Encoding Utf8NoBom = new UTF8Encoding(false);

        public static ExportManifest Build(Baseline baseline, string profile, IEnumerable<string>? platforms, string generator)
        {
            var wanted = new HashSet<string>(platforms ?? Platforms.All, StringComparer.OrdinalIgnoreCase);
            foreach (var p in wanted)
                if (Platforms.Normalize(p) == null)
                    throw new WaHardeningException(ErrorIds.PlatformUnknown, WaErrorCategory.InvalidArgument,
                        $"Unknown platform '{p}' (known: {string.Join(", ", Platforms.All)}).", p);
            var ctx = new Ctx(profile, IntuneControls(baseline, profile), DeviceControls(baseline, profile));
            if (wanted.Contains(Platforms.Windows)) IngestedAdmx.CheckOneProfilePerApp(baseline, OmaUriDelivers, OmaUriOf);
            var files = new List<ExportedFile>();
            if (wanted.Contains(Platforms.Windows))
            {
                files.AddRange(WindowsSettingsCatalog(ctx));
                files.AddRange(CustomOmaUri(ctx));
                files.AddRange(DeviceScripts.Build(ctx));
                files.AddRange(SessionCleanupRemediation.Build(ctx));
            }
            if (wanted.Contains(Platforms.MacOS))
            {
                files.AddRange(MacSettingsCatalog(ctx));
                files.AddRange(Export.MobileConfig.Build(ctx));
            }
            files.AddRange(Compliance(ctx, wanted, files));
            if (wanted.Contains(Platforms.Linux)) files.AddRange(Export.LinuxFiles.Build(ctx));
            var used = new HashSet<string>(files.SelectMany(f => f.Controls), StringComparer.Ordinal);
            var parameters = baseline.ParameterValues
                .Where(kv => ctx.DeviceControls.Any(c => used.Contains(c.Id) && c.ParameterNames.Contains(kv.Key)))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            var includes = baseline.FindProfile(profile)!.Includes;
            return new ExportManifest(generator, profile, parameters, files, includes);
        }

        /// <summary>
        /// The one selection of controls for the Intune files (settings catalog, custom OMA-URI, compliance, device scripts,
        /// macOS profiles): the controls that name this profile itself, not those it takes from the profiles it includes.
        /// A device in a SharedComputer group is also in the Standard group and receives both exports; every control
        /// belongs to one profile, so the two carry no setting twice and none in conflict. Advice is never exported.
        /// </summary>
        public static IReadOnlyList<Control> IntuneControls(Baseline baseline, string profile)
        {
            var controls = baseline.ControlsFor(profile); // ProfileNotFound for an unknown profile
            var name = baseline.FindProfile(profile)!.Name;
            return controls.Where(c => !c.Advisory && c.Profiles.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
        }

        /// <summary>The controls of the Linux files: whole files written to one path per device, so each holds the complete
        /// profile (included profiles too), as Set-WaHardening -Profile writes it; a device gets one profile's files.</summary>
        public static IReadOnlyList<Control> DeviceControls(Baseline baseline, string profile) =>
            baseline.ControlsFor(profile).Where(c => !c.Advisory).ToList();

        /// <summary>The profile being exported and its enforceable controls (advice is never exported).</summary>
        internal sealed class Ctx
        {
            public Ctx(string profile, IReadOnlyList<Control> controls, IReadOnlyList<Control> deviceControls)
            { Profile = profile; Controls = controls; DeviceControls = deviceControls; }
            public string Profile { get; }
            /// <summary>What the Intune files carry: the controls this profile adds (<see cref="IntuneControls"/>).</summary>
            public IReadOnlyList<Control> Controls { get; }
            /// <summary>What the Linux files carry: every control the profile applies (<see cref="DeviceControls"/>).</summary>
            public IReadOnlyList<Control> DeviceControls { get; }

            public string Marker(string slug) => "wah-" + Profile.ToLowerInvariant() + "-" + slug;
            public string Name(string what) => $"WaHardening - {Profile} - {what}";

            public IEnumerable<(Control Control, SettingDefinition Setting)> Settings(Func<SettingDefinition, bool> where) =>
                Controls.SelectMany(c => c.Settings.Where(where).Select(s => (c, s)));

            public IEnumerable<(Control Control, SettingDefinition Setting)> DeviceSettings(Func<SettingDefinition, bool> where) =>
                DeviceControls.SelectMany(c => c.Settings.Where(where).Select(s => (c, s)));

            /// <summary>A description naming the controls, ending with the marker line.</summary>
            public string Description(string what, IEnumerable<Control> controls, string marker)
            {
                var sb = new StringBuilder(what).Append(" Controls: ");
                sb.Append(string.Join("; ", controls.Distinct().OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => $"{c.Id} {c.Title}")));
                sb.Append(".\n").Append(ExportManifest.MarkerLine(marker));
                return sb.ToString();
            }
        }

        internal static byte[] Json(JsonValue v) => Utf8NoBom.GetBytes(JsonWriter.Write(v));
        internal static byte[] Text(string s) => Utf8NoBom.GetBytes(s.Replace("\r\n", "\n"));

        // ------------------------------------------------------------ settings catalog

        /// <summary>The Windows settings-catalog policies: one per target whose descriptor row names one (Model/Targets.cs).</summary>
        private static IEnumerable<(string Target, string Slug, string What)> WindowsCatalogGroups =>
            Targets.All.Where(t => t.WindowsCatalogPolicy != null).Select(t => (t.Name, t.WindowsCatalogPolicy!.Value.Slug, t.WindowsCatalogPolicy!.Value.Title));

        private static IEnumerable<ExportedFile> WindowsSettingsCatalog(Ctx ctx)
        {
            foreach (var (target, slug, what) in WindowsCatalogGroups)
            {
                // Audit-only settings (enforce: false) are not written by any rendering: a catalog policy would write them.
                var items = ctx.Settings(s => s.Target == target && s.Enforce && IntuneRendering.Applies(s)).ToList();
                if (items.Count == 0) continue;
                var settings = new JsonArray();
                foreach (var (_, s) in items) settings.Add(CatalogSetting(Instance(IntuneRendering.Render(s))));
                yield return CatalogFile(ctx, $"windows/settings-catalog/{slug}.json", "windows", "windows10", "mdm", slug, what,
                    items.Select(i => i.Control), settings);
            }
        }

        private static IEnumerable<ExportedFile> MacSettingsCatalog(Ctx ctx)
        {
            var items = ctx.Settings(s => s.Target == Targets.MacOS && s.Enforce && IntuneRendering.Applies(s)).ToList();
            if (items.Count == 0) yield break;
            // Apple payload settings sit in the group collection of their payload, "<payload>_<payload>" in the catalog.
            var settings = new JsonArray();
            foreach (var group in items.GroupBy(i => PayloadPrefix(IntuneRendering.Render(i.Setting).DefinitionId)))
            {
                var children = new JsonArray();
                foreach (var (_, s) in group) children.Add(Instance(IntuneRendering.Render(s)));
                var value = new JsonObject().Set("children", children);
                settings.Add(CatalogSetting(new JsonObject()
                    .Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance")
                    .Set("settingDefinitionId", group.Key + "_" + group.Key)
                    .Set("groupSettingCollectionValue", new JsonArray(new JsonValue[] { value }))));
            }
            yield return CatalogFile(ctx, "macos/settings-catalog/macos-lock.json", "macOS", "macOS", "mdm,appleRemoteManagement", "macos-lock",
                "macOS - screen lock", items.Select(i => i.Control), settings);
        }

        /// <summary>"com.apple.screensaver.user_idletime" → "com.apple.screensaver.user".</summary>
        public static string PayloadPrefix(string definitionId) => definitionId.Substring(0, definitionId.LastIndexOf('_'));

        /// <summary>
        /// A settings-catalog policy in the shape the Intune admin center's own "Export JSON" gives and its "Import policy"
        /// takes (learn.microsoft.com/en-us/intune/intune-service/configuration/settings-catalog#import-and-export-a-profile):
        /// every setting with its <c>id</c> ("0", "1", … in order) and a <c>templateReference</c> naming no template
        /// (<c>templateId</c> "", <c>templateFamily</c> "none"), as the policies it exports carry them. The same body is POSTed
        /// to Graph (beta <c>deviceManagementConfigurationPolicy</c>, whose model has both properties).
        /// </summary>
        private static ExportedFile CatalogFile(Ctx ctx, string path, string platform, string graphPlatform, string technologies, string slug,
            string what, IEnumerable<Control> controls, JsonArray settings)
        {
            var marker = ctx.Marker(slug);
            var list = controls.ToList();
            var numbered = new JsonArray();
            var n = 0;
            foreach (var s in settings.Items.Cast<JsonObject>())
            {
                var item = new JsonObject().Set("id", Invariant(n++));
                foreach (var p in s.Properties) item.Set(p.Key, p.Value);
                numbered.Add(item);
            }
            var body = new JsonObject()
                .Set("name", ctx.Name(what))
                .Set("description", ctx.Description($"WaHardening baseline, profile {ctx.Profile}: {what}.", list, marker))
                .Set("platforms", graphPlatform)
                .Set("technologies", technologies)
                .Set("roleScopeTagIds", new[] { "0" })
                .Set("settings", numbered)
                .Set("templateReference", new JsonObject()
                    .Set("templateId", "")
                    .Set("templateFamily", "none")
                    .Set("templateDisplayName", JsonNull.Instance)
                    .Set("templateDisplayVersion", JsonNull.Instance));
            return new ExportedFile(path, ExportKinds.SettingsCatalog, platform, ctx.Name(what), marker, list.Select(c => c.Id), Json(body),
                new GraphTarget("beta", "deviceManagement/configurationPolicies", null, true));
        }

        private static JsonObject CatalogSetting(JsonObject instance) =>
            new JsonObject().Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationSetting").Set("settingInstance", instance);

        /// <summary>A settingInstance as Graph takes it, with its children.</summary>
        public static JsonObject Instance(IntuneSettingInstance i)
        {
            var o = new JsonObject();
            switch (i.Kind)
            {
                case IntuneSettingKind.Choice:
                    var children = new JsonArray();
                    foreach (var c in i.Children) children.Add(Instance(c));
                    return o.Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance")
                        .Set("settingDefinitionId", i.DefinitionId)
                        .Set("choiceSettingValue", new JsonObject()
                            .Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationChoiceSettingValue")
                            .Set("value", i.Option!)
                            .Set("children", children));
                case IntuneSettingKind.SimpleCollection:
                    var values = new JsonArray();
                    foreach (var v in ((JsonArray)i.Value!).Items) values.Add(SimpleValue(v));
                    return o.Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance")
                        .Set("settingDefinitionId", i.DefinitionId)
                        .Set("simpleSettingCollectionValue", values);
                default:
                    return o.Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance")
                        .Set("settingDefinitionId", i.DefinitionId)
                        .Set("simpleSettingValue", SimpleValue(i.Value!));
            }
        }

        private static JsonObject SimpleValue(JsonValue v) => v is JsonNumber n
            ? new JsonObject().Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationIntegerSettingValue").Set("value", new JsonNumber(n.Raw))
            : new JsonObject().Set("@odata.type", "#microsoft.graph.deviceManagementConfigurationStringSettingValue")
                .Set("value", v is JsonString s ? s.Value : v.ToString());

        // ------------------------------------------------------------ custom OMA-URI

        /// <summary>Whether a settings-catalog policy of a Windows export writes the setting.</summary>
        internal static bool CatalogDelivers(SettingDefinition s) =>
            s.Enforce && IntuneRendering.Applies(s) && Targets.Find(s.Target)?.WindowsCatalogPolicy != null;

        /// <summary>Whether the custom OMA-URI profile of a Windows export writes the setting.</summary>
        internal static bool OmaUriDelivers(SettingDefinition s) => s.Enforce && s.Intune == null && s.AppliesOn(Platforms.Windows)
            && (s.OmaUri != null || FirefoxPolicy.IsPreference(s));

        /// <summary>The OMA-URI a setting is delivered with: its own, or for a Firefox preference the Preferences policy's (one for all).</summary>
        internal static string OmaUriOf(SettingDefinition s) => FirefoxPolicy.IsPreference(s) ? FirefoxPolicy.PreferencesOmaUri : s.OmaUri!;

        /// <summary>
        /// Windows settings with an OMA-URI but no settings-catalog id (Firefox and Google Update through ADMX files this profile
        /// ingests first, generated from the settings by <see cref="IngestedAdmx"/>). An ADMX-backed OMA-URI ("App~Policy~Category/Policy") takes
        /// a string (omaSettingString): &lt;enabled/&gt; or &lt;disabled/&gt; for a policy without a value element, else
        /// &lt;enabled/&gt;&lt;data id="element" value="…"/&gt; (list elements as name/value pairs "1&amp;#xF000;a&amp;#xF000;2&amp;#xF000;b",
        /// as Mozilla's oma-uris.md gives them). Audit-only settings (enforce: false) are never written.
        /// </summary>
        private static IEnumerable<ExportedFile> CustomOmaUri(Ctx ctx)
        {
            var items = ctx.Settings(OmaUriDelivers).ToList();
            if (items.Count == 0) yield break;
            var marker = ctx.Marker("windows-custom-oma-uri");
            var oma = new JsonArray();
            // ADMX files to ingest first, once each, before the policies that need them.
            // Each own application's ADMX is generated from exactly the settings this export delivers with it.
            foreach (var app in items.Select(i => IngestedAdmx.AppOf(OmaUriOf(i.Setting))).Where(IngestedAdmx.IsOwn).Distinct(StringComparer.Ordinal))
            {
                var admx = IngestedAdmx.Generate(app!, items.Select(i => (i.Setting, OmaUriOf(i.Setting))));
                oma.Add(new JsonObject().Set("@odata.type", "#microsoft.graph.omaSettingString").Set("displayName", $"ADMX ingestion: {admx.AppName}")
                    .Set("description", "ADMX file for the policies below (Policy CSP ConfigOperations/ADMXInstall)")
                    .Set("omaUri", admx.InstallOmaUri).Set("value", admx.Text));
            }
            // Firefox preferences: one Preferences policy (the current form, a JSON object of every preference), written where
            // the first of them would be.
            var prefs = items.Where(i => FirefoxPolicy.IsPreference(i.Setting)).ToList();
            foreach (var (c, s) in items)
            {
                var uri = OmaUriOf(s);
                var o = new JsonObject();
                if (FirefoxPolicy.IsPreference(s))
                {
                    if (s != prefs[0].Setting) continue;
                    var json = JsonWriter.Write(FirefoxPolicy.Nest(prefs.Select(p => p.Setting))[FirefoxPolicy.PreferencesPolicy]!, false);
                    oma.Add(o.Set("@odata.type", "#microsoft.graph.omaSettingString").Set("displayName", $"{string.Join(", ", prefs.Select(p => p.Control.Id).Distinct())} Firefox Preferences")
                        .Set("description", string.Join(", ", prefs.Select(p => p.Setting.Name)))
                        .Set("omaUri", uri).Set("value", $"<enabled/><data id=\"{FirefoxPolicy.PreferencesAdmxElement}\" value=\"{XmlAttr(json)}\"/>"));
                    continue;
                }
                if (IngestedAdmx.AppOf(uri) != null)
                    o.Set("@odata.type", "#microsoft.graph.omaSettingString").Set("displayName", $"{c.Id} {s.Target} {s.Name}")
                        .Set("description", s.Source).Set("omaUri", uri).Set("value", AdmxValue(s, s.Expected));
                else if (s.Expected is JsonNumber n)
                    o.Set("@odata.type", "#microsoft.graph.omaSettingInteger").Set("displayName", $"{c.Id} {s.Name}")
                        .Set("description", s.Source).Set("omaUri", uri).Set("value", new JsonNumber(n.Raw));
                else if (s.Expected is JsonBoolean b)
                    o.Set("@odata.type", "#microsoft.graph.omaSettingBoolean").Set("displayName", $"{c.Id} {s.Name}")
                        .Set("description", s.Source).Set("omaUri", uri).Set("value", b.Value);
                else
                    o.Set("@odata.type", "#microsoft.graph.omaSettingString").Set("displayName", $"{c.Id} {s.Name}")
                        .Set("description", s.Source).Set("omaUri", uri)
                        .Set("value", s.Expected is JsonString str ? str.Value : s.Expected.ToString());
                oma.Add(o);
            }
            var what = "Windows - custom OMA-URI";
            var body = new JsonObject()
                .Set("@odata.type", "#microsoft.graph.windows10CustomConfiguration")
                .Set("displayName", ctx.Name(what))
                .Set("description", ctx.Description($"WaHardening baseline, profile {ctx.Profile}: settings the settings catalog has no id for.", items.Select(i => i.Control), marker))
                .Set("omaSettings", oma);
            yield return new ExportedFile("windows/custom-oma-uri.json", ExportKinds.CustomConfiguration, "windows", ctx.Name(what), marker,
                items.Select(i => i.Control.Id), Json(body),
                new GraphTarget("v1.0", "deviceManagement/deviceConfigurations", "#microsoft.graph.windows10CustomConfiguration", true));
        }

        /// <summary>The value of an ADMX-backed OMA-URI for a value of the setting (see <see cref="CustomOmaUri"/>).</summary>
        public static string AdmxValue(SettingDefinition s, JsonValue value)
        {
            var element = s.AdmxData;
            if (element == null)
            {
                if (value is JsonBoolean b) return b.Value ? "<enabled/>" : "<disabled/>";
                throw new WaHardeningException(ErrorIds.AdmxDataMissing, WaErrorCategory.InvalidData,
                    $"Setting {s.Target}:{s.Name}: the ADMX-backed OMA-URI needs 'admxData' (the element id) for the value {value}.", s);
            }
            string data;
            if (value is JsonArray list)
                data = string.Join("&#xF000;", list.Items.Select((v, k) =>
                    (k + 1).ToString(CultureInfo.InvariantCulture) + "&#xF000;" + XmlAttr(v is JsonString js ? js.Value : v.ToString())));
            else if (value is JsonBoolean vb) data = vb.Value ? "1" : "0";
            else data = XmlAttr(value is JsonString vs ? vs.Value : ((JsonNumber)value).Raw);
            return $"<enabled/><data id=\"{XmlAttr(element)}\" value=\"{data}\"/>";
        }

        private static string XmlAttr(string v) => v.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

        // ------------------------------------------------------------ compliance

        /// <summary>
        /// One compliance policy per Graph type. The API version is the one whose model has every property the body
        /// holds (checked by reflection over Microsoft.Graph's v1.0 models in the tests): beta where v1.0 lacks the type or a
        /// property — Windows for <c>deviceCompliancePolicyScript</c>, iOS for <c>passcodeMinutesOfInactivityBeforeScreenTimeout</c>,
        /// and the corporate-owned Android (fully managed, dedicated, COPE) and AOSP types, which v1.0 does not have.
        /// The Android work-profile policy keeps its first path and marker, so tenants' existing objects are updated.
        /// </summary>
        private static readonly (string OdataType, string Platform, string File, string Slug, string What, string ApiVersion)[] s_compliance =
        {
            ("#microsoft.graph.windows10CompliancePolicy", Platforms.Windows, "windows/compliance.json", "windows-compliance", "Windows - compliance", "beta"),
            ("#microsoft.graph.macOSCompliancePolicy", Platforms.MacOS, "macos/compliance.json", "macos-compliance", "macOS - compliance", "v1.0"),
            ("#microsoft.graph.iosCompliancePolicy", Platforms.IOS, "ios/compliance.json", "ios-compliance", "iOS - compliance", "beta"),
            ("#microsoft.graph.androidWorkProfileCompliancePolicy", Platforms.Android, "android/compliance.json", "android-compliance",
                "Android Enterprise personally-owned work profile - compliance", "v1.0"),
            ("#microsoft.graph.androidDeviceOwnerCompliancePolicy", Platforms.Android, "android/device-owner-compliance.json", "android-device-owner-compliance",
                "Android Enterprise fully managed, dedicated and corporate-owned work profile - compliance", "beta"),
            ("#microsoft.graph.aospDeviceOwnerCompliancePolicy", Platforms.Android, "android/aosp-compliance.json", "android-aosp-compliance",
                "Android (AOSP) - compliance", "beta"),
        };

        private static IEnumerable<ExportedFile> Compliance(Ctx ctx, HashSet<string> wanted, List<ExportedFile> soFar)
        {
            foreach (var (odata, platform, file, slug, what, api) in s_compliance)
            {
                if (!wanted.Contains(platform)) continue;
                var items = ctx.Settings(s => s.Compliance?.ODataType == odata).ToList();
                var script = platform == Platforms.Windows ? soFar.FirstOrDefault(f => f.Kind == ExportKinds.CustomComplianceScript && f.Graph != null) : null;
                var rules = platform == Platforms.Windows ? soFar.FirstOrDefault(f => f.Kind == ExportKinds.CustomComplianceRules) : null;
                if (items.Count == 0 && script == null) continue;
                var marker = ctx.Marker(slug);
                var controls = items.Select(i => i.Control).ToList();
                var body = new JsonObject()
                    .Set("@odata.type", odata)
                    .Set("displayName", ctx.Name(what))
                    .Set("description", ctx.Description($"WaHardening baseline, profile {ctx.Profile}: {what}.", controls, marker));
                foreach (var (_, s) in items)
                {
                    var property = s.Compliance!.PropertyFor(s.Name);
                    body.Set(property, JsonObject.Clone(s.Expected));
                }
                var bindings = new List<GraphBinding>();
                if (script != null && rules != null)
                {
                    // Custom compliance: the discovery script's tenant id is known only at publish time, so the file
                    // carries no deviceCompliancePolicyScript (an empty id would fail an import); the manifest's binding
                    // has the rules, and the publisher adds both.
                    bindings.Add(new GraphBinding("deviceCompliancePolicyScript.deviceComplianceScriptId", script.Marker, new[]
                    {
                        new KeyValuePair<string, JsonValue>("deviceCompliancePolicyScript.rulesContent", new JsonString(Convert.ToBase64String(rules.Content))),
                    }));
                    controls.AddRange(ctx.Controls.Where(c => script.Controls.Contains(c.Id)));
                }
                var block = new JsonObject().Set("actionType", "block").Set("gracePeriodHours", 0)
                    .Set("notificationTemplateId", "").Set("notificationMessageCCList", new string[0]);
                body.Set("scheduledActionsForRule", new JsonArray(new JsonValue[]
                {
                    new JsonObject().Set("ruleName", "PasswordRequired").Set("scheduledActionConfigurations", new JsonArray(new JsonValue[] { block })),
                }));
                yield return new ExportedFile(file, ExportKinds.CompliancePolicy,
                    ManifestPlatform[platform], ctx.Name(what), marker, controls.Select(c => c.Id), Json(body),
                    new GraphTarget(api, "deviceManagement/deviceCompliancePolicies", odata, true, bindings));
            }
        }

        /// <summary>Firefox policies with dotted names ("Cookies.AllowSession") as nested objects, preferences under Preferences.</summary>
        public static JsonObject NestDotted(IEnumerable<SettingDefinition> settings) => FirefoxPolicy.Nest(settings);

        internal static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
    }
}
