using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests.GroupPolicy
{
    public class GpoTests
    {
        internal const string BaselineJson = @"{
  ""schemaVersion"": 1, ""name"": ""gpo test"", ""version"": ""1.2.3"",
  ""profiles"": { ""Standard"": { ""description"": ""s"" }, ""Shared"": { ""description"": ""x"", ""includes"": [""Standard""] } },
  ""parameters"": {
    ""Idle"": { ""type"": ""integer"", ""default"": 300, ""minimum"": 60, ""maximum"": 900, ""description"": ""d"" },
    ""Sites"": { ""type"": ""stringList"", ""default"": [""https://web.whatsapp.com"", ""[*.]whatsapp.net""], ""minItems"": 1, ""description"": ""d"" }
  },
  ""controls"": [
    { ""id"": ""T-SESSION-01"", ""title"": ""t"", ""category"": ""SessionPersistence"", ""severity"": ""High"", ""profiles"": [""Standard""], ""rationale"": ""r"",
      ""settings"": [
        { ""target"": ""Chrome"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": { ""param"": ""Sites"" }, ""compare"": ""superset"", ""source"": ""https://example.org/c"" },
        { ""target"": ""Edge"", ""name"": ""BrowserSignin"", ""type"": ""integer"", ""value"": 0, ""compare"": ""equal"", ""source"": ""https://example.org/e"" } ] },
    { ""id"": ""T-LOCK-01"", ""title"": ""t"", ""category"": ""ScreenLock"", ""severity"": ""High"", ""profiles"": [""Standard""], ""rationale"": ""r"",
      ""settings"": [
        { ""target"": ""Windows"", ""name"": ""InactivityTimeoutSecs"", ""type"": ""integer"", ""value"": { ""param"": ""Idle"" }, ""compare"": ""atMost"", ""minimum"": 1,
          ""registry"": { ""hive"": ""HKLM"", ""key"": ""Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"", ""value"": ""InactivityTimeoutSecs"", ""kind"": ""REG_DWORD"" },
          ""source"": ""https://example.org/w"" },
        { ""target"": ""Windows"", ""name"": ""ScreenSaveTimeOut"", ""type"": ""integer"", ""value"": { ""param"": ""Idle"" }, ""compare"": ""atMost"", ""minimum"": 1,
          ""registry"": { ""hive"": ""HKCU"", ""key"": ""Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop"", ""value"": ""ScreenSaveTimeOut"", ""kind"": ""REG_SZ"" },
          ""source"": ""https://example.org/s"" } ] },
    { ""id"": ""T-SHARED-01"", ""title"": ""t"", ""category"": ""Session"", ""severity"": ""Low"", ""profiles"": [""Shared""], ""rationale"": ""r"",
      ""settings"": [ { ""target"": ""Chrome"", ""name"": ""IncognitoModeAvailability"", ""type"": ""integer"", ""value"": 2, ""compare"": ""equal"", ""source"": ""https://example.org/i"" } ] },
    { ""id"": ""T-ADV-01"", ""title"": ""t"", ""category"": ""Guidance"", ""severity"": ""Low"", ""profiles"": [""Standard""], ""rationale"": ""r"", ""advisory"": true, ""guidance"": ""do it"" }
  ]
}";

        internal static Baseline Load() => BaselineLoader.Parse(BaselineJson, "gpo-test.json");

        internal static string TempDir(string tag) =>
            Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-" + tag + "-" + Guid.NewGuid().ToString("N"))).FullName;

        [Fact]
        public void Content_puts_lists_as_delvals_then_values_and_the_inactivity_limit_in_the_security_template()
        {
            var c = GpoContent.From(Load().ControlsFor("Standard"), SecurityOptionPlacement.SecurityTemplate);
            Assert.Equal(new[] { "**delvals.", "1", "2", "BrowserSignin" }, c.Machine.Select(e => e.ValueName));
            Assert.Equal(@"Software\Policies\Google\Chrome\CookiesSessionOnlyForUrls", c.Machine[0].Key);
            Assert.Equal("[*.]whatsapp.net", c.Machine[2].Data);
            Assert.Equal(0u, c.Machine[3].Data);
            var u = Assert.Single(c.User);
            Assert.Equal("300", u.Data);
            Assert.Equal(RegistryKind.String, u.Type);
            var sec = Assert.Single(c.SecurityOptions);
            Assert.Equal("InactivityTimeoutSecs", sec.ValueName);
            Assert.DoesNotContain(c.Machine, e => e.ValueName == "InactivityTimeoutSecs");

            var pol = GpoContent.From(Load().ControlsFor("Standard"), SecurityOptionPlacement.RegistryPol);
            Assert.Empty(pol.SecurityOptions);
            var limit = Assert.Single(pol.Machine, e => e.ValueName == "InactivityTimeoutSecs");
            Assert.Equal(300u, limit.Data);
            Assert.Equal(@"Software\Microsoft\Windows\CurrentVersion\Policies\System", limit.Key);

            // Every record is what RegistryRendering says the setting is.
            foreach (var s in pol.Settings.Where(s => !s.IsList))
                Assert.Contains((s.Hive == "HKCU" ? pol.User : pol.Machine), e => e.Key == s.Key && e.ValueName == s.ValueName && e.Type == s.Kind);
        }

        [Fact]
        public void The_default_baseline_user_half_names_the_screen_saver_next_to_the_secure_screen_saver_policies()
        {
            var c = GpoContent.From(BaselineLoader.Load(BaselineLoaderTests.DefaultPath).ControlsFor("Standard"), SecurityOptionPlacement.RegistryPol);
            const string desktop = @"Software\Policies\Microsoft\Windows\Control Panel\Desktop";
            var user = c.User.Where(e => e.Key == desktop).ToDictionary(e => e.ValueName);
            Assert.Equal(new[] { "SCRNSAVE.EXE", "ScreenSaveActive", "ScreenSaveTimeOut", "ScreenSaverIsSecure" }, user.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(RegistryKind.String, user["SCRNSAVE.EXE"].Type);
            Assert.Equal("scrnsave.scr", user["SCRNSAVE.EXE"].Data);
            Assert.DoesNotContain(c.Machine, e => e.ValueName == "SCRNSAVE.EXE");
        }

        [Fact]
        public void GptTmpl_is_UTF16LE_with_BOM_and_a_registry_values_line()
        {
            var c = GpoContent.From(Load().WithParameters(new Dictionary<string, object?> { ["Idle"] = 120L }).Controls, SecurityOptionPlacement.SecurityTemplate);
            var bytes = GpoContent.GptTmpl(c.SecurityOptions);
            Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes.Take(2));
            var text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
            Assert.StartsWith("[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n[Registry Values]\r\n", text);
            Assert.Contains("\r\nMACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\InactivityTimeoutSecs=4,120\r\n", text);
        }

        private static GpoBackupResult Export(string dir, string? profile = "Standard")
        {
            var b = Load();
            var c = GpoContent.From(profile == null ? b.Controls : b.ControlsFor(profile), SecurityOptionPlacement.SecurityTemplate);
            return GpoBackup.Write(dir, c, "WaHardening gpo test", b.Name, profile, new DateTime(2024, 5, 1, 12, 0, 0));
        }

        private static Dictionary<string, byte[]> Snapshot(string dir) =>
            Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

        [Fact]
        public void Backup_has_the_GPMC_layout_and_two_exports_are_byte_identical()
        {
            var d1 = TempDir("gpo1"); var d2 = TempDir("gpo2");
            try
            {
                var r1 = Export(d1); var r2 = Export(d2);
                Assert.Equal(r1.BackupId, r2.BackupId);
                var s1 = Snapshot(d1); var s2 = Snapshot(d2);
                Assert.Equal(s1.Keys.OrderBy(k => k), s2.Keys.OrderBy(k => k));
                foreach (var k in s1.Keys) Assert.True(s1[k].SequenceEqual(s2[k]), k + " differs between two exports");

                var id = r1.BackupId.ToString("B").ToUpperInvariant();
                var root = Path.Combine(d1, id);
                Assert.Equal(root, r1.Path);
                foreach (var rel in new[] { "Backup.xml", "bkupInfo.xml", "DomainSysvol/GPO/Machine/registry.pol", "DomainSysvol/GPO/User/registry.pol",
                                            "DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf" })
                    Assert.True(File.Exists(Path.Combine(root, rel)), rel + " missing");
                Assert.True(File.Exists(Path.Combine(d1, "manifest.xml")));

                var backup = new XmlDocument(); backup.Load(Path.Combine(root, "Backup.xml"));
                var ns = new XmlNamespaceManager(backup.NameTable); ns.AddNamespace("b", "http://www.microsoft.com/GroupPolicy/GPOOperations");
                Assert.Equal(r1.GpoGuid.ToString("B").ToUpperInvariant(), backup.SelectSingleNode("//b:GroupPolicyCoreSettings/b:ID", ns)!.InnerText);
                Assert.Equal("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}][{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]",
                    backup.SelectSingleNode("//b:MachineExtensionGuids", ns)!.InnerText);
                Assert.Equal("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]", backup.SelectSingleNode("//b:UserExtensionGuids", ns)!.InnerText);
                Assert.Equal("65537", backup.SelectSingleNode("//b:MachineVersionNumber", ns)!.InnerText);
                var locations = backup.SelectNodes("//b:FSObjectFile/@b:Location", ns)!.Cast<XmlNode>().Select(n => n.Value).ToList();
                Assert.Equal(new[] { @"DomainSysvol\GPO\Machine\registry.pol", @"DomainSysvol\GPO\User\registry.pol", @"DomainSysvol\GPO\Machine\microsoft\windows nt\SecEdit\GptTmpl.inf" }, locations);

                var info = new XmlDocument(); info.Load(Path.Combine(root, "bkupInfo.xml"));
                var mns = new XmlNamespaceManager(info.NameTable); mns.AddNamespace("m", "http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest");
                Assert.Equal(r1.BackupId.ToString("B"), info.SelectSingleNode("/m:BackupInst/m:ID", mns)!.InnerText);
                Assert.Equal("WaHardening gpo test", info.SelectSingleNode("/m:BackupInst/m:GPODisplayName", mns)!.InnerText);
                Assert.Equal("2024-05-01T12:00:00", info.SelectSingleNode("/m:BackupInst/m:BackupTime", mns)!.InnerText);

                var manifest = new XmlDocument(); manifest.Load(Path.Combine(d1, "manifest.xml"));
                Assert.Single(manifest.GetElementsByTagName("BackupInst"));

                // Both Registry.pol files: read back by us and by Samba as meant.
                var c = GpoContent.From(Load().ControlsFor("Standard"), SecurityOptionPlacement.SecurityTemplate);
                var machinePol = Path.Combine(root, "DomainSysvol/GPO/Machine/registry.pol");
                var userPol = Path.Combine(root, "DomainSysvol/GPO/User/registry.pol");
                Assert.Equal(c.Machine, RegistryPolicyFile.ReadFile(machinePol));
                Assert.Equal(c.User, RegistryPolicyFile.ReadFile(userPol));
                Samba.AssertFile(machinePol, Samba.Machine(c));
                Samba.AssertFile(userPol, Samba.User(c));

                // A second backup (other profile) lands beside the first; the manifest lists both.
                var r3 = Export(d1, "Shared");
                Assert.NotEqual(r1.BackupId, r3.BackupId);
                Assert.NotEqual(r1.GpoGuid, r3.GpoGuid);
                manifest.Load(Path.Combine(d1, "manifest.xml"));
                Assert.Equal(2, manifest.GetElementsByTagName("BackupInst").Count);
                Assert.Equal(2, Directory.GetDirectories(d1).Length);
            }
            finally { Directory.Delete(d1, true); Directory.Delete(d2, true); }
        }

        [Fact]
        public void Default_baseline_exports_and_Samba_reads_its_files()
        {
            var b = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);
            var dir = TempDir("gpodefault");
            try
            {
                var c = GpoContent.From(b.Controls, SecurityOptionPlacement.SecurityTemplate);
                var r = GpoBackup.Write(dir, c, "WaHardening", b.Name, null, new DateTime(2024, 1, 1));
                var files = GpoBackup.WriteRegistryPolFiles(Path.Combine(dir, "pol"), GpoContent.From(b.Controls, SecurityOptionPlacement.RegistryPol));
                var pc = GpoContent.From(b.Controls, SecurityOptionPlacement.RegistryPol);
                Samba.AssertFile(files[0], Samba.Machine(pc));
                Samba.AssertFile(files[1], Samba.User(pc));
                var machinePol = Path.Combine(r.Path, "DomainSysvol", "GPO", "Machine", "registry.pol");
                if (c.Machine.Count > 0) Samba.AssertFile(machinePol, Samba.Machine(c)); else Assert.False(File.Exists(machinePol));
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
