using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Field truth: the default baseline's outputs for every profile (Intune export, GPO Machine registry.pol, what
    /// Set-WaHardening writes for Firefox on Linux) checked by tests/tools/oracle_check.py against the vendors' own
    /// definitions in shared/oracles (Chromium policy YAML supported_on/schema, Microsoft's Edge reference, Apple's
    /// device-management YAML, Mozilla's policies-schema.json through python3-jsonschema) and against Samba's Linux GP
    /// client (convert_pol_to_json of samba.gp.gp_chromium_ext / gp_firefox_ext). A missing Python module fails.
    /// Edge HttpsOnlyMode has no oracle (shared/oracles/README.md, Gaps): it is reported as a note, not checked.
    /// </summary>
    public sealed class OracleFixture : IDisposable
    {
        public static readonly string[] Profiles = { "Standard", "SharedComputer" };

        public OracleFixture()
        {
            Root = Path.Combine(Path.GetTempPath(), "wah-oracle-" + Guid.NewGuid().ToString("N"));
            var b = BaselineLoader.Load(BaselineLoaderTests.DefaultPath);
            var args = new List<string> { Script("oracle_check.py"), Oracles(), "--baseline", BaselineLoaderTests.DefaultPath };
            foreach (var profile in Profiles)
            {
                var dir = Path.Combine(Root, profile);
                var exported = new HashSet<string>(StringComparer.Ordinal);
                foreach (var f in IntuneExporter.Build(b, profile, null, "oracle-test").Files)
                {
                    var path = Path.Combine(dir, f.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllBytes(path, f.Content);
                    exported.UnionWith(f.Controls);
                }
                // The GPO of the same controls as the export (a profile's export may hold only what it adds to the profiles it
                // includes), so registry.pol and the Linux files are compared like for like.
                var gpo = GpoContent.From(b.ControlsFor(profile).Where(c => exported.Contains(c.Id)), SecurityOptionPlacement.SecurityTemplate);
                Directory.CreateDirectory(Path.Combine(dir, "gpo", "Machine"));
                RegistryPolicyFile.WriteFile(Path.Combine(dir, "gpo", "Machine", "registry.pol"), gpo.Machine);
                args.Add("--export"); args.Add(profile + "=" + dir);

                // What Set-WaHardening writes for Firefox on Linux (a scratch root with a Firefox binary).
                var root = Path.Combine(Root, "set-" + profile);
                Directory.CreateDirectory(Path.Combine(root, "usr", "bin"));
                File.WriteAllText(Path.Combine(root, "usr", "bin", "firefox"), "");
                var engine = new Engine(new ProviderContext(root, Platforms.Linux, new RecordingRunner()));
                var controls = b.ControlsFor(profile).Where(c => c.Targets.Contains(Targets.Firefox)).ToList();
                engine.Apply(engine.Plan(controls), null, out _);
                var written = Path.Combine(root, "etc", "firefox", "policies", "policies.json");
                Assert.True(File.Exists(written), "Set-WaHardening wrote no Firefox policies.json under " + root);
                args.Add("--firefox-json"); args.Add(written);
            }
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing (scripts/install-test-deps.sh)");
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(300_000), "oracle_check.py timed out");
            Assert.True(p.ExitCode == 0, $"oracle_check.py failed (exit {p.ExitCode}; PyYAML, python3-jsonschema or python3-samba missing?): {stderr}");
            Result = (JsonObject)JsonParser.Parse(stdout.Result, "oracle_check");
        }

        public string Root { get; }
        public JsonObject Result { get; }

        public IReadOnlyList<string> Findings(string area) => ((JsonArray)Result[area]!).Items.Select(i => ((JsonString)i).Value).ToList();

        public void Dispose() { try { Directory.Delete(Root, true); } catch (IOException) { } }

        internal static string Script(string name)
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "tests", "tools", name))) return Path.Combine(dir.FullName, "tests", "tools", name);
            throw new FileNotFoundException("tests/tools/" + name + " not found above " + AppContext.BaseDirectory);
        }

        /// <summary>shared/oracles beside the repository (found by walking up, as the catalog TSV is).</summary>
        internal static string Oracles()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "shared", "oracles", "README.md"))) return Path.Combine(dir.FullName, "shared", "oracles");
            throw new DirectoryNotFoundException("shared/oracles (the vendors' policy definitions) was not found above " + AppContext.BaseDirectory);
        }
    }

    public class OracleTests : IClassFixture<OracleFixture>
    {
        private readonly OracleFixture _f;
        public OracleTests(OracleFixture f) { _f = f; }

        private void None(string area) => Assert.True(_f.Findings(area).Count == 0,
            $"{area}: {_f.Findings(area).Count} mismatch(es) with the vendor's definition:\n  " + string.Join("\n  ", _f.Findings(area)));

        /// <summary>Linux JSON, Registry.pol, Intune catalog/OMA-URI and macOS payloads name only policies the browser has on
        /// that platform (BackgroundModeEnabled: not macOS; StartupBoostEnabled: Windows only), with values inside the schema.</summary>
        [Fact]
        public void Chromium_family_policies_are_written_only_where_supported_and_inside_their_schema() => None("chromium");

        /// <summary>Every payload is Apple-valid (keys, types, required keys, rangelist) and in a profile of the channel Apple allows.</summary>
        [Fact]
        public void Apple_payloads_are_valid_and_in_the_channel_apple_allows() => None("apple");

        /// <summary>A multiple: false payload (com.apple.screensaver, com.apple.screensaver.user) appears once on a Mac given both the
        /// Standard and the SharedComputer export (needs SharedComputer to export only what it adds to Standard).</summary>
        [Fact]
        public void Single_apple_payloads_appear_once_per_device_over_every_profile() => None("apple-multiple");

        /// <summary>Linux export, Set-WaHardening's policies.json and the macOS form validate against Mozilla's schema.</summary>
        [Fact]
        public void Firefox_policies_validate_against_mozillas_schema() => None("firefox");

        /// <summary>Samba's GP client reads the same browser policies out of Machine\registry.pol as the Linux export holds.</summary>
        [Fact]
        public void Samba_gp_client_converts_registry_pol_into_the_linux_export() => None("samba");

        /// <summary>The Firefox check is Mozilla's schema through a real validator: a value outside an enum and a value of
        /// the wrong type inside a policy are both found (so an empty finding list above means something).</summary>
        [Fact]
        public async System.Threading.Tasks.Task Firefox_check_finds_what_mozillas_schema_rejects()
        {
            var bad = Path.Combine(_f.Root, "bad-policies.json");
            File.WriteAllText(bad, @"{ ""policies"": { ""HttpsOnlyMode"": ""always"", ""SanitizeOnShutdown"": { ""Cookies"": ""yes"" } } }");
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { OracleFixture.Script("oracle_check.py"), OracleFixture.Oracles(), "--firefox-json", bad }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = await p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(120_000) && p.ExitCode == 0, stderr);
            var findings = ((JsonArray)((JsonObject)JsonParser.Parse(await stdout, "oracle_check"))["firefox"]!).Items.Select(i => ((JsonString)i).Value).ToList();
            Assert.Contains(findings, x => x.Contains("'always' is not one of") && x.Contains("HttpsOnlyMode"));
            Assert.Contains(findings, x => x.Contains("SanitizeOnShutdown/Cookies"));
        }

        [Fact]
        public void Gaps_without_an_oracle_are_named()
        {
            var notes = ((JsonArray)_f.Result["notes"]!).Items.Select(i => ((JsonString)i).Value).ToList();
            Assert.Contains(notes, n => n.Contains("HttpsOnlyMode"));
            // Samba's convert_pol_to_json matches by prefix: ...\Microsoft\Edge takes ...\Microsoft\EdgeUpdate's values too.
            Assert.Contains(notes, n => n.Contains("matches keys by prefix") && n.Contains("UpdateDefault"));
        }
    }
}
