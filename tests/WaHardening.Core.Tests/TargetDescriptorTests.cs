using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Issue #15: a target is one descriptor row (Model/Targets.cs). What the docs say about a setting's location
    /// (SettingLocations.Describe, which docs/baseline.md is generated from) must be where the providers really write
    /// and the exports really put it — the two once drifted (the dconf keyfile was documented as 50-wa-hardening while
    /// the provider wrote 90-wa-hardening; org.chromium.Chromium was documented but no macOS profile carried it).
    /// </summary>
    public class TargetDescriptorTests
    {
        private static readonly Baseline Default = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);
        private static readonly string[] Profiles = { "Standard", "SharedComputer" };

        /// <summary>Every Linux location the docs name for a setting is a file Set-WaHardening wrote, holding that setting.</summary>
        [Theory]
        [InlineData("Standard")]
        [InlineData("SharedComputer")]
        public void Every_documented_Linux_location_is_the_file_set_writes_and_holds_the_setting(string profile)
        {
            using var s = new Scratch();
            foreach (var row in Targets.All.Where(t => t.Platforms.Contains(Platforms.Linux) && t.LinuxBinaries.Count > 0))
            {
                s.Touch(row.LinuxBinaries[0]);   // every target present, with every installation (package, snap, …)
                foreach (var install in row.LinuxInstalls) s.Touch(install.Binaries[0]);
            }
            var controls = Default.ControlsFor(profile).Where(c => !c.Advisory).ToList();
            // The session clean-up (SharedComputer) runs a PowerShell that must exist and be root-owned: /bin/sh stands in.
            var e = new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()) { PowerShell = WaHardening.Core.Sessions.PowerShellHost.Installed("/bin/sh") });
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                e.Apply(e.Plan(controls), null, out _);

            var checkedFiles = new HashSet<string?>();
            foreach (var c in controls)
                // Targets the module only reads (APT: no owned file, the admin's configuration is audited) are not written.
                foreach (var setting in c.Settings.Where(x => Targets.Get(x.Target).LinuxOwnedFileName != null))
                    foreach (var loc in SettingLocations.Describe(setting).Where(l => l.Platform == Platforms.Linux))
                    {
                        // "<file> → …", "<file> [group] key (type), locked in <locks>", "<folder>/<file>: name"
                        var file = loc.Where.Split(new[] { " → ", " [", ": " }, StringSplitOptions.None)[0];
                        Assert.True(File.Exists(s.P(file)), $"{setting.Target}:{setting.Name}: documented at {file}, but Set wrote no such file");
                        var text = File.ReadAllText(s.P(file));
                        var leaf = setting.Target == Targets.Gnome ? SettingLocations.SplitDconfKey(setting.Name).Key
                            : setting.Target == Targets.Firefox && !FirefoxPolicy.IsPreference(setting) ? FirefoxPolicy.Path(setting).Last()
                            : setting.Name;
                        // A setting whose default already complies is not written (as on a real machine): only its file is checked.
                        if (setting.Default == null) Assert.Contains(leaf, text);
                        checkedFiles.Add(file);
                    }
            // Each Linux row with an owned file was covered by the default baseline.
            foreach (var row in Targets.All.Where(t => t.LinuxOwnedFile != null && controls.Any(c => c.Settings.Any(x => x.Target == t.Name))))
                Assert.Contains(row.LinuxOwnedFile, checkedFiles);
        }

        /// <summary>The Linux exports carry the same paths as the providers (the descriptor row), under linux/&lt;slug&gt;/.</summary>
        [Fact]
        public void Linux_export_files_are_named_after_the_row_and_say_where_they_go()
        {
            foreach (var profile in Profiles)
            {
                var files = IntuneExporter.Build(Default, profile, new[] { Platforms.Linux }, "t").Files;
                foreach (var row in Targets.OfFamily(TargetFamily.ChromiumBrowser).Where(t => t.LinuxOwnedFile != null))
                {
                    Assert.Equal(row.LinuxPolicyFolder, ChromiumFileProvider.ManagedDirectory(row.Name));
                    var f = files.SingleOrDefault(x => x.Path == $"linux/{row.Slug}/{row.LinuxOwnedFileName}");
                    if (!Default.ControlsFor(profile).Any(c => c.Settings.Any(x => x.Target == row.Name))) continue;
                    Assert.NotNull(f);
                    Assert.Contains(row.LinuxPolicyFolder!, f!.DisplayName);
                }
                Assert.Contains(files, x => x.Path == "linux/dconf/local.d/" + Targets.Get(Targets.Gnome).LinuxOwnedFileName);
                Assert.Equal(DconfProvider.OwnKeyfile, Targets.Get(Targets.Gnome).LinuxOwnedFile);
                Assert.Equal(FirefoxFileProvider.PolicyFile, Targets.Get(Targets.Firefox).LinuxOwnedFile);
            }
        }

        /// <summary>Every macOS preference location the docs name is in a configuration profile of the export.</summary>
        [Fact]
        public void Every_documented_macOS_domain_is_in_an_exported_profile_with_the_setting()
        {
            var files = IntuneExporter.Build(Default, "Standard", new[] { Platforms.MacOS }, "t").Files
                .Concat(IntuneExporter.Build(Default, "SharedComputer", new[] { Platforms.MacOS }, "t").Files)
                .Where(f => f.Path.EndsWith(".mobileconfig", StringComparison.Ordinal))
                .Select(f => Encoding.UTF8.GetString(f.Content)).ToList();
            var seen = 0;
            foreach (var setting in Default.Controls.SelectMany(c => c.Settings))
                foreach (var loc in SettingLocations.Describe(setting).Where(l => l.Platform == Platforms.MacOS && l.Kind == "Configuration profile"))
                {
                    var domain = loc.Where.Split(new[] { " → " }, StringSplitOptions.None)[0];
                    var leaf = loc.Where.Split(new[] { " → " }, StringSplitOptions.None)[1].Split('/').Last();
                    Assert.Contains(files, f => f.Contains("<string>" + domain + "</string>") || f.Contains("<key>" + domain + "</key>"));
                    Assert.Contains(files, f => f.Contains("<key>" + leaf + "</key>"));
                    seen++;
                }
            Assert.True(seen > 0);
            // Every browser row with a domain and macOS settings gets its own profile.
            foreach (var row in Targets.All.Where(t => t.MacPreferenceDomain != null))
                if (Default.Controls.SelectMany(c => c.Settings).Any(x => x.Target == row.Name && x.AppliesOn(Platforms.MacOS)))
                    Assert.Contains(files, f => f.Contains("<key>" + row.MacPreferenceDomain + "</key>"));
        }

        /// <summary>The device scripts judge exactly the rows marked for them; Windows catalog files are the rows' catalog policies.</summary>
        [Fact]
        public void Windows_exports_follow_the_rows()
        {
            var m = IntuneExporter.Build(Default, "Standard", new[] { Platforms.Windows }, "t");
            var catalog = m.Files.Where(f => f.Path.StartsWith("windows/settings-catalog/", StringComparison.Ordinal)).Select(f => f.Path).ToList();
            var expected = Targets.All.Where(t => t.WindowsCatalogPolicy != null && Default.ControlsFor("Standard").Any(c => c.Settings.Any(x => x.Target == t.Name && x.Intune != null && x.Enforce)))
                .Select(t => $"windows/settings-catalog/{t.WindowsCatalogPolicy!.Value.Slug}.json").OrderBy(x => x, StringComparer.Ordinal);
            Assert.Equal(expected, catalog.OrderBy(x => x, StringComparer.Ordinal));
            var discovery = Encoding.ASCII.GetString(m.Files.Single(f => f.Path == "windows/custom-compliance/discovery.ps1").Content);
            foreach (var row in Targets.All.Where(t => !t.InDeviceScripts && t.WindowsPolicyKey != null))
                Assert.DoesNotMatch("Setting = 'WA_[A-Z]+_[0-9]+_" + row.Name + "_", discovery);
            Assert.Matches("Setting = 'WA_[A-Z]+_[0-9]+_Edge_", discovery);
        }

        /// <summary>A snap Chromium reads /etc/chromium-browser/policies/managed, Debian's package /etc/chromium/policies/managed:
        /// each installation present is written, and the audit is compliant only when every one gets the setting.</summary>
        [Fact]
        public void Every_present_linux_installation_of_a_browser_is_written_and_audited()
        {
            var controls = Default.ControlsFor("Standard").Where(c => c.Id == "WA-SESSION-01").ToList();
            var chromium = Targets.Get(Targets.Chromium);
            Assert.True(chromium.LinuxInstalls.Count >= 2);
            var deb = chromium.LinuxInstalls[0];
            var snap = chromium.LinuxInstalls.Single(i => i.Kind == "snap");

            using (var s = new Scratch())
            {
                s.Touch(deb.Binaries[0]);
                var e = new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()));
                using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30))) e.Apply(e.Plan(controls), null, out _);
                Assert.True(s.Exists(deb.PolicyFolder + "/" + Targets.OwnedPolicyFileName));
                Assert.False(Directory.Exists(s.P(snap.PolicyFolder)), "no snap installed: its folder is not created");
            }
            using (var s = new Scratch())
            {
                s.Touch(deb.Binaries[0]);
                s.Touch(snap.Binaries[0]);
                var e = new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()));
                Assert.Equal(ComplianceStatus.NonCompliant, e.Test(controls).Single(r => r.Target == Targets.Chromium).Status);
                using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30))) e.Apply(e.Plan(controls), null, out _);
                Assert.Equal(s.Read(deb.PolicyFolder + "/" + Targets.OwnedPolicyFileName), s.Read(snap.PolicyFolder + "/" + Targets.OwnedPolicyFileName));
                var fresh = new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()));
                Assert.Equal(ComplianceStatus.Compliant, fresh.Test(controls).Single(r => r.Target == Targets.Chromium).Status);

                // Only the snap's folder loses the setting: the audit names that folder.
                File.Delete(s.P(snap.PolicyFolder + "/" + Targets.OwnedPolicyFileName));
                var after = new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner())).Test(controls).Single(r => r.Target == Targets.Chromium);
                Assert.Equal(ComplianceStatus.NonCompliant, after.Status);
                Assert.Contains(after.Settings, x => x.Location != null && x.Location.StartsWith(snap.PolicyFolder, StringComparison.Ordinal));
            }
        }

        /// <summary>Issue #15: per-target sections are typed records built once by the loader, with their defaults there.</summary>
        [Fact]
        public void Sections_are_typed_by_the_loader_with_their_defaults()
        {
            var b = EnforcementTests.Baseline(EnforcementTests.Control("T-S-01",
                @"{ ""target"": ""GNOME"", ""name"": ""org/gnome/desktop/session/idle-delay"", ""type"": ""integer"", ""value"": 300, ""dconf"": { ""type"": ""uint32"" }, ""source"": ""https://e.org"" }",
                @"{ ""target"": ""Windows"", ""name"": ""X"", ""type"": ""integer"", ""value"": 1, ""registry"": { ""hive"": ""HKLM"", ""key"": ""Software\\Policies\\T"", ""value"": ""X"", ""kind"": ""REG_DWORD"" }, ""intune"": { ""settingDefinitionId"": ""a_b"", ""child"": ""a_b_c"" }, ""source"": ""https://e.org"" }",
                @"{ ""target"": ""Firefox"", ""name"": ""browser.x"", ""type"": ""boolean"", ""value"": true, ""firefoxPreference"": { ""status"": ""locked"" }, ""source"": ""https://e.org"" }"));
            var s = b.Controls.Single().Settings;
            Assert.Equal("uint32", s[0].Dconf!.Type);
            Assert.True(s[0].Dconf!.Lock);                                   // locked unless the baseline says otherwise
            Assert.Equal(@"Software\Policies\T", s[1].Registry!.Key);
            Assert.Equal("REG_DWORD", s[1].Registry!.Kind);
            Assert.Equal(IntuneSection.DefaultChildKind, s[1].Intune!.ChildKind); // a child without a kind is a choice
            Assert.False(s[1].Intune!.SimpleChild);
            Assert.Equal("locked", s[2].FirefoxPreference!.Status);
            Assert.Null(s[0].Registry);
            Assert.Null(s[2].OmaUri);
            // The raw JSON is the loader's alone: not visible outside the core.
            Assert.Null(typeof(SettingDefinition).GetProperty("Raw"));          // no public Raw
        }
    }
}
