using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>The whole Intune settings catalog (../shared/intune/settings-catalog.tsv beside the repository).</summary>
    public sealed class SettingsCatalog
    {
        public sealed class Row
        {
            public Row(string id, string type, string omaUri, string[] options) { Id = id; Type = type; OmaUri = omaUri; Options = options; }
            public string Id { get; }
            public string Type { get; }
            public string OmaUri { get; }
            public string[] Options { get; }
        }

        private static readonly Lazy<SettingsCatalog> s_instance = new Lazy<SettingsCatalog>(() => new SettingsCatalog(Locate()));
        public static SettingsCatalog Instance => s_instance.Value;
        public Dictionary<string, Row> Rows { get; } = new Dictionary<string, Row>(StringComparer.Ordinal);

        private SettingsCatalog(string path)
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("#", StringComparison.Ordinal) || line.Length == 0) continue;
                var f = line.Split('\t');
                Rows[f[0]] = new Row(f[0], f[1], f.Length > 2 ? f[2] : "", f.Length > 3 && f[3].Length > 0 ? f[3].Split(',') : new string[0]);
            }
        }

        public static string Locate()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "intune", "settings-catalog.tsv") })
                    if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("The Intune settings catalog (shared/intune/settings-catalog.tsv beside the repository) was not found; it is needed to check every exported id.");
        }
    }

    public class DefaultBaselineTests
    {
        private static Baseline Default => BaselineLoader.Load(BaselineLoaderTests.DefaultPath);

        public static TheoryData<string> ControlIds()
        {
            var d = new TheoryData<string>();
            foreach (var c in BaselineLoader.Load(BaselineLoaderTests.DefaultPath).Controls) d.Add(c.Id);
            return d;
        }

        private static Control Get(string id) => Default.Controls.Single(c => c.Id == id);

        [Fact]
        public void Catalog_is_there_and_complete()
        {
            Assert.True(SettingsCatalog.Instance.Rows.Count > 18000, "expected the whole settings catalog");
        }

        [Theory]
        [MemberData(nameof(ControlIds))]
        public void Every_intune_id_and_option_exists_in_the_catalog_with_the_right_kind(string id)
        {
            var catalog = SettingsCatalog.Instance.Rows;
            foreach (var s in Get(id).Settings.Where(IntuneRendering.Applies))
            {
                var stack = new Stack<IntuneSettingInstance>();
                stack.Push(IntuneRendering.Render(s));
                while (stack.Count > 0)
                {
                    var i = stack.Pop();
                    Assert.True(catalog.TryGetValue(i.DefinitionId, out var row), $"{s}: settingDefinitionId '{i.DefinitionId}' is not in the catalog");
                    var expectedType = i.Kind switch
                    {
                        IntuneSettingKind.Choice => "ChoiceSettingDefinition",
                        IntuneSettingKind.Simple => "SimpleSettingDefinition",
                        _ => "SimpleSettingCollectionDefinition",
                    };
                    Assert.True(expectedType == row!.Type, $"{s}: '{i.DefinitionId}' is a {row.Type}, rendered as {expectedType}");
                    if (i.Option != null)
                        Assert.True(row.Options.Contains(i.Option), $"{s}: option '{i.Option}' is not one of {string.Join(", ", row.Options)}");
                    foreach (var c in i.Children) stack.Push(c);
                }
            }
        }

        [Theory]
        [MemberData(nameof(ControlIds))]
        public void Oma_uris_match_the_catalog(string id)
        {
            foreach (var s in Get(id).Settings.Where(x => x.OmaUri != null))
            {
                var oma = s.OmaUri!;
                if (s.Intune is not IntuneSection intune) continue; // custom OMA-URI only: no catalog row to compare with
                var intuneId = intune.SettingDefinitionId;
                Assert.Equal(SettingsCatalog.Instance.Rows[intuneId].OmaUri, oma);
            }
        }


        [Theory]
        [MemberData(nameof(ControlIds))]
        public void Every_setting_whose_catalog_row_has_an_oma_uri_carries_it(string id)
        {
            var missing = new List<string>();
            foreach (var s in Get(id).Settings.Where(IntuneRendering.Applies))
            {
                var row = SettingsCatalog.Instance.Rows[s.Intune!.SettingDefinitionId];
                if (!row.OmaUri.StartsWith("./", StringComparison.Ordinal))
                {
                    // Apple payload rows name a payload key, not an OMA-URI.
                    Assert.False(s.OmaUri != null, $"{s}: the catalog has no OMA-URI for {row.Id}");
                    continue;
                }
                if (s.OmaUri is string oma) Assert.Equal(row.OmaUri, oma);
                else missing.Add($"{s.Target}:{s.Name} ({row.OmaUri})");
            }
            Assert.Empty(missing);
        }

        [Fact]
        public void Only_policy_csp_settings_are_read_from_intunes_policy_manager()
        {
            var withOma = Default.Controls.SelectMany(c => c.Settings).Where(s => s.OmaUri != null).ToList();
            Assert.True(withOma.Count >= 25, $"only {withOma.Count} settings carry an OMA-URI");
            var mdm = withOma.Where(s => WaHardening.Core.Providers.WindowsRegistryProvider.MdmLocation(s) != null).Select(s => s.Name).ToList();
            // ADMX-backed policies (browsers, Edge Update, ADMX_ControlPanelDisplay) land in the Policies keys, not in PolicyManager.
            Assert.Equal(new[] { "InactivityTimeoutSecs" }, mdm);
        }

        [Theory]
        [MemberData(nameof(ControlIds))]
        public void Every_control_is_complete_for_the_targets_it_claims(string id)
        {
            var c = Get(id);
            Assert.False(string.IsNullOrWhiteSpace(c.Rationale));
            Assert.NotEmpty(c.Targets);
            if (c.Advisory)
            {
                Assert.False(string.IsNullOrWhiteSpace(c.Guidance));
                Assert.Empty(c.Settings);
                return;
            }
            foreach (var s in c.Settings)
            {
                Assert.StartsWith("https://", s.Source);
                var info = Targets.Find(s.Target)!;
                foreach (var f in info.RequiredFields) Assert.True(s.Raw.Contains(f), $"{s} lacks {f}");
                // Renders to every form its target implies.
                if (info.Platforms.Contains(Platforms.Windows) && s.Target != Targets.Guidance && RegistryRendering.Applies(s))
                    Assert.NotNull(RegistryRendering.Render(s).Key);
                if (s.Intune is IntuneSection intune)
                {
                    var intuneId = intune.SettingDefinitionId;
                    if (s.Target == Targets.Chrome) Assert.Contains("googlechrome", intuneId);
                    if (s.Target == Targets.Edge) Assert.Contains("microsoft_edge", intuneId);
                    // The catalog's "update~policy~cat_google~cat_googleupdate" ADMX is Microsoft Edge Update's (its
                    // applications are the Edge channels; Microsoft kept Google Update's category names); Google Update has none.
                    if (s.Target == Targets.EdgeUpdate) Assert.StartsWith("device_vendor_msft_policy_config_update~policy~", intuneId);
                    if (s.Target == Targets.EdgeUpdate && s.Name.StartsWith("Update{", StringComparison.Ordinal)) Assert.Contains("~cat_microsoftedge_", intuneId);
                    Assert.NotEqual(Targets.GoogleUpdate, s.Target);
                    Assert.NotEqual(Targets.Chromium, s.Target); // Intune has no Chromium settings
                }
            }
        }

        [Fact]
        public void Profiles_return_every_control_of_the_brief()
        {
            var b = Default;
            var standard = b.ControlsFor("Standard").Select(c => c.Id).ToList();
            var shared = b.ControlsFor("SharedComputer").Select(c => c.Id).ToList();
            foreach (var prefix in new[] { "WA-SESSION-", "WA-LOCK-", "WA-UPDATE-", "WA-PHISH-", "WA-ADVICE-" })
                Assert.Contains(standard, i => i.StartsWith(prefix, StringComparison.Ordinal));
            Assert.DoesNotContain(standard, i => i.StartsWith("WA-SHARED-", StringComparison.Ordinal));
            Assert.Equal(b.Controls.Select(c => c.Id).OrderBy(x => x), shared.OrderBy(x => x));
            Assert.Equal(3, b.Controls.Count(c => c.Advisory));
        }

        [Fact]
        public void Session_control_covers_every_browser_and_uses_the_origin_parameters()
        {
            var c = Get("WA-SESSION-01");
            // Every browser row of the target table (Model/Targets.cs), Brave included.
            Assert.Equal(Targets.All.Where(t => t.Family == TargetFamily.ChromiumBrowser || t.Family == TargetFamily.Firefox).Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal),
                c.Targets.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Contains("WhatsAppOrigins", c.ParameterNames);
            Assert.Contains("WhatsAppFirefoxOrigins", c.ParameterNames);
            var chrome = c.Settings.First(s => s.Target == "Chrome");
            Assert.Equal(new[] { "https://web.whatsapp.com", "[*.]whatsapp.com", "[*.]whatsapp.net" },
                ((JsonArray)chrome.Expected).Items.Select(i => ((JsonString)i).Value));
        }

        [Theory]
        [InlineData(120, 120, 2)]
        [InlineData(300, 300, 5)]
        [InlineData(600, 600, 10)]
        [InlineData(900, 900, 15)]
        public void Idle_timeout_renders_to_every_lock_setting(long seconds, long windows, long iosMinutes)
        {
            var b = Default.WithParameters(new Dictionary<string, object?> { ["IdleTimeoutSeconds"] = seconds });
            var lockSettings = b.Controls.Single(c => c.Id == "WA-LOCK-01").Settings;
            // Every idle-time setting (moduleName, the screen saver Apple's payload requires, is the other one).
            var idle = lockSettings.Where(s => s.Name != "moduleName").ToList();
            Assert.Equal(4, idle.Count);
            Assert.All(idle, s => Assert.Equal(windows, ((JsonNumber)s.Expected).TryGetInt64(out var v) ? v : -1));
            var ios = b.Controls.Single(c => c.Id == "WA-LOCK-03").Settings.Where(s => s.Target == "iOS").ToDictionary(s => s.Name);
            Assert.Equal(iosMinutes.ToString(), ((JsonNumber)ios["passcodeMinutesOfInactivityBeforeScreenTimeout"].Expected).Raw);
            Assert.Equal("0", ((JsonNumber)ios["passcodeMinutesOfInactivityBeforeLock"].Expected).Raw); // passcode at once, whatever the idle time
            var screenSaver = RegistryRendering.Render(lockSettings.Single(s => s.Name == "ScreenSaveTimeOut"));
            Assert.Equal(RegistryKind.String, screenSaver.Kind); // REG_SZ per the ADMX
            Assert.Equal(seconds.ToString(), screenSaver.Data);
        }

        [Theory]
        [InlineData("IdleTimeoutSeconds", 59L, "below the minimum 60")]
        [InlineData("IdleTimeoutSeconds", 0L, "below the minimum")]
        [InlineData("RelaunchPeriodHours", 169L, "above the maximum 168")]
        [InlineData("WhatsAppOrigins", "web whatsapp", "does not match the pattern")]
        [InlineData("WhatsAppFirefoxOrigins", "[*.]whatsapp.com", "does not match the pattern")]
        public void Default_baseline_bounds_reject_bad_parameters(string name, object value, string message)
        {
            var e = Assert.Throws<BaselineParameterException>(() => Default.WithParameters(new Dictionary<string, object?> { [name] = value }));
            Assert.Contains(name, e.Message);
            Assert.Contains(message, e.Message);
        }
    }
}
