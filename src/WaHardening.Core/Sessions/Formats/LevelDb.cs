using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Sessions.Formats
{
    /// <summary>One version of one LevelDB record: a value (put) or a deletion marker, with its sequence number and the
    /// file it was read from.</summary>
    public sealed class LevelDbRecord
    {
        internal LevelDbRecord(byte[] key, byte[] value, ulong sequence, bool deleted, string file)
        {
            Key = key; Value = value; Sequence = sequence; Deleted = deleted; File = file;
        }

        /// <summary>The user key.</summary>
        public byte[] Key { get; }
        /// <summary>The value; empty for a deletion.</summary>
        public byte[] Value { get; }
        /// <summary>LevelDB's sequence number of the write.</summary>
        public ulong Sequence { get; }
        /// <summary>True for a deletion marker.</summary>
        public bool Deleted { get; }
        /// <summary>The full path of the file the record was read from.</summary>
        public string File { get; }

        public override string ToString() => $"{(Deleted ? "del" : "put")} #{Sequence} {Key.Length}+{Value.Length} bytes ({System.IO.Path.GetFileName(File)})";
    }

    /// <summary>
    /// Reader and rewriter of LevelDB databases (Chromium's Local Storage, Session Storage, IndexedDB, ...), from their
    /// files, without LevelDB. See docs/ARCHITECTURE.md, "Sessions/Formats", for what it trusts and refuses.
    /// </summary>
    public static partial class LevelDb
    {
        internal const int BlockSize = 32768;
        private const int HeaderSize = 7;
        private const ulong TableMagic = 0xdb4775248b80fb57UL;
        private const int FullType = 1, FirstType = 2, MiddleType = 3, LastType = 4;

        /// <summary>The records LevelDB itself would return: the newest sequence per user key wins, deletions hide keys;
        /// bytewise key order. Reads CURRENT, the MANIFEST it names (the live table files) and the live log files.</summary>
        /// <exception cref="WaHardeningException">SessionStoreCorrupt, SessionStoreTooLarge (over <paramref name="maxTotalBytes"/>),
        /// SessionStoreUnsafe (a non-regular file where a file is read), SessionStoreIoFailed.</exception>
        public static IReadOnlyList<LevelDbRecord> ReadLive(string directory, long maxTotalBytes = 512L << 20)
            => ReadLiveState(directory, maxTotalBytes).Live;

        /// <summary>The comparator name the database's MANIFEST records (e.g. <c>leveldb.BytewiseComparator</c>).</summary>
        public static string ReadComparator(string directory, long maxTotalBytes = 64L << 20)
        {
            var budget = maxTotalBytes;
            return ReadManifest(RequireDirectory(directory), ref budget).Comparator;
        }

        /// <summary>Every record version still physically present in any <c>*.log</c>, <c>*.ldb</c> or <c>*.sst</c> file of
        /// the folder (also files the MANIFEST no longer lists, overwritten and deleted versions), in file-name order and
        /// file order: what a forensic reader could recover.</summary>
        public static IReadOnlyList<LevelDbRecord> ReadAllVersions(string directory, long maxTotalBytes = 512L << 20)
        {
            var dir = RequireDirectory(directory);
            var budget = maxTotalBytes;
            var result = new List<LevelDbRecord>();
            var names = new List<string>();
            foreach (var f in Directory.GetFiles(dir))
            {
                var name = Path.GetFileName(f);
                if (name.EndsWith(".log", StringComparison.Ordinal) || name.EndsWith(".ldb", StringComparison.Ordinal) || name.EndsWith(".sst", StringComparison.Ordinal))
                    names.Add(name);
            }
            names.Sort(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var path = Path.Combine(dir, name);
                var data = FormatFiles.ReadRegular(path, ref budget);
                if (data == null) continue;
                if (name.EndsWith(".log", StringComparison.Ordinal)) ReadLogBatches(data, path, false, result.Add);
                else ReadTable(data, path, budget, result.Add);
            }
            return result;
        }

        // ----------------------------------------------------------------------------------------------------------
        // Live state: CURRENT -> MANIFEST -> tables + logs

        internal sealed class Manifest
        {
            public string Path = "";
            public string Comparator = "";
            public ulong LogNumber, PrevLogNumber, NextFile, LastSequence;
            public bool HasLogNumber, HasNextFile, HasLastSequence;
            public readonly SortedDictionary<ulong, int> Files = new SortedDictionary<ulong, int>(); // number -> level
        }

        internal sealed class LiveState
        {
            public Manifest Manifest = null!;
            public List<LevelDbRecord> Live = null!;
            public int VersionsRead;
        }

        internal static LiveState ReadLiveState(string directory, long maxTotalBytes)
        {
            var dir = RequireDirectory(directory);
            var budget = maxTotalBytes;
            var m = ReadManifest(dir, ref budget);
            var newest = new Dictionary<byte[], LevelDbRecord>(ByteArrayComparer.Instance);
            var count = 0;
            void Offer(LevelDbRecord r)
            {
                count++;
                if (!newest.TryGetValue(r.Key, out var old) || r.Sequence > old.Sequence) newest[r.Key] = r;
            }
            foreach (var kv in m.Files)
            {
                var number = kv.Key;
                var ldb = Path.Combine(dir, FileName(number, "ldb"));
                var data = FormatFiles.ReadRegular(ldb, ref budget);
                var used = ldb;
                if (data == null)
                {
                    used = Path.Combine(dir, FileName(number, "sst"));
                    data = FormatFiles.ReadRegular(used, ref budget);
                }
                if (data == null) throw FormatFiles.Corrupt(m.Path, $"lists table file {number} (level {kv.Value}) but neither {FileName(number, "ldb")} nor {FileName(number, "sst")} exists");
                ReadTable(data, used, budget, Offer);
            }
            foreach (var (number, path) in LogFiles(dir))
            {
                if (number < m.LogNumber && number != m.PrevLogNumber) continue;
                var data = FormatFiles.ReadRegular(path, ref budget);
                if (data == null) continue;
                ReadLogBatches(data, path, true, Offer);
            }
            var live = new List<LevelDbRecord>(newest.Count);
            foreach (var r in newest.Values) if (!r.Deleted) live.Add(r);
            live.Sort((a, b) => ByteArrayComparer.Compare(a.Key, b.Key));
            return new LiveState { Manifest = m, Live = live, VersionsRead = count };
        }

        internal static string FileName(ulong number, string ext) => number.ToString("D6", CultureInfo.InvariantCulture) + "." + ext;

        private static List<(ulong, string)> LogFiles(string dir)
        {
            var r = new List<(ulong, string)>();
            foreach (var f in Directory.GetFiles(dir, "*.log"))
            {
                var name = Path.GetFileName(f);
                if (TryNumber(name, ".log", out var n)) r.Add((n, f));
            }
            r.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            return r;
        }

        internal static bool TryNumber(string name, string suffix, out ulong number)
        {
            number = 0;
            if (!name.EndsWith(suffix, StringComparison.Ordinal)) return false;
            var digits = name.Substring(0, name.Length - suffix.Length);
            if (digits.Length == 0 || digits.Length > 19) return false;
            foreach (var c in digits) if (c < '0' || c > '9') return false;
            return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number);
        }

        internal static string RequireDirectory(string directory)
        {
            if (string.IsNullOrEmpty(directory)) throw new ArgumentException("A LevelDB folder is required.", nameof(directory));
            var full = Path.GetFullPath(directory);
            if (!Directory.Exists(full))
                throw new WaHardeningException(ErrorIds.SessionStoreIoFailed, WaErrorCategory.ObjectNotFound, $"{full}: the LevelDB folder does not exist", full);
            return full;
        }

        internal static Manifest ReadManifest(string dir, ref long budget)
        {
            var currentPath = Path.Combine(dir, "CURRENT");
            var current = FormatFiles.ReadRegular(currentPath, ref budget);
            if (current == null) throw FormatFiles.Corrupt(currentPath, "is missing: not a LevelDB database (no CURRENT file)");
            if (current.Length > 256) throw FormatFiles.Corrupt(currentPath, $"is {current.Length} bytes, not one MANIFEST file name");
            var text = Encoding.ASCII.GetString(current);
            if (!text.EndsWith("\n", StringComparison.Ordinal)) throw FormatFiles.Corrupt(currentPath, "does not end with a newline (LevelDB refuses it)");
            var name = text.Substring(0, text.Length - 1);
            if (!name.StartsWith("MANIFEST-", StringComparison.Ordinal) || !TryNumber(name.Substring(9), "", out _))
                throw FormatFiles.Corrupt(currentPath, $"names '{Printable(name)}', not a MANIFEST-<number> file");
            var path = Path.Combine(dir, name);
            var data = FormatFiles.ReadRegular(path, ref budget);
            if (data == null) throw FormatFiles.Corrupt(path, "is missing (named by CURRENT)");
            var m = new Manifest { Path = path };
            var edits = 0;
            ReadLogRecords(data, path, true, (b, o, c) => { edits++; ApplyEdit(m, b, o, c, path); });
            if (edits == 0) throw FormatFiles.Corrupt(path, "holds no version edit");
            if (!m.HasLogNumber) throw FormatFiles.Corrupt(path, "has no log number entry");
            if (!m.HasNextFile) throw FormatFiles.Corrupt(path, "has no next-file entry");
            if (!m.HasLastSequence) throw FormatFiles.Corrupt(path, "has no last-sequence entry");
            return m;
        }

        private static string Printable(string s)
        {
            var sb = new StringBuilder();
            foreach (var c in s) sb.Append(c >= 0x20 && c < 0x7F ? c : '?');
            return sb.ToString();
        }

        private static void ApplyEdit(Manifest m, byte[] b, int p, int count, string file)
        {
            var end = p + count;
            while (p < end)
            {
                var tag = ReadVarint32(b, ref p, end, file, "version edit tag");
                switch (tag)
                {
                    case 1:
                        {
                            var (o, l) = ReadSlice(b, ref p, end, file, "comparator name");
                            m.Comparator = Encoding.UTF8.GetString(b, o, l);
                            break;
                        }
                    case 2: m.LogNumber = ReadVarint64(b, ref p, end, file, "log number"); m.HasLogNumber = true; break;
                    case 9: m.PrevLogNumber = ReadVarint64(b, ref p, end, file, "previous log number"); break;
                    case 3: m.NextFile = ReadVarint64(b, ref p, end, file, "next file number"); m.HasNextFile = true; break;
                    case 4: m.LastSequence = ReadVarint64(b, ref p, end, file, "last sequence"); m.HasLastSequence = true; break;
                    case 5:
                        ReadVarint32(b, ref p, end, file, "compact pointer level");
                        ReadSlice(b, ref p, end, file, "compact pointer key");
                        break;
                    case 6:
                        {
                            var level = ReadVarint32(b, ref p, end, file, "deleted file level");
                            var number = ReadVarint64(b, ref p, end, file, "deleted file number");
                            if (m.Files.TryGetValue(number, out var l) && l == level) m.Files.Remove(number);
                            break;
                        }
                    case 7:
                        {
                            var level = ReadVarint32(b, ref p, end, file, "new file level");
                            if (level >= 7) throw FormatFiles.Corrupt(file, $"new file at level {level} (LevelDB has levels 0-6)");
                            var number = ReadVarint64(b, ref p, end, file, "new file number");
                            ReadVarint64(b, ref p, end, file, "new file size");
                            ReadSlice(b, ref p, end, file, "new file smallest key");
                            ReadSlice(b, ref p, end, file, "new file largest key");
                            m.Files[number] = (int)level;
                            break;
                        }
                    default:
                        throw FormatFiles.Corrupt(file, $"unknown version edit tag {tag}");
                }
            }
        }

        // ----------------------------------------------------------------------------------------------------------
        // Log files: 32 KiB blocks of checksummed fragments

        /// <summary>
        /// Calls <paramref name="record"/> with each complete logical record of a log-format file (a .log or a MANIFEST).
        /// A fragment cut off at the end of the file is the end (a writer stopped there). Elsewhere, a bad checksum or a
        /// fragment out of order is an error when <paramref name="strict"/> (as LevelDB reads a MANIFEST), else the rest of
        /// its block is skipped (as LevelDB recovers a log without paranoid checks).
        /// </summary>
        internal static void ReadLogRecords(byte[] data, string file, bool strict, Action<byte[], int, int> record)
        {
            MemoryStream? scratch = null;
            var inFragment = false;
            var p = 0;
            var n = data.Length;
            while (p < n)
            {
                var blockEnd = Math.Min(n, (p / BlockSize + 1) * (long)BlockSize);
                if (blockEnd - p < HeaderSize)
                {
                    p = (int)blockEnd; // trailer: zero padding
                    continue;
                }
                var length = data[p + 4] | data[p + 5] << 8;
                var type = data[p + 6];
                if (type == 0 && length == 0)
                {
                    // Preallocated (zeroed) space: nothing more in this block.
                    p = (int)blockEnd;
                    continue;
                }
                if (HeaderSize + length > blockEnd - p)
                {
                    if (blockEnd == n) break; // a fragment cut off at the end of the file: a writer stopped there
                    if (strict) throw FormatFiles.Corrupt(file, $"log record at offset {p} declares {length} bytes, more than its 32 KiB block holds");
                    p = (int)blockEnd; inFragment = false; continue;
                }
                var expected = Crc32C.Unmask(FormatFiles.ReadUInt32LE(data, p));
                var actual = Crc32C.Compute(data, p + 6, 1 + length);
                if (expected != actual)
                {
                    if (strict) throw FormatFiles.Corrupt(file, $"log record at offset {p} has a bad checksum");
                    p = (int)blockEnd; inFragment = false; continue;
                }
                var start = p + HeaderSize;
                p = start + length;
                switch (type)
                {
                    case FullType:
                        if (inFragment && strict) throw FormatFiles.Corrupt(file, $"log record at offset {start - HeaderSize}: a whole record inside a fragmented one");
                        inFragment = false;
                        record(data, start, length);
                        break;
                    case FirstType:
                        if (inFragment && strict) throw FormatFiles.Corrupt(file, $"log record at offset {start - HeaderSize}: a first fragment inside a fragmented record");
                        scratch ??= new MemoryStream();
                        scratch.SetLength(0);
                        scratch.Write(data, start, length);
                        inFragment = true;
                        break;
                    case MiddleType:
                    case LastType:
                        if (!inFragment)
                        {
                            if (strict) throw FormatFiles.Corrupt(file, $"log record at offset {start - HeaderSize}: a {(type == MiddleType ? "middle" : "last")} fragment without a first one");
                            break;
                        }
                        scratch!.Write(data, start, length);
                        if (type == LastType)
                        {
                            inFragment = false;
                            record(scratch.GetBuffer(), 0, (int)scratch.Length);
                        }
                        break;
                    default:
                        if (strict) throw FormatFiles.Corrupt(file, $"log record at offset {start - HeaderSize} has unknown type {type}");
                        break;
                }
            }
        }

        /// <summary>Reads the write batches of a .log file.</summary>
        internal static void ReadLogBatches(byte[] data, string file, bool strict, Action<LevelDbRecord> emit)
        {
            ReadLogRecords(data, file, false, (b, o, c) =>
            {
                if (strict) ParseBatch(b, o, c, file, emit);
                else
                {
                    // Forensic reading: a malformed batch yields what could be parsed before the fault.
                    try { ParseBatch(b, o, c, file, emit); }
                    catch (WaHardeningException e) when (e.ErrorId == ErrorIds.SessionStoreCorrupt) { }
                }
            });
        }

        private static void ParseBatch(byte[] b, int p, int count, string file, Action<LevelDbRecord> emit)
        {
            if (count < 12) throw FormatFiles.Corrupt(file, $"write batch of {count} bytes is shorter than its 12-byte header");
            var end = p + count;
            var seq = FormatFiles.ReadUInt64LE(b, p);
            var n = FormatFiles.ReadUInt32LE(b, p + 8);
            p += 12;
            uint found = 0;
            while (p < end)
            {
                var tag = b[p++];
                if (tag == 1)
                {
                    var (ko, kl) = ReadSlice(b, ref p, end, file, "write batch key");
                    var (vo, vl) = ReadSlice(b, ref p, end, file, "write batch value");
                    emit(new LevelDbRecord(Copy(b, ko, kl), Copy(b, vo, vl), seq + found, false, file));
                }
                else if (tag == 0)
                {
                    var (ko, kl) = ReadSlice(b, ref p, end, file, "write batch key");
                    emit(new LevelDbRecord(Copy(b, ko, kl), Array.Empty<byte>(), seq + found, true, file));
                }
                else throw FormatFiles.Corrupt(file, $"write batch (sequence {seq}) has unknown record tag {tag}");
                found++;
            }
            if (found != n) throw FormatFiles.Corrupt(file, $"write batch (sequence {seq}) declares {n} records but holds {found}");
        }

        // ----------------------------------------------------------------------------------------------------------
        // Tables (.ldb / .sst)

        internal static void ReadTable(byte[] data, string file, long budget, Action<LevelDbRecord> emit)
        {
            if (data.Length < 48) throw FormatFiles.Corrupt(file, $"is {data.Length} bytes, shorter than a table footer (48)");
            var f = data.Length - 48;
            if (FormatFiles.ReadUInt64LE(data, data.Length - 8) != TableMagic) throw FormatFiles.Corrupt(file, "has no LevelDB table magic in its footer");
            var p = f;
            var footerEnd = data.Length - 8;
            ReadHandle(data, ref p, footerEnd, file, out _, out _); // metaindex (filters): not needed
            ReadHandle(data, ref p, footerEnd, file, out var indexOffset, out var indexSize);
            var maxBlock = (int)Math.Min(int.MaxValue - 64, Math.Max(budget, 1L << 20));
            var index = ReadBlock(data, indexOffset, indexSize, file, maxBlock);
            ulong nextBlock = 0;
            IterateBlock(index, file, "index block", (ib, ko, kl, vo, vl) =>
            {
                var q = vo;
                ReadHandle(ib, ref q, vo + vl, file, out var off, out var size);
                // LevelDB writes data blocks one after another: an index pointing backwards (or twice at one block)
                // is corrupt, and refusing it bounds the work to one pass over the file.
                if (off < nextBlock) throw FormatFiles.Corrupt(file, $"index entry points at block {off}, before the end of the previous block ({nextBlock})");
                nextBlock = off + size + 5;
                var block = ReadBlock(data, off, size, file, maxBlock);
                IterateBlock(block, file, $"data block at {off}", (db, k2o, k2l, v2o, v2l) =>
                {
                    if (k2l < 8) throw FormatFiles.Corrupt(file, $"data block at {off}: internal key of {k2l} bytes (shorter than its 8-byte trailer)");
                    var trailer = FormatFiles.ReadUInt64LE(db, k2o + k2l - 8);
                    var type = trailer & 0xFF;
                    if (type > 1) throw FormatFiles.Corrupt(file, $"data block at {off}: unknown value type {type}");
                    var deleted = type == 0;
                    emit(new LevelDbRecord(Copy(db, k2o, k2l - 8), deleted ? Array.Empty<byte>() : Copy(db, v2o, v2l), trailer >> 8, deleted, file));
                });
            });
        }

        private static void ReadHandle(byte[] b, ref int p, int end, string file, out ulong offset, out ulong size)
        {
            offset = ReadVarint64(b, ref p, end, file, "block handle offset");
            size = ReadVarint64(b, ref p, end, file, "block handle size");
        }

        private static byte[] ReadBlock(byte[] data, ulong offset, ulong size, string file, int maxLength)
        {
            if (offset > (ulong)data.Length || size > (ulong)data.Length || offset + size + 5 > (ulong)data.Length)
                throw FormatFiles.Corrupt(file, $"block at {offset} of {size} bytes runs past the end of the file ({data.Length} bytes)");
            var o = (int)offset;
            var n = (int)size;
            var type = data[o + n];
            var expected = Crc32C.Unmask(FormatFiles.ReadUInt32LE(data, o + n + 1));
            if (Crc32C.Compute(data, o, n + 1) != expected) throw FormatFiles.Corrupt(file, $"block at {offset} has a bad checksum");
            switch (type)
            {
                case 0: return Copy(data, o, n);
                case 1: return Snappy.Decompress(data, o, n, maxLength, $"{file} (block at {offset})");
                default: throw FormatFiles.Corrupt(file, $"block at {offset} uses compression type {type} (only none and Snappy are read)");
            }
        }

        private delegate void EntryHandler(byte[] block, int keyOffset, int keyLength, int valueOffset, int valueLength);

        /// <summary>Walks a table block's prefix-compressed entries in order (keys are rebuilt into a scratch buffer).</summary>
        private static void IterateBlock(byte[] block, string file, string what, EntryHandler entry)
        {
            if (block.Length < 4) throw FormatFiles.Corrupt(file, $"{what} is shorter than its restart count");
            var restarts = FormatFiles.ReadUInt32LE(block, block.Length - 4);
            if (restarts > (block.Length - 4) / 4) throw FormatFiles.Corrupt(file, $"{what} declares {restarts} restart points, more than it can hold");
            var limit = block.Length - 4 - (int)restarts * 4;
            var key = new byte[64];
            var keyLen = 0;
            var p = 0;
            // Keys are handed out from a buffer that also holds the value, so the handler sees one array.
            while (p < limit)
            {
                var shared = ReadVarint32(block, ref p, limit, file, what + " shared key length");
                var nonShared = ReadVarint32(block, ref p, limit, file, what + " key length");
                var valueLen = ReadVarint32(block, ref p, limit, file, what + " value length");
                if (shared > keyLen) throw FormatFiles.Corrupt(file, $"{what}: entry at {p} shares {shared} key bytes, the previous key has {keyLen}");
                if (nonShared > (uint)(limit - p) || valueLen > (uint)(limit - p - (int)nonShared))
                    throw FormatFiles.Corrupt(file, $"{what}: entry at {p} runs past the block");
                var newLen = (int)shared + (int)nonShared;
                if (newLen > key.Length) { var k = new byte[Math.Max(newLen, key.Length * 2)]; Buffer.BlockCopy(key, 0, k, 0, keyLen); key = k; }
                Buffer.BlockCopy(block, p, key, (int)shared, (int)nonShared);
                keyLen = newLen;
                p += (int)nonShared;
                var valueOffset = p;
                p += (int)valueLen;
                var combined = new byte[keyLen + (int)valueLen];
                Buffer.BlockCopy(key, 0, combined, 0, keyLen);
                Buffer.BlockCopy(block, valueOffset, combined, keyLen, (int)valueLen);
                entry(combined, 0, keyLen, keyLen, (int)valueLen);
            }
        }

        // ----------------------------------------------------------------------------------------------------------
        // Varints and slices

        internal static uint ReadVarint32(byte[] b, ref int p, int end, string file, string what)
        {
            var v = ReadVarint64(b, ref p, end, file, what);
            if (v > uint.MaxValue) throw FormatFiles.Corrupt(file, $"{what}: varint {v} is larger than 32 bits");
            return (uint)v;
        }

        internal static ulong ReadVarint64(byte[] b, ref int p, int end, string file, string what)
        {
            ulong v = 0;
            for (var shift = 0; shift <= 63; shift += 7)
            {
                if (p >= end) throw FormatFiles.Corrupt(file, $"{what}: truncated varint at offset {p}");
                var x = b[p++];
                v |= (ulong)(x & 0x7F) << shift;
                if (x < 0x80) return v;
            }
            throw FormatFiles.Corrupt(file, $"{what}: varint longer than 10 bytes at offset {p}");
        }

        private static (int, int) ReadSlice(byte[] b, ref int p, int end, string file, string what)
        {
            var len = ReadVarint32(b, ref p, end, file, what + " length");
            if (len > (uint)(end - p)) throw FormatFiles.Corrupt(file, $"{what}: {len} bytes run past the end of the record");
            var o = p;
            p += (int)len;
            return (o, (int)len);
        }

        internal static byte[] Copy(byte[] b, int o, int n)
        {
            if (n == 0) return Array.Empty<byte>();
            var r = new byte[n];
            Buffer.BlockCopy(b, o, r, 0, n);
            return r;
        }

        internal static void PutVarint(Stream s, ulong v)
        {
            while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
            s.WriteByte((byte)v);
        }

        internal static void PutSlice(Stream s, byte[] b)
        {
            PutVarint(s, (ulong)b.Length);
            s.Write(b, 0, b.Length);
        }
    }

    /// <summary>Byte arrays compared by content (bytewise order; hashing for dictionaries).</summary>
    internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new ByteArrayComparer();

        public bool Equals(byte[]? x, byte[]? y)
        {
            if (ReferenceEquals(x, y)) return true;
            if (x == null || y == null || x.Length != y.Length) return false;
            for (var i = 0; i < x.Length; i++) if (x[i] != y[i]) return false;
            return true;
        }

        public int GetHashCode(byte[] obj)
        {
            unchecked
            {
                var h = (int)2166136261;
                foreach (var b in obj) h = (h ^ b) * 16777619;
                return h;
            }
        }

        public static int Compare(byte[] a, byte[] b)
        {
            var n = Math.Min(a.Length, b.Length);
            for (var i = 0; i < n; i++) if (a[i] != b[i]) return a[i] - b[i];
            return a.Length - b.Length;
        }
    }
}
