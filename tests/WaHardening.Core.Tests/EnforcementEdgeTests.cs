using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using WaHardening.Core.Rendering;
using Xunit;
using static WaHardening.Core.Tests.EnforcementTests;

namespace WaHardening.Core.Tests
{
    /// <summary>Providers and engine paths beyond the common ones: Firefox's boolean policy forms, Chrome and Edge on Linux,
    /// HKCU string values, Windows without a registry (-Root), unreadable files.</summary>
    public class EnforcementEdgeTests
    {
        private static string FirefoxBool(string name, bool value = true) =>
            $@"{{ ""target"": ""Firefox"", ""name"": ""{name}"", ""type"": ""boolean"", ""value"": {(value ? "true" : "false")}, ""source"": ""https://e.org"" }}";

        private static Engine Linux(Scratch s) => new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()));

        private static IReadOnlyList<ChangeRecord> Set(Engine e, Baseline b, out string? backup)
        {
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                return e.Apply(e.Plan(b.Controls), null, out backup);
        }

        private static readonly Baseline s_sanitize = Baseline(Control("WA-S-01",
            FirefoxBool("SanitizeOnShutdown.Cookies"), FirefoxBool("SanitizeOnShutdown.History"), FirefoxBool("SanitizeOnShutdown.Locked")));

        // ------------------------------------------------------------ Firefox: "SanitizeOnShutdown": true | false | { … }

        [Fact]
        public void Firefox_sanitize_on_shutdown_true_satisfies_every_item_and_is_left_alone()
        {
            using var s = new Scratch();
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { \"SanitizeOnShutdown\": true, \"DisableAppUpdate\": false } }");
            var before = s.Snapshot();
            var e = Linux(s);
            var r = e.Test(s_sanitize.Controls).Single();
            Assert.Equal(ComplianceStatus.Compliant, r.Status);
            Assert.All(r.Settings, x =>
            {
                Assert.Equal("true", x.Actual);
                Assert.Contains("policies.SanitizeOnShutdown = true (the boolean form", x.Origin);
                Assert.Contains("policies.SanitizeOnShutdown = true", x.Reason);
            });
            var plan = e.Plan(s_sanitize.Controls);
            Assert.Empty(plan.Changes);
            Assert.Empty(plan.Operations);
            Assert.Empty(Set(e, s_sanitize, out var backup));
            Assert.Null(backup);
            Assert.Equal(before, s.Snapshot());
        }

        [Fact]
        public void Firefox_sanitize_on_shutdown_false_is_replaced_by_the_object_form_and_undo_restores_it()
        {
            using var s = new Scratch();
            var original = "{ \"policies\": { \"DisableAppUpdate\": false, \"SanitizeOnShutdown\": false, \"Other\": 1 } }\n";
            s.Write(FirefoxFileProvider.PolicyFile, original);
            var e = Linux(s);
            var r = e.Test(s_sanitize.Controls).Single();
            Assert.Equal(ComplianceStatus.NonCompliant, r.Status);
            Assert.All(r.Settings, x => { Assert.Equal("false", x.Actual); Assert.Contains("policies.SanitizeOnShutdown = false", x.Origin); });

            var changes = Set(e, s_sanitize, out var backup);
            Assert.Equal(3, changes.Count);
            Assert.All(changes, c => { Assert.Equal(ChangeAction.Changed, c.Action); Assert.Equal("false", c.Before); Assert.Equal("true", c.After); });
            var policies = (JsonObject)((JsonObject)JsonParser.Parse(s.Read(FirefoxFileProvider.PolicyFile)))["policies"]!;
            Assert.Equal(new[] { "DisableAppUpdate", "SanitizeOnShutdown", "Other" }, policies.Properties.Select(p => p.Key)); // replaced in place
            Assert.Equal("{\"Cookies\":true,\"History\":true,\"Locked\":true}", policies["SanitizeOnShutdown"]!.ToString());
            Assert.Equal(ComplianceStatus.Compliant, e.Test(s_sanitize.Controls).Single().Status);

            e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(original, s.Read(FirefoxFileProvider.PolicyFile));
        }

        [Fact]
        public void Firefox_sanitize_on_shutdown_true_is_never_turned_into_a_weaker_object()
        {
            using var s = new Scratch();
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { \"SanitizeOnShutdown\": true } }");
            var before = s.Snapshot();
            var e = Linux(s);
            // An item true does not satisfy (expected false) needs the object form, which would drop every other item.
            var b = Baseline(Control("WA-S-02", FirefoxBool("SanitizeOnShutdown.Downloads", false)));
            Assert.Equal(ComplianceStatus.NonCompliant, e.Test(b.Controls).Single().Status);
            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(b.Controls));
            Assert.Equal("PolicyFormConflict", ex.ErrorId);
            Assert.Contains("policies.SanitizeOnShutdown = true", ex.Message);
            Assert.Equal(before, s.Snapshot());
        }

        private const string FirefoxKey = @"Software\Policies\Mozilla\Firefox";

        [Fact]
        public void Windows_firefox_sanitize_on_shutdown_dword_1_satisfies_every_item_and_is_left_alone()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            reg.SetValue("HKLM", FirefoxKey, "SanitizeOnShutdown", new RegistryValue(RegistryKind.DWord, 1u));
            var before = reg.Dump();
            var e = Windows(reg, s);
            var r = e.Test(s_sanitize.Controls).Single();
            Assert.Equal(ComplianceStatus.Compliant, r.Status);
            Assert.All(r.Settings, x => { Assert.Equal("true", x.Actual); Assert.Contains(@"HKLM\" + FirefoxKey + @"\SanitizeOnShutdown = 1 (the boolean form", x.Origin); });
            Assert.Empty(e.Plan(s_sanitize.Controls).Operations);
            Assert.Empty(Set(e, s_sanitize, out var backup));
            Assert.Null(backup);
            Assert.Equal(before, reg.Dump());

            // An item the boolean form does not satisfy would need the item form beside it: refused, nothing written.
            var b = Baseline(Control("WA-S-02", FirefoxBool("SanitizeOnShutdown.Downloads", false)));
            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(b.Controls));
            Assert.Equal("PolicyFormConflict", ex.ErrorId);
            Assert.Equal(before, reg.Dump());
        }

        [Fact]
        public void Windows_firefox_sanitize_on_shutdown_dword_0_is_replaced_by_the_items_and_undo_restores_it()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            reg.SetValue("HKLM", FirefoxKey, "SanitizeOnShutdown", new RegistryValue(RegistryKind.DWord, 0u));
            reg.SetValue("HKLM", FirefoxKey, "DisableAppUpdate", new RegistryValue(RegistryKind.DWord, 0u));
            var before = reg.Dump();
            var e = Windows(reg, s);
            Assert.All(e.Test(s_sanitize.Controls).Single().Settings, x => { Assert.Equal(ComplianceStatus.NonCompliant, x.Status); Assert.Equal("false", x.Actual); });

            var changes = Set(e, s_sanitize, out var backup);
            Assert.Equal(3, changes.Count);
            Assert.Null(reg.GetValue("HKLM", FirefoxKey, "SanitizeOnShutdown"));                  // the boolean form is gone ...
            Assert.Equal(1u, reg.GetValue("HKLM", FirefoxKey + @"\SanitizeOnShutdown", "Cookies")!.Data); // ... the items stand in its place
            Assert.Equal(0u, reg.GetValue("HKLM", FirefoxKey, "DisableAppUpdate")!.Data);          // foreign values kept
            Assert.Equal(ComplianceStatus.Compliant, e.Test(s_sanitize.Controls).Single().Status);

            e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(before, reg.Dump());
        }

        [Fact]
        public void Firefox_a_scalar_where_no_boolean_form_exists_is_still_invalid()
        {
            using var s = new Scratch();
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { \"Cookies\": true } }");
            var e = Linux(s);
            var b = Baseline(Control("WA-S-03", FirefoxBool("Cookies.Locked")));
            Assert.Equal(ComplianceStatus.NonCompliant, e.Test(b.Controls).Single().Status);   // not configured: no boolean form of Cookies
            Assert.Equal("PolicyFileInvalid", Assert.Throws<WaHardeningException>(() => e.Plan(b.Controls)).ErrorId);
        }

        // ------------------------------------------------------------ Chrome and Edge on Linux (scratch root)

        [Theory]
        [InlineData("Chrome", "/etc/opt/chrome/policies/managed", "/opt/google/chrome/chrome")]
        [InlineData("Edge", "/etc/opt/microsoft/edge/policies/managed", null)]
        public void Chrome_and_edge_write_only_their_own_file_in_their_managed_folder(string target, string managed, string? binary)
        {
            using var s = new Scratch();
            var e = Linux(s);
            var list = $@"{{ ""target"": ""{target}"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }}";
            var restore = $@"{{ ""target"": ""{target}"", ""name"": ""RestoreOnStartup"", ""type"": ""integer"", ""value"": 5, ""compare"": ""oneOf"", ""accept"": [4, 5], ""source"": ""https://e.org"" }}";
            var b = Baseline(Control("WA-B-01", list, restore));
            Assert.Equal(ComplianceStatus.NotApplicable, e.Test(b.Controls).Single().Status);   // nothing installed yet

            if (binary != null) s.Touch(binary);
            else Directory.CreateDirectory(s.P(managed));                                        // presence by the managed folder
            s.Write(managed + "/site.json", "{ \"RestoreOnStartup\": 1, \"HomepageLocation\": \"https://intranet.example\" }");
            var before = s.Snapshot();
            var first = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.NonCompliant, first.Status);
            Assert.Equal(managed + "/site.json", first.Settings.Single(x => x.Name == "RestoreOnStartup").Origin);

            var changes = Set(e, b, out var backup);
            Assert.Equal(new[] { "CookiesSessionOnlyForUrls", "RestoreOnStartup" }, changes.Select(c => c.Setting).OrderBy(x => x));
            Assert.All(changes, c => Assert.Equal(ChangeAction.Changed, c.Action));
            var written = s.Snapshot().Where(kv => !before.TryGetValue(kv.Key, out var old) || old != kv.Value).Select(kv => kv.Key).ToList();
            Assert.Equal(new[] { s.P(managed + "/wa-hardening.json") }, written);
            Assert.Equal(new[] { "site.json", "wa-hardening.json" }, Directory.GetFiles(s.P(managed)).Select(Path.GetFileName).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal("{\"CookiesSessionOnlyForUrls\":[\"https://web.whatsapp.com\"],\"RestoreOnStartup\":5}",
                JsonParser.Parse(s.Read(managed + "/wa-hardening.json")).ToString());

            var after = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.Compliant, after.Status);
            Assert.All(after.Settings, x => Assert.Equal(managed + "/wa-hardening.json: " + x.Name, x.Location));

            e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(before, s.Snapshot());
            Assert.Equal(ComplianceStatus.NonCompliant, e.Test(b.Controls).Single().Status);
        }

        // ------------------------------------------------------------ Windows: HKCU REG_SZ, and no registry at all (-Root)

        private const string ScreenSaverKey = @"Software\Policies\Microsoft\Windows\Control Panel\Desktop";
        private const string ScreenSaveTimeOut = @"{ ""target"": ""Windows"", ""name"": ""ScreenSaveTimeOut"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1, ""maximum"": 599940, ""source"": ""https://e.org"",
            ""registry"": { ""hive"": ""HKCU"", ""key"": ""Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop"", ""value"": ""ScreenSaveTimeOut"", ""kind"": ""REG_SZ"" } }";

        [Fact]
        public void Windows_hkcu_string_value_is_set_read_back_and_undone()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            reg.SetValue("HKCU", ScreenSaverKey, "ScreenSaveActive", new RegistryValue(RegistryKind.String, "1"));
            reg.SetValue("HKCU", ScreenSaverKey, "ScreenSaveTimeOut", new RegistryValue(RegistryKind.String, "900"));
            var before = reg.Dump();
            var e = new Engine(new ProviderContext(s.Root, Platforms.Windows, new RecordingRunner(), reg));
            var b = Baseline(Control("WA-L-01", ScreenSaveTimeOut));
            var r = e.Test(b.Controls).Single().Settings.Single();
            Assert.Equal(ComplianceStatus.NonCompliant, r.Status);
            Assert.Equal("900", r.Actual);
            Assert.Equal(@"HKCU\" + ScreenSaverKey + @"\ScreenSaveTimeOut", r.Location);

            var changes = Set(e, b, out var backup);
            Assert.Equal(ChangeAction.Changed, changes.Single().Action);
            var written = reg.GetValue("HKCU", ScreenSaverKey, "ScreenSaveTimeOut")!;
            Assert.Equal(RegistryKind.String, written.Kind);
            Assert.Equal("300", written.Data);
            Assert.Null(reg.GetValue("HKLM", ScreenSaverKey, "ScreenSaveTimeOut"));
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);

            reg.SetValue("HKCU", ScreenSaverKey, "ScreenSaveTimeOut", new RegistryValue(RegistryKind.String, "120")); // stricter: kept
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);
            Assert.Empty(e.Plan(b.Controls).Changes);
            reg.SetValue("HKCU", ScreenSaverKey, "ScreenSaveTimeOut", new RegistryValue(RegistryKind.String, "300"));

            e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(before, reg.Dump());
        }

        [Fact]
        public void Windows_without_a_registry_reports_each_target_as_error_and_set_stops_before_writing()
        {
            using var s = new Scratch();
            var e = new Engine(new ProviderContext(s.Root, Platforms.Windows, new RecordingRunner(), registry: null));
            var chrome = @"{ ""target"": ""Chrome"", ""name"": ""RestoreOnStartup"", ""type"": ""integer"", ""value"": 5, ""source"": ""https://e.org"" }";
            var phone = @"{ ""target"": ""iOS"", ""name"": ""passcodeRequired"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"", ""compliance"": { ""odataType"": ""#microsoft.graph.iosCompliancePolicy"", ""property"": ""passcodeRequired"" } }";
            var b = Baseline(Control("WA-W-01", chrome, ScreenSaveTimeOut, FirefoxBool("SanitizeOnShutdown.Cookies")) + "," + Control("WA-P-01", phone));
            var results = e.Test(b.Controls).ToList();
            var windows = results.Where(r => r.ControlId == "WA-W-01").ToList();
            Assert.Equal(new[] { "Chrome", "Firefox", "Windows" }, windows.Select(r => r.Target).OrderBy(x => x));
            Assert.All(windows, r =>
            {
                Assert.Equal(ComplianceStatus.Error, r.Status);
                Assert.StartsWith("RegistryUnavailable: ", r.Reason);
                Assert.Contains("-Root", r.Reason);
                Assert.All(r.Settings, x => Assert.Equal(ComplianceStatus.Error, x.Status));
            });
            Assert.Equal(ComplianceStatus.NotApplicable, results.Single(r => r.ControlId == "WA-P-01").Status);

            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(b.Controls));
            Assert.Equal("RegistryUnavailable", ex.ErrorId);
            Assert.Equal(WaErrorCategory.ResourceUnavailable, ex.Category);
            Assert.Contains("Chrome, Firefox, Windows", ex.Message);
            Assert.Contains("Nothing was written", ex.Message);
            Assert.Empty(Directory.GetFileSystemEntries(s.Root));
            Assert.Empty(e.Plan(Baseline(Control("WA-P-01", phone)).Controls).Changes); // nothing registry-based asked for: no error
        }

        // ------------------------------------------------------------ unreadable files (PolicyFileUnreadable)

        [Fact]
        public void A_folder_where_the_firefox_policy_file_belongs_is_unreadable_not_absent()
        {
            using var s = new Scratch();
            Directory.CreateDirectory(s.P(FirefoxFileProvider.PolicyFile));
            var before = s.Snapshot();
            var e = Linux(s);
            var r = e.Test(s_sanitize.Controls).Single();
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.Contains("PolicyFileUnreadable", r.Reason);
            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(s_sanitize.Controls));
            Assert.Equal("PolicyFileUnreadable", ex.ErrorId);
            Assert.Equal(FirefoxFileProvider.PolicyFile, ex.Target);
            Assert.True(Directory.Exists(s.P(FirefoxFileProvider.PolicyFile)));
            Assert.Equal(before, s.Snapshot());
        }

        [Fact]
        public void Text_files_that_are_not_utf8_are_unreadable_naming_the_file_and_nothing_is_written()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/dconf");
            s.Touch("/usr/bin/apt-get");
            var keyfile = "/etc/dconf/db/local.d/00-site";
            Directory.CreateDirectory(Path.GetDirectoryName(s.P(keyfile))!);
            File.WriteAllBytes(s.P(keyfile), new byte[] { (byte)'[', (byte)'a', (byte)']', 10, (byte)'k', (byte)'=', 0xC3, 0x28, 10 }); // C3 28: invalid UTF-8
            var aptConf = "/etc/apt/apt.conf.d/20auto-upgrades";
            Directory.CreateDirectory(Path.GetDirectoryName(s.P(aptConf))!);
            File.WriteAllBytes(s.P(aptConf), new byte[] { (byte)'A', (byte)'P', (byte)'T', (byte)' ', 0xFF, 0xFE, (byte)';', 10 });
            var before = s.Snapshot();
            var e = Linux(s);
            var gnome = @"{ ""target"": ""GNOME"", ""name"": ""org/gnome/desktop/session/idle-delay"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1, ""dconf"": { ""type"": ""uint32"" }, ""source"": ""https://e.org"" }";
            var apt = @"{ ""target"": ""Apt"", ""name"": ""APT::Periodic::Unattended-Upgrade"", ""type"": ""integer"", ""value"": 1, ""compare"": ""atLeast"", ""source"": ""https://e.org"" }";
            var b = Baseline(Control("WA-G-01", gnome) + "," + Control("WA-U-01", apt));

            var results = e.Test(b.Controls).ToDictionary(r => r.Target);
            Assert.Equal(ComplianceStatus.Error, results["GNOME"].Status);
            Assert.Contains("PolicyFileUnreadable", results["GNOME"].Reason);
            Assert.Contains(keyfile, results["GNOME"].Reason);
            Assert.Equal(ComplianceStatus.Error, results["Apt"].Status);
            Assert.Contains("PolicyFileUnreadable", results["Apt"].Reason);
            Assert.Contains(aptConf, results["Apt"].Reason);

            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(b.Controls));
            Assert.Equal("PolicyFileUnreadable", ex.ErrorId);
            Assert.Equal(WaErrorCategory.ReadError, ex.Category);
            Assert.Equal(before, s.Snapshot());
            Assert.Empty(((RecordingRunner)e.Context.Commands).Calls);
        }
    
        // ------------------------------------------------------------ Firefox preferences (the Preferences policy)

        private const string Phishing = @"{ ""target"": ""Firefox"", ""name"": ""browser.safebrowsing.phishing.enabled"", ""type"": ""boolean"", ""value"": true,
            ""firefoxPreference"": { ""status"": ""locked"" }, ""source"": ""https://e.org"" }";
        private const string Malware = @"{ ""target"": ""Firefox"", ""name"": ""browser.safebrowsing.malware.enabled"", ""type"": ""boolean"", ""value"": true,
            ""firefoxPreference"": { ""status"": ""locked"" }, ""source"": ""https://e.org"" }";

        [Fact]
        public void Firefox_preferences_are_written_locked_under_preferences_keeping_foreign_ones_and_their_fields()
        {
            using var s = new Scratch();
            var original = "{ \"policies\": { \"Preferences\": { \"browser.tabs.warnOnClose\": { \"Value\": false, \"Status\": \"locked\" },\n" +
                "  \"browser.safebrowsing.malware.enabled\": { \"Value\": true, \"Status\": \"default\", \"Type\": \"boolean\" } } } }";
            s.Write(FirefoxFileProvider.PolicyFile, original);
            var e = Linux(s);
            var b = Baseline(Control("WA-PH-01", Phishing, Malware));
            var r = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.NonCompliant, r.Status);
            var malware = r.Settings.Single(x => x.Name == "browser.safebrowsing.malware.enabled");
            Assert.Equal("true", malware.Actual);                       // the right value, but not locked
            Assert.Contains("Status \"default\", not \"locked\"", malware.Reason);
            Assert.Equal(FirefoxFileProvider.PolicyFile + ": policies.Preferences[\"browser.safebrowsing.malware.enabled\"]", malware.Location);
            Assert.True(r.Settings.Single(x => x.Name == "browser.safebrowsing.phishing.enabled").NotConfigured);

            Set(e, b, out var backup);
            var prefs = (JsonObject)((JsonObject)((JsonObject)JsonParser.Parse(s.Read(FirefoxFileProvider.PolicyFile)))["policies"]!)["Preferences"]!;
            Assert.Equal("{\"Value\":false,\"Status\":\"locked\"}", prefs["browser.tabs.warnOnClose"]!.ToString());
            Assert.Equal("{\"Value\":true,\"Status\":\"locked\",\"Type\":\"boolean\"}", prefs["browser.safebrowsing.malware.enabled"]!.ToString());
            Assert.Equal("{\"Value\":true,\"Status\":\"locked\"}", prefs["browser.safebrowsing.phishing.enabled"]!.ToString());
            Assert.Null(((JsonObject)((JsonObject)JsonParser.Parse(s.Read(FirefoxFileProvider.PolicyFile)))["policies"]!)["browser"]); // never split at the dots
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);
            Assert.Empty(e.Plan(b.Controls).Changes);

            e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(original, s.Read(FirefoxFileProvider.PolicyFile));
        }

        [Fact]
        public void Firefox_preference_in_the_older_bare_form_is_locked_and_false_is_non_compliant()
        {
            using var s = new Scratch();
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { \"Preferences\": { \"browser.safebrowsing.phishing.enabled\": true, \"browser.safebrowsing.malware.enabled\": { \"Value\": false, \"Status\": \"locked\" } } } }");
            var e = Linux(s);
            var r = e.Test(Baseline(Control("WA-PH-01", Phishing, Malware)).Controls).Single().Settings.ToDictionary(x => x.Name);
            Assert.Equal(ComplianceStatus.Compliant, r["browser.safebrowsing.phishing.enabled"].Status);
            Assert.Equal(ComplianceStatus.NonCompliant, r["browser.safebrowsing.malware.enabled"].Status);
            Assert.Equal("false", r["browser.safebrowsing.malware.enabled"].Actual);
        }

        [Fact]
        public void Firefox_preferences_render_for_windows_linux_export_and_macos_the_same_way()
        {
            var b = Baseline(Control("WA-PH-01", Phishing));
            var s = b.Controls.Single().Settings.Single();
            var reg = RegistryRendering.Render(s);
            // The current Preferences policy (firefox.admx policy "Preferences": multiText valueName Preferences under
            // Software\Policies\Mozilla\Firefox), not the deprecated per-preference DWORDs (firefox.admx "Preferences (Deprecated)").
            Assert.Equal("HKLM", reg.Hive);
            Assert.Equal(@"Software\Policies\Mozilla\Firefox", reg.Key);
            Assert.Equal("Preferences", reg.ValueName);
            Assert.Equal("browser.safebrowsing.phishing.enabled", reg.JsonMember);
            Assert.Equal(RegistryKind.MultiString, reg.Kind);
            Assert.Equal(new[] { "{\"browser.safebrowsing.phishing.enabled\":{\"Value\":true,\"Status\":\"locked\"}}" }, (string[])reg.Data!);
            Assert.Equal("{\"Preferences\":{\"browser.safebrowsing.phishing.enabled\":{\"Value\":true,\"Status\":\"locked\"}}}",
                WaHardening.Core.Intune.IntuneExporter.NestDotted(new[] { s }).ToString());
            var where = SettingLocations.Describe(s).Select(l => l.Where).ToList();
            Assert.Contains(where, w => w.Contains("policies.Preferences[\"browser.safebrowsing.phishing.enabled\"]"));
            Assert.Contains(where, w => w.EndsWith("org.mozilla.firefox → Preferences/browser.safebrowsing.phishing.enabled", StringComparison.Ordinal));

            var winReg = new InMemoryRegistry();
            winReg.SetValue("HKLM", @"Software\Policies\Mozilla\Firefox", "DisableAppUpdate", new RegistryValue(RegistryKind.DWord, 0u));
            // A foreign preference already in the JSON value stays.
            winReg.SetValue("HKLM", @"Software\Policies\Mozilla\Firefox", "Preferences",
                new RegistryValue(RegistryKind.MultiString, new[] { "{ \"accessibility.force_disabled\": { \"Value\": 1, \"Status\": \"default\" } }" }));
            using var scratch = new Scratch();
            var e = new Engine(new ProviderContext(scratch.Root, Platforms.Windows, new RecordingRunner(), winReg));
            Assert.Equal(ComplianceStatus.NonCompliant, e.Test(b.Controls).Single().Status);
            Set(e, b, out _);
            var json = (JsonObject)JsonParser.Parse(string.Join("\n", (string[])winReg.GetValue("HKLM", @"Software\Policies\Mozilla\Firefox", "Preferences")!.Data!));
            Assert.Equal("{\"Value\":true,\"Status\":\"locked\"}", json["browser.safebrowsing.phishing.enabled"]!.ToString());
            Assert.Equal("{\"Value\":1,\"Status\":\"default\"}", json["accessibility.force_disabled"]!.ToString());
            Assert.Empty(winReg.GetValueNames("HKLM", @"Software\Policies\Mozilla\Firefox\Preferences"));
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);
        }

        [Fact]
        public void Firefox_preferences_on_windows_the_deprecated_per_preference_dword_is_not_compliant_and_is_replaced()
        {
            var b = Baseline(Control("WA-PH-01", Phishing, Malware));
            var winReg = new InMemoryRegistry();
            // The deprecated form: right value, but Mozilla says it keeps the Preferences policy from working.
            winReg.SetValue("HKLM", @"SOFTWARE\Policies\Mozilla\Firefox\Preferences", "browser.safebrowsing.phishing.enabled", new RegistryValue(RegistryKind.DWord, 1u));
            using var scratch = new Scratch();
            var e = new Engine(new ProviderContext(scratch.Root, Platforms.Windows, new RecordingRunner(), winReg));
            var before = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.NonCompliant, before.Status);
            Assert.Contains("deprecated", before.Settings.Single(x => x.Name == "browser.safebrowsing.phishing.enabled").Reason);
            Set(e, b, out _);
            Assert.Empty(winReg.GetValueNames("HKLM", @"SOFTWARE\Policies\Mozilla\Firefox\Preferences"));
            var json = (JsonObject)JsonParser.Parse(string.Join("\n", (string[])winReg.GetValue("HKLM", @"SOFTWARE\Policies\Mozilla\Firefox", "Preferences")!.Data!));
            Assert.Equal(2, json.Count);
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);

            // The one-line twin (PreferencesOneLine, REG_SZ) is read too.
            var oneLine = new InMemoryRegistry();
            oneLine.SetValue("HKLM", @"SOFTWARE\Policies\Mozilla\Firefox", "Preferences", new RegistryValue(RegistryKind.String,
                "{\"browser.safebrowsing.phishing.enabled\":{\"Value\":true,\"Status\":\"locked\"},\"browser.safebrowsing.malware.enabled\":{\"Value\":true,\"Status\":\"locked\"}}"));
            using var scratch2 = new Scratch();
            Assert.Equal(ComplianceStatus.Compliant, new Engine(new ProviderContext(scratch2.Root, Platforms.Windows, new RecordingRunner(), oneLine)).Test(b.Controls).Single().Status);

            // A deprecated value of a preference that is not the baseline's: not ours to clear; writing the JSON policy next to
            // it would leave Firefox ignoring it, so nothing is written.
            var foreign = new InMemoryRegistry();
            foreign.SetValue("HKLM", @"SOFTWARE\Policies\Mozilla\Firefox\Preferences", "browser.tabs.warnOnClose", new RegistryValue(RegistryKind.DWord, 0u));
            using var scratch3 = new Scratch();
            var e3 = new Engine(new ProviderContext(scratch3.Root, Platforms.Windows, new RecordingRunner(), foreign));
            var ex = Assert.Throws<WaHardeningException>(() => Set(e3, b, out _));
            Assert.Equal("PolicyFormConflict", ex.ErrorId);
            Assert.Contains("browser.tabs.warnOnClose", ex.Message);
            Assert.Null(foreign.GetValue("HKLM", @"SOFTWARE\Policies\Mozilla\Firefox", "Preferences"));
        }

        [Fact]
        public void The_loader_checks_the_firefox_preference_section()
        {
            var wrongStatus = Phishing.Replace("\"locked\"", "\"default\"");
            var wrongTarget = Phishing.Replace("\"Firefox\"", "\"Chrome\"");
            var list = @"{ ""target"": ""Firefox"", ""name"": ""browser.x"", ""type"": ""stringList"", ""value"": [""a""], ""compare"": ""superset"", ""firefoxPreference"": { ""status"": ""locked"", ""extra"": 1 }, ""source"": ""https://e.org"" }";
            var ex = Assert.Throws<BaselineValidationException>(() => Baseline(Control("WA-PH-01", wrongStatus, wrongTarget, list)));
            var text = string.Join("\n", ex.Problems);
            Assert.Contains("firefoxPreference.status: 'default' must be \"locked\"", text);
            Assert.Contains("firefoxPreference: applies to target Firefox only, not Chrome", text);
            Assert.Contains("not a stringList", text);
            Assert.Contains("extra", text);
        }
}
}
