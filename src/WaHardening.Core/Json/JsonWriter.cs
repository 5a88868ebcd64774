using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace WaHardening.Core.Json
{
    /// <summary>Deterministic JSON text: property order as held, numbers as written, "\n" line ends.</summary>
    public static class JsonWriter
    {
        public static string Write(JsonValue value, bool indented = true)
        {
            var sb = new StringBuilder();
            WriteTo(sb, value, indented, 0);
            if (indented) sb.Append('\n');
            return sb.ToString();
        }

        public static void WriteTo(TextWriter writer, JsonValue value, bool indented = true) =>
            writer.Write(Write(value, indented));

        /// <summary>
        /// The same text as <see cref="Write"/>, as UTF-8 bytes without a byte order mark, written straight into a byte buffer
        /// (no string of the whole document and no second copy: a large policy file is serialized once, #14 item 11).
        /// <paramref name="sizeHint"/>: the expected length (e.g. the file it replaces), so the buffer rarely grows.
        /// </summary>
        public static byte[] WriteUtf8(JsonValue value, bool indented = true, int sizeHint = 0)
        {
            var w = new Utf8Output(null, Math.Max(sizeHint + 256, 256), null);
            w.Write(value, indented, 0);
            if (indented) w.Byte((byte)'\n');
            return w.ToArray();
        }

        /// <summary>
        /// Writes <see cref="WriteUtf8(JsonValue, bool, int)"/>'s bytes to <paramref name="stream"/> through a small buffer. A <see cref="JsonString"/>
        /// that is a key of <paramref name="base64"/> (by reference) is written as the base64 text of its bytes, encoded piece by
        /// piece, so a backup never holds the base64 of a large file as one string.
        /// </summary>
        internal static void WriteUtf8(Stream stream, JsonValue value, IDictionary<JsonString, byte[]>? base64, bool indented = true)
        {
            var w = new Utf8Output(stream, 1 << 16, base64);
            w.Write(value, indented, 0);
            if (indented) w.Byte((byte)'\n');
            w.Flush();
        }

        private sealed class Utf8Output
        {
            private readonly Stream? _stream;
            private readonly IDictionary<JsonString, byte[]>? _base64;
            private byte[] _buf;
            private int _len;

            public Utf8Output(Stream? stream, int capacity, IDictionary<JsonString, byte[]>? base64)
            { _stream = stream; _buf = new byte[capacity]; _base64 = base64; }

            private void Ensure(int more)
            {
                if (_len + more <= _buf.Length) return;
                if (_stream != null)
                {
                    Flush();
                    if (more <= _buf.Length) return;
                }
                var want = Math.Max((long)_buf.Length * 2, (long)_len + more);
                var grown = new byte[(int)Math.Min(want, 0x7FFFFFC7)];
                Buffer.BlockCopy(_buf, 0, grown, 0, _len);
                _buf = grown;
            }

            public void Flush()
            {
                if (_stream == null || _len == 0) return;
                _stream.Write(_buf, 0, _len);
                _len = 0;
            }

            public byte[] ToArray()
            {
                if (_len == _buf.Length) return _buf;
                var r = new byte[_len];
                Buffer.BlockCopy(_buf, 0, r, 0, _len);
                return r;
            }

            public void Byte(byte b)
            {
                Ensure(1);
                _buf[_len++] = b;
            }

            private void Ascii(string s)
            {
                Ensure(s.Length);
                for (var i = 0; i < s.Length; i++) _buf[_len++] = (byte)s[i];
            }

            private void NewLine(bool indented, int depth)
            {
                if (!indented) return;
                Ensure(1 + depth * 2);
                _buf[_len++] = (byte)'\n';
                for (var i = depth * 2; i > 0; i--) _buf[_len++] = (byte)' ';
            }

            /// <summary>Copies the source text of an unchanged container as UTF-8 (it came from strict UTF-8, so it has no lone
            /// surrogate and encodes back to the file's own bytes).</summary>
            private void Splice(JsonSource src)
            {
                const int piece = 1 << 15;
                var text = src.Text!;
                for (var at = src.Start; at < src.End;)
                {
                    var n = Math.Min(piece, src.End - at);
                    if (at + n < src.End && char.IsHighSurrogate(text[at + n - 1])) n--; // never split a surrogate pair
                    Ensure(n * 3);
                    _len += Encoding.UTF8.GetBytes(text, at, n, _buf, _len);
                    at += n;
                }
            }

            public void Write(JsonValue value, bool indented, int depth)
            {
                if (indented && Unchanged(value, out var src)) { Splice(src); return; }
                switch (value)
                {
                    case JsonObject o:
                        if (o.Count == 0) { Ascii("{}"); return; }
                        Byte((byte)'{');
                        var props = o.Properties;
                        for (var i = 0; i < props.Count; i++)
                        {
                            if (i > 0) Byte((byte)',');
                            NewLine(indented, depth + 1);
                            Str(props[i].Key);
                            if (indented) Ascii(": "); else Byte((byte)':');
                            Write(props[i].Value, indented, depth + 1);
                        }
                        NewLine(indented, depth);
                        Byte((byte)'}');
                        return;
                    case JsonArray a:
                        if (a.Count == 0) { Ascii("[]"); return; }
                        Byte((byte)'[');
                        for (var i = 0; i < a.Count; i++)
                        {
                            if (i > 0) Byte((byte)',');
                            NewLine(indented, depth + 1);
                            Write(a[i], indented, depth + 1);
                        }
                        NewLine(indented, depth);
                        Byte((byte)']');
                        return;
                    case JsonString s:
                        if (_base64 != null && _base64.TryGetValue(s, out var content)) Base64(content);
                        else Str(s.Value);
                        return;
                    case JsonNumber n: Ascii(n.Raw); return;
                    case JsonBoolean b: Ascii(b.Value ? "true" : "false"); return;
                    default: Ascii("null"); return;
                }
            }

            private void Base64(byte[] content)
            {
                const int chunk = 3 * 4096; // a multiple of 3: the pieces join to exactly Convert.ToBase64String(content)
                var chars = new char[4 * 4096];
                Byte((byte)'"');
                for (var off = 0; off < content.Length; off += chunk)
                {
                    var n = Convert.ToBase64CharArray(content, off, Math.Min(chunk, content.Length - off), chars, 0);
                    Ensure(n);
                    for (var i = 0; i < n; i++) _buf[_len++] = (byte)chars[i];
                }
                Byte((byte)'"');
            }

            /// <summary>The bytes of <see cref="JsonWriter.WriteString"/>'s text, encoded as UTF-8 on the way.</summary>
            private void Str(string s)
            {
                Ensure(s.Length * 6 + 2); // the longest form of a char is its \uXXXX escape
                var buf = _buf;
                var len = _len;
                buf[len++] = (byte)'"';
                for (var i = 0; i < s.Length; i++)
                {
                    var c = s[i];
                    if (c < 0x80)
                    {
                        if (c >= ' ' && c != '"' && c != '\\') { buf[len++] = (byte)c; continue; }
                        switch (c)
                        {
                            case '"': buf[len++] = (byte)'\\'; buf[len++] = (byte)'"'; break;
                            case '\\': buf[len++] = (byte)'\\'; buf[len++] = (byte)'\\'; break;
                            case '\n': buf[len++] = (byte)'\\'; buf[len++] = (byte)'n'; break;
                            case '\r': buf[len++] = (byte)'\\'; buf[len++] = (byte)'r'; break;
                            case '\t': buf[len++] = (byte)'\\'; buf[len++] = (byte)'t'; break;
                            case '\b': buf[len++] = (byte)'\\'; buf[len++] = (byte)'b'; break;
                            case '\f': buf[len++] = (byte)'\\'; buf[len++] = (byte)'f'; break;
                            default: len = Escape(buf, len, c); break;
                        }
                        continue;
                    }
                    if (char.IsSurrogate(c))
                    {
                        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                        {
                            var cp = char.ConvertToUtf32(c, s[++i]);
                            buf[len++] = (byte)(0xF0 | (cp >> 18));
                            buf[len++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                            buf[len++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                            buf[len++] = (byte)(0x80 | (cp & 0x3F));
                        }
                        else len = Escape(buf, len, c); // a lone surrogate: its escape, as WriteString
                        continue;
                    }
                    if (c < 0x800)
                    {
                        buf[len++] = (byte)(0xC0 | (c >> 6));
                        buf[len++] = (byte)(0x80 | (c & 0x3F));
                    }
                    else if (c == '\u2028' || c == '\u2029') len = Escape(buf, len, c);
                    else
                    {
                        buf[len++] = (byte)(0xE0 | (c >> 12));
                        buf[len++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                        buf[len++] = (byte)(0x80 | (c & 0x3F));
                    }
                }
                buf[len++] = (byte)'"';
                _len = len;
            }

            private static int Escape(byte[] buf, int len, char c)
            {
                const string hex = "0123456789abcdef";
                buf[len++] = (byte)'\\'; buf[len++] = (byte)'u';
                buf[len++] = (byte)hex[(c >> 12) & 0xF]; buf[len++] = (byte)hex[(c >> 8) & 0xF];
                buf[len++] = (byte)hex[(c >> 4) & 0xF]; buf[len++] = (byte)hex[c & 0xF];
                return len;
            }
        }

        /// <summary>
        /// Used by the indented (file) form only; the compact form (<see cref="JsonValue.ToString"/>, comparisons) is always
        /// written in full. True when <paramref name="value"/> is a container read from a file that nothing has changed since, down to its last
        /// descendant (every container below still has its <see cref="JsonSource"/>, which any change drops): its source text is
        /// then written as it is (encoded in 32 K pieces, never cut inside a surrogate pair).
        /// </summary>
        private static bool Unchanged(JsonValue value, out JsonSource source)
        {
            switch (value)
            {
                case JsonObject o: source = o.Source; break;
                case JsonArray a: source = a.Source; break;
                default: source = default; return false;
            }
            return source.IsSet && SubtreeHasSources(value);
        }

        private static bool SubtreeHasSources(JsonValue value)
        {
            switch (value)
            {
                case JsonObject o:
                    if (!o.Source.IsSet) return false;
                    foreach (var p in o.Properties) if (!SubtreeHasSources(p.Value)) return false;
                    return true;
                case JsonArray a:
                    if (!a.Source.IsSet) return false;
                    foreach (var i in a.Items) if (!SubtreeHasSources(i)) return false;
                    return true;
                default: return true;
            }
        }

        private static void NewLine(StringBuilder sb, bool indented, int depth)
        {
            if (!indented) return;
            sb.Append('\n');
            sb.Append(' ', depth * 2);
        }

        private static void WriteTo(StringBuilder sb, JsonValue value, bool indented, int depth)
        {
            if (indented && Unchanged(value, out var src)) { sb.Append(src.Text, src.Start, src.End - src.Start); return; }
            switch (value)
            {
                case JsonObject o:
                    if (o.Count == 0) { sb.Append("{}"); return; }
                    sb.Append('{');
                    for (var i = 0; i < o.Properties.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        NewLine(sb, indented, depth + 1);
                        WriteString(sb, o.Properties[i].Key);
                        sb.Append(indented ? ": " : ":");
                        WriteTo(sb, o.Properties[i].Value, indented, depth + 1);
                    }
                    NewLine(sb, indented, depth);
                    sb.Append('}');
                    return;
                case JsonArray a:
                    if (a.Count == 0) { sb.Append("[]"); return; }
                    sb.Append('[');
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        NewLine(sb, indented, depth + 1);
                        WriteTo(sb, a[i], indented, depth + 1);
                    }
                    NewLine(sb, indented, depth);
                    sb.Append(']');
                    return;
                case JsonString s: WriteString(sb, s.Value); return;
                case JsonNumber n: sb.Append(n.Raw); return;
                case JsonBoolean b: sb.Append(b.Value ? "true" : "false"); return;
                default: sb.Append("null"); return;
            }
        }

        public static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                if (char.IsSurrogate(c))
                {
                    // A pair is written as it is; a lone surrogate (valid in a JSON "\\ud800" escape, not in UTF-8) as its escape,
                    // so a foreign value round-trips and the UTF-8 encoder never meets it.
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { sb.Append(c).Append(s[++i]); continue; }
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    continue;
                }
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < ' ' || c == '\u2028' || c == '\u2029')
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }
}
