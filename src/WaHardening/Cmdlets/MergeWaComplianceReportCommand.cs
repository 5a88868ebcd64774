using System.Collections.ObjectModel;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using WaHardening.Core;
using WaHardening.Core.Json;
using WaHardening.Core.Reporting;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Merges many device reports into a fleet summary, with an optional HTML page and JSON file.</para>
    /// <para type="description">Reads device reports (JSON written by Export-WaComplianceReport) from files and folders,
    /// given by -Path or piped in (Get-ChildItem works), one file at a time: memory grows with the number of devices, not
    /// of reports. Returns compliance per control, per category and per device (the latest report of each device), the
    /// worst offenders, and a trend per day when the reports come from several days. A corrupt, truncated, foreign or
    /// wrong-schema file is reported as a non-terminating ReportInvalid error naming the file and why, and skipped; the
    /// merge goes on. -HtmlPath writes a single-file page with an inline SVG chart of compliance per control; -JsonPath
    /// the summary as JSON. Intune's own report exports are not read (their CSV layout is not documented as a contract).</para>
    /// </summary>
    /// <example>
    ///   <code>Merge-WaComplianceReport -Path \\share\reports -HtmlPath ./fleet.html</code>
    ///   <para>Summarises every report in the folder and writes the fleet page.</para>
    /// </example>
    /// <example>
    ///   <code>Get-ChildItem ./reports -Recurse -Filter *.json | Merge-WaComplianceReport | Select-Object -Expand WorstOffenders</code>
    ///   <para>Lists the devices with the most failing checks.</para>
    /// </example>
    [Cmdlet(VerbsData.Merge, "WaComplianceReport", SupportsShouldProcess = true)]
    [OutputType(typeof(FleetSummary))]
    public sealed class MergeWaComplianceReportCommand : WaCmdlet
    {
        private readonly FleetMerger _merger = new FleetMerger();
        private readonly List<string> _files = new List<string>();

        /// <summary><para type="description">Report files or folders (folders are read for *.json; wildcards allowed).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        public string[] Path { get; set; } = null!;

        /// <summary><para type="description">Also read reports in subfolders of the folders given.</para></summary>
        [Parameter]
        public SwitchParameter Recurse { get; set; }

        /// <summary><para type="description">Write the fleet page (one HTML file with an inline SVG chart) here.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? HtmlPath { get; set; }

        /// <summary><para type="description">Write the fleet summary as JSON here.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JsonPath { get; set; }

        /// <summary><para type="description">How many worst offenders to list (default 10).</para></summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int Top { get; set; } = 10;

        protected override void Process()
        {
            foreach (var p in Path)
            {
                Collection<string> resolved;
                try { resolved = GetResolvedProviderPathFromPSPath(p, out _); }
                catch (ItemNotFoundException)
                {
                    Report(new WaHardeningException("ReportNotFound", WaErrorCategory.ObjectNotFound, $"'{p}' does not exist.", p));
                    continue;
                }
                foreach (var r in resolved)
                {
                    if (Directory.Exists(r))
                        _files.AddRange(Directory.EnumerateFiles(r, "*.json", Recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                            .OrderBy(f => f, StringComparer.Ordinal));
                    else _files.Add(r);
                }
            }
        }

        protected override void End()
        {
            var progress = new ProgressRecord(1, "Merging device reports", $"{_files.Count} files");
            var last = -1;
            _merger.AddFiles(_files, Environment.ProcessorCount, done =>
            {
                var pct = (int)(100L * done / Math.Max(1, _files.Count));
                if (pct == last) return;
                last = pct;
                progress.PercentComplete = pct;
                progress.StatusDescription = $"{done} of {_files.Count} files";
                WriteProgress(progress);
            });
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            foreach (var skipped in _merger.SkippedSoFar) Report(new ReportFormatException(skipped.File, skipped.Reason));
            var summary = _merger.Summary(Top);
            WriteVerbose($"{summary.ReportsRead} reports, {summary.Devices} devices, {summary.Skipped} skipped");
            if (summary.Skipped > summary.SkippedFiles.Count)
                WriteWarning($"{summary.Skipped} files were skipped; the first {summary.SkippedFiles.Count} are reported one by one.");
            if (HtmlPath != null)
            {
                var file = GetUnresolvedProviderPathFromPSPath(HtmlPath);
                if (ShouldProcess(file, "Write the fleet HTML page"))
                    WaHardening.Core.GroupPolicy.AtomicFileAccess.WriteAllBytes(file, new UTF8Encoding(false).GetBytes(FleetMerger.Html(summary)));
            }
            if (JsonPath != null)
            {
                var file = GetUnresolvedProviderPathFromPSPath(JsonPath);
                if (ShouldProcess(file, "Write the fleet summary JSON"))
                    WaHardening.Core.GroupPolicy.AtomicFileAccess.WriteAllBytes(file, new UTF8Encoding(false).GetBytes(JsonWriter.Write(FleetMerger.ToJson(summary))));
            }
            WriteObject(summary);
        }
    }
}
