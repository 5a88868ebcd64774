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
                        "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance" => "SimpleSettingCollectionDefinition",
                        "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance" => "SettingGroupCollectionDefinition",
                        _ => throw new Xunit.Sdk.XunitException($"{f.Path}: unexpected instance type {type}"),
                    };
                    Assert.True(row!.Type == expectedKind, $"{f.Path}: {id.Value} is a {row.Type} in the catalog, rendered as {type}");
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
                // Audit-only settings keep their catalog id for reference and are never exported.
                Assert.True(exported.Count(x => x == id) == (s.Enforce ? 1 : 0), $"{s}: exported {exported.Count(x => x == id)} times");
            }
        }

        /// <summary>The trimmed Graph type table (tests/fixtures/graph/intune-types.json): unknown, missing and enum-violating properties.</summary>
        private sealed class GraphTypes
        {
            private readonly JsonObject _types = (JsonObject)((JsonObject)JsonParser.ParseFile(
                Path.Combine(AppContext.BaseDirectory, "fixtures", "graph", "intune-types.json")))["types"]!;
            public HashSet<string> Checked { get; } = new HashSet<string>();

            /// <summary>A whole body: the object itself, every typed object in it, the compliance rule actions and the script binding.</summary>
            public void CheckBody(string path, JsonObject body, string type)
            {
                Check(path, body, type);
                foreach (var o in Objects(body).Skip(1))
                    if (o["@odata.type"] is JsonString t) Check(path, o, t.Value);
                if (body["scheduledActionsForRule"] is JsonArray rules)
                    foreach (var r in rules.Items.Cast<JsonObject>())
                    {
                        Check(path, r, "#microsoft.graph.deviceComplianceScheduledActionForRule");
                        foreach (var a in ((JsonArray)r["scheduledActionConfigurations"]!).Items.Cast<JsonObject>())
                            Check(path, a, "#microsoft.graph.deviceComplianceActionItem");
                    }
                if (body["deviceCompliancePolicyScript"] is JsonObject script) Check(path, script, "#microsoft.graph.deviceCompliancePolicyScript");
            }

            public void Check(string path, JsonObject o, string type)
            {
                Assert.True(_types[type] is JsonObject, $"{path}: no schema for {type}");
                Checked.Add(type);
                var t = (JsonObject)_types[type]!;
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

        [Fact]
        public void Bodies_have_only_the_properties_graph_declares_for_their_type_and_all_it_requires()
        {
            var graph = new GraphTypes();
            var manifest = Export("SharedComputer");
            foreach (var f in manifest.Files.Where(f => f.Graph != null))
            {
                var type = f.Graph!.OdataType ?? "#microsoft.graph.deviceManagementConfigurationPolicy";
                graph.CheckBody(f.Path, Body(f), type);
                // What the publisher sends: the same body with the manifest's bindings applied.
                if (f.Graph.Bindings.Count == 0) continue;
                var bound = Body(f);
                foreach (var b in f.Graph.Bindings) b.Apply(bound, "00000000-0000-0000-0000-000000000001");
                graph.CheckBody(f.Path + " (as published)", bound, type);
            }
            Assert.Contains("#microsoft.graph.deviceHealthScript", graph.Checked);
            Assert.Contains("#microsoft.graph.iosCompliancePolicy", graph.Checked);
            Assert.Contains("#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance", graph.Checked);
            Assert.Contains("#microsoft.graph.deviceCompliancePolicyScript", graph.Checked);
        }

        [Fact]
        public void Every_exported_body_imports_as_it_is_with_no_publish_time_placeholders()
        {
            var m = Export("Standard");
            var policy = m.Files.Single(f => f.Path == "windows/compliance.json");
            Assert.False(Body(policy).Contains("deviceCompliancePolicyScript"), "the binding to the compliance script is publish-time data (manifest.json), not part of the file");
            foreach (var f in m.Files.Where(f => f.Graph != null))
                foreach (var o in Objects(Body(f)))
                    foreach (var p in o.Properties.Where(p => p.Key.EndsWith("ScriptId", StringComparison.Ordinal) || p.Key == "settingDefinitionId"))
                        Assert.False(p.Value is JsonString s && s.Value.Length == 0, $"{f.Path}: '{p.Key}' is empty");
            foreach (var f in m.Files.Where(f => f.Graph != null))
                foreach (var binding in f.Graph!.Bindings)
                    foreach (var path in new[] { binding.Property }.Concat(binding.Values.Select(v => v.Key)))
                        Assert.False(Body(f).Contains(path.Split('.')[0]), $"{f.Path} holds '{path}', which the publisher adds");
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
            var ios = Body(m.Files.Single(f => f.Path == "ios/compliance.json"));
            Assert.Equal("2", ((JsonNumber)ios["passcodeMinutesOfInactivityBeforeScreenTimeout"]!).Raw); // the screen locks after 2 idle minutes
            Assert.Equal("0", ((JsonNumber)ios["passcodeMinutesOfInactivityBeforeLock"]!).Raw); // and the passcode is needed at once
            Assert.Contains("<key>idleTime</key>\n\t\t\t<integer>120</integer>", Encoding.UTF8.GetString(m.Files.Single(f => f.Path == "macos/screen-lock-user.mobileconfig").Content));
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
            var value = Assert.Single(binding.Values);
            Assert.Equal("deviceCompliancePolicyScript.rulesContent", value.Key);
            var rules = m.Files.Single(f => f.Kind == ExportKinds.CustomComplianceRules);
            Assert.Equal(rules.Content, Convert.FromBase64String(((JsonString)value.Value).Value));
            // manifest.json carries the binding with its values; the publisher's body has both.
            var listed = ((JsonArray)((JsonObject)JsonParser.Parse(m.ToText()))["files"]!).Items.Cast<JsonObject>().Single(o => ((JsonString)o["path"]!).Value == policy.Path);
            var json = (JsonObject)((JsonArray)((JsonObject)listed["graph"]!)["bindings"]!).Items.Single();
            Assert.Equal(((JsonString)value.Value).Value, ((JsonString)((JsonObject)json["values"]!)["deviceCompliancePolicyScript.rulesContent"]!).Value);
            var bound = Body(policy);
            binding.Apply(bound, "tenant-script-id");
            var s = (JsonObject)bound["deviceCompliancePolicyScript"]!;
            Assert.Equal("tenant-script-id", ((JsonString)s["deviceComplianceScriptId"]!).Value);
            Assert.Equal(((JsonString)value.Value).Value, ((JsonString)s["rulesContent"]!).Value);
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
      ""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"", ""value"": ""InactivityTimeoutSecs"", ""kind"": ""REG_DWORD"" } },
      { ""target"": ""Windows"", ""name"": ""LegalNoticeCaption"", ""type"": ""string"", ""value"": ""Shared computer"", ""source"": ""https://e.org"",
      ""omaUri"": ""./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/InteractiveLogon_MessageTitleForUsersAttemptingToLogOn"",
      ""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"", ""value"": ""LegalNoticeCaption"", ""kind"": ""REG_SZ"" } },
      { ""target"": ""Windows"", ""name"": ""DontDisplayLastUserName"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"",
      ""omaUri"": ""./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/InteractiveLogon_DoNotDisplayLastSignedIn"",
      ""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"", ""value"": ""DontDisplayLastUserName"", ""kind"": ""REG_DWORD"" } } ] } ] }");
                var m = IntuneExporter.Build(BaselineLoader.Load(path), "Standard", new[] { "Windows" }, "t");
                var f = m.Files.Single(x => x.Kind == ExportKinds.CustomConfiguration);
                var body = Body(f);
                var graph = new GraphTypes();
                graph.CheckBody(f.Path, body, f.Graph!.OdataType!);
                Assert.Equal(new[] { "#microsoft.graph.omaSettingBoolean", "#microsoft.graph.omaSettingInteger", "#microsoft.graph.omaSettingString", "#microsoft.graph.windows10CustomConfiguration" },
                    graph.Checked.OrderBy(x => x, StringComparer.Ordinal));
                var oma = ((JsonArray)body["omaSettings"]!).Items.Cast<JsonObject>().ToList();
                Assert.Equal("#microsoft.graph.omaSettingInteger", ((JsonString)oma[0]["@odata.type"]!).Value);
                Assert.Equal("./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/InteractiveLogon_MachineInactivityLimit", ((JsonString)oma[0]["omaUri"]!).Value);
                Assert.Equal("240", ((JsonNumber)oma[0]["value"]!).Raw);
                Assert.Equal("Shared computer", ((JsonString)oma[1]["value"]!).Value);
                Assert.True(((JsonBoolean)oma[2]["value"]!).Value);
                Assert.DoesNotContain(m.Files, x => x.Kind == ExportKinds.SettingsCatalog);
            }
            finally { dir.Delete(true); }
        }

        private const string EdgeUpdateAdmx = "device_vendor_msft_policy_config_update~policy~cat_google~cat_googleupdate~";

        [Fact]
        public void Edge_update_policies_are_a_catalog_profile_and_only_google_update_stays_in_the_remediation()
        {
            var m = Export("Standard");
            var profile = m.Files.Single(f => f.Path == "windows/settings-catalog/windows-edge-update.json");
            Assert.Equal(new[] { "WA-UPDATE-01" }, profile.Controls);
            var instances = Objects(Body(profile)).Where(o => o["settingDefinitionId"] is JsonString).ToList();
            string Chosen(string id) => ((JsonString)((JsonObject)instances.Single(o => ((JsonString)o["settingDefinitionId"]!).Value == id)["choiceSettingValue"]!)["value"]!).Value;
            Assert.Equal(EdgeUpdateAdmx + "cat_applications_pol_defaultupdatepolicy_1", Chosen(EdgeUpdateAdmx + "cat_applications_pol_defaultupdatepolicy"));
            Assert.Equal(EdgeUpdateAdmx + "cat_applications_pol_defaultupdatepolicy_part_updatepolicy_1", Chosen(EdgeUpdateAdmx + "cat_applications_pol_defaultupdatepolicy_part_updatepolicy"));
            Assert.Equal(EdgeUpdateAdmx + "cat_applications~cat_microsoftedge_pol_updatepolicymicrosoftedge_part_updatepolicy_1",
                Chosen(EdgeUpdateAdmx + "cat_applications~cat_microsoftedge_pol_updatepolicymicrosoftedge_part_updatepolicy"));
            // The check period is audit-only (enforce: false): no rendering writes it, the catalog profile neither.
            Assert.DoesNotContain(instances, o => ((JsonString)o["settingDefinitionId"]!).Value.StartsWith(EdgeUpdateAdmx + "cat_preferences_pol_autoupdatecheckperiod", StringComparison.Ordinal));

            var detect = Encoding.ASCII.GetString(m.Files.Single(f => f.Path == "windows/remediation/detect.ps1").Content);
            Assert.Contains(@"Software\Policies\Google\Update", detect);
            Assert.DoesNotContain("EdgeUpdate", detect);
            // Custom compliance still checks the effective Edge Update policy.
            Assert.Contains(@"Software\Policies\Microsoft\EdgeUpdate", Encoding.ASCII.GetString(m.Files.Single(f => f.Path == "windows/custom-compliance/discovery.ps1").Content));
        }

        [Fact]
        public void The_forced_screen_saver_is_the_enabled_policy_with_the_file_name_as_a_simple_string()
        {
            var lockProfile = Body(Export("Standard").Files.Single(f => f.Path == "windows/settings-catalog/windows-lock.json"));
            const string id = "user_vendor_msft_policy_config_admx_controlpaneldisplay_cpl_personalization_setscreensaver";
            var parent = Objects(lockProfile).Single(o => (o["settingDefinitionId"] as JsonString)?.Value == id);
            var choice = (JsonObject)parent["choiceSettingValue"]!;
            Assert.Equal(id + "_1", ((JsonString)choice["value"]!).Value);
            var child = (JsonObject)((JsonArray)choice["children"]!).Items.Single();
            Assert.Equal("#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance", ((JsonString)child["@odata.type"]!).Value);
            Assert.Equal(id + "_screensaverfilename", ((JsonString)child["settingDefinitionId"]!).Value);
            var value = (JsonObject)child["simpleSettingValue"]!;
            Assert.Equal("#microsoft.graph.deviceManagementConfigurationStringSettingValue", ((JsonString)value["@odata.type"]!).Value);
            Assert.Equal("scrnsave.scr", ((JsonString)value["value"]!).Value);
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
