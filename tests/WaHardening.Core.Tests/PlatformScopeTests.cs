using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Intune;
using WaHardening.Core.Model;
using WaHardening.Core.Reporting;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// A setting's "platforms" (the platforms of its target on which it exists, e.g. Edge's StartupBoostEnabled: Windows
    /// only) with "elsewhere" (what achieves the control on the others): validated by the loader, honoured by audit,
    /// enforcement and every export, and the reason shown in reports where the setting does not exist.
    /// </summary>
    public class PlatformScopeTests
    {
        private const string Why = "Startup boost is a Windows feature; nothing to turn off elsewhere.";

        private static string Setting(string extra) =>
            @"{ ""target"": ""Chrome"", ""name"": ""BackgroundModeEnabled"", ""type"": ""boolean"", ""value"": false, ""source"": ""https://e.org"""
            + @", ""intune"": { ""settingDefinitionId"": ""device_vendor_msft_policy_config_chromeintunev1~policy~googlechrome_backgroundmodeenabled"" }"
            + extra + " }";

        private static BaselineValidationException Invalid(string setting) =>
            Assert.Throws<BaselineValidationException>(() => EnforcementTests.Baseline(EnforcementTests.Control("T-X-01", setting)));

        [Theory]
        [InlineData(@", ""platforms"": [""Windows""]", "settings[0].elsewhere", "is required with \"platforms\"")]
        [InlineData(@", ""elsewhere"": ""x""", "settings[0].elsewhere", "only used with \"platforms\"")]
        [InlineData(@", ""platforms"": [""iOS""], ""elsewhere"": ""x""", "settings[0].platforms[0]", "does not run on iOS")]
        [InlineData(@", ""platforms"": [""Plan9""], ""elsewhere"": ""x""", "settings[0].platforms[0]", "unknown platform 'Plan9'")]
        [InlineData(@", ""platforms"": [""Windows"", ""windows""], ""elsewhere"": ""x""", "settings[0].platforms[1]", "listed twice")]
        [InlineData(@", ""platforms"": [], ""elsewhere"": ""x""", "settings[0].platforms", "at least one platform")]
        [InlineData(@", ""platforms"": [""Windows"", ""Linux"", ""macOS""], ""elsewhere"": ""x""", "settings[0].platforms", "leave \"platforms\" out")]
        [InlineData(@", ""platforms"": [""Windows""], ""elsewhere"": "" """, "settings[0].elsewhere", "must not be empty")]
        public void Loader_rejects_bad_platforms(string extra, string field, string message)
        {
            var p = Assert.Single(Invalid(Setting(extra)).Problems);
            Assert.EndsWith(field, p.Field);
            Assert.Contains(message, p.Message);
        }

        [Fact]
        public void Loader_requires_the_profile_scope_of_a_macos_payload()
        {
            var p = Assert.Single(Invalid(@"{ ""target"": ""macOS"", ""name"": ""idleTime"", ""type"": ""integer"", ""value"": 300, ""source"": ""https://e.org"", ""macos"": { ""payloadType"": ""com.apple.screensaver.user"" } }").Problems);
            Assert.EndsWith("macos.scope", p.Field);
            var q = Assert.Single(Invalid(@"{ ""target"": ""macOS"", ""name"": ""idleTime"", ""type"": ""integer"", ""value"": 300, ""source"": ""https://e.org"", ""macos"": { ""payloadType"": ""com.apple.screensaver.user"", ""scope"": ""Device"" } }").Problems);
            Assert.Contains("System (device channel) or User (user channel)", q.Message);
        }

        private static Baseline Default => BaselineLoader.Load(BaselineLoaderTests.DefaultPath);

        [Fact]
        public void Linux_audit_does_not_demand_startup_boost_and_says_why_and_set_does_not_write_it()
        {
            using var s = new Scratch();
            s.Touch("/opt/microsoft/msedge/msedge");
            var engine = new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()));
            var controls = Default.Controls.Where(c => c.Id == "WA-SESSION-03").ToList();
            var edge = engine.Test(controls).Single(r => r.Target == Targets.Edge);
            var boost = edge.Settings.Single(x => x.Name == "StartupBoostEnabled");
            Assert.Equal(ComplianceStatus.NotApplicable, boost.Status);
            Assert.Contains("on Windows only, not on Linux", boost.Reason);
            Assert.Contains("Startup boost is a Windows feature of Edge", boost.Reason);
            Assert.Equal(ComplianceStatus.NonCompliant, edge.Settings.Single(x => x.Name == "BackgroundModeEnabled").Status);
            Assert.Contains("Startup boost is a Windows feature of Edge", edge.Guidance);
            Assert.DoesNotContain("StartupBoostEnabled", edge.Expected);   // not asked for where it does not exist

            var plan = engine.Plan(controls);
            Assert.DoesNotContain(plan.Changes, c => c.Setting == "StartupBoostEnabled");
            engine.Apply(plan, null, out _);
            var written = s.Read("/etc/opt/microsoft/edge/policies/managed/wa-hardening.json");
            Assert.Contains("BackgroundModeEnabled", written);
            Assert.DoesNotContain("StartupBoostEnabled", written);

            var after = engine.Test(controls).Single(r => r.Target == Targets.Edge);
            Assert.Equal(ComplianceStatus.Compliant, after.Status);
            var report = DeviceReport.From(new[] { after }, "Standard", "0.1.0", "Debian", Platforms.Linux);
            Assert.Contains("Startup boost is a Windows feature of Edge", ReportWriters.Csv(report));
            Assert.Contains("Startup boost is a Windows feature of Edge", ReportWriters.Write(report, ReportFormat.Json));
        }

        [Fact]
        public void On_macOS_a_target_whose_settings_do_not_exist_there_is_not_applicable_with_the_reason_not_an_error()
        {
            var engine = new Engine(new ProviderContext(null, Platforms.MacOS, new RecordingRunner()));
            var chrome = engine.Test(Default.Controls.Where(c => c.Id == "WA-SESSION-03")).Single(r => r.Target == Targets.Chrome);
            Assert.Equal(ComplianceStatus.NotApplicable, chrome.Status);
            Assert.Contains("Command-Q", chrome.Reason);
            Assert.Contains("Command-Q", chrome.Guidance);
        }

        [Fact]
        public void A_setting_not_on_Windows_is_in_no_Windows_rendering_and_one_not_on_Linux_or_macOS_in_none_of_theirs()
        {
            var notWindows = Setting(@", ""omaUri"": ""./Device/Vendor/MSFT/Policy/Config/chromeIntuneV1~Policy~googlechrome/BackgroundModeEnabled"", ""platforms"": [""Linux"", ""macOS""], ""elsewhere"": """ + Why + @"""");
            var sync = @"{ ""target"": ""Chrome"", ""name"": ""SyncDisabled"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"", ""omaUri"": ""./Device/Vendor/MSFT/Policy/Config/chromeIntuneV1~Policy~googlechrome/SyncDisabled"", ""platforms"": [""Windows""], ""elsewhere"": """ + Why + @""" }";
            var b = EnforcementTests.Baseline(EnforcementTests.Control("T-X-01", notWindows, sync));
            var gpo = GpoContent.From(b.Controls, SecurityOptionPlacement.SecurityTemplate);
            Assert.DoesNotContain(gpo.Machine, e => e.ValueName == "BackgroundModeEnabled");
            Assert.Contains(gpo.Machine, e => e.ValueName == "SyncDisabled" && e.Key == @"Software\Policies\Google\Chrome");

            var files = IntuneExporter.Build(b, "Standard", null, "t").Files;
            string Text(string path) => Encoding.UTF8.GetString(files.Single(f => f.Path == path).Content);
            Assert.DoesNotContain(files, f => f.Path.StartsWith("windows/settings-catalog/", StringComparison.Ordinal));
            // Delivered on Windows by its OMA-URI (so judged by the custom compliance script); the other one by nothing there.
            Assert.DoesNotContain("BackgroundModeEnabled", Text("windows/custom-oma-uri.json"));
            Assert.Contains("SyncDisabled", Text("windows/custom-oma-uri.json"));
            Assert.DoesNotContain("BackgroundModeEnabled", Text("windows/custom-compliance/discovery.ps1"));
            Assert.Contains("SyncDisabled", Text("windows/custom-compliance/discovery.ps1"));
            Assert.Contains("BackgroundModeEnabled", Text("linux/chrome/wa-hardening.json"));
            Assert.DoesNotContain("SyncDisabled", Text("linux/chrome/wa-hardening.json"));
            Assert.Contains("BackgroundModeEnabled", Text("macos/chrome.mobileconfig"));
            Assert.DoesNotContain("SyncDisabled", Text("macos/chrome.mobileconfig"));
        }
    }
}
