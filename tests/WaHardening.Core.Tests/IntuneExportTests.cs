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
            if (profile == "Standard") Assert.Contains(files, f => f.Path == "macos/settings-catalog/macos-lock.json");
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
            Assert.True(seen >= (profile == "Standard" ? 20 : 8), $"only {seen} setting instances checked");
        }

        [Fact]
        public void Every_intune_setting_of_a_shared_computer_is_exported_once_by_the_two_profiles_it_is_assigned()
        {
            // A shared computer gets the Standard export and the SharedComputer export: together, every catalog setting once.
            var exported = Export("Standard").Files.Concat(Export("SharedComputer").Files).Where(f => f.Kind == ExportKinds.SettingsCatalog)
                .SelectMany(f => Objects(Body(f))).Select(o => (o["settingDefinitionId"] as JsonString)?.Value).Where(x => x != null).ToList();
            var baseline = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);
            foreach (var s in baseline.ControlsFor("SharedComputer").SelectMany(c => c.Settings).Where(s => s.Intune != null))
            {
                var id = s.Intune!.SettingDefinitionId;
                // Audit-only settings keep their catalog id for reference and are never exported.
                Assert.True(exported.Count(x => x == id) == (s.Enforce ? 1 : 0), $"{s}: exported {exported.Count(x => x == id)} times");
            }
        }

        /// <summary>What the publisher sends for a file: its body with the manifest's bindings applied.</summary>
        private static JsonObject AsPublished(ExportedFile f)
        {
            var bound = Body(f);
            foreach (var b in f.Graph!.Bindings) b.Apply(bound, "00000000-0000-0000-0000-000000000001");
            return bound;
        }

        private static string GraphType(ExportedFile f) => f.Graph!.OdataType ?? "#microsoft.graph.deviceManagementConfigurationPolicy";

        [Fact]
        public void The_graph_model_checked_is_the_one_the_module_ships()
        {
            // The test project gets Microsoft.Graph through WaHardening.Graph, the assembly the module ships in graph/.
            var referenced = typeof(WaHardening.Graph.GraphEntry).Assembly.GetReferencedAssemblies().Single(a => a.Name == "Microsoft.Graph");
            Assert.Equal(referenced.Version, GraphModel.Sdk.GetName().Version);
            // When the module has been built, its graph/Microsoft.Graph.dll is that same version.
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "build.ps1"))) dir = dir.Parent;
            Assert.NotNull(dir);
            foreach (var shipped in Directory.Exists(Path.Combine(dir!.FullName, "out", "WaHardening"))
                ? Directory.GetFiles(Path.Combine(dir.FullName, "out", "WaHardening"), "Microsoft.Graph.dll", SearchOption.AllDirectories) : new string[0])
                Assert.Equal(referenced.Version, System.Reflection.AssemblyName.GetAssemblyName(shipped).Version);
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void Every_graph_body_has_only_what_graphs_model_declares_and_goes_to_beta_only_when_v1_lacks_something(string profile)
        {
            var checkedTypes = new HashSet<string>();
            foreach (var f in Export(profile).Files.Where(f => f.Graph != null))
            {
                // v1.0: the Microsoft.Graph v1.0 model alone. beta: the v1.0 model plus the beta table (types and properties
                // v1.0 lacks), and the body must need it — something in it that v1.0 does not have.
                var model = new GraphModel(f.Graph!.ApiVersion);
                var problems = model.Check(f.Path, Body(f), GraphType(f));
                Assert.True(problems.Count == 0, string.Join("\n", problems));
                var published = new GraphModel(f.Graph.ApiVersion);
                problems = published.Check(f.Path + " (as published)", AsPublished(f), GraphType(f));
                Assert.True(problems.Count == 0, string.Join("\n", problems));
                if (f.Graph.ApiVersion == "beta")
                    Assert.True(published.NeededBeta.Count > 0, $"{f.Path} goes to beta, but Microsoft.Graph v1.0 has everything it holds");
                checkedTypes.UnionWith(published.Checked);
            }
            if (profile != "Standard") return;
            Assert.Contains("#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance", checkedTypes);
            foreach (var t in new[] { "#microsoft.graph.iosCompliancePolicy", "#microsoft.graph.macOSCompliancePolicy", "#microsoft.graph.androidWorkProfileCompliancePolicy",
                "#microsoft.graph.androidDeviceOwnerCompliancePolicy", "#microsoft.graph.aospDeviceOwnerCompliancePolicy", "#microsoft.graph.deviceComplianceScheduledActionForRule",
                "#microsoft.graph.deviceComplianceActionItem", "#microsoft.graph.deviceCompliancePolicyScript", "#microsoft.graph.deviceHealthScript" })
                Assert.Contains(t, checkedTypes);
        }

        [Fact]
        public void The_model_check_refuses_what_graph_v1_would_refuse()
        {
            // The defect this check was written for: iOS's screen timeout is not a v1.0 property (Microsoft.Graph 6.10).
            var ios = new JsonObject().Set("@odata.type", "#microsoft.graph.iosCompliancePolicy").Set("displayName", "x")
                .Set("passcodeMinutesOfInactivityBeforeScreenTimeout", 5)
                .Set("scheduledActionsForRule", new JsonArray(new JsonValue[] { new JsonObject().Set("ruleName", "PasswordRequired")
                    .Set("scheduledActionConfigurations", new JsonArray(new JsonValue[] { new JsonObject().Set("actionType", "lockDevice").Set("gracePeriodHours", "0") })) }));
            var problems = new GraphModel("v1.0").Check("ios", ios, "#microsoft.graph.iosCompliancePolicy");
            Assert.Contains(problems, p => p.Contains("has no property 'passcodeMinutesOfInactivityBeforeScreenTimeout'"));
            // Nested objects are checked against their own model: an enum value that is no member's serialization name,
            // a string where the model reads an integer.
            Assert.Contains(problems, p => p.Contains("'lockDevice' is not a value of DeviceComplianceActionType"));
            Assert.Contains(problems, p => p.Contains("gracePeriodHours: must be a 32-bit integer"));
            // Through beta, the property is known (beta table, cited) and the rest is still checked by the v1.0 model.
            var beta = new GraphModel("beta").Check("ios", ios, "#microsoft.graph.iosCompliancePolicy");
            Assert.DoesNotContain(beta, p => p.Contains("passcodeMinutesOfInactivityBeforeScreenTimeout"));
            Assert.Contains(beta, p => p.Contains("lockDevice"));
            // A type v1.0 does not have: refused on v1.0.
            Assert.Null(GraphModel.Resolve("#microsoft.graph.androidDeviceOwnerCompliancePolicy", typeof(Microsoft.Graph.Models.Entity)));
            Assert.Null(GraphModel.Resolve("#microsoft.graph.aospDeviceOwnerCompliancePolicy", typeof(Microsoft.Graph.Models.Entity)));
            Assert.Contains(new GraphModel("v1.0").Check("a", new JsonObject().Set("@odata.type", "#microsoft.graph.aospDeviceOwnerCompliancePolicy"),
                "#microsoft.graph.aospDeviceOwnerCompliancePolicy"), p => p.Contains("has no type"));
        }

        /// <summary>Every Intune artifact kind: the files an Intune tenant delivers (everything but the Linux files).</summary>
        private static bool IsIntune(ExportedFile f) => f.Platform != "linux";

        [Fact]
        public void A_shared_computer_receives_both_profiles_without_a_setting_twice_and_the_linux_files_stay_whole()
        {
            var baseline = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);
            // Every control belongs to one profile: the premise of "each profile exports only what it adds".
            Assert.All(baseline.Controls, c => Assert.Single(c.Profiles));
            var standard = Export("Standard");
            var shared = Export("SharedComputer");
            var own = new HashSet<string>(baseline.Controls.Where(c => c.Profiles.Contains("SharedComputer")).Select(c => c.Id));
            Assert.Equal(new[] { "Standard" }, shared.Includes);
            Assert.Empty(standard.Includes);
            Assert.Contains("\"includes\": [\n    \"Standard\"\n  ]", shared.ToText());

            // Intune artifacts (settings catalog, compliance, OMA-URI, device scripts, macOS profiles): SharedComputer's carry
            // only its own controls, so no control is in both exports.
            var sharedIntune = shared.Files.Where(IsIntune).ToList();
            Assert.NotEmpty(sharedIntune);
            foreach (var f in sharedIntune) Assert.True(f.Controls.All(own.Contains), $"{f.Path} carries {string.Join(", ", f.Controls.Where(c => !own.Contains(c)))} of Standard");
            var both = standard.Files.Where(IsIntune).SelectMany(f => f.Controls).Intersect(sharedIntune.SelectMany(f => f.Controls)).ToList();
            Assert.Empty(both);
            foreach (var kind in new[] { ExportKinds.SettingsCatalog, ExportKinds.RemediationScript, ExportKinds.CustomComplianceRules, ExportKinds.MobileConfig })
                Assert.Contains(sharedIntune, f => f.Kind == kind);

            // And at the level of what a device receives: no catalog setting, no custom-compliance rule, no remediated
            // registry value and no compliance property of one policy type is in both profiles.
            IEnumerable<string> CatalogIds(ExportManifest m) => m.Files.Where(f => f.Kind == ExportKinds.SettingsCatalog)
                .SelectMany(f => Objects(Body(f))).Select(o => (o["settingDefinitionId"] as JsonString)?.Value).OfType<string>();
            Assert.Empty(CatalogIds(standard).Intersect(CatalogIds(shared)));
            IEnumerable<string> Rules(ExportManifest m) => m.Files.Where(f => f.Kind == ExportKinds.CustomComplianceRules)
                .SelectMany(f => ((JsonArray)((JsonObject)JsonParser.Parse(Encoding.UTF8.GetString(f.Content)))["Rules"]!).Items.Cast<JsonObject>())
                .Select(r => ((JsonString)r["SettingName"]!).Value);
            Assert.Empty(Rules(standard).Intersect(Rules(shared)));
            IEnumerable<string> Compliance(ExportManifest m) => m.Files.Where(f => f.Kind == ExportKinds.CompliancePolicy)
                .SelectMany(f => Body(f).Properties.Where(p => p.Key != "displayName" && p.Key != "description" && p.Key != "@odata.type" && p.Key != "scheduledActionsForRule")
                    .Select(p => f.Graph!.OdataType + "." + p.Key));
            Assert.Empty(Compliance(standard).Intersect(Compliance(shared)));
            var sharedDetect = Encoding.ASCII.GetString(shared.Files.Single(f => f.Path == "windows/remediation/detect.ps1").Content);
            Assert.DoesNotContain("DisableAppUpdate", sharedDetect); // Standard's Firefox update policy
            Assert.Contains("SanitizeOnShutdown", sharedDetect);

            // Linux files are whole files at one path per device: each holds the complete profile (Standard's controls too).
            foreach (var f in shared.Files.Where(f => f.Platform == "linux"))
            {
                var sameFile = standard.Files.SingleOrDefault(g => g.Path == f.Path);
                if (sameFile != null) Assert.Superset(new HashSet<string>(sameFile.Controls), new HashSet<string>(f.Controls));
            }
            var chromium = Encoding.UTF8.GetString(shared.Files.Single(f => f.Path == "linux/chromium/wa-hardening.json").Content);
            Assert.Contains("CookiesSessionOnlyForUrls", chromium); // Standard
            Assert.Contains("ForceEphemeralProfiles", chromium);    // SharedComputer
            Assert.Contains(shared.Files, f => f.Path == "linux/dconf/local.d/90-wa-hardening"); // GNOME lock (Standard only)
        }

        [Fact]
        public void Corporate_owned_and_aosp_android_devices_get_their_own_compliance_policies_through_beta()
        {
            var m = Export("Standard", new[] { "Android" }, new Dictionary<string, object?> { ["IdleTimeoutSeconds"] = 900L });
            var work = m.Files.Single(f => f.Path == "android/compliance.json");
            var owner = m.Files.Single(f => f.Path == "android/device-owner-compliance.json");
            var aosp = m.Files.Single(f => f.Path == "android/aosp-compliance.json");
            Assert.Equal(("v1.0", "#microsoft.graph.androidWorkProfileCompliancePolicy", "wah-standard-android-compliance"), (work.Graph!.ApiVersion, work.Graph.OdataType, work.Marker));
            Assert.Equal(("beta", "#microsoft.graph.androidDeviceOwnerCompliancePolicy"), (owner.Graph!.ApiVersion, owner.Graph.OdataType));
            Assert.Equal(("beta", "#microsoft.graph.aospDeviceOwnerCompliancePolicy"), (aosp.Graph!.ApiVersion, aosp.Graph.OdataType));
            foreach (var f in new[] { work, owner, aosp })
            {
                var body = Body(f);
                Assert.Equal(f.Graph!.OdataType, ((JsonString)body["@odata.type"]!).Value);
                Assert.True(((JsonBoolean)body["passwordRequired"]!).Value);
                Assert.Equal("15", ((JsonNumber)body["passwordMinutesOfInactivityBeforeLock"]!).Raw);
                Assert.Equal("deviceManagement/deviceCompliancePolicies", f.Graph.Collection);
            }
            Assert.Equal("13.0", ((JsonString)Body(owner)["osMinimumVersion"]!).Value);
            Assert.False(Body(aosp).Contains("osMinimumVersion"));
            Assert.Equal(3, m.Files.Select(f => f.Marker).Distinct().Count());
        }

        [Fact]
        public void Settings_catalog_files_have_the_admin_center_export_shape()
        {
            foreach (var f in Export("Standard").Files.Where(f => f.Kind == ExportKinds.SettingsCatalog))
            {
                var body = Body(f);
                var settings = ((JsonArray)body["settings"]!).Items.Cast<JsonObject>().ToList();
                Assert.Equal(Enumerable.Range(0, settings.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    settings.Select(x => ((JsonString)x["id"]!).Value));
                var template = (JsonObject)body["templateReference"]!;
                Assert.Equal("", ((JsonString)template["templateId"]!).Value);
                Assert.Equal("none", ((JsonString)template["templateFamily"]!).Value);
                Assert.True(template["templateDisplayName"] is JsonNull && template["templateDisplayVersion"] is JsonNull);
            }
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
            Assert.Equal(new[] { "android/aosp-compliance.json", "android/compliance.json", "android/device-owner-compliance.json", "ios/compliance.json" }, m.Files.Select(f => f.Path));
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
                Assert.Equal("v1.0", f.Graph!.ApiVersion);
                var graph = new GraphModel("v1.0");
                var problems = graph.Check(f.Path, body, f.Graph.OdataType!);
                Assert.True(problems.Count == 0, string.Join("\n", problems));
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
            foreach (var profile in new[] { "Standard", "SharedComputer" })
                foreach (var f in Export(profile).Files.Where(f => f.Path.EndsWith(".ps1", StringComparison.Ordinal)))
                    Assert.All(f.Content, b => Assert.True(b < 128, $"{f.Path} is not ASCII"));
            var m = Export("Standard");
            var rules = (JsonArray)((JsonObject)JsonParser.Parse(Encoding.UTF8.GetString(m.Files.Single(f => f.Kind == ExportKinds.CustomComplianceRules).Content)))["Rules"]!;
            var names = rules.Items.Cast<JsonObject>().Select(r => ((JsonString)r["SettingName"]!).Value).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            Assert.Contains("WA_LOCK_01_Windows_InactivityTimeoutSecs", names);
            Assert.DoesNotContain(names, n => n.StartsWith("WA_SHARED", StringComparison.Ordinal));
            Assert.Contains("WA_SHARED_01_Firefox_SanitizeOnShutdown_Cookies", ((JsonArray)((JsonObject)JsonParser.Parse(Encoding.UTF8.GetString(
                Export("SharedComputer").Files.Single(f => f.Kind == ExportKinds.CustomComplianceRules).Content)))["Rules"]!).Items
                .Cast<JsonObject>().Select(r => ((JsonString)r["SettingName"]!).Value));
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
