using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WaHardening.Core.Audit;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>The Linux readers and the auditor against scratch roots that mimic /etc.</summary>
    public sealed class AuditTests : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("wah-audit-").FullName;
        public void Dispose() => Directory.Delete(_root, true);

        private void Write(string path, string text)
        {
            var full = Path.Combine(_root, path.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        private static Baseline Default => BaselineLoader.Load(BaselineLoaderTests.DefaultPath);

        private List<ComplianceResult> Audit(string profile = "SharedComputer", Dictionary<string, object?>? parameters = null) =>
            new Auditor(Auditor.ForThisMachine(_root), "test", () => DateTimeOffset.UnixEpoch)
                .Audit(Default.WithParameters(parameters).ControlsFor(profile)).ToList();

        private static ComplianceResult One(IEnumerable<ComplianceResult> results, string id, string target) =>
            results.Single(r => r.ControlId == id && r.Target == target);

        [Fact]
        public void Absent_browsers_are_not_applicable_and_advice_is_advisory()
        {
            var results = Audit();
            Assert.All(results.Where(r => r.Target is "Chrome" or "Chromium" or "Edge" or "Firefox" or "GNOME"), r => Assert.Equal(ComplianceStatus.NotApplicable, r.Status));
            Assert.All(results.Where(r => r.Target is "iOS" or "Android"), r => Assert.Equal(ComplianceStatus.NotApplicable, r.Status));
            var advice = results.Where(r => r.ControlId.StartsWith("WA-ADVICE-")).ToList();
            Assert.Equal(3, advice.Count);
            Assert.All(advice, r => { Assert.Equal(ComplianceStatus.Advisory, r.Status); Assert.False(string.IsNullOrEmpty(r.Guidance)); });
            Assert.DoesNotContain(results, r => r.Target == "Guidance" && r.Status == ComplianceStatus.Compliant);
        }

        [Fact]
        public void Chromium_policy_merged_from_every_managed_file_with_its_origin()
        {
            Write("/usr/bin/chromium", "");
            Write("/etc/chromium/policies/managed/00-other.json", "{ \"RestoreOnStartup\": 4, \"CookiesSessionOnlyForUrls\": [\"[*.]whatsapp.com\"] }");
            Write("/etc/chromium/policies/managed/wa-hardening.json",
                "{ \"CookiesSessionOnlyForUrls\": [\"https://web.whatsapp.com\", \"[*.]whatsapp.com\", \"[*.]whatsapp.net\", \"https://extra.example\"], \"BackgroundModeEnabled\": false }");
            var results = Audit();
            var session = One(results, "WA-SESSION-01", "Chromium");
            // The first file in name order wins in this reader: 00-other.json holds only one origin.
            Assert.Equal(ComplianceStatus.NonCompliant, session.Status);
            var detail = session.Settings.Single();
            Assert.Equal("/etc/chromium/policies/managed/00-other.json", detail.Origin);
            Assert.Contains("lacks https://web.whatsapp.com", detail.Reason);

            var restore = One(results, "WA-SESSION-02", "Chromium");
            Assert.Equal(ComplianceStatus.Compliant, restore.Status); // 4 is accepted (stricter-or-equal choice)
            Assert.Equal(ComplianceStatus.Compliant, One(results, "WA-SESSION-03", "Chromium").Status);
            Assert.Null(One(results, "WA-SESSION-03", "Chromium").Settings.Single().Origin); // from our own file
        }

        [Fact]
        public void Superset_list_with_extra_entries_is_compliant()
        {
            Write("/usr/bin/chromium", "");
            Write("/etc/chromium/policies/managed/wa-hardening.json",
                "{ \"CookiesSessionOnlyForUrls\": [\"https://web.whatsapp.com\", \"[*.]whatsapp.com\", \"[*.]WhatsApp.net\", \"https://extra.example\"] }");
            Assert.Equal(ComplianceStatus.Compliant, One(Audit(), "WA-SESSION-01", "Chromium").Status);
        }

        [Fact]
        public void Invalid_json_in_a_managed_file_is_an_error_naming_the_file()
        {
            Write("/usr/bin/chromium", "");
            Write("/etc/chromium/policies/managed/broken.json", "{ \"A\": 1,, }");
            var r = One(Audit(), "WA-SESSION-01", "Chromium");
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.Contains("broken.json", r.Reason);
            Assert.Contains("line 1, column 10", r.Reason);
        }

        [Fact]
        public void Firefox_dotted_names_address_nested_policies()
        {
            Write("/usr/bin/firefox-esr", "");
            Write("/etc/firefox/policies/policies.json",
                "{ \"policies\": { \"HttpsOnlyMode\": \"force_enabled\", \"DisableSecurityBypass\": { \"SafeBrowsing\": true, \"InvalidCertificate\": false }, \"DisableAppUpdate\": true } }");
            var results = Audit();
            Assert.Equal(ComplianceStatus.Compliant, One(results, "WA-PHISH-02", "Firefox").Status);
            var phish = One(results, "WA-PHISH-01", "Firefox");
            Assert.Equal(ComplianceStatus.NonCompliant, phish.Status);
            Assert.Contains("DisableSecurityBypass.InvalidCertificate is false, must be true", phish.Reason);
            var update = One(results, "WA-UPDATE-01", "Firefox");
            Assert.Equal(ComplianceStatus.NonCompliant, update.Status);    // updates disabled
            Assert.Contains("AppAutoUpdate", update.Actual);                  // absent: the default applies
            Assert.Equal(ComplianceStatus.Compliant, update.Settings.Single(s => s.Name == "AppAutoUpdate").Status);
        }

        [Theory]
        [InlineData("uint32 120", ComplianceStatus.Compliant)]   // stricter than 300
        [InlineData("uint32 300", ComplianceStatus.Compliant)]
        [InlineData("uint32 600", ComplianceStatus.NonCompliant)]
        [InlineData("uint32 0", ComplianceStatus.NonCompliant)]  // never
        public void Gnome_idle_delay_stricter_wins(string value, ComplianceStatus expected)
        {
            Write("/usr/bin/gnome-shell", "");
            Write("/etc/dconf/db/local.d/00-site", $"# site\n[org/gnome/desktop/session]\nidle-delay={value}\n");
            Write("/etc/dconf/db/local.d/50-wa-hardening", "[org/gnome/desktop/screensaver]\nlock-enabled=true\nlock-delay=uint32 0\n");
            var results = Audit();
            var r = One(results, "WA-LOCK-01", "GNOME");
            Assert.Equal(expected, r.Status);
            Assert.Equal("/etc/dconf/db/local.d/00-site", r.Settings.Single().Origin);
            Assert.Equal(ComplianceStatus.Compliant, One(results, "WA-LOCK-02", "GNOME").Status);
        }

        [Fact]
        public void Gnome_timeout_follows_the_parameter()
        {
            Write("/usr/bin/gnome-shell", "");
            Write("/etc/dconf/db/local.d/00-site", "[org/gnome/desktop/session]\nidle-delay=uint32 300\n");
            var r = One(Audit("Standard", new Dictionary<string, object?> { ["IdleTimeoutSeconds"] = 120 }), "WA-LOCK-01", "GNOME");
            Assert.Equal(ComplianceStatus.NonCompliant, r.Status);
            Assert.Contains("must be at most 120", r.Reason);
        }

        [Fact]
        public void Malformed_dconf_keyfile_is_an_error_naming_the_file_and_line()
        {
            Write("/usr/bin/gnome-shell", "");
            Write("/etc/dconf/db/local.d/10-bad", "[org/gnome/desktop/session]\nidle-delay\n");
            var r = One(Audit(), "WA-LOCK-01", "GNOME");
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.Contains("10-bad", r.Reason);
            Assert.Contains("line 2", r.Reason);
        }

        [Fact]
        public void Apt_periodic_settings_last_file_wins_and_comments_are_ignored()
        {
            Write("/usr/bin/apt-get", "");
            Write("/etc/apt/apt.conf.d/10periodic", "APT::Periodic::Update-Package-Lists \"0\";\n");
            Write("/etc/apt/apt.conf.d/20auto-upgrades", "// enabled by admin\nAPT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\"; /* daily */\n");
            var r = One(Audit(), "WA-UPDATE-01", "Apt");
            Assert.Equal(ComplianceStatus.Compliant, r.Status);
            Write("/etc/apt/apt.conf.d/99off", "APT::Periodic::Unattended-Upgrade \"0\";\n");
            Assert.Equal(ComplianceStatus.NonCompliant, One(Audit(), "WA-UPDATE-01", "Apt").Status);
        }

        [Theory]
        [InlineData("true", "true")]
        [InlineData("uint32 300", "300")]
        [InlineData("-5", "-5")]
        [InlineData("'ab\\'c'", "\"ab'c\"")]
        public void GVariant_text_forms(string text, string json) =>
            Assert.Equal(json, DconfReader.ParseGVariant(text, "f").ToString());

        [Fact]
        public void Unknown_gvariant_is_a_typed_error() =>
            Assert.Equal("PolicyFileInvalid", Assert.Throws<WaHardeningException>(() => DconfReader.ParseGVariant("@as []", "f")).ErrorId);
    }
}
