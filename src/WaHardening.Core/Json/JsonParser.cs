using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace WaHardening.Core.Json
{
    /// <summary>A JSON syntax error with the place it was found.</summary>
    public sealed class JsonParseException : FormatException
    {
        public JsonParseException(string source, int line, int column, string reason)
            : base($"{source}: invalid JSON at line {line}, column {column}: {reason}")
        {
            Source = source; Line = line; Column = column; Reason = reason;
        }

        public new string Source { get; }
        public int Line { get; }
        public int Column { get; }
        public string Reason { get; }
    }

    /// <summary>
    /// Strict RFC 8259 parser (no comments, no trailing commas) that records positions, keeps
    /// property order and number text, and refuses duplicate property names (which policy readers
    /// resolve differently: a duplicate is a bug in the file, not a choice to guess at).
    /// </summary>
    /// <summary>Extensions some readers accept beyond RFC 8259 (Chromium's policy files take both).</summary>
    [Flags]
    public enum JsonParseOptions
    {
        None = 0,
        /// <summary>// line and /* block */ comments where whitespace may stand.</summary>
        AllowComments = 1,
        /// <summary>A comma before the closing ] or }.</summary>
        AllowTrailingCommas = 2,
        /// <summary>A UTF-8 byte order mark at the start of a file (Chromium skips it; Firefox's JSON.parse refuses it).</summary>
        AllowUtf8Bom = 4,
        /// <summary>What Chromium's policy loader accepts.</summary>
        Chromium = AllowComments | AllowTrailingCommas | AllowUtf8Bom,
    }

    public sealed class JsonParser
    {
        public const int MaxDepth = 128;

        private readonly string _text;
        private readonly string _source;
        private int _pos;
        private int _line = 1;
        private int _lineStart;
        private int _depth;
        private readonly JsonParseOptions _options;
        /// <summary>True when the text was decoded from a file's bytes (strict UTF-8): containers then keep their source span
        /// so a rewrite can copy the text of an unchanged one instead of serializing it again (#14 item 11).</summary>
        private bool _keepSpans;
        /// <summary>Comments and trailing commas consumed so far: a container whose text holds any keeps no span (its text is
        /// not strict JSON, and the writer's output must be).</summary>
        private int _extensions;

        private JsonParser(string text, string source, JsonParseOptions options)
        {
            _text = text;
            _source = source;
            _options = options;
        }

        public static JsonValue Parse(string text, string source = "(json)") => Parse(text, source, JsonParseOptions.None);

        public static JsonValue Parse(string text, string source, JsonParseOptions options) => Parse(text, source, options, false);

        private static JsonValue Parse(string text, string source, JsonParseOptions options, bool keepSpans)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            var p = new JsonParser(text, source, options) { _keepSpans = keepSpans };
            // A UTF-8 BOM decoded as U+FEFF is tolerated at the start, as Chromium and Firefox do.
            if (p._text.Length > 0 && p._text[0] == '\uFEFF') p._pos = 1;
            p.SkipWhitespace();
            var value = p.ParseValue();
            p.SkipWhitespace();
            if (p._pos < p._text.Length) throw p.Error("unexpected text after the end of the document");
            return value;
        }

        public static JsonValue ParseFile(string path) => ParseFile(path, JsonParseOptions.None);

        public static JsonValue ParseFile(string path, JsonParseOptions options) => ParseBytes(File.ReadAllBytes(path), path, options);

        /// <summary>
        /// Parses a file's bytes the way the browsers read policy files (checked with Debian Chromium and Firefox ESR, see
        /// docs/ARCHITECTURE.md): UTF-8 only. A UTF-16 or UTF-32 byte order mark, bytes that are not UTF-8 and (without
        /// <see cref="JsonParseOptions.AllowUtf8Bom"/>) a UTF-8 byte order mark make the file one the browser ignores: an error
        /// here, never a file decoded some other way and trusted.
        /// </summary>
        public static JsonValue ParseBytes(byte[] bytes, string source, JsonParseOptions options)
        {
            if (bytes == null) throw new ArgumentNullException(nameof(bytes));
            string? bom = null;
            if (StartsWith(bytes, 0xFF, 0xFE, 0x00, 0x00)) bom = "UTF-32 (little-endian byte order mark)";
            else if (StartsWith(bytes, 0x00, 0x00, 0xFE, 0xFF)) bom = "UTF-32 (big-endian byte order mark)";
            else if (StartsWith(bytes, 0xFF, 0xFE)) bom = "UTF-16 (little-endian byte order mark)";
            else if (StartsWith(bytes, 0xFE, 0xFF)) bom = "UTF-16 (big-endian byte order mark)";
            if (bom != null) throw new JsonParseException(source, 1, 1, $"the file is {bom}; policy files are read as UTF-8 only, so the browser ignores this one");
            var start = 0;
            if (StartsWith(bytes, 0xEF, 0xBB, 0xBF))
            {
                if ((options & JsonParseOptions.AllowUtf8Bom) == 0)
                    throw new JsonParseException(source, 1, 1, "the file starts with a UTF-8 byte order mark, which this reader (as Firefox) does not accept");
                start = 3;
            }
            string text;
            try { text = s_strictUtf8.GetString(bytes, start, bytes.Length - start); }
            catch (DecoderFallbackException e)
            {
                throw new JsonParseException(source, 1, 1, $"the file is not valid UTF-8 (byte {e.Index + start}), so the browser ignores it");
            }
            return Parse(text, source, options, true);
        }

        private static readonly UTF8Encoding s_strictUtf8 = new UTF8Encoding(false, true);

        private static bool StartsWith(byte[] b, params byte[] prefix)
        {
            if (b.Length < prefix.Length) return false;
            for (var i = 0; i < prefix.Length; i++) if (b[i] != prefix[i]) return false;
            return true;
        }

        private JsonParseException Error(string reason) =>
            new JsonParseException(_source, _line, _pos - _lineStart + 1, reason);

        private void SkipWhitespace()
        {
            var t = _text;
            while (_pos < t.Length)
            {
                var c = t[_pos];
                if (c == '\n') { _pos++; _line++; _lineStart = _pos; }
                else if (c == ' ' || c == '\t' || c == '\r') _pos++;
                else if (c == '/' && (_options & JsonParseOptions.AllowComments) != 0) SkipComment();
                else break;
            }
        }

        private void SkipComment()
        {
            var t = _text;
            if (_pos + 1 < t.Length && t[_pos + 1] == '/')
            {
                while (_pos < t.Length && t[_pos] != '\n') _pos++;
                _extensions++;
                return;
            }
            if (_pos + 1 < t.Length && t[_pos + 1] == '*')
            {
                var end = t.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (end < 0) throw Error("unterminated /* comment");
                for (var i = _pos; i < end; i++)
                    if (t[i] == '\n') { _line++; _lineStart = i + 1; }
                _pos = end + 2;
                _extensions++;
                return;
            }
            throw Error("unexpected character '/'");
        }

        private bool TrailingCommaBefore(char close)
        {
            if ((_options & JsonParseOptions.AllowTrailingCommas) == 0) return false;
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == close) { _pos++; _extensions++; return true; }
            return false;
        }

        private JsonValue ParseValue()
        {
            if (_pos >= _text.Length) throw Error("unexpected end of the document");
            var line = _line;
            var col = _pos - _lineStart + 1;
            JsonValue v;
            switch (_text[_pos])
            {
                case '{': v = ParseObject(); break;
                case '[': v = ParseArray(); break;
                case '"': v = new JsonString(ParseString()); break;
                case 't': Expect("true"); v = new JsonBoolean(true); break;
                case 'f': Expect("false"); v = new JsonBoolean(false); break;
                case 'n': Expect("null"); v = new JsonNull(); break;
                default:
                    var c = _text[_pos];
                    if (c == '-' || (c >= '0' && c <= '9')) { v = ParseNumber(); break; }
                    throw Error($"unexpected character '{Printable(c)}'");
            }
            v.Line = line;
            v.Column = col;
            return v;
        }

        private static string Printable(char c) => c < ' ' ? $"\\u{(int)c:X4}" : c.ToString();

        private void Expect(string word)
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
                throw Error($"expected '{word}'");
            _pos += word.Length;
        }

        private JsonObject ParseObject()
        {
            if (++_depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth} levels");
            var start = _pos;
            var extensions = _extensions;
            _pos++; // {
            var obj = new JsonObject();
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == '}') { _pos++; _depth--; if (_keepSpans && _extensions == extensions) obj.SetSource(_text, start, _pos); return obj; }
            while (true)
            {
                SkipWhitespace();
                if (_pos >= _text.Length) throw Error("unexpected end of the document inside an object");
                if (_text[_pos] != '"') throw Error("expected a property name in double quotes");
                var keyLine = _line; var keyCol = _pos - _lineStart + 1;
                var key = ParseString();
                if (obj.Contains(key))
                    throw new JsonParseException(_source, keyLine, keyCol, $"duplicate property '{key}'");
                SkipWhitespace();
                if (_pos >= _text.Length || _text[_pos] != ':') throw Error("expected ':' after a property name");
                _pos++;
                SkipWhitespace();
                obj.Set(key, ParseValue());
                SkipWhitespace();
                if (_pos >= _text.Length) throw Error("unexpected end of the document inside an object");
                var c = _text[_pos++];
                if (c == '}') break;
                if (c != ',') { _pos--; throw Error("expected ',' or '}' in an object"); }
                if (TrailingCommaBefore('}')) break;
            }
            _depth--;
            if (_keepSpans && _extensions == extensions) obj.SetSource(_text, start, _pos);
            return obj;
        }

        private JsonArray ParseArray()
        {
            if (++_depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth} levels");
            var start = _pos;
            var extensions = _extensions;
            _pos++; // [
            var arr = new JsonArray();
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == ']') { _pos++; _depth--; if (_keepSpans && _extensions == extensions) arr.SetSource(_text, start, _pos); return arr; }
            while (true)
            {
                SkipWhitespace();
                arr.Add(ParseValue());
                SkipWhitespace();
                if (_pos >= _text.Length) throw Error("unexpected end of the document inside an array");
                var c = _text[_pos++];
                if (c == ']') break;
                if (c != ',') { _pos--; throw Error("expected ',' or ']' in an array"); }
                if (TrailingCommaBefore(']')) break;
            }
            _depth--;
            if (_keepSpans && _extensions == extensions) arr.SetSource(_text, start, _pos);
            return arr;
        }

        private string ParseString()
        {
            _pos++; // opening quote
            var t = _text;
            var start = _pos;
            // Fast path: no escapes.
            while (_pos < t.Length)
            {
                var c = t[_pos];
                if (c == '"') { var s = t.Substring(start, _pos - start); _pos++; return s; }
                if (c == '\\') break;
                if (c < ' ') throw Error($"control character {Printable(c)} inside a string");
                _pos++;
            }
            var sb = new StringBuilder(t, start, _pos - start, (_pos - start) + 16);
            while (_pos < t.Length)
            {
                var c = t[_pos++];
                if (c == '"') return sb.ToString();
                if (c < ' ') { _pos--; throw Error($"control character {Printable(c)} inside a string"); }
                if (c != '\\') { sb.Append(c); continue; }
                if (_pos >= t.Length) break;
                var e = t[_pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > t.Length ||
                            !int.TryParse(t.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        { _pos -= 2; throw Error("invalid \\u escape"); }
                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        _pos -= 2;
                        throw Error($"invalid escape '\\{Printable(e)}'");
                }
            }
            throw Error("unterminated string");
        }

        private JsonNumber ParseNumber()
        {
            var t = _text;
            var start = _pos;
            if (t[_pos] == '-') _pos++;
            if (_pos >= t.Length) throw Error("invalid number");
            if (t[_pos] == '0') _pos++;
            else if (t[_pos] >= '1' && t[_pos] <= '9') { while (_pos < t.Length && t[_pos] >= '0' && t[_pos] <= '9') _pos++; }
            else throw Error("invalid number");
            if (_pos < t.Length && t[_pos] == '.')
            {
                _pos++;
                if (_pos >= t.Length || t[_pos] < '0' || t[_pos] > '9') throw Error("invalid number: digits expected after '.'");
                while (_pos < t.Length && t[_pos] >= '0' && t[_pos] <= '9') _pos++;
            }
            if (_pos < t.Length && (t[_pos] == 'e' || t[_pos] == 'E'))
            {
                _pos++;
                if (_pos < t.Length && (t[_pos] == '+' || t[_pos] == '-')) _pos++;
                if (_pos >= t.Length || t[_pos] < '0' || t[_pos] > '9') throw Error("invalid number: digits expected in the exponent");
                while (_pos < t.Length && t[_pos] >= '0' && t[_pos] <= '9') _pos++;
            }
            return new JsonNumber(t.Substring(start, _pos - start));
        }
    }
}
