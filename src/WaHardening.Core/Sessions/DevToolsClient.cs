using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using WaHardening.Core.Json;

namespace WaHardening.Core.Sessions
{
    /// <summary>
    /// A minimal Chrome DevTools Protocol client over the browser target's WebSocket: one command at a time
    /// (<c>{id, method, params, sessionId}</c>), events skipped, replies bounded in size.
    /// </summary>
    internal sealed class DevToolsClient : IDisposable
    {
        private const int MaxMessageBytes = 64 * 1024 * 1024;
        private readonly ClientWebSocket _socket = new ClientWebSocket();
        private readonly string _target;
        private int _nextId = 1;

        private DevToolsClient(string target) { _target = target; }

        public static DevToolsClient Connect(Uri uri, TimeSpan timeout)
        {
            var c = new DevToolsClient(uri.ToString());
            c._socket.Options.KeepAliveInterval = TimeSpan.Zero;
            using var cts = new CancellationTokenSource(timeout);
            try { c._socket.ConnectAsync(uri, cts.Token).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is WebSocketException || e is OperationCanceledException || e is IOException || e is SocketException)
            {
                c.Dispose();
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.ConnectionError,
                    $"Cannot connect to the browser's DevTools endpoint {uri}: {e.Message}", uri.ToString(), e);
            }
            return c;
        }

        /// <summary>Sends one command (in the flat session <paramref name="sessionId"/> when given) and returns its result object.</summary>
        public JsonObject Call(string method, JsonObject? parameters, string? sessionId, TimeSpan timeout)
        {
            var id = _nextId++;
            var msg = new JsonObject().Set("id", new JsonNumber(id)).Set("method", new JsonString(method))
                .Set("params", parameters ?? new JsonObject());
            if (sessionId != null) msg.Set("sessionId", new JsonString(sessionId));
            var bytes = Encoding.UTF8.GetBytes(JsonWriter.Write(msg, indented: false));
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                _socket.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, true, cts.Token).GetAwaiter().GetResult();
                while (true)
                {
                    var reply = Receive(cts.Token);
                    if (!(reply is JsonObject o) || !o.TryGet("id", out var rid) || !(rid is JsonNumber n) || !n.TryGetInt64(out var got) || got != id) continue;
                    if (o.TryGet("error", out var err))
                        throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidOperation,
                            $"DevTools {method} failed: {err}", _target);
                    return o["result"] as JsonObject ?? new JsonObject();
                }
            }
            catch (Exception e) when (e is WebSocketException || e is OperationCanceledException || e is IOException)
            {
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.ConnectionError,
                    $"DevTools {method}: no reply from the browser ({e.Message}).", _target, e);
            }
        }

        private JsonValue Receive(CancellationToken token)
        {
            var buffer = new byte[65536];
            using var ms = new MemoryStream();
            WebSocketReceiveResult r;
            do
            {
                r = _socket.ReceiveAsync(new ArraySegment<byte>(buffer), token).GetAwaiter().GetResult();
                if (r.MessageType == WebSocketMessageType.Close)
                    throw new WebSocketException("the browser closed the DevTools connection");
                ms.Write(buffer, 0, r.Count);
                if (ms.Length > MaxMessageBytes)
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidData,
                        $"A DevTools message from the browser exceeds {MaxMessageBytes} bytes.", _target);
            } while (!r.EndOfMessage);
            try { return JsonParser.Parse(Encoding.UTF8.GetString(ms.ToArray()), "DevTools"); }
            catch (JsonParseException e)
            {
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidData,
                    $"The browser sent a DevTools message that is not JSON: {e.Message}", _target, e);
            }
        }

        public void Dispose()
        {
            try { _socket.Abort(); } catch (WebSocketException) { }
            _socket.Dispose();
        }
    }

    /// <summary>
    /// A minimal Marionette client (Firefox's remote protocol over TCP; frames are <c>&lt;length&gt;:&lt;json&gt;</c>, a
    /// command is <c>[0, id, name, params]</c>, a reply <c>[1, id, error, result]</c>), bounded frames, deadlines.
    /// </summary>
    internal sealed class MarionetteClient : IDisposable
    {
        private const int MaxFrameBytes = 16 * 1024 * 1024;
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private int _nextId = 1;

        private MarionetteClient(TcpClient client) { _client = client; _stream = client.GetStream(); }

        public static MarionetteClient Connect(int port, TimeSpan timeout)
        {
            var client = new TcpClient();
            try
            {
                var task = client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                if (!task.Wait(timeout)) throw new TimeoutException("connect timed out");
                var c = new MarionetteClient(client);
                c.ReadFrame(DateTime.UtcNow + timeout); // the server's hello
                return c;
            }
            catch (Exception e) when (e is SocketException || e is TimeoutException || e is AggregateException || e is IOException)
            {
                client.Dispose();
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.ConnectionError,
                    $"Cannot connect to Firefox's Marionette port {port}: {e.GetBaseException().Message}", port, e);
            }
        }

        public JsonValue Call(string command, JsonObject? parameters, TimeSpan timeout)
        {
            var id = _nextId++;
            var msg = new JsonArray(new JsonValue[] { new JsonNumber(0), new JsonNumber(id), new JsonString(command), parameters ?? new JsonObject() });
            var body = Encoding.UTF8.GetBytes(JsonWriter.Write(msg, indented: false));
            var head = Encoding.ASCII.GetBytes(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":");
            var deadline = DateTime.UtcNow + timeout;
            try
            {
                _stream.Write(head, 0, head.Length);
                _stream.Write(body, 0, body.Length);
                _stream.Flush();
                while (true)
                {
                    var reply = ReadFrame(deadline);
                    if (!(reply is JsonArray a) || a.Count < 4 || !(a[0] is JsonNumber t) || !t.TryGetInt64(out var type) || type != 1) continue;
                    if (!(a[1] is JsonNumber n) || !n.TryGetInt64(out var got) || got != id) continue;
                    if (a[2].Kind != JsonKind.Null)
                        throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidOperation,
                            $"Marionette {command} failed: {a[2]}", command);
                    return a[3];
                }
            }
            catch (IOException e)
            {
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.ConnectionError,
                    $"Marionette {command}: no reply from Firefox ({e.Message}).", command, e);
            }
        }

        private JsonValue ReadFrame(DateTime deadline)
        {
            long len = 0;
            int digits = 0;
            while (true)
            {
                var b = ReadByte(deadline);
                if (b == ':') break;
                if (b < '0' || b > '9' || ++digits > 9)
                    throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidData,
                        $"Marionette sent a malformed frame header (byte {b}).", "Marionette");
                len = len * 10 + (b - '0');
            }
            if (len > MaxFrameBytes)
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidData,
                    $"A Marionette frame of {len} bytes exceeds the {MaxFrameBytes}-byte limit.", "Marionette");
            var buf = new byte[len];
            int read = 0;
            while (read < len) read += ReadSome(buf, read, (int)len - read, deadline);
            try { return JsonParser.Parse(Encoding.UTF8.GetString(buf), "Marionette"); }
            catch (JsonParseException e)
            {
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidData,
                    $"Marionette sent a frame that is not JSON: {e.Message}", "Marionette", e);
            }
        }

        private int ReadByte(DateTime deadline)
        {
            var one = new byte[1];
            ReadSome(one, 0, 1, deadline);
            return one[0];
        }

        private int ReadSome(byte[] buffer, int offset, int count, DateTime deadline)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new IOException("timed out waiting for Marionette");
            _client.ReceiveTimeout = (int)Math.Max(1, Math.Min(int.MaxValue, left.TotalMilliseconds));
            int n;
            try { n = _stream.Read(buffer, offset, count); }
            catch (IOException e) when (e.InnerException is SocketException se && se.SocketErrorCode == SocketError.TimedOut)
            { throw new IOException("timed out waiting for Marionette", e); }
            if (n <= 0) throw new IOException("Firefox closed the Marionette connection");
            return n;
        }

        public void Dispose() => _client.Dispose();
    }
}
