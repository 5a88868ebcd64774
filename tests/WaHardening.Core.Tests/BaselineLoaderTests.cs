using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
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
            { "controls[0].settings", b => ((JsonArray)Control(b, 0)["settings"]!).Add(JsonObject.Clone(Setting(b, 0, 1))), "appears more than once", "T-LOCK-01" },
            { "controls[1].settings[0].type", b => Setting(b, 1, 0).Set("type", 3), "must be a string, not a number", "T-SITE-01" },
            { "controls[0].settings[0].default", b => Setting(b, 0, 0).Set("default", "soon"), "must be a whole number", "T-LOCK-01" },
            { "controls[0].settings[0].intune.settingDefinitionId", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"child\":\"x\"}")), "is required", "T-LOCK-01" },
            { "controls[0].settings[0].intune.choice", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"settingDefinitionId\":\"x\",\"choice\":\"y\"}")), "unknown field 'choice'", "T-LOCK-01" },
            { "controls[0].settings[0].intune.childKind", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"settingDefinitionId\":\"x\",\"child\":\"y\",\"childKind\":\"text\"}")), "'text' is not simple or choice", "T-LOCK-01" },
            { "controls[0].settings[0].intune.childKind", b => Setting(b, 0, 0).Set("intune", JsonParser.Parse("{\"settingDefinitionId\":\"x\",\"childKind\":\"simple\"}")), "needs a 'child' definition", "T-LOCK-01" },
            { "profiles", b => b.Set("profiles", new JsonObject()), "at least one profile is required", null },
            { "profiles.2nd", b => Obj(b, "profiles").Set("2nd", JsonParser.Parse("{\"description\":\"d\"}")), "profile name '2nd' must be letters and digits", null },
            { "profiles.Kiosk", b => Obj(b, "profiles").Set("Kiosk", "kiosk"), "must be an object", null },
            { "parameters", b => b.Set("parameters", new JsonArray()), "must be an object, not an array", null },
            { "parameters.idle-seconds", b => Obj(b, "parameters").Set("idle-seconds", Obj(b, "parameters")["Idle"]!), "parameter name 'idle-seconds' must be letters and digits", null },
            { "parameters.Extra", b => Obj(b, "parameters").Set("Extra", 3), "must be an object", null },
            { "parameters.Idle", b => Param(b, "Idle").Set("minimum", 600).Set("maximum", 120), "minimum 600 is greater than maximum 120", null },
            { "parameters.Idle.minimum", b => Param(b, "Idle").Set("minimum", 1.5), "must be a whole number, not 1.5", null },
            { "parameters.Idle.default", b => Param(b, "Idle").Remove("default"), "is required", null },
            { "controls[3]", b => ((JsonArray)b["controls"]!).Add(new JsonString("T-EXTRA-01")), "must be an object", null },
            { "controls[0].category", b => Control(b, 0).Set("category", "Screen Lock"), "'Screen Lock' must be one word of letters and digits", "T-LOCK-01" },
            { "controls[0].advisory", b => Control(b, 0).Set("advisory", "yes"), "must be true or false, not a string", "T-LOCK-01" },
            { "controls[0].references[1]", b => Control(b, 0).Set("references", JsonParser.Parse("[\"https://example.org\", 7]")), "must be a string, not a number", "T-LOCK-01" },
            { "controls[0].settings[2]", b => ((JsonArray)Control(b, 0)["settings"]!).Add(new JsonString("Idle")), "must be an object", "T-LOCK-01" },
            { "controls[1].settings[0].compare", b => Setting(b, 1, 0).Set("compare", "atMost"), "'atMost' applies to integer settings only", "T-SITE-01" },
            { "controls[0].settings[0].accept", b => Setting(b, 0, 0).Set("accept", JsonParser.Parse("[300]")), "is only used with \"compare\": \"oneOf\"", "T-LOCK-01" },
            { "controls[0].settings[0].accept[1]", b => Setting(b, 0, 0).Set("compare", "oneOf").Set("accept", JsonParser.Parse("[300, \"five minutes\"]")), "must be a whole number, not \"five minutes\"", "T-LOCK-01" },
            { "controls[0].settings[0].value", b => Setting(b, 0, 0).Set("compare", "oneOf").Set("accept", JsonParser.Parse("[60, 120]")).Set("value", 300), "must itself be in \"accept\"", "T-LOCK-01" },
            { "controls[0].settings[0].value", b => Setting(b, 0, 0).Remove("value"), "is required", "T-LOCK-01" },
            { "controls[0].settings[0].value.multiply", b => Setting(b, 0, 0).Set("value", JsonParser.Parse("{\"param\":\"Idle\",\"multiply\":-2}")), "positive whole number", "T-LOCK-01" },
            { "controls[0].settings[1].value.floorTo[2]", b => Setting(b, 0, 1).Set("value", JsonParser.Parse("{\"param\":\"Idle\",\"divide\":60,\"floorTo\":[1, 5, 7.5]}")), "must be a whole number, not 7.5", "T-LOCK-01" },
            { "controls[1].settings[0].value", b => Setting(b, 1, 0).Set("value", JsonParser.Parse("{\"param\":\"Sites\",\"divide\":2}")), "apply to integer parameters only", "T-SITE-01" },
            { "controls[0].settings[1].value", b => Setting(b, 0, 1).Set("value", JsonParser.Parse("{\"param\":\"Idle\",\"divide\":60,\"floorTo\":[10, 15]}")), "the default cannot be rendered: Parameter 'Idle' = 300 gives 5", "T-LOCK-01" },
        };

        [Fact]
        public void A_compliance_setting_may_appear_once_per_graph_type()
        {
            // Android has three compliance policies (work profile, corporate-owned, AOSP), each with passwordRequired.
            var b = Minimal();
            var copy = (JsonObject)JsonObject.Clone(Setting(b, 0, 1));
            ((JsonObject)copy["compliance"]!).Set("odataType", "#microsoft.graph.iosCompliancePolicyOther");
            ((JsonArray)Control(b, 0)["settings"]!).Add(copy);
            var loaded = BaselineLoader.Parse(JsonWriter.Write(b), "t.json");
            Assert.Equal(2, loaded.Controls[0].Settings.Count(s => s.Target == ((JsonString)Setting(b, 0, 1)["target"]!).Value));
        }

        private static JsonObject Obj(JsonObject b, string name) => (JsonObject)b[name]!;
        private static JsonObject Param(JsonObject b, string name) => (JsonObject)Obj(b, "parameters")[name]!;

        /// <summary>
        /// The node a problem at <paramref name="field"/> must point at in the parsed text: the field itself, or, when
        /// it is missing, the object that lacks it (the deepest part of the path that exists).
        /// </summary>
        private static JsonValue NodeAt(JsonValue root, string field)
        {
            var node = root;
            foreach (Match m in Regex.Matches(field, @"([^.\[\]]+)|\[(\d+)\]"))
            {
                JsonValue? next = m.Groups[2].Success
                    ? node is JsonArray a && int.Parse(m.Groups[2].Value) < a.Count ? a[int.Parse(m.Groups[2].Value)] : null
                    : (node as JsonObject)?[m.Groups[1].Value];
                if (next == null) break;
                node = next;
            }
            return node;
        }

        [Theory]
        [MemberData(nameof(Breakages))]
        public void Every_validation_error_names_file_control_and_field(string field, Action<JsonObject> breakIt, string message, string? control)
        {
            var b = Minimal();
            breakIt(b);
            var text = JsonWriter.Write(b);
            var e = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse(text, "t.json"));
            var p = Assert.Single(e.Problems, x => x.Field == field);
            Assert.Contains(message, p.Message);
            Assert.Equal(control, p.ControlId);
            Assert.Equal("t.json", p.File);
            var at = NodeAt(JsonParser.Parse(text, "t.json"), field);
            Assert.Equal((at.Line, at.Column), (p.Line, p.Column));
            Assert.Contains(p.ToString(), e.Message);
            Assert.StartsWith($"t.json:{p.Line}:{p.Column}: " + (control != null ? $"control '{control}', " : "") + field + ": ", p.ToString());
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
        public void A_file_with_problems_in_every_section_lists_all_of_them_in_one_error()
        {
            var b = Minimal();
            b.Set("schemaVersion", 9);                                          // root
            Obj(b, "profiles").Set("Kiosk", "kiosk");                           // profiles
            Param(b, "Idle").Set("minimum", 600).Set("maximum", 120);           // parameters (and the default, now out of range)
            Control(b, 0).Set("category", "Screen Lock");                       // control
            Setting(b, 0, 1).Set("compliance", JsonParser.Parse("{\"odataType\":\"ios\"}"));          // setting section
            Setting(b, 1, 0).Set("value", JsonParser.Parse("{\"param\":\"Sites\",\"multiply\":0}")); // value of another control
            var e = Invalid(b);
            var expected = new[]
            {
                ("schemaVersion", "not supported"),
                ("profiles.Kiosk", "must be an object"),
                ("parameters.Idle", "greater than maximum"),
                ("parameters.Idle.default", "300 is below the minimum 600"),
                ("controls[0].category", "one word"),
                ("controls[0].settings[1].compliance.odataType", "must be a Graph type"),
                ("controls[1].settings[0].value.multiply", "positive whole number"),
                ("controls[1].settings[0].value", "integer parameters only"),
            };
            Assert.Equal(expected.Length, e.Problems.Count);
            foreach (var (field, message) in expected)
                Assert.Contains(e.Problems, p => p.Field == field && p.Message.Contains(message));
            Assert.Contains($"({expected.Length} problems):", e.Message);
            foreach (var p in e.Problems) Assert.Contains("\n  - " + p, e.Message);
            Assert.Equal(e.Problems.Count, e.Message.Split('\n').Length - 1); // one line per problem, nothing else
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
        public async System.Threading.Tasks.Task Preload_fills_the_cache_that_Load_then_returns_and_leaves_errors_to_Load()
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
                // The follow-up work gets the loaded baseline, runs after waiting loads are released, and its failure is dropped.
                var again = Path.Combine(dir, "again.json");
                File.WriteAllText(again, JsonWriter.Write(Minimal()));
                var handed = new System.Threading.Tasks.TaskCompletionSource<Baseline>();
                BaselineLoader.Preload(again, b => { handed.SetResult(b); throw new InvalidOperationException("dropped"); });
                var given = await handed.Task.WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Same(given, BaselineLoader.Load(again));
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
