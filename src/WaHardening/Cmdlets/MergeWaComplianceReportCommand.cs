using System;
using System.Collections.Generic;
using System.Diagnostics;
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
    /// given by -Path or piped in (Get-ChildItem works), one file at a time and as the folders are read (no list of the
    /// files is built first; progress counts the files read and found so far): memory is flat in the number of reports
    /// per device and grows by a small record per distinct device (about 110 bytes + 2 per character of device and file
    /// name + half a byte per control; see docs/report-schema.md). Returns compliance per control, per category and per device (the latest report of each device), the
    /// worst offenders, and a trend per day when the reports come from several days. A corrupt, truncated, foreign or
    /// wrong-schema file is reported as a non-terminating ReportInvalid error naming the file and why, and skipped; the
    /// merge goes on. Only regular files are read (a FIFO, device or socket is ReportNotARegularFile, never waited on),
    /// at most 64 MiB each, counted while reading (ReportTooLarge); a file reached twice (symlink, hard link, folder
    /// given twice) is read once, and with -Recurse each folder is entered once (symlink loops end). -HtmlPath writes a single-file page with an inline SVG chart of compliance per control; -JsonPath
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
    public sealed class MergeWaComplianceReportCommand : WaCmdlet, IDisposable
    {
        private readonly FleetMerger _merger = new FleetMerger();
        private FleetFeed? _feed;
        private ReportFolders? _folders;
        private const string Activity = "Merging device reports";
        private readonly Stopwatch _sinceProgress = new Stopwatch();
        private volatile bool _stopping;

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
                IEnumerable<string> resolved;
                try { resolved = Resolve(p); }
                catch (ItemNotFoundException)
                {
                    Report(new WaHardeningException(ErrorIds.ReportNotFound, WaErrorCategory.ObjectNotFound, $"'{p}' does not exist.", p));
                    continue;
                }
                if (_folders == null) _folders = new ReportFolders(Recurse) { Notice = (dir, why) => WriteVerbose($"'{dir}': {why}") };
                foreach (var r in resolved)
                    foreach (var f in _folders.Files(r)) Offer(f);
            }
        }

        /// <summary>The paths <paramref name="p"/> names. A wildcard in the last segment only is matched while its folder
        /// is read (as the file system provider matches it: case-insensitive, hidden entries left out), so a folder of
        /// many reports is not listed into memory first; other wildcards go through the provider.</summary>
        private IEnumerable<string> Resolve(string p)
        {
            var cut = Math.Max(p.LastIndexOf('/'), p.LastIndexOf('\\')) + 1;
            var leaf = p.Substring(cut);
            if (WildcardPattern.ContainsWildcardCharacters(leaf) && !WildcardPattern.ContainsWildcardCharacters(p.Substring(0, cut)))
            {
                var parent = GetResolvedProviderPathFromPSPath(cut == 0 ? "." : p.Substring(0, cut), out var provider);
                if (parent.Count == 1 && provider.Name == "FileSystem" && Directory.Exists(parent[0]))
                    return Matching(parent[0], new WildcardPattern(leaf, WildcardOptions.IgnoreCase));
            }
            return GetResolvedProviderPathFromPSPath(p, out _);
        }

        private static IEnumerable<string> Matching(string folder, WildcardPattern pattern)
        {
            foreach (var e in new DirectoryInfo(folder).EnumerateFileSystemInfos())
                if ((e.Attributes & FileAttributes.Hidden) == 0 && pattern.IsMatch(e.Name)) yield return e.FullName;
        }

        private void Offer(string file)
        {
            if (_feed == null)
            {
                _feed = new FleetFeed(_merger, Environment.ProcessorCount);
                _sinceProgress.Start();
                Progress(-1, "0 files read");
            }
            try { _feed.Add(file); }
            catch (OperationCanceledException) when (_stopping) { throw new PipelineStoppedException(); }
            if (_sinceProgress.ElapsedMilliseconds >= 250)
                Progress(-1, $"{_feed.Done} files read, {_feed.Offered} found so far");
        }

        /// <summary>Writes a new record each time (a host or a Streams.Progress reader may keep the ones before).</summary>
        private void Progress(int percent, string status, ProgressRecordType type = ProgressRecordType.Processing)
        {
            WriteProgress(new ProgressRecord(1, Activity, status) { PercentComplete = percent, RecordType = type });
            _sinceProgress.Restart();
        }

        protected override void End()
        {
            if (_feed != null)
            {
                var total = _feed.Offered;
                var last = -1;
                _feed.Complete(done =>
                {
                    var pct = (int)(100L * done / Math.Max(1, total));
                    if (pct == last) return;
                    last = pct;
                    Progress(pct, $"{done} of {total} files read");
                });
                Progress(100, $"{_feed.Done} of {total} files read", ProgressRecordType.Completed);
            }
            foreach (var skipped in _merger.SkippedSoFar)
            {
                if (skipped.Code == SkipReason.AlreadyRead) WriteVerbose($"'{skipped.File}' is skipped: {skipped.Reason}.");
                else Report(new ReportFormatException(skipped.File, skipped.Reason, skipped.Code));
            }
            var summary = _merger.Summary(Top);
            WriteVerbose($"{summary.ReportsRead} reports, {summary.Devices} devices, {summary.Skipped} skipped");
            if (summary.Skipped > summary.SkippedFiles.Count)
                WriteWarning($"{summary.Skipped} files were skipped; the first {summary.SkippedFiles.Count} are reported one by one.");
            if (HtmlPath != null)
            {
                var file = GetUnresolvedProviderPathFromPSPath(HtmlPath);
                if (ShouldProcess(file, "Write the fleet HTML page"))
                    WaHardening.Core.Enforcement.AtomicFile.WriteExport(file, new UTF8Encoding(false).GetBytes(FleetMerger.Html(summary)));
            }
            if (JsonPath != null)
            {
                var file = GetUnresolvedProviderPathFromPSPath(JsonPath);
                if (ShouldProcess(file, "Write the fleet summary JSON"))
                    WaHardening.Core.Enforcement.AtomicFile.WriteExport(file, new UTF8Encoding(false).GetBytes(JsonWriter.Write(FleetMerger.ToJson(summary))));
            }
            WriteObject(summary);
        }

        protected override void StopProcessing()
        {
            _stopping = true;
            _feed?.Dispose();
        }

        /// <summary>Stops the merge workers when the pipeline ends early (an error, Ctrl+C).</summary>
        public void Dispose() => _feed?.Dispose();
    }
}
