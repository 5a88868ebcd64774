using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using WaHardening.Core;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Reporting;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes Test-WaHardening results as a device report: JSON (versioned schema), CSV, JUnit XML or one HTML page.</para>
    /// <para type="description">Collects the results piped in and writes one report file, atomically. JSON follows the
    /// "WaHardening.DeviceReport" schema version 1 (docs/report-schema.md) and is what Merge-WaComplianceReport reads;
    /// CSV has one row per control and target; JUnit XML has a test suite per category (non-compliant = failure,
    /// error = error, not applicable and advisory = skipped) for CI dashboards; HTML is a single file with no external
    /// assets: the score per category, what to fix, every control with expected and actual values, and the advice for
    /// people in its own section, readable in print. The format comes from -Format or the file extension
    /// (.json, .csv, .xml, .html). Advisory results are never counted as compliant.</para>
    /// </summary>
    /// <example>
    ///   <code>Test-WaHardening | Export-WaComplianceReport -Path ./report.html</code>
    ///   <para>Audits this computer and writes an HTML report.</para>
    /// </example>
    /// <example>
    ///   <code>Test-WaHardening -Profile SharedComputer | Export-WaComplianceReport -Path \\share\reports\$env:COMPUTERNAME.json -Profile SharedComputer</code>
    ///   <para>Writes the device report to a share, where Merge-WaComplianceReport can build the fleet summary.</para>
    /// </example>
    [Cmdlet(VerbsData.Export, "WaComplianceReport", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportWaComplianceReportCommand : WaCmdlet
    {
        private readonly List<ComplianceResult> _results = new List<ComplianceResult>();

        /// <summary><para type="description">Results from Test-WaHardening (pipeline).</para></summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public ComplianceResult[] InputObject { get; set; } = null!;

        /// <summary><para type="description">The report file to write (replaced atomically).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary><para type="description">Json, Csv, JUnit or Html; by default from the file extension.</para></summary>
        [Parameter]
        public ReportFormat? Format { get; set; }

        /// <summary><para type="description">The baseline profile recorded in the report. By default the profile the results carry (the one Test-WaHardening audited under); results of several profiles need -Profile.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string? Profile { get; set; }

        protected override void Process()
        {
            foreach (var r in InputObject) if (r != null) _results.Add(r);
        }

        protected override void End()
        {
            var file = GetUnresolvedProviderPathFromPSPath(Path);
            var format = Format ?? ReportWriters.FromExtension(file) ?? throw new WaHardeningException(ErrorIds.ReportFormatUnknown, WaErrorCategory.InvalidArgument,
                $"Cannot tell the report format from '{file}': use -Format Json, Csv, JUnit or Html, or a .json, .csv, .xml or .html file name.", file);
            var version = typeof(ExportWaComplianceReportCommand).Assembly.GetName().Version?.ToString(3) ?? "";
            var report = DeviceReport.From(_results, Profile ?? ProfileOfResults(), version, RuntimeInformation.OSDescription.Trim(), CurrentPlatform());
            var text = ReportWriters.Write(report, format);
            if (!ShouldProcess(file, $"Write a {format} report of {_results.Count} results")) return;
            WaHardening.Core.Enforcement.AtomicFile.WriteExport(file, new UTF8Encoding(false).GetBytes(text));
            WriteVerbose($"Wrote {file} ({format}, {_results.Count} results, score {report.Summary().Score}%)");
            WriteObject(new FileInfo(file));
        }

        private string ProfileOfResults()
        {
            var names = _results.Select(r => r.Profile).Where(p => !string.IsNullOrEmpty(p)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (names.Count > 1)
                throw new WaHardeningException(ErrorIds.ReportProfileMixed, WaErrorCategory.InvalidArgument,
                    $"The results were audited under several profiles ({string.Join(", ", names)}): export each profile's results on their own, or name the report's profile with -Profile.",
                    string.Join(", ", names));
            return names.Count == 1 ? names[0]! : "";
        }

        internal static string CurrentPlatform() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "Windows" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "macOS" : "Linux";
    }
}
