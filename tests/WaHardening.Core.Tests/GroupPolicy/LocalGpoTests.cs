using System;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.GroupPolicy;
using Xunit;

namespace WaHardening.Core.Tests.GroupPolicy
{
    /// <summary>The local GPO merge against a scratch GroupPolicy folder (no Windows needed for the files themselves).</summary>
    public class LocalGpoTests
    {
        private const string Chrome = @"SOFTWARE\Policies\Google\Chrome";

        [Fact]
        public void Merge_keeps_foreign_records_replaces_ours_bumps_versions_and_registers_extensions()
        {
            var root = GpoTests.TempDir("localgpo");
            try
            {
                Directory.CreateDirectory(Path.Combine(root, "Machine"));
                var foreign = new[]
                {
                    PolEntry.DWord(@"Software\Policies\Other\Tool", "Setting", 7),
                    PolEntry.DeleteAllValues(Chrome + @"\CookiesSessionOnlyForUrls"),
                    PolEntry.String(Chrome + @"\CookiesSessionOnlyForUrls", "1", "https://stale.example"),
                    PolEntry.DWord(@"SOFTWARE\Policies\Microsoft\Edge", "BrowserSignin", 1),
                    PolEntry.String(@"Software\Policies\Other\Tool", "Name", "kept"),
                };
                var machinePol = Path.Combine(root, "Machine", "Registry.pol");
                File.WriteAllBytes(machinePol, RegistryPolicyFile.ToBytes(foreign));
                var gpt = Path.Combine(root, "gpt.ini");
                File.WriteAllText(gpt, "[General]\r\ngPCMachineExtensionNames=[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{0F6B957D-509E-11D1-A7CC-0000F87571E3}]\r\nVersion=65539\r\nOther=x\r\n");
                var originalPol = File.ReadAllBytes(machinePol);
                var originalGpt = File.ReadAllBytes(gpt);

                var c = GpoContent.From(GpoTests.Load().ControlsFor("Standard"), SecurityOptionPlacement.RegistryPol);
                var r = LocalGpo.Merge(root, c.Machine, c.User, Path.Combine(root, "bak"));

                Assert.True(r.MachineChanged); Assert.True(r.UserChanged);
                Assert.Equal(65539u, r.OldVersion);
                Assert.Equal((2u << 16) | 4u, r.NewVersion);
                Assert.Equal(2, r.MachineForeignEntries);
                var merged = RegistryPolicyFile.ReadFile(machinePol);
                Assert.Equal(new[] { foreign[0], foreign[4] }.Concat(c.Machine), merged);
                Samba.AssertFile(machinePol, merged);
                var userPol = Path.Combine(root, "User", "Registry.pol");
                Assert.Equal(c.User, RegistryPolicyFile.ReadFile(userPol));
                Samba.AssertFile(userPol, c.User);

                var ini = File.ReadAllText(gpt);
                Assert.Equal((2u << 16) | 4u, LocalGpo.GptVersion(ini));
                Assert.Equal("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{0F6B957D-509E-11D1-A7CC-0000F87571E3}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]", LocalGpo.GetValue(ini, "gPCMachineExtensionNames"));
                Assert.Equal("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]", LocalGpo.GetValue(ini, "gPCUserExtensionNames"));
                Assert.Equal("x", LocalGpo.GetValue(ini, "Other"));

                // Idempotent: the same merge again changes nothing and does not bump the version.
                var again = LocalGpo.Merge(root, c.Machine, c.User, Path.Combine(root, "bak2"));
                Assert.False(again.Changed);
                Assert.Equal(r.NewVersion, again.NewVersion);
                Assert.False(Directory.Exists(Path.Combine(root, "bak2")));

                // Restore puts every file back as it was (and removes the User file the merge created).
                LocalGpo.Restore(r);
                Assert.Equal(originalPol, File.ReadAllBytes(machinePol));
                Assert.Equal(originalGpt, File.ReadAllBytes(gpt));
                Assert.False(File.Exists(userPol));
            }
            finally { Directory.Delete(root, true); }
        }

        [Fact]
        public void WhatIf_writes_nothing_and_a_damaged_file_stops_the_merge_before_any_write()
        {
            var root = GpoTests.TempDir("localgpo-whatif");
            try
            {
                var c = GpoContent.From(GpoTests.Load().Controls, SecurityOptionPlacement.RegistryPol);
                var r = LocalGpo.Merge(root, c.Machine, c.User, whatIf: true);
                Assert.True(r.Changed);
                Assert.Empty(Directory.GetFileSystemEntries(root));

                Directory.CreateDirectory(Path.Combine(root, "User"));
                File.WriteAllText(Path.Combine(root, "User", "Registry.pol"), "not a policy file");
                var e = Assert.Throws<RegistryPolicyFormatException>(() => LocalGpo.Merge(root, c.Machine, c.User));
                Assert.Equal(0, e.Offset);
                Assert.False(File.Exists(Path.Combine(root, "Machine", "Registry.pol")));
                Assert.False(File.Exists(Path.Combine(root, "gpt.ini")));
            }
            finally { Directory.Delete(root, true); }
        }

        [Fact]
        public void Version_words_wrap_without_touching_the_other_half()
        {
            Assert.Equal("[General]\r\nVersion=65537\r\n", LocalGpo.UpdateGptIni(null, 65537, false, false));
            var ini = LocalGpo.UpdateGptIni("[General]\nVersion=5\n[Other]\nA=1\n", 7, true, false);
            Assert.Equal("[General]\r\nVersion=7\r\ngPCMachineExtensionNames=[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]\r\n[Other]\r\nA=1\r\n", ini);
            Assert.Equal(7u, LocalGpo.GptVersion(ini));
        }
    }
}
