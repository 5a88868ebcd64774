using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using System.Xml;
using WaHardening.Core.Json;

namespace WaHardening.Core.Reporting
{
    public enum ReportFormat { Json, Csv, JUnit, Html }

    /// <summary>The text forms of a device report (deterministic for the same report).</summary>
    public static class ReportWriters
    {
        public static string Write(DeviceReport r, ReportFormat f) => f switch
        {
            ReportFormat.Json => JsonWriter.Write(r.ToJson()),
            ReportFormat.Csv => Csv(r),
            ReportFormat.JUnit => JUnit(r),
            ReportFormat.Html => Html(r),
            _ => throw new ArgumentOutOfRangeException(nameof(f), f, "Unknown report format."),
        };

        /// <summary>Json/Csv/JUnit/Html from a file name (.json, .csv, .xml, .html/.htm).</summary>
        public static ReportFormat? FromExtension(string path)
        {
            var ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
            return ext switch
            {
                ".json" => ReportFormat.Json,
                ".csv" => ReportFormat.Csv,
                ".xml" => ReportFormat.JUnit,
                ".html" => ReportFormat.Html,
                ".htm" => ReportFormat.Html,
                _ => (ReportFormat?)null,
            };
        }

        // ------------------------------------------------------------ CSV (RFC 4180)

        public static string Csv(DeviceReport r)
        {
            var sb = new StringBuilder();
            Row(sb, "Device", "GeneratedAt", "Profile", "ControlId", "Title", "Category", "Severity", "Target", "Status", "Expected", "Actual", "Reason", "Fix", "Guidance");
            var at = r.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            foreach (var i in r.Items)
                Row(sb, r.Device, at, r.Profile, i.ControlId, i.Title, i.Category, i.Severity, i.Target, i.Status, i.Expected, i.Actual, i.Reason, i.Fix, i.Guidance);
            return sb.ToString();
        }

        internal static void Row(StringBuilder sb, params string?[] fields)
        {
            for (var n = 0; n < fields.Length; n++)
            {
                if (n > 0) sb.Append(',');
                var f = fields[n] ?? "";
                // A leading = + - @ would be a formula in a spreadsheet: quote and prefix with an apostrophe.
                if (f.Length > 0 && "=+-@".IndexOf(f[0]) >= 0 && !(f[0] == '-' && f.Length > 1 && char.IsDigit(f[1]))) f = "'" + f;
                if (f.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 || f.StartsWith("'", StringComparison.Ordinal))
                    sb.Append('"').Append(f.Replace("\"", "\"\"")).Append('"');
                else sb.Append(f);
            }
            sb.Append("\r\n");
        }

        // ------------------------------------------------------------ JUnit XML

        /// <summary>One testsuite per category, one testcase per control and target: NonCompliant = failure, Error = error,
        /// NotApplicable and Advisory = skipped (advice is never a pass).</summary>
        public static string JUnit(DeviceReport r)
        {
            var sb = new StringBuilder();
            var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", OmitXmlDeclaration = false, Encoding = new UTF8Encoding(false) };
            using (var sw = new Utf8StringWriter(sb))
            using (var w = XmlWriter.Create(sw, settings))
            {
                var all = r.Summary();
                w.WriteStartElement("testsuites");
                w.WriteAttributeString("name", $"WaHardening {r.Profile} on {r.Device}");
                w.WriteAttributeString("tests", Invariant(r.Items.Count));
                w.WriteAttributeString("failures", Invariant(all.NonCompliant));
                w.WriteAttributeString("errors", Invariant(all.Error));
                w.WriteAttributeString("skipped", Invariant(all.NotApplicable + all.Advisory));
                foreach (var g in r.Items.GroupBy(i => i.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    var c = new StatusCounts();
                    foreach (var i in g) c.Add(i.Status);
                    w.WriteStartElement("testsuite");
                    w.WriteAttributeString("name", g.Key);
                    w.WriteAttributeString("tests", Invariant(g.Count()));
                    w.WriteAttributeString("failures", Invariant(c.NonCompliant));
                    w.WriteAttributeString("errors", Invariant(c.Error));
                    w.WriteAttributeString("skipped", Invariant(c.NotApplicable + c.Advisory));
                    w.WriteAttributeString("timestamp", r.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
                    w.WriteAttributeString("hostname", r.Device);
                    foreach (var i in g)
                    {
                        w.WriteStartElement("testcase");
                        w.WriteAttributeString("classname", $"{i.Category}.{i.ControlId}");
                        w.WriteAttributeString("name", $"{i.ControlId} {i.Target}: {i.Title}");
                        switch (i.Status)
                        {
                            case "NonCompliant":
                                w.WriteStartElement("failure");
                                w.WriteAttributeString("message", i.Reason);
                                w.WriteAttributeString("type", "NonCompliant");
                                w.WriteString($"Expected: {i.Expected}\nActual: {i.Actual ?? "(not set)"}\nFix: {i.Fix}");
                                w.WriteEndElement();
                                break;
                            case "Error":
                                w.WriteStartElement("error");
                                w.WriteAttributeString("message", i.Reason);
                                w.WriteAttributeString("type", "Error");
                                w.WriteString(i.Fix ?? "");
                                w.WriteEndElement();
                                break;
                            case "NotApplicable":
                            case "Advisory":
                                w.WriteStartElement("skipped");
                                w.WriteAttributeString("message", i.Status == "Advisory" ? "Advisory: " + (i.Guidance ?? i.Reason) : i.Reason);
                                w.WriteEndElement();
                                break;
                        }
                        w.WriteEndElement();
                    }
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            return sb.Append('\n').ToString();
        }

        private sealed class Utf8StringWriter : System.IO.StringWriter
        {
            public Utf8StringWriter(StringBuilder sb) : base(sb, CultureInfo.InvariantCulture) { }
            public override Encoding Encoding => new UTF8Encoding(false);
        }

        internal static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);
        internal static string Invariant(double n) => n.ToString("0.0", CultureInfo.InvariantCulture);

        /// <summary>"87.5 %" style score text; "n/a" when nothing is scored (0 of 0 is no evidence of compliance).</summary>
        internal static string ScoreText(StatusCounts c) => c.Scored == 0 ? "n/a" : Invariant(c.Score) + "%";
        internal static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

        // ------------------------------------------------------------ HTML (one file, no external assets)

        internal const string Css = @"
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
.meta{color:#555;margin:0 0 1rem} .score{font-size:2.2rem;font-weight:700}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top} td:last-child{overflow-wrap:anywhere}
th{background:#f2f2f2} code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
.s{font-weight:600;white-space:nowrap} .Compliant{color:#0a6b2d} .NonCompliant{color:#b00020} .Error{color:#8a1c7c} .NotApplicable{color:#666} .Advisory{color:#005a9e}
.cards{display:flex;flex-wrap:wrap;gap:.8rem} .card{border:1px solid #ccc;border-radius:6px;padding:.6rem .9rem;min-width:10rem}
.card b{display:block;font-size:1.4rem} .bar{height:.5rem;background:#eee;border-radius:3px;overflow:hidden} .bar i{display:block;height:100%;background:#0a6b2d}
@media print{body{margin:0;font-size:10pt} a{color:inherit;text-decoration:none} tr,.card{break-inside:avoid} h2{break-after:avoid} .noprint{display:none}
th,td{padding:.25rem .35rem}}
";

        public static string Html(DeviceReport r)
        {
            var all = r.Summary();
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            sb.Append("<title>").Append(E($"WaHardening compliance - {r.Device}")).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
            sb.Append("<h1>WaHardening compliance report: ").Append(E(r.Device)).Append("</h1>\n");
            sb.Append("<p class=\"meta\">Profile ").Append(E(r.Profile)).Append(" &middot; ").Append(E(r.OperatingSystem)).Append(" &middot; generated ")
              .Append(E(r.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
              .Append(" &middot; module ").Append(E(r.ModuleVersion)).Append("</p>\n");
            sb.Append("<p><span class=\"score\" id=\"score\">").Append(ScoreText(all)).Append("</span> compliant (")
              .Append(all.Compliant).Append(" compliant, ").Append(all.NonCompliant).Append(" non-compliant, ").Append(all.Error).Append(" errors, ")
              .Append(all.NotApplicable).Append(" not applicable; advice is not scored)</p>\n");

            sb.Append("<h2>Score per category</h2>\n<div class=\"cards\" id=\"categories\">\n");
            foreach (var (name, c) in r.Categories().Where(x => x.Counts.Scored > 0 || x.Counts.NotApplicable > 0))
                sb.Append("<div class=\"card\"><span>").Append(E(name)).Append("</span><b>").Append(ScoreText(c)).Append("</b><div class=\"bar\"><i style=\"width:")
                  .Append(c.Scored == 0 ? "0" : Invariant(c.Score)).Append("%\"></i></div><small>").Append(c.Compliant).Append(" of ").Append(c.Scored).Append(" compliant</small></div>\n");
            sb.Append("</div>\n");

            var failing = r.Items.Where(i => i.Status == "NonCompliant" || i.Status == "Error").ToList();
            sb.Append("<h2>What to fix</h2>\n");
            if (failing.Count == 0) sb.Append("<p id=\"fixes\">Nothing: every applicable control is compliant.</p>\n");
            else
            {
                sb.Append("<table id=\"fixes\"><thead><tr><th>Control</th><th>Target</th><th>Expected</th><th>Actual</th><th>Fix</th></tr></thead><tbody>\n");
                foreach (var i in failing)
                    sb.Append("<tr><td>").Append(E(i.ControlId)).Append(' ').Append(E(i.Title)).Append("</td><td>").Append(E(i.Target))
                      .Append("</td><td><code>").Append(E(i.Expected)).Append("</code></td><td><code>").Append(E(i.Actual ?? "(not set)"))
                      .Append("</code></td><td>").Append(E(i.Fix)).Append("</td></tr>\n");
                sb.Append("</tbody></table>\n");
            }

            sb.Append("<h2>All controls</h2>\n<table id=\"controls\"><thead><tr><th>Control</th><th>Category</th><th>Severity</th><th>Target</th><th>Status</th><th>Expected</th><th>Actual</th><th>Reason</th></tr></thead><tbody>\n");
            foreach (var i in r.Items.Where(i => i.Status != "Advisory"))
                sb.Append("<tr><td>").Append(E(i.ControlId)).Append(' ').Append(E(i.Title)).Append("</td><td>").Append(E(i.Category)).Append("</td><td>").Append(E(i.Severity))
                  .Append("</td><td>").Append(E(i.Target)).Append("</td><td class=\"s ").Append(E(i.Status)).Append("\">").Append(E(i.Status))
                  .Append("</td><td><code>").Append(E(i.Expected)).Append("</code></td><td><code>").Append(E(i.Actual ?? "(not set)"))
                  .Append("</code></td><td>").Append(E(i.Reason)).Append("</td></tr>\n");
            sb.Append("</tbody></table>\n");

            var advice = r.Items.Where(i => i.Status == "Advisory").ToList();
            sb.Append("<h2>Advice for people (not enforceable, never counted as compliant)</h2>\n<ul id=\"advice\">\n");
            foreach (var i in advice)
                sb.Append("<li><b>").Append(E(i.ControlId)).Append(' ').Append(E(i.Title)).Append(".</b> ").Append(E(i.Guidance ?? i.Reason)).Append("</li>\n");
            if (advice.Count == 0) sb.Append("<li>None in this report.</li>\n");
            sb.Append("</ul>\n</body>\n</html>\n");
            return sb.ToString();
        }
    }
}
