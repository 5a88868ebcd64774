using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WaHardening.Core.Reporting
{
    /// <summary>
    /// A forward-only CSV reader (RFC 4180: comma separated, fields in double quotes may hold commas, quotes doubled and
    /// line breaks; CRLF or LF) for the Intune report exports, one row at a time: nothing but the current row is held, so
    /// a report of millions of rows reads in constant memory. A field longer than <see cref="MaxField"/> characters or a
    /// quote left open at the end is a <see cref="FormatException"/> naming the row.
    /// </summary>
    public sealed class CsvRows
    {
        public const int MaxField = 1 << 20;
        private readonly TextReader _r;
        private readonly StringBuilder _field = new StringBuilder();
        private readonly List<string> _row = new List<string>();
        private readonly string _source;

        public CsvRows(TextReader reader, string source) { _r = reader; _source = source; }

        /// <summary>The number of rows read so far (the header included).</summary>
        public long Row { get; private set; }

        /// <summary>The next row, or null at the end. The list is reused: copy what you keep.</summary>
        public IReadOnlyList<string>? Next()
        {
            _row.Clear();
            _field.Clear();
            var c = _r.Read();
            if (c < 0) return null;
            if (Row == 0 && c == 0xFEFF) c = _r.Read(); // a byte-order mark before the header
            Row++;
            var quoted = false;
            while (true)
            {
                if (c < 0)
                {
                    if (quoted) throw new FormatException($"{_source}: row {Row}: a quoted field is not closed");
                    _row.Add(_field.ToString());
                    return _row;
                }
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (_r.Peek() == '"') { _r.Read(); Append('"'); }
                        else quoted = false;
                    }
                    else Append((char)c);
                }
                else if (c == '"' && _field.Length == 0) quoted = true;
                else if (c == ',') { _row.Add(_field.ToString()); _field.Clear(); }
                else if (c == '\r' && _r.Peek() == '\n') { }
                else if (c == '\n') { _row.Add(_field.ToString()); return _row; }
                else Append((char)c);
                c = _r.Read();
            }
        }

        private void Append(char ch)
        {
            if (_field.Length >= MaxField) throw new FormatException($"{_source}: row {Row}: a field is longer than {MaxField} characters");
            _field.Append(ch);
        }

        /// <summary>The column indexes of <paramref name="names"/> in a header row (-1 where missing).</summary>
        public static int[] Columns(IReadOnlyList<string> header, params string[] names)
        {
            var r = new int[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                r[i] = -1;
                for (var j = 0; j < header.Count; j++) if (string.Equals(header[j].Trim(), names[i], StringComparison.OrdinalIgnoreCase)) { r[i] = j; break; }
            }
            return r;
        }
    }
}
