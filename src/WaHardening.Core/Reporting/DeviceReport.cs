using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;

namespace WaHardening.Core.Reporting
{
    /// <summary>Counts of results by status, and the score: compliant share of the results that can comply.</summary>
    public sealed class StatusCounts
    {
        public int Compliant { get; set; }
        public int NonCompliant { get; set; }
        public int Error { get; set; }
        public int NotApplicable { get; set; }
        public int Advisory { get; set; }
        /// <summary>Results that count for the score (Compliant + NonCompliant + Error); advice never counts.</summary>
        public int Scored => Compliant + NonCompliant + Error;
        /// <summary>Percent compliant of the scored results (100 when nothing applies).</summary>
        public double Score => Scored == 0 ? 100.0 : Math.Round(100.0 * Compliant / Scored, 1);

        public void Add(string status)
        {
            switch (status)
            {
                case "Compliant": Compliant++; break;
                case "NonCompliant": NonCompliant++; break;
                case "Error": Error++; break;
                case "NotApplicable": NotApplicable++; break;
                case "Advisory": Advisory++; break;
                default: throw new ArgumentException($"unknown status '{status}'", nameof(status));
            }
        }

        public JsonObject ToJson() => new JsonObject()
            .Set("compliant", Compliant).Set("nonCompliant", NonCompliant).Set("error", Error)
            .Set("notApplicable", NotApplicable).Set("advisory", Advisory).Set("score", Score);
    }

    /// <summary>One line of a device report: a control on a target.</summary>
    public sealed class ReportItem
    {
        public string ControlId { get; set; } = "";
        public string Title { get; set; } = "";
        public string Category { get; set; } = "";
        public string Severity { get; set; } = "";
        public string Target { get; set; } = "";
        public string Status { get; set; } = "";
        public string Expected { get; set; } = "";
        public string? Actual { get; set; }
        public string Reason { get; set; } = "";
        /// <summary>What to do about a NonCompliant or Error result (null otherwise).</summary>
        public string? Fix { get; set; }
        /// <summary>Advice for people (advisory controls).</summary>
        public string? Guidance { get; set; }
    }

    /// <summary>
    /// A device's compliance report: schema "WaHardening.DeviceReport" version 1 (docs/report-schema.md). Built from
    /// Test-WaHardening results; written as JSON, CSV, JUnit XML or a single-file HTML page.
    /// </summary>
    public sealed class DeviceReport
    {
        public const string SchemaName = "WaHardening.DeviceReport";
        public const int SchemaVersion = 1;

        public string Device { get; set; } = "";
        public string OperatingSystem { get; set; } = "";
        public string Platform { get; set; } = "";
        public string ModuleVersion { get; set; } = "";
        public string Profile { get; set; } = "";
        public DateTimeOffset GeneratedAt { get; set; }
        public List<ReportItem> Items { get; } = new List<ReportItem>();

        public StatusCounts Summary()
        {
            var c = new StatusCounts();
            foreach (var i in Items) c.Add(i.Status);
            return c;
        }

        public IEnumerable<(string Category, StatusCounts Counts)> Categories() =>
            Items.GroupBy(i => i.Category).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var c = new StatusCounts();
                foreach (var i in g) c.Add(i.Status);
                return (g.Key, c);
            });

        public static DeviceReport From(IEnumerable<ComplianceResult> results, string profile, string moduleVersion, string operatingSystem, string platform, DateTimeOffset? at = null)
        {
            var list = results.ToList();
            var r = new DeviceReport
            {
                Device = list.Select(x => x.ComputerName).FirstOrDefault() ?? Environment.MachineName,
                OperatingSystem = operatingSystem,
                Platform = platform,
                ModuleVersion = moduleVersion,
                Profile = profile,
                GeneratedAt = at ?? (list.Count > 0 ? list.Max(x => x.Timestamp) : DateTimeOffset.UtcNow),
            };
            foreach (var x in list)
                r.Items.Add(new ReportItem
                {
                    ControlId = x.ControlId, Title = x.Title, Category = x.Category, Severity = x.Severity, Target = x.Target,
                    Status = x.Status.ToString(), Expected = x.Expected, Actual = x.Actual, Reason = x.Reason, Guidance = x.Guidance,
                    Fix = FixFor(x),
                });
            return r;
        }

        private static string? FixFor(ComplianceResult x)
        {
            if (x.Status != ComplianceStatus.NonCompliant && x.Status != ComplianceStatus.Error) return null;
            var steps = x.Settings.Where(s => s.Status == ComplianceStatus.NonCompliant || s.Status == ComplianceStatus.Error)
                .Select(s => s.Status == ComplianceStatus.Error
                    ? $"{s.Name}: {s.Reason}"
                    : $"set {s.Name} to {s.Expected}" + (s.Location != null ? $" in {s.Location}" : "")).ToList();
            var how = $"Run Set-WaHardening -Id {x.ControlId} as administrator (or deploy the Intune/GPO export).";
            return steps.Count == 0 ? how : string.Join("; ", steps) + ". " + how;
        }

        // ------------------------------------------------------------ JSON

        public JsonObject ToJson()
        {
            var items = new JsonArray();
            foreach (var i in Items)
                items.Add(new JsonObject()
                    .Set("controlId", i.ControlId).Set("title", i.Title).Set("category", i.Category).Set("severity", i.Severity)
                    .Set("target", i.Target).Set("status", i.Status).Set("expected", i.Expected)
                    .Set("actual", i.Actual).Set("reason", i.Reason).Set("fix", i.Fix).Set("guidance", i.Guidance));
            var cats = new JsonArray();
            foreach (var (name, counts) in Categories()) cats.Add(counts.ToJson().Set("name", name));
            return new JsonObject()
                .Set("schema", SchemaName)
                .Set("schemaVersion", SchemaVersion)
                .Set("generatedAt", GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
                .Set("device", new JsonObject().Set("name", Device).Set("os", OperatingSystem).Set("platform", Platform).Set("moduleVersion", ModuleVersion))
                .Set("baseline", new JsonObject().Set("profile", Profile))
                .Set("summary", Summary().ToJson())
                .Set("categories", cats)
                .Set("results", items);
        }

        /// <summary>Reads a device report; a wrong schema or a missing field is a <see cref="ReportFormatException"/>.</summary>
        public static DeviceReport FromJson(JsonValue v, string source)
        {
            if (!(v is JsonObject o)) throw new ReportFormatException(source, "the document is not a JSON object");
            if (!(o["schema"] is JsonString s) || s.Value != SchemaName)
                throw new ReportFormatException(source, $"not a WaHardening device report (schema is not '{SchemaName}')");
            if (!(o["schemaVersion"] is JsonNumber ver) || ver.Raw != "1")
                throw new ReportFormatException(source, $"schemaVersion {(o["schemaVersion"]?.ToString() ?? "(missing)")} is not supported (this module reads 1)");
            var device = o["device"] as JsonObject ?? throw new ReportFormatException(source, "'device' is missing");
            var r = new DeviceReport
            {
                Device = Str(device, "name", source),
                OperatingSystem = (device["os"] as JsonString)?.Value ?? "",
                Platform = (device["platform"] as JsonString)?.Value ?? "",
                ModuleVersion = (device["moduleVersion"] as JsonString)?.Value ?? "",
                Profile = ((o["baseline"] as JsonObject)?["profile"] as JsonString)?.Value ?? "",
            };
            if (!DateTimeOffset.TryParse(Str(o, "generatedAt", source), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                throw new ReportFormatException(source, "'generatedAt' is not a date");
            r.GeneratedAt = at;
            var results = o["results"] as JsonArray ?? throw new ReportFormatException(source, "'results' is missing");
            var n = 0;
            foreach (var item in results.Items)
            {
                var where = $"results[{n++}]";
                if (!(item is JsonObject io)) throw new ReportFormatException(source, $"{where} is not an object");
                var status = Str(io, "status", source, where);
                if (Array.IndexOf(s_statuses, status) < 0) throw new ReportFormatException(source, $"{where}.status '{status}' is not a status");
                r.Items.Add(new ReportItem
                {
                    ControlId = Str(io, "controlId", source, where), Title = (io["title"] as JsonString)?.Value ?? "",
                    Category = (io["category"] as JsonString)?.Value ?? "", Severity = (io["severity"] as JsonString)?.Value ?? "",
                    Target = (io["target"] as JsonString)?.Value ?? "", Status = status,
                    Expected = (io["expected"] as JsonString)?.Value ?? "", Actual = (io["actual"] as JsonString)?.Value,
                    Reason = (io["reason"] as JsonString)?.Value ?? "", Fix = (io["fix"] as JsonString)?.Value, Guidance = (io["guidance"] as JsonString)?.Value,
                });
            }
            return r;
        }

        private static readonly string[] s_statuses = { "Compliant", "NonCompliant", "Error", "NotApplicable", "Advisory" };

        private static string Str(JsonObject o, string name, string source, string? where = null) =>
            o[name] is JsonString s ? s.Value : throw new ReportFormatException(source, $"'{(where != null ? where + "." : "")}{name}' is missing or not a string");
    }

    /// <summary>A file that is not a readable device report: names the file and why.</summary>
    public sealed class ReportFormatException : WaHardeningException
    {
        public ReportFormatException(string file, string why, Exception? inner = null)
            : this(file, why, SkipReason.Invalid, inner) { }

        /// <summary>A skipped file as an error: ErrorId ReportInvalid, ReportNotARegularFile, ReportTooLarge, ReportUnreadable
        /// or ReportAlreadyRead (from <paramref name="code"/>).</summary>
        public ReportFormatException(string file, string why, SkipReason code, Exception? inner = null)
            : base("Report" + code, code == SkipReason.Unreadable ? WaErrorCategory.ReadError : WaErrorCategory.InvalidData, $"'{file}' is skipped: {why}.", file, inner)
        { File = file; Why = why; Code = code; }
        public SkipReason Code { get; }
        public string File { get; }
        public string Why { get; }
    }
}
