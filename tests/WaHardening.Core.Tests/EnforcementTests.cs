using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>Records commands instead of running them; "dconf update" touches the compiled database like the real one.</summary>
    internal sealed class RecordingRunner : ICommandRunner
    {
        public bool HasDconf { get; set; } = true;
        public List<string> Calls { get; } = new List<string>();
        public bool Exists(string program) => program != "dconf" || HasDconf;
        public CommandResult Run(string program, IReadOnlyList<string> arguments)
        {
            Calls.Add(program + " " + string.Join(" ", arguments));
            if (program == "dconf" && arguments[0] == "update")
                File.WriteAllText(Path.Combine(arguments[1], "local"), "compiled " + DateTime.UtcNow.Ticks);
            return new CommandResult(0, "", "");
        }
    }

    public sealed class Scratch : IDisposable
    {
        public Scratch() { Root = Path.Combine(Path.GetTempPath(), "wah-" + Guid.NewGuid().ToString("N")); Directory.CreateDirectory(Root); }
        public string Root { get; }
        public string P(string real) => Path.Combine(Root, real.TrimStart('/'));
        public void Write(string real, string text) { Directory.CreateDirectory(Path.GetDirectoryName(P(real))!); File.WriteAllText(P(real), text); }
        public void Touch(string real) => Write(real, "");
        public string Read(string real) => File.ReadAllText(P(real));
        public bool Exists(string real) => File.Exists(P(real));
        /// <summary>Every file under the root with its bytes (lock file and backups excluded).</summary>
        public Dictionary<string, string> Snapshot() => Directory.GetFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("wa-hardening" + Path.DirectorySeparatorChar + "backups") && !f.EndsWith("wa-hardening.lock", StringComparison.Ordinal))
            .ToDictionary(f => f, f => Convert.ToBase64String(File.ReadAllBytes(f)));
        public void Dispose() { try { Directory.Delete(Root, true); } catch (IOException) { } }
    }

    public class EnforcementTests
    {
        internal static Baseline Baseline(string controls, string parameters = "") => BaselineLoader.Parse($@"{{ ""schemaVersion"": 1, ""name"": ""t"", ""version"": ""1"",
  ""profiles"": {{ ""Standard"": {{ ""description"": ""s"" }} }}, ""parameters"": {{ {parameters} }}, ""controls"": [ {controls} ] }}", "t.json");

        internal static string Control(string id, params string[] settings) =>
            $@"{{ ""id"": ""{id}"", ""title"": ""t"", ""category"": ""C"", ""severity"": ""High"", ""profiles"": [""Standard""], ""rationale"": ""r"", ""settings"": [ {string.Join(",", settings)} ] }}";

        private const string ChromiumList = @"{ ""target"": ""Chromium"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";
        private const string ChromiumRestore = @"{ ""target"": ""Chromium"", ""name"": ""RestoreOnStartup"", ""type"": ""integer"", ""value"": 5, ""compare"": ""oneOf"", ""accept"": [4, 5], ""source"": ""https://e.org"" }";
        private const string FirefoxAllow = @"{ ""target"": ""Firefox"", ""name"": ""Cookies.AllowSession"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";
        private const string FirefoxSanitize = @"{ ""target"": ""Firefox"", ""name"": ""SanitizeOnShutdown.Cookies"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"" }";
        private const string GnomeIdle = @"{ ""target"": ""GNOME"", ""name"": ""org/gnome/desktop/session/idle-delay"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1, ""dconf"": { ""type"": ""uint32"" }, ""source"": ""https://e.org"" }";
        private const string GnomeLock = @"{ ""target"": ""GNOME"", ""name"": ""org/gnome/desktop/screensaver/lock-enabled"", ""type"": ""boolean"", ""value"": true, ""dconf"": { ""type"": ""boolean"" }, ""source"": ""https://e.org"" }";
        private const string AptUnattended = @"{ ""target"": ""Apt"", ""name"": ""APT::Periodic::Unattended-Upgrade"", ""type"": ""integer"", ""value"": 1, ""compare"": ""atLeast"", ""source"": ""https://e.org"" }";

        private static (Engine, RecordingRunner) Linux(Scratch s)
        {
            var runner = new RecordingRunner();
            return (new Engine(new ProviderContext(s.Root, Platforms.Linux, runner)), runner);
        }

        private static IReadOnlyList<ChangeRecord> Set(Engine e, Baseline b, out string? backup, string? backupPath = null)
        {
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                return e.Apply(e.Plan(b.Controls), backupPath, out backup);
        }

        [Fact]
        public void Chromium_writes_only_its_own_file_and_reads_the_effective_value_across_files()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            s.Write("/etc/chromium/policies/managed/00-site.json", "{ \"HomepageLocation\": \"https://intranet\", \"RestoreOnStartup\": 1 }");
            var foreign = s.Read("/etc/chromium/policies/managed/00-site.json");
            var (e, _) = Linux(s);
            var b = Baseline(Control("WA-A-01", ChromiumList, ChromiumRestore));

            var before = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.NonCompliant, before.Status);
            var restore = before.Settings.Single(x => x.Name == "RestoreOnStartup");
            Assert.Equal("1", restore.Actual);
            Assert.EndsWith("00-site.json", restore.Origin);
            Assert.True(before.Settings.Single(x => x.Name == "CookiesSessionOnlyForUrls").NotConfigured);

            var changes = Set(e, b, out var backup);
            Assert.All(changes, c => Assert.Equal(ChangeAction.Changed, c.Action));
            Assert.NotNull(backup);
            Assert.Equal(foreign, s.Read("/etc/chromium/policies/managed/00-site.json"));
            var own = (JsonObject)JsonParser.Parse(s.Read("/etc/chromium/policies/managed/wa-hardening.json"));
            Assert.Equal("5", own["RestoreOnStartup"]!.ToString());
            var after = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.Compliant, after.Status);
            Assert.Null(after.Settings.Single(x => x.Name == "RestoreOnStartup").Origin); // wa-hardening.json sorts after 00-site.json and wins
        }

        [Fact]
        public void Stricter_or_larger_values_are_compliant_and_never_rewritten()
        {
            using var s = new Scratch();
            s.Write("/etc/chromium/policies/managed/zz-site.json", "{ \"CookiesSessionOnlyForUrls\": [\"https://a.example\", \"https://web.whatsapp.com\"], \"RestoreOnStartup\": 4 }");
            var (e, _) = Linux(s);
            var b = Baseline(Control("WA-A-01", ChromiumList, ChromiumRestore));
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);
            var plan = e.Plan(b.Controls);
            Assert.Empty(plan.Changes);
            Assert.Empty(plan.Operations);
            Assert.False(s.Exists("/etc/chromium/policies/managed/wa-hardening.json"));
        }

        [Fact]
        public void A_foreign_file_that_is_not_json_is_a_clear_error_and_nothing_is_written()
        {
            using var s = new Scratch();
            s.Write("/etc/chromium/policies/managed/broken.json", "{ \"RestoreOnStartup\": ");
            var (e, _) = Linux(s);
            var b = Baseline(Control("WA-A-01", ChromiumRestore));
            var r = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.Contains("broken.json", r.Reason);
            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(b.Controls));
            Assert.Equal("ForeignPolicyFileInvalid", ex.ErrorId);
            Assert.Contains("/etc/chromium/policies/managed/broken.json", ex.Message);
            Assert.False(s.Exists("/etc/chromium/policies/managed/wa-hardening.json"));
        }

        [Fact]
        public void A_foreign_chromium_file_with_comments_and_trailing_commas_is_read_as_chromium_reads_it()
        {
            // Debian Chromium lists these policies with status OK (tests/pester/RealPeers.Tests.ps1 reads chrome://policy).
            using var s = new Scratch();
            s.Write("/etc/chromium/policies/managed/site.json", "{\n  // set by the site\n  \"RestoreOnStartup\": 4, /* ok */\n  \"X\": [1, 2,],\n}\n");
            var (e, _) = Linux(s);
            var r = e.Test(Baseline(Control("WA-A-01", ChromiumRestore)).Controls).Single();
            Assert.Equal(ComplianceStatus.Compliant, r.Status);
            Assert.Equal("4", r.Settings.Single().Actual);
        }

        [Fact]
        public void Absent_browsers_other_platforms_and_phones_are_not_applicable_and_advice_is_advisory()
        {
            using var s = new Scratch();
            var (e, _) = Linux(s);
            var b = Baseline(string.Join(",", Control("WA-A-01", ChromiumRestore),
                Control("WA-B-01", @"{ ""target"": ""Windows"", ""name"": ""InactivityTimeoutSecs"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1, ""source"": ""https://e.org"",
                    ""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"", ""value"": ""InactivityTimeoutSecs"", ""kind"": ""REG_DWORD"" } }"),
                Control("WA-C-01", @"{ ""target"": ""iOS"", ""name"": ""passcodeMinutesOfInactivityBeforeLock"", ""type"": ""integer"", ""value"": 5, ""source"": ""https://e.org"", ""compliance"": { ""odataType"": ""#microsoft.graph.iosCompliancePolicy"" } }"),
                @"{ ""id"": ""WA-D-01"", ""title"": ""t"", ""category"": ""C"", ""severity"": ""Low"", ""profiles"": [""Standard""], ""rationale"": ""r"", ""advisory"": true, ""guidance"": ""Log out linked devices."" }"));
            var results = e.Test(b.Controls).ToDictionary(r => r.ControlId);
            Assert.Equal(ComplianceStatus.NotApplicable, results["WA-A-01"].Status);
            Assert.Contains("not installed", results["WA-A-01"].Reason);
            Assert.Equal(ComplianceStatus.NotApplicable, results["WA-B-01"].Status);
            Assert.Equal(ComplianceStatus.NotApplicable, results["WA-C-01"].Status);
            Assert.Contains("Intune", results["WA-C-01"].Reason);
            Assert.Equal(ComplianceStatus.Advisory, results["WA-D-01"].Status);
            Assert.Equal("Log out linked devices.", results["WA-D-01"].Guidance);
            Assert.Empty(e.Plan(b.Controls).Changes);
        }

        [Fact]
        public void Firefox_policies_are_merged_keeping_other_policies_order_and_number_text()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/firefox-esr");
            var original = "{\n  \"policies\": {\n    \"DisableAppUpdate\": true,\n    \"Cookies\": { \"Behavior\": \"reject-tracker\", \"AllowSession\": [\"https://a.example\"] },\n    \"Weird\": 1.50\n  },\n  \"other\": 1e3\n}";
            s.Write(FirefoxFileProvider.PolicyFile, original);
            var (e, _) = Linux(s);
            var b = Baseline(Control("WA-F-01", FirefoxAllow, FirefoxSanitize));
            Assert.Equal(ComplianceStatus.NonCompliant, e.Test(b.Controls).Single().Status);
            Set(e, b, out _);
            var doc = (JsonObject)JsonParser.Parse(s.Read(FirefoxFileProvider.PolicyFile));
            var policies = (JsonObject)doc["policies"]!;
            Assert.Equal(new[] { "DisableAppUpdate", "Cookies", "Weird", "SanitizeOnShutdown" }, policies.Properties.Select(p => p.Key));
            Assert.Equal("1.50", ((JsonNumber)policies["Weird"]!).Raw);
            Assert.Equal("1e3", ((JsonNumber)doc["other"]!).Raw);
            var cookies = (JsonObject)policies["Cookies"]!;
            Assert.Equal("\"reject-tracker\"", cookies["Behavior"]!.ToString());
            Assert.Equal("[\"https://a.example\",\"https://web.whatsapp.com\"]", cookies["AllowSession"]!.ToString());
            Assert.Equal("{\"Cookies\":true}", policies["SanitizeOnShutdown"]!.ToString());
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);
        }

        [Fact]
        public void Firefox_invalid_json_names_file_line_and_column_and_writes_nothing()
        {
            using var s = new Scratch();
            s.Write(FirefoxFileProvider.PolicyFile, "{\n  \"policies\": {\n    \"A\": tru\n  }\n}");
            var before = s.Snapshot();
            var (e, _) = Linux(s);
            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(Baseline(Control("WA-F-01", FirefoxSanitize)).Controls));
            Assert.Equal("PolicyFileInvalid", ex.ErrorId);
            Assert.Contains(FirefoxFileProvider.PolicyFile, ex.Message);
            Assert.Contains("line 3, column", ex.Message);
            Assert.Equal(before, s.Snapshot());
        }

        [Fact]
        public void Gnome_writes_keyfile_locks_profile_and_runs_dconf_update_under_the_root()
        {
            using var s = new Scratch();
            Directory.CreateDirectory(s.P("/etc/dconf/db"));
            s.Write(DconfProvider.Profile, "user-db:user");
            var (e, runner) = Linux(s);
            var b = Baseline(Control("WA-L-01", GnomeIdle, GnomeLock));
            Assert.Equal(ComplianceStatus.NonCompliant, e.Test(b.Controls).Single().Status);
            var changes = Set(e, b, out _);
            Assert.All(changes, c => Assert.Equal(ChangeAction.Changed, c.Action));
            Assert.Equal(new[] { "dconf update " + s.P("/etc/dconf/db") }, runner.Calls);
            var keyfile = s.Read(DconfProvider.OwnKeyfile);
            Assert.Contains("[org/gnome/desktop/session]\nidle-delay=uint32 300\n", keyfile);
            Assert.Contains("[org/gnome/desktop/screensaver]\nlock-enabled=true\n", keyfile);
            Assert.Equal("/org/gnome/desktop/session/idle-delay\n/org/gnome/desktop/screensaver/lock-enabled\n", s.Read(DconfProvider.OwnLocks));
            Assert.Equal("user-db:user\nsystem-db:local\n", s.Read(DconfProvider.Profile));
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);
            // Second run: nothing to do.
            Assert.Empty(e.Plan(b.Controls).Changes);
        }

        [Fact]
        public void Gnome_reports_the_foreign_keyfile_an_unlocked_key_and_a_missing_dconf()
        {
            using var s = new Scratch();
            s.Write("/etc/dconf/db/local.d/00-site", "[org/gnome/desktop/session]\nidle-delay=uint32 120\n");
            s.Write(DconfProvider.Profile, "user-db:user\nsystem-db:local\n");
            s.Write(DconfProvider.Database, "x");
            File.SetLastWriteTimeUtc(s.P(DconfProvider.Database), DateTime.UtcNow.AddMinutes(1));
            var runner = new RecordingRunner { HasDconf = false };
            var e = new Engine(new ProviderContext(s.Root, Platforms.Linux, runner));
            var b = Baseline(Control("WA-L-01", GnomeIdle));
            var r = e.Test(b.Controls).Single().Settings.Single();
            Assert.Equal("120", r.Actual);
            Assert.EndsWith("00-site", r.Origin);
            Assert.Equal(ComplianceStatus.NonCompliant, r.Status); // stricter, but not locked
            Assert.Contains("not locked", r.Reason);
            var before = s.Snapshot();
            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(b.Controls));
            Assert.Equal("DconfNotFound", ex.ErrorId);
            Assert.Equal(before, s.Snapshot());
        }

        [Theory]
        [InlineData("uint32 300", "300")]
        [InlineData("true", "true")]
        [InlineData("'it\\'s'", "\"it's\"")]
        [InlineData("['a', 'b']", "[\"a\",\"b\"]")]
        [InlineData("@as []", "[]")]
        [InlineData("-5", "-5")]
        public void GVariant_text_is_parsed(string text, string json) => Assert.Equal(json, DconfProvider.ParseValue(text).ToString());

        [Fact]
        public void GVariant_text_is_formatted()
        {
            Assert.Equal("uint32 300", DconfProvider.Format("uint32", new JsonNumber(300)));
            Assert.Equal("true", DconfProvider.Format("boolean", new JsonBoolean(true)));
            Assert.Equal("'it\\'s'", DconfProvider.Format("string", new JsonString("it's")));
            Assert.Equal("['a', 'b']", DconfProvider.Format("as", JsonValue.From(new[] { "a", "b" })));
        }

        [Fact]
        public void Apt_reads_nested_and_flat_syntax_in_apt_order_and_is_audit_only()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/apt-get");
            s.Write("/etc/apt/apt.conf.d/20auto-upgrades", "// comment\nAPT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n");
            s.Write("/etc/apt/apt.conf.d/50site", "APT {\n  Periodic {\n    /* turned off */ Unattended-Upgrade \"0\";\n  };\n};\n");
            s.Write("/etc/apt/apt.conf.d/99ignored.bak", "APT::Periodic::Unattended-Upgrade \"1\";");
            var (e, _) = Linux(s);
            var b = Baseline(Control("WA-U-01", AptUnattended));
            var r = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.NonCompliant, r.Status);
            Assert.Equal("0", r.Actual);
            Assert.EndsWith("50site", r.Settings.Single().Origin);
            var plan = e.Plan(b.Controls);
            Assert.Empty(plan.Changes);
            Assert.Equal(ChangeAction.NotEnforced, plan.NotEnforced.Single().Action);

            File.Delete(s.P("/usr/bin/apt-get"));
            Assert.Equal(ComplianceStatus.NotApplicable, e.Test(b.Controls).Single().Status);
        }

        [Fact]
        public void Undo_restores_files_byte_for_byte_and_removes_what_did_not_exist()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            s.Touch("/usr/bin/firefox");
            s.Write(FirefoxFileProvider.PolicyFile, "{\"policies\":{\"DisableAppUpdate\":true}}   \r\n");
            var before = s.Snapshot();
            var (e, _) = Linux(s);
            var b = Baseline(Control("WA-A-01", ChromiumList, FirefoxSanitize));
            Set(e, b, out var backup);
            Assert.NotEqual(before, s.Snapshot());

            var doc = BackupDocument.Load(backup!);
            Assert.Equal(s.Root, doc.Root);
            var restored = e.Restore(doc, backup!);
            Assert.Equal(2, restored.Count);
            Assert.Equal(before, s.Snapshot());
            Assert.False(Directory.Exists(s.P("/etc/chromium")));  // folders the run created are gone again
        }

        [Fact]
        public void A_second_run_writes_nothing_and_keeps_mtimes()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            var (e, _) = Linux(s);
            var b = Baseline(Control("WA-A-01", ChromiumList, ChromiumRestore));
            Set(e, b, out var first);
            Assert.NotNull(first);
            var file = s.P("/etc/chromium/policies/managed/wa-hardening.json");
            var mtime = File.GetLastWriteTimeUtc(file);
            var backups = Directory.GetFiles(e.Context.DefaultBackupDirectory).Length;
            var again = Set(e, b, out var second);
            Assert.Empty(again);
            Assert.Null(second);
            Assert.Equal(mtime, File.GetLastWriteTimeUtc(file));
            Assert.Equal(backups, Directory.GetFiles(e.Context.DefaultBackupDirectory).Length);
        }

        [Fact]
        public void A_failure_in_the_second_provider_rolls_back_the_first()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            s.Touch("/usr/bin/firefox");
            s.Write("/etc/chromium/policies/managed/wa-hardening.json", "{\"Old\": 1}");
            var before = s.Snapshot();
            var (e, _) = Linux(s);
            e.Context.BeforeApply = op =>
            {
                if (op.Location == FirefoxFileProvider.PolicyFile) throw new IOException("disk full (injected)");
            };
            var b = Baseline(Control("WA-A-01", ChromiumList, FirefoxSanitize));
            var ex = Assert.Throws<WaHardeningException>(() => Set(e, b, out _));
            Assert.Equal("EnforcementFailed", ex.ErrorId);
            Assert.Contains("rolled back", ex.Message);
            Assert.Equal(before, s.Snapshot());
        }

        [Fact]
        public void A_corrupt_backup_is_a_typed_error_and_nothing_is_restored()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            var (e, _) = Linux(s);
            Set(e, Baseline(Control("WA-A-01", ChromiumList)), out var backup);
            var text = File.ReadAllText(backup!);
            var tampered = Path.Combine(s.Root, "tampered.json");
            File.WriteAllText(tampered, text.Replace("\"existed\": false", "\"existed\": true, \"content\": \"AAAA\", \"sha256\": \"00\""));
            Assert.Equal("BackupInvalid", Assert.Throws<WaHardeningException>(() => BackupDocument.Load(tampered)).ErrorId);
            File.WriteAllText(tampered, text.Substring(0, text.Length / 2));
            var ex = Assert.Throws<WaHardeningException>(() => BackupDocument.Load(tampered));
            Assert.Equal("BackupInvalid", ex.ErrorId);
            Assert.Contains("line", ex.Message);
            Assert.True(s.Exists("/etc/chromium/policies/managed/wa-hardening.json"));
        }

        [Fact]
        public async Task Two_concurrent_runs_do_not_corrupt_the_file()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            var tasks = Enumerable.Range(0, 4).Select(i => Task.Run(() =>
            {
                var (e, _) = Linux(s);
                var b = Baseline(Control("WA-A-01", ChromiumList.Replace("https://web.whatsapp.com", "https://site" + i + ".example")));
                for (var k = 0; k < 5; k++) Set(e, b, out _);
            })).ToArray();
            await Task.WhenAll(tasks);
            var doc = (JsonObject)JsonParser.Parse(s.Read("/etc/chromium/policies/managed/wa-hardening.json"));
            var list = ((JsonArray)doc["CookiesSessionOnlyForUrls"]!).Items.Select(x => ((JsonString)x).Value).OrderBy(x => x);
            Assert.Equal(Enumerable.Range(0, 4).Select(i => "https://site" + i + ".example"), list); // union: no run lost another's entry
        }

        // ------------------------------------------------------------ Windows (in-memory registry)

        private const string ChromeList = @"{ ""target"": ""Chrome"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com"", ""[*.]whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";
        private const string Inactivity = @"{ ""target"": ""Windows"", ""name"": ""InactivityTimeoutSecs"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1, ""source"": ""https://e.org"",
            ""omaUri"": ""./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/InteractiveLogon_MachineInactivityLimit"",
            ""registry"": { ""hive"": ""HKLM"", ""key"": ""SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"", ""value"": ""InactivityTimeoutSecs"", ""kind"": ""REG_DWORD"" } }";
        private const string ChromeKey = @"Software\Policies\Google\Chrome";

        internal static Engine Windows(InMemoryRegistry reg, Scratch s) => new Engine(new ProviderContext(s.Root, Platforms.Windows, new RecordingRunner(), reg));

        [Fact]
        public void Windows_list_policies_are_numbered_values_and_stale_ones_are_removed()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            reg.SetValue("HKLM", ChromeKey, "Other", new RegistryValue(RegistryKind.DWord, 1u));
            reg.SetValue("HKLM", ChromeKey + @"\CookiesSessionOnlyForUrls", "1", new RegistryValue(RegistryKind.String, "https://a.example"));
            reg.SetValue("HKLM", ChromeKey + @"\CookiesSessionOnlyForUrls", "7", new RegistryValue(RegistryKind.String, "https://b.example"));
            reg.SetValue("HKLM", ChromeKey + @"\CookiesSessionOnlyForUrls", "junk", new RegistryValue(RegistryKind.String, "x"));
            var before = reg.Dump();
            var e = Windows(reg, s);
            var b = Baseline(Control("WA-A-01", ChromeList));
            var r = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.NonCompliant, r.Status);
            Assert.Equal("[\"https://a.example\",\"https://b.example\"]", r.Actual);
            Set(e, b, out var backup);
            Assert.Equal(new[] { "1", "2", "3", "4" }, reg.GetValueNames("HKLM", ChromeKey + @"\CookiesSessionOnlyForUrls").OrderBy(x => x));
            Assert.Equal("https://b.example", reg.GetValue("HKLM", ChromeKey + @"\CookiesSessionOnlyForUrls", "2")!.Data);
            Assert.Equal("[*.]whatsapp.com", reg.GetValue("HKLM", ChromeKey + @"\CookiesSessionOnlyForUrls", "4")!.Data);
            Assert.Equal(ComplianceStatus.Compliant, e.Test(b.Controls).Single().Status);
            Assert.Empty(e.Plan(b.Controls).Changes);

            e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(before, reg.Dump());
        }

        [Fact]
        public void Windows_undo_removes_the_keys_it_created_and_keeps_keys_that_were_there_even_empty()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            reg.CreateKey("HKLM", @"Software\Policies\Google");      // existed before, empty: must stay
            reg.SetValue("HKLM", @"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\chrome.exe", "", new RegistryValue(RegistryKind.String, @"C:\chrome.exe"));
            reg.SetValue("HKLM", @"SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System", "Other", new RegistryValue(RegistryKind.DWord, 2u));
            var keysBefore = reg.KeyNames();
            var before = reg.Dump();
            var e = Windows(reg, s);
            var b = Baseline(Control("WA-A-01", ChromeList) + "," + Control("WA-W-01", Inactivity));
            Set(e, b, out var backup);
            Assert.True(reg.KeyExists("HKLM", ChromeKey + @"\CookiesSessionOnlyForUrls"));
            var doc = BackupDocument.Load(backup!);
            Assert.Contains(doc.Entries.OfType<RegistryBackup>(), r => r.CreatedKeys.SequenceEqual(new[] { ChromeKey + @"\CookiesSessionOnlyForUrls", ChromeKey }));

            e.Restore(doc, backup!);
            Assert.Equal(before, reg.Dump());
            Assert.Equal(keysBefore, reg.KeyNames());
            Assert.False(reg.KeyExists("HKLM", ChromeKey));
            Assert.True(reg.KeyExists("HKLM", @"Software\Policies\Google"));
        }

        [Fact]
        public void Windows_audit_reads_intune_policy_manager_and_tells_not_configured_from_wrong()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            var e = Windows(reg, s);
            var b = Baseline(Control("WA-W-01", Inactivity));
            var notSet = e.Test(b.Controls).Single().Settings.Single();
            Assert.Null(notSet.Actual);
            Assert.True(notSet.NotConfigured);
            Assert.Equal("not configured", notSet.Reason);

            reg.SetValue("HKLM", WindowsRegistryProvider.PolicyManagerDevice + @"\LocalPoliciesSecurityOptions", "InteractiveLogon_MachineInactivityLimit",
                new RegistryValue(RegistryKind.DWord, 240u));
            var mdm = e.Test(b.Controls).Single();
            Assert.Equal(ComplianceStatus.Compliant, mdm.Status);
            Assert.Contains("PolicyManager", mdm.Settings.Single().Origin);

            reg.SetValue("HKLM", @"SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System", "InactivityTimeoutSecs", new RegistryValue(RegistryKind.DWord, 0u));
            var wrong = e.Test(b.Controls).Single().Settings.Single();
            Assert.Equal(ComplianceStatus.NonCompliant, wrong.Status);
            Assert.Equal("0", wrong.Actual);
            Assert.Null(wrong.Origin);
        }

        [Fact]
        public void Windows_secure_screen_saver_of_the_default_baseline_names_the_screen_saver_in_hkcu()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            var e = Windows(reg, s);
            var lock2 = BaselineLoader.Load(BaselineLoaderTests.DefaultPath).Controls.Where(c => c.Id == "WA-LOCK-02").ToList();
            var before = e.Test(lock2).Single(r => r.Target == "Windows");
            Assert.Contains(before.Settings, x => x.Name == "SCRNSAVE.EXE" && x.NotConfigured);
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                e.Apply(e.Plan(lock2), null, out _);
            const string desktop = @"Software\Policies\Microsoft\Windows\Control Panel\Desktop";
            var v = reg.GetValue("HKCU", desktop, "SCRNSAVE.EXE")!;
            Assert.Equal(RegistryKind.String, v.Kind);
            Assert.Equal("scrnsave.scr", v.Data);
            Assert.Equal(ComplianceStatus.Compliant, e.Test(lock2).Single(r => r.Target == "Windows").Status);
        }

        [Fact]
        public void Windows_write_failure_rolls_back_registry_values()
        {
            using var s = new Scratch();
            var reg = new InMemoryRegistry();
            reg.SetValue("HKLM", @"SOFTWARE\Microsoft\Windows\App Paths\x", "y", new RegistryValue(RegistryKind.DWord, 1u));
            reg.SetValue("HKLM", ChromeKey, "Keep", new RegistryValue(RegistryKind.DWord, 1u));
            var before = reg.Dump();
            reg.FailWritesUnder = @"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies";
            var e = Windows(reg, s);
            var b = Baseline(Control("WA-A-01", ChromeList, Inactivity.Replace("\"target\": \"Windows\"", "\"target\": \"Windows\"")));
            var ex = Assert.Throws<WaHardeningException>(() => Set(e, Baseline(Control("WA-A-01", ChromeList) + "," + Control("WA-W-01", Inactivity)), out _));
            Assert.Equal("EnforcementFailed", ex.ErrorId);
            reg.FailWritesUnder = null;
            Assert.Equal(before, reg.Dump());
            _ = b;
        }
    }
}
