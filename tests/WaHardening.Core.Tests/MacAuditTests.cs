using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Platform;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Issue #15, macOS audit: Test-WaHardening on macOS reads managed preferences (/Library/Managed Preferences, device and
    /// per user; XML and binary plists) as configuration profiles leave them. The plists here are written by a real tool,
    /// Python's plistlib (Debian's /usr/bin/python3), in both formats, on a scratch root.
    /// </summary>
    public class MacAuditTests
    {
        private static readonly Baseline Default = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);

        /// <summary>Writes <paramref name="json"/> as a plist (fmt: FMT_BINARY or FMT_XML) with plistlib.</summary>
        private static void WritePlist(string path, string json, string fmt)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import json,plistlib,sys; plistlib.dump(json.load(sys.stdin), open(sys.argv[1],'wb'), fmt=plistlib." + fmt + ")");
            psi.ArgumentList.Add(path);
            using var p = Process.Start(psi)!;
            p.StandardInput.Write(json);
            p.StandardInput.Close();
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "plistlib failed: " + err);
        }

        private static Engine Mac(Scratch s) => new Engine(new ProviderContext(s.Root, Platforms.MacOS, new RecordingRunner()));

        private static ComplianceResult Result(Engine e, string control, string target) =>
            e.Test(Default.Controls.Where(c => c.Id == control)).Single(r => r.Target == target);

        [Theory]
        [InlineData("FMT_BINARY")]
        [InlineData("FMT_XML")]
        public void Plists_written_by_plistlib_read_back_as_the_same_values(string fmt)
        {
            using var s = new Scratch();
            var json = "{\"a\": true, \"b\": [1, 2, \"x\"], \"c\": {\"d\": -5, \"e\": 1.5, \"f\": \"\\u00e9\\u4e2d\"}, \"g\": false}";
            WritePlist(s.P("/x.plist"), json, fmt);
            var v = (JsonObject)Plist.Parse(File.ReadAllBytes(s.P("/x.plist")));
            Assert.True(v.DeepEquals(JsonParser.Parse(json)), v.ToString());
        }

        [Fact]
        public void Chrome_is_compliant_from_device_managed_preferences_and_a_users_looser_file_makes_it_non_compliant()
        {
            using var s = new Scratch();
            Directory.CreateDirectory(s.P("/Applications/Google Chrome.app"));
            var e = Mac(s);
            Assert.Equal(ComplianceStatus.NonCompliant, Result(e, "WA-SESSION-01", Targets.Chrome).Status);
            WritePlist(s.P("/Library/Managed Preferences/com.google.Chrome.plist"), "{\"CookiesSessionOnlyForUrls\": [\"https://web.whatsapp.com\", \"[*.]whatsapp.com\", \"[*.]whatsapp.net\"]}", "FMT_BINARY");
            var ok = Result(Mac(s), "WA-SESSION-01", Targets.Chrome);
            Assert.Equal(ComplianceStatus.Compliant, ok.Status);
            Assert.Contains(ok.Settings, x => x.Origin != null && x.Origin.Contains("configuration profile"));
            WritePlist(s.P("/Library/Managed Preferences/alice/com.google.Chrome.plist"), "{\"CookiesSessionOnlyForUrls\": [\"https://example.org\"]}", "FMT_XML");
            var bad = Result(Mac(s), "WA-SESSION-01", Targets.Chrome);
            Assert.Equal(ComplianceStatus.NonCompliant, bad.Status);
            Assert.Contains(bad.Settings, x => x.Origin != null && x.Origin.Contains("/alice/"));
        }

        [Fact]
        public void Firefox_needs_EnterprisePoliciesEnabled_and_reads_nested_policies()
        {
            using var s = new Scratch();
            Directory.CreateDirectory(s.P("/Applications/Firefox.app"));
            var policies = "\"Cookies\": {\"AllowSession\": [\"https://web.whatsapp.com\", \"https://whatsapp.com\", \"https://whatsapp.net\"], \"Locked\": true}";
            WritePlist(s.P("/Library/Managed Preferences/org.mozilla.firefox.plist"), "{" + policies + "}", "FMT_BINARY");
            var without = Result(Mac(s), "WA-SESSION-01", Targets.Firefox);
            Assert.Equal(ComplianceStatus.NonCompliant, without.Status);
            Assert.Contains("EnterprisePoliciesEnabled", without.Reason + string.Join(" ", without.Settings.Select(x => x.Reason)));
            WritePlist(s.P("/Library/Managed Preferences/org.mozilla.firefox.plist"), "{\"EnterprisePoliciesEnabled\": true, " + policies + "}", "FMT_BINARY");
            var r = Result(Mac(s), "WA-SESSION-01", Targets.Firefox);
            Assert.True(r.Settings.Where(x => x.Name.StartsWith("Cookies.", StringComparison.Ordinal)).All(x => x.Status == ComplianceStatus.Compliant),
                string.Join("; ", r.Settings.Select(x => $"{x.Name}: {x.Status} {x.Reason}")));
        }

        [Fact]
        public void Screen_lock_payloads_are_read_device_wide_and_per_user()
        {
            using var s = new Scratch();
            var e = Mac(s);
            var lockControls = Default.Controls.Where(c => c.Settings.Any(x => x.Target == Targets.MacOS)).ToList();
            Assert.NotEmpty(lockControls);
            Assert.All(e.Test(lockControls).Where(r => r.Target == Targets.MacOS), r => Assert.Equal(ComplianceStatus.NonCompliant, r.Status));
            // What the exported profiles carry, as managed preferences: each System payload's keys device-wide, User ones per user.
            var settings = lockControls.SelectMany(c => c.Settings).Where(x => x.Target == Targets.MacOS && x.MacOS != null).ToList();
            foreach (var g in settings.GroupBy(x => (x.MacOS!.PayloadType, x.MacOS.Scope)))
            {
                var dict = new JsonObject();
                foreach (var x in g) dict.Set(x.MacOS!.KeyFor(x.Name), x.Expected);
                var file = g.Key.Scope == "System" ? $"/Library/Managed Preferences/{g.Key.PayloadType}.plist" : $"/Library/Managed Preferences/bob/{g.Key.PayloadType}.plist";
                WritePlist(s.P(file), JsonWriter.Write(dict), "FMT_BINARY");
            }
            Assert.All(Mac(s).Test(lockControls).Where(r => r.Target == Targets.MacOS), r => Assert.Equal(ComplianceStatus.Compliant, r.Status));
        }

        [Fact]
        public void Set_on_macOS_is_a_typed_error_and_writes_nothing()
        {
            using var s = new Scratch();
            Directory.CreateDirectory(s.P("/Applications/Google Chrome.app"));
            var e = Mac(s);
            var ex = Assert.Throws<WaHardeningException>(() => e.Plan(Default.ControlsFor("Standard")));
            Assert.Equal(ErrorIds.MacOSEnforcedByProfiles, ex.ErrorId);
            Assert.Contains("Export-WaIntuneProfile -Platform macOS", ex.Message);
            Assert.False(Directory.Exists(s.P("/Library/Managed Preferences")));
        }

        [Theory]
        [InlineData("bplist00")]                                       // header only
        [InlineData("bplist00\u00d1\u0001\u0001")]                      // truncated
        [InlineData("<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><plist><string>&x;</string></plist>")]
        [InlineData("<plist><dict><key>a</key><true/><key>a</key><false/></dict></plist>")]
        public void A_hostile_or_broken_plist_is_a_typed_error(string text)
        {
            using var s = new Scratch();
            Directory.CreateDirectory(s.P("/Applications/Google Chrome.app"));
            s.Write("/Library/Managed Preferences/com.google.Chrome.plist", text);
            var r = Result(Mac(s), "WA-SESSION-01", Targets.Chrome);
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.Contains(ErrorIds.ManagedPreferencesInvalid, r.Reason + string.Join(" ", r.Settings.Select(x => x.Reason)));
        }

        [Fact]
        public void A_binary_plist_whose_references_fan_out_exponentially_is_refused_not_expanded()
        {
            // 40 arrays (within the depth bound), each referencing the next one twice: 2^40 values if expanded.
            const int n = 40;
            var objects = new System.Collections.Generic.List<byte[]>();
            for (var i = 0; i < n; i++) objects.Add(i == n - 1 ? new byte[] { 0x09 } : new byte[] { 0xA2, (byte)(i + 1), (byte)(i + 1) });
            var body = new System.Collections.Generic.List<byte>(System.Text.Encoding.ASCII.GetBytes("bplist00"));
            var offsets = new System.Collections.Generic.List<int>();
            foreach (var o in objects) { offsets.Add(body.Count); body.AddRange(o); }
            var table = body.Count;
            foreach (var o in offsets) body.Add((byte)o);
            var trailer = new byte[32];
            trailer[6] = 1; trailer[7] = 1; trailer[15] = n; trailer[23] = 0; trailer[31] = (byte)table;
            body.AddRange(trailer);
            var ex = Assert.Throws<PlistFormatException>(() => Plist.Parse(body.ToArray()));
            Assert.Contains("values", ex.Message);
        }
    }
}
