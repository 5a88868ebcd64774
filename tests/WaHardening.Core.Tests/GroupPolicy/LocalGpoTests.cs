using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests.GroupPolicy
{
    /// <summary>The local GPO merge against a scratch GroupPolicy folder (no Windows needed for the files themselves).</summary>
    public class LocalGpoTests
    {
        private const string Chrome = @"Software\Policies\Google\Chrome";
        private const string Edge = @"Software\Policies\Microsoft\Edge";
        private const string System = @"Software\Microsoft\Windows\CurrentVersion\Policies\System";
        private const string Desktop = @"Software\Policies\Microsoft\Windows\Control Panel\Desktop";
        private const string Sites = Chrome + @"\CookiesSessionOnlyForUrls";

        private static GpoContent Standard() => GpoContent.From(GpoTests.Load().ControlsFor("Standard"), SecurityOptionPlacement.RegistryPol);

        private static List<(SettingDefinition, RegistrySetting)> Own(GpoContent c, string hive) =>
            Enumerable.Range(0, c.Settings.Count).Where(i => c.Settings[i].Hive == hive).Select(i => (c.Definitions[i], c.Settings[i])).ToList();

        /// <summary>A scratch root with the GPO folder below it (the module's data folder, backups and lock, lands there too).</summary>
        private static (string Scratch, ProviderContext Context, string Gpo) Scratch(string tag)
        {
            var scratch = GpoTests.TempDir(tag);
            var gpo = Path.Combine(scratch, "Windows", "System32", "GroupPolicy");
            Directory.CreateDirectory(gpo);
            return (scratch, new ProviderContext(scratch), gpo);
        }

        [Fact]
        public void Merge_keeps_foreign_records_and_stricter_values_replaces_looser_ones_and_Undo_restores_every_file()
        {
            var (scratch, ctx, root) = Scratch("localgpo");
            try
            {
                Directory.CreateDirectory(Path.Combine(root, "Machine"));
                var existing = new[]
                {
                    PolEntry.DWord(@"Software\Policies\Other\Tool", "Setting", 7),
                    PolEntry.DeleteAllValues(Sites),
                    PolEntry.String(Sites, "1", "https://stale.example"),           // foreign list entry: kept
                    PolEntry.String(Sites, "2", "https://web.whatsapp.com"),
                    PolEntry.DWord(Edge, "BrowserSignin", 1),                       // looser than 0: replaced
                    PolEntry.DWord(System, "InactivityTimeoutSecs", 120),           // stricter than 300: kept
                    PolEntry.String(@"Software\Policies\Other\Tool", "Name", "kept"),
                };
                var machinePol = Path.Combine(root, "Machine", "Registry.pol");
                File.WriteAllBytes(machinePol, RegistryPolicyFile.ToBytes(existing));
                var gpt = Path.Combine(root, "gpt.ini");
                File.WriteAllText(gpt, "[General]\r\ngPCMachineExtensionNames=[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{0F6B957D-509E-11D1-A7CC-0000F87571E3}]\r\nVersion=65539\r\nOther=x\r\n");
                var originalPol = File.ReadAllBytes(machinePol);
                var originalGpt = File.ReadAllBytes(gpt);

                var r = LocalGpo.Merge(ctx, root, Standard());

                Assert.True(r.MachineChanged); Assert.True(r.UserChanged);
                Assert.Equal(65539u, r.OldVersion);
                Assert.Equal((2u << 16) | 4u, r.NewVersion);
                Assert.Equal(3, r.MachineForeignEntries);
                Assert.Equal(5, r.MachineEntries);
                Assert.Equal(1, r.UserEntries);
                Assert.StartsWith(@"HKLM\" + System + @"\InactivityTimeoutSecs: kept 120", Assert.Single(r.Kept));

                // Foreign records and the stricter value in their place; the list is the union, renumbered; the looser value replaced.
                var appended = new[]
                {
                    new RegistrySetting("HKLM", Sites, null, RegistryKind.String, null, new[] { "https://stale.example", "https://web.whatsapp.com", "[*.]whatsapp.net" }),
                    new RegistrySetting("HKLM", Edge, "BrowserSignin", RegistryKind.DWord, 0u, null),
                };
                var kept = new[] { existing[0], existing[5], existing[6] };
                var merged = RegistryPolicyFile.ReadFile(machinePol);
                Assert.Equal(kept.Concat(appended.SelectMany(PolEntry.FromSetting)), merged);
                Samba.AssertFile(machinePol, new[]
                {
                    Samba.M(@"Software\Policies\Other\Tool", "Setting", RegistryKind.DWord, 7u),
                    Samba.M(System, "InactivityTimeoutSecs", RegistryKind.DWord, 120u),
                    Samba.M(@"Software\Policies\Other\Tool", "Name", RegistryKind.String, "kept"),
                }.Concat(Samba.For(appended)).ToList());
                var userPol = Path.Combine(root, "User", "Registry.pol");
                Samba.AssertFile(userPol, new[] { Samba.M(Desktop, "ScreenSaveTimeOut", RegistryKind.String, "300") });

                var ini = File.ReadAllText(gpt);
                Assert.Equal((2u << 16) | 4u, LocalGpo.GptVersion(ini));
                Assert.Equal("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{0F6B957D-509E-11D1-A7CC-0000F87571E3}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]", LocalGpo.GetValue(ini, "gPCMachineExtensionNames"));
                Assert.Equal("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]", LocalGpo.GetValue(ini, "gPCUserExtensionNames"));
                Assert.Equal("x", LocalGpo.GetValue(ini, "Other"));

                // The backup is the engine's JSON, in the module's backup folder under the root.
                Assert.NotNull(r.BackupPath);
                Assert.StartsWith(ctx.DefaultBackupDirectory, r.BackupPath);
                var doc = BackupDocument.Load(r.BackupPath!);
                Assert.Equal(ctx.Root, doc.Root);
                Assert.Equal(new[] { "/Windows/System32/GroupPolicy/Machine/Registry.pol", "/Windows/System32/GroupPolicy/User/Registry.pol", "/Windows/System32/GroupPolicy/gpt.ini" },
                    doc.Entries.Select(e => e.Location.Replace('\\', '/')));

                // Idempotent: the same merge again changes nothing, writes no backup and does not bump the version.
                var again = LocalGpo.Merge(ctx, root, Standard());
                Assert.False(again.Changed);
                Assert.Null(again.BackupPath);
                Assert.Equal(r.NewVersion, again.NewVersion);

                // Undo (the engine's restore of that backup) puts every file back byte for byte and removes what the merge created.
                var restored = new Engine(ctx).Restore(doc, r.BackupPath!);
                Assert.Equal(3, restored.Count);
                Assert.Equal(originalPol, File.ReadAllBytes(machinePol));
                Assert.Equal(originalGpt, File.ReadAllBytes(gpt));
                Assert.False(File.Exists(userPol));
                Assert.False(Directory.Exists(Path.Combine(root, "User")));
            }
            finally { Directory.Delete(scratch, true); }
        }

        [Fact]
        public void Records_are_judged_stricter_wins_through_soft_delete_and_type_records()
        {
            var c = Standard();
            // A list that already holds every site (and more) stays as it is; a **del. of ours goes and our value is written;
            // a stricter value of the wrong registry type keeps its value and gets the policy's type.
            var machine = new[]
            {
                PolEntry.DeleteAllValues(Sites),
                PolEntry.String(Sites, "1", "https://extra.example"),
                PolEntry.String(Sites, "2", "[*.]whatsapp.net"),
                PolEntry.String(Sites, "3", "https://web.whatsapp.com"),
                PolEntry.DeleteValue(Edge, "BrowserSignin"),
                PolEntry.String(System, "InactivityTimeoutSecs", "120"),
            };
            var m = LocalGpo.Merge(machine, Own(c, "HKLM"));
            Assert.Equal(machine.Take(4).Concat(new[] { PolEntry.DWord(Edge, "BrowserSignin", 0), PolEntry.DWord(System, "InactivityTimeoutSecs", 120) }), m.Records);
            Assert.Equal(4, m.Kept);
            Assert.Equal(2, m.Written);

            // A list entry removed by **del.N is missing, so the union is written without it.
            var deleted = new[] { PolEntry.String(Sites, "1", "https://web.whatsapp.com"), PolEntry.String(Sites, "2", "[*.]whatsapp.net"), PolEntry.DeleteValue(Sites, "2") };
            var d = LocalGpo.Merge(deleted, Own(c, "HKLM").Where(o => o.Item2.IsList).ToList());
            Assert.Equal(PolEntry.FromSetting(new RegistrySetting("HKLM", Sites, null, RegistryKind.String, null, new[] { "https://web.whatsapp.com", "[*.]whatsapp.net" })), d.Records);

            // REG_SZ numbers: a stricter **soft. value is the value and stays; a looser one is replaced; a later **del. wins over it.
            var soft = new[] { PolEntry.SoftValue(Desktop, "ScreenSaveTimeOut", RegistryKind.String, "120") };
            Assert.Equal(soft, LocalGpo.Merge(soft, Own(c, "HKCU")).Records);
            var looser = new[] { PolEntry.String(Desktop, "ScreenSaveTimeOut", "600"), PolEntry.String(Desktop, "Other", "x") };
            Assert.Equal(new[] { looser[1], PolEntry.String(Desktop, "ScreenSaveTimeOut", "300") }, LocalGpo.Merge(looser, Own(c, "HKCU")).Records);
            var gone = new[] { PolEntry.String(Desktop, "ScreenSaveTimeOut", "120"), PolEntry.DeleteAllValues(Desktop) };
            Assert.Equal(new[] { gone[1], PolEntry.String(Desktop, "ScreenSaveTimeOut", "300") }, LocalGpo.Merge(gone, Own(c, "HKCU")).Records);
        }

        [Fact]
        public void Firefox_sanitize_on_shutdown_as_one_dword_is_kept_when_on_and_replaced_by_the_items_when_off()
        {
            const string Firefox = @"Software\Policies\Mozilla\Firefox";
            var shared = GpoContent.From(BaselineLoader.Load(BaselineLoaderTests.DefaultPath).ControlsFor("SharedComputer"), SecurityOptionPlacement.RegistryPol);
            var items = Own(shared, "HKLM").Where(o => RegistryRendering.FirefoxBooleanForm(o.Item1) != null).ToList();
            Assert.True(items.Count >= 5, "the SharedComputer profile clears Firefox data item by item");
            var other = PolEntry.DWord(Firefox, "DisableAppUpdate", 0);

            // On: "clear everything" is stricter than any item list; nothing of ours is added beside it.
            var on = new[] { PolEntry.DWord(Firefox, "SanitizeOnShutdown", 1), other };
            var kept = LocalGpo.Merge(on, items);
            Assert.Equal(on, kept.Records);
            Assert.Equal(0, kept.Written);
            Assert.All(kept.Notes, n => Assert.Contains("the boolean form", n));

            // Off: clears nothing; the DWORD goes and the items are written, the foreign record stays.
            var off = new[] { PolEntry.DWord(Firefox, "SanitizeOnShutdown", 0), other };
            var replaced = LocalGpo.Merge(off, items);
            Assert.DoesNotContain(replaced.Records, r => r.Key == Firefox && r.ValueName == "SanitizeOnShutdown");
            Assert.Contains(other, replaced.Records);
            Assert.Equal(items.Count, replaced.Written);
            Assert.All(replaced.Records.Skip(1), r => Assert.Equal(Firefox + @"\SanitizeOnShutdown", r.Key));
        }

        [Fact]
        public void Firefox_preferences_merge_into_one_Preferences_json_record_and_the_deprecated_dwords_go()
        {
            const string Firefox = @"Software\Policies\Mozilla\Firefox";
            var items = Own(GpoContent.From(BaselineLoader.Load(BaselineLoaderTests.DefaultPath).ControlsFor("Standard"), SecurityOptionPlacement.RegistryPol), "HKLM")
                .Where(o => FirefoxPolicy.IsPreference(o.Item1)).ToList();
            Assert.Equal(4, items.Count);   // Safe Browsing (2), session store privacy, start page
            var foreignPref = PolEntry.Create(Firefox, "Preferences", RegistryKind.MultiString,
                new[] { "{\"accessibility.force_disabled\":{\"Value\":1,\"Status\":\"default\"}}" });
            var deprecated = PolEntry.DWord(Firefox + @"\Preferences", "browser.safebrowsing.phishing.enabled", 1);
            var other = PolEntry.DWord(Firefox, "DisableAppUpdate", 0);
            var m = LocalGpo.Merge(new[] { deprecated, foreignPref, other }, items);
            Assert.DoesNotContain(deprecated, m.Records);
            Assert.Contains(other, m.Records);
            var prefs = m.Records.Where(r => r.Key == Firefox && r.ValueName == "Preferences").ToList();
            Assert.Single(prefs);
            var json = (WaHardening.Core.Json.JsonObject)WaHardening.Core.Json.JsonParser.Parse(string.Join("\n", (string[])prefs[0].Data!));
            Assert.Equal(new[] { "accessibility.force_disabled" }.Concat(items.Select(i => i.Item1.Name)).OrderBy(k => k, StringComparer.Ordinal),
                json.Properties.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal("{\"Value\":true,\"Status\":\"locked\"}", json["browser.safebrowsing.malware.enabled"]!.ToString());
            // Merged again: everything already there, nothing rewritten.
            var again = LocalGpo.Merge(m.Records, items);
            Assert.Equal(m.Records, again.Records);
            Assert.Equal(0, again.Written);
            // A deprecated value of another preference is not ours: refused.
            var foreign = new[] { PolEntry.DWord(Firefox + @"\Preferences", "browser.tabs.warnOnClose", 0) };
            Assert.Equal("PolicyFormConflict", Assert.Throws<WaHardeningException>(() => LocalGpo.Merge(foreign, items)).ErrorId);
        }

        [Fact]
        public void WhatIf_writes_nothing_and_a_damaged_file_stops_the_merge_before_any_write()
        {
            var (scratch, ctx, root) = Scratch("localgpo-whatif");
            try
            {
                var c = GpoContent.From(GpoTests.Load().Controls, SecurityOptionPlacement.RegistryPol);
                var r = LocalGpo.Merge(ctx, root, c, whatIf: true);
                Assert.True(r.Changed);
                Assert.Null(r.BackupPath);
                Assert.Empty(Directory.GetFileSystemEntries(root));
                Assert.False(Directory.Exists(ctx.DataDirectory));

                Directory.CreateDirectory(Path.Combine(root, "User"));
                File.WriteAllText(Path.Combine(root, "User", "Registry.pol"), "not a policy file");
                var e = Assert.Throws<RegistryPolicyFormatException>(() => LocalGpo.Merge(ctx, root, c));
                Assert.Equal(0, e.Offset);
                Assert.False(File.Exists(Path.Combine(root, "Machine", "Registry.pol")));
                Assert.False(File.Exists(Path.Combine(root, "gpt.ini")));
                Assert.False(Directory.Exists(ctx.DataDirectory));
            }
            finally { Directory.Delete(scratch, true); }
        }

        [Fact]
        public void A_failed_write_rolls_back_and_a_folder_outside_the_root_is_refused()
        {
            var (scratch, ctx, root) = Scratch("localgpo-fail");
            var outside = GpoTests.TempDir("localgpo-outside");
            try
            {
                Directory.CreateDirectory(Path.Combine(root, "Machine"));
                var machinePol = Path.Combine(root, "Machine", "Registry.pol");
                File.WriteAllBytes(machinePol, RegistryPolicyFile.ToBytes(new[] { PolEntry.DWord(@"Software\Policies\Other", "Keep", 9) }));
                var before = File.ReadAllBytes(machinePol);
                ctx.BeforeApply = op => { if (op.Location.EndsWith("gpt.ini", StringComparison.Ordinal)) throw new IOException("disk full (simulated)"); };
                var e = Assert.Throws<WaHardeningException>(() => LocalGpo.Merge(ctx, root, Standard()));
                Assert.Equal("EnforcementFailed", e.ErrorId);
                Assert.Equal(before, File.ReadAllBytes(machinePol));
                Assert.False(File.Exists(Path.Combine(root, "User", "Registry.pol")));
                Assert.False(File.Exists(Path.Combine(root, "gpt.ini")));

                var o = Assert.Throws<WaHardeningException>(() => LocalGpo.Merge(new ProviderContext(scratch), outside, Standard()));
                Assert.Equal("PathOutsideRoot", o.ErrorId);
                Assert.Empty(Directory.GetFileSystemEntries(outside));
            }
            finally { Directory.Delete(scratch, true); Directory.Delete(outside, true); }
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
