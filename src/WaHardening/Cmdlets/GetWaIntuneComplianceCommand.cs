using System;
using System.Linq;
using System.Management.Automation;
using System.Text;
using WaHardening.Core;
using WaHardening.Core.Json;
using WaHardening.Core.Publishing;
using WaHardening.Core.Reporting;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Reads the fleet's compliance from Intune itself: the per-device results of the objects an export published, as the same fleet summary Merge-WaComplianceReport builds.</para>
    /// <para type="description">Finds the objects of an export folder (Export-WaIntuneProfile, published with
    /// Publish-WaIntuneProfile) in the tenant by the marker in their description and reads, per device: the compliance
    /// policies' device status, the per-setting results of the custom compliance rules, the remediation's detection state
    /// and its detection output (a compact line naming the failing settings, parsed back per setting), and the
    /// settings-catalog profiles' status. Each device becomes the same device report a device writes with
    /// Export-WaComplianceReport, and the reports go into the same fleet summary as Merge-WaComplianceReport's (per control,
    /// per category, per device, worst offenders; -HtmlPath and -JsonPath write the same page and file). A device that has
    /// not reported yet, or whose latest result is older than -StaleAfterDays, gets Error results (Actual NotReported or
    /// Stale), never compliant. Devices are matched by name across the sources. Collections are read page by page
    /// (@odata.nextLink) and the report export jobs (create, poll, download a zip of CSV) row by row, so memory stays flat
    /// but for a small record per device; throttled requests (429, 503) are retried after Retry-After as
    /// Publish-WaIntuneProfile retries them, and Ctrl+C stops cleanly. Objects missing from the tenant stop the command with
    /// IntuneNotPublished naming them; objects edited by hand are reported as a warning and read; a report job that fails or
    /// times out is a non-terminating IntuneReportFailed or IntuneReportTimeout error after the summary, which is then
    /// partial (Partial is true, Failures lists what is missing). Least privilege: DeviceManagementConfiguration.Read.All for
    /// the objects, deviceStatuses, deviceRunStates and polling report jobs; DeviceManagementScripts.Read.All to find the
    /// remediation and compliance script by marker (as Get-WaIntuneProfile); DeviceManagementManagedDevices.Read.All for the
    /// device names of the remediation's run states (managedDevice). The Graph reference lists only ReadWrite permissions
    /// for creating report export jobs (POST deviceManagement/reports/exportJobs), so that call may need
    /// DeviceManagementConfiguration.ReadWrite.All (docs/intune-reporting.md).</para>
    /// </summary>
    /// <example>
    ///   <code>Get-WaIntuneCompliance -Path ./out/intune/Standard -TenantId contoso.onmicrosoft.com -HtmlPath ./fleet.html</code>
    ///   <para>Signs in interactively, reads the results of the published Standard profile and writes the fleet page.</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaIntuneCompliance -Path ./out/intune/Standard -TenantId $tenant -ClientId $app -CertificatePath ./app.pfx -ExportJobs | Select-Object -Expand WorstOffenders</code>
    ///   <para>Reads a large tenant through report export jobs, app-only, and lists the devices with the most failing checks.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "WaIntuneCompliance", DefaultParameterSetName = "Interactive", SupportsShouldProcess = true)]
    [OutputType(typeof(FleetSummary))]
    public sealed class GetWaIntuneComplianceCommand : GraphCmdlet
    {
        /// <summary><para type="description">The export folder that was published (the one holding manifest.json).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary><para type="description">The baseline the controls' titles and categories come from (default: the module's).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BaselinePath { get; set; }

        /// <summary><para type="description">Write the fleet page (one HTML file with an inline SVG chart) here, as Merge-WaComplianceReport does.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? HtmlPath { get; set; }

        /// <summary><para type="description">Write the fleet summary as JSON here, as Merge-WaComplianceReport does.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JsonPath { get; set; }

        /// <summary><para type="description">How many worst offenders to list (default 10).</para></summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int Top { get; set; } = 10;

        /// <summary><para type="description">A result older than this many days is stale, shown as an Error result, never compliant (default 8: remediations report at least every 7 days).</para></summary>
        [Parameter]
        [ValidateRange(1, 3650)]
        public int StaleAfterDays { get; set; } = 8;

        /// <summary><para type="description">Read the compliance policies' status and the remediation's run states through report export jobs too (zipped CSV, for large tenants) instead of the paged collections. Per-setting results and settings-catalog status always come from report export jobs.</para></summary>
        [Parameter]
        public SwitchParameter ExportJobs { get; set; }

        /// <summary><para type="description">Seconds between polls of a report export job (default 5).</para></summary>
        [Parameter]
        [ValidateRange(0, 600)]
        public int PollIntervalSeconds { get; set; } = 5;

        /// <summary><para type="description">Minutes a report export job may take before it is given up (IntuneReportTimeout; default 30).</para></summary>
        [Parameter]
        [ValidateRange(1, 1440)]
        public int ReportTimeoutMinutes { get; set; } = 30;

        protected override void Process()
        {
            var dir = GetUnresolvedProviderPathFromPSPath(Path);
            var baseline = LoadBaseline(BaselinePath == null ? null : GetUnresolvedProviderPathFromPSPath(BaselinePath), null);
            var plan = IntuneFleetPlan.Load(dir, baseline);
            var now = DateTimeOffset.UtcNow;
            var fleet = new IntuneFleet(plan, now, TimeSpan.FromDays(StaleAfterDays));
            var options = new IntuneReadOptions
            {
                ExportJobs = ExportJobs, PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds), ReportTimeout = TimeSpan.FromMinutes(ReportTimeoutMinutes),
            };
            var result = RunGraph((log, ct) => Session(log).ReadCompliance(dir, plan, fleet, options, ct));

            var merger = new FleetMerger();
            var version = MyInvocation.MyCommand.Module?.Version?.ToString() ?? "";
            foreach (var report in fleet.Reports(version)) merger.Add(report, "intune:" + report.Device);
            var summary = merger.Summary(Top);
            WriteVerbose($"{summary.Devices} devices from Intune; {fleet.NotReported} not reported yet, {fleet.Stale} stale");
            if (fleet.NotReported > 0 || fleet.Stale > 0)
                WriteWarning($"{fleet.NotReported} device(s) have not reported yet and {fleet.Stale} have stale results; their results are Error, not compliant.");
            if (HtmlPath != null)
            {
                var file = GetUnresolvedProviderPathFromPSPath(HtmlPath);
                if (ShouldProcess(file, "Write the fleet HTML page"))
                    Core.Enforcement.AtomicFile.WriteExport(file, new UTF8Encoding(false).GetBytes(FleetMerger.Html(summary)));
            }
            if (JsonPath != null)
            {
                var file = GetUnresolvedProviderPathFromPSPath(JsonPath);
                if (ShouldProcess(file, "Write the fleet summary JSON"))
                    Core.Enforcement.AtomicFile.WriteExport(file, new UTF8Encoding(false).GetBytes(JsonWriter.Write(FleetMerger.ToJson(summary))));
            }
            // The summary, labelled: partial when a source could not be read; the edited objects; the devices without results.
            var output = new PSObject(summary);
            output.Properties.Add(new PSNoteProperty("Partial", fleet.Partial));
            output.Properties.Add(new PSNoteProperty("Failures", result.Failures.Select(f => $"{f.Report}: {f.Why}").ToArray()));
            output.Properties.Add(new PSNoteProperty("Edited", result.Edited.Select(e => e.Marker).ToArray()));
            output.Properties.Add(new PSNoteProperty("NotReported", fleet.NotReported));
            output.Properties.Add(new PSNoteProperty("Stale", fleet.Stale));
            WriteObject(output);
            foreach (var f in result.Failures)
                Report(new WaHardeningException(f.ErrorId, f.ErrorId == ErrorIds.IntuneReportTimeout ? WaErrorCategory.ResourceUnavailable : WaErrorCategory.ReadError,
                    $"{f.Report}: {f.Why}. The fleet summary is partial.", f.Report));
        }
    }
}
