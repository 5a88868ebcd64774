using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Publishing;
using WaHardening.Core.Reporting;
using WaHardening.Graph;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>Get-WaIntuneCompliance's pieces: the detection output format, the CSV reader, and the read of a tenant
    /// (the loopback stand-in after a real publish) into the one fleet model, compared with merging equivalent reports.</summary>
    public sealed class IntuneComplianceTests : IDisposable
    {
        private const string Token = "eyJ0eXAi.INTUNE-REPORT-5b1e.sig";
        private readonly FakeGraph _graph = new FakeGraph { ExpectedToken = Token };
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "wah-rep-" + Guid.NewGuid().ToString("N"));
        private readonly List<string> _messages = new List<string>();
        private readonly List<TimeSpan> _waits = new List<TimeSpan>();
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

        public void Dispose()
        {
            _graph.Dispose();
            if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
        }

        private sealed class Log : IGraphLog
        {
            private readonly List<string> _m;
            public Log(List<string> m) { _m = m; }
            public void Verbose(string message) { lock (_m) _m.Add(message); }
            public void Progress(string activity, string status, int percent) { lock (_m) _m.Add("progress: " + status); }
            public void Warning(string message) { lock (_m) _m.Add("warning: " + message); }
        }

        private IGraphSession Session() => GraphEntry.Connect(new GraphConnection { Kind = GraphAuthKind.AccessToken, AccessToken = Token, Endpoint = new Uri(_graph.Root) },
            new Log(_messages), 3, (t, ct) => { lock (_waits) _waits.Add(t); return System.Threading.Tasks.Task.CompletedTask; });

        private static Baseline Baseline() => BaselineLoader.Load(BaselineLoaderTests.DefaultPath);

        private string Export()
        {
            var dir = Path.Combine(_dir, "export");
            IntuneExportWriter.Write(dir, IntuneExporter.Build(Baseline(), "Standard", null, "test"), true);
            return dir;
        }

        private string Published()
        {
            var dir = Export();
            var s = Session();
            var preview = s.Plan(dir, new AssignmentSpec(), CancellationToken.None);
            s.Execute(preview, preview.Items.Select(i => i.Marker).ToList(), new Log(_messages), CancellationToken.None);
            return dir;
        }

        private (IntuneFleet Fleet, IntuneReadResult Result) Read(string dir, IntuneReadOptions? o = null)
        {
            var plan = IntuneFleetPlan.Load(dir, Baseline());
            var fleet = new IntuneFleet(plan, Now, TimeSpan.FromDays(8));
            var result = Session().ReadCompliance(dir, plan, fleet, o ?? new IntuneReadOptions { PollInterval = TimeSpan.FromSeconds(5), ReportTimeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
            return (fleet, result);
        }

        private static FleetSummary Summary(IEnumerable<DeviceReport> reports)
        {
            var m = new FleetMerger();
            foreach (var r in reports) m.Add(r, "x/" + r.Device + ".json");
            return m.Summary();
        }

        // ------------------------------------------------------------ detection output

        [Fact]
        public void Detection_output_round_trips_and_is_cut_at_the_limit_with_a_count_of_what_is_left_out()
        {
            var few = DetectionOutput.Parse(DetectionOutput.Format(24, new[] { "WA_LOCK_01_Windows_X", "WA_PHISH_01_Firefox_Y" }))!;
            Assert.Equal(new[] { "WA_LOCK_01_Windows_X", "WA_PHISH_01_Firefox_Y" }, few.Listed);
            Assert.Equal((24, 2, 0), (few.Checked, few.Failed, few.More));
            Assert.Equal(0, DetectionOutput.Parse(DetectionOutput.Format(5, new string[0]))!.Failed);

            var many = Enumerable.Range(0, 200).Select(i => $"WA_SESSION_{i:000}_Chrome_CookiesSessionOnlyForUrls").ToList();
            var line = DetectionOutput.Format(200, many);
            Assert.True(line.Length <= DetectionOutput.MaxLength, line.Length.ToString());
            Assert.True(line.Length > DetectionOutput.MaxLength - 40, "as much as fits is listed");
            var p = DetectionOutput.Parse(line)!;
            Assert.True(p.Truncated);
            Assert.Equal(200, p.Listed.Count + p.More);
            Assert.Equal(many.Take(p.Listed.Count), p.Listed);
        }

        [Theory]
        [InlineData("Not compliant: WA-LOCK-01 HKLM\\Software\\Policies\\X")]           // an older export's text
        [InlineData("WaHardening-Detect/2 checked=3 failed=0")]                          // a version this module does not read
        [InlineData("WaHardening-Detect/1 checked=3 failed=2 list=A")]                   // one failing setting neither listed nor counted
        [InlineData("WaHardening-Detect/1 checked=1 failed=2 list=A,B")]                 // more failing than checked
        [InlineData("WaHardening-Detect/1 checked=3 failed=1 list=A;rm")]                // not a setting name
        [InlineData("")]
        public void Detection_output_that_is_not_ours_or_inconsistent_is_not_read(string text) => Assert.Null(DetectionOutput.Parse(text));

        [Fact]
        public void Detection_output_takes_the_last_line_a_script_wrote()
        {
            var p = DetectionOutput.Parse("WARNING: something\r\nWaHardening-Detect/1 checked=3 failed=1 list=WA_X\r\n")!;
            Assert.Equal(new[] { "WA_X" }, p.Listed);
        }

        [Fact]
        public void Every_script_setting_name_fits_the_format()
        {
            var dir = Export();
            var plan = IntuneFleetPlan.Load(dir, Baseline());
            var rows = plan.Sources.Where(s => s.Kind != IntuneSourceKind.SettingsCatalog).SelectMany(s => s.File.Kind == ExportKinds.Remediation ? ScriptSettings(s.File) : new List<string>()).ToList();
            Assert.NotEmpty(rows);
            var line = DetectionOutput.Format(rows.Count, rows);
            Assert.Equal(rows, DetectionOutput.Parse(line)!.Listed);
        }

        private static List<string> ScriptSettings(PublishableFile f) =>
            Regex.Matches(Encoding.UTF8.GetString(Convert.FromBase64String(((JsonString)f.Body["detectionScriptContent"]!).Value)), @"@\{ Setting = '([^']+)'; Control = '([^']+)'; Target = '([^']+)'")
                .Cast<Match>().Select(m => m.Groups[1].Value).ToList();

        // ------------------------------------------------------------ CSV

        [Fact]
        public void Csv_rows_follow_rfc_4180_one_row_at_a_time()
        {
            var csv = new CsvRows(new StringReader("\uFEFFA,B,C\r\n1,\"x, \"\"y\"\"\",\r\n\"multi\nline\",2,3\n4,5,6"), "t");
            Assert.Equal(new[] { "A", "B", "C" }, csv.Next()!.ToArray());
            Assert.Equal(new[] { "1", "x, \"y\"", "" }, csv.Next()!.ToArray());
            Assert.Equal(new[] { "multi\nline", "2", "3" }, csv.Next()!.ToArray());
            Assert.Equal(new[] { "4", "5", "6" }, csv.Next()!.ToArray());
            Assert.Null(csv.Next());
            Assert.Throws<FormatException>(() => { var c = new CsvRows(new StringReader("A\n\"open"), "t"); c.Next(); c.Next(); });
            Assert.Equal(new[] { 1, -1, 0 }, CsvRows.Columns(new[] { "PolicyId", "DeviceName" }, "DeviceName", "Missing", "policyid"));
        }

        // ------------------------------------------------------------ reading a tenant

        private static List<IntuneTenantSim.Device> Devices(IntuneTenantSim sim) => new List<IntuneTenantSim.Device>
        {
            new IntuneTenantSim.Device { Name = "PC-GOOD" },
            new IntuneTenantSim.Device { Name = "PC-BAD", Failing = new[] { sim.DiscoverySettings[0], sim.DetectionSettings[0] } },
            new IntuneTenantSim.Device { Name = "PC-NEW", NotReported = true },
            new IntuneTenantSim.Device { Name = "PC-OLD", Reported = Now.AddDays(-30) },
        };

        [Fact]
        public void Paged_collections_and_report_jobs_give_the_same_fleet_as_merging_the_devices_own_reports()
        {
            var dir = Published();
            var sim = new IntuneTenantSim(_graph);
            Assert.NotEmpty(sim.DiscoverySettings);
            Assert.NotEmpty(sim.DetectionSettings);
            var devices = Devices(sim);
            sim.Serve(devices);
            _graph.PageSize = 3; // four devices: two pages, followed by @odata.nextLink
            _graph.ClearLog();

            var (fleet, result) = Read(dir);
            Assert.Empty(result.Failures);
            Assert.Empty(result.Edited);
            var reports = fleet.Reports("test").ToList();
            Assert.Equal(4, reports.Count);
            Assert.Equal(1, fleet.NotReported);
            Assert.Equal(1, fleet.Stale);

            // Paging: the second page was asked for with the nextLink's $skiptoken, the $select kept.
            Assert.Contains(_graph.Requests, r => r.Path.EndsWith("/deviceStatuses") && r.Query.Contains("$skiptoken=3") && r.Query.Contains("$select=deviceDisplayName,status,lastReportedDateTime"));
            Assert.Contains(_graph.Requests, r => r.Path.StartsWith("/beta/deviceManagement/deviceHealthScripts/") && r.Path.EndsWith("/deviceRunStates") && r.Query.Contains("$skiptoken=3"));
            // Report jobs: documented names, explicit columns, the required PolicyId filter; each polled until completed.
            Assert.Contains(_graph.Jobs, j => ((JsonString)j["reportName"]!).Value == "DeviceStatusByCompliancePolicySettingReport");
            Assert.All(_graph.Jobs.Where(j => ((JsonString)j["reportName"]!).Value == "DeviceStatusesByConfigurationProfile"),
                j => Assert.Matches(@"^\(PolicyId eq '[^']+'\)$", ((JsonString)j["filter"]!).Value));
            Assert.All(_graph.Jobs, j => Assert.NotEmpty(((JsonArray)j["select"]!).Items));
            Assert.Contains(TimeSpan.FromSeconds(5), _waits);

            var intune = JsonWriter.Write(FleetMerger.ToJson(Summary(reports)));
            var merged = JsonWriter.Write(FleetMerger.ToJson(Summary(IntuneTenantSim.EquivalentReports(dir, Baseline(), devices, Now, 8))));
            Assert.Equal(merged, intune);
            Assert.Equal(FleetMerger.Html(Summary(IntuneTenantSim.EquivalentReports(dir, Baseline(), devices, Now, 8))), FleetMerger.Html(Summary(fleet.Reports("test"))));

            // The bad device: exactly the items of its two failing settings are NonCompliant.
            var bad = reports.Single(r => r.Device == "PC-BAD");
            Assert.InRange(bad.Items.Count(i => i.Status == "NonCompliant"), 1, 2);
            Assert.All(reports.Single(r => r.Device == "PC-NEW").Items, i => Assert.Equal(("Error", "NotReported"), (i.Status, i.Actual)));
            Assert.All(reports.Single(r => r.Device == "PC-OLD").Items, i => Assert.Equal(("Error", "Stale"), (i.Status, i.Actual)));

            // -ExportJobs: compliance status and run states from the reports instead: the same fleet.
            var (jobs, r2) = Read(dir, new IntuneReadOptions { ExportJobs = true, PollInterval = TimeSpan.FromSeconds(1), ReportTimeout = TimeSpan.FromMinutes(1) });
            Assert.Empty(r2.Failures);
            Assert.Contains(_graph.Jobs, j => ((JsonString)j["reportName"]!).Value == "DeviceRunStatesByProactiveRemediation" && j["filter"] is JsonString);
            Assert.Contains(_graph.Jobs, j => ((JsonString)j["reportName"]!).Value == "DeviceStatusByCompliacePolicyReport");
            Assert.Equal(merged, JsonWriter.Write(FleetMerger.ToJson(Summary(jobs.Reports("test")))));
        }

        [Fact]
        public void A_truncated_or_foreign_detection_output_is_never_read_as_compliant()
        {
            var dir = Published();
            var sim = new IntuneTenantSim(_graph);
            var listed = sim.DetectionSettings[0];
            var devices = new List<IntuneTenantSim.Device>
            {
                new IntuneTenantSim.Device { Name = "PC-CUT", Failing = sim.DetectionSettings.Take(3).ToArray(),
                    DetectionOutput = $"WaHardening-Detect/1 checked={sim.DetectionSettings.Count} failed=3 list={listed} more=2" },
                new IntuneTenantSim.Device { Name = "PC-OLDFORMAT", Failing = new[] { listed }, DetectionOutput = "Not compliant: WA-PHISH-01 HKLM\\X" },
            };
            sim.Serve(devices);
            var reports = Read(dir).Fleet.Reports("test").ToDictionary(r => r.Device);
            var remediation = ScriptSettings(IntuneFleetPlan.Load(dir, Baseline()).Sources.Single(s => s.Kind == IntuneSourceKind.Remediation).File);
            // Every remediation item is NonCompliant (listed) or Error (not named in a cut line); none is Compliant.
            foreach (var name in new[] { "PC-CUT", "PC-OLDFORMAT" })
            {
                var r = reports[name];
                Assert.Contains(r.Items, i => i.Status == "Error" && i.Reason.Contains(name == "PC-CUT" ? "2,048" : "format"));
            }
            Assert.Contains(reports["PC-CUT"].Items, i => i.Status == "NonCompliant");
        }

        [Fact]
        public void An_export_never_published_is_a_typed_error_naming_the_missing_objects()
        {
            var dir = Export();
            var e = Assert.ThrowsAny<WaHardeningException>(() => Read(dir));
            Assert.Equal(ErrorIds.IntuneNotPublished, e.ErrorId);
            Assert.Contains("wah-standard-windows-compliance", e.Message);
            Assert.Contains("wah-standard-windows-remediation", e.Message);
            Assert.DoesNotContain(_graph.Requests, r => r.Path.Contains("exportJobs") || r.Path.EndsWith("/deviceStatuses"));
        }

        [Fact]
        public void An_object_edited_by_hand_is_reported_and_still_read()
        {
            var dir = Published();
            var edited = _graph.Collections["deviceManagement/deviceHealthScripts"].Values.Single();
            edited.Set("displayName", "Renamed in the portal");
            var sim = new IntuneTenantSim(_graph);
            sim.Serve(Devices(sim));
            var (fleet, result) = Read(dir);
            Assert.Equal("wah-standard-windows-remediation", Assert.Single(result.Edited).Marker);
            Assert.Contains(_messages, m => m.StartsWith("warning: ") && m.Contains("edited in the tenant"));
            Assert.Equal(4, fleet.Reports("test").Count());
        }

        [Fact]
        public void A_failed_or_stuck_report_job_keeps_the_other_results_labelled_partial()
        {
            var dir = Published();
            var sim = new IntuneTenantSim(_graph);
            sim.Serve(Devices(sim));
            _graph.FailingReports.Add("DeviceStatusByCompliancePolicySettingReport");
            _graph.StuckReports.Add("DeviceStatusesByConfigurationProfile");
            var (fleet, result) = Read(dir);
            Assert.True(fleet.Partial);
            Assert.Contains(result.Failures, f => f.Report == "DeviceStatusByCompliancePolicySettingReport" && f.ErrorId == ErrorIds.IntuneReportFailed);
            Assert.Contains(result.Failures, f => f.Report == "DeviceStatusesByConfigurationProfile" && f.ErrorId == ErrorIds.IntuneReportTimeout);
            // The stuck job was polled for the timeout (1 minute in 5-second waits), then given up.
            var polls = _graph.Requests.Where(r => r.Method == "GET" && r.Path.Contains("exportJobs('DeviceStatusesByConfigurationProfile_")).GroupBy(r => r.Path).ToList();
            Assert.NotEmpty(polls);
            Assert.All(polls, g => Assert.Equal(12, g.Count()));
            // The rest was read: the bad device is still NonCompliant through its detection output.
            var bad = fleet.Reports("test").Single(r => r.Device == "PC-BAD");
            Assert.Contains(bad.Items, i => i.Status == "NonCompliant");
        }

        [Fact]
        public void Throttled_pages_are_retried_after_retry_after()
        {
            var dir = Published();
            var sim = new IntuneTenantSim(_graph);
            sim.Serve(Devices(sim));
            _graph.Faults.Add(new FakeGraph.Fault { When = r => r.Path.EndsWith("/deviceStatuses"), Status = 429, RetryAfter = 0, Times = 2 });
            var (fleet, result) = Read(dir);
            Assert.Equal(2, _graph.Faults[0].Hits);
            Assert.Equal(4, fleet.Reports("test").Count());
        }

        [Fact]
        public void Report_jobs_are_created_through_throttling_and_downloaded_without_the_token_over_https_only()
        {
            var dir = Published();
            var sim = new IntuneTenantSim(_graph);
            sim.Serve(Devices(sim));
            _graph.Faults.Add(new FakeGraph.Fault { When = r => r.Method == "POST" && r.Path == "/v1.0/deviceManagement/reports/exportJobs", Status = 429, RetryAfter = 0, Times = 1 });
            var (fleet, result) = Read(dir);
            Assert.Equal(1, _graph.Faults[0].Hits);
            Assert.Empty(result.Failures);
            var downloads = _graph.Requests.Where(r => r.Path.StartsWith("/exportdownload/", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(downloads);
            Assert.All(downloads, r => Assert.Null(r.Authorization));
            Assert.All(_graph.Requests.Where(r => !r.InBatch && !r.Path.StartsWith("/exportdownload/", StringComparison.Ordinal)), r => Assert.Equal("Bearer " + Token, r.Authorization));

            // A url that is not https (nor loopback) is not fetched: the report fails, typed, the rest is kept.
            _graph.DownloadUrl = "http://storage.example/report.zip";
            var (partial, r2) = Read(dir);
            Assert.True(partial.Partial);
            Assert.All(r2.Failures, f => Assert.Contains("https", f.Why));
            Assert.Equal(4, partial.Reports("test").Count());
        }

        [Fact]
        public void Ctrl_C_stops_the_read_cleanly()
        {
            var dir = Published();
            var sim = new IntuneTenantSim(_graph);
            sim.Serve(Devices(sim));
            _graph.StuckReports.Add("DeviceStatusByCompliancePolicySettingReport");
            var plan = IntuneFleetPlan.Load(dir, Baseline());
            var fleet = new IntuneFleet(plan, Now, TimeSpan.FromDays(8));
            using (var cts = new CancellationTokenSource())
            {
                var session = GraphEntry.Connect(new GraphConnection { Kind = GraphAuthKind.AccessToken, AccessToken = Token, Endpoint = new Uri(_graph.Root) },
                    new Log(_messages), 3, async (t, ct) => { cts.Cancel(); await System.Threading.Tasks.Task.Delay(t, ct); });
                Assert.ThrowsAny<OperationCanceledException>(() => session.ReadCompliance(dir, plan, fleet, new IntuneReadOptions(), cts.Token));
            }
            Assert.DoesNotContain(Directory.GetFiles(Path.GetTempPath(), "wah-report-*.zip"), f => File.GetLastWriteTimeUtc(f) > DateTime.UtcNow.AddMinutes(-1));
        }
    }
}
