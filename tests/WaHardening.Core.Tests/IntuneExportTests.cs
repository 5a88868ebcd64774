using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using Xunit;

namespace WaHardening.Core.Tests
{
    public class IntuneExportTests
    {
        private static ExportManifest Export(string profile, IEnumerable<string>? platforms = null, IReadOnlyDictionary<string, object?>? parameters = null) =>
            IntuneExporter.Build(BaselineLoader.Load(BaselineLoaderTests.DefaultPath).WithParameters(parameters), profile, platforms, "WaHardening test");

        public static TheoryData<string> Profiles() => new TheoryData<string> { "Standard", "SharedComputer" };

        private static JsonObject Body(ExportedFile f) => (JsonObject)JsonParser.Parse(Encoding.UTF8.GetString(f.Content), f.Path);

        private static IEnumerable<JsonObject> Objects(JsonValue v)
        {
            if (v is JsonObject o)
            {
                yield return o;
                foreach (var p in o.Properties) foreach (var x in Objects(p.Value)) yield return x;
            }
            else if (v is JsonArray a)
                foreach (var i in a.Items) foreach (var x in Objects(i)) yield return x;
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void Every_settings_catalog_id_and_option_exists_in_the_catalog_with_the_right_kind(string profile)
        {
            var catalog = SettingsCatalog.Instance.Rows;
            var files = Export(profile).Files.Where(f => f.Kind == ExportKinds.SettingsCatalog).ToList();
            Assert.Contains(files, f => f.Path == "windows/settings-catalog/windows-edge.json");
            Assert.Contains(files, f => f.Path == "macos/settings-catalog/macos-lock.json");
            var seen = 0;
            foreach (var f in files)
                foreach (var o in Objects(Body(f)))
                {
                    if (!(o["settingDefinitionId"] is JsonString id)) continue;
                    seen++;
                    Assert.True(catalog.TryGetValue(id.Value, out var row), $"{f.Path}: settingDefinitionId '{id.Value}' is not in the catalog");
                    var type = ((JsonString)o["@odata.type"]!).Value;
                    var expectedKind = type switch
                    {
                        "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance" => "ChoiceSettingDefinition",
                        "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance" => "SimpleSettingDefinition",
                        "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance" => "SimpleSettingDefinition",
                        "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance" => "SettingGroupCollectionDefinition",
                        _ => throw new Xunit.Sdk.XunitException($"{f.Path}: unexpected instance type {type}"),
                    };
                    Assert.True(row!.Type == expectedKind || (expectedKind == "SimpleSettingDefinition" && row.Type == "SimpleSettingCollectionDefinition"),
                        $"{f.Path}: {id.Value} is a {row.Type} in the catalog, rendered as {type}");
                    if (o["choiceSettingValue"] is JsonObject choice)
                    {
                        var option = ((JsonString)choice["value"]!).Value;
                        Assert.Contains(option, row.Options);
                    }
                }
            Assert.True(seen >= 20, $"only {seen} setting instances checked");
        }

        [Fact]
        public void Every_intune_setting_of_the_profile_is_exported_once()
        {
            var manifest = Export("SharedComputer");
            var exported = manifest.Files.Where(f => f.Kind == ExportKinds.SettingsCatalog)
                .SelectMany(f => Objects(Body(f))).Select(o => (o["settingDefinitionId"] as JsonString)?.Value).Where(x => x != null).ToList();
            var baseline = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);
            foreach (var s in baseline.ControlsFor("SharedComputer").SelectMany(c => c.Settings).Where(s => s.Section("intune") != null))
            {
                var id = ((JsonString)s.Section("intune")!["settingDefinitionId"]!).Value;
                Assert.Equal(1, exported.Count(x => x == id));
            }
        }

        [Fact]
        public void Bodies_have_only_the_properties_graph_declares_for_their_type_and_all_it_requires()
        {
            var schema = (JsonObject)JsonParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "fixtures", "graph", "intune-types.json"));
            var types = (JsonObject)schema["types"]!;
            var manifest = Export("SharedComputer");
            var checkedTypes = new HashSet<string>();
            foreach (var f in manifest.Files.Where(f => f.Graph != null))
            {
                var body = Body(f);
                Check(f.Path, body, f.Graph!.OdataType ?? "#microsoft.graph.deviceManagementConfigurationPolicy");
                foreach (var o in Objects(body).Skip(1))
                    if (o["@odata.type"] is JsonString t) Check(f.Path, o, t.Value);
                if (body["scheduledActionsForRule"] is JsonArray rules)
                    foreach (var r in rules.Items.Cast<JsonObject>())
                    {
                        Check(f.Path, r, "#microsoft.graph.deviceComplianceScheduledActionForRule");
                        foreach (var a in ((JsonArray)r["scheduledActionConfigurations"]!).Items.Cast<JsonObject>())
                            Check(f.Path, a, "#microsoft.graph.deviceComplianceActionItem");
                    }
                if (body["deviceCompliancePolicyScript"] is JsonObject script) Check(f.Path, script, "#microsoft.graph.deviceCompliancePolicyScript");
            }
            Assert.Contains("#microsoft.graph.deviceHealthScript", checkedTypes);
            Assert.Contains("#microsoft.graph.iosCompliancePolicy", checkedTypes);
            Assert.Contains("#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance", checkedTypes);

            void Check(string path, JsonObject o, string type)
            {
                Assert.True(types[type] is JsonObject, $"{path}: no schema for {type}");
                checkedTypes.Add(type);
                var t = (JsonObject)types[type]!;
                var allowed = ((JsonArray)t["properties"]!).Items.Select(i => ((JsonString)i).Value).ToHashSet();
                foreach (var p in o.Properties)
                    Assert.True(allowed.Contains(p.Key), $"{path}: {type} has no property '{p.Key}'");
                foreach (var r in ((JsonArray)t["required"]!).Items.Select(i => ((JsonString)i).Value))
                    Assert.True(o.Contains(r), $"{path}: {type} needs '{r}'");
                if (t["enums"] is JsonObject enums)
                    foreach (var e in enums.Properties)
                        if (o[e.Key] is JsonString v)
                            foreach (var part in v.Value.Split(','))
                                Assert.Contains(part, ((JsonArray)e.Value).Items.Select(i => ((JsonString)i).Value));
            }
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void Two_exports_are_byte_identical_and_the_manifest_matches_the_files(string profile)
        {
            var a = Export(profile);
            var b = Export(profile);
            Assert.Equal(a.ToText(), b.ToText());
            Assert.Equal(a.Files.Select(f => Convert.ToBase64String(f.Content)), b.Files.Select(f => Convert.ToBase64String(f.Content)));
            var json = (JsonObject)JsonParser.Parse(a.ToText());
            Assert.Equal(1, int.Parse(((JsonNumber)json["schemaVersion"]!).Raw));
            Assert.Equal(profile, ((JsonString)json["profile"]!).Value);
            var paths = ((JsonArray)json["files"]!).Items.Cast<JsonObject>().Select(o => ((JsonString)o["path"]!).Value).ToList();
            Assert.Equal(paths.OrderBy(p => p, StringComparer.Ordinal), paths);
            Assert.Equal(a.Files.Count, a.Files.Select(f => f.Marker).Distinct().Count());
            foreach (var f in a.Files)
            {
                Assert.Matches("^wah-[a-z0-9-]+$", f.Marker);
                Assert.NotEmpty(f.Controls);
                if (f.Graph == null) continue;
                var description = ((JsonString)Body(f)["description"]!).Value;
                Assert.EndsWith(ExportManifest.MarkerLine(f.Marker), description);
                foreach (var binding in f.Graph.Bindings) Assert.Contains(a.Files, g => g.Marker == binding.Marker && g.Graph != null);
            }
        }

        [Fact]
        public void Parameters_flow_into_every_rendering()
        {
            var m = Export("Standard", parameters: new Dictionary<string, object?> { ["IdleTimeoutSeconds"] = 120L });
            var lockPolicy = Encoding.UTF8.GetString(m.Files.Single(f => f.Path == "windows/settings-catalog/windows-lock.json").Content);
            Assert.Contains("\"value\": 120", lockPolicy);
            Assert.Equal("2", ((JsonNumber)Body(m.Files.Single(f => f.Path == "ios/compliance.json"))["passcodeMinutesOfInactivityBeforeLock"]!).Raw);
            Assert.Contains("<key>idleTime</key>\n\t\t\t<integer>120</integer>", Encoding.UTF8.GetString(m.Files.Single(f => f.Path == "macos/screen-lock.mobileconfig").Content));
            Assert.Contains("idle-delay=uint32 120", Encoding.UTF8.GetString(m.Files.Single(f => f.Path == "linux/dconf/local.d/90-wa-hardening").Content));
            Assert.Equal("120", ((JsonNumber)((JsonObject)((JsonObject)JsonParser.Parse(m.ToText()))["parameters"]!)["IdleTimeoutSeconds"]!).Raw);
        }

        [Fact]
        public void Platform_filter_keeps_only_those_files_and_an_unknown_platform_is_a_typed_error()
        {
            var m = Export("Standard", new[] { "iOS", "Android" });
            Assert.Equal(new[] { "android/compliance.json", "ios/compliance.json" }, m.Files.Select(f => f.Path));
            var ex = Assert.Throws<WaHardeningException>(() => Export("Standard", new[] { "Amiga" }));
            Assert.Equal("PlatformUnknown", ex.ErrorId);
            Assert.Contains("Amiga", ex.Message);
        }

        [Fact]
        public void Custom_compliance_is_bound_to_the_windows_compliance_policy()
        {
            var m = Export("Standard");
            var policy = m.Files.Single(f => f.Path == "windows/compliance.json");
            var script = m.Files.Single(f => f.Path == "windows/custom-compliance/deviceComplianceScript.json");
            var binding = Assert.Single(policy.Graph!.Bindings);
            Assert.Equal("deviceCompliancePolicyScript.deviceComplianceScriptId", binding.Property);
            Assert.Equal(script.Marker, binding.Marker);
            var rulesB64 = ((JsonString)((JsonObject)Body(policy)["deviceCompliancePolicyScript"]!)["rulesContent"]!).Value;
            var rules = m.Files.Single(f => f.Kind == ExportKinds.CustomComplianceRules);
            Assert.Equal(rules.Content, Convert.FromBase64String(rulesB64));
            var discovery = m.Files.Single(f => f.Path == "windows/custom-compliance/discovery.ps1");
            Assert.Equal(discovery.Content, Convert.FromBase64String(((JsonString)Body(script)["detectionScriptContent"]!).Value));
        }

        [Fact]
        public void A_setting_with_an_oma_uri_and_no_catalog_id_goes_into_the_custom_profile()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-oma-" + Guid.NewGuid().ToString("N")));
            try
            {
                var path = Path.Combine(dir.FullName, "b.json");
                File.WriteAllText(path, @"{ ""schemaVersion"": 1, ""name"": ""t"", ""version"": ""1"", ""profiles"": { ""Standard"": { ""description"": ""s"" } },
  ""controls"": [ { ""id"": ""WA-T-01"", ""title"": ""t"", ""category"": ""ScreenLock"", ""severity"": ""High"", ""profiles"": [""Standard""], ""rationale"": ""r"",
    ""settings"": [ { ""target"": ""Windows"", ""name"": ""InactivityTimeoutSecs"", ""type"": ""integer"", ""value"": 240, ""compare"": ""atMost"", ""minimum"": 1, ""source"": ""https://e.org"",
      ""omaUri"": ""./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/InteractiveLogon_MachineInactivityLimit"",
      ""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"", ""value"": ""InactivityTimeoutSecs"", ""kind"": ""REG_DWORD"" } } ] } ] }");
                var m = IntuneExporter.Build(BaselineLoader.Load(path), "Standard", new[] { "Windows" }, "t");
                var f = m.Files.Single(x => x.Kind == ExportKinds.CustomConfiguration);
                var oma = (JsonObject)((JsonArray)Body(f)["omaSettings"]!).Items.Single();
                Assert.Equal("#microsoft.graph.omaSettingInteger", ((JsonString)oma["@odata.type"]!).Value);
                Assert.Equal("./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/InteractiveLogon_MachineInactivityLimit", ((JsonString)oma["omaUri"]!).Value);
                Assert.Equal("240", ((JsonNumber)oma["value"]!).Raw);
                Assert.DoesNotContain(m.Files, x => x.Kind == ExportKinds.SettingsCatalog);
            }
            finally { dir.Delete(true); }
        }

        [Fact]
        public void Device_scripts_are_ascii_and_name_every_hklm_setting_once()
        {
            var m = Export("SharedComputer");
            foreach (var f in m.Files.Where(f => f.Path.EndsWith(".ps1", StringComparison.Ordinal)))
                Assert.All(f.Content, b => Assert.True(b < 128, $"{f.Path} is not ASCII"));
            var rules = (JsonArray)((JsonObject)JsonParser.Parse(Encoding.UTF8.GetString(m.Files.Single(f => f.Kind == ExportKinds.CustomComplianceRules).Content)))["Rules"]!;
            var names = rules.Items.Cast<JsonObject>().Select(r => ((JsonString)r["SettingName"]!).Value).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            Assert.Contains("WA_LOCK_01_Windows_InactivityTimeoutSecs", names);
            Assert.Contains("WA_SHARED_01_Firefox_SanitizeOnShutdown_Cookies", names);
            Assert.DoesNotContain(names, n => n.Contains("ScreenSave")); // HKCU: the catalog sets it, SYSTEM cannot read it
            var discovery = Encoding.ASCII.GetString(m.Files.Single(f => f.Path == "windows/custom-compliance/discovery.ps1").Content);
            foreach (var n in names) Assert.Contains("Setting = '" + n + "'", discovery);
        }

        [Fact]
        public void The_writer_refuses_a_foreign_folder_and_replaces_a_previous_export_all_at_once()
        {
            var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-exp-" + Guid.NewGuid().ToString("N")));
            try
            {
                var m = Export("Standard", new[] { "iOS" });
                var foreign = Path.Combine(root.FullName, "foreign");
                Directory.CreateDirectory(foreign);
                File.WriteAllText(Path.Combine(foreign, "keep.txt"), "mine");
                var ex = Assert.Throws<WaHardeningException>(() => IntuneExportWriter.Write(foreign, m, false));
                Assert.Equal("ExportFolderNotEmpty", ex.ErrorId);
                Assert.Equal("mine", File.ReadAllText(Path.Combine(foreign, "keep.txt")));

                var target = Path.Combine(root.FullName, "export");
                IntuneExportWriter.Write(target, Export("Standard", new[] { "Android" }), false);
                IntuneExportWriter.Write(target, m, false); // a previous export is replaced
                Assert.True(File.Exists(Path.Combine(target, "ios/compliance.json")));
                Assert.False(Directory.Exists(Path.Combine(target, "android")));
                Assert.Equal(m.ToText(), File.ReadAllText(Path.Combine(target, "manifest.json")));
                Assert.Empty(Directory.GetFileSystemEntries(root.FullName, ".*"));

                var file = Path.Combine(root.FullName, "file");
                File.WriteAllText(file, "x");
                Assert.Equal("ExportPathIsFile", Assert.Throws<WaHardeningException>(() => IntuneExportWriter.Write(file, m, false)).ErrorId);
            }
            finally { root.Delete(true); }
        }
    }
}
