using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace WaHardening.Core.Sessions.Formats
{
    /// <summary>
    /// Read-only reader of the SQLite 3 file format from bytes (Chromium's <c>Cookies</c>, Firefox's
    /// <c>cookies.sqlite</c>, <c>webappsstore.sqlite</c>, ...). Reads the database file and, when present, its
    /// <c>-wal</c> (the last committed version of each page from the valid, checksummed frames up to the last commit
    /// frame) and a hot <c>-journal</c> (a writer stopped mid-transaction: the journal's original pages are put back in
    /// memory, as SQLite's rollback would, so the reader sees the last committed state). Never opens a file for writing,
    /// never takes a lock. See docs/ARCHITECTURE.md, "Sessions/Formats".
    /// </summary>
    public sealed class SqliteDatabase
    {
        private readonly string _path;
        private readonly Dictionary<uint, byte[]> _pages = new Dictionary<uint, byte[]>();
        private readonly byte[] _db;
        private readonly int _pageSize;
        private readonly int _usable;
        private readonly uint _pageCount;
        private readonly Encoding _text;
        private readonly Dictionary<string, (uint Root, string Sql)> _tables = new Dictionary<string, (uint, string)>(StringComparer.OrdinalIgnoreCase);

        private SqliteDatabase(string path, byte[] db, int pageSize, int reserved, uint pageCount, Encoding text)
        {
            _path = path; _db = db; _pageSize = pageSize; _usable = pageSize - reserved; _pageCount = pageCount; _text = text;
        }

        /// <summary>The database file's full path.</summary>
        public string Path => _path;

        /// <summary>The table names of <c>sqlite_schema</c>.</summary>
        public IReadOnlyCollection<string> Tables => _tables.Keys;

        /// <summary>Opens a database for reading (everything is read into memory at once, at most <paramref name="maxBytes"/>
        /// over the database, WAL and journal files).</summary>
        /// <exception cref="WaHardeningException">SessionStoreCorrupt, SessionStoreTooLarge, SessionStoreUnsafe, SessionStoreIoFailed.</exception>
        public static SqliteDatabase Open(string path, long maxBytes = 256L << 20)
        {
            if (string.IsNullOrEmpty(path)) throw new ArgumentException("A database path is required.", nameof(path));
            path = System.IO.Path.GetFullPath(path);
            var budget = maxBytes;
            var db = FormatFiles.ReadRegular(path, ref budget);
            if (db == null) throw new WaHardeningException(ErrorIds.SessionStoreIoFailed, WaErrorCategory.ObjectNotFound, $"{path}: the database file does not exist", path);
            if (db.Length < 100) throw FormatFiles.Corrupt(path, $"is {db.Length} bytes, shorter than the SQLite header");
            var magic = Encoding.ASCII.GetString(db, 0, 16);
            if (magic != "SQLite format 3\0") throw FormatFiles.Corrupt(path, "is not an SQLite 3 database (no 'SQLite format 3' header)");
            var ps = db[16] << 8 | db[17];
            var pageSize = ps == 1 ? 65536 : ps;
            if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0) throw FormatFiles.Corrupt(path, $"header declares page size {ps}");
            var reserved = db[20];
            if (pageSize - reserved < 480) throw FormatFiles.Corrupt(path, $"header reserves {reserved} bytes of each {pageSize}-byte page");
            var enc = FormatFiles.ReadUInt32BE(db, 56);
            Encoding text = enc switch
            {
                0 or 1 => new UTF8Encoding(false, false),
                2 => new UnicodeEncoding(false, false, false),
                3 => new UnicodeEncoding(true, false, false),
                _ => throw FormatFiles.Corrupt(path, $"header declares text encoding {enc}"),
            };
            // The page count: the header's when it is valid (version-valid-for equals the change counter), else the size.
            var filePages = (uint)(db.Length / pageSize);
            var headerPages = FormatFiles.ReadUInt32BE(db, 28);
            var pageCount = headerPages != 0 && FormatFiles.ReadUInt32BE(db, 92) == FormatFiles.ReadUInt32BE(db, 24) ? Math.Min(headerPages, filePages) : filePages;

            var s = new SqliteDatabase(path, db, pageSize, reserved, pageCount, text);
            var journal = FormatFiles.ReadRegular(path + "-journal", ref budget);
            var wal = FormatFiles.ReadRegular(path + "-wal", ref budget);
            if (journal != null && journal.Length > 0) s.pageCountOverride = s.Rollback(journal, path + "-journal");
            if (wal != null && wal.Length > 0) s.ApplyWal(wal, path + "-wal");
            s.LoadSchema();
            return s;
        }

        private uint? pageCountOverride;
        private uint PageCount => pageCountOverride ?? _pageCount;

        /// <summary>True when <c>sqlite_schema</c> has a table of this name (case-insensitive, as SQL names are).</summary>
        public bool HasTable(string table) => _tables.ContainsKey(table);

        /// <summary>The table's column names, from its CREATE TABLE statement.</summary>
        public IReadOnlyList<string> Columns(string table)
        {
            var cols = Schema(table);
            var r = new List<string>(cols.Count);
            foreach (var c in cols) r.Add(c.Name);
            return r;
        }

        /// <summary>The table's rows in rowid order: long, double, string, byte[] or null per column; an
        /// INTEGER PRIMARY KEY column holds the rowid; columns added later by ALTER TABLE get their DEFAULT.</summary>
        public IEnumerable<object?[]> Rows(string table)
        {
            var cols = Schema(table);
            var root = _tables[table].Root;
            var rows = new List<object?[]>();
            WalkTable(root, table, (rowid, payload) =>
            {
                var values = DecodeRecord(payload, table);
                var row = new object?[cols.Count];
                for (var i = 0; i < cols.Count; i++)
                {
                    if (cols[i].IsRowid) row[i] = rowid;
                    // REAL affinity: SQLite stores an integral real as an integer and reads it back as a real.
                    else if (i < values.Count) row[i] = cols[i].RealAffinity && values[i] is long l ? (double)l : values[i];
                    else row[i] = cols[i].Default;
                }
                rows.Add(row);
            });
            return rows;
        }

        /// <summary>The rowids of the table's rows, in order (the same order as <see cref="Rows"/>).</summary>
        public IReadOnlyList<long> RowIds(string table)
        {
            Schema(table);
            var r = new List<long>();
            WalkTable(_tables[table].Root, table, (rowid, _) => r.Add(rowid));
            return r;
        }

        internal sealed class Column
        {
            public string Name = "";
            public bool IsRowid;
            public bool RealAffinity;
            public object? Default;
        }

        private readonly Dictionary<string, List<Column>> _schemas = new Dictionary<string, List<Column>>(StringComparer.OrdinalIgnoreCase);

        private List<Column> Schema(string table)
        {
            if (!_tables.TryGetValue(table, out var t))
                throw new WaHardeningException(ErrorIds.SessionStoreCorrupt, WaErrorCategory.ObjectNotFound, $"{_path}: has no table '{table}'", _path);
            if (_schemas.TryGetValue(table, out var cols)) return cols;
            cols = SqlSchema.ParseCreateTable(t.Sql, _path, table);
            _schemas[table] = cols;
            return cols;
        }

        // ------------------------------------------------------------------------------------------------------
        // Pages: file, WAL, journal

        private byte[] Page(uint number, string what)
        {
            if (number == 0 || number > PageCount) throw FormatFiles.Corrupt(_path, $"{what}: page {number} is outside the database's {PageCount} pages");
            if (_pages.TryGetValue(number, out var p)) return p;
            var off = (long)(number - 1) * _pageSize;
            if (off + _pageSize > _db.Length) throw FormatFiles.Corrupt(_path, $"{what}: page {number} is past the end of the file");
            p = new byte[_pageSize];
            Buffer.BlockCopy(_db, (int)off, p, 0, _pageSize);
            return p;
        }

        private void ApplyWal(byte[] wal, string file)
        {
            if (wal.Length < 32) return; // an unused or truncated WAL header: no frames (SQLite ignores it)
            var magic = FormatFiles.ReadUInt32BE(wal, 0);
            if (magic != 0x377f0682 && magic != 0x377f0683) throw FormatFiles.Corrupt(file, "is not a SQLite WAL (bad magic)");
            var bigEndian = magic == 0x377f0683;
            var walPageSize = (int)FormatFiles.ReadUInt32BE(wal, 8);
            if (walPageSize == 1) walPageSize = 65536;
            if (walPageSize != _pageSize) return; // SQLite ignores a WAL of another page size (it is reset)
            uint s0 = 0, s1 = 0;
            Checksum(wal, 0, 24, bigEndian, ref s0, ref s1);
            if (s0 != FormatFiles.ReadUInt32BE(wal, 24) || s1 != FormatFiles.ReadUInt32BE(wal, 28)) return; // invalid header: WAL ignored
            var salt1 = FormatFiles.ReadUInt32BE(wal, 16);
            var salt2 = FormatFiles.ReadUInt32BE(wal, 20);
            var frameSize = 24 + _pageSize;
            var pending = new Dictionary<uint, int>();
            var committed = new Dictionary<uint, int>();
            uint committedCount = 0;
            for (long off = 32; off + frameSize <= wal.Length; off += frameSize)
            {
                var o = (int)off;
                var pgno = FormatFiles.ReadUInt32BE(wal, o);
                var commitSize = FormatFiles.ReadUInt32BE(wal, o + 4);
                if (pgno == 0) break;
                if (FormatFiles.ReadUInt32BE(wal, o + 8) != salt1 || FormatFiles.ReadUInt32BE(wal, o + 12) != salt2) break;
                Checksum(wal, o, 8, bigEndian, ref s0, ref s1);
                Checksum(wal, o + 24, _pageSize, bigEndian, ref s0, ref s1);
                if (s0 != FormatFiles.ReadUInt32BE(wal, o + 16) || s1 != FormatFiles.ReadUInt32BE(wal, o + 20)) break;
                pending[pgno] = o + 24;
                if (commitSize != 0)
                {
                    foreach (var kv in pending) committed[kv.Key] = kv.Value;
                    pending.Clear();
                    committedCount = commitSize;
                }
            }
            if (committedCount == 0) return;
            foreach (var kv in committed)
            {
                if (kv.Key > committedCount) continue;
                var p = new byte[_pageSize];
                Buffer.BlockCopy(wal, kv.Value, p, 0, _pageSize);
                _pages[kv.Key] = p;
            }
            pageCountOverride = committedCount;
            // Pages past the file's end that the WAL does not hold would be read as missing: check lazily in Page().
            for (uint n = 1; n <= committedCount; n++)
                if (!_pages.ContainsKey(n) && (long)n * _pageSize > _db.Length)
                    _pages[n] = new byte[_pageSize];
        }

        private static void Checksum(byte[] b, int offset, int count, bool bigEndian, ref uint s0, ref uint s1)
        {
            unchecked
            {
                for (var i = offset; i + 8 <= offset + count; i += 8)
                {
                    uint x0, x1;
                    if (bigEndian) { x0 = FormatFiles.ReadUInt32BE(b, i); x1 = FormatFiles.ReadUInt32BE(b, i + 4); }
                    else { x0 = FormatFiles.ReadUInt32LE(b, i); x1 = FormatFiles.ReadUInt32LE(b, i + 4); }
                    s0 += x0 + s1;
                    s1 += x1 + s0;
                }
            }
        }

        /// <summary>
        /// A hot rollback journal: its records hold the original content of the pages the interrupted transaction
        /// changed. They are put back in memory (never on disk) up to the first record with a bad checksum, and the
        /// database is cut to its original page count, which is what SQLite's rollback would leave. A journal whose
        /// header is zeroed or truncated (persist / truncate journal modes after a commit) is not hot and is ignored.
        /// </summary>
        private uint? Rollback(byte[] j, string file)
        {
            byte[] magic = { 0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7 };
            if (j.Length < 28) return null;
            for (var i = 0; i < 8; i++) if (j[i] != magic[i]) return null;
            uint? originalPages = null;
            long hdr = 0;
            var restored = new HashSet<uint>();
            var guard = 0;
            while (hdr + 28 <= j.Length && guard++ < 1_000_000)
            {
                var h = (int)hdr;
                for (var i = 0; i < 8; i++) if (j[h + i] != magic[i]) return originalPages;
                var nRec = FormatFiles.ReadUInt32BE(j, h + 8);
                var nonce = FormatFiles.ReadUInt32BE(j, h + 12);
                var origSize = FormatFiles.ReadUInt32BE(j, h + 16);
                var sector = FormatFiles.ReadUInt32BE(j, h + 20);
                var jPageSize = FormatFiles.ReadUInt32BE(j, h + 24);
                if (sector < 32 || sector > 65536 || (sector & (sector - 1)) != 0) throw FormatFiles.Corrupt(file, $"journal header declares sector size {sector}");
                if (jPageSize != _pageSize) throw FormatFiles.Corrupt(file, $"journal page size {jPageSize} differs from the database's {_pageSize}");
                originalPages ??= origSize;
                long rec = hdr + sector;
                var recSize = 8L + _pageSize;
                long max = nRec == 0xFFFFFFFF ? (j.Length - rec) / recSize : nRec;
                long k;
                for (k = 0; k < max && rec + recSize <= j.Length; k++, rec += recSize)
                {
                    var r = (int)rec;
                    var pgno = FormatFiles.ReadUInt32BE(j, r);
                    var sum = nonce;
                    for (var i = _pageSize - 200; i > 0; i -= 200) sum += j[r + 4 + i];
                    if (sum != FormatFiles.ReadUInt32BE(j, r + 4 + _pageSize)) return originalPages; // torn record: stop, as SQLite does
                    if (pgno == 0) return originalPages;
                    if (restored.Add(pgno)) // the first copy of a page is its original
                    {
                        var p = new byte[_pageSize];
                        Buffer.BlockCopy(j, r + 4, p, 0, _pageSize);
                        _pages[pgno] = p;
                    }
                }
                if (nRec == 0 || nRec == 0xFFFFFFFF || k < max) break;
                hdr = ((rec + sector - 1) / sector) * sector;
            }
            return originalPages;
        }

        // ------------------------------------------------------------------------------------------------------
        // B-trees

        private void LoadSchema()
        {
            // Page 1 must hold a table b-tree (a fresh, empty database has one with no cells).
            WalkTable(1, "sqlite_schema", (rowid, payload) =>
            {
                var v = DecodeRecord(payload, "sqlite_schema");
                if (v.Count < 5) return;
                if (v[0] is string type && type == "table" && v[1] is string name && v[3] is long root && v[4] is string sql)
                {
                    if (root <= 0 || root > uint.MaxValue) throw FormatFiles.Corrupt(_path, $"table '{name}' has root page {root}");
                    _tables[name] = ((uint)root, sql);
                }
            });
        }

        /// <summary>Walks a table b-tree depth first, left to right; every page is visited at most once (a page reached
        /// twice is a cycle or a shared subtree: corrupt), depth at most 64.</summary>
        private void WalkTable(uint root, string table, Action<long, byte[]> row)
        {
            var seen = new HashSet<uint>();
            var stack = new Stack<(uint Page, int Depth)>();
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (pgno, depth) = stack.Pop();
                if (depth > 64) throw FormatFiles.Corrupt(_path, $"table '{table}': b-tree deeper than 64 levels at page {pgno}");
                if (!seen.Add(pgno)) throw FormatFiles.Corrupt(_path, $"table '{table}': page {pgno} is reached twice (a cycle in the b-tree)");
                var page = Page(pgno, $"table '{table}'");
                var h = pgno == 1 ? 100 : 0;
                var kind = page[h];
                var cells = page[h + 3] << 8 | page[h + 4];
                if (kind == 0x0D)
                {
                    var ptrs = h + 8;
                    if (ptrs + cells * 2 > _usable) throw FormatFiles.Corrupt(_path, $"table '{table}': page {pgno} declares {cells} cells, more than it holds");
                    for (var i = 0; i < cells; i++)
                    {
                        var c = page[ptrs + 2 * i] << 8 | page[ptrs + 2 * i + 1];
                        if (c < ptrs + cells * 2 || c >= _usable) throw FormatFiles.Corrupt(_path, $"table '{table}': page {pgno} cell {i} at offset {c} is outside the cell area");
                        var p = c;
                        var payloadSize = ReadVarint(page, ref p, _usable, pgno);
                        var rowid = (long)ReadVarint(page, ref p, _usable, pgno);
                        row(rowid, Payload(page, p, payloadSize, pgno, table));
                    }
                }
                else if (kind == 0x05)
                {
                    var ptrs = h + 12;
                    if (ptrs + cells * 2 > _usable) throw FormatFiles.Corrupt(_path, $"table '{table}': page {pgno} declares {cells} cells, more than it holds");
                    // Push right-most first so children pop in key order.
                    stack.Push((FormatFiles.ReadUInt32BE(page, h + 8), depth + 1));
                    for (var i = cells - 1; i >= 0; i--)
                    {
                        var c = page[ptrs + 2 * i] << 8 | page[ptrs + 2 * i + 1];
                        if (c < ptrs + cells * 2 || c + 4 > _usable) throw FormatFiles.Corrupt(_path, $"table '{table}': page {pgno} cell {i} at offset {c} is outside the cell area");
                        stack.Push((FormatFiles.ReadUInt32BE(page, c), depth + 1));
                    }
                }
                else if (kind == 0x0A || kind == 0x02)
                    throw FormatFiles.Corrupt(_path, $"table '{table}' is stored as an index b-tree (a WITHOUT ROWID table), which this reader does not read");
                else throw FormatFiles.Corrupt(_path, $"table '{table}': page {pgno} has b-tree page type {kind}, not a table page");
            }
        }

        /// <summary>A cell's payload: the local part, then the overflow chain (each overflow page at most once, the chain
        /// exactly as long as the payload needs).</summary>
        private byte[] Payload(byte[] page, int p, ulong size, uint pgno, string table)
        {
            if (size > (ulong)PageCount * (ulong)_usable) throw FormatFiles.Corrupt(_path, $"table '{table}': a cell of page {pgno} declares a payload of {size} bytes, more than the database holds");
            var n = (int)size;
            var x = _usable - 35;
            int local;
            if (n <= x) local = n;
            else
            {
                var m = ((_usable - 12) * 32 / 255) - 23;
                var k = m + ((n - m) % (_usable - 4));
                local = k <= x ? k : m;
            }
            if (p + local > _usable || (local < n && p + local + 4 > _usable))
                throw FormatFiles.Corrupt(_path, $"table '{table}': a cell of page {pgno} runs past the page");
            var r = new byte[n];
            Buffer.BlockCopy(page, p, r, 0, local);
            var o = local;
            if (o == n) return r;
            var next = FormatFiles.ReadUInt32BE(page, p + local);
            var seen = new HashSet<uint>();
            while (o < n)
            {
                if (next == 0) throw FormatFiles.Corrupt(_path, $"table '{table}': overflow chain of a cell on page {pgno} ends after {o} of {n} bytes");
                if (!seen.Add(next)) throw FormatFiles.Corrupt(_path, $"table '{table}': overflow chain of a cell on page {pgno} loops at page {next}");
                var ov = Page(next, $"table '{table}' overflow chain");
                var take = Math.Min(_usable - 4, n - o);
                Buffer.BlockCopy(ov, 4, r, o, take);
                o += take;
                next = FormatFiles.ReadUInt32BE(ov, 0);
            }
            return r;
        }

        private ulong ReadVarint(byte[] b, ref int p, int end, uint pgno)
        {
            ulong v = 0;
            for (var i = 0; i < 9; i++)
            {
                if (p >= end) throw FormatFiles.Corrupt(_path, $"page {pgno}: truncated varint");
                var x = b[p++];
                if (i == 8) return (v << 8) | x;
                v = (v << 7) | (uint)(x & 0x7F);
                if (x < 0x80) return v;
            }
            return v;
        }

        private List<object?> DecodeRecord(byte[] r, string table)
        {
            var p = 0;
            var headerSize = ReadVarint(r, ref p, r.Length, 0);
            if (headerSize > (ulong)r.Length || headerSize < (ulong)p) throw FormatFiles.Corrupt(_path, $"table '{table}': a record header of {headerSize} bytes runs past its {r.Length}-byte record");
            var hEnd = (int)headerSize;
            var types = new List<ulong>();
            while (p < hEnd) types.Add(ReadVarint(r, ref p, hEnd, 0));
            var d = hEnd;
            var values = new List<object?>(types.Count);
            foreach (var t in types)
            {
                long len = t switch
                {
                    0 or 8 or 9 => 0,
                    1 => 1, 2 => 2, 3 => 3, 4 => 4, 5 => 6, 6 => 8, 7 => 8,
                    10 or 11 => throw FormatFiles.Corrupt(_path, $"table '{table}': record uses reserved serial type {t}"),
                    _ => t > int.MaxValue ? throw FormatFiles.Corrupt(_path, $"table '{table}': serial type {t} is too large") : (long)(t - 12) / 2,
                };
                if (len > r.Length - d) throw FormatFiles.Corrupt(_path, $"table '{table}': a value of {len} bytes runs past its {r.Length}-byte record");
                switch (t)
                {
                    case 0: values.Add(null); break;
                    case 8: values.Add(0L); break;
                    case 9: values.Add(1L); break;
                    case 7: values.Add(BitConverter.Int64BitsToDouble((long)BigEndian(r, d, 8))); break;
                    case 1: case 2: case 3: case 4: case 5: case 6:
                        {
                            var u = BigEndian(r, d, (int)len);
                            var shift = 64 - 8 * (int)len;
                            values.Add((long)(u << shift) >> shift);
                            break;
                        }
                    default:
                        if ((t & 1) == 0) values.Add(LevelDb.Copy(r, d, (int)len));
                        else values.Add(_text.GetString(r, d, (int)len));
                        break;
                }
                d += (int)len;
            }
            return values;
        }

        private static ulong BigEndian(byte[] b, int o, int n)
        {
            ulong v = 0;
            for (var i = 0; i < n; i++) v = (v << 8) | b[o + i];
            return v;
        }
    }

    /// <summary>The column list of a CREATE TABLE statement (names, INTEGER PRIMARY KEY, literal defaults).</summary>
    internal static class SqlSchema
    {
        private static readonly string[] s_constraints = { "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN" };

        internal static List<SqliteDatabase.Column> ParseCreateTable(string sql, string file, string table)
        {
            var open = sql.IndexOf('(');
            if (open < 0) throw FormatFiles.Corrupt(file, $"table '{table}': CREATE TABLE statement without a column list (CREATE TABLE ... AS is not read)");
            var parts = new List<string>();
            var depth = 0;
            var start = open + 1;
            var i = start;
            var closed = false;
            for (; i < sql.Length && !closed; i++)
            {
                var c = sql[i];
                if (c == '\'' || c == '"' || c == '`') { i = SkipQuoted(sql, i, c, file, table); continue; }
                if (c == '[') { var e = sql.IndexOf(']', i); if (e < 0) throw FormatFiles.Corrupt(file, $"table '{table}': unterminated [name]"); i = e; continue; }
                if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-') { var e = sql.IndexOf('\n', i); i = e < 0 ? sql.Length : e; continue; }
                if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*') { var e = sql.IndexOf("*/", i + 2, StringComparison.Ordinal); i = e < 0 ? sql.Length : e + 1; continue; }
                if (c == '(') depth++;
                else if (c == ')')
                {
                    if (depth == 0) { parts.Add(sql.Substring(start, i - start)); closed = true; }
                    else depth--;
                }
                else if (c == ',' && depth == 0) { parts.Add(sql.Substring(start, i - start)); start = i + 1; }
            }
            if (!closed) throw FormatFiles.Corrupt(file, $"table '{table}': CREATE TABLE statement has an unbalanced column list");
            var cols = new List<SqliteDatabase.Column>();
            foreach (var raw in parts)
            {
                var def = raw.Trim();
                if (def.Length == 0) continue;
                var tokens = Tokens(def, file, table);
                if (tokens.Count == 0) continue;
                var first = tokens[0].Text.ToUpperInvariant();
                if (!tokens[0].Quoted && Array.IndexOf(s_constraints, first) >= 0) continue; // a table constraint
                var col = new SqliteDatabase.Column { Name = tokens[0].Text };
                // The declared type: the words after the name up to the first constraint keyword.
                var typeWords = new List<string>();
                var k = 1;
                for (; k < tokens.Count; k++)
                {
                    var u = tokens[k].Text.ToUpperInvariant();
                    if (tokens[k].Quoted || u == "(" || u == "CONSTRAINT" || u == "PRIMARY" || u == "NOT" || u == "NULL" || u == "UNIQUE" || u == "CHECK"
                        || u == "DEFAULT" || u == "COLLATE" || u == "REFERENCES" || u == "GENERATED" || u == "AS") break;
                    typeWords.Add(u);
                }
                var type = string.Join(" ", typeWords);
                // SQLite's affinity rules, in order: INT, then CHAR/CLOB/TEXT, then BLOB or none, then REAL/FLOA/DOUB.
                col.RealAffinity = !type.Contains("INT") && !type.Contains("CHAR") && !type.Contains("CLOB") && !type.Contains("TEXT")
                    && !type.Contains("BLOB") && (type.Contains("REAL") || type.Contains("FLOA") || type.Contains("DOUB"));
                for (var q = 1; q < tokens.Count; q++)
                {
                    var u = tokens[q].Quoted ? "" : tokens[q].Text.ToUpperInvariant();
                    if (u == "PRIMARY" && q + 1 < tokens.Count && tokens[q + 1].Text.ToUpperInvariant() == "KEY" && type == "INTEGER")
                    {
                        // INTEGER PRIMARY KEY DESC is not a rowid alias (a quirk SQLite keeps).
                        var desc = q + 2 < tokens.Count && tokens[q + 2].Text.ToUpperInvariant() == "DESC";
                        if (!desc) col.IsRowid = true;
                    }
                    if (u == "DEFAULT" && q + 1 < tokens.Count) col.Default = Literal(tokens, q + 1);
                }
                cols.Add(col);
            }
            if (cols.Count == 0) throw FormatFiles.Corrupt(file, $"table '{table}': CREATE TABLE statement names no column");
            return cols;
        }

        private static object? Literal(List<(string Text, bool Quoted, char Quote)> t, int i)
        {
            var neg = false;
            if (!t[i].Quoted && (t[i].Text == "-" || t[i].Text == "+") && i + 1 < t.Count) { neg = t[i].Text == "-"; i++; }
            var (text, quoted, quote) = t[i];
            if (quoted) return quote == '\'' ? text : null;
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return neg ? -l : l;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return neg ? -d : d;
            return null; // NULL, expressions, CURRENT_TIME...: not evaluated
        }

        private static int SkipQuoted(string s, int i, char q, string file, string table)
        {
            for (var k = i + 1; k < s.Length; k++)
            {
                if (s[k] == q)
                {
                    if (k + 1 < s.Length && s[k + 1] == q) { k++; continue; }
                    return k;
                }
            }
            throw FormatFiles.Corrupt(file, $"table '{table}': unterminated quoted text in the CREATE TABLE statement");
        }

        private static List<(string Text, bool Quoted, char Quote)> Tokens(string s, string file, string table)
        {
            var r = new List<(string, bool, char)>();
            var i = 0;
            while (i < s.Length)
            {
                var c = s[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c == '-' && i + 1 < s.Length && s[i + 1] == '-') { var e = s.IndexOf('\n', i); i = e < 0 ? s.Length : e + 1; continue; }
                if (c == '/' && i + 1 < s.Length && s[i + 1] == '*') { var e = s.IndexOf("*/", i + 2, StringComparison.Ordinal); i = e < 0 ? s.Length : e + 2; continue; }
                if (c == '\'' || c == '"' || c == '`')
                {
                    var e = SkipQuoted(s, i, c, file, table);
                    r.Add((s.Substring(i + 1, e - i - 1).Replace(new string(c, 2), c.ToString()), true, c));
                    i = e + 1;
                    continue;
                }
                if (c == '[')
                {
                    var e = s.IndexOf(']', i);
                    if (e < 0) throw FormatFiles.Corrupt(file, $"table '{table}': unterminated [name]");
                    r.Add((s.Substring(i + 1, e - i - 1), true, '['));
                    i = e + 1;
                    continue;
                }
                if (char.IsLetterOrDigit(c) || c == '_' || c == '.' || c > 127)
                {
                    var st = i;
                    while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '$' || s[i] > 127)) i++;
                    r.Add((s.Substring(st, i - st), false, '\0'));
                    continue;
                }
                r.Add((c.ToString(), false, '\0'));
                i++;
            }
            return r;
        }
    }
}
