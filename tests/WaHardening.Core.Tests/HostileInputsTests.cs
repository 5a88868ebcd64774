using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using Xunit;
using static WaHardening.Core.Tests.EnforcementTests;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Issue #14 items 4, 5, 6, 7 and 11: policy files in encodings the browsers ignore, trailing newlines and costly
    /// patterns in parameter values, names from custom baselines that would break the file formats they land in,
    /// arithmetic overflow, raw exceptions and wrong positions, and every input file parsed once per run.
    /// </summary>
    public class HostileInputsTests
    {
        private const string ChromiumList = @"{ ""target"": ""Chromium"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";
        private const string ChromiumRestore = @"{ ""target"": ""Chromium"", ""name"": ""RestoreOnStartup"", ""type"": ""integer"", ""value"": 5, ""compare"": ""oneOf"", ""accept"": [4, 5], ""source"": ""https://e.org"" }";
        private const string FirefoxSanitize = @"{ ""target"": ""Firefox"", ""name"": ""SanitizeOnShutdown.Cookies"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"" }";
        private const string FirefoxAllow = @"{ ""target"": ""Firefox"", ""name"": ""Cookies.AllowSession"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";

        private static readonly Baseline s_chromium = Baseline(Control("WA-C-01", ChromiumList, ChromiumRestore));
        private static readonly Baseline s_firefox = Baseline(Control("WA-F-01", FirefoxSanitize, FirefoxAllow));

        private static Engine Linux(Scratch s) => new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()));

        private static IReadOnlyList<ChangeRecord> Set(Engine e, Baseline b, out string? backup)
        {
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                return e.Apply(e.Plan(b.Controls), null, out backup);
        }

        private static void WriteBytes(Scratch s, string real, byte[] bytes)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(s.P(real))!);
            File.WriteAllBytes(s.P(real), bytes);
        }

        /// <summary>The text in the encodings tried against the real browsers (docs/ARCHITECTURE.md, "Policy file encodings").</summary>
        public static byte[] Encode(string text, string kind)
        {
            var u8 = new UTF8Encoding(false).GetBytes(text);
            switch (kind)
            {
                case "utf8": return u8;
                case "utf8bom": return new byte[] { 0xEF, 0xBB, 0xBF }.Concat(u8).ToArray();
                case "utf16le": return new byte[] { 0xFF, 0xFE }.Concat(Encoding.Unicode.GetBytes(text)).ToArray();
                case "utf16be": return new byte[] { 0xFE, 0xFF }.Concat(Encoding.BigEndianUnicode.GetBytes(text)).ToArray();
                case "utf32le": return new byte[] { 0xFF, 0xFE, 0, 0 }.Concat(new UTF32Encoding(false, false).GetBytes(text)).ToArray();
                case "utf32be": return new byte[] { 0, 0, 0xFE, 0xFF }.Concat(new UTF32Encoding(true, false).GetBytes(text)).ToArray();
                case "utf16le-nobom": return Encoding.Unicode.GetBytes(text);
                case "invalid": { var b = (byte[])u8.Clone(); b[Array.IndexOf(b, (byte)'~')] = 0xFF; return b; }
                case "nul": { var b = (byte[])u8.Clone(); b[Array.IndexOf(b, (byte)'~')] = 0; return b; }
                default: throw new ArgumentException(kind);
            }
        }

        // ------------------------------------------------------------ item 4: encodings

        [Theory]
        [InlineData("utf16le", "UTF-16")]
        [InlineData("utf16be", "UTF-16")]
        [InlineData("utf32le", "UTF-32")]
        [InlineData("utf32be", "UTF-32")]
        [InlineData("utf16le-nobom", "expected a property name")]
        [InlineData("invalid", "not valid UTF-8")]
        [InlineData("nul", "control character")]
        public void A_foreign_chromium_file_chromium_ignores_never_makes_a_setting_compliant(string kind, string reason)
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            WriteBytes(s, "/etc/chromium/policies/managed/zz.json",
                Encode(@"{ ""CookiesSessionOnlyForUrls"": [""https://web.whatsapp.com""], ""RestoreOnStartup"": 5, ""HomepageLocation"": ""a~b"" }", kind));
            var before = s.Snapshot();
            var e = Linux(s);
            var r = e.Test(s_chromium.Controls).Single();
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.All(r.Settings, x =>
            {
                Assert.Equal(ComplianceStatus.Error, x.Status);
                Assert.StartsWith("ForeignPolicyFileInvalid:", x.Reason);
                Assert.Contains("zz.json", x.Reason);
                Assert.Contains(reason, x.Reason);
            });
            var ex = Assert.Throws<WaHardeningException>(() => Set(e, s_chromium, out _));
            Assert.Equal("ForeignPolicyFileInvalid", ex.ErrorId);
            Assert.Equal(before, s.Snapshot());
        }

        [Fact]
        public void A_chromium_file_with_a_utf8_bom_is_read_as_chromium_reads_it()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            WriteBytes(s, "/etc/chromium/policies/managed/zz.json",
                Encode(@"{ ""CookiesSessionOnlyForUrls"": [""https://web.whatsapp.com""], ""RestoreOnStartup"": 4 }", "utf8bom"));
            Assert.Equal(ComplianceStatus.Compliant, Linux(s).Test(s_chromium.Controls).Single().Status);
        }

        [Theory]
        [InlineData("utf8bom", "byte order mark")]
        [InlineData("utf16le", "UTF-16")]
        [InlineData("utf32be", "UTF-32")]
        [InlineData("invalid", "not valid UTF-8")]
        [InlineData("nul", "control character")]
        public void A_firefox_policies_json_firefox_ignores_is_an_error_and_set_writes_nothing(string kind, string reason)
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/firefox");
            WriteBytes(s, FirefoxFileProvider.PolicyFile,
                Encode(@"{ ""policies"": { ""SanitizeOnShutdown"": { ""Cookies"": true }, ""Cookies"": { ""AllowSession"": [""https://web.whatsapp.com""] }, ""OverrideFirstRunPage"": ""a~b"" } }", kind));
            var before = s.Snapshot();
            var e = Linux(s);
            var r = e.Test(s_firefox.Controls).Single();
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.All(r.Settings, x => { Assert.StartsWith("PolicyFileInvalid:", x.Reason); Assert.Contains(reason, x.Reason); });
            var ex = Assert.Throws<WaHardeningException>(() => Set(e, s_firefox, out _));
            Assert.Equal("PolicyFileInvalid", ex.ErrorId);
            Assert.Equal(before, s.Snapshot());
        }

        // ------------------------------------------------------------ item 5: trailing newline, costly patterns

        [Theory]
        [InlineData("WhatsAppOrigins", "https://web.whatsapp.com\n")]
        [InlineData("MinimumOsVersionWindows", "10.0.19045\n")]
        [InlineData("MinimumOsVersionWindows", "10.0.19045\r\n")]
        public void A_parameter_value_with_a_trailing_newline_is_refused(string name, string value)
        {
            var b = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);
            object? v = b.ParameterDefinitions.Single(p => p.Name == name).Type == Model.ValueType.StringList ? new[] { value } : (object)value;
            var ex = Assert.Throws<BaselineParameterException>(() => b.WithParameters(new Dictionary<string, object?> { [name] = v }));
            Assert.Equal("ParameterInvalid", ex.ErrorId);
            Assert.Equal(name, ex.Parameter);
        }

        private static string PatternBaseline(string pattern, string @default) => $@"{{ ""schemaVersion"": 1, ""name"": ""t"", ""version"": ""1"",
  ""profiles"": {{ ""Standard"": {{ ""description"": ""s"" }} }},
  ""parameters"": {{ ""Word"": {{ ""type"": ""string"", ""default"": {JsonValue.From(@default)}, ""pattern"": {JsonValue.From(pattern)}, ""description"": ""d"" }} }},
  ""controls"": [ {Control("WA-P-01", @"{ ""target"": ""Chromium"", ""name"": ""HomepageLocation"", ""type"": ""string"", ""value"": { ""param"": ""Word"" }, ""source"": ""https://e.org"" }")} ] }}";

        [Fact]
        public void A_catastrophic_parameter_pattern_times_out_as_a_typed_error_naming_the_parameter()
        {
            var b = BaselineLoader.Parse(PatternBaseline("^(a+)+$", "aaa"), "p.json");
            var sw = Stopwatch.StartNew();
            var ex = Assert.Throws<BaselineParameterException>(() =>
                b.WithParameters(new Dictionary<string, object?> { ["Word"] = new string('a', 40) + "!" }));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
            Assert.Equal("Word", ex.Parameter);
            Assert.Contains("pattern", ex.Message);
            Assert.Contains("time", ex.Message);
        }

        [Fact]
        public void A_catastrophic_pattern_on_the_default_is_a_load_problem_at_the_parameter()
        {
            var sw = Stopwatch.StartNew();
            var ex = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse(PatternBaseline("^(a+)+$", new string('a', 40) + "!"), "p.json"));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
            var p = Assert.Single(ex.Problems);
            Assert.Equal("parameters.Word.default", p.Field);
            Assert.Contains("time", p.Message);
        }

        [Fact]
        public void A_pattern_must_match_the_whole_value_even_without_anchors()
        {
            var b = BaselineLoader.Parse(PatternBaseline("[0-9]+", "12"), "p.json");
            Assert.Throws<BaselineParameterException>(() => b.WithParameters(new Dictionary<string, object?> { ["Word"] = "12x" }));
            Assert.Throws<BaselineParameterException>(() => b.WithParameters(new Dictionary<string, object?> { ["Word"] = "12\n" }));
            Assert.Equal("\"34\"", b.WithParameters(new Dictionary<string, object?> { ["Word"] = "34" }).Controls[0].Settings[0].Expected.ToString());
        }

        [Fact]
        public void A_profile_name_with_a_trailing_newline_is_refused()
        {
            var text = PatternBaseline("^a+$", "a").Replace(@"""Standard"": {", @"""Standard\n"": {").Replace(@"[""Standard""]", @"[""Standard\n""]");
            var ex = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse(text, "p.json"));
            Assert.Contains(ex.Problems, p => p.Field == "profiles.Standard\n");
        }

        // ------------------------------------------------------------ item 6: names that would break the formats they land in

        private static BaselineProblem OneProblem(string setting, string field)
        {
            var text = $@"{{ ""schemaVersion"": 1, ""name"": ""t"", ""version"": ""1"", ""profiles"": {{ ""Standard"": {{ ""description"": ""s"" }} }}, ""controls"": [
{Control("WA-N-01", setting)} ] }}";
            var ex = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse(text, "n.json"));
            Assert.True(ex.Problems.Count == 1, ex.Message);
            var p = ex.Problems[0];
            Assert.Equal("WA-N-01", p.ControlId);
            Assert.Equal(field, p.Field);
            Assert.Equal("n.json", p.File);
            Assert.Equal(2, p.Line);
            Assert.True(p.Column > 1);
            Assert.Contains(p.ToString(), ex.Message);
            return p;
        }

        private static string Gnome(string name) =>
            $@"{{ ""target"": ""GNOME"", ""name"": {JsonValue.From(name)}, ""type"": ""boolean"", ""value"": true, ""dconf"": {{ ""type"": ""boolean"" }}, ""source"": ""https://e.org"" }}";

        [Theory]
        [InlineData("org/gnome/x]\n[evil]\nkey=true\n[org/gnome/y/k")]
        [InlineData("../../../../etc/x/key")]
        [InlineData("org/gnome/./key")]
        [InlineData("org//gnome/key")]
        [InlineData("org/gnome/key name")]
        [InlineData("key")]
        [InlineData("org/gnome/key=true")]
        public void A_gnome_setting_name_that_is_not_a_dconf_key_path_is_a_load_problem(string name) =>
            Assert.Contains("dconf", OneProblem(Gnome(name), "controls[0].settings[0].name").Message);

        [Theory]
        [InlineData("..")]
        [InlineData("Cookies..AllowSession")]
        [InlineData(".Cookies")]
        [InlineData("Cookies.")]
        [InlineData("Cookies\nAllowSession")]
        [InlineData("Cookies\\AllowSession")]
        public void A_firefox_setting_name_that_is_not_a_policy_path_is_a_load_problem(string name) =>
            OneProblem($@"{{ ""target"": ""Firefox"", ""name"": {JsonValue.From(name)}, ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"" }}", "controls[0].settings[0].name");

        [Theory]
        [InlineData("browser..x")]
        [InlineData("browser.x\n")]
        [InlineData("browser x")]
        public void A_firefox_preference_name_that_is_not_a_preference_name_is_a_load_problem(string name) =>
            OneProblem($@"{{ ""target"": ""Firefox"", ""name"": {JsonValue.From(name)}, ""type"": ""boolean"", ""value"": true, ""firefoxPreference"": {{ ""status"": ""locked"" }}, ""source"": ""https://e.org"" }}", "controls[0].settings[0].name");

        [Theory]
        [InlineData("Chromium", "Cookies\nSessionOnly")]
        [InlineData("Chrome", "Cookies Session")]
        [InlineData("Edge", "../x")]
        [InlineData("GoogleUpdate", "Update\\x")]
        [InlineData("Apt", "APT::Periodic::X\n")]
        [InlineData("Apt", "APT::::X")]
        [InlineData("macOS", "idle\nTime")]
        [InlineData("iOS", "passcode Required")]
        public void A_setting_name_outside_its_target_grammar_is_a_load_problem(string target, string name)
        {
            var extra = target == "macOS" ? @", ""macos"": { ""payloadType"": ""com.apple.screensaver"", ""scope"": ""System"" }"
                : target == "iOS" ? @", ""compliance"": { ""odataType"": ""#microsoft.graph.iosCompliancePolicy"" }" : "";
            OneProblem($@"{{ ""target"": ""{target}"", ""name"": {JsonValue.From(name)}, ""type"": ""boolean"", ""value"": true{extra}, ""source"": ""https://e.org"" }}", "controls[0].settings[0].name");
        }

        [Theory]
        [InlineData(@"""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Policies\\\\X"", ""value"": ""V"", ""kind"": ""REG_DWORD"" }", "registry.key")]
        [InlineData(@"""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Policies\\X\\"", ""value"": ""V"", ""kind"": ""REG_DWORD"" }", "registry.key")]
        [InlineData(@"""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Pol\nicies"", ""value"": ""V"", ""kind"": ""REG_DWORD"" }", "registry.key")]
        [InlineData(@"""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Policies"", ""value"": ""V\u0000x"", ""kind"": ""REG_DWORD"" }", "registry.value")]
        public void A_registry_location_that_registry_pol_cannot_hold_is_a_load_problem(string section, string field) =>
            OneProblem($@"{{ ""target"": ""Windows"", ""name"": ""V"", ""type"": ""boolean"", ""value"": true, {section}, ""source"": ""https://e.org"" }}", "controls[0].settings[0]." + field);

        [Theory]
        [InlineData(@"""target"": ""Apt"", ""name"": ""APT::Periodic::X"", ""apt"": { ""file"": ""../../../etc/x"" }", "apt.file")]
        [InlineData(@"""target"": ""macOS"", ""name"": ""idleTime"", ""macos"": { ""payloadType"": ""com.apple.screensaver\n"", ""scope"": ""System"" }", "macos.payloadType")]
        [InlineData(@"""target"": ""macOS"", ""name"": ""idleTime"", ""macos"": { ""payloadType"": ""com.apple.screensaver"", ""key"": ""a<b"", ""scope"": ""System"" }", "macos.key")]
        [InlineData(@"""target"": ""Chrome"", ""name"": ""HttpsOnlyMode"", ""intune"": { ""settingDefinitionId"": ""device vendor"" }", "intune.settingDefinitionId")]
        [InlineData(@"""target"": ""Chrome"", ""name"": ""HttpsOnlyMode"", ""intune"": { ""settingDefinitionId"": ""a_b"", ""child"": ""a/b"" }", "intune.child")]
        [InlineData(@"""target"": ""Chrome"", ""name"": ""HttpsOnlyMode"", ""omaUri"": ""./Device/Vendor/../../x""", "omaUri")]
        [InlineData(@"""target"": ""iOS"", ""name"": ""passcodeRequired"", ""compliance"": { ""odataType"": ""#microsoft.graph.ios Policy"" }", "compliance.odataType")]
        [InlineData(@"""target"": ""iOS"", ""name"": ""passcodeRequired"", ""compliance"": { ""odataType"": ""#microsoft.graph.iosCompliancePolicy"", ""property"": ""a.b"" }", "compliance.property")]
        public void A_section_name_outside_its_format_grammar_is_a_load_problem(string fields, string field) =>
            OneProblem($@"{{ {fields}, ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"" }}", "controls[0].settings[0]." + field);

        [Fact]
        public void Every_name_of_the_default_baseline_is_in_its_grammar() =>
            Assert.NotEmpty(BaselineLoader.Load(BaselineLoaderTests.DefaultPath).Controls);

        private const string Scaled = @"{ ""schemaVersion"": 1, ""name"": ""t"", ""version"": ""1"", ""profiles"": { ""Standard"": { ""description"": ""s"" } },
  ""parameters"": { ""Hours"": { ""type"": ""integer"", ""default"": DEFAULT, ""minimum"": 1, ""description"": ""d"" } },
  ""controls"": [ { ""id"": ""WA-O-01"", ""title"": ""t"", ""category"": ""C"", ""severity"": ""High"", ""profiles"": [""Standard""], ""rationale"": ""r"", ""settings"": [
    { ""target"": ""Chromium"", ""name"": ""RelaunchNotificationPeriod"", ""type"": ""integer"", ""value"": { ""param"": ""Hours"", ""multiply"": 3600000 }, ""compare"": ""atMost"", ""source"": ""https://e.org"" } ] } ] }";

        [Fact]
        public void A_scaled_parameter_that_overflows_is_a_typed_error_naming_the_parameter()
        {
            var b = BaselineLoader.Parse(Scaled.Replace("DEFAULT", "168"), "o.json");
            Assert.Equal("604800000", b.Controls[0].Settings[0].Expected.ToString());
            var ex = Assert.Throws<BaselineParameterException>(() => b.WithParameters(new Dictionary<string, object?> { ["Hours"] = 5124095576030431L }));
            Assert.Equal("ParameterInvalid", ex.ErrorId);
            Assert.Equal("Hours", ex.Parameter);
            Assert.Contains("RelaunchNotificationPeriod", ex.Message);
        }

        [Fact]
        public void A_scaled_default_that_overflows_is_a_load_problem()
        {
            var ex = Assert.Throws<BaselineValidationException>(() => BaselineLoader.Parse(Scaled.Replace("DEFAULT", "5124095576030431"), "o.json"));
            var p = Assert.Single(ex.Problems);
            Assert.Equal("controls[0].settings[0].value", p.Field);
            Assert.Contains("Hours", p.Message);
        }

        // ------------------------------------------------------------ item 7: typed errors, right positions, right messages

        [Fact]
        public void A_lone_surrogate_in_a_foreign_firefox_policy_is_kept_as_written_and_never_a_raw_encoder_exception()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/firefox");
            var original = "{ \"policies\": { \"OverrideFirstRunPage\": \"x\\ud800y\" } }";
            s.Write(FirefoxFileProvider.PolicyFile, original);
            var e = Linux(s);
            var changes = Set(e, s_firefox, out var backup);
            Assert.All(changes, c => Assert.Equal(ChangeAction.Changed, c.Action));
            var text = s.Read(FirefoxFileProvider.PolicyFile);
            Assert.Contains("\"x\\ud800y\"", text);
            var policies = (JsonObject)((JsonObject)JsonParser.Parse(text))["policies"]!;
            Assert.Equal("x\ud800y", ((JsonString)policies["OverrideFirstRunPage"]!).Value);
            e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(original, s.Read(FirefoxFileProvider.PolicyFile));
        }

        [Fact]
        public void A_json_null_is_reported_at_its_line_and_column()
        {
            var v = JsonParser.Parse("[1,\n  null]");
            Assert.Equal(2, ((JsonArray)v)[1].Line);
            Assert.Equal(3, ((JsonArray)v)[1].Column);
            using var s = new Scratch();
            s.Touch("/usr/bin/firefox");
            s.Touch("/usr/bin/chromium");
            s.Write(FirefoxFileProvider.PolicyFile, "{\n  \"policies\": null }");
            s.Write("/etc/chromium/policies/managed/a.json", "\n null");
            var e = Linux(s);
            var ff = e.Test(s_firefox.Controls).Single();
            Assert.Contains("line 2, column 15", ff.Settings[0].Reason);
            var ch = e.Test(s_chromium.Controls).Single();
            Assert.Contains("line 2, column 2", ch.Settings[0].Reason);
            Assert.DoesNotContain("line 0", ff.Settings[0].Reason + ch.Settings[0].Reason);
        }

        [Fact]
        public void Undo_of_a_backup_with_an_unknown_post_action_is_refused_before_anything_is_restored()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            var e = Linux(s);
            Set(e, s_chromium, out var backup);
            var own = ChromiumFileProvider.OwnFile("Chromium");
            var written = s.Read(own);
            var doc = (JsonObject)JsonParser.ParseFile(backup!);
            doc.Set("postActions", JsonValue.From(new[] { "Nope:reload" }));
            File.WriteAllText(backup!, JsonWriter.Write(doc));
            var ex = Assert.Throws<WaHardeningException>(() => e.Restore(BackupDocument.Load(backup!), backup!));
            Assert.Equal("BackupInvalid", ex.ErrorId);
            Assert.Contains("Nope:reload", ex.Message);
            Assert.DoesNotContain("Rolling back also failed", ex.Message);
            Assert.Equal(written, s.Read(own));
        }

        // ------------------------------------------------------------ item 11: every input file parsed once per run

        [Fact]
        public void Test_and_set_parse_each_policy_file_once_per_run()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            s.Touch("/usr/bin/firefox");
            s.Write("/etc/chromium/policies/managed/10-foreign.json", "{ \"HomepageLocation\": \"https://e.org\" }");
            s.Write("/etc/chromium/policies/managed/20-foreign.json", "{ \"RestoreOnStartup\": 1 }");
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { \"DisableAppUpdate\": true } }");
            var both = Baseline(Control("WA-C-01", ChromiumList, ChromiumRestore) + "," + Control("WA-F-01", FirefoxSanitize, FirefoxAllow));

            var test = Linux(s);
            Assert.All(test.Test(both.Controls), r => Assert.Equal(ComplianceStatus.NonCompliant, r.Status));
            AssertOnce(test.Context, 3);

            var set = Linux(s);
            using (EnforcementLock.Acquire(set.Context, TimeSpan.FromSeconds(30)))
            {
                var first = set.Plan(both.Controls);            // the cmdlet plans for ShouldProcess, then again under the lock
                var plan = set.Plan(both.Controls);
                Assert.Equal(4, plan.Changes.Count);
                var changes = set.Apply(plan, null, out _);
                Assert.All(changes, c => Assert.Equal(ChangeAction.Changed, c.Action));
            }
            AssertOnce(set.Context, 3); // the files Set wrote are read back from the bytes it wrote, not parsed again

            static void AssertOnce(ProviderContext ctx, int files)
            {
                Assert.Equal(files, ctx.Files.Parses.Count);
                Assert.All(ctx.Files.Parses, kv => Assert.True(kv.Value == 1, $"{kv.Key} parsed {kv.Value} times"));
            }
        }

        [Fact]
        public void A_file_changed_during_the_run_is_parsed_again()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/firefox");
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { } }");
            var e = Linux(s);
            Assert.Equal(ComplianceStatus.NonCompliant, e.Test(s_firefox.Controls).Single().Status);
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { \"SanitizeOnShutdown\": { \"Cookies\": true }, \"Cookies\": { \"AllowSession\": [\"https://web.whatsapp.com\"] } } }");
            File.SetLastWriteTimeUtc(s.P(FirefoxFileProvider.PolicyFile), DateTime.UtcNow.AddMinutes(1));
            Assert.Equal(ComplianceStatus.Compliant, e.Test(s_firefox.Controls).Single().Status);
        }
    }
}
