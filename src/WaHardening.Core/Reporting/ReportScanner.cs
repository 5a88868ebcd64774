using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace WaHardening.Core.Reporting
{
    /// <summary>
    /// A forward-only reader of device-report JSON for the fleet merge: it checks the whole document's syntax (so a
    /// truncated or corrupt file is refused with its line and column) but builds no tree and decodes only what the
    /// merge needs — device name, date, profile, and per result the control, target and status (title and category
    /// only the first time a control is seen). Statuses are matched on their bytes; control keys are looked up by a
    /// hash of their raw bytes. One scanner per thread.
    /// </summary>
    internal sealed class ReportScanner
    {
        internal static readonly string[] Statuses = { "", "Compliant", "NonCompliant", "Error", "NotApplicable", "Advisory" };
        private static readonly byte[][] s_statusBytes = Array.ConvertAll(Statuses, s => Encoding.UTF8.GetBytes(s));
        private static readonly byte[] s_schema = Encoding.UTF8.GetBytes(DeviceReport.SchemaName);

        private byte[] _b = new byte[0];
        private int _p, _end;
        private string _source = "";

        /// <summary>What one report contributes to the merge.</summary>
        internal sealed class Result
        {
            public string Device = "", Profile = "";
            public DateTimeOffset GeneratedAt;
            public readonly List<(int Control, byte Status)> Items = new List<(int, byte)>();
        }

        /// <summary>Resolves a control key (raw bytes of controlId and target) to an index, creating it on first sight.</summary>
        internal interface IControlTable
        {
            int Find(ulong hash, byte[] buffer, int idStart, int idEnd, int targetStart, int targetEnd);
            int Add(ulong hash, byte[] buffer, int idStart, int idEnd, int targetStart, int targetEnd, string controlId, string target, string title, string category);
        }

        public Result Scan(byte[] data, int length, string source, IControlTable controls)
        {
            _b = data; _p = 0; _end = length; _source = source; _depth = 0;
            var r = new Result();
            if (_end >= 3 && _b[0] == 0xEF && _b[1] == 0xBB && _b[2] == 0xBF) _p = 3;
            Ws();
            if (_p >= _end || _b[_p] != (byte)'{') throw Format("the document is not a JSON object");
            bool schemaOk = false, versionOk = false, haveDevice = false, haveDate = false, haveResults = false;
            string? schemaVersionText = null;
            Members((ks, ke) =>
            {
                if (Is(ks, ke, "schema"))
                {
                    var (vs, ve) = RawString();
                    schemaOk = Same(vs, ve, s_schema);
                }
                else if (Is(ks, ke, "schemaVersion"))
                {
                    var start = _p;
                    SkipValue(0);
                    schemaVersionText = Encoding.UTF8.GetString(_b, start, _p - start);
                    versionOk = schemaVersionText == "1";
                }
                else if (Is(ks, ke, "generatedAt"))
                {
                    var text = ReadString();
                    if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out r.GeneratedAt))
                        throw Invalid("'generatedAt' is not a date");
                    haveDate = true;
                }
                else if (Is(ks, ke, "device")) { r.Device = ObjectField("name", "'device.name'") ?? throw Invalid("'device.name' is missing or not a string"); haveDevice = true; }
                else if (Is(ks, ke, "baseline")) r.Profile = ObjectField("profile", null) ?? "";
                else if (Is(ks, ke, "results")) { Results(r, controls); haveResults = true; }
                else SkipValue(0);
            });
            Ws();
            if (_p < _end) throw Syntax("unexpected text after the end of the document");
            if (!schemaOk) throw Invalid($"not a WaHardening device report (schema is not '{DeviceReport.SchemaName}')");
            if (!versionOk) throw Invalid($"schemaVersion {schemaVersionText ?? "(missing)"} is not supported (this module reads 1)");
            if (!haveDevice) throw Invalid("'device' is missing");
            if (!haveDate) throw Invalid("'generatedAt' is missing or not a string");
            if (!haveResults) throw Invalid("'results' is missing");
            return r;
        }

        private void Results(Result r, IControlTable controls)
        {
            if (Peek() != (byte)'[') throw Invalid("'results' is missing");
            _p++;
            Ws();
            if (Peek() == (byte)']') { _p++; return; }
            var n = 0;
            while (true)
            {
                Ws();
                if (Peek() != (byte)'{') throw Invalid($"results[{n}] is not an object");
                int idS = -1, idE = -1, tS = -1, tE = -1, titleS = -1, titleE = -1, catS = -1, catE = -1;
                byte status = 0;
                var statusSeen = false;
                var item = n;
                Members((ks, ke) =>
                {
                    if (Is(ks, ke, "controlId")) (idS, idE) = StringValue(item, "controlId");
                    else if (Is(ks, ke, "target")) (tS, tE) = StringValue(item, "target");
                    else if (Is(ks, ke, "title")) (titleS, titleE) = StringValue(item, "title");
                    else if (Is(ks, ke, "category")) (catS, catE) = StringValue(item, "category");
                    else if (Is(ks, ke, "status"))
                    {
                        var (ss, se) = StringValue(item, "status");
                        for (var i = 1; i < s_statusBytes.Length; i++) if (Same(ss, se, s_statusBytes[i])) { status = (byte)i; break; }
                        if (status == 0) throw Invalid($"results[{item}].status '{Decode(ss, se)}' is not a status");
                        statusSeen = true;
                    }
                    else SkipValue(1);
                });
                if (idS < 0) throw Invalid($"'results[{n}].controlId' is missing or not a string");
                if (!statusSeen) throw Invalid($"'results[{n}].status' is missing or not a string");
                if (tS < 0) { tS = tE = idE; }
                var hash = Hash(idS, idE, tS, tE);
                var index = controls.Find(hash, _b, idS, idE, tS, tE);
                if (index < 0)
                    index = controls.Add(hash, _b, idS, idE, tS, tE, Decode(idS, idE), Decode(tS, tE),
                        titleS >= 0 ? Decode(titleS, titleE) : "", catS >= 0 ? Decode(catS, catE) : "");
                r.Items.Add((index, status));
                n++;
                Ws();
                var d = Next();
                if (d == (byte)']') break;
                if (d != (byte)',') throw Syntax("expected ',' or ']' in an array");
            }
        }

        /// <summary>Walks the members of the object at the cursor ('{' next), calling <paramref name="member"/> with each
        /// key's raw byte range; the callback reads (or skips) the value.</summary>
        private void Members(Action<int, int> member)
        {
            Expect((byte)'{');
            Ws();
            if (Peek() == (byte)'}') { _p++; return; }
            var keys = EnterObject();
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
                if (c != (byte)',') throw Syntax("expected ',' or '}' in an object");
            }
        }

        /// <summary>Reads an object value and returns one string field of it (null when absent); skips the rest.</summary>
        private string? ObjectField(string name, string? what)
        {
            if (Peek() != (byte)'{') { SkipValue(0); return null; }
            string? found = null;
            Members((ks, ke) =>
            {
                if (Is(ks, ke, name) && Peek() == (byte)'"') found = ReadString();
                else SkipValue(1);
            });
            return found;
        }

        // ------------------------------------------------------------ duplicate keys (refused at any depth, as JsonParser does)

        private readonly List<KeySet> _keySets = new List<KeySet>();
        private int _depth;

        /// <summary>The key set of the object being entered (reused per nesting level).</summary>
        private KeySet EnterObject()
        {
            if (_depth == _keySets.Count) _keySets.Add(new KeySet());
            var k = _keySets[_depth++];
            k.Clear();
            return k;
        }

        /// <summary>
        /// The keys of one object, compared as JsonParser compares them: decoded, ordinal. A key without escapes and
        /// of ASCII only is compared on its bytes (the usual case, no string made); any other is decoded. The hash is
        /// over the decoded UTF-16 code units, so both forms of one key hash alike. Up to 16 keys are compared in a row,
        /// past that a set of hashes keeps a large object linear.
        /// </summary>
        private sealed class KeySet
        {
            private readonly List<(int S, int E, ulong H, string? Decoded)> _keys = new List<(int, int, ulong, string?)>();
            private readonly HashSet<ulong> _hashes = new HashSet<ulong>();

            public void Clear() { _keys.Clear(); _hashes.Clear(); }

            public void Add(ReportScanner r, int s, int e)
            {
                var simple = true;
                for (var i = s; i < e; i++) if (r._b[i] == (byte)'\\' || r._b[i] >= 0x80) { simple = false; break; }
                string? decoded = simple ? null : r.Decode(s, e);
                var h = 14695981039346656037UL;
                if (simple) for (var i = s; i < e; i++) { h ^= r._b[i]; h *= 1099511628211UL; }
                else foreach (var c in decoded!) { h ^= c; h *= 1099511628211UL; }
                var candidate = _keys.Count < 16 || _hashes.Contains(h);
                if (candidate)
                    foreach (var k in _keys)
                    {
                        if (k.H != h) continue;
                        bool same;
                        if (decoded == null && k.Decoded == null) same = r.Same(s, e, k.S, k.E);
                        else same = string.Equals(decoded ?? r.Decode(s, e), k.Decoded ?? r.Decode(k.S, k.E), StringComparison.Ordinal);
                        if (same) { r._p = s - 1; throw r.Syntax($"duplicate property '{decoded ?? r.Decode(s, e)}'"); }
                    }
                _keys.Add((s, e, h, decoded));
                if (_keys.Count == 16) foreach (var k in _keys) _hashes.Add(k.H);
                else if (_keys.Count > 16) _hashes.Add(h);
            }
        }

        private bool Same(int s1, int e1, int s2, int e2)
        {
            if (e1 - s1 != e2 - s2) return false;
            for (var i = 0; i < e1 - s1; i++) if (_b[s1 + i] != _b[s2 + i]) return false;
            return true;
        }

        // ------------------------------------------------------------ lexing

        private byte Peek() => _p < _end ? _b[_p] : throw Syntax("unexpected end of the document");
        private byte Next() => _p < _end ? _b[_p++] : throw Syntax("unexpected end of the document");

        private void Expect(byte c)
        {
            if (Next() != c) { _p--; throw Syntax($"expected '{(char)c}'"); }
        }

        private void Ws()
        {
            while (_p < _end)
            {
                var c = _b[_p];
                if (c == (byte)' ' || c == (byte)'\n' || c == (byte)'\r' || c == (byte)'\t') _p++;
                else break;
            }
        }

        private (int, int) StringValue(int item, string field)
        {
            if (Peek() != (byte)'"') throw Invalid($"'results[{item}].{field}' is missing or not a string");
            return RawString();
        }

        /// <summary>A string token: returns the raw byte range between the quotes (escapes not decoded), validated.</summary>
        private (int Start, int End) RawString()
        {
            if (Peek() != (byte)'"') throw Syntax("expected a string");
            _p++;
            var start = _p;
            while (true)
            {
                if (_p >= _end) throw Syntax("unexpected end of the document inside a string");
                var c = _b[_p];
                if (c == (byte)'"') { var end = _p; _p++; return (start, end); }
                if (c < 0x20) throw Syntax($"control character \\u{c:X4} inside a string");
                if (c == (byte)'\\')
                {
                    if (_p + 1 >= _end) throw Syntax("unexpected end of the document inside a string");
                    var e = _b[_p + 1];
                    if (e == (byte)'u')
                    {
                        if (_p + 5 >= _end) throw Syntax("unexpected end of the document inside a string");
                        for (var i = 2; i <= 5; i++) if (!IsHex(_b[_p + i])) throw Syntax("bad \\u escape");
                        _p += 6;
                        continue;
                    }
                    if (Array.IndexOf(s_escapes, e) < 0) throw Syntax("bad escape");
                    _p += 2;
                    continue;
                }
                _p++;
            }
        }

        private static readonly byte[] s_escapes = { (byte)'"', (byte)'\\', (byte)'/', (byte)'b', (byte)'f', (byte)'n', (byte)'r', (byte)'t' };
        private static bool IsHex(byte c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        private string ReadString()
        {
            var (s, e) = RawString();
            return Decode(s, e);
        }

        private string Decode(int s, int e)
        {
            var hasEscape = false;
            for (var i = s; i < e; i++) if (_b[i] == (byte)'\\') { hasEscape = true; break; }
            string raw;
            try { raw = s_utf8.GetString(_b, s, e - s); }
            catch (DecoderFallbackException) { throw Syntax("a string is not valid UTF-8"); }
            return hasEscape ? Unescape(raw) : raw;
        }

        private static readonly UTF8Encoding s_utf8 = new UTF8Encoding(false, true);

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

        /// <summary>Skips any JSON value, checking its syntax.</summary>
        private void SkipValue(int depth)
        {
            if (depth > 128) throw Syntax("nesting deeper than 128 levels");
            var c = Peek();
            switch (c)
            {
                case (byte)'"': RawString(); return;
                case (byte)'{':
                    _p++; Ws();
                    if (Peek() == (byte)'}') { _p++; return; }
                    var keys = EnterObject();
                    while (true)
                    {
                        Ws();
                        var (ks, ke) = RawString();
                        keys.Add(this, ks, ke);
                        Ws(); Expect((byte)':'); Ws(); SkipValue(depth + 1); Ws();
                        var n = Next();
                        if (n == (byte)'}') { _depth--; return; }
                        if (n != (byte)',') throw Syntax("expected ',' or '}' in an object");
                    }
                case (byte)'[':
                    _p++; Ws();
                    if (Peek() == (byte)']') { _p++; return; }
                    while (true)
                    {
                        Ws(); SkipValue(depth + 1); Ws();
                        var n = Next();
                        if (n == (byte)']') return;
                        if (n != (byte)',') throw Syntax("expected ',' or ']' in an array");
                    }
                case (byte)'t': Word("true"); return;
                case (byte)'f': Word("false"); return;
                case (byte)'n': Word("null"); return;
                default:
                    if (c == (byte)'-' || (c >= (byte)'0' && c <= (byte)'9')) { Number(); return; }
                    throw Syntax($"unexpected character '{(c < 0x20 || c > 0x7E ? "\\u" + c.ToString("X4", CultureInfo.InvariantCulture) : ((char)c).ToString())}'");
            }
        }

        private void Word(string w)
        {
            for (var i = 0; i < w.Length; i++)
                if (_p + i >= _end || _b[_p + i] != (byte)w[i]) throw Syntax($"expected '{w}'");
            _p += w.Length;
        }

        private void Number()
        {
            var start = _p;
            if (_b[_p] == (byte)'-') _p++;
            var digits = 0;
            while (_p < _end && _b[_p] >= (byte)'0' && _b[_p] <= (byte)'9') { _p++; digits++; }
            if (digits == 0) throw Syntax("a number needs digits");
            if (_p < _end && _b[_p] == (byte)'.')
            {
                _p++; digits = 0;
                while (_p < _end && _b[_p] >= (byte)'0' && _b[_p] <= (byte)'9') { _p++; digits++; }
                if (digits == 0) throw Syntax("a number needs digits after '.'");
            }
            if (_p < _end && (_b[_p] == (byte)'e' || _b[_p] == (byte)'E'))
            {
                _p++;
                if (_p < _end && (_b[_p] == (byte)'+' || _b[_p] == (byte)'-')) _p++;
                digits = 0;
                while (_p < _end && _b[_p] >= (byte)'0' && _b[_p] <= (byte)'9') { _p++; digits++; }
                if (digits == 0) throw Syntax("a number needs digits in its exponent");
            }
            _ = start;
        }

        private bool Is(int s, int e, string key)
        {
            if (e - s != key.Length) return false;
            for (var i = 0; i < key.Length; i++) if (_b[s + i] != (byte)key[i]) return false;
            return true;
        }

        private bool Same(int s, int e, byte[] what)
        {
            if (e - s != what.Length) return false;
            for (var i = 0; i < what.Length; i++) if (_b[s + i] != what[i]) return false;
            return true;
        }

        private ulong Hash(int s1, int e1, int s2, int e2)
        {
            var h = 14695981039346656037UL;
            for (var i = s1; i < e1; i++) { h ^= _b[i]; h *= 1099511628211UL; }
            h ^= 0xFF; h *= 1099511628211UL;
            for (var i = s2; i < e2; i++) { h ^= _b[i]; h *= 1099511628211UL; }
            return h;
        }

        // ------------------------------------------------------------ errors

        private ReportFormatException Invalid(string why) => new ReportFormatException(_source, why);

        private ReportFormatException Syntax(string why)
        {
            int line = 1, col = 1;
            for (var i = 0; i < Math.Min(_p, _end); i++)
            {
                if (_b[i] == (byte)'\n') { line++; col = 1; }
                else if ((_b[i] & 0xC0) != 0x80) col++;
            }
            return new ReportFormatException(_source, $"not valid JSON (line {line}, column {col}: {why})");
        }

        private ReportFormatException Format(string why) => Invalid(why);
    }
}
