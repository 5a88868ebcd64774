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
        private readonly string _folder, _fileName;

        internal FleetDevice(string device, DateTimeOffset generatedAt, string profile, string folder, string fileName, StatusCounts counts)
        {
            Device = device; GeneratedAt = generatedAt; Profile = profile; _folder = folder; _fileName = fileName; Counts = counts;
        }

        public string Device { get; }
        /// <summary>When the latest report was generated (UTC).</summary>
        public DateTimeOffset GeneratedAt { get; }
        public string Profile { get; }
        /// <summary>The file the latest report came from.</summary>
        public string File => _folder + _fileName;
        /// <summary>The latest report's results, one per control and target.</summary>
        public StatusCounts Counts { get; }
        public double Score => Counts.Score;
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
        /// <summary>Input number of the first report that named the control (its title and category are that report's).</summary>
        internal long FirstSeen;
    }

    /// <summary>A file that was skipped, and why.</summary>
    public sealed class SkippedReport
    {
        public SkippedReport(string file, string reason) : this(file, SkipReason.Invalid, reason) { }
        public SkippedReport(string file, SkipReason code, string reason) { File = file; Code = code; Reason = reason; }
        public string File { get; }
        /// <summary>Why, as a stable code (not a valid report, not a regular file, too large, unreadable, already read).</summary>
        public SkipReason Code { get; }
        public string Reason { get; }
        /// <summary>Input number of the file (the order the files were given in).</summary>
        internal long Seq;
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
    /// no tree built), folded into per-day counters and a per-device record of its latest report, and dropped, so
    /// memory grows only with the number of distinct devices, not with the reports. The per-device record is kept
    /// small: the device name (one string), the latest report's file name (its folder and the profile are shared,
    /// reference-counted strings), the date as UTC ticks, and the statuses packed 4 bits per control — about
    /// 110 bytes + 2 per character of device name and file name + half a byte per control (docs/report-schema.md;
    /// measured in FleetMemoryReportingTests). A file
    /// that is not a readable device report is recorded as skipped and the merge goes on. <see cref="FleetFeed"/>
    /// spreads the files over the cores as they are enumerated, one merger per worker, and merges the workers'
    /// results at the end; the outcome does not depend on which worker read which file (the latest report wins,
    /// a tie goes to the ordinally first path, titles come from the first input that named a control: input order, for a
    /// folder the file system's enumeration order, which is not sorted).
    /// </summary>
    public sealed class FleetMerger : ReportScanner.IControlTable
    {
        private const int MaxSkippedKept = 1000;
        private static readonly string[] s_statuses = ReportScanner.Statuses;

        /// <summary>A device's latest report, as little of it as the summary needs.</summary>
        private struct DeviceRecord
        {
            /// <summary>The latest report's spelling (the dictionary key's string unless its case changed).</summary>
            public string Name;
            /// <summary>The latest report's file name; its folder is <see cref="Folder"/>.</summary>
            public string FileName;
            /// <summary>Status per control index, 4 bits each (two per byte; 0 = not in the report).</summary>
            public byte[] Statuses;
            public long UtcTicks;
            public int Folder, Profile;
        }

        private readonly Dictionary<string, int> _controlIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<ulong, List<(byte[] Id, byte[] Target, int Index)>> _byHash = new Dictionary<ulong, List<(byte[], byte[], int)>>();
        private readonly List<FleetControl> _controls = new List<FleetControl>();
        private readonly Dictionary<string, int> _deviceIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private DeviceRecord[] _devices = new DeviceRecord[16];
        private int _deviceCount;
        private readonly Interner _folders = new Interner(), _profiles = new Interner();
        private readonly SortedDictionary<DateTime, (int Reports, StatusCounts Counts)> _days = new SortedDictionary<DateTime, (int, StatusCounts)>();
        private readonly List<SkippedReport> _skipped = new List<SkippedReport>();
        private readonly ReportScanner _scanner = new ReportScanner();
        private readonly ReportFiles _files = new ReportFiles(DefaultMaxReportBytes);
        private int _skippedCount, _read;
        /// <summary>Input number of the file or report being added (the order they were given in).</summary>
        private long _seq;
        internal long NextSeq;

        /// <summary>Adds one file; returns the skip record when it was not a device report (null when merged).</summary>
        public SkippedReport? AddFile(string path) => AddFileAt(path, NextSeq++);

        internal SkippedReport? AddFileAt(string path, long seq)
        {
            _seq = seq;
            var skip = _files.Read(path, Once, out var length);
            if (skip != null) return Skip(path, skip.Value.Code, skip.Value.Why);
            return ScanAndAdd(_files.Buffer, length, path);
        }

        /// <summary>The default bound of one report's bytes (64 MiB).</summary>
        public const int DefaultMaxReportBytes = 64 * 1024 * 1024;

        /// <summary>At most this many bytes are read of one file (counted while reading, whatever its Length says); a
        /// larger file is skipped (<see cref="SkipReason.TooLarge"/>). Each worker holds one buffer of at most this size.</summary>
        public int MaxReportBytes { get => _files.MaxBytes; set => _files.MaxBytes = value; }

        /// <summary>The size of this merger's read buffer now (for the memory bound's tests).</summary>
        internal int BufferCapacity => _files.Capacity;

        /// <summary>The identities of the files read by this merge (shared with its workers): each file is read once.</summary>
        internal ReadOnce Once { get; set; } = new ReadOnce();

        /// <summary>What <see cref="AddFile"/> does once the file is read: for the tests (no file system in the way).</summary>
        internal SkippedReport? AddBytes(byte[] data, int length, string path)
        {
            _seq = NextSeq++;
            return ScanAndAdd(data, length, path);
        }

        private SkippedReport? ScanAndAdd(byte[] data, int length, string path)
        {
            ReportScanner.Result r;
            try { r = _scanner.Scan(data, length, path, this); }
            catch (ReportFormatException e) { return Skip(path, SkipReason.Invalid, e.Why); }
            Add(r, path);
            return null;
        }

        /// <summary>Adds files as <paramref name="files"/> yields them, on <paramref name="workers"/> threads (a
        /// <see cref="FleetFeed"/>); <paramref name="done"/> counts the files read so far.</summary>
        public void AddFiles(IEnumerable<string> files, int workers, Action<int>? done = null)
        {
            if (workers <= 1)
            {
                var n = 0;
                foreach (var f in files) { AddFile(f); done?.Invoke(++n); }
                return;
            }
            using (var feed = new FleetFeed(this, workers))
            {
                foreach (var f in files) feed.Add(f);
                feed.Complete(done);
            }
        }

        private SkippedReport Skip(string path, SkipReason code, string why)
        {
            _skippedCount++;
            var s = new SkippedReport(path, code, why) { Seq = _seq };
            if (_skipped.Count < MaxSkippedKept) _skipped.Add(s);
            return s;
        }

        /// <summary>The skip records so far (at most 1000), in input order.</summary>
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
            var index = ControlIndex(controlId, target, title, category, _seq);
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

        private int ControlIndex(string controlId, string target, string title, string category, long seen)
        {
            var key = controlId + "\u0001" + target;
            if (_controlIndex.TryGetValue(key, out var idx))
            {
                var c = _controls[idx];
                if (seen < c.FirstSeen) { c.Title = title; c.Category = category; c.FirstSeen = seen; }
                return idx;
            }
            idx = _controls.Count;
            _controlIndex[key] = idx;
            _controls.Add(new FleetControl { ControlId = controlId, Target = target, Title = title, Category = category, FirstSeen = seen });
            return idx;
        }

        /// <summary>Adds a report already in memory (e.g. built by <see cref="DeviceReport.FromJson"/>).</summary>
        public void Add(DeviceReport report, string source)
        {
            _seq = NextSeq++;
            var r = new ReportScanner.Result { Device = report.Device, Profile = report.Profile, GeneratedAt = report.GeneratedAt };
            foreach (var i in report.Items)
                r.Items.Add((ControlIndex(i.ControlId, i.Target, i.Title, i.Category, _seq), (byte)Array.IndexOf(s_statuses, i.Status)));
            Add(r, source);
        }

        // ------------------------------------------------------------ the per-device records

        private static int GetStatus(byte[] packed, int index) => (index >> 1) < packed.Length ? (packed[index >> 1] >> ((index & 1) << 2)) & 0xF : 0;

        private static void SetStatus(byte[] packed, int index, int status)
        {
            var shift = (index & 1) << 2;
            packed[index >> 1] = (byte)((packed[index >> 1] & ~(0xF << shift)) | (status << shift));
        }

        /// <summary>A status array for control indexes below <paramref name="controls"/>: the old one cleared when it fits exactly.</summary>
        private static byte[] StatusArray(byte[]? old, int controls)
        {
            var length = (Math.Max(controls, 1) + 1) / 2;
            if (old == null || old.Length != length) return new byte[length];
            Array.Clear(old, 0, old.Length);
            return old;
        }

        /// <summary>Where a path's folder ends (after its last separator; 0 when it has none).</summary>
        private static int FolderLength(string path) => Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\')) + 1;

        private string PathOf(in DeviceRecord d) => _folders[d.Folder] + d.FileName;

        /// <summary>The index of a new record for <paramref name="name"/>.</summary>
        private int NewDevice(string name)
        {
            if (_deviceCount == _devices.Length) Array.Resize(ref _devices, _devices.Length * 2);
            _deviceIndex[name] = _deviceCount;
            _devices[_deviceCount].Folder = _devices[_deviceCount].Profile = -1;
            return _deviceCount++;
        }

        /// <summary>Points the record at its new report's name spelling, file, profile and date (interned where shared).</summary>
        private void SetHeader(ref DeviceRecord d, string name, string folder, string fileName, string profile, long utcTicks)
        {
            if (!string.Equals(d.Name, name, StringComparison.Ordinal)) d.Name = name;
            if (d.Folder < 0 || !string.Equals(_folders[d.Folder], folder, StringComparison.Ordinal))
            {
                var f = _folders.Acquire(folder);
                if (d.Folder >= 0) _folders.Release(d.Folder);
                d.Folder = f;
            }
            if (!string.Equals(d.FileName, fileName, StringComparison.Ordinal)) d.FileName = fileName;
            if (d.Profile < 0 || !string.Equals(_profiles[d.Profile], profile, StringComparison.Ordinal))
            {
                var p = _profiles.Acquire(profile);
                if (d.Profile >= 0) _profiles.Release(d.Profile);
                d.Profile = p;
            }
            d.UtcTicks = utcTicks;
        }

        private void Add(ReportScanner.Result r, string source)
        {
            _read++;
            var day = r.GeneratedAt.UtcDateTime.Date;
            if (!_days.TryGetValue(day, out var d)) d = (0, new StatusCounts());
            foreach (var (_, status) in r.Items) d.Counts.Add(s_statuses[status]);
            _days[day] = (d.Reports + 1, d.Counts);

            var ticks = r.GeneratedAt.UtcTicks;
            if (_deviceIndex.TryGetValue(r.Device, out var id))
            {
                ref var e = ref _devices[id];
                // The latest report wins; of two from the same moment, the ordinally first path (whatever order they came in).
                if (ticks < e.UtcTicks || (ticks == e.UtcTicks && string.CompareOrdinal(source, PathOf(e)) >= 0)) return;
            }
            else id = NewDevice(r.Device);
            ref var rec = ref _devices[id];
            var max = -1;
            foreach (var (index, _) in r.Items) if (index > max) max = index;
            rec.Statuses = StatusArray(rec.Statuses, max + 1);
            foreach (var (index, status) in r.Items) SetStatus(rec.Statuses, index, status);
            var cut = FolderLength(source);
            var fileName = rec.FileName != null && rec.FileName.Length == source.Length - cut && string.CompareOrdinal(source, cut, rec.FileName, 0, rec.FileName.Length) == 0
                ? rec.FileName : source.Substring(cut);
            SetHeader(ref rec, r.Device, FolderOf(source, cut), fileName, r.Profile, ticks);
        }

        private string _lastFolder = "";

        /// <summary>The folder part of <paramref name="source"/>, without a new string when it is the last one seen.</summary>
        private string FolderOf(string source, int cut)
        {
            if (cut == _lastFolder.Length && string.CompareOrdinal(source, 0, _lastFolder, 0, cut) == 0) return _lastFolder;
            return _lastFolder = source.Substring(0, cut);
        }

        /// <summary>Folds another merger (a worker's) into this one.</summary>
        internal void Merge(FleetMerger other)
        {
            _read += other._read;
            _skippedCount += other._skippedCount;
            _skipped.AddRange(other._skipped);
            _skipped.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            if (_skipped.Count > MaxSkippedKept) _skipped.RemoveRange(MaxSkippedKept, _skipped.Count - MaxSkippedKept);
            foreach (var kv in other._days)
            {
                if (!_days.TryGetValue(kv.Key, out var d)) d = (0, new StatusCounts());
                d.Counts.Compliant += kv.Value.Counts.Compliant; d.Counts.NonCompliant += kv.Value.Counts.NonCompliant; d.Counts.Error += kv.Value.Counts.Error;
                d.Counts.NotApplicable += kv.Value.Counts.NotApplicable; d.Counts.Advisory += kv.Value.Counts.Advisory;
                _days[kv.Key] = (d.Reports + kv.Value.Reports, d.Counts);
            }
            var map = other._controls.Select(c => ControlIndex(c.ControlId, c.Target, c.Title, c.Category, c.FirstSeen)).ToArray();
            for (var j = 0; j < other._deviceCount; j++)
            {
                ref var o = ref other._devices[j];
                if (_deviceIndex.TryGetValue(o.Name, out var id))
                {
                    ref var e = ref _devices[id];
                    if (o.UtcTicks < e.UtcTicks || (o.UtcTicks == e.UtcTicks && string.CompareOrdinal(other.PathOf(o), PathOf(e)) >= 0)) continue;
                }
                else id = NewDevice(o.Name);
                ref var rec = ref _devices[id];
                var max = -1;
                for (var i = 0; i < map.Length; i++) if (GetStatus(o.Statuses, i) != 0 && map[i] > max) max = map[i];
                var statuses = StatusArray(rec.Statuses, max + 1);
                for (var i = 0; i < map.Length; i++)
                {
                    var s = GetStatus(o.Statuses, i);
                    if (s != 0) SetStatus(statuses, map[i], s);
                }
                rec.Statuses = statuses;
                SetHeader(ref rec, o.Name, other._folders[o.Folder], o.FileName, other._profiles[o.Profile], o.UtcTicks);
            }
            NextSeq = Math.Max(NextSeq, other.NextSeq);
        }

        /// <summary>The number of distinct devices merged so far.</summary>
        public int DeviceCount => _deviceCount;

        public FleetSummary Summary(int worst = 10)
        {
            foreach (var c in _controls) { c.Counts.Compliant = c.Counts.NonCompliant = c.Counts.Error = c.Counts.NotApplicable = c.Counts.Advisory = 0; }
            var total = new StatusCounts();
            var devices = new List<FleetDevice>(_deviceCount);
            for (var n = 0; n < _deviceCount; n++)
            {
                ref var dev = ref _devices[n];
                var counts = new StatusCounts();
                for (var i = 0; i < _controls.Count && (i >> 1) < dev.Statuses.Length; i++)
                {
                    var st = GetStatus(dev.Statuses, i);
                    if (st == 0) continue;
                    _controls[i].Counts.Add(s_statuses[st]);
                    total.Add(s_statuses[st]);
                    counts.Add(s_statuses[st]);
                }
                devices.Add(new FleetDevice(dev.Name, new DateTimeOffset(dev.UtcTicks, TimeSpan.Zero), _profiles[dev.Profile], _folders[dev.Folder], dev.FileName, counts));
            }
            var s = new FleetSummary
            {
                ReportsRead = _read,
                Skipped = _skippedCount,
                SkippedFiles = _skipped.ToList(),
                Controls = _controls.OrderBy(c => c.ControlId, StringComparer.Ordinal).ThenBy(c => c.Target, StringComparer.Ordinal).ToList(),
                DeviceList = devices.OrderBy(d => d.Device, StringComparer.OrdinalIgnoreCase).ToList(),
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
            s.WorstOffenders = devices.Where(d => d.Counts.NonCompliant + d.Counts.Error > 0)
                .OrderByDescending(d => d.Counts.NonCompliant + d.Counts.Error).ThenBy(d => d.Score).ThenBy(d => d.Device, StringComparer.OrdinalIgnoreCase)
                .Take(worst).ToList();
            return s;
        }

        /// <summary>Strings many records share (folders, profiles), counted so one no longer used is dropped.</summary>
        private sealed class Interner
        {
            private readonly Dictionary<string, int> _ids = new Dictionary<string, int>(StringComparer.Ordinal);
            private readonly List<string?> _values = new List<string?>();
            private readonly List<int> _refs = new List<int>();
            private readonly Stack<int> _free = new Stack<int>();

            public string this[int id] => _values[id]!;

            public int Acquire(string s)
            {
                if (_ids.TryGetValue(s, out var id)) { _refs[id]++; return id; }
                if (_free.Count > 0) { id = _free.Pop(); _values[id] = s; _refs[id] = 1; }
                else { id = _values.Count; _values.Add(s); _refs.Add(1); }
                _ids[s] = id;
                return id;
            }

            public void Release(int id)
            {
                if (--_refs[id] > 0) return;
                _ids.Remove(_values[id]!);
                _values[id] = null;
                _free.Push(id);
            }
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
            foreach (var k in s.SkippedFiles) skipped.Add(new JsonObject().Set("file", k.File).Set("code", k.Code.ToString()).Set("reason", k.Reason));
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
            string N(long n, string one, string many) => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);
            sb.Append("<p class=\"meta\">").Append(N(s.Devices, "device", "devices")).Append(" from ").Append(N(s.ReportsRead, "report", "reports"));
            if (s.Skipped > 0) sb.Append(", ").Append(N(s.Skipped, "file", "files")).Append(" skipped");
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
                  .Append("</td><td>").Append(c.Counts.NotApplicable).Append("</td><td>")
                  // Nothing to score (not applicable on every device): no percentage, rather than a misleading 100 %.
                  .Append(c.Counts.Scored > 0 ? ReportWriters.Invariant(c.Score) + "%" : "n/a").Append("</td></tr>\n");
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
