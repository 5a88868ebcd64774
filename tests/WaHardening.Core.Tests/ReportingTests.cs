using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using WaHardening.Core.Json;
using WaHardening.Core.Reporting;
using Xunit;

namespace WaHardening.Core.Tests
{
    public class ReportingTests
    {
        private const string Hostile = "<script>alert(1)</script> & \"quotes\", 'apos', =cmd|' /C calc'!A0";

        internal static DeviceReport Sample(string device = "PC-01", string day = "2026-11-20", int failing = 1)
        {
            var r = new DeviceReport { Device = device, OperatingSystem = "Test OS", Platform = "Linux", ModuleVersion = "0.1.0", Profile = "Standard",
                GeneratedAt = DateTimeOffset.Parse(day + "T10:00:00Z") };
            r.Items.Add(new ReportItem { ControlId = "WA-LOCK-01", Title = "Screen locks", Category = "ScreenLock", Severity = "High", Target = "GNOME",
                Status = failing > 0 ? "NonCompliant" : "Compliant", Expected = "300", Actual = failing > 0 ? "900" : "300", Reason = failing > 0 ? "weaker" : "ok",
                Fix = failing > 0 ? "set idle-delay to 300" : null });
            r.Items.Add(new ReportItem { ControlId = "WA-SESSION-01", Title = Hostile, Category = "SessionPersistence", Severity = "High", Target = "Chromium",
                Status = "Compliant", Expected = "[\"https://web.whatsapp.com\"]", Actual = "[\"https://web.whatsapp.com\"]", Reason = "as required" });
            r.Items.Add(new ReportItem { ControlId = "WA-UPDATE-01", Title = "Updates", Category = "Updates", Severity = "Medium", Target = "Chrome",
                Status = "NotApplicable", Expected = "1", Reason = "Chrome is not installed" });
            r.Items.Add(new ReportItem { ControlId = "WA-ADVICE-01", Title = "Log out linked devices", Category = "Guidance", Severity = "High", Target = "Guidance",
                Status = "Advisory", Expected = "", Reason = "advice", Guidance = "Open WhatsApp > Linked devices " + Hostile });
            return r;
        }

        [Fact]
        public void Json_round_trips_and_advice_is_never_scored()
        {
            var r = Sample();
            var text = ReportWriters.Write(r, ReportFormat.Json);
            var back = DeviceReport.FromJson(JsonParser.Parse(text), "t.json");
            Assert.Equal(ReportWriters.Write(back, ReportFormat.Json), text);
            var s = r.Summary();
            Assert.Equal(1, s.Compliant);
            Assert.Equal(1, s.NonCompliant);
            Assert.Equal(1, s.Advisory);
            Assert.Equal(50.0, s.Score);
            Assert.Contains("\"schema\": \"WaHardening.DeviceReport\"", text);
        }

        [Fact]
        public void Csv_quotes_fields_and_defuses_spreadsheet_formulas()
        {
            var csv = ReportWriters.Csv(Sample());
            var lines = csv.Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(5, lines.Length);
            Assert.StartsWith("Device,GeneratedAt,Profile,ControlId", lines[0]);
            Assert.Contains("\"<script>alert(1)</script> & \"\"quotes\"\", 'apos', =cmd|' /C calc'!A0\"", csv);
            var formula = new DeviceReport { Device = "=HYPERLINK(\"x\")", GeneratedAt = DateTimeOffset.UnixEpoch };
            formula.Items.Add(new ReportItem { ControlId = "C", Status = "Compliant" });
            Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", ReportWriters.Csv(formula));
        }

        [Fact]
        public void JUnit_maps_statuses_and_is_well_formed_xml()
        {
            var x = XDocument.Parse(ReportWriters.JUnit(Sample()));
            var root = x.Root!;
            Assert.Equal("testsuites", root.Name.LocalName);
            Assert.Equal("4", root.Attribute("tests")!.Value);
            Assert.Equal("1", root.Attribute("failures")!.Value);
            Assert.Equal("2", root.Attribute("skipped")!.Value);
            Assert.Equal(4, root.Elements("testsuite").Count());
            var failure = root.Descendants("failure").Single();
            Assert.Contains("Expected: 300", failure.Value);
            Assert.Contains(root.Descendants("testcase"), t => t.Attribute("name")!.Value.Contains(Hostile));
            Assert.StartsWith("Advisory:", root.Descendants("skipped").Select(s => s.Attribute("message")!.Value).Single(m => m.StartsWith("Advisory", StringComparison.Ordinal)));
        }

        [Fact]
        public void Html_is_one_file_with_everything_escaped()
        {
            var html = ReportWriters.Html(Sample());
            Assert.DoesNotContain("<script>", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
            Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
            Assert.Contains("@media print", html);
            Assert.Contains("id=\"advice\"", html);
            Assert.Contains("set idle-delay to 300", html);
        }

        [Fact]
        public void Fleet_merge_keeps_the_latest_report_per_device_and_skips_bad_files_with_a_reason()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-fleet-" + Guid.NewGuid().ToString("N")));
            try
            {
                void Write(string name, string text) => File.WriteAllText(Path.Combine(dir.FullName, name), text);
                Write("a-old.json", ReportWriters.Write(Sample("PC-A", "2026-11-20", failing: 1), ReportFormat.Json));
                Write("a-new.json", ReportWriters.Write(Sample("PC-A", "2026-11-21", failing: 0), ReportFormat.Json));
                Write("b.json", ReportWriters.Write(Sample("PC-B", "2026-11-21", failing: 1), ReportFormat.Json));
                var good = ReportWriters.Write(Sample("PC-C"), ReportFormat.Json);
                Write("truncated.json", good.Substring(0, good.Length / 2));
                Write("foreign.json", "{\"policies\": {}}");
                Write("v2.json", good.Replace("\"schemaVersion\": 1", "\"schemaVersion\": 2"));
                Write("status.json", good.Replace("\"NotApplicable\"", "\"Maybe\""));
                Write("empty.json", "");
                Write("binary.json", "\u0000\u0001\u0002");
                var merger = new FleetMerger();
                var skipped = Directory.GetFiles(dir.FullName).OrderBy(f => f, StringComparer.Ordinal).Select(merger.AddFile).Where(x => x != null).ToList();
                var s = merger.Summary();
                Assert.Equal(3, s.ReportsRead);
                Assert.Equal(2, s.Devices);
                Assert.Equal(6, s.Skipped);
                Assert.Contains(skipped, k => k!.File.EndsWith("truncated.json") && k.Reason.Contains("not valid JSON"));
                Assert.Contains(skipped, k => k!.File.EndsWith("v2.json") && k.Reason.Contains("schemaVersion 2"));
                Assert.Contains(skipped, k => k!.File.EndsWith("status.json") && k.Reason.Contains("'Maybe'"));
                var lockControl = s.Controls.Single(c => c.ControlId == "WA-LOCK-01");
                Assert.Equal(1, lockControl.Counts.Compliant);     // PC-A's newer report
                Assert.Equal(1, lockControl.Counts.NonCompliant);  // PC-B
                Assert.Equal("PC-B", s.WorstOffenders.Single().Device);
                Assert.Equal(2, s.Trend.Count);
                Assert.Equal(new DateTime(2026, 11, 20), s.Trend[0].Day);
                Assert.Equal(2, s.Trend[1].Reports);
                var html = FleetMerger.Html(s);
                Assert.Contains("<svg id=\"chart\"", html);
                Assert.DoesNotContain("<script>", html);
                Assert.Contains("2 devices from 3 reports, 6 files skipped", html);
                // Chrome is not applicable on every device: the row has no score rather than 100 %.
                Assert.Contains("<td>WA-UPDATE-01 Updates</td><td>Chrome</td><td>Updates</td><td>0</td><td>0</td><td>0</td><td>2</td><td>n/a</td>", html);
                Assert.Contains("<td>WA-LOCK-01 Screen locks</td><td>GNOME</td><td>ScreenLock</td><td>1</td><td>1</td><td>0</td><td>0</td><td>50.0%</td>", html);
                var json = (JsonObject)JsonParser.Parse(JsonWriter.Write(FleetMerger.ToJson(s)));
                Assert.Equal("2", ((JsonNumber)json["devices"]!).Raw);
            }
            finally { dir.Delete(true); }
        }

        [Fact]
        public void The_fleet_page_counts_in_words_that_fit_one_device()
        {
            var merger = new FleetMerger();
            merger.Add(Sample(), "pc-01.json");
            Assert.Contains("1 device from 1 report</p>", FleetMerger.Html(merger.Summary()));
        }

        [Fact]
        public void Parallel_merge_equals_sequential_merge_and_the_scanner_agrees_with_the_json_model()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-par-" + Guid.NewGuid().ToString("N")));
            try
            {
                var files = new List<string>();
                for (var i = 0; i < 400; i++)
                {
                    var f = Path.Combine(dir.FullName, $"r{i:000}.json");
                    var text = ReportWriters.Write(Sample("PC-" + (i % 150), "2026-11-" + (10 + i % 7).ToString("00"), failing: i % 4 == 0 ? 1 : 0), ReportFormat.Json);
                    if (i % 50 == 7) text = text.Substring(0, text.Length - 10);
                    File.WriteAllText(f, text);
                    files.Add(f);
                }
                var seq = new FleetMerger();
                foreach (var f in files) seq.AddFile(f);
                var par = new FleetMerger();
                var seen = 0;
                par.AddFiles(files, 4, n => seen = n);
                Assert.Equal(400, seen);
                var a = JsonWriter.Write(FleetMerger.ToJson(seq.Summary()));
                Assert.Equal(a, JsonWriter.Write(FleetMerger.ToJson(par.Summary())));
                var model = new FleetMerger();
                foreach (var f in files)
                {
                    try { model.Add(DeviceReport.FromJson(JsonParser.ParseFile(f), f), f); }
                    catch (JsonParseException) { }
                }
                var m = model.Summary();
                var p = par.Summary();
                Assert.Equal(m.ReportsRead, p.ReportsRead);
                Assert.Equal(m.Controls.Select(c => (c.ControlId, c.Target, c.Counts.Compliant, c.Counts.NonCompliant, c.Title)),
                    p.Controls.Select(c => (c.ControlId, c.Target, c.Counts.Compliant, c.Counts.NonCompliant, c.Title)));
            }
            finally { dir.Delete(true); }
        }

        [Fact]
        public void Which_report_wins_does_not_depend_on_the_order_the_files_come_in()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-order-" + Guid.NewGuid().ToString("N")));
            try
            {
                // Two reports of PC-A from the same second: the ordinally first path wins, in any order and on any worker.
                var a = Path.Combine(dir.FullName, "a.json");
                var b = Path.Combine(dir.FullName, "b.json");
                File.WriteAllText(a, ReportWriters.Write(Sample("PC-A", failing: 0), ReportFormat.Json));
                File.WriteAllText(b, ReportWriters.Write(Sample("pc-a", failing: 1), ReportFormat.Json).Replace("Screen locks", "Screen locks (renamed)"));
                string Merged(IEnumerable<string> files, int workers)
                {
                    var m = new FleetMerger();
                    m.AddFiles(files, workers);
                    var s = m.Summary();
                    var d = s.DeviceList.Single();
                    return $"{d.Device} {d.File} {d.Counts.NonCompliant} {s.Controls.Single(c => c.ControlId == "WA-LOCK-01").Title}";
                }
                var ab = Merged(new[] { a, b }, 1);
                Assert.Equal($"PC-A {a} 0 Screen locks", ab);
                Assert.Equal($"PC-A {a} 0 Screen locks (renamed)", Merged(new[] { b, a }, 1));   // the title is the first input's
                Assert.Equal(ab, Merged(new[] { a, b }, 2));
                Assert.Equal(ab, Merged(new[] { a, b, a, b, a, b }.Concat(Enumerable.Repeat(b, 300)), 2));
            }
            finally { dir.Delete(true); }
        }

        [Fact]
        public void The_feed_merges_paths_while_they_are_still_being_enumerated_and_holds_at_most_its_capacity()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-feed-" + Guid.NewGuid().ToString("N")));
            try
            {
                // 600 files (one file given 600 times would be read once: the merge reads each file once).
                var text = ReportWriters.Write(Sample("PC-A"), ReportFormat.Json);
                for (var i = 1; i <= 600; i++) File.WriteAllText(Path.Combine(dir.FullName, $"r{i}.json"), text);
                const int capacity = 16, workers = 2;
                var merger = new FleetMerger();
                using (var feed = new FleetFeed(merger, workers, capacity))
                {
                    for (var i = 1; i <= 600; i++)
                    {
                        feed.Add(Path.Combine(dir.FullName, $"r{i}.json"));
                        // Added = queued (at most capacity) + in a worker's hands (at most one each) + done.
                        Assert.True(feed.Done >= i - capacity - workers, $"after {i} paths only {feed.Done} were read");
                        Assert.Equal(i, feed.Offered);
                    }
                    var seen = new List<int>();
                    feed.Complete(seen.Add);
                    Assert.Equal(600, seen.Last());
                }
                Assert.Equal(600, merger.Summary().ReportsRead);
            }
            finally { dir.Delete(true); }
        }

        [Fact]
        public void Every_truncation_and_byte_flip_of_a_report_is_merged_or_skipped_with_a_reason_never_an_exception()
        {
            var good = Encoding.UTF8.GetBytes(ReportWriters.Write(Sample(), ReportFormat.Json));
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-fuzz-" + Guid.NewGuid().ToString("N")));
            try
            {
                var rnd = new Random(42);
                var f = Path.Combine(dir.FullName, "x.json");
                var merger = new FleetMerger();
                var skipped = 0;
                for (var i = 0; i < 600; i++)
                {
                    byte[] data;
                    // Cut before the final '}' (a cut of the trailing newline alone would still be a whole document).
                    if (i < 300) data = good.Take(rnd.Next(Array.LastIndexOf(good, (byte)'}'))).ToArray();
                    else { data = (byte[])good.Clone(); for (var k = 0; k < 3; k++) data[rnd.Next(data.Length)] = (byte)rnd.Next(256); }
                    File.WriteAllBytes(f, data);
                    var r = merger.AddFile(f);
                    if (r != null) { skipped++; Assert.False(string.IsNullOrEmpty(r.Reason)); }
                }
                Assert.True(skipped >= 300, $"{skipped} skipped: every truncation must be refused");
            }
            finally { dir.Delete(true); }
        }
    }

    /// <summary>Memory of the fleet merge, measured alone (no other test allocating at the same time).</summary>
    [CollectionDefinition("Fleet memory", DisableParallelization = true)]
    public sealed class FleetMemoryCollection { }

    [Collection("Fleet memory")]
    public class FleetMemoryReportingTests
    {
        private static DeviceReport Sample(string device, string day, int failing) => ReportingTests.Sample(device, day, failing);

        [Fact]
        public void Merging_many_reports_of_the_same_devices_keeps_memory_flat()
        {
            // 20,000 reports of 200 devices: what is kept grows with devices (200), not reports.
            var merger = new FleetMerger();
            for (var i = 0; i < 20000; i++)
                merger.Add(Sample("PC-" + (i % 200), "2026-11-" + (10 + i % 10).ToString("00"), failing: i % 3 == 0 ? 1 : 0), "mem");
            var before = GC.GetTotalMemory(true);
            for (var i = 0; i < 20000; i++)
                merger.Add(Sample("PC-" + (i % 200), "2026-11-" + (10 + i % 10).ToString("00"), failing: 0), "mem");
            var after = GC.GetTotalMemory(true);
            var s = merger.Summary();
            Assert.Equal(40000, s.ReportsRead);
            Assert.Equal(200, s.Devices);
            Assert.True(after - before < 2_000_000, $"memory grew by {after - before} bytes over 20,000 more reports");
        }

        /// <summary>What docs/report-schema.md states a distinct device costs, for these reports: 4 controls, a 9-character
        /// device name and a 12-character file name.</summary>
        private const int BytesPerDevice = 300;

        [Fact]
        public void Through_the_scanner_each_distinct_device_costs_a_small_bounded_record_and_newer_reports_cost_nothing()
        {
            // The bytes of real report files (generated here: creating thousands of files is slow on some disks) go
            // through the same scan and fold as AddFile's; the paths are what a share of reports would hold.
            const int n = 2000;
            var template = ReportWriters.Write(Sample("PC-XXXXXX", "2026-11-20", failing: 1), ReportFormat.Json);
            var newerTemplate = ReportWriters.Write(Sample("PC-XXXXXX", "2026-11-21", failing: 0), ReportFormat.Json);
            byte[] Bytes(string t, int i) => Encoding.UTF8.GetBytes(t.Replace("PC-XXXXXX", $"PC-{i:000000}"));
            var first = Enumerable.Range(0, 2 * n).Select(i => Bytes(template, i)).ToList();
            var newer = Enumerable.Range(0, 2 * n).Select(i => Bytes(newerTemplate, i)).ToList();
            var folder = Path.Combine(Path.GetTempPath(), "reports") + Path.DirectorySeparatorChar;
            var merger = new FleetMerger();
            for (var i = 0; i < n; i++) Assert.Null(merger.AddBytes(first[i], first[i].Length, $"{folder}d{i:000000}.json"));
            var m1 = GC.GetTotalMemory(true);
            for (var i = n; i < 2 * n; i++) Assert.Null(merger.AddBytes(first[i], first[i].Length, $"{folder}d{i:000000}.json"));
            var m2 = GC.GetTotalMemory(true);
            for (var i = 0; i < 2 * n; i++) Assert.Null(merger.AddBytes(newer[i], newer[i].Length, $"{folder}e{i:000000}.json"));   // replaces, keeps nothing more
            var m3 = GC.GetTotalMemory(true);
            Assert.Equal(2 * n, merger.DeviceCount);
            var perDevice = (m2 - m1) / (double)n;
            var perNewerReport = (m3 - m2) / (double)(2 * n);
            Console.WriteLine($"fleet memory: {perDevice:0} bytes per distinct device, {perNewerReport:0.0} per newer report");
            Assert.True(perDevice > 0 && perDevice <= BytesPerDevice, $"{perDevice:0} bytes per distinct device (stated: at most {BytesPerDevice})");
            // A newer report only replaces what its device keeps (measured ~1 byte). GetTotalMemory is process-wide, so
            // threads that outlive other test classes (servers, timers) can add a few tens of KB: the bound is the one
            // that matters, far below what a new device costs.
            Assert.True(perNewerReport <= 32 && perNewerReport < perDevice / 4, $"{perNewerReport:0.0} bytes kept per newer report of a known device ({perDevice:0} per new device)");
            var s = merger.Summary();
            Assert.Equal(4 * n, s.ReportsRead);
            Assert.All(s.DeviceList, d => Assert.StartsWith(folder + "e", d.File));
            Assert.Equal(2 * n, s.Controls.Single(c => c.ControlId == "WA-LOCK-01").Counts.Compliant);
            GC.KeepAlive(first); GC.KeepAlive(newer); GC.KeepAlive(merger);
        }

        [Fact]
        public void A_device_report_read_from_a_file_is_merged_like_its_bytes()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-bytes-" + Guid.NewGuid().ToString("N")));
            try
            {
                var f = Path.Combine(dir.FullName, "pc.json");
                var text = ReportWriters.Write(Sample("PC-A", "2026-11-20", failing: 1), ReportFormat.Json);
                File.WriteAllText(f, text);
                var viaFile = new FleetMerger();
                Assert.Null(viaFile.AddFile(f));
                var viaBytes = new FleetMerger();
                var bytes = Encoding.UTF8.GetBytes(text);
                Assert.Null(viaBytes.AddBytes(bytes, bytes.Length, f));
                Assert.Equal(JsonWriter.Write(FleetMerger.ToJson(viaFile.Summary())), JsonWriter.Write(FleetMerger.ToJson(viaBytes.Summary())));
            }
            finally { dir.Delete(true); }
        }
    }
}
