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
                var json = (JsonObject)JsonParser.Parse(JsonWriter.Write(FleetMerger.ToJson(s)));
                Assert.Equal("2", ((JsonNumber)json["devices"]!).Raw);
            }
            finally { dir.Delete(true); }
        }

        [Fact]
        public void Merging_many_reports_keeps_memory_per_device_not_per_report()
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
}
