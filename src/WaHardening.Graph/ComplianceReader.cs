using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WaHardening.Core;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Publishing;
using WaHardening.Core.Reporting;

namespace WaHardening.Graph
{
    /// <summary>
    /// Reads what Intune reports per device for the objects of an export (Get-WaIntuneCompliance). Sources, each cited in
    /// docs/intune-reporting.md:
    /// <list type="bullet">
    /// <item>compliance policy status per device: the paged collection deviceCompliancePolicies/{id}/deviceStatuses
    /// (deviceDisplayName, status, lastReportedDateTime; learn.microsoft.com/graph/api/resources/intune-deviceconfig-devicecompliancedevicestatus),
    /// or with -ExportJobs the report DeviceStatusByCompliacePolicyReport (DeviceName, PolicyId, PolicyStatus, LastContact);</item>
    /// <item>per-setting results of our custom compliance rules: the report DeviceStatusByCompliancePolicySettingReport
    /// (DeviceName, PolicyId, SettingName, SettingStatus);</item>
    /// <item>the remediation's detection state and output: the paged collection (beta) deviceHealthScripts/{id}/deviceRunStates
    /// with managedDevice expanded (learn.microsoft.com/graph/api/resources/intune-devices-devicehealthscriptdevicestate?view=graph-rest-beta),
    /// or with -ExportJobs the report DeviceRunStatesByProactiveRemediation (filter PolicyId, required);</item>
    /// <item>settings-catalog profile status per device: the report DeviceStatusesByConfigurationProfile (filter PolicyId;
    /// DeviceName, PolicyId, PolicyStatus, PspdpuLastModifiedTimeUtc).</item>
    /// </list>
    /// Report names and columns: learn.microsoft.com/intune/device-management/reports/ref-graph-available-reports;
    /// the job life cycle (POST deviceManagement/reports/exportJobs → poll until status completed → download url, a zip
    /// of CSV): learn.microsoft.com/intune/device-management/reports/export-graph-apis. Pages and rows are
    /// streamed into the sink; nothing but the current page or CSV row is held.
    /// </summary>
    internal sealed class ComplianceReader
    {
        private const string Activity = "Reading Intune compliance";
        private readonly GraphTransport _t;
        private readonly IGraphLog _log;
        /// <summary>The percent of the last progress record (row progress of a report repeats it).</summary>
        private int _pct;

        public ComplianceReader(GraphTransport transport, IGraphLog log) { _t = transport; _log = log; }

        private sealed class NoProgress : IGraphLog
        {
            private readonly IGraphLog _inner;
            public NoProgress(IGraphLog inner) { _inner = inner; }
            public void Verbose(string message) => _inner.Verbose(message);
            public void Progress(string activity, string status, int percent) { }
            public void Warning(string message) => _inner.Warning(message);
        }

        public async Task<IntuneReadResult> ReadAsync(IReadOnlyList<PublishableFile> files, IntuneFleetPlan plan, IIntuneComplianceSink sink, IntuneReadOptions o, CancellationToken ct)
        {
            var result = new IntuneReadResult();
            _log.Progress(Activity, "Finding the published objects", 2);
            var publisher = new Publisher(_t, new NoProgress(_log)); // its progress is Publish's ("Publishing to Intune"), not this command's
            var found = await publisher.PlanAsync(files, new AssignmentSpec(), ct).ConfigureAwait(false);
            var byMarker = found.Items.ToDictionary(i => i.File.Marker, StringComparer.Ordinal);
            var missing = plan.Sources.Where(s => byMarker[s.Marker].Id == null).ToList();
            if (missing.Count > 0)
                throw new WaHardeningException(ErrorIds.IntuneNotPublished, WaErrorCategory.ObjectNotFound,
                    $"{missing.Count} object(s) of the export are not in the tenant (publish with Publish-WaIntuneProfile first): " +
                    string.Join(", ", missing.Select(s => $"{s.File.DisplayName} [{s.Marker}]")) + ".", missing.Select(s => s.Marker).ToArray());
            foreach (var s in plan.Sources)
            {
                var item = byMarker[s.Marker];
                s.Id = item.Id;
                if (item.Differences.Count > 0)
                {
                    result.Edited.Add(new DriftResult { Marker = s.Marker, DisplayName = s.File.DisplayName, Id = s.Id, State = DriftState.Different, Differences = item.Differences.ToList() });
                    _log.Warning($"{s.File.DisplayName} [{s.Marker}] was edited in the tenant ({string.Join(", ", item.Differences.Take(5))}); its results are read as they are.");
                }
            }

            var n = 0;
            var total = plan.Sources.Count + (plan.Sources.Any(s => s.HasSettings) ? 1 : 0);
            int Pct() => _pct = 5 + 90 * n / Math.Max(1, total);

            // Compliance policy status per device.
            var policies = plan.Sources.Where(s => s.Kind == IntuneSourceKind.CompliancePolicy).ToList();
            if (o.ExportJobs && policies.Count > 0)
            {
                _log.Progress(Activity, "Compliance policies: device status", Pct());
                var ids = policies.ToDictionary(s => s.Id!, s => s.Index, StringComparer.OrdinalIgnoreCase);
                await Report("DeviceStatusByCompliacePolicyReport", null, new[] { "DeviceName", "PolicyId", "PolicyStatus", "LastContact" }, policies, result, sink, o, (row, c) =>
                {
                    if (ids.TryGetValue(At(row, c[1]), out var src)) sink.PolicyState(src, At(row, c[0]), At(row, c[2]), Date(At(row, c[3])));
                }, ct).ConfigureAwait(false);
                n += policies.Count;
            }
            else
                foreach (var s in policies)
                {
                    _log.Progress(Activity, $"{s.File.DisplayName}: device status", Pct());
                    var url = _t.Url(s.File.Graph.ApiVersion, $"/deviceManagement/deviceCompliancePolicies/{s.Id}/deviceStatuses?$select=deviceDisplayName,status,lastReportedDateTime");
                    await _t.ForEachAsync(url, d => sink.PolicyState(s.Index, Str(d, "deviceDisplayName"), Str(d, "status"), Date(Str(d, "lastReportedDateTime"))),
                        count => _log.Progress(Activity, $"{s.File.DisplayName}: {count} device statuses read", Pct()), ct).ConfigureAwait(false);
                    n++;
                }

            // Per-setting results of the custom compliance rules (one report for every policy; ours kept by PolicyId).
            var withSettings = plan.Sources.Where(s => s.HasSettings).ToList();
            if (withSettings.Count > 0)
            {
                _log.Progress(Activity, "Custom compliance: per-setting results", Pct());
                var ids = withSettings.ToDictionary(s => s.Id!, s => s.Index, StringComparer.OrdinalIgnoreCase);
                await Report("DeviceStatusByCompliancePolicySettingReport", null, new[] { "DeviceName", "PolicyId", "SettingName", "SettingStatus" }, withSettings, result, sink, o, (row, c) =>
                {
                    if (ids.TryGetValue(At(row, c[1]), out var src)) sink.SettingState(src, At(row, c[0]), At(row, c[2]), At(row, c[3]), null);
                }, ct).ConfigureAwait(false);
                n++;
            }

            // The remediation's detection state and output per device.
            foreach (var s in plan.Sources.Where(s => s.Kind == IntuneSourceKind.Remediation))
            {
                _log.Progress(Activity, $"{s.File.DisplayName}: detection results", Pct());
                if (o.ExportJobs)
                    await Report("DeviceRunStatesByProactiveRemediation", $"(PolicyId eq '{s.Id}')",
                        new[] { "DeviceName", "DetectionStatus", "PreRemediationDetectionScriptOutput", "PostRemediationDetectionScriptOutput", "RemediationStatus", "ModifiedTime" },
                        new[] { s }, result, sink, o, (row, c) =>
                        {
                            var post = At(row, c[3]);
                            var output = post.Length > 0 ? post : At(row, c[2]);
                            sink.Detection(s.Index, At(row, c[0]), post.Length > 0 ? Outcome(post, At(row, c[1])) : At(row, c[1]), output, Date(At(row, c[5])));
                        }, ct).ConfigureAwait(false);
                else
                {
                    var url = _t.Url("beta", $"/deviceManagement/deviceHealthScripts/{s.Id}/deviceRunStates?$select=detectionState,lastStateUpdateDateTime,preRemediationDetectionScriptOutput,postRemediationDetectionScriptOutput,remediationState&$expand=managedDevice($select=deviceName)");
                    await _t.ForEachAsync(url, d =>
                    {
                        var post = Str(d, "postRemediationDetectionScriptOutput");
                        var output = post.Length > 0 ? post : Str(d, "preRemediationDetectionScriptOutput");
                        sink.Detection(s.Index, Str(d["managedDevice"] as JsonObject, "deviceName"), post.Length > 0 ? Outcome(post, Str(d, "detectionState")) : Str(d, "detectionState"),
                            output, Date(Str(d, "lastStateUpdateDateTime")));
                    }, count => _log.Progress(Activity, $"{s.File.DisplayName}: {count} run states read", Pct()), ct).ConfigureAwait(false);
                }
                n++;
            }

            // Settings-catalog profiles: status per device (no per-device collection exists for configurationPolicies).
            foreach (var s in plan.Sources.Where(s => s.Kind == IntuneSourceKind.SettingsCatalog))
            {
                _log.Progress(Activity, $"{s.File.DisplayName}: device status", Pct());
                await Report("DeviceStatusesByConfigurationProfile", $"(PolicyId eq '{s.Id}')", new[] { "DeviceName", "PolicyId", "PolicyStatus", "PspdpuLastModifiedTimeUtc" },
                    new[] { s }, result, sink, o, (row, c) => sink.PolicyState(s.Index, At(row, c[0]), At(row, c[2]), Date(At(row, c[3]))), ct).ConfigureAwait(false);
                n++;
            }
            _log.Progress(Activity, "Done", 100);
            return result;
        }

        /// <summary>After a remediation ran, the post-remediation detection line says how the device stands now.</summary>
        private static string Outcome(string postOutput, string detectionState)
        {
            var p = DetectionOutput.Parse(postOutput);
            return p == null ? detectionState : p.Failed == 0 ? "success" : "fail";
        }

        private static string At(IReadOnlyList<string> row, int i) => i >= 0 && i < row.Count ? row[i] : "";

        private static string Str(JsonObject? o, string name) => (o?[name] as JsonString)?.Value ?? "";

        private static DateTimeOffset? Date(string s) =>
            s.Length > 0 && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) ? d : (DateTimeOffset?)null;

        /// <summary>
        /// One report export job: create (POST reports/exportJobs with the report's documented name, filter and the
        /// columns selected explicitly, as the docs advise), poll until completed (a failed job, or one not completed
        /// within the timeout, marks <paramref name="sources"/> failed and is listed in the result; the rest goes on),
        /// download the zip, and stream the CSV rows of its one file to <paramref name="onRow"/> with the indexes of
        /// the selected columns.
        /// </summary>
        private async Task Report(string reportName, string? filter, string[] columns, IEnumerable<IntuneSource> sources, IntuneReadResult result, IIntuneComplianceSink sink,
            IntuneReadOptions o, Action<IReadOnlyList<string>, int[]> onRow, CancellationToken ct)
        {
            void Fail(string id, string why)
            {
                result.Failures.Add((reportName, id, why));
                foreach (var s in sources) sink.SourceFailed(s.Index, why);
                _log.Warning($"{reportName}: {why}");
            }
            var body = new JsonObject().Set("reportName", reportName);
            if (filter != null) body.Set("filter", filter);
            body.Set("select", columns).Set("format", "csv").Set("localizationType", "LocalizedValuesAsAdditionalColumn");
            JsonObject? job;
            try { job = await _t.SendAsync("POST", _t.Url("v1.0", "/deviceManagement/reports/exportJobs"), body, ct).ConfigureAwait(false) as JsonObject; }
            catch (GraphRequestException e) { Fail(ErrorIds.IntuneReportFailed, $"creating the export job failed: {e.Reason}"); return; }
            var id = Str(job, "id");
            if (id.Length == 0) { Fail(ErrorIds.IntuneReportFailed, "the export job has no id"); return; }
            var waited = TimeSpan.Zero;
            while (true)
            {
                var status = Str(job, "status");
                if (status == "completed") break;
                if (status == "failed") { Fail(ErrorIds.IntuneReportFailed, $"the export job {id} failed"); return; }
                if (waited >= o.ReportTimeout) { Fail(ErrorIds.IntuneReportTimeout, $"the export job {id} did not complete within {o.ReportTimeout.TotalMinutes:0.#} minutes (status {status})"); return; }
                await _t.DelayAsync(o.PollInterval, ct).ConfigureAwait(false);
                waited += o.PollInterval > TimeSpan.FromSeconds(1) ? o.PollInterval : TimeSpan.FromSeconds(1); // each poll counts at least a second
                try { job = await _t.SendAsync("GET", _t.Url("v1.0", $"/deviceManagement/reports/exportJobs('{id}')"), null, ct).ConfigureAwait(false) as JsonObject; }
                catch (GraphRequestException e) { Fail(ErrorIds.IntuneReportFailed, $"polling the export job {id} failed: {e.Reason}"); return; }
            }
            var temp = Path.Combine(Path.GetTempPath(), "wah-report-" + Guid.NewGuid().ToString("N") + ".zip");
            try
            {
                try { await _t.DownloadAsync(Str(job, "url"), temp, ct).ConfigureAwait(false); }
                catch (GraphRequestException e) { Fail(ErrorIds.IntuneReportFailed, $"downloading the export of job {id} failed: {e.Reason}"); return; }
                long rows = 0;
                try
                {
                    using (var zip = ZipFile.OpenRead(temp))
                    {
                        var entry = zip.Entries.FirstOrDefault(e => e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                            ?? throw new InvalidDataException("the zip holds no .csv file");
                        using (var reader = new StreamReader(entry.Open(), new UTF8Encoding(false), true, 65536))
                        {
                            var csv = new CsvRows(reader, reportName);
                            var header = csv.Next() ?? throw new InvalidDataException("the CSV file is empty");
                            var c = CsvRows.Columns(header, columns);
                            var absent = columns.Where((name, i) => c[i] < 0).ToList();
                            if (absent.Count > 0) throw new InvalidDataException("the CSV file has no column " + string.Join(", ", absent));
                            for (var row = csv.Next(); row != null; row = csv.Next())
                            {
                                onRow(row, c);
                                if (++rows % 10000 == 0)
                                {
                                    ct.ThrowIfCancellationRequested();
                                    _log.Progress(Activity, $"{reportName}: {rows} rows read", _pct);
                                }
                            }
                        }
                    }
                }
                catch (Exception e) when (e is InvalidDataException || e is FormatException)
                {
                    // Rows already read stay in the sink; the sources are labelled partial.
                    Fail(ErrorIds.IntuneReportFailed, $"the export of job {id} is not readable after {rows} rows: {e.Message}");
                }
                _log.Verbose($"{reportName}: {rows} rows");
            }
            finally { try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
        }
    }
}
