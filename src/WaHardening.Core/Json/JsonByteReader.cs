using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace WaHardening.Core.Json
{
    /// <summary>
    /// A forward-only JSON reader over UTF-8 bytes that builds no tree: it checks the grammar of everything it passes (the
    /// grammar of <see cref="JsonParser"/> with <see cref="JsonParseOptions.None"/>: RFC 8259, no leading zeros, nesting at
    /// most <see cref="JsonParser.MaxDepth"/>, strings of valid UTF-8 only, duplicate property names refused) and hands out
    /// strings as raw byte ranges, decoded only when asked. For large inputs read once (the fleet merge's device reports,
    /// <c>Reporting/ReportScanner</c>), where a DOM would cost memory for nothing. The two readers are held to one grammar by
    /// <c>JsonGrammarAgreementTests</c> (edge cases and a seeded fuzz). Errors are <see cref="JsonParseException"/>s with line
    /// and column. One reader per thread; reusable (<see cref="Reset"/>).
    /// </summary>
    internal sealed class JsonByteReader
    {
        /// <summary>The bytes being read (the caller's buffer, not copied).</summary>
        public byte[] B { get; private set; } = new byte[0];
        /// <summary>The cursor: index of the next byte to read.</summary>
        public int P;
        private int _end;
        private string _source = "";
        private int _depth;

        public void Reset(byte[] data, int length, string source)
        {
            B = data; P = 0; _end = length; _source = source; _depth = 0;
            // A UTF-8 byte order mark is skipped (the module's report writer never writes one; other tools may).
            if (_end >= 3 && B[0] == 0xEF && B[1] == 0xBB && B[2] == 0xBF) P = 3;
        }

        public bool AtEnd => P >= _end;

        public byte Peek() => P < _end ? B[P] : throw Error("unexpected end of the document");
        public byte Next() => P < _end ? B[P++] : throw Error("unexpected end of the document");

        public void Expect(byte c)
        {
            if (Next() != c) { P--; throw Error($"expected '{(char)c}'"); }
        }

        /// <summary>Skips JSON whitespace (space, tab, CR, LF).</summary>
        public void Ws()
        {
            while (P < _end)
            {
                var c = B[P];
                if (c == (byte)' ' || c == (byte)'\n' || c == (byte)'\r' || c == (byte)'\t') P++;
                else break;
            }
        }

        /// <summary>Checks that nothing but whitespace follows the document.</summary>
        public void End()
        {
            Ws();
            if (P < _end) throw Error("unexpected text after the end of the document");
        }

        // ------------------------------------------------------------ containers

        /// <summary>Walks the members of the object at the cursor ('{' next), calling <paramref name="member"/> with each key's
        /// raw byte range and the cursor on its value; the callback must read or skip the value. Duplicate keys are refused.</summary>
        public void Members(Action<int, int> member)
        {
            Expect((byte)'{');
            var keys = Enter();
            Ws();
            if (Peek() == (byte)'}') { P++; _depth--; return; }
            while (true)
            {
                Ws();
                var (ks, ke) = RawString();
                keys.Add(this, ks, ke);
                Ws(); Expect((byte)':'); Ws();
                member(ks, ke);
                Ws();
                var c = Next();
                if (c == (byte)'}') { _depth--; return; }
                if (c != (byte)',') { P--; throw Error("expected ',' or '}' in an object"); }
            }
        }

        /// <summary>Walks the elements of the array at the cursor ('[' next), calling <paramref name="element"/> with each index
        /// and the cursor on the element; the callback must read or skip it.</summary>
        public void Elements(Action<int> element)
        {
            Expect((byte)'[');
            Enter();
            Ws();
            if (Peek() == (byte)']') { P++; _depth--; return; }
            for (var n = 0; ; n++)
            {
                Ws();
                element(n);
                Ws();
                var c = Next();
                if (c == (byte)']') { _depth--; return; }
                if (c != (byte)',') { P--; throw Error("expected ',' or ']' in an array"); }
            }
        }

        /// <summary>Skips any value, checking its grammar.</summary>
        public void SkipValue()
        {
            var c = Peek();
            switch (c)
            {
                case (byte)'"': RawString(); return;
                case (byte)'{':
                {
                    P++;
                    var keys = Enter();
                    Ws();
                    if (Peek() == (byte)'}') { P++; _depth--; return; }
                    while (true)
                    {
                        Ws();
                        var (ks, ke) = RawString();
                        keys.Add(this, ks, ke);
                        Ws(); Expect((byte)':'); Ws(); SkipValue(); Ws();
                        var n = Next();
                        if (n == (byte)'}') { _depth--; return; }
                        if (n != (byte)',') { P--; throw Error("expected ',' or '}' in an object"); }
                    }
                }
                case (byte)'[':
                {
                    P++;
                    Enter();
                    Ws();
                    if (Peek() == (byte)']') { P++; _depth--; return; }
                    while (true)
                    {
                        Ws(); SkipValue(); Ws();
                        var n = Next();
                        if (n == (byte)']') { _depth--; return; }
                        if (n != (byte)',') { P--; throw Error("expected ',' or ']' in an array"); }
                    }
                }
                case (byte)'t': Word("true"); return;
                case (byte)'f': Word("false"); return;
                case (byte)'n': Word("null"); return;
                default:
                    if (c == (byte)'-' || (c >= (byte)'0' && c <= (byte)'9')) { Number(); return; }
                    throw Error($"unexpected character '{(c < 0x20 || c > 0x7E ? "\\u" + c.ToString("X4", CultureInfo.InvariantCulture) : ((char)c).ToString())}'");
            }
        }

        /// <summary>Skips a value and returns its raw text (for values shown in messages, such as a schema version).</summary>
        public string SkipValueText()
        {
            var start = P;
            SkipValue();
            return Encoding.UTF8.GetString(B, start, P - start);
        }

        private KeySet Enter()
        {
            if (_depth >= JsonParser.MaxDepth) throw Error($"nesting deeper than {JsonParser.MaxDepth} levels");
            if (_depth == _keySets.Count) _keySets.Add(new KeySet());
            var k = _keySets[_depth++];
            k.Clear();
            return k;
        }

        // ------------------------------------------------------------ scalars

        /// <summary>A string token: returns the raw byte range between the quotes (escapes not decoded), validated: escapes,
        /// no control characters, and UTF-8 by RFC 3629 (no overlong forms, no encoded surrogates, nothing above U+10FFFF).</summary>
        public (int Start, int End) RawString()
        {
            if (Peek() != (byte)'"') throw Error("expected a string");
            P++;
            var start = P;
            while (true)
            {
                if (P >= _end) throw Error("unexpected end of the document inside a string");
                var c = B[P];
                if (c == (byte)'"') { var end = P; P++; return (start, end); }
                if (c < 0x20) throw Error($"control character \\u{c:X4} inside a string");
                if (c == (byte)'\\')
                {
                    if (P + 1 >= _end) throw Error("unexpected end of the document inside a string");
                    var e = B[P + 1];
                    if (e == (byte)'u')
                    {
                        if (P + 5 >= _end) throw Error("unexpected end of the document inside a string");
                        for (var i = 2; i <= 5; i++) if (!IsHex(B[P + i])) throw Error("invalid \\u escape");
                        P += 6;
                        continue;
                    }
                    if (Array.IndexOf(s_escapes, e) < 0) throw Error($"invalid escape '\\{(char)e}'");
                    P += 2;
                    continue;
                }
                if (c < 0x80) { P++; continue; }
                P += Utf8SequenceLength(P);
            }
        }

        /// <summary>Length of the valid UTF-8 sequence at <paramref name="at"/> (lead byte ≥ 0x80); an error when invalid.</summary>
        private int Utf8SequenceLength(int at)
        {
            var c = B[at];
            int n; byte lo = 0x80, hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) n = 2;
            else if (c >= 0xE0 && c <= 0xEF) { n = 3; if (c == 0xE0) lo = 0xA0; else if (c == 0xED) hi = 0x9F; }
            else if (c >= 0xF0 && c <= 0xF4) { n = 4; if (c == 0xF0) lo = 0x90; else if (c == 0xF4) hi = 0x8F; }
            else throw Error("a string is not valid UTF-8");
            if (at + n > _end) throw Error("a string is not valid UTF-8");
            var second = B[at + 1];
            if (second < lo || second > hi) throw Error("a string is not valid UTF-8");
            for (var i = 2; i < n; i++) if ((B[at + i] & 0xC0) != 0x80) throw Error("a string is not valid UTF-8");
            return n;
        }

        private static readonly byte[] s_escapes = { (byte)'"', (byte)'\\', (byte)'/', (byte)'b', (byte)'f', (byte)'n', (byte)'r', (byte)'t' };
        private static bool IsHex(byte c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        /// <summary>Reads a string token and decodes it.</summary>
        public string ReadString()
        {
            var (s, e) = RawString();
            return Decode(s, e);
        }

        /// <summary>Decodes a raw string range (as returned by <see cref="RawString"/>, already validated).</summary>
        public string Decode(int s, int e)
        {
            var hasEscape = false;
            for (var i = s; i < e; i++) if (B[i] == (byte)'\\') { hasEscape = true; break; }
            var raw = Encoding.UTF8.GetString(B, s, e - s);
            return hasEscape ? Unescape(raw) : raw;
        }

        private static string Unescape(string raw)
        {
            var sb = new StringBuilder(raw.Length);
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c != '\\') { sb.Append(c); continue; }
                var e = raw[++i];
                switch (e)
                {
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u': sb.Append((char)int.Parse(raw.Substring(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture)); i += 4; break;
                    default: sb.Append(e); break;
                }
            }
            return sb.ToString();
        }

        private void Word(string w)
        {
            for (var i = 0; i < w.Length; i++)
                if (P + i >= _end || B[P + i] != (byte)w[i]) throw Error($"expected '{w}'");
            P += w.Length;
        }

        /// <summary>A number by RFC 8259: '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?.</summary>
        private void Number()
        {
            if (B[P] == (byte)'-') P++;
            if (P >= _end) throw Error("invalid number");
            if (B[P] == (byte)'0') P++;
            else if (B[P] >= (byte)'1' && B[P] <= (byte)'9') { while (P < _end && IsDigit(B[P])) P++; }
            else throw Error("invalid number");
            if (P < _end && B[P] == (byte)'.')
            {
                P++;
                if (P >= _end || !IsDigit(B[P])) throw Error("invalid number: digits expected after '.'");
                while (P < _end && IsDigit(B[P])) P++;
            }
            if (P < _end && (B[P] == (byte)'e' || B[P] == (byte)'E'))
            {
                P++;
                if (P < _end && (B[P] == (byte)'+' || B[P] == (byte)'-')) P++;
                if (P >= _end || !IsDigit(B[P])) throw Error("invalid number: digits expected in the exponent");
                while (P < _end && IsDigit(B[P])) P++;
            }
        }

        private static bool IsDigit(byte c) => c >= (byte)'0' && c <= (byte)'9';

        // ------------------------------------------------------------ comparing raw ranges

        /// <summary>True when the raw range equals the ASCII <paramref name="key"/>.</summary>
        public bool Is(int s, int e, string key)
        {
            if (e - s != key.Length) return false;
            for (var i = 0; i < key.Length; i++) if (B[s + i] != (byte)key[i]) return false;
            return true;
        }

        public bool Same(int s, int e, byte[] what)
        {
            if (e - s != what.Length) return false;
            for (var i = 0; i < what.Length; i++) if (B[s + i] != what[i]) return false;
            return true;
        }

        private bool Same(int s1, int e1, int s2, int e2)
        {
            if (e1 - s1 != e2 - s2) return false;
            for (var i = 0; i < e1 - s1; i++) if (B[s1 + i] != B[s2 + i]) return false;
            return true;
        }

        // ------------------------------------------------------------ duplicate keys (refused at any depth, as JsonParser does)

        private readonly List<KeySet> _keySets = new List<KeySet>();

        /// <summary>
        /// The keys of one object, compared as JsonParser compares them: decoded, ordinal. A key without escapes and of ASCII
        /// only is compared on its bytes (the usual case, no string made); any other is decoded. The hash is over the decoded
        /// UTF-16 code units, so both forms of one key hash alike. Up to 16 keys are compared in a row, past that a set of
        /// hashes keeps a large object linear.
        /// </summary>
        private sealed class KeySet
        {
            private readonly List<(int S, int E, ulong H, string? Decoded)> _keys = new List<(int, int, ulong, string?)>();
            private readonly HashSet<ulong> _hashes = new HashSet<ulong>();

            public void Clear() { _keys.Clear(); _hashes.Clear(); }

            public void Add(JsonByteReader r, int s, int e)
            {
                var simple = true;
                for (var i = s; i < e; i++) if (r.B[i] == (byte)'\\' || r.B[i] >= 0x80) { simple = false; break; }
                string? decoded = simple ? null : r.Decode(s, e);
                var h = 14695981039346656037UL;
                if (simple) for (var i = s; i < e; i++) { h ^= r.B[i]; h *= 1099511628211UL; }
                else foreach (var c in decoded!) { h ^= c; h *= 1099511628211UL; }
                var candidate = _keys.Count < 16 || _hashes.Contains(h);
                if (candidate)
                    foreach (var k in _keys)
                    {
                        if (k.H != h) continue;
                        bool same;
                        if (decoded == null && k.Decoded == null) same = r.Same(s, e, k.S, k.E);
                        else same = string.Equals(decoded ?? r.Decode(s, e), k.Decoded ?? r.Decode(k.S, k.E), StringComparison.Ordinal);
                        if (same) { r.P = s - 1; throw r.Error($"duplicate property '{decoded ?? r.Decode(s, e)}'"); }
                    }
                _keys.Add((s, e, h, decoded));
                if (_keys.Count == 16) foreach (var k in _keys) _hashes.Add(k.H);
                else if (_keys.Count > 16) _hashes.Add(h);
            }
        }

        // ------------------------------------------------------------ errors

        /// <summary>A syntax error at the cursor, with its 1-based line and column (columns count characters, not bytes).</summary>
        public JsonParseException Error(string why)
        {
            int line = 1, col = 1;
            for (var i = 0; i < Math.Min(P, _end); i++)
            {
                if (B[i] == (byte)'\n') { line++; col = 1; }
                else if ((B[i] & 0xC0) != 0x80) col++;
            }
            return new JsonParseException(_source, line, col, why);
        }
    }
}
