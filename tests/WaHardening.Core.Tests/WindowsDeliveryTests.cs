using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// What the Windows part of an Intune export delivers, checked against the vendors' definitions in ../shared/oracles
    /// (Mozilla's firefox.admx and oma-uris.md, Omaha's ADMX template, Microsoft's Edge Update reference). The end-to-end
    /// closed loop (apply every delivered value, run the device scripts) is tests/pester/WindowsClosedLoop.Tests.ps1.
    /// </summary>
    public class WindowsDeliveryTests
    {
        private static Baseline Default => BaselineLoader.Load(BaselineLoaderTests.DefaultPath);

        private static ExportManifest Export(string profile) => IntuneExporter.Build(Default, profile, new[] { "Windows" }, "test");

        public static string Oracle(string relative)
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "oracles", relative);
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException($"The vendor oracle shared/oracles/{relative} (beside the repository) was not found.");
        }

        private static List<JsonObject> OmaSettings(ExportManifest m) =>
            ((JsonArray)((JsonObject)JsonParser.Parse(Encoding.UTF8.GetString(m.Files.Single(f => f.Path == "windows/custom-oma-uri.json").Content)))["omaSettings"]!)
                .Items.Cast<JsonObject>().ToList();

        private static string S(JsonObject o, string name) => ((JsonString)o[name]!).Value;

        public static TheoryData<string> Profiles() => new TheoryData<string> { "Standard", "SharedComputer" };

        /// <summary>The Mozilla OMA-URI of the same policy: the module's Firefox application replaced by Mozilla's AppName.</summary>
        private static string MozillaUri(string uri)
        {
            var app = IngestedAdmx.AppOf(uri)!;
            Assert.StartsWith(IngestedAdmx.FirefoxApp, app);
            return "./Device/Vendor/MSFT/Policy/Config/Firefox" + uri.Substring("./Device/Vendor/MSFT/Policy/Config/".Length + app.Length);
        }

        private static List<JsonObject> FirefoxOma(ExportManifest m) =>
            OmaSettings(m).Where(o => S(o, "omaUri").StartsWith("./Device/Vendor/MSFT/Policy/Config/", StringComparison.Ordinal)
                && IngestedAdmx.AppOf(S(o, "omaUri"))!.StartsWith(IngestedAdmx.FirefoxApp, StringComparison.Ordinal)).ToList();

        /// <summary>The ADMX files an export ingests, by AppName.</summary>
        private static Dictionary<string, XDocument> Ingested(ExportManifest m) =>
            OmaSettings(m).Where(o => S(o, "omaUri").StartsWith("./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/", StringComparison.Ordinal))
                .ToDictionary(o => S(o, "omaUri").Split('/')[7], o => XDocument.Parse(S(o, "value")));

        [Theory]
        [MemberData(nameof(Profiles))]
        public void Firefox_policies_are_the_ones_Mozilla_publishes_with_their_data_ids(string profile)
        {
            var doc = File.ReadAllText(Oracle("mozilla/docs/oma-uris.md"));
            var firefox = FirefoxOma(Export(profile));
            Assert.True(firefox.Count >= 7, $"only {firefox.Count} Firefox OMA-URIs");
            foreach (var o in firefox)
            {
                var uri = MozillaUri(S(o, "omaUri"));
                var at = doc.IndexOf("\n" + uri + "\n", StringComparison.Ordinal);
                Assert.True(at >= 0, $"{uri} (the policy and category path of {S(o, "omaUri")}) is not in Mozilla's oma-uris.md");
                // The value template that follows the URI in Mozilla's document: <enabled/> or <disabled/>, or a <data id="…"> element.
                var end = doc.IndexOf("\n#", at + 1, StringComparison.Ordinal);
                var template = doc.Substring(at, (end < 0 ? doc.Length : end) - at);
                var id = Regex.Match(template, "<data id=\"([^\"]+)\"");
                var value = S(o, "value");
                Assert.Equal("#microsoft.graph.omaSettingString", S(o, "@odata.type"));
                Assert.True(id.Success
                    ? Regex.IsMatch(value, "^<enabled/><data id=\"" + Regex.Escape(id.Groups[1].Value) + "\" value=\"[^\"]*\"/>$")
                    : Regex.IsMatch(value, "^<(enabled|disabled)/>$"), $"{uri}: {value} does not fit Mozilla's template {template}");
            }
        }

        /// <summary>The registry values RegistryRendering (the registry provider, Registry.pol, device scripts) gives the
        /// settings one OMA-URI delivers: a list's numbered values, a value, or for the Preferences policy one JSON line.</summary>
        private static List<AdmxInterpreter.Write> Rendered(IEnumerable<SettingDefinition> settings)
        {
            var all = settings.ToList();
            if (all.All(Rendering.FirefoxPolicy.IsPreference))
            {
                var r = Rendering.RegistryRendering.Render(all[0]);
                var json = JsonWriter.Write(Rendering.FirefoxPolicy.Nest(all)[Rendering.FirefoxPolicy.PreferencesPolicy]!, false);
                return new List<AdmxInterpreter.Write> { new(r.Key, r.ValueName!, Rendering.RegistrySetting.KindName(r.Kind), json) };
            }
            var s = Assert.Single(all);
            var one = Rendering.RegistryRendering.Render(s);
            Assert.Equal("HKLM", one.Hive);
            if (one.IsList)
                return one.ListItems!.Select((v, k) => new AdmxInterpreter.Write(one.Key, (k + 1).ToString(), Rendering.RegistrySetting.KindName(one.Kind), v)).ToList();
            return new List<AdmxInterpreter.Write> { new(one.Key, one.ValueName!, Rendering.RegistrySetting.KindName(one.Kind), one.DataText) };
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void Every_ingested_policy_writes_through_the_shipped_ADMX_what_RegistryRendering_and_the_vendor_ADMX_write(string profile)
        {
            var m = Export(profile);
            var ingested = Ingested(m);
            var mozilla = XDocument.Parse(File.ReadAllText(Oracle("mozilla/windows/firefox.admx")));
            var settings = IntuneExporter.IntuneControls(Default, profile).SelectMany(c => c.Settings).Where(IntuneExporter.OmaUriDelivers).ToList();
            var checkedUris = 0;
            foreach (var o in OmaSettings(m).Where(o => S(o, "omaUri").StartsWith("./Device/Vendor/MSFT/Policy/Config/", StringComparison.Ordinal)))
            {
                var uri = S(o, "omaUri");
                var app = IngestedAdmx.AppOf(uri);
                if (!IngestedAdmx.IsOwn(app)) continue;
                Assert.True(ingested.ContainsKey(app!), $"{uri}: the export does not ingest {app}");
                var mine = AdmxInterpreter.Apply(ingested[app!], uri, S(o, "value"));
                var delivered = settings.Where(s => IntuneExporter.OmaUriOf(s) == uri).ToList();
                Assert.NotEmpty(delivered);
                var expected = Rendered(delivered);
                Assert.Equal(string.Join("\n", expected), string.Join("\n", mine));
                if (app!.StartsWith(IngestedAdmx.FirefoxApp, StringComparison.Ordinal))
                {
                    // Mozilla's own firefox.admx, for Mozilla's OMA-URI of the same policy: the same key, value name, type and data.
                    var theirs = AdmxInterpreter.Apply(mozilla, MozillaUri(uri), S(o, "value"));
                    Assert.Equal(string.Join("\n", theirs), string.Join("\n", mine));
                }
                checkedUris++;
            }
            Assert.True(checkedUris >= 10, $"{profile}: only {checkedUris} ingested OMA-URIs checked");
            // The ADMX defines exactly the policies the export sets: nothing else of Mozilla's file is in it.
            foreach (var (app, admx) in ingested)
            {
                var policies = admx.Descendants().Where(e => e.Name.LocalName == "policy").Select(e => (string)e.Attribute("name")!).OrderBy(n => n, StringComparer.Ordinal);
                var used = OmaSettings(m).Select(o => S(o, "omaUri")).Where(u => IngestedAdmx.AppOf(u) == app).Select(u => u.Substring(u.LastIndexOf('/') + 1)).OrderBy(n => n, StringComparer.Ordinal);
                Assert.Equal(used, policies);
            }
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void The_exported_values_that_are_not_the_expected_ones_write_what_RegistryRendering_writes_for_them(string profile)
        {
            // Not only the expected value: every other value the ADMX accepts for a setting (the accepted enum items, false for
            // a boolean policy) renders as RegistryRendering renders that value.
            var m = Export(profile);
            var ingested = Ingested(m);
            foreach (var s in IntuneExporter.IntuneControls(Default, profile).SelectMany(c => c.Settings).Where(IntuneExporter.OmaUriDelivers).Where(s => !Rendering.FirefoxPolicy.IsPreference(s)))
            {
                var uri = IntuneExporter.OmaUriOf(s);
                var app = IngestedAdmx.AppOf(uri)!;
                var others = s.Type == Model.ValueType.Boolean ? new JsonValue[] { new JsonBoolean(true), new JsonBoolean(false) } : s.Accept.ToArray();
                foreach (var v in others)
                {
                    var mine = AdmxInterpreter.Apply(ingested[app], uri, IntuneExporter.AdmxValue(s, v));
                    var r = Rendering.RegistryRendering.Render(s, v);
                    Assert.Equal(new AdmxInterpreter.Write(r.Key, r.ValueName!, Rendering.RegistrySetting.KindName(r.Kind), r.DataText).ToString(), Assert.Single(mine).ToString());
                }
            }
        }

        [Fact]
        public void Each_ingested_ADMX_is_the_modules_own_and_belongs_to_one_profile()
        {
            var byProfile = new Dictionary<string, Dictionary<string, XDocument>>();
            foreach (var profile in new[] { "Standard", "SharedComputer" }) byProfile[profile] = Ingested(Export(profile));
            Assert.Equal(new[] { "WaHardeningBrave", IngestedAdmx.FirefoxApp, IngestedAdmx.GoogleUpdateApp }, byProfile["Standard"].Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(new[] { "WaHardeningBraveShared", IngestedAdmx.FirefoxSharedApp }, byProfile["SharedComputer"].Keys.OrderBy(k => k, StringComparer.Ordinal));
            var vendor = new[]
            {
                XDocument.Parse(File.ReadAllText(Oracle("mozilla/windows/firefox.admx"))),
                XDocument.Parse(File.ReadAllText(Oracle("mozilla/windows/mozilla.admx"))),
                XDocument.Parse(File.ReadAllText(Oracle("google-update/omaha/omaha/enterprise/test_gold.admx"), Encoding.Unicode)),
            }.Select(d => (string)d.Descendants().First(e => e.Name.LocalName == "target").Attribute("namespace")!).ToList();
            var namespaces = new List<string>();
            foreach (var (app, admx) in byProfile.SelectMany(p => p.Value))
            {
                // Never Mozilla's AppName (an ADMXInstall with AppName Firefox and the same FileUid would replace a tenant's
                // ingestion of Mozilla's file) and never a vendor's namespace (the same target namespace twice is refused).
                Assert.NotEqual("Firefox", app, StringComparer.OrdinalIgnoreCase);
                var ns = (string)admx.Descendants().First(e => e.Name.LocalName == "target").Attribute("namespace")!;
                Assert.DoesNotContain(ns, vendor);
                Assert.StartsWith("WaHardening.Policies.", ns);
                namespaces.Add(ns);
                // Every policy is a machine policy (the OMA-URIs are ./Device) writing below the vendor's policy key.
                foreach (var p in admx.Descendants().Where(e => e.Name.LocalName == "policy"))
                {
                    Assert.Equal("Machine", (string)p.Attribute("class")!);
                    var key = (string)p.Attribute("key")!;
                    Assert.True(Targets.All.Any(t => t.WindowsPolicyKey != null && (key == t.WindowsPolicyKey || key.StartsWith(t.WindowsPolicyKey + "\\", StringComparison.Ordinal))),
                        $"{app}: {key} is below no target's policy key");
                }
            }
            Assert.Equal(namespaces.Count, namespaces.Distinct().Count());
            // The ADMX is ingested in the same profile, before the policies that need it.
            foreach (var profile in byProfile.Keys)
            {
                var all = OmaSettings(Export(profile)).Select(o => S(o, "omaUri")).ToList();
                foreach (var app in byProfile[profile].Keys)
                {
                    var install = all.IndexOf(IngestedAdmx.InstallOmaUriOf(app));
                    Assert.True(install >= 0 && install < all.FindIndex(u => IngestedAdmx.AppOf(u) == app), $"{profile}: {app} is not ingested before its policies");
                }
            }
        }

        [Fact]
        public void An_own_ADMX_application_in_two_profiles_is_refused()
        {
            // A device of a shared computer receives both exports: two different files under one AppName/FileUid would replace each other.
            var text = File.ReadAllText(BaselineLoaderTests.DefaultPath).Replace("WaHardeningFirefoxShared~Policy~", "WaHardeningFirefox~Policy~");
            var path = Path.Combine(Path.GetTempPath(), $"wah-admx-shared-{Guid.NewGuid():N}.json");
            File.WriteAllText(path, text);
            try
            {
                var b = BaselineLoader.Load(path);
                var e = Assert.Throws<WaHardeningException>(() => IntuneExporter.Build(b, "Standard", new[] { "Windows" }, "test"));
                Assert.Equal("IngestedAdmxShared", e.ErrorId);
                Assert.Contains("WaHardeningFirefox", e.Message);
                // Without Windows nothing is ingested, so nothing to refuse.
                IntuneExporter.Build(b, "Standard", new[] { "macOS" }, "test");
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void A_setting_the_generator_cannot_express_is_a_typed_error()
        {
            // Two settings for one policy of an own ADMX.
            var text = File.ReadAllText(BaselineLoaderTests.DefaultPath).Replace("WaHardeningFirefox~Policy~firefox/AppAutoUpdate", "WaHardeningFirefox~Policy~firefox/DisableAppUpdate");
            var path = Path.Combine(Path.GetTempPath(), $"wah-admx-dup-{Guid.NewGuid():N}.json");
            File.WriteAllText(path, text);
            try
            {
                var e = Assert.Throws<WaHardeningException>(() => IntuneExporter.Build(BaselineLoader.Load(path), "Standard", new[] { "Windows" }, "test"));
                Assert.Equal("AdmxDataInvalid", e.ErrorId);
                Assert.Contains("DisableAppUpdate", e.Message);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void An_enforced_integer_with_bounds_becomes_a_bounded_decimal_that_writes_what_Omaha_writes()
        {
            // The Google Update check period, made enforced and delivered through the ingested ADMX (Omaha's policy
            // Pol_AutoUpdateCheckPeriod, decimal Part_AutoUpdateCheckPeriod): the generator's decimal path.
            const string old = "\"default\": 295,\n          \"source\": \"https://support.google.com/chrome/a/answer/6350036\",\n          \"enforce\": false,";
            const string uri = "./Device/Vendor/MSFT/Policy/Config/WaHardeningGoogleUpdate~Policy~Cat_GoogleUpdate~Cat_Preferences/Pol_AutoUpdateCheckPeriod";
            var text = File.ReadAllText(BaselineLoaderTests.DefaultPath).Replace("\r\n", "\n");
            Assert.Contains(old, text);
            text = text.Replace(old, "\"default\": 295,\n          \"source\": \"https://support.google.com/chrome/a/answer/6350036\",\n          \"omaUri\": \"" + uri + "\", \"admxData\": \"Part_AutoUpdateCheckPeriod\",");
            var path = Path.Combine(Path.GetTempPath(), $"wah-admx-decimal-{Guid.NewGuid():N}.json");
            File.WriteAllText(path, text);
            try
            {
                var b = BaselineLoader.Load(path);
                var m = IntuneExporter.Build(b, "Standard", new[] { "Windows" }, "test");
                var admx = Ingested(m)[IngestedAdmx.GoogleUpdateApp];
                var element = admx.Descendants().Single(e => e.Name.LocalName == "decimal" && (string?)e.Attribute("id") == "Part_AutoUpdateCheckPeriod");
                Assert.Equal("1", (string)element.Attribute("minValue")!);
                Assert.Equal("43200", (string)element.Attribute("maxValue")!);
                var value = S(OmaSettings(m).Single(o => S(o, "omaUri") == uri), "value");
                Assert.Equal("<enabled/><data id=\"Part_AutoUpdateCheckPeriod\" value=\"295\"/>", value);
                var s = b.Controls.SelectMany(c => c.Settings).Single(x => x.Target == Targets.GoogleUpdate && x.Name == "AutoUpdateCheckPeriodMinutes");
                var mine = AdmxInterpreter.Apply(admx, uri, value);
                Assert.Equal(string.Join("\n", Rendered(new[] { s })), string.Join("\n", mine));
                var gold = XDocument.Parse(File.ReadAllText(Oracle("google-update/omaha/omaha/enterprise/test_gold.admx"), Encoding.Unicode));
                Assert.Equal(string.Join("\n", AdmxInterpreter.Apply(gold, uri, value, checkCategories: false)), string.Join("\n", mine));
                // Out of the setting's bounds, the device refuses the value (as Omaha's ADMX refuses above 43200).
                Assert.ThrowsAny<Exception>(() => AdmxInterpreter.Apply(admx, uri, IntuneExporter.AdmxValue(s, new JsonNumber(43201))));
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void The_ingested_Google_Update_ADMX_defines_what_Omaha_defines()
        {
            // test_gold.admx is Omaha's generated template (UTF-16LE), for test applications: the per-app policy is checked
            // by its pattern, Update<app guid>, with Google Chrome's guid (facts.yaml).
            var gold = XDocument.Parse(File.ReadAllText(Oracle("google-update/omaha/omaha/enterprise/test_gold.admx"), Encoding.Unicode));
            var ns = gold.Root!.Name.Namespace;
            var mine = Ingested(Export("Standard"))[IngestedAdmx.GoogleUpdateApp];
            var mns = mine.Root!.Name.Namespace;
            XElement Policy(XDocument d, XNamespace n, string name) => d.Descendants(n + "policy").Single(p => (string)p.Attribute("name")! == name);
            var pairs = new[]
            {
                (Mine: "Pol_DefaultUpdatePolicy", Gold: "Pol_DefaultUpdatePolicy", Value: "UpdateDefault"),
                (Mine: "Pol_UpdatePolicyGoogleChrome", Gold: "Pol_UpdatePolicyGoogleTestFoo", Value: "Update{8A69D345-D564-463C-AFF1-A69D9E530F96}"),
            };
            foreach (var (m, g, valueName) in pairs)
            {
                var pm = Policy(mine, mns, m);
                var pg = Policy(gold, ns, g);
                Assert.Equal((string)pg.Attribute("key")!, (string)pm.Attribute("key")!);
                Assert.Equal((string)pg.Attribute("class")!, (string)pm.Attribute("class")!);
                var em = pm.Descendants(mns + "enum").Single();
                var eg = pg.Descendants(ns + "enum").Single();
                Assert.Equal((string)eg.Attribute("id")!, (string)em.Attribute("id")!);
                Assert.Equal(valueName, (string)em.Attribute("valueName")!);
                if (g == "Pol_DefaultUpdatePolicy") Assert.Equal((string)eg.Attribute("valueName")!, valueName);
                else Assert.Matches("^Update\\{[0-9A-Fa-f-]{36}\\}$", (string)eg.Attribute("valueName")!);
                // The generated enum offers exactly the values the baseline accepts, each one of Omaha's items.
                IEnumerable<string> Values(XElement e, XNamespace n) => e.Descendants(n + "decimal").Select(d => (string)d.Attribute("value")!);
                Assert.Equal(new[] { "1", "3" }, Values(em, mns));
                Assert.Empty(Values(em, mns).Except(Values(eg, ns)));
            }
            // Omaha's template renders the same OMA value to the same registry value (its category chain starts in google.admx).
            var uri = "./Device/Vendor/MSFT/Policy/Config/WaHardeningGoogleUpdate~Policy~Cat_GoogleUpdate~Cat_Applications/Pol_DefaultUpdatePolicy";
            var value = S(OmaSettings(Export("Standard")).Single(o => S(o, "omaUri") == uri), "value");
            Assert.Equal(string.Join("\n", AdmxInterpreter.Apply(gold, uri, value, checkCategories: false)), string.Join("\n", AdmxInterpreter.Apply(mine, uri, value)));
            // The OMA-URIs of the baseline name the ingested ADMX's categories and policies.
            var uris = OmaSettings(Export("Standard")).Select(o => S(o, "omaUri")).Where(u => u.Contains(IngestedAdmx.GoogleUpdateApp + "~Policy~")).ToList();
            Assert.Equal(new[]
            {
                "./Device/Vendor/MSFT/Policy/Config/WaHardeningGoogleUpdate~Policy~Cat_GoogleUpdate~Cat_Applications/Pol_DefaultUpdatePolicy",
                "./Device/Vendor/MSFT/Policy/Config/WaHardeningGoogleUpdate~Policy~Cat_GoogleUpdate~Cat_Applications~Cat_GoogleChrome/Pol_UpdatePolicyGoogleChrome",
            }, uris);
        }

        [Fact]
        public void Update_check_periods_are_bounded_as_the_updaters_ADMX_allows()
        {
            var generator = File.ReadAllText(Oracle("google-update/omaha/omaha/enterprise/generate_group_policy_template_admx.py"));
            var omaha = Regex.Match(generator, "valueName=\"AutoUpdateCheckPeriodMinutes\"\\s+required=\"true\" minValue=\"(\\d+)\" maxValue=\"(\\d+)\"");
            Assert.True(omaha.Success, "Omaha's AutoUpdateCheckPeriodMinutes element not found");
            var edge = File.ReadAllText(Oracle("edge/update/AutoUpdateCheckPeriodMinutes.yaml"));
            var edgeMax = Regex.Match(edge, @"range:\s*\n\s*min: (\d+)\s*\n\s*max: (\d+)");
            Assert.True(edgeMax.Success, "Edge Update's range not found");
            var settings = Default.Controls.SelectMany(c => c.Settings).Where(s => s.Name == "AutoUpdateCheckPeriodMinutes").ToList();
            Assert.Equal(2, settings.Count);
            foreach (var s in settings)
            {
                var max = long.Parse(s.Target == Targets.GoogleUpdate ? omaha.Groups[2].Value : edgeMax.Groups[2].Value);
                var min = long.Parse(s.Target == Targets.GoogleUpdate ? omaha.Groups[1].Value : edgeMax.Groups[1].Value);
                Assert.Equal(max, s.Maximum);
                // 0 is inside the ADMX range but means "never check": the baseline's lowest compliant value is 1.
                Assert.Equal(0, min);
                Assert.Equal(1, s.Minimum);
                Assert.False(Evaluation.ValueComparer.Judge(s, new JsonNumber(max + 1)).Compliant);
                Assert.False(Evaluation.ValueComparer.Judge(s, new JsonNumber(0)).Compliant);
                Assert.True(Evaluation.ValueComparer.Judge(s, null).Compliant, $"{s}: unset, the default applies");
            }
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void Compliance_never_requires_what_the_export_does_not_deliver_and_remediation_never_writes_audit_only_settings(string profile)
        {
            var m = Export(profile);
            var rules = ((JsonArray)((JsonObject)JsonParser.Parse(Encoding.UTF8.GetString(m.Files.Single(f => f.Kind == ExportKinds.CustomComplianceRules).Content)))["Rules"]!)
                .Items.Cast<JsonObject>().Select(r => S(r, "SettingName")).ToList();
            var catalog = m.Files.Where(f => f.Kind == ExportKinds.SettingsCatalog && f.Path.StartsWith("windows/", StringComparison.Ordinal))
                .Select(f => Encoding.UTF8.GetString(f.Content)).ToList();
            var oma = OmaSettings(m).Select(o => S(o, "omaUri")).ToList();
            var remediate = Encoding.ASCII.GetString(m.Files.Single(f => f.Path == "windows/remediation/remediate.ps1").Content);
            foreach (var c in Default.ControlsFor(profile))
                foreach (var s in c.Settings)
                {
                    var name = Regex.Replace($"{c.Id}_{s.Target}_{s.Name}", "[^A-Za-z0-9]", "_");
                    var delivered = (s.Intune is IntuneSection i && catalog.Any(t => t.Contains("\"" + i.SettingDefinitionId + "\"")))
                        || (s.OmaUri is string u && oma.Contains(u))
                        || (Rendering.FirefoxPolicy.IsPreference(s) && oma.Contains(Rendering.FirefoxPolicy.PreferencesOmaUri));
                    if (rules.Contains(name))
                        Assert.True(delivered || (!s.Enforce && s.Default != null), $"{name} is a compliance rule, but nothing in the export writes it");
                    if (!s.Enforce)
                    {
                        Assert.False(delivered, $"{name} is audit-only but delivered");
                        Assert.DoesNotContain("Setting = '" + name + "'", remediate);
                    }
                }
            // The bug this guards: the Edge Update check period (audit-only, default 600) is judged and passes when unset
            // (a Standard control: SharedComputer's export carries only what that profile adds).
            if (profile != "Standard") return;
            Assert.Contains("WA_UPDATE_01_EdgeUpdate_AutoUpdateCheckPeriodMinutes", rules);
            var discovery = Encoding.ASCII.GetString(m.Files.Single(f => f.Path == "windows/custom-compliance/discovery.ps1").Content);
            Assert.Matches("Setting = 'WA_UPDATE_01_EdgeUpdate_AutoUpdateCheckPeriodMinutes';[^\\n]*; Default = 600", discovery);
        }
    }
}
