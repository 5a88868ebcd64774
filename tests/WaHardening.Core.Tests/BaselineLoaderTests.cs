using System;
using System.IO;
using System.Linq;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using Xunit;

namespace WaHardening.Core.Tests
{
    public class BaselineLoaderTests
    {
        internal static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "policies", "baseline.json");

        /// <summary>A valid minimal baseline, as a JSON object to break in each test.</summary>
        private static JsonObject Minimal() => (JsonObject)JsonParser.Parse(@"{
  ""schemaVersion"": 1,
  ""name"": ""t"",
  ""version"": ""1"",
  ""profiles"": { ""Standard"": { ""description"": ""s"" }, ""Shared"": { ""description"": ""x"", ""includes"": [""Standard""] } },
  ""parameters"": {
    ""Idle"": { ""type"": ""integer"", ""default"": 300, ""minimum"": 60, ""maximum"": 900, ""description"": ""d"" },
    ""Sites"": { ""type"": ""stringList"", ""default"": [""a.example""], ""minItems"": 1, ""pattern"": ""^[a-z.]+$"", ""description"": ""d"" }
  },
  ""controls"": [
    { ""id"": ""T-LOCK-01"", ""title"": ""t"", ""category"": ""ScreenLock"", ""severity"": ""High"", ""profiles"": [""Standard""], ""rationale"": ""r"",
      ""settings"": [
        { ""target"": ""GNOME"", ""name"": ""org/gnome/desktop/session/idle-delay"", ""type"": ""integer"", ""value"": { ""param"": ""Idle"" },
          ""compare"": ""atMost"", ""minimum"": 1, ""dconf"": { ""type"": ""uint32"" }, ""source"": ""https://example.org/a"" },
        { ""target"": ""iOS"", ""name"": ""passcodeMinutesOfInactivityBeforeLock"", ""type"": ""integer"",
          ""value"": { ""param"": ""Idle"", ""divide"": 60, ""floorTo"": [1, 2, 3, 4, 5, 10, 15] }, ""compare"": ""atMost"",
          ""compliance"": { ""odataType"": ""#microsoft.graph.iosCompliancePolicy"" }, ""source"": ""https://example.org/b"" } ] },
    { ""id"": ""T-SITE-01"", ""title"": ""t"", ""category"": ""Session"", ""severity"": ""Low"", ""profiles"": [""Shared""], ""rationale"": ""r"",
      ""settings"": [ { ""target"": ""Chrome"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": { ""param"": ""Sites"" },
                      ""compare"": ""superset"", ""source"": ""https://example.org/c"" } ] },
    { ""id"": ""T-ADV-01"", ""title"": ""t"", ""category"": ""Guidance"", ""severity"": ""Low"", ""profiles"": [""Standard""], ""rationale"": ""r"",
      ""advisory"": true, ""guidance"": ""do it"" }
  ]
}");

        private static JsonObject Control(JsonObject b, int i) => (JsonObject)((JsonArray)b["controls"]!)[i];
        private static JsonObject Setting(JsonObject b, int c, int s) => (JsonObject)((JsonArray)Control(b, c)["settings"]!)[s];

        private static BaselineValidationException Invalid(JsonObject b) =>
            Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse(JsonWriter.Write(b), "t.json"));

        [Fact]
        public void Minimal_baseline_loads_and_binds_defaults()
        {
            var b = BaselineLoader.Parse(JsonWriter.Write(Minimal()), "t.json");
            Assert.Equal(3, b.Controls.Count);
            var lockControl = b.Controls[0];
            Assert.Equal(new[] { "GNOME", "iOS" }, lockControl.Targets);
            Assert.Equal(new[] { "Linux", "iOS" }, lockControl.Platforms);
            Assert.Equal(300L, lockControl.Parameters["Idle"]);
            Assert.Equal("300", ((JsonNumber)lockControl.Settings[0].Expected).Raw);
            Assert.Equal("5", ((JsonNumber)lockControl.Settings[1].Expected).Raw);
            Assert.Equal(new[] { "Guidance" }, b.Controls[2].Targets);
            Assert.Equal(Platforms.All, b.Controls[2].Platforms);
        }

        [Fact]
        public void Profiles_include_other_profiles()
        {
            var b = BaselineLoader.Parse(JsonWriter.Write(Minimal()), "t.json");
            Assert.Equal(new[] { "T-LOCK-01", "T-ADV-01" }, b.ControlsFor("Standard").Select(c => c.Id));
            Assert.Equal(new[] { "T-LOCK-01", "T-SITE-01", "T-ADV-01" }, b.ControlsFor("shared").Select(c => c.Id));
            var e = Assert.Throws<WaHardeningException>(() => b.ControlsFor("Kiosk").ToList());
            Assert.Equal("ProfileNotFound", e.ErrorId);
        }

        [Fact]
        public void Parameters_are_scaled_and_floored_to_allowed_choices()
        {
            var b = BaselineLoader.Parse(JsonWriter.Write(Minimal()), "t.json")
                .WithParameters(new System.Collections.Generic.Dictionary<string, object?> { ["idle"] = 420 });
            Assert.Equal("5", ((JsonNumber)b.Controls[0].Settings[1].Expected).Raw); // 7 min -> 5
            Assert.Equal("420", ((JsonNumber)b.Controls[0].Settings[0].Expected).Raw);
        }

        [Theory]
        [InlineData("Idle", 59L, "below the minimum 60")]
        [InlineData("Idle", 901L, "above the maximum 900")]
        [InlineData("Idle", "soon", "must be a whole number")]
        [InlineData("Sites", "BAD SITE", "does not match the pattern")]
        [InlineData("Nope", 1L, "has no parameter 'Nope'")]
        public void Bad_parameter_values_are_rejected_clearly(string name, object value, string message)
        {
            var b = BaselineLoader.Parse(JsonWriter.Write(Minimal()), "t.json");
            var e = Assert.Throws<BaselineParameterException>(() =>
                b.WithParameters(new System.Collections.Generic.Dictionary<string, object?> { [name] = value }));
            Assert.Contains(message, e.Message);
            Assert.Equal("ParameterInvalid", e.ErrorId);
        }

        [Fact]
        public void Empty_list_parameter_is_rejected()
        {
            var b = BaselineLoader.Parse(JsonWriter.Write(Minimal()), "t.json");
            var e = Assert.Throws<BaselineParameterException>(() =>
                b.WithParameters(new System.Collections.Generic.Dictionary<string, object?> { ["Sites"] = new object[0] }));
            Assert.Contains("at least 1 item", e.Message);
        }

        public static TheoryData<string, Action<JsonObject>, string, string?> Breakages => new TheoryData<string, Action<JsonObject>, string, string?>
        {
            { "schemaVersion", b => b.Set("schemaVersion", 2), "not supported", null },
            { "schemaVersion", b => b.Remove("schemaVersion"), "is required", null },
            { "name", b => b.Set("name", ""), "must not be empty", null },
            { "surprise", b => b.Set("surprise", 1), "unknown field 'surprise'", null },
            { "profiles.Shared.includes", b => ((JsonObject)((JsonObject)b["profiles"]!)["Shared"]!).Set("includes", new[] { "Ghost" }), "unknown profile 'Ghost'", null },
            { "parameters.Idle.default", b => ((JsonObject)((JsonObject)b["parameters"]!)["Idle"]!).Set("default", 10), "below the minimum", null },
            { "parameters.Idle.type", b => ((JsonObject)((JsonObject)b["parameters"]!)["Idle"]!).Set("type", "float"), "'float' is not one of", null },
            { "parameters.Sites.pattern", b => ((JsonObject)((JsonObject)b["parameters"]!)["Sites"]!).Set("pattern", "(["), "not a valid regular expression", null },
            { "controls[0].id", b => Control(b, 0).Set("id", "lock1"), "must be upper-case words", "lock1" },
            { "controls[1].id", b => Control(b, 1).Set("id", "T-LOCK-01"), "duplicate id", "T-LOCK-01" },
            { "controls[0].severity", b => Control(b, 0).Set("severity", "Extreme"), "'Extreme' is not one of", "T-LOCK-01" },
            { "controls[0].profiles", b => Control(b, 0).Set("profiles", new[] { "Kiosk" }), "unknown profile 'Kiosk'", "T-LOCK-01" },
            { "controls[0].profiles", b => Control(b, 0).Set("profiles", new JsonArray()), "at least one profile", "T-LOCK-01" },
            { "controls[0].title", b => Control(b, 0).Remove("title"), "is required", "T-LOCK-01" },
            { "controls[0].settings", b => Control(b, 0).Remove("settings"), "is required (or mark the control", "T-LOCK-01" },
            { "controls[0].settings", b => Control(b, 0).Set("settings", new JsonArray()), "at least one setting", "T-LOCK-01" },
            { "controls[2].guidance", b => Control(b, 2).Remove("guidance"), "required for an advisory control", "T-ADV-01" },
            { "controls[2].settings", b => Control(b, 2).Set("settings", Control(b, 1)["settings"]!), "guidance only", "T-ADV-01" },
            { "controls[0].settings[0].target", b => Setting(b, 0, 0).Set("target", "Netscape"), "unknown target 'Netscape'", "T-LOCK-01" },
            { "controls[0].settings[0].dconf", b => Setting(b, 0, 0).Remove("dconf"), "is required for target GNOME", "T-LOCK-01" },
            { "controls[0].settings[0].dconf.type", b => ((JsonObject)Setting(b, 0, 0)["dconf"]!).Set("type", "double"), "not a GVariant type", "T-LOCK-01" },
            { "controls[0].settings[0].compare", b => Setting(b, 0, 0).Set("compare", "superset"), "stringList settings only", "T-LOCK-01" },
            { "controls[0].settings[0].compare", b => Setting(b, 0, 0).Set("compare", "roughly"), "'roughly' is not one of", "T-LOCK-01" },
            { "controls[0].settings[0].source", b => Setting(b, 0, 0).Set("source", "a blog"), "URL of the primary source", "T-LOCK-01" },
            { "controls[0].settings[0].value.param", b => Setting(b, 0, 0).Set("value", JsonParser.Parse("{\"param\":\"Ghost\"}")), "unknown parameter 'Ghost'", "T-LOCK-01" },
            { "controls[0].settings[0].value.param", b => Setting(b, 0, 0).Set("value", JsonParser.Parse("{\"param\":\"Sites\"}")), "cannot feed a integer setting", "T-LOCK-01" },
            { "controls[0].settings[0].value", b => Setting(b, 0, 0).Set("value", "300"), "must be a whole number", "T-LOCK-01" },
            { "controls[0].settings[0].value.divide", b => Setting(b, 0, 0).Set("value", JsonParser.Parse("{\"param\":\"Idle\",\"divide\":0}")), "positive whole number", "T-LOCK-01" },
            { "controls[0].settings[1].compliance", b => Setting(b, 0, 1).Remove("compliance"), "is required for target iOS", "T-LOCK-01" },
            { "controls[0].settings[1].compliance.odataType", b => ((JsonObject)Setting(b, 0, 1)["compliance"]!).Set("odataType", "ios"), "must be a Graph type", "T-LOCK-01" },
            { "controls[0].settings[0].registry.hive", b => Setting(b, 0, 0).Set("registry", JsonParser.Parse("{\"hive\":\"HKU\",\"key\":\"a\",\"value\":\"v\",\"kind\":\"REG_DWORD\"}")), "must be HKLM or HKCU", "T-LOCK-01" },
            { "controls[0].settings[0].registry.key", b => Setting(b, 0, 0).Set("registry", JsonParser.Parse("{\"hive\":\"HKLM\",\"key\":\"HKLM\\\\SOFTWARE\",\"value\":\"v\",\"kind\":\"REG_DWORD\"}")), "without the hive prefix", "T-LOCK-01" },
            { "controls[0].settings[0].registry.kind", b => Setting(b, 0, 0).Set("registry", JsonParser.Parse("{\"hive\":\"HKLM\",\"key\":\"a\",\"value\":\"v\",\"kind\":\"DWORD\"}")), "is not one of REG_SZ", "T-LOCK-01" },
            { "controls[0].settings[0].omaUri", b => Setting(b, 0, 0).Set("omaUri", "Device/Vendor"), "must start with './'", "T-LOCK-01" },
            { "controls[0].settings[0].accept", b => Setting(b, 0, 0).Set("compare", "oneOf"), "is required with \"compare\": \"oneOf\"", "T-LOCK-01" },
            { "controls[0].settings", b => ((JsonArray)Control(b, 0)["settings"]!).Add(Setting(b, 0, 0)), "appears more than once", "T-LOCK-01" },
            { "controls[1].settings[0].type", b => Setting(b, 1, 0).Set("type", 3), "must be a string, not a number", "T-SITE-01" },
            { "controls[0].settings[0].default", b => Setting(b, 0, 0).Set("default", "soon"), "must be a whole number", "T-LOCK-01" },
            { "controls[0].settings[0].intune.settingDefinitionId", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"child\":\"x\"}")), "is required", "T-LOCK-01" },
            { "controls[0].settings[0].intune.choice", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"settingDefinitionId\":\"x\",\"choice\":\"y\"}")), "unknown field 'choice'", "T-LOCK-01" },
            { "controls[0].settings[0].intune.childKind", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"settingDefinitionId\":\"x\",\"child\":\"y\",\"childKind\":\"text\"}")), "'text' is not simple or choice", "T-LOCK-01" },
            { "controls[0].settings[0].intune.childKind", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"settingDefinitionId\":\"x\",\"childKind\":\"simple\"}")), "needs a 'child' definition", "T-LOCK-01" },
        };

        [Theory]
        [MemberData(nameof(Breakages))]
        public void Every_validation_error_names_file_control_and_field(string field, Action<JsonObject> breakIt, string message, string? control)
        {
            var b = Minimal();
            breakIt(b);
            var e = Invalid(b);
            var p = Assert.Single(e.Problems, x => x.Field == field);
            Assert.Contains(message, p.Message);
            Assert.Equal(control, p.ControlId);
            Assert.Equal("t.json", p.File);
            Assert.True(p.Line > 0);
            Assert.Contains($"t.json:{p.Line}:{p.Column}: ", e.Message);
            Assert.Equal("BaselineInvalid", e.ErrorId);
        }

        [Fact]
        public void All_problems_are_reported_together()
        {
            var b = Minimal();
            Control(b, 0).Set("severity", "Extreme");
            Setting(b, 1, 0).Set("source", "nope");
            Control(b, 2).Remove("guidance");
            var e = Invalid(b);
            Assert.Equal(3, e.Problems.Count);
            Assert.Contains("3 problems", e.Message);
        }

        [Fact]
        public void Syntax_error_is_a_single_located_problem()
        {
            var e = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse("{\n \"a\": [1,,2]\n}", "s.json"));
            var p = Assert.Single(e.Problems);
            Assert.Equal((2, 10), (p.Line, p.Column));
            Assert.Equal("(syntax)", p.Field);
        }

        [Fact]
        public void Root_must_be_an_object()
        {
            var e = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse("[]", "s.json"));
            Assert.Contains("must be a JSON object", Assert.Single(e.Problems).Message);
        }

        [Fact]
        public void Missing_and_non_utf8_files_give_typed_errors()
        {
            var dir = Directory.CreateTempSubdirectory("wah-").FullName;
            try
            {
                var missing = Assert.Throws<WaHardeningException>(() => BaselineLoader.Load(Path.Combine(dir, "none.json")));
                Assert.Equal("BaselineNotFound", missing.ErrorId);
                Assert.Equal(WaErrorCategory.ObjectNotFound, missing.Category);
                var bin = Path.Combine(dir, "bin.json");
                File.WriteAllBytes(bin, new byte[] { 0x7B, 0xFF, 0xFE, 0x7D });
                var e = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Load(bin));
                Assert.Contains("not valid UTF-8", e.Message);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Load_reuses_the_parse_while_the_file_is_unchanged_and_rereads_when_it_changes()
        {
            var dir = Directory.CreateTempSubdirectory("wah-").FullName;
            try
            {
                var f = Path.Combine(dir, "b.json");
                File.WriteAllText(f, JsonWriter.Write(Minimal()));
                var first = BaselineLoader.Load(f);
                Assert.Same(first, BaselineLoader.Load(f));
                var changed = Minimal();
                changed.Set("name", "changed and longer");
                File.WriteAllText(f, JsonWriter.Write(changed));
                Assert.Equal("changed and longer", BaselineLoader.Load(f).Name);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Preload_fills_the_cache_that_Load_then_returns_and_leaves_errors_to_Load()
        {
            var dir = Directory.CreateTempSubdirectory("wah-").FullName;
            try
            {
                var f = Path.Combine(dir, "b.json");
                File.WriteAllText(f, JsonWriter.Write(Minimal()));
                BaselineLoader.Preload(f);
                BaselineLoader.Preload(f); // a second preload of the same file while one runs is a no-op
                var first = BaselineLoader.Load(f); // waits for the preload, if still running
                Assert.Same(first, BaselineLoader.Load(f));

                var bad = Path.Combine(dir, "bad.json");
                File.WriteAllText(bad, "{ \"schemaVersion\": 1, ");
                BaselineLoader.Preload(bad); // swallowed here ...
                var e = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Load(bad)); // ... reported here
                Assert.Contains("bad.json", e.Message);
                BaselineLoader.Preload(Path.Combine(dir, "missing.json"));
                Assert.Equal("BaselineNotFound", Assert.Throws<WaHardeningException>(() => BaselineLoader.Load(Path.Combine(dir, "missing.json"))).ErrorId);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Default_baseline_is_valid()
        {
            var b = BaselineLoader.Load(DefaultPath);
            Assert.NotEmpty(b.Controls);
            Assert.NotNull(b.FindProfile("Standard"));
            Assert.NotNull(b.FindProfile("SharedComputer"));
        }
    }
}
