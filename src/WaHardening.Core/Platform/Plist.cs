using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Xml;
using WaHardening.Core.Json;

namespace WaHardening.Core.Platform
{
    /// <summary>A property list that cannot be read (file and reason in the message).</summary>
    public sealed class PlistFormatException : Exception
    {
        public PlistFormatException(string message) : base(message) { }
    }

    /// <summary>
    /// Reads property lists the way macOS's CFPropertyList does for the two formats managed preferences are written in:
    /// XML (<c>&lt;plist&gt;</c>, DTD ignored, no external entities) and binary (<c>bplist00</c>: trailer, offset table, object
    /// references). Values become the JSON model (dict → object, array → array, string, integer/real → number, true/false,
    /// date → ISO 8601 string, data → base64 string). Bounded: nesting at most <see cref="MaxDepth"/>, every offset and length
    /// checked against the file, object references checked against the object count, so a hostile file is an error, never a
    /// hang or an unbounded allocation.
    /// </summary>
    public static class Plist
    {
        public const int MaxDepth = 64;
        /// <summary>At most this many values are decoded from one binary plist.</summary>
        public const int MaxValues = 1_000_000;

        public static JsonValue Parse(byte[] bytes)
        {
            if (bytes.Length >= 8 && Encoding.ASCII.GetString(bytes, 0, 6) == "bplist")
            {
                if (Encoding.ASCII.GetString(bytes, 6, 2) != "00") throw new PlistFormatException($"binary plist version '{Encoding.ASCII.GetString(bytes, 6, 2)}' is not 00");
                return new Binary(bytes).Read();
            }
            return ParseXml(bytes);
        }

        // ------------------------------------------------------------ XML

        private static JsonValue ParseXml(byte[] bytes)
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true, IgnoreProcessingInstructions = true };
            try
            {
                using var reader = XmlReader.Create(new MemoryStream(bytes, false), settings);
                reader.MoveToContent();
                if (reader.NodeType != XmlNodeType.Element || reader.Name != "plist") throw new PlistFormatException("not a property list (no <plist> root)");
                if (!reader.Read()) throw new PlistFormatException("an empty <plist>");
                var v = Xml(reader, 0);
                return v;
            }
            catch (XmlException e) { throw new PlistFormatException("not well-formed XML: " + e.Message); }
        }

        private static JsonValue Xml(XmlReader r, int depth)
        {
            if (depth > MaxDepth) throw new PlistFormatException($"nesting deeper than {MaxDepth} levels");
            while (r.NodeType != XmlNodeType.Element) { if (!r.Read()) throw new PlistFormatException("a value is missing"); }
            var name = r.Name;
            switch (name)
            {
                case "dict":
                {
                    var o = new JsonObject();
                    if (r.IsEmptyElement) { r.Read(); return o; }
                    r.Read();
                    while (r.NodeType != XmlNodeType.EndElement)
                    {
                        if (r.NodeType != XmlNodeType.Element || r.Name != "key") throw new PlistFormatException($"<dict> holds <{r.Name}> where a <key> belongs");
                        var key = r.ReadElementContentAsString();
                        if (o.Contains(key)) throw new PlistFormatException($"the key '{key}' appears twice in one <dict>");
                        o.Set(key, Xml(r, depth + 1));
                    }
                    r.Read();
                    return o;
                }
                case "array":
                {
                    var a = new JsonArray();
                    if (r.IsEmptyElement) { r.Read(); return a; }
                    r.Read();
                    while (r.NodeType != XmlNodeType.EndElement) a.Add(Xml(r, depth + 1));
                    r.Read();
                    return a;
                }
                case "true": case "false":
                    r.Skip();
                    return new JsonBoolean(name == "true");
                case "string": return new JsonString(r.ReadElementContentAsString());
                case "date": return new JsonString(r.ReadElementContentAsString().Trim());
                case "data": return new JsonString(r.ReadElementContentAsString().Replace("\n", "").Replace("\t", "").Replace(" ", ""));
                case "integer":
                {
                    var t = r.ReadElementContentAsString().Trim();
                    if (!long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) throw new PlistFormatException($"<integer>{t}</integer> is not a 64-bit integer");
                    return new JsonNumber(n);
                }
                case "real":
                {
                    var t = r.ReadElementContentAsString().Trim();
                    if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) throw new PlistFormatException($"<real>{t}</real> is not a number");
                    return new JsonNumber(d);
                }
                default: throw new PlistFormatException($"<{name}> is not a property list element");
            }
        }

        // ------------------------------------------------------------ binary

        private sealed class Binary
        {
            private readonly byte[] _b;
            private readonly int _offsetSize, _refSize;
            private readonly long _count, _top, _table;

            public Binary(byte[] b)
            {
                _b = b;
                if (b.Length < 8 + 32) throw new PlistFormatException("a binary plist shorter than its header and trailer");
                var t = b.Length - 32;
                _offsetSize = b[t + 6];
                _refSize = b[t + 7];
                _count = (long)UInt(t + 8, 8);
                _top = (long)UInt(t + 16, 8);
                _table = (long)UInt(t + 24, 8);
                if (_offsetSize < 1 || _offsetSize > 8 || _refSize < 1 || _refSize > 8) throw new PlistFormatException("the trailer's integer sizes are out of range");
                if (_count < 1 || _count > b.Length) throw new PlistFormatException($"the trailer names {_count} objects, impossible in {b.Length} bytes");
                if (_top < 0 || _top >= _count) throw new PlistFormatException("the top object is not one of the objects");
                if (_table < 8 || _table + _count * _offsetSize > t) throw new PlistFormatException("the offset table lies outside the file");
            }

            public JsonValue Read() => Object(_top, 0);

            private ulong UInt(long at, int size)
            {
                if (at < 0 || at + size > _b.Length) throw new PlistFormatException($"a {size}-byte integer at offset {at} lies outside the file");
                ulong v = 0;
                for (var i = 0; i < size; i++) v = (v << 8) | _b[at + i];
                return v;
            }

            private long Offset(long obj)
            {
                if (obj < 0 || obj >= _count) throw new PlistFormatException($"object reference {obj} is not one of the {_count} objects");
                var o = (long)UInt(_table + obj * _offsetSize, _offsetSize);
                if (o < 8 || o >= _table) throw new PlistFormatException($"object {obj} starts at offset {o}, outside the object area");
                return o;
            }

            /// <summary>The length of a data/string/array/dict object and where its content starts.</summary>
            private (long Length, long Start) Length(long at, int low)
            {
                if (low != 0xF) return (low, at + 1);
                var marker = _b[Check(at + 1)];
                if (marker >> 4 != 0x1) throw new PlistFormatException($"the length at offset {at + 1} is not an integer");
                var size = 1 << (marker & 0xF);
                if (size > 8) throw new PlistFormatException($"a length of {size} bytes at offset {at + 1}");
                var len = UInt(at + 2, size);
                if (len > (ulong)_b.Length) throw new PlistFormatException($"a length of {len} at offset {at + 1} is larger than the file");
                return ((long)len, at + 2 + size);
            }

            private long Check(long at) => at >= 0 && at < _b.Length ? at : throw new PlistFormatException($"offset {at} lies outside the file");

            private long _decoded;

            private JsonValue Object(long obj, int depth)
            {
                if (depth > MaxDepth) throw new PlistFormatException($"nesting deeper than {MaxDepth} levels (or a reference cycle)");
                // Shared references could make a small file decode into an exponential tree: the values decoded are bounded.
                if (++_decoded > MaxValues) throw new PlistFormatException($"more than {MaxValues} values (objects referenced over and over)");
                var at = Offset(obj);
                var marker = _b[at];
                int type = marker >> 4, low = marker & 0xF;
                switch (type)
                {
                    case 0x0:
                        if (marker == 0x08) return new JsonBoolean(false);
                        if (marker == 0x09) return new JsonBoolean(true);
                        if (marker == 0x00) return JsonNull.Instance;
                        throw new PlistFormatException($"marker 0x{marker:X2} at offset {at} is not a value");
                    case 0x1:
                    {
                        var size = 1 << low;
                        if (size == 16) return new JsonNumber((long)UInt(at + 1 + 8, 8));   // 128-bit: the low 64 bits
                        if (size > 8) throw new PlistFormatException($"an integer of {size} bytes at offset {at}");
                        var u = UInt(at + 1, size);
                        return new JsonNumber(size == 8 ? (long)u : (long)u);
                    }
                    case 0x2:
                    {
                        var size = 1 << low;
                        if (size == 4) return new JsonNumber((double)BitConverter.ToSingle(BitConverter.GetBytes((uint)UInt(at + 1, 4)), 0));
                        if (size == 8) return new JsonNumber(BitConverter.Int64BitsToDouble((long)UInt(at + 1, 8)));
                        throw new PlistFormatException($"a real of {size} bytes at offset {at}");
                    }
                    case 0x3:
                    {
                        var seconds = BitConverter.Int64BitsToDouble((long)UInt(at + 1, 8));
                        var date = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(seconds);
                        return new JsonString(date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                    }
                    case 0x4:
                    {
                        var (len, start) = Length(at, low);
                        if (start + len > _table) throw new PlistFormatException($"data at offset {at} runs past the object area");
                        return new JsonString(Convert.ToBase64String(_b, (int)start, (int)len));
                    }
                    case 0x5:
                    {
                        var (len, start) = Length(at, low);
                        if (start + len > _table) throw new PlistFormatException($"a string at offset {at} runs past the object area");
                        return new JsonString(Encoding.ASCII.GetString(_b, (int)start, (int)len));
                    }
                    case 0x6:
                    {
                        var (len, start) = Length(at, low);
                        if (start + len * 2 > _table) throw new PlistFormatException($"a string at offset {at} runs past the object area");
                        return new JsonString(Encoding.BigEndianUnicode.GetString(_b, (int)start, (int)len * 2));
                    }
                    case 0xA:
                    {
                        var (len, start) = Length(at, low);
                        if (start + len * _refSize > _table) throw new PlistFormatException($"an array at offset {at} runs past the object area");
                        var a = new JsonArray();
                        for (long i = 0; i < len; i++) a.Add(Object((long)UInt(start + i * _refSize, _refSize), depth + 1));
                        return a;
                    }
                    case 0xD:
                    {
                        var (len, start) = Length(at, low);
                        if (start + len * 2 * _refSize > _table) throw new PlistFormatException($"a dictionary at offset {at} runs past the object area");
                        var o = new JsonObject();
                        for (long i = 0; i < len; i++)
                        {
                            if (Object((long)UInt(start + i * _refSize, _refSize), depth + 1) is not JsonString key)
                                throw new PlistFormatException($"a dictionary key at offset {at} is not a string");
                            if (o.Contains(key.Value)) throw new PlistFormatException($"the key '{key.Value}' appears twice in one dictionary");
                            o.Set(key.Value, Object((long)UInt(start + (len + i) * _refSize, _refSize), depth + 1));
                        }
                        return o;
                    }
                    default:
                        throw new PlistFormatException($"marker 0x{marker:X2} at offset {at} is not a property list type this reader takes");
                }
            }
        }
    }
}
