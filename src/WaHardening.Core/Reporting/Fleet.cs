using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Json;

namespace WaHardening.Core.Reporting
{
    /// <summary>A device in the fleet summary: its latest report.</summary>
    public sealed class FleetDevice
    {
        public string Device { get; internal set; } = "";
        public DateTimeOffset GeneratedAt { get; internal set; }
        public string Profile { get; internal set; } = "";
        public string File { get; internal set; } = "";
        public StatusCounts Counts { get; internal set; } = new StatusCounts();
        public double Score => Counts.Score;
        /// <summary>Status per control key (index into the merger's control table), 0 = not in the report.</summary>
        internal byte[] Statuses = new byte[0];
    }

    /// <summary>A control across the fleet (latest report of each device).</summary>
    public sealed class FleetControl
    {
        public string ControlId { get; internal set; } = "";
        public string Target { get; internal set; } = "";
        public string Title { get; internal set; } = "";
        public string Category { get; internal set; } = "";
        public StatusCounts Counts { get; } = new StatusCounts();
        public double Score => Counts.Score;
    }

    /// <summary>A file that was skipped, and why.</summary>
    public sealed class SkippedReport
    {
        public SkippedReport(string file, string reason) { File = file; Reason = reason; }
        public string File { get; }
        public string Reason { get; }
    }

    /// <summary>The fleet summary Merge-WaComplianceReport returns.</summary>
    public sealed class FleetSummary
    {
        public int ReportsRead { get; internal set; }
        public int Devices => DeviceList.Count;
        public int Skipped { get; internal set; }
        public StatusCounts Counts { get; } = new StatusCounts();
        public double Score => Counts.Score;
        public IReadOnlyList<FleetControl> Controls { get; internal set; } = new FleetControl[0];
        public IReadOnlyList<(string Category, StatusCounts Counts)> Categories { get; internal set; } = new (string, StatusCounts)[0];
        public IReadOnlyList<FleetDevice> DeviceList { get; internal set; } = new FleetDevice[0];
        public IReadOnlyList<FleetDevice> WorstOffenders { get; internal set; } = new FleetDevice[0];
        /// <summary>Per UTC day of the reports: every report of that day counted.</summary>
        public IReadOnlyList<(DateTime Day, int Reports, StatusCounts Counts)> Trend { get; internal set; } = new (DateTime, int, StatusCounts)[0];
        /// <summary>The first skipped files (at most 1000; <see cref="Skipped"/> counts them all).</summary>
        public IReadOnlyList<SkippedReport> SkippedFiles { get; internal set; } = new SkippedReport[0];
    }

    /// <summary>
    /// Merges device reports one file at a time: each file is scanned (<see cref="ReportScanner"/>: syntax checked,
    /// no tree built), folded into per-device and per-day counters and dropped, so memory grows only with the number
    /// of distinct devices (a byte per control each), not with the reports. A file that is not a readable device
    /// report is recorded as skipped and the merge goes on. <see cref="AddFiles"/> spreads the files over the cores,
    /// one merger per worker, and merges the workers' results at the end.
    /// </summary>
    public sealed class FleetMerger : ReportScanner.IControlTable
    {
        private const int MaxSkippedKept = 1000;
        private static readonly string[] s_statuses = ReportScanner.Statuses;

        private readonly Dictionary<string, int> _controlIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<ulong, List<(byte[] Id, byte[] Target, int Index)>> _byHash = new Dictionary<ulong, List<(byte[], byte[], int)>>();
        private readonly List<FleetControl> _controls = new List<FleetControl>();
        private readonly Dictionary<string, FleetDevice> _devices = new Dictionary<string, FleetDevice>(StringComparer.OrdinalIgnoreCase);
        private readonly SortedDictionary<DateTime, (int Reports, StatusCounts Counts)> _days = new SortedDictionary<DateTime, (int, StatusCounts)>();
        private readonly List<SkippedReport> _skipped = new List<SkippedReport>();
        private readonly ReportScanner _scanner = new ReportScanner();
        private byte[] _buffer = new byte[64 * 1024];
        private int _skippedCount, _read;

        /// <summary>Adds one file; returns the skip record when it was not a device report (null when merged).</summary>
        public SkippedReport? AddFile(string path)
        {
            ReportScanner.Result r;
            try
            {
                int length;
                using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                {
                    if (fs.Length > 64L * 1024 * 1024) return Skip(path, $"{fs.Length} bytes is too large for a device report");
                    if (_buffer.Length < fs.Length) _buffer = new byte[Math.Max(fs.Length, _buffer.Length * 2)];
                    length = 0;
                    int n;
                    while ((n = fs.Read(_buffer, length, _buffer.Length - length)) > 0)
                    {
                        length += n;
                        if (length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                    }
                }
                r = _scanner.Scan(_buffer, length, path, this);
            }
            catch (ReportFormatException e) { return Skip(path, e.Why); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return Skip(path, "cannot be read: " + e.Message); }
            Add(r, path);
            return null;
        }

        /// <summary>Adds many files on <paramref name="workers"/> threads; <paramref name="done"/> counts the files read so far.</summary>
        public void AddFiles(IReadOnlyList<string> files, int workers, Action<int>? done = null)
        {
            workers = Math.Max(1, Math.Min(workers, files.Count / 64 + 1));
            if (workers == 1)
            {
                for (var i = 0; i < files.Count; i++) { AddFile(files[i]); done?.Invoke(i + 1); }
                return;
            }
            var parts = new FleetMerger[workers];
            var counter = 0;
            var next = -1;
            var tasks = new System.Threading.Tasks.Task[workers];
            for (var w = 0; w < workers; w++)
            {
                var m = parts[w] = new FleetMerger();
                tasks[w] = System.Threading.Tasks.Task.Run(() =>
                {
                    int i;
                    while ((i = System.Threading.Interlocked.Increment(ref next)) < files.Count)
                    {
                        m.AddFile(files[i]);
                        System.Threading.Interlocked.Increment(ref counter);
                    }
                });
            }
            var all = System.Threading.Tasks.Task.WhenAll(tasks);
            while (!all.Wait(100)) done?.Invoke(System.Threading.Volatile.Read(ref counter));
            all.GetAwaiter().GetResult();
            done?.Invoke(files.Count);
            foreach (var m in parts) Merge(m);
            // Skips in file order, whatever worker met them.
            var order = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < files.Count; i++) order[files[i]] = i;
            _skipped.Sort((a, b) => (order.TryGetValue(a.File, out var x) ? x : int.MaxValue).CompareTo(order.TryGetValue(b.File, out var y) ? y : int.MaxValue));
        }

        private SkippedReport Skip(string path, string why)
        {
            _skippedCount++;
            var s = new SkippedReport(path, why);
            if (_skipped.Count < MaxSkippedKept) _skipped.Add(s);
            return s;
        }

        /// <summary>The skip records so far (at most 1000), in the order met.</summary>
        public IReadOnlyList<SkippedReport> SkippedSoFar => _skipped;

        int ReportScanner.IControlTable.Find(ulong hash, byte[] b, int idS, int idE, int tS, int tE)
        {
            if (!_byHash.TryGetValue(hash, out var list)) return -1;
            foreach (var (id, target, index) in list)
                if (SameBytes(id, b, idS, idE) && SameBytes(target, b, tS, tE)) return index;
            return -1;
        }

        int ReportScanner.IControlTable.Add(ulong hash, byte[] b, int idS, int idE, int tS, int tE, string controlId, string target, string title, string category)
        {
            var index = ControlIndex(controlId, target, title, category);
            if (!_byHash.TryGetValue(hash, out var list)) _byHash[hash] = list = new List<(byte[], byte[], int)>();
            list.Add((Slice(b, idS, idE), Slice(b, tS, tE), index));
            return index;
        }

        private static byte[] Slice(byte[] b, int s, int e) { var r = new byte[e - s]; Buffer.BlockCopy(b, s, r, 0, e - s); return r; }

        private static bool SameBytes(byte[] a, byte[] b, int s, int e)
        {
            if (a.Length != e - s) return false;
            for (var i = 0; i < a.Length; i++) if (a[i] != b[s + i]) return false;
            return true;
        }

        private int ControlIndex(string controlId, string target, string title, string category)
        {
            var key = controlId + "\u0001" + target;
            if (_controlIndex.TryGetValue(key, out var idx)) return idx;
            idx = _controls.Count;
            _controlIndex[key] = idx;
            _controls.Add(new FleetControl { ControlId = controlId, Target = target, Title = title, Category = category });
            return idx;
        }

        /// <summary>Adds a report already in memory (e.g. built by <see cref="DeviceReport.FromJson"/>).</summary>
        public void Add(DeviceReport report, string source)
        {
            var r = new ReportScanner.Result { Device = report.Device, Profile = report.Profile, GeneratedAt = report.GeneratedAt };
            foreach (var i in report.Items)
                r.Items.Add((ControlIndex(i.ControlId, i.Target, i.Title, i.Category), (byte)Array.IndexOf(s_statuses, i.Status)));
            Add(r, source);
        }

        private void Add(ReportScanner.Result r, string source)
        {
            _read++;
            var day = r.GeneratedAt.UtcDateTime.Date;
            if (!_days.TryGetValue(day, out var d)) d = (0, new StatusCounts());
            foreach (var (_, status) in r.Items) d.Counts.Add(s_statuses[status]);
            _days[day] = (d.Reports + 1, d.Counts);

            if (_devices.TryGetValue(r.Device, out var existing) && existing.GeneratedAt >= r.GeneratedAt) return; // an older report
            var statuses = new byte[Math.Max(_controls.Count, 1)];
            var counts = new StatusCounts();
            foreach (var (index, status) in r.Items)
            {
                if (index >= statuses.Length) Array.Resize(ref statuses, index + 1);
                statuses[index] = status;
                counts.Add(s_statuses[status]);
            }
            _devices[r.Device] = new FleetDevice { Device = r.Device, GeneratedAt = r.GeneratedAt, Profile = r.Profile, File = source, Counts = counts, Statuses = statuses };
        }

        /// <summary>Folds another merger (a worker's) into this one.</summary>
        private void Merge(FleetMerger other)
        {
            _read += other._read;
            _skippedCount += other._skippedCount;
            foreach (var k in other._skipped) if (_skipped.Count < MaxSkippedKept) _skipped.Add(k);
            foreach (var kv in other._days)
            {
                if (!_days.TryGetValue(kv.Key, out var d)) d = (0, new StatusCounts());
                d.Counts.Compliant += kv.Value.Counts.Compliant; d.Counts.NonCompliant += kv.Value.Counts.NonCompliant; d.Counts.Error += kv.Value.Counts.Error;
                d.Counts.NotApplicable += kv.Value.Counts.NotApplicable; d.Counts.Advisory += kv.Value.Counts.Advisory;
                _days[kv.Key] = (d.Reports + kv.Value.Reports, d.Counts);
            }
            var map = other._controls.Select(c => ControlIndex(c.ControlId, c.Target, c.Title, c.Category)).ToArray();
            foreach (var dev in other._devices.Values)
            {
                if (_devices.TryGetValue(dev.Device, out var existing) && existing.GeneratedAt >= dev.GeneratedAt) continue;
                var statuses = new byte[Math.Max(_controls.Count, 1)];
                for (var i = 0; i < dev.Statuses.Length && i < map.Length; i++) if (dev.Statuses[i] != 0) statuses[map[i]] = dev.Statuses[i];
                dev.Statuses = statuses;
                _devices[dev.Device] = dev;
            }
        }

        public FleetSummary Summary(int worst = 10)
        {
            foreach (var c in _controls) { c.Counts.Compliant = c.Counts.NonCompliant = c.Counts.Error = c.Counts.NotApplicable = c.Counts.Advisory = 0; }
            var total = new StatusCounts();
            foreach (var dev in _devices.Values)
                for (var i = 0; i < dev.Statuses.Length && i < _controls.Count; i++)
                    if (dev.Statuses[i] != 0)
                    {
                        _controls[i].Counts.Add(s_statuses[dev.Statuses[i]]);
                        total.Add(s_statuses[dev.Statuses[i]]);
                    }
            var s = new FleetSummary
            {
                ReportsRead = _read,
                Skipped = _skippedCount,
                SkippedFiles = _skipped.ToList(),
                Controls = _controls.OrderBy(c => c.ControlId, StringComparer.Ordinal).ThenBy(c => c.Target, StringComparer.Ordinal).ToList(),
                DeviceList = _devices.Values.OrderBy(d => d.Device, StringComparer.OrdinalIgnoreCase).ToList(),
                Trend = _days.Select(kv => (kv.Key, kv.Value.Reports, kv.Value.Counts)).ToList(),
            };
            s.Counts.Compliant = total.Compliant; s.Counts.NonCompliant = total.NonCompliant; s.Counts.Error = total.Error;
            s.Counts.NotApplicable = total.NotApplicable; s.Counts.Advisory = total.Advisory;
            s.Categories = _controls.GroupBy(c => c.Category).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var c = new StatusCounts();
                foreach (var x in g) { c.Compliant += x.Counts.Compliant; c.NonCompliant += x.Counts.NonCompliant; c.Error += x.Counts.Error; c.NotApplicable += x.Counts.NotApplicable; c.Advisory += x.Counts.Advisory; }
                return (g.Key, c);
            }).ToList();
            s.WorstOffenders = _devices.Values.Where(d => d.Counts.NonCompliant + d.Counts.Error > 0)
                .OrderByDescending(d => d.Counts.NonCompliant + d.Counts.Error).ThenBy(d => d.Score).ThenBy(d => d.Device, StringComparer.OrdinalIgnoreCase)
                .Take(worst).ToList();
            return s;
        }

        // ------------------------------------------------------------ output

        public static JsonObject ToJson(FleetSummary s)
        {
            var controls = new JsonArray();
            foreach (var c in s.Controls) controls.Add(c.Counts.ToJson().Set("controlId", c.ControlId).Set("target", c.Target).Set("title", c.Title).Set("category", c.Category));
            var cats = new JsonArray();
            foreach (var (name, c) in s.Categories) cats.Add(c.ToJson().Set("name", name));
            var devices = new JsonArray();
            foreach (var d in s.DeviceList) devices.Add(Device(d));
            var worst = new JsonArray();
            foreach (var d in s.WorstOffenders) worst.Add(Device(d));
            var trend = new JsonArray();
            foreach (var (day, reports, c) in s.Trend) trend.Add(c.ToJson().Set("day", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Set("reports", reports));
            var skipped = new JsonArray();
            foreach (var k in s.SkippedFiles) skipped.Add(new JsonObject().Set("file", k.File).Set("reason", k.Reason));
            return new JsonObject()
                .Set("schema", "WaHardening.FleetSummary").Set("schemaVersion", 1)
                .Set("reportsRead", s.ReportsRead).Set("devices", s.Devices).Set("skipped", s.Skipped)
                .Set("summary", s.Counts.ToJson())
                .Set("controls", controls).Set("categories", cats).Set("worstOffenders", worst).Set("trend", trend)
                .Set("deviceList", devices).Set("skippedFiles", skipped);
        }

        private static JsonObject Device(FleetDevice d) => d.Counts.ToJson().Set("device", d.Device)
            .Set("generatedAt", d.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Set("profile", d.Profile);

        /// <summary>The fleet page: score, an inline SVG bar chart of compliance per control, categories, worst offenders, trend.</summary>
        public static string Html(FleetSummary s)
        {
            string E(string? x) => ReportWriters.E(x);
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>WaHardening fleet compliance</title>\n<style>")
              .Append(ReportWriters.Css).Append("</style>\n</head>\n<body>\n<h1>WaHardening fleet compliance</h1>\n");
            sb.Append("<p class=\"meta\">").Append(s.Devices).Append(" devices from ").Append(s.ReportsRead).Append(" reports");
            if (s.Skipped > 0) sb.Append(", ").Append(s.Skipped).Append(" files skipped");
            sb.Append("</p>\n<p><span class=\"score\" id=\"score\">").Append(ReportWriters.Invariant(s.Score)).Append("%</span> of applicable checks compliant (latest report per device)</p>\n");

            var scored = s.Controls.Where(c => c.Counts.Scored > 0).ToList();
            const int rowH = 22, labelW = 260, barW = 420;
            var h = Math.Max(1, scored.Count) * rowH + 30;
            sb.Append("<h2>Compliance per control</h2>\n<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").Append(labelW + barW + 70)
              .Append("\" height=\"").Append(h).Append("\" viewBox=\"0 0 ").Append(labelW + barW + 70).Append(' ').Append(h)
              .Append("\" font-family=\"system-ui,sans-serif\" font-size=\"12\">\n<title>Percent of devices compliant, per control and target</title>\n");
            for (var n = 0; n < scored.Count; n++)
            {
                var c = scored[n];
                var y = 10 + n * rowH;
                var w = (int)Math.Round(barW * c.Score / 100.0);
                var color = c.Score >= 90 ? "#0a6b2d" : c.Score >= 60 ? "#c77700" : "#b00020";
                sb.Append("<g class=\"row\"><text x=\"").Append(labelW - 6).Append("\" y=\"").Append(y + 14).Append("\" text-anchor=\"end\">")
                  .Append(E(c.ControlId + " " + c.Target)).Append("</text><rect x=\"").Append(labelW).Append("\" y=\"").Append(y + 2).Append("\" width=\"").Append(barW)
                  .Append("\" height=\"16\" fill=\"#eee\"/><rect x=\"").Append(labelW).Append("\" y=\"").Append(y + 2).Append("\" width=\"").Append(w)
                  .Append("\" height=\"16\" fill=\"").Append(color).Append("\"/><text x=\"").Append(labelW + barW + 6).Append("\" y=\"").Append(y + 14).Append("\">")
                  .Append(ReportWriters.Invariant(c.Score)).Append("%</text></g>\n");
            }
            sb.Append("</svg>\n");

            sb.Append("<h2>Per control</h2>\n<table id=\"controls\"><thead><tr><th>Control</th><th>Target</th><th>Category</th><th>Compliant</th><th>Non-compliant</th><th>Error</th><th>Not applicable</th><th>Score</th></tr></thead><tbody>\n");
            foreach (var c in s.Controls.Where(c => c.Counts.Advisory == 0))
                sb.Append("<tr><td>").Append(E(c.ControlId)).Append(' ').Append(E(c.Title)).Append("</td><td>").Append(E(c.Target)).Append("</td><td>").Append(E(c.Category))
                  .Append("</td><td>").Append(c.Counts.Compliant).Append("</td><td>").Append(c.Counts.NonCompliant).Append("</td><td>").Append(c.Counts.Error)
                  .Append("</td><td>").Append(c.Counts.NotApplicable).Append("</td><td>").Append(ReportWriters.Invariant(c.Score)).Append("%</td></tr>\n");
            sb.Append("</tbody></table>\n<h2>Per category</h2>\n<table id=\"categories\"><thead><tr><th>Category</th><th>Compliant</th><th>Non-compliant</th><th>Error</th><th>Score</th></tr></thead><tbody>\n");
            foreach (var (name, c) in s.Categories.Where(x => x.Counts.Scored > 0))
                sb.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(c.Compliant).Append("</td><td>").Append(c.NonCompliant).Append("</td><td>").Append(c.Error)
                  .Append("</td><td>").Append(ReportWriters.Invariant(c.Score)).Append("%</td></tr>\n");
            sb.Append("</tbody></table>\n<h2>Worst offenders</h2>\n<table id=\"worst\"><thead><tr><th>Device</th><th>Non-compliant</th><th>Error</th><th>Score</th><th>Report</th></tr></thead><tbody>\n");
            foreach (var d in s.WorstOffenders)
                sb.Append("<tr><td>").Append(E(d.Device)).Append("</td><td>").Append(d.Counts.NonCompliant).Append("</td><td>").Append(d.Counts.Error).Append("</td><td>")
                  .Append(ReportWriters.Invariant(d.Score)).Append("%</td><td>").Append(E(d.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append("</td></tr>\n");
            sb.Append("</tbody></table>\n");
            if (s.Trend.Count > 1)
            {
                sb.Append("<h2>Trend</h2>\n<table id=\"trend\"><thead><tr><th>Day (UTC)</th><th>Reports</th><th>Score</th></tr></thead><tbody>\n");
                foreach (var (day, reports, c) in s.Trend)
                    sb.Append("<tr><td>").Append(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("</td><td>").Append(reports).Append("</td><td>")
                      .Append(ReportWriters.Invariant(c.Score)).Append("%</td></tr>\n");
                sb.Append("</tbody></table>\n");
            }
            if (s.Skipped > 0)
            {
                sb.Append("<h2>Skipped files</h2>\n<ul id=\"skipped\">\n");
                foreach (var k in s.SkippedFiles) sb.Append("<li><code>").Append(E(k.File)).Append("</code>: ").Append(E(k.Reason)).Append("</li>\n");
                sb.Append("</ul>\n");
            }
            sb.Append("</body>\n</html>\n");
            return sb.ToString();
        }
    }
}
