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

        [Theory]
        [MemberData(nameof(Profiles))]
        public void Firefox_oma_uris_are_the_ones_Mozilla_publishes_with_their_data_ids(string profile)
        {
            var doc = File.ReadAllText(Oracle("mozilla/docs/oma-uris.md"));
            var firefox = OmaSettings(Export(profile)).Where(o => S(o, "omaUri").Contains("/Firefox~Policy~")).ToList();
            Assert.True(firefox.Count >= 7, $"only {firefox.Count} Firefox OMA-URIs");
            foreach (var o in firefox)
            {
                var uri = S(o, "omaUri");
                var at = doc.IndexOf("\n" + uri + "\n", StringComparison.Ordinal);
                Assert.True(at >= 0, $"{uri} is not in Mozilla's oma-uris.md");
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

        [Fact]
        public void The_ingested_Google_Update_ADMX_defines_what_Omaha_defines()
        {
            // test_gold.admx is Omaha's generated template (UTF-16LE), for test applications: the per-app policy is checked
            // by its pattern, Update<app guid>, with Google Chrome's guid (facts.yaml).
            var gold = XDocument.Parse(File.ReadAllText(Oracle("google-update/omaha/omaha/enterprise/test_gold.admx"), Encoding.Unicode));
            var ns = gold.Root!.Name.Namespace;
            var mine = XDocument.Parse(IngestedAdmx.ByApp[IngestedAdmx.GoogleUpdateApp].Text);
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
                IEnumerable<string> Values(XElement e, XNamespace n) => e.Descendants(n + "decimal").Select(d => (string)d.Attribute("value")!);
                Assert.Equal(Values(eg, ns), Values(em, mns));
            }
            // The OMA-URIs of the baseline name the ingested ADMX's categories and policies.
            var uris = OmaSettings(Export("Standard")).Select(o => S(o, "omaUri")).Where(u => u.Contains(IngestedAdmx.GoogleUpdateApp + "~Policy~")).ToList();
            Assert.Equal(new[]
            {
                "./Device/Vendor/MSFT/Policy/Config/WaHardeningGoogleUpdate~Policy~Cat_GoogleUpdate~Cat_Applications/Pol_DefaultUpdatePolicy",
                "./Device/Vendor/MSFT/Policy/Config/WaHardeningGoogleUpdate~Policy~Cat_GoogleUpdate~Cat_Applications~Cat_GoogleChrome/Pol_UpdatePolicyGoogleChrome",
            }, uris);
            // The ADMX is ingested in the same profile, before the policies that need it.
            var all = OmaSettings(Export("Standard")).Select(o => S(o, "omaUri")).ToList();
            var install = all.IndexOf(IngestedAdmx.ByApp[IngestedAdmx.GoogleUpdateApp].InstallOmaUri);
            Assert.True(install >= 0 && install < all.IndexOf(uris[0]));
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
