using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using Xunit;
using static WaHardening.Core.Tests.EnforcementTests;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Issue #14 item 11, Set of a large policy file: plans copy only the objects on the path to what they change
    /// (copy-on-write) and never the parsed document the run's reads share; the plan under the lock reuses the first plan's
    /// bytes only when the file's bytes are unchanged; the UTF-8 writer and the streamed backup write exactly the bytes of
    /// the text writer.
    /// </summary>
    public class PolicyFileCopyOnWriteTests
    {
        private const string FirefoxSanitize = @"{ ""target"": ""Firefox"", ""name"": ""SanitizeOnShutdown.Cookies"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"" }";
        private const string FirefoxAllow = @"{ ""target"": ""Firefox"", ""name"": ""Cookies.AllowSession"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";
        private const string FirefoxPref = @"{ ""target"": ""Firefox"", ""name"": ""browser.safebrowsing.phishing.enabled"", ""type"": ""boolean"", ""value"": true, ""firefoxPreference"": { ""status"": ""locked"" }, ""source"": ""https://e.org"" }";
        private const string ChromiumList = @"{ ""target"": ""Chromium"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";
        private const string ChromiumRestore = @"{ ""target"": ""Chromium"", ""name"": ""RestoreOnStartup"", ""type"": ""integer"", ""value"": 5, ""compare"": ""oneOf"", ""accept"": [4, 5], ""source"": ""https://e.org"" }";

        private static readonly Baseline s_firefox = Baseline(Control("WA-F-01", FirefoxSanitize, FirefoxAllow, FirefoxPref));
        private static readonly Baseline s_chromium = Baseline(Control("WA-C-01", ChromiumList, ChromiumRestore));

        /// <summary>Foreign members everywhere a plan writes: beside our members, inside the objects it changes, inside the
        /// preference object it updates (its "Type" stays), and a large foreign subtree it never touches.</summary>
        private const string FirefoxFile = @"{
  ""policies"": {
    ""ExtensionSettings"": { ""a@example.test"": { ""installation_mode"": ""allowed"", ""n"": 1.50 }, ""b@example.test"": { ""installation_mode"": ""blocked"" } },
    ""Cookies"": { ""Locked"": true, ""Allow"": [""https://keep.example""], ""AllowSession"": [""https://foreign.example""] },
    ""SanitizeOnShutdown"": { ""History"": true },
    ""Preferences"": { ""browser.safebrowsing.phishing.enabled"": { ""Value"": false, ""Status"": ""default"", ""Type"": ""boolean"" }, ""foreign.pref"": { ""Value"": 1 } }
  },
  ""foreign"": [1, 2, { ""x"": ""\u00e9\ud83d\ude00"" }]
}";

        private static Engine Linux(Scratch s) => new Engine(new ProviderContext(s.Root, Platforms.Linux, new RecordingRunner()));

        private static JsonObject Cached(ProviderContext ctx, string path, JsonParseOptions options = JsonParseOptions.None) =>
            (JsonObject)FileHelpers.ParseJson(ctx, path, "PolicyFileInvalid", "test", options, owned: true);

        private static byte[] Content(EnforcementPlan plan) => ((FileWriteOperation)Assert.Single(plan.Operations)).Content;

        private static Scratch Firefox()
        {
            var s = new Scratch();
            s.Touch("/usr/bin/firefox");
            s.Write(FirefoxFileProvider.PolicyFile, FirefoxFile);
            return s;
        }

        [Fact]
        public void A_firefox_plan_never_changes_the_document_the_run_shares_and_keeps_every_foreign_member()
        {
            using var s = Firefox();
            var e = Linux(s);
            Assert.All(e.Test(s_firefox.Controls), r => Assert.Equal(Evaluation.ComplianceStatus.NonCompliant, r.Status));
            var shared = Cached(e.Context, FirefoxFileProvider.PolicyFile);
            var before = JsonWriter.Write(shared);
            var deepCopy = shared.DeepClone();

            var first = Content(e.Plan(s_firefox.Controls));
            var second = Content(e.Plan(s_firefox.Controls));

            Assert.Equal(before, JsonWriter.Write(shared));                              // not one member of the shared document changed
            Assert.True(deepCopy.DeepEquals(shared));
            Assert.Same(shared, Cached(e.Context, FirefoxFileProvider.PolicyFile));      // and it is still the one served
            Assert.Equal(first, second);                                                 // two plans: the same bytes
            Assert.Equal(1, e.Context.Files.Parses[FirefoxFileProvider.PolicyFile]);

            var written = (JsonObject)JsonParser.ParseBytes(first, "planned", JsonParseOptions.None);
            var policies = (JsonObject)written["policies"]!;
            var old = (JsonObject)shared["policies"]!;
            Assert.True(old["ExtensionSettings"]!.DeepEquals(policies["ExtensionSettings"]));
            Assert.Contains("\"n\": 1.50", Encoding.UTF8.GetString(first));             // number text as written
            Assert.True(shared["foreign"]!.DeepEquals(written["foreign"]));
            var cookies = (JsonObject)policies["Cookies"]!;
            Assert.Equal("true", cookies["Locked"]!.ToString());
            Assert.Equal("[\"https://keep.example\"]", cookies["Allow"]!.ToString());
            Assert.Equal("[\"https://foreign.example\",\"https://web.whatsapp.com\"]", cookies["AllowSession"]!.ToString());
            Assert.Equal("{\"History\":true,\"Cookies\":true}", policies["SanitizeOnShutdown"]!.ToString());
            var prefs = (JsonObject)policies["Preferences"]!;
            Assert.Equal("{\"Value\":true,\"Status\":\"locked\",\"Type\":\"boolean\"}", prefs["browser.safebrowsing.phishing.enabled"]!.ToString());
            Assert.Equal("{\"Value\":1}", prefs["foreign.pref"]!.ToString());
            Assert.Equal(new[] { "ExtensionSettings", "Cookies", "SanitizeOnShutdown", "Preferences" }, policies.Properties.Select(p => p.Key)); // order kept
        }

        [Fact]
        public void The_document_a_plan_writes_shares_the_members_it_does_not_change()
        {
            using var s = Firefox();
            var e = Linux(s);
            var plan = e.Plan(s_firefox.Controls);
            var shared = (JsonObject)Cached(e.Context, FirefoxFileProvider.PolicyFile)["policies"]!;
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                Assert.All(e.Apply(plan, null, out _), c => Assert.Equal(ChangeAction.Changed, c.Action));
            Assert.Equal(Content(plan), File.ReadAllBytes(s.P(FirefoxFileProvider.PolicyFile)));
            // The planned document is served after the write (read back, not parsed again): its untouched subtree is the
            // shared one, the objects on its changed paths are new.
            var after = (JsonObject)Cached(e.Context, FirefoxFileProvider.PolicyFile)["policies"]!;
            Assert.Same(shared["ExtensionSettings"], after["ExtensionSettings"]);
            Assert.NotSame(shared["Cookies"], after["Cookies"]);
            Assert.NotSame(shared["Preferences"], after["Preferences"]);
            Assert.Same(((JsonObject)shared["Preferences"]!)["foreign.pref"], ((JsonObject)after["Preferences"]!)["foreign.pref"]);
            Assert.Equal(1, e.Context.Files.Parses[FirefoxFileProvider.PolicyFile]);
        }

        [Fact]
        public void A_firefox_plan_equals_the_plan_of_a_run_that_parsed_the_file_afresh_and_a_deep_copy_merge()
        {
            using var s = Firefox();
            var cached = Linux(s);
            cached.Test(s_firefox.Controls).ToList();
            var a = Content(cached.Plan(s_firefox.Controls));
            var b = Content(Linux(s).Plan(s_firefox.Controls));
            Assert.Equal(a, b);

            // What the deep-copying plan wrote: the whole document copied, every item merged into the copy.
            var copy = ((JsonObject)JsonParser.Parse(FirefoxFile)).DeepClone();
            foreach (var x in s_firefox.Controls.SelectMany(c => c.Settings))
            {
                var (before, _) = Rendering.FirefoxPolicy.Read(x, Walk((JsonObject)copy["policies"]!, Rendering.FirefoxPolicy.Path(x)));
                Rendering.FirefoxPolicy.Merge((JsonObject)copy["policies"]!, x, Evaluation.ValueComparer.Desired(x, before));
            }
            // Same document; the members the plan did not change keep the file's own text (copied, not serialized again:
            // #14 item 11), the changed ones are in the writer's form.
            var written = Encoding.UTF8.GetString(a);
            Assert.True(JsonParser.Parse(written).DeepEquals(copy), written);
            Assert.Contains(@"""ExtensionSettings"": { ""a@example.test"": { ""installation_mode"": ""allowed"", ""n"": 1.50 }, ""b@example.test"": { ""installation_mode"": ""blocked"" } }", written);
            Assert.Contains(@"""foreign"": [1, 2, { ""x"": ""\u00e9\ud83d\ude00"" }]", written);
            Assert.DoesNotContain(@"""Cookies"": { ""Locked"": true", written); // changed: written anew

            static JsonValue? Walk(JsonObject o, string[] parts)
            {
                JsonValue? n = o;
                foreach (var p in parts) n = (n as JsonObject)?[p];
                return n;
            }
        }

        [Fact]
        public void The_plan_under_the_lock_sees_a_file_changed_after_the_first_plan_even_with_the_same_size_and_time()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/firefox");
            s.Write(FirefoxFileProvider.PolicyFile, "{ \"policies\": { \"Homepage\": { \"URL\": \"https://aaaa.example\" } } }");
            var physical = s.P(FirefoxFileProvider.PolicyFile);
            var e = Linux(s);
            var first = Content(e.Plan(s_firefox.Controls));
            Assert.Contains("aaaa", Encoding.UTF8.GetString(first));

            // Another tool rewrites the file between the two plans: same length, same modification time.
            var stamp = File.GetLastWriteTimeUtc(physical);
            File.WriteAllText(physical, "{ \"policies\": { \"Homepage\": { \"URL\": \"https://bbbb.example\" } } }");
            File.SetLastWriteTimeUtc(physical, stamp);
            Assert.Equal(stamp, new FileInfo(physical).LastWriteTimeUtc);

            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
            {
                var plan = e.Plan(s_firefox.Controls);
                var text = Encoding.UTF8.GetString(Content(plan));
                Assert.Contains("bbbb", text);
                Assert.DoesNotContain("aaaa", text);
                Assert.All(e.Apply(plan, null, out var backup), c => Assert.Equal(ChangeAction.Changed, c.Action));
                Assert.Contains("bbbb", File.ReadAllText(physical));
                var saved = (FileBackup)Assert.Single(BackupDocument.Load(backup!).Entries);
                Assert.Contains("bbbb", Encoding.UTF8.GetString(saved.Content!));
            }
            Assert.Equal(2, e.Context.Files.Parses[FirefoxFileProvider.PolicyFile]); // the changed file parsed again, once
        }

        [Fact]
        public void The_backup_holds_the_file_as_it_is_when_written_even_when_it_changed_after_the_plan()
        {
            using var s = Firefox();
            var e = Linux(s);
            var physical = s.P(FirefoxFileProvider.PolicyFile);
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
            {
                var plan = e.Plan(s_firefox.Controls);
                var changed = FirefoxFile.Replace("keep.example", "kept.example");
                File.WriteAllText(physical, changed);                       // not the bytes the plan read
                e.Apply(plan, null, out var backup);
                var saved = (FileBackup)Assert.Single(BackupDocument.Load(backup!).Entries);
                Assert.Equal(Encoding.UTF8.GetBytes(changed), saved.Content);
            }
        }

        [Fact]
        public void A_chromium_plan_never_changes_the_shared_document_and_two_plans_give_the_same_bytes()
        {
            using var s = new Scratch();
            s.Touch("/usr/bin/chromium");
            var own = ChromiumFileProvider.OwnFile(Targets.Chromium);
            s.Write(own, "// ours\n{ \"HomepageLocation\": \"https://keep.example\", \"RestoreOnStartup\": 1, \"CookiesSessionOnlyForUrls\": [\"https://x.example\"], \"Nested\": { \"a\": [1, 2] } }");
            s.Write("/etc/chromium/policies/managed/10-foreign.json", "{ \"DefaultCookiesSetting\": 4 }");
            var e = Linux(s);
            e.Test(s_chromium.Controls).ToList();
            var shared = Cached(e.Context, own, JsonParseOptions.Chromium);
            var before = JsonWriter.Write(shared);

            var first = Content(e.Plan(s_chromium.Controls));
            var second = Content(e.Plan(s_chromium.Controls));
            Assert.Equal(before, JsonWriter.Write(shared));
            Assert.Same(shared, Cached(e.Context, own, JsonParseOptions.Chromium));
            Assert.Equal(first, second);
            Assert.Equal(first, Content(Linux(s).Plan(s_chromium.Controls)));
            Assert.Equal("{\"HomepageLocation\":\"https://keep.example\",\"RestoreOnStartup\":5,\"CookiesSessionOnlyForUrls\":[\"https://x.example\",\"https://web.whatsapp.com\"],\"Nested\":{\"a\":[1,2]}}",
                JsonParser.ParseBytes(first, "planned", JsonParseOptions.None).ToString());
            Assert.All(e.Context.Files.Parses, kv => Assert.Equal(1, kv.Value));
        }

        [Fact]
        public void A_shallow_clone_changes_without_changing_the_original()
        {
            var o = (JsonObject)JsonParser.Parse("{ \"a\": 1, \"b\": { \"c\": 2 }, \"d\": 3 }");
            var c = o.ShallowClone();
            c.Set("a", 9).Set("e", 5);
            c.Remove("d");
            Assert.Equal("{\"a\":1,\"b\":{\"c\":2},\"d\":3}", o.ToString());
            Assert.Equal("{\"a\":9,\"b\":{\"c\":2},\"e\":5}", c.ToString());
            Assert.Same(o["b"], c["b"]);
            Assert.Equal((o.Line, o.Column), (c.Line, c.Column));
        }

        public static IEnumerable<object[]> Documents()
        {
            yield return new object[] { "{}" };
            yield return new object[] { "[]" };
            yield return new object[] { "{ \"a\": [], \"b\": {}, \"c\": [1, -2.5e3, true, false, null, \"x\"] }" };
            yield return new object[] { "{ \"q\\\"\\\\/\": \"\\b\\f\\n\\r\\t\\u0000\\u001f\\u007f\" }" };
            yield return new object[] { "[\"\u00e9\u00df\u07ff\u0800\u4e2d\uffff\", \"\\ud83d\\ude00\", \"\\ud800\", \"\\udfff\", \"a\\ud800b\", \"\\ud800\\ud800\\udc00\", \"\\u2028\\u2029\"]" };
            yield return new object[] { "{ \"k\\u00e9\\ud83d\\ude00\": { \"deep\": [[[{ \"x\": \"" + new string('y', 5000) + "\" }]]] } }" };
        }

        [Theory]
        [MemberData(nameof(Documents))]
        public void The_utf8_writer_writes_exactly_the_text_writer_s_bytes(string json)
        {
            var v = JsonParser.Parse(json);
            foreach (var indented in new[] { true, false })
            {
                var expected = new UTF8Encoding(false, true).GetBytes(JsonWriter.Write(v, indented));
                Assert.Equal(expected, JsonWriter.WriteUtf8(v, indented));
                Assert.Equal(expected, JsonWriter.WriteUtf8(v, indented, sizeHint: 1));
                using var ms = new MemoryStream();
                JsonWriter.WriteUtf8(ms, v, null, indented);
                Assert.Equal(expected, ms.ToArray());
            }
        }

        [Fact]
        public void The_streamed_backup_holds_exactly_the_text_writer_s_bytes_and_loads_back()
        {
            using var s = new Scratch();
            var rnd = new Random(7);
            var entries = new List<BackupEntry>();
            // Sizes around the writer's base64 piece (3 * 4096 bytes) and its 64 KiB buffer.
            foreach (var n in new[] { 0, 1, 2, 3, 12287, 12288, 12289, 65536, 200001 })
            {
                var b = new byte[n];
                rnd.NextBytes(b);
                entries.Add(new FileBackup($"/etc/f{n}", true, b, new[] { "/etc" }, new FileOwnership(0x1A4, 0, 0)));
            }
            entries.Add(new FileBackup("/etc/absent", false, null, Array.Empty<string>()));
            var doc = new BackupDocument(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero), "host\u00e9", Platforms.Linux, s.Root, entries,
                new[] { new PostAction("Dconf", "update") });
            var path = Path.Combine(s.Root, "b", "backup.json");
            doc.Save(path);
            Assert.Equal(new UTF8Encoding(false).GetBytes(JsonWriter.Write(doc.ToJson())), File.ReadAllBytes(path));
            var back = BackupDocument.Load(path);
            Assert.Equal(entries.Count, back.Entries.Count);
            for (var i = 0; i < entries.Count; i++)
                Assert.Equal(((FileBackup)entries[i]).Content, ((FileBackup)back.Entries[i]).Content);
        }

        [Fact]
        public void Byte_comparison_finds_a_difference_anywhere()
        {
            var a = new byte[1003];
            new Random(3).NextBytes(a);
            Assert.True(Bytes.Same(a, (byte[])a.Clone()));
            for (var i = 0; i < a.Length; i++)
            {
                var b = (byte[])a.Clone();
                b[i] ^= 0x40;
                Assert.False(Bytes.Same(a, b), $"difference at {i} not seen");
            }
            Assert.False(Bytes.Same(a, a.Take(1002).ToArray()));
            Assert.False(Bytes.Same(a, null));
            Assert.True(Bytes.Same(Array.Empty<byte>(), new byte[0]));
        }
    }
}
