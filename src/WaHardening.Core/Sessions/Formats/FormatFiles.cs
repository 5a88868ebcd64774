using System;
using System.IO;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Sessions.Formats
{
    /// <summary>
    /// The one way the format readers read a file: only a regular file (a symbolic link, FIFO, device or folder is refused
    /// before it is opened; on Linux the opened descriptor is checked again), never more than a byte budget, read-only
    /// without any lock (Linux: a plain non-blocking open(2)/read(2), so neither .NET's advisory flock nor SQLite's fcntl
    /// locks are involved).
    /// </summary>
    internal static class FormatFiles
    {
        internal static WaHardeningException Corrupt(string file, string what) =>
            new WaHardeningException(ErrorIds.SessionStoreCorrupt, WaErrorCategory.InvalidData, $"{file}: {what}", file);

        internal static WaHardeningException TooLarge(string file, string what) =>
            new WaHardeningException(ErrorIds.SessionStoreTooLarge, WaErrorCategory.InvalidData, $"{file}: {what}", file);

        internal static WaHardeningException Unsafe(string file, string what) =>
            new WaHardeningException(ErrorIds.SessionStoreUnsafe, WaErrorCategory.PermissionDenied, $"{file}: {what}", file);

        internal static WaHardeningException Io(string file, string what, Exception? inner = null) =>
            new WaHardeningException(ErrorIds.SessionStoreIoFailed, WaErrorCategory.ReadError, $"{file}: {what}", file, inner);

        /// <summary>What a path is, without following a final symbolic link (Unknown when it does not exist).</summary>
        internal static UnixFileKind KindOf(string path, out long size)
        {
            size = 0;
            if (UnixFileStatus.CanStat)
            {
                var rc = UnixFileStatus.Stat(path, false, out var st);
                if (rc != 0) return UnixFileKind.Unknown;
                size = st.Size;
                return st.Kind;
            }
            FileSystemInfo fi = new FileInfo(path);
            if (!fi.Exists) { fi = new DirectoryInfo(path); if (!fi.Exists) return UnixFileKind.Unknown; }
            if ((fi.Attributes & FileAttributes.ReparsePoint) != 0) return UnixFileKind.SymbolicLink;
            if (fi is DirectoryInfo) return UnixFileKind.Directory;
            size = ((FileInfo)fi).Length;
            return UnixFileKind.Regular;
        }

        internal static string Describe(UnixFileKind kind) => UnixFileStatus.Describe(kind);

        /// <summary>Reads a whole regular file; refuses anything else and more than <paramref name="budget"/> bytes
        /// (which it decreases by what it read). Null when the file does not exist.</summary>
        internal static byte[]? ReadRegular(string path, ref long budget)
        {
            var kind = KindOf(path, out var size);
            if (kind == UnixFileKind.Unknown) return null;
            if (kind != UnixFileKind.Regular)
                throw Unsafe(path, $"is {Describe(kind)}, not a regular file (only regular files are read)");
            if (size > budget) throw TooLarge(path, $"{size} bytes are more than the {budget} bytes left of the read bound");
            byte[] data;
            try { data = UnixFileStatus.Available ? ReadUnix(path, budget) : ReadManaged(path, budget); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                throw Io(path, "cannot be read: " + e.Message, e);
            }
            budget -= data.Length;
            return data;
        }

        private static byte[] ReadUnix(string path, long budget)
        {
            var fd = UnixFileStatus.OpenNonBlocking(path);
            if (fd < 0) throw Io(path, "cannot be opened: " + UnixFileStatus.Message(-fd));
            try
            {
                var rc = UnixFileStatus.FStat(fd, out var st);
                if (rc != 0) throw Io(path, "cannot be read: " + UnixFileStatus.Message(rc));
                if (st.Kind != UnixFileKind.Regular) throw Unsafe(path, $"is {Describe(st.Kind)}, not a regular file (only regular files are read)");
                return ReadBounded(path, st.Size, budget, (b, o, c) =>
                {
                    var n = UnixFileStatus.Read(fd, b, o, c);
                    if (n < 0) throw Io(path, "cannot be read: " + UnixFileStatus.Message(-n));
                    return n;
                });
            }
            finally { UnixFileStatus.Close(fd); }
        }

        private static byte[] ReadManaged(string path, long budget)
        {
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan))
            {
                long hint;
                try { hint = fs.CanSeek ? fs.Length : 0; } catch (IOException) { hint = 0; }
                return ReadBounded(path, hint, budget, fs.Read);
            }
        }

        private static byte[] ReadBounded(string path, long hint, long budget, Func<byte[], int, int, int> read)
        {
            var cap = Math.Min(budget, int.MaxValue - 64);
            if (hint > cap) throw TooLarge(path, $"{hint} bytes are more than the {cap} bytes left of the read bound");
            var buf = new byte[Math.Max(hint, 4096)];
            var len = 0;
            while (true)
            {
                if (len == buf.Length)
                {
                    if (len >= cap)
                    {
                        var probe = new byte[1];
                        if (read(probe, 0, 1) == 0) break;
                        throw TooLarge(path, $"grew past the {cap} bytes left of the read bound while being read");
                    }
                    var grown = new byte[Math.Min(cap, (long)buf.Length * 2)];
                    Buffer.BlockCopy(buf, 0, grown, 0, len);
                    buf = grown;
                }
                var n = read(buf, len, buf.Length - len);
                if (n == 0) break;
                len += n;
            }
            if (len == buf.Length) return buf;
            var r = new byte[len];
            Buffer.BlockCopy(buf, 0, r, 0, len);
            return r;
        }

        internal static uint ReadUInt32BE(byte[] b, int o) => (uint)(b[o] << 24 | b[o + 1] << 16 | b[o + 2] << 8 | b[o + 3]);
        internal static uint ReadUInt32LE(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        internal static ulong ReadUInt64LE(byte[] b, int o) => ReadUInt32LE(b, o) | (ulong)ReadUInt32LE(b, o + 4) << 32;
    }

    /// <summary>CRC-32C (Castagnoli), as LevelDB checks its log records and table blocks.</summary>
    internal static class Crc32C
    {
        private static readonly uint[] s_table = Build();

        private static uint[] Build()
        {
            var t = new uint[256 * 4];
            for (uint i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
                t[i] = c;
            }
            for (var i = 0; i < 256; i++)
                for (var s = 1; s < 4; s++) t[s * 256 + i] = (t[(s - 1) * 256 + i] >> 8) ^ t[t[(s - 1) * 256 + i] & 0xFF];
            return t;
        }

        internal static uint Compute(byte[] b, int offset, int count, uint crc = 0)
        {
            var t = s_table;
            crc = ~crc;
            var i = offset;
            var end = offset + count;
            while (end - i >= 4)
            {
                crc ^= (uint)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24);
                crc = t[768 + (crc & 0xFF)] ^ t[512 + ((crc >> 8) & 0xFF)] ^ t[256 + ((crc >> 16) & 0xFF)] ^ t[crc >> 24];
                i += 4;
            }
            while (i < end) crc = t[(crc ^ b[i++]) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }

        internal static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
        internal static uint Unmask(uint masked) { var r = masked - 0xa282ead8u; return (r >> 17) | (r << 15); }
    }
}
