using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WaHardening.Core.Json;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// A loopback stand-in for the parts of Microsoft Graph that publishing uses (Graph itself is never reachable from
    /// these machines): deviceManagement collections in memory, GET with $select and paging over @odata.nextLink,
    /// GET one object (?$expand=settings), POST/PUT/PATCH, /assign and /assignments, groups by display name (the
    /// $filter parsed from the URL-encoded query the way a server does: a name that is not encoded, or not a valid OData
    /// string literal, is a 400), and $batch. Faults can be injected: 429 with Retry-After or 5xx for requests that match, inside a batch or not.
    /// Every request is recorded (method, path and query, in a batch or not, Authorization seen). Also used by the
    /// Pester tests and the publish benchmark (they load this test assembly).
    /// </summary>
    public sealed class FakeGraph : IDisposable
    {
        public sealed class Request
        {
            /// <summary>Query is unescaped (for reading); RawQuery as sent, still URL-encoded.</summary>
            public string Method = "", Path = "", Query = "", RawQuery = "";
            public bool InBatch;
            public string? Authorization;
            public JsonValue? Body;
            public override string ToString() => $"{(InBatch ? "[batch] " : "")}{Method} {Path}{Query}";
        }

        public sealed class Fault
        {
            public Func<Request, bool> When = _ => false;
            public int Status = 429;
            public int RetryAfter = 0;
            public int Times = 1;
            public string Code = "TooManyRequests";
            /// <summary>Drop the connection instead of answering (a network error; outside a batch only).</summary>
            public bool Abort;
            /// <summary>How many requests this fault answered.</summary>
            public int Hits;

            /// <summary>A fault for requests with this method and exact path (e.g. "/beta/$batch"), in a batch or not; for
            /// callers that cannot pass a delegate the server's threads may run (Pester).</summary>
            public static Fault On(string method, string path, bool inBatch, int status, string code, int times) => new Fault
            {
                When = r => r.Method == method && r.Path == path && r.InBatch == inBatch, Status = status, Code = code, Times = times,
            };
        }

        private readonly HttpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _loop;
        private readonly object _lock = new object();
        private int _nextId = 1;

        /// <summary>collection path (e.g. "deviceManagement/configurationPolicies") → objects by id.</summary>
        public readonly Dictionary<string, Dictionary<string, JsonObject>> Collections = new Dictionary<string, Dictionary<string, JsonObject>>(StringComparer.OrdinalIgnoreCase);
        public readonly Dictionary<string, JsonArray> Assignments = new Dictionary<string, JsonArray>();
        public readonly Dictionary<string, string> Groups = new Dictionary<string, string>(StringComparer.Ordinal);
        public readonly ConcurrentQueue<Request> Log = new ConcurrentQueue<Request>();
        public readonly List<Fault> Faults = new List<Fault>();
        public int PageSize { get; set; } = 100;

        // ------------------------------------------------------------ per-device results (Get-WaIntuneCompliance)

        /// <summary>A per-device collection served in pages: its size and how to make item k (made when asked for, so a
        /// 100,000-device collection costs no memory here).</summary>
        public sealed class PagedSource
        {
            public int Count;
            public Func<int, JsonObject> Item = _ => new JsonObject();
            public static PagedSource Of(IReadOnlyList<JsonObject> items) => new PagedSource { Count = items.Count, Item = k => items[k] };
        }

        /// <summary>"deviceCompliancePolicies/{id}/deviceStatuses", "deviceHealthScripts/{id}/deviceRunStates" → its items.</summary>
        public readonly Dictionary<string, PagedSource> Paged = new Dictionary<string, PagedSource>(StringComparer.OrdinalIgnoreCase);

        public void SetPaged(string path, JsonObject[] items) { lock (_lock) Paged[path] = PagedSource.Of(items); }

        /// <summary>A report's rows: the header (column names) and the rows; rows made when the job runs.</summary>
        public sealed class ReportData
        {
            public string[] Header = new string[0];
            public Func<IEnumerable<string[]>> Rows = () => Enumerable.Empty<string[]>();
        }

        /// <summary>Report name → its data (every column the report has; the job keeps the selected ones).</summary>
        public readonly Dictionary<string, ReportData> Reports = new Dictionary<string, ReportData>(StringComparer.Ordinal);

        public void SetReport(string reportName, string[] header, string[][] rows) { lock (_lock) Reports[reportName] = new ReportData { Header = header, Rows = () => rows }; }

        /// <summary>The url completed jobs give (null: this server's /exportdownload/{id}).</summary>
        public string? DownloadUrl { get; set; }

        /// <summary>Polls a job answers with inProgress before it is completed.</summary>
        public int PollsToComplete { get; set; } = 2;
        /// <summary>Report names whose jobs end failed; report names whose jobs never complete.</summary>
        public readonly HashSet<string> FailingReports = new HashSet<string>(StringComparer.Ordinal), StuckReports = new HashSet<string>(StringComparer.Ordinal);
        /// <summary>Jobs created (their request bodies).</summary>
        public readonly List<JsonObject> Jobs = new List<JsonObject>();
        private readonly Dictionary<string, (JsonObject Job, int Polls)> _jobs = new Dictionary<string, (JsonObject, int)>(StringComparer.Ordinal);
        private readonly Dictionary<string, byte[]> _downloads = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        /// <summary>
        /// The reports API export job life cycle, as documented on Microsoft Learn
        /// (learn.microsoft.com/intune/device-management/reports/export-graph-apis): POST deviceManagement/reports/exportJobs
        /// with reportName (required), filter, select, format, localizationType answers 201 with the job ("status":
        /// "notStarted", "url": null); GET exportJobs('{id}') until "status": "completed" (statuses unknown, notStarted,
        /// inProgress, completed, failed: deviceManagementReportStatus), then "url" is where the zip with the CSV file is
        /// downloaded (no token). The CSV holds the selected columns, in the order selected; a filter "(PolicyId eq 'x')"
        /// keeps the rows of that PolicyId (the documented filter of DeviceRunStatesByProactiveRemediation and
        /// DeviceStatusesByConfigurationProfile).
        /// </summary>
        private (int, JsonValue?, Dictionary<string, string>) ExportJob(string method, string rest, JsonObject? body)
        {
            var none = new Dictionary<string, string>();
            if (method == "POST" && rest == "deviceManagement/reports/exportJobs")
            {
                var name = (body?["reportName"] as JsonString)?.Value;
                if (name == null || !Reports.ContainsKey(name)) return (400, Error("BadRequest", "Unknown reportName " + name), none);
                Jobs.Add(body!.DeepClone());
                var id = name + "_" + Guid.NewGuid().ToString("D");
                var job = new JsonObject().Set("id", id).Set("reportName", name).Set("filter", body["filter"] is JsonString f ? (JsonValue)f : JsonNull.Instance)
                    .Set("select", body["select"] ?? new JsonArray()).Set("format", "csv").Set("snapshotId", JsonNull.Instance)
                    .Set("status", "notStarted").Set("url", JsonNull.Instance).Set("requestDateTime", "2026-12-05T00:00:00Z").Set("expirationDateTime", "0001-01-01T00:00:00Z");
                _jobs[id] = (job, 0);
                return (201, job.DeepClone(), none);
            }
            var m = System.Text.RegularExpressions.Regex.Match(rest, @"^deviceManagement/reports/exportJobs(?:\('([^']+)'\)|/([^/]+))$");
            if (method == "GET" && m.Success)
            {
                var id = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                if (!_jobs.TryGetValue(id, out var j)) return (404, Error("ResourceNotFound", "No job " + id), none);
                var name = ((JsonString)j.Job["reportName"]!).Value;
                j.Polls++;
                _jobs[id] = j;
                if (FailingReports.Contains(name)) j.Job.Set("status", "failed");
                else if (StuckReports.Contains(name) || j.Polls < PollsToComplete) j.Job.Set("status", "inProgress");
                else if (((JsonString)j.Job["status"]!).Value != "completed")
                {
                    _downloads[id] = Zip(name, j.Job);
                    j.Job.Set("status", "completed").Set("url", DownloadUrl ?? $"{Root}/exportdownload/{id}").Set("expirationDateTime", "2026-12-05T06:00:00Z");
                }
                return (200, j.Job.DeepClone(), none);
            }
            return (404, Error("ResourceNotFound", "exportJobs " + rest), none);
        }

        /// <summary>The zip of the job's CSV: the selected columns, RFC 4180 quoting, CRLF lines.</summary>
        private byte[] Zip(string name, JsonObject job)
        {
            var data = Reports[name];
            var select = ((job["select"] as JsonArray)?.Items.OfType<JsonString>().Select(x => x.Value).ToArray()) ?? new string[0];
            if (select.Length == 0) select = data.Header;
            var idx = select.Select(c => Array.FindIndex(data.Header, h => string.Equals(h, c, StringComparison.OrdinalIgnoreCase))).ToArray();
            var filter = (job["filter"] as JsonString)?.Value;
            var fm = filter == null ? null : System.Text.RegularExpressions.Regex.Match(filter, @"^\(PolicyId eq '([^']*)'\)$");
            var policyCol = Array.FindIndex(data.Header, h => h == "PolicyId");
            using (var ms = new MemoryStream())
            {
                using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, true))
                using (var w = new StreamWriter(zip.CreateEntry(name + ".csv").Open(), new UTF8Encoding(false)))
                {
                    w.Write(string.Join(",", select.Select(Csv)) + "\r\n");
                    foreach (var row in data.Rows())
                    {
                        if (fm != null && fm.Success && policyCol >= 0 && !string.Equals(row[policyCol], fm.Groups[1].Value, StringComparison.OrdinalIgnoreCase)) continue;
                        w.Write(string.Join(",", idx.Select(i => Csv(i < 0 ? "" : row[i]))) + "\r\n");
                    }
                }
                return ms.ToArray();
            }
        }

        private static string Csv(string v) => v.IndexOfAny(new[] { ',', '"', '\r', '\n' }) < 0 ? v : "\"" + v.Replace("\"", "\"\"") + "\"";
        public string? ExpectedToken { get; set; }

        public FakeGraph()
        {
            // A free port can be taken by another process between the probe and the bind (tests of other suites run in
            // parallel on the same machine): probe again then.
            for (var attempt = 1; ; attempt++)
            {
                var root = $"http://127.0.0.1:{FreePort()}";
                var listener = new HttpListener();
                listener.Prefixes.Add(root + "/");
                try { listener.Start(); }
                catch (HttpListenerException) when (attempt < 20) { listener.Close(); continue; }
                _listener = listener;
                Root = root;
                break;
            }
            _loop = Task.Run(Loop);
        }

        public string Root { get; }

        public IReadOnlyList<Request> Requests => Log.ToArray();
        public int Writes => Log.Count(r => r.Method != "GET" && !(r.Method == "POST" && r.Path.EndsWith("/$batch", StringComparison.Ordinal)));
        public int HttpRequests => Log.Count(r => !r.InBatch);

        public void ClearLog() { while (Log.TryDequeue(out _)) { } }

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            var port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        private async Task Loop()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync().ConfigureAwait(false); }
                catch (Exception) when (_stop.IsCancellationRequested) { return; }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
                _ = Task.Run(() => Serve(ctx));
            }
        }

        private void Serve(HttpListenerContext ctx)
        {
            try
            {
                string text;
                using (var r = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) text = r.ReadToEnd();
                var raw = ctx.Request.RawUrl ?? "";
                var rq = raw.IndexOf('?') < 0 ? "" : raw.Substring(raw.IndexOf('?'));
                var req = new Request
                {
                    Method = ctx.Request.HttpMethod, Path = ctx.Request.Url!.AbsolutePath, Query = Uri.UnescapeDataString(rq), RawQuery = rq,
                    Authorization = ctx.Request.Headers["Authorization"], Body = text.Length > 0 ? JsonParser.Parse(text) : null,
                };
                Log.Enqueue(req);
                if (req.Method == "GET" && req.Path.StartsWith("/exportdownload/", StringComparison.Ordinal))
                {
                    // The export job's url: a pre-signed storage address in the service (no token); here the zip built for the job.
                    byte[]? zip;
                    lock (_lock) _downloads.TryGetValue(req.Path.Substring("/exportdownload/".Length), out zip);
                    if (zip == null) { ctx.Response.StatusCode = 404; ctx.Response.Close(); return; }
                    ctx.Response.StatusCode = 200;
                    ctx.Response.ContentType = "application/zip";
                    ctx.Response.ContentLength64 = zip.Length;
                    ctx.Response.OutputStream.Write(zip, 0, zip.Length);
                    ctx.Response.Close();
                    return;
                }
                var (status, body, headers) = Handle(req);
                if (status < 0)
                {
                    // The connection drops in the middle of the answer: promised 1000 bytes, sent one.
                    ctx.Response.StatusCode = 200;
                    ctx.Response.ContentLength64 = 1000;
                    ctx.Response.OutputStream.Write(new[] { (byte)'{' }, 0, 1);
                    ctx.Response.OutputStream.Flush();
                    ctx.Response.Abort();
                    return;
                }
                ctx.Response.StatusCode = status;
                foreach (var h in headers) ctx.Response.Headers[h.Key] = h.Value;
                if (body != null)
                {
                    var bytes = Encoding.UTF8.GetBytes(body.ToString());
                    ctx.Response.ContentType = "application/json";
                    ctx.Response.ContentLength64 = bytes.Length;
                    ctx.Response.OutputStream.Write(bytes, 0, bytes.Length);
                }
                ctx.Response.Close();
            }
            catch (Exception e)
            {
                try { ctx.Response.StatusCode = 500; var b = Encoding.UTF8.GetBytes("{\"error\":{\"code\":\"FakeGraphBug\",\"message\":\"" + e.Message.Replace("\"", "'") + "\"}}"); ctx.Response.OutputStream.Write(b, 0, b.Length); ctx.Response.Close(); }
                catch (Exception) { }
            }
        }

        private (int, JsonValue?, Dictionary<string, string>) Handle(Request req)
        {
            var none = new Dictionary<string, string>();
            if (ExpectedToken != null && req.Authorization != "Bearer " + ExpectedToken)
                return (401, Error("InvalidAuthenticationToken", "Access token is missing or invalid."), none);
            var fault = TakeFault(req);
            if (fault != null && fault.Abort) return (-1, null, none);
            if (fault != null) return (fault.Status, Error(fault.Code, "Injected fault."), new Dictionary<string, string> { ["Retry-After"] = fault.RetryAfter.ToString() });
            var parts = req.Path.Trim('/').Split('/');
            var version = parts[0];
            var rest = string.Join("/", parts.Skip(1));
            if (req.Method == "POST" && rest == "$batch") return (200, Batch(version, (JsonObject)req.Body!), none);
            return Dispatch(version, req.Method, rest, req.RawQuery, req.Body as JsonObject);
        }

        private Fault? TakeFault(Request req)
        {
            lock (_lock)
            {
                var f = Faults.FirstOrDefault(x => x.Times > 0 && x.When(req));
                if (f != null) { f.Times--; f.Hits++; }
                return f;
            }
        }

        private JsonObject Batch(string version, JsonObject body)
        {
            var responses = new JsonArray();
            foreach (var item in ((JsonArray)body["requests"]!).Items.Cast<JsonObject>())
            {
                var url = ((JsonString)item["url"]!).Value;
                if (url.IndexOf('#') >= 0) url = url.Substring(0, url.IndexOf('#')); // a fragment, as in any URL: never seen by the service
                var q = url.IndexOf('?');
                var inner = new Request
                {
                    Method = ((JsonString)item["method"]!).Value, Path = "/" + version + (q < 0 ? url : url.Substring(0, q)), Query = q < 0 ? "" : Uri.UnescapeDataString(url.Substring(q)),
                    RawQuery = q < 0 ? "" : url.Substring(q),
                    InBatch = true, Body = item["body"],
                };
                Log.Enqueue(inner);
                var id = ((JsonString)item["id"]!).Value;
                var fault = TakeFault(inner);
                var res = new JsonObject().Set("id", id);
                if (fault != null)
                {
                    res.Set("status", fault.Status).Set("headers", new JsonObject().Set("Retry-After", fault.RetryAfter.ToString())).Set("body", Error(fault.Code, "Injected fault."));
                }
                else
                {
                    var (status, rb, _) = Dispatch(version, inner.Method, (q < 0 ? url : url.Substring(0, q)).TrimStart('/'), inner.RawQuery, inner.Body as JsonObject);
                    res.Set("status", status);
                    if (rb != null) res.Set("body", rb);
                }
                responses.Add(res);
            }
            return new JsonObject().Set("responses", responses);
        }

        /// <summary>The parameters of a raw (URL-encoded) query string: split on '&amp;' first, then unescaped, as a server does.</summary>
        public static Dictionary<string, string> Parameters(string rawQuery)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in rawQuery.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                result[Uri.UnescapeDataString(eq < 0 ? pair : pair.Substring(0, eq))] = eq < 0 ? "" : Uri.UnescapeDataString(pair.Substring(eq + 1));
            }
            return result;
        }

        /// <summary>The name in "displayName eq '…'" (an OData string literal: '' is one quote), or null when the filter is not that.</summary>
        private static string? DisplayNameFilter(string filter)
        {
            const string head = "displayName eq '";
            if (!filter.StartsWith(head, StringComparison.Ordinal) || !filter.EndsWith("'", StringComparison.Ordinal) || filter.Length < head.Length + 1) return null;
            var literal = filter.Substring(head.Length, filter.Length - head.Length - 1);
            for (var i = 0; i < literal.Length; i++)
                if (literal[i] == '\'' && (i + 1 >= literal.Length || literal[++i] != '\'')) return null; // a lone quote ends the literal early
            return literal.Replace("''", "'");
        }

        private (int, JsonValue?, Dictionary<string, string>) Dispatch(string version, string method, string rest, string rawQuery, JsonObject? body)
        {
            var none = new Dictionary<string, string>();
            var query = Uri.UnescapeDataString(rawQuery);
            lock (_lock)
            {
                if (rest == "groups" && method == "GET")
                {
                    var name = Parameters(rawQuery).TryGetValue("$filter", out var filter) ? DisplayNameFilter(filter) : null;
                    if (name == null) return (400, Error("BadRequest", "Invalid filter clause"), none);
                    var found = new JsonArray(Groups.Where(g => g.Value == name).Select(g => (JsonValue)new JsonObject().Set("id", g.Key).Set("displayName", g.Value)));
                    return (200, new JsonObject().Set("value", found), none);
                }
                if (rest.StartsWith("deviceManagement/reports/exportJobs", StringComparison.Ordinal)) return ExportJob(method, rest, body);
                var segs = rest.Split('/');
                if (segs.Length < 2 || segs[0] != "deviceManagement") return (404, Error("ResourceNotFound", "Unknown path " + rest), none);
                if (segs.Length == 4 && method == "GET" && Paged.TryGetValue(string.Join("/", segs.Skip(1)), out var paged))
                {
                    // A per-device collection (deviceStatuses, deviceRunStates): pages of PageSize with @odata.nextLink ($skiptoken).
                    var skip = 0;
                    var st = query.IndexOf("$skiptoken=", StringComparison.Ordinal);
                    if (st >= 0) skip = int.Parse(query.Substring(st + 11).Split('&')[0]);
                    var items = new JsonArray();
                    for (var k = skip; k < Math.Min(paged.Count, skip + PageSize); k++) items.Add(paged.Item(k));
                    var res = new JsonObject().Set("value", items);
                    if (skip + PageSize < paged.Count)
                    {
                        var keep = rawQuery.Length == 0 ? "?" : (System.Text.RegularExpressions.Regex.Replace(rawQuery, "&?%24skiptoken=[0-9]+|&?\\$skiptoken=[0-9]+", "") + "&");
                        res.Set("@odata.nextLink", $"{Root}/{version}/{rest}{keep}$skiptoken={skip + PageSize}");
                    }
                    return (200, res, none);
                }
                var collection = segs[0] + "/" + segs[1];
                if (!Collections.TryGetValue(collection, out var objects)) Collections[collection] = objects = new Dictionary<string, JsonObject>();
                if (segs.Length == 2)
                {
                    if (method == "GET")
                    {
                        var skip = 0;
                        var st = query.IndexOf("$skiptoken=", StringComparison.Ordinal);
                        if (st >= 0) skip = int.Parse(query.Substring(st + 11).Split('&')[0]);
                        var page = objects.Values.Skip(skip).Take(PageSize).Select(o => (JsonValue)Select(o, query)).ToList();
                        var res = new JsonObject().Set("value", new JsonArray(page));
                        if (skip + PageSize < objects.Count)
                            res.Set("@odata.nextLink", $"{Root}/{version}/{collection}?$skiptoken={skip + PageSize}");
                        return (200, res, none);
                    }
                    if (method == "POST")
                    {
                        var id = $"00000000-0000-0000-0000-{_nextId++:000000000000}";
                        var created = body!.DeepClone();
                        created.Set("id", id);
                        created.Set("lastModifiedDateTime", "2026-11-25T00:00:00Z");
                        if (collection.EndsWith("configurationPolicies", StringComparison.Ordinal))
                        {
                            // The service keeps settings as a relationship: returned with $expand=settings, with ids.
                            var n = 0;
                            foreach (var s in ((JsonArray)created["settings"]!).Items.Cast<JsonObject>()) s.Set("id", (n++).ToString());
                        }
                        created.Remove("scheduledActionsForRule");
                        objects[id] = created;
                        return (201, created, none);
                    }
                }
                if (segs.Length >= 3 && objects.TryGetValue(segs[2], out var obj))
                {
                    if (segs.Length == 4 && method == "GET" && (segs[3] == "deviceStatuses" || segs[3] == "deviceRunStates"))
                        return (200, new JsonObject().Set("value", new JsonArray()), none); // no device has reported
                    if (segs.Length == 4 && segs[3] == "assignments" && method == "GET")
                        return (200, new JsonObject().Set("value", Assignments.TryGetValue(segs[2], out var a) ? a : new JsonArray()), none);
                    if (segs.Length == 4 && segs[3] == "assign" && method == "POST")
                    {
                        var list = (JsonArray)(body!["assignments"] ?? body["deviceHealthScriptAssignments"])!;
                        Assignments[segs[2]] = list;
                        return (collection.EndsWith("deviceHealthScripts", StringComparison.Ordinal) ? 204 : 200, collection.EndsWith("deviceHealthScripts", StringComparison.Ordinal) ? null : new JsonObject().Set("value", list), none);
                    }
                    if (segs.Length == 3 && method == "GET")
                    {
                        var copy = obj.DeepClone();
                        if (collection.EndsWith("configurationPolicies", StringComparison.Ordinal) && !query.Contains("$expand=settings")) copy.Remove("settings");
                        return (200, copy, none);
                    }
                    if (segs.Length == 3 && method == "PUT")
                    {
                        var replaced = body!.DeepClone();
                        replaced.Set("id", segs[2]);
                        objects[segs[2]] = replaced;
                        return (204, null, none);
                    }
                    if (segs.Length == 3 && method == "PATCH")
                    {
                        foreach (var p in body!.Properties) obj.Set(p.Key, JsonObject.Clone(p.Value));
                        return (204, null, none);
                    }
                }
                return (404, Error("ResourceNotFound", $"{method} {rest}"), none);
            }
        }

        private static JsonObject Select(JsonObject o, string query)
        {
            var i = query.IndexOf("$select=", StringComparison.Ordinal);
            if (i < 0) return o.DeepClone();
            var fields = query.Substring(i + 8).Split('&')[0].Split(',');
            var r = new JsonObject();
            foreach (var f in fields) if (o[f] is JsonValue v) r.Set(f, JsonObject.Clone(v));
            return r;
        }

        private static JsonObject Error(string code, string message) =>
            new JsonObject().Set("error", new JsonObject().Set("code", code).Set("message", message));

        /// <summary>Adds an object as if someone had created it in the tenant.</summary>
        public string Seed(string collection, JsonObject body)
        {
            lock (_lock)
            {
                if (!Collections.TryGetValue(collection, out var objects)) Collections[collection] = objects = new Dictionary<string, JsonObject>();
                var id = $"00000000-0000-0000-0000-{_nextId++:000000000000}";
                var o = body.DeepClone();
                o.Set("id", id);
                objects[id] = o;
                return id;
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        }
    }
}
