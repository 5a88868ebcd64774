using System.Linq;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests
{
    public class EvaluationTests
    {
        /// <summary>One control with one setting built from JSON, bound to its defaults.</summary>
        internal static SettingDefinition Setting(string settingJson, string parameters = "")
        {
            var text = $@"{{ ""schemaVersion"": 1, ""name"": ""t"", ""version"": ""1"",
  ""profiles"": {{ ""Standard"": {{ ""description"": ""s"" }} }},
  ""parameters"": {{ {parameters} }},
  ""controls"": [ {{ ""id"": ""T-X-01"", ""title"": ""t"", ""category"": ""C"", ""severity"": ""Low"", ""profiles"": [""Standard""],
     ""rationale"": ""r"", ""settings"": [ {settingJson} ] }} ] }}";
            return BaselineLoader.Parse(text, "t.json").Controls.Single().Settings.Single();
        }

        private static (bool, string) Judge(SettingDefinition s, string? actual) =>
            ValueComparer.Judge(s, actual == null ? null : JsonParser.Parse(actual));

        [Theory]
        [InlineData("300", true)]
        [InlineData("120", true)]   // stricter
        [InlineData("301", false)]
        [InlineData("0", false)]    // 0 = never locks
        [InlineData("\"300\"", false)]
        [InlineData(null, false)]
        public void AtMost_with_a_floor(string? actual, bool compliant)
        {
            var s = Setting(@"{ ""target"": ""GNOME"", ""name"": ""org/gnome/k"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1,
                ""dconf"": { ""type"": ""uint32"" }, ""source"": ""https://e.org"" }");
            Assert.Equal(compliant, Judge(s, actual).Item1);
        }

        [Fact]
        public void Superset_accepts_more_entries_and_names_missing_ones()
        {
            var s = Setting(@"{ ""target"": ""Chrome"", ""name"": ""L"", ""type"": ""stringList"", ""value"": [""a"", ""b""], ""compare"": ""superset"", ""source"": ""https://e.org"" }");
            Assert.True(Judge(s, "[\"B\", \"x\", \"a\"]").Item1);
            var (ok, reason) = Judge(s, "[\"a\"]");
            Assert.False(ok);
            Assert.Equal("lacks b", reason);
            Assert.Equal("[\"x\",\"a\",\"b\"]", ValueComparer.Desired(s, JsonParser.Parse("[\"x\",\"a\"]")).ToString());
        }

        [Fact]
        public void Desired_never_loosens_a_stricter_value()
        {
            var s = Setting(@"{ ""target"": ""GNOME"", ""name"": ""org/gnome/k"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1,
                ""dconf"": { ""type"": ""uint32"" }, ""source"": ""https://e.org"" }");
            Assert.Equal("120", ValueComparer.Desired(s, JsonParser.Parse("120")).ToString());
            Assert.Equal("300", ValueComparer.Desired(s, JsonParser.Parse("900")).ToString());
            Assert.Equal("300", ValueComparer.Desired(s, null).ToString());
        }

        [Fact]
        public void OneOf_accepts_any_listed_value()
        {
            var s = Setting(@"{ ""target"": ""Chrome"", ""name"": ""SafeBrowsingProtectionLevel"", ""type"": ""integer"", ""value"": 1, ""compare"": ""oneOf"", ""accept"": [1, 2], ""source"": ""https://e.org"" }");
            Assert.True(Judge(s, "2").Item1);
            Assert.False(Judge(s, "0").Item1);
        }

        [Fact]
        public void Chrome_list_policy_renders_as_numbered_subkey()
        {
            var s = Setting(@"{ ""target"": ""Chrome"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }");
            var r = RegistryRendering.Render(s);
            Assert.True(r.IsList);
            Assert.Equal(@"Software\Policies\Google\Chrome\CookiesSessionOnlyForUrls", r.Key);
            Assert.Equal("HKLM", r.Hive);
            Assert.Equal(new[] { "https://web.whatsapp.com" }, r.ListItems);
        }

        [Fact]
        public void Firefox_dotted_path_renders_as_subkeys_and_booleans_as_dword()
        {
            var s = Setting(@"{ ""target"": ""Firefox"", ""name"": ""SanitizeOnShutdown.Cookies"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"" }");
            var r = RegistryRendering.Render(s);
            Assert.Equal(@"Software\Policies\Mozilla\Firefox\SanitizeOnShutdown", r.Key);
            Assert.Equal("Cookies", r.ValueName);
            Assert.Equal(RegistryKind.DWord, r.Kind);
            Assert.Equal(1u, r.Data);
            Assert.True(((JsonBoolean)RegistryRendering.FromRegistry(s, 1)!).Value);
        }

        [Fact]
        public void Explicit_registry_section_wins_and_keeps_its_kind()
        {
            var s = Setting(@"{ ""target"": ""Windows"", ""name"": ""ScreenSaveTimeOut"", ""type"": ""string"", ""value"": { ""param"": ""Idle"" },
                ""registry"": { ""hive"": ""HKCU"", ""key"": ""Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop"", ""value"": ""ScreenSaveTimeOut"", ""kind"": ""REG_SZ"" },
                ""source"": ""https://e.org"" }", @"""Idle"": { ""type"": ""integer"", ""default"": 300, ""description"": ""d"" }");
            var r = RegistryRendering.Render(s);
            Assert.Equal("HKCU", r.Hive);
            Assert.Equal(RegistryKind.String, r.Kind);
            Assert.Equal("300", r.Data);
            Assert.Equal("\"300\"", RegistryRendering.FromRegistry(s, "300")!.ToString());
        }
    }
}
