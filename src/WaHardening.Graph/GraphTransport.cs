using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using WaHardening.Core;
using WaHardening.Core.Json;

namespace WaHardening.Graph
{
    /// <summary>A request in a JSON batch, and what came back for it.</summary>
    internal sealed class BatchItem
    {
        public BatchItem(string method, string relativeUrl, JsonValue? body, object? tag = null) { Method = method; Url = relativeUrl; Body = body; Tag = tag; }
        public string Method { get; }
        /// <summary>Relative to the version root, starting with '/'.</summary>
        public string Url { get; }
        public JsonValue? Body { get; }
        public object? Tag { get; }
        public int Status { get; internal set; }
        public JsonValue? Response { get; internal set; }
        public string? Error { get; internal set; }
        public bool Ok => Status >= 200 && Status < 300;
    }

    /// <summary>A Graph request that failed (Graph's status, code and message; never a header or token).</summary>
    internal sealed class GraphRequestException : WaHardeningException
    {
        public GraphRequestException(string errorId, string message, int status, string reason, object? target, Exception? inner)
            : base(errorId, WaErrorCategory.ConnectionError, message, target, inner) { Status = status; Reason = reason; }
        /// <summary>The HTTP status (0 when Graph was not reached).</summary>
        public int Status { get; }
        /// <summary>"status code: message", the way results show it.</summary>
        public string Reason { get; }
    }

    /// <summary>
    /// Raw Graph requests through the SDK's request adapter (RequestInformation with absolute URLs, so beta endpoints
    /// work with the v1.0 SDK), JSON batching ($batch, 20 a request; a lone request goes on its own) with bounded
    /// retries of the requests inside a batch that came back 429/503/504 (after their Retry-After), and paging over
    /// @odata.nextLink. Whole requests are retried on 429/503/504 by the SDK's retry handler, bounded by the same
    /// number (its RetryHandlerOption is set on every request). Bodies are the module's JSON DOM.
    /// </summary>
    internal sealed class GraphTransport
    {
        public const int MaxBatch = 20;
        private readonly GraphServiceClient _client;
        private readonly Uri _root;
        private readonly int _maxRetries;
        private readonly Func<TimeSpan, CancellationToken, Task> _delay;
        private readonly Action<string> _verbose;

        /// <summary>delay: how to wait before retrying requests inside a batch (tests record the waits instead).</summary>
        public GraphTransport(GraphServiceClient client, Uri root, Action<string> verbose, int maxRetries = 3, Func<TimeSpan, CancellationToken, Task>? delay = null)
        {
            _client = client; _root = root; _verbose = verbose; _maxRetries = Math.Max(0, Math.Min(maxRetries, 10)); // the SDK's retry handler allows 10 at most
            _delay = delay ?? ((t, ct) => Task.Delay(t, ct));
        }

        public string Url(string apiVersion, string relative) => _root.ToString().TrimEnd('/') + "/" + apiVersion + relative;

        /// <summary>One request; a Graph error (also after the retries ran out) or an unreachable Graph becomes a
        /// <see cref="GraphRequestException"/> with Graph's status, code and message.</summary>
        public async Task<JsonValue?> SendAsync(string method, string absoluteUrl, JsonValue? body, CancellationToken ct)
        {
            var ri = new RequestInformation { HttpMethod = (Method)Enum.Parse(typeof(Method), method), URI = new Uri(absoluteUrl) };
            ri.Headers.Add("Accept", "application/json");
            ri.AddRequestOptions(new IRequestOption[] { new RetryHandlerOption { MaxRetry = _maxRetries } });
            if (body != null) ri.SetStreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.ToString())), "application/json");
            _verbose($"Graph {method} {absoluteUrl}");
            var errors = new Dictionary<string, ParsableFactory<IParsable>> { ["XXX"] = ODataError.CreateFromDiscriminatorValue };
            try
            {
                using (var stream = await _client.RequestAdapter.SendPrimitiveAsync<Stream>(ri, errors, ct).ConfigureAwait(false))
                {
                    if (stream == null) return null;
                    using (var reader = new StreamReader(stream, Encoding.UTF8))
                    {
                        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
                        return text.Trim().Length == 0 ? null : JsonParser.Parse(text, absoluteUrl);
                    }
                }
            }
            catch (ODataError e)
            {
                throw Failed(method, absoluteUrl, e.ResponseStatusCode, $"{e.Error?.Code}: {e.Error?.Message}", "", e);
            }
            catch (ApiException e)
            {
                throw Failed(method, absoluteUrl, e.ResponseStatusCode, e.Message, "", e);
            }
            catch (AggregateException e) when (e.InnerExceptions.LastOrDefault() is ApiException last)
            {
                // The SDK's retry handler gave up: its inner exceptions are the responses it got, the last one last.
                throw Failed(method, absoluteUrl, last.ResponseStatusCode, GraphReason(last.Message), $" after {e.InnerExceptions.Count - 1} retries", e);
            }
            catch (Exception e) when (e is HttpRequestException || e is IOException)
            {
                throw new GraphRequestException(ErrorIds.GraphUnreachable, $"Graph at {_root} cannot be reached: {e.Message}", 0, "Graph cannot be reached: " + e.Message, _root.ToString(), e);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new GraphRequestException(ErrorIds.GraphUnreachable, $"Graph at {_root} did not answer in time.", 0, "Graph did not answer in time", _root.ToString(), e);
            }
        }

        private static GraphRequestException Failed(string method, string url, int status, string reason, string after, Exception inner) =>
            new GraphRequestException(ErrorIds.GraphRequestFailed, $"Graph {method} {Redact(url)} failed ({status}){after}: {reason}", status, $"{status} {reason}{after}", url, inner);

        /// <summary>Graph's "code: message" from the text of the SDK's retry exception ("HTTP request failed with status code: X.{body}").</summary>
        private static string GraphReason(string text)
        {
            var brace = text.IndexOf('{');
            if (brace >= 0)
            {
                try
                {
                    var err = (JsonParser.Parse(text.Substring(brace)) as JsonObject)?["error"] as JsonObject;
                    if (err != null) return $"{(err["code"] as JsonString)?.Value}: {(err["message"] as JsonString)?.Value}";
                }
                catch (FormatException) { }
            }
            return brace < 0 ? text : text.Substring(0, brace);
        }

        /// <summary>GET a collection, following @odata.nextLink to the end.</summary>
        public async Task<List<JsonObject>> GetAllAsync(string absoluteUrl, CancellationToken ct)
        {
            var all = new List<JsonObject>();
            string? next = absoluteUrl;
            while (next != null)
            {
                var page = await SendAsync("GET", next, null, ct).ConfigureAwait(false) as JsonObject;
                if (page?["value"] is JsonArray values) all.AddRange(values.Items.OfType<JsonObject>());
                next = (page?["@odata.nextLink"] as JsonString)?.Value;
            }
            return all;
        }

        /// <summary>GET a collection page by page, following @odata.nextLink to the end: each page's items go to
        /// <paramref name="onItem"/> and the page is dropped (one page in memory, whatever the collection's size).</summary>
        public async Task<long> ForEachAsync(string absoluteUrl, Action<JsonObject> onItem, Action<long>? onPage, CancellationToken ct)
        {
            long n = 0;
            string? next = absoluteUrl;
            while (next != null)
            {
                ct.ThrowIfCancellationRequested();
                var page = await SendAsync("GET", next, null, ct).ConfigureAwait(false) as JsonObject;
                if (page?["value"] is JsonArray values)
                    foreach (var item in values.Items.OfType<JsonObject>()) { onItem(item); n++; }
                next = (page?["@odata.nextLink"] as JsonString)?.Value;
                onPage?.Invoke(n);
            }
            return n;
        }

        /// <summary>The wait between polls (tests record it instead of waiting).</summary>
        public Task DelayAsync(TimeSpan wait, CancellationToken ct) => _delay(wait, ct);

        private static readonly HttpClient s_download = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        /// <summary>Downloads a report file (an export job's url: a pre-signed storage address, not Graph) to
        /// <paramref name="file"/>, streamed. No token is sent with it; https only (or loopback, for tests).</summary>
        public async Task DownloadAsync(string url, string file, CancellationToken ct)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && !(uri.Scheme == "http" && uri.IsLoopback)))
                throw new GraphRequestException(ErrorIds.GraphHttpsRequired, $"The report file is only downloaded over https ({Redact(url)} refused).", 0, "not https", Redact(url), null);
            _verbose($"Downloading the report file {Redact(url)}");
            try
            {
                using (var res = await s_download.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false))
                {
                    if (!res.IsSuccessStatusCode)
                        throw new GraphRequestException(ErrorIds.GraphRequestFailed, $"Downloading the report file {Redact(url)} failed ({(int)res.StatusCode}).", (int)res.StatusCode, $"{(int)res.StatusCode} {res.ReasonPhrase}", Redact(url), null);
                    using (var body = await res.Content.ReadAsStreamAsync().ConfigureAwait(false))
                    using (var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 81920, true))
                        await body.CopyToAsync(output, 81920, ct).ConfigureAwait(false);
                }
            }
            catch (HttpRequestException e)
            {
                throw new GraphRequestException(ErrorIds.GraphUnreachable, $"The report file {Redact(url)} cannot be downloaded: {e.Message}", 0, e.Message, Redact(url), e);
            }
        }

        /// <summary>
        /// Sends the items in $batch requests of 20 (a lone item as a request of its own); items that come back
        /// 429/503/504 are sent again after their Retry-After, at most MaxRetries times. Never throws for a Graph
        /// failure: a $batch request (or a lone request) that fails as a whole, also after the SDK's retries ran out or
        /// with Graph unreachable, marks exactly its items failed (status and Graph's reason) and the rest go on.
        /// </summary>
        public async Task BatchAsync(string apiVersion, IReadOnlyList<BatchItem> items, CancellationToken ct)
        {
            var pending = items.ToList();
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                var again = new List<BatchItem>();
                var wait = TimeSpan.Zero;
                for (var start = 0; start < pending.Count; start += MaxBatch)
                {
                    var chunk = pending.Skip(start).Take(MaxBatch).ToList();
                    if (chunk.Count == 1 && attempt == 0)
                    {
                        await SendOneAsync(apiVersion, chunk[0], ct).ConfigureAwait(false); // the SDK's retry handler retries it
                        continue;
                    }
                    var requests = new JsonArray();
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        var r = new JsonObject().Set("id", (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Set("method", chunk[i].Method).Set("url", chunk[i].Url);
                        if (chunk[i].Body != null) r.Set("headers", new JsonObject().Set("Content-Type", "application/json")).Set("body", chunk[i].Body!);
                        requests.Add(r);
                    }
                    JsonObject? response;
                    try { response = await SendAsync("POST", Url(apiVersion, "/$batch"), new JsonObject().Set("requests", requests), ct).ConfigureAwait(false) as JsonObject; }
                    catch (GraphRequestException e)
                    {
                        _verbose($"Graph $batch of {chunk.Count} requests failed ({e.Reason}); they are reported failed, the others go on");
                        foreach (var item in chunk) { item.Status = e.Status; item.Response = null; item.Error = e.Reason + " (the $batch request failed)"; }
                        continue;
                    }
                    var responses = (response?["responses"] as JsonArray)?.Items.OfType<JsonObject>().ToList() ?? new List<JsonObject>();
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        var id = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        var res = responses.FirstOrDefault(x => (x["id"] as JsonString)?.Value == id);
                        var item = chunk[i];
                        if (res == null) { item.Status = 0; item.Error = "no response in the batch"; continue; }
                        item.Status = int.Parse(((JsonNumber)res["status"]!).Raw, System.Globalization.CultureInfo.InvariantCulture);
                        item.Response = res["body"];
                        if (item.Ok) { item.Error = null; continue; }
                        var err = (item.Response as JsonObject)?["error"] as JsonObject;
                        item.Error = $"{item.Status} {(err?["code"] as JsonString)?.Value}: {(err?["message"] as JsonString)?.Value}".Trim();
                        if (item.Status == 429 || item.Status == 503 || item.Status == 504)
                        {
                            if (attempt >= _maxRetries) { item.Error += $" (after {attempt} retries)"; continue; }
                            again.Add(item);
                            var ra = ((res["headers"] as JsonObject)?["Retry-After"] as JsonString)?.Value;
                            var secs = ra != null && int.TryParse(ra, out var s) ? s : 1 << attempt;
                            if (TimeSpan.FromSeconds(Math.Min(secs, 60)) > wait) wait = TimeSpan.FromSeconds(Math.Min(secs, 60));
                        }
                    }
                }
                if (again.Count > 0)
                {
                    _verbose($"Graph throttled {again.Count} requests in a batch; retrying after {wait.TotalSeconds} s (retry {attempt + 1} of {_maxRetries})");
                    await _delay(wait, ct).ConfigureAwait(false);
                }
                pending = again;
            }
        }

        private async Task SendOneAsync(string apiVersion, BatchItem item, CancellationToken ct)
        {
            try
            {
                item.Response = await SendAsync(item.Method, Url(apiVersion, item.Url), item.Body, ct).ConfigureAwait(false);
                item.Status = 200; item.Error = null;
            }
            catch (GraphRequestException e) { item.Status = e.Status; item.Response = null; item.Error = e.Reason; }
        }

        /// <summary>A URL for messages: no query string (filters may hold group names, never secrets; kept short).</summary>
        internal static string Redact(string url) { var q = url.IndexOf('?'); return q < 0 ? url : url.Substring(0, q) + "?…"; }
    }
}
