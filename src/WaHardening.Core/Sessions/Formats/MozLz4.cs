using System;

namespace WaHardening.Core.Sessions.Formats
{
    /// <summary>
    /// Firefox's mozLz4 files (<c>sessionstore.jsonlz4</c>, <c>recovery.jsonlz4</c>...): the magic <c>mozLz40\0</c>, the
    /// content's length as uint32 little-endian, then one LZ4 block (no frame). Decode trusts nothing: the declared length
    /// is checked against the bound before anything is allocated, every literal and match is bounds-checked, a match offset
    /// must point into what was produced (never 0), and the output must be exactly the declared length. Encode writes a
    /// real (greedy, hash-table) LZ4 block that keeps LZ4's end rules (the last 5 bytes are literals, no match starts in
    /// the last 12), so Firefox's and python-lz4's decoders read it.
    /// </summary>
    public static class MozLz4
    {
        private static readonly byte[] s_magic = { (byte)'m', (byte)'o', (byte)'z', (byte)'L', (byte)'z', (byte)'4', (byte)'0', 0 };

        /// <summary>True when <paramref name="file"/> starts with the mozLz4 magic.</summary>
        public static bool HasMagic(byte[] file)
        {
            if (file == null || file.Length < 12) return false;
            for (var i = 0; i < 8; i++) if (file[i] != s_magic[i]) return false;
            return true;
        }

        /// <summary>The content of a mozLz4 file.</summary>
        /// <exception cref="WaHardeningException">SessionStoreCorrupt (bad magic, truncated or corrupt block), SessionStoreTooLarge (declared length over <paramref name="maxLength"/>).</exception>
        public static byte[] Decode(byte[] file, int maxLength) => Decode(file, maxLength, "mozLz4 file");

        /// <summary>As <see cref="Decode(byte[], int)"/>; errors name <paramref name="source"/>.</summary>
        public static byte[] Decode(byte[] file, int maxLength, string source)
        {
            if (file == null) throw new ArgumentNullException(nameof(file));
            if (!HasMagic(file)) throw FormatFiles.Corrupt(source, "not a mozLz4 file (no 'mozLz40\\0' magic and length)");
            var declared = FormatFiles.ReadUInt32LE(file, 8);
            if (declared > (uint)Math.Max(0, maxLength)) throw FormatFiles.TooLarge(source, $"mozLz4: declared length {declared} exceeds the bound of {maxLength} bytes");
            var n = (int)declared;
            var output = new byte[n];
            var p = 12;
            var end = file.Length;
            var o = 0;
            if (p == end && n == 0) return output;
            while (true)
            {
                if (p >= end) throw FormatFiles.Corrupt(source, "LZ4: truncated block (sequence token missing)");
                var token = file[p++];
                long lit = token >> 4;
                if (lit == 15) lit += ReadLength(file, ref p, end, source);
                if (lit > n - o) throw FormatFiles.Corrupt(source, $"LZ4: {lit} literals run past the declared length {n}");
                if (lit > end - p) throw FormatFiles.Corrupt(source, $"LZ4: {lit} literals run past the end of the file");
                Buffer.BlockCopy(file, p, output, o, (int)lit);
                p += (int)lit;
                o += (int)lit;
                if (p == end) break; // the last sequence: literals only
                if (end - p < 2) throw FormatFiles.Corrupt(source, "LZ4: truncated match offset");
                var dist = file[p] | file[p + 1] << 8;
                p += 2;
                if (dist == 0 || dist > o) throw FormatFiles.Corrupt(source, $"LZ4: match offset {dist} at output position {o} points outside the output");
                long ml = (token & 15) + 4;
                if ((token & 15) == 15) ml += ReadLength(file, ref p, end, source);
                if (ml > n - o) throw FormatFiles.Corrupt(source, $"LZ4: match of {ml} bytes runs past the declared length {n}");
                var from = o - dist;
                if (dist >= ml) { Buffer.BlockCopy(output, from, output, o, (int)ml); o += (int)ml; }
                else for (var i = 0; i < ml; i++) output[o++] = output[from + i];
            }
            if (o != n) throw FormatFiles.Corrupt(source, $"LZ4: produced {o} bytes, the header declares {n}");
            return output;
        }

        private static long ReadLength(byte[] b, ref int p, int end, string source)
        {
            long v = 0;
            while (true)
            {
                if (p >= end) throw FormatFiles.Corrupt(source, "LZ4: truncated length");
                var x = b[p++];
                v += x;
                if (v > int.MaxValue) throw FormatFiles.Corrupt(source, "LZ4: length beyond 2 GiB");
                if (x != 255) return v;
            }
        }

        /// <summary>A mozLz4 file holding <paramref name="content"/>.</summary>
        public static byte[] Encode(byte[] content)
        {
            if (content == null) throw new ArgumentNullException(nameof(content));
            var n = content.Length;
            // Worst case: all literals (n + n/255 + 16) plus the 12-byte header.
            var dst = new byte[12 + n + n / 255 + 16];
            Buffer.BlockCopy(s_magic, 0, dst, 0, 8);
            dst[8] = (byte)n; dst[9] = (byte)(n >> 8); dst[10] = (byte)(n >> 16); dst[11] = (byte)(n >> 24);
            var op = 12;
            var anchor = 0;
            const int HashBits = 16;
            var table = new int[1 << HashBits];
            for (var i = 0; i < table.Length; i++) table[i] = -1;
            var lastMatchStart = n - 12; // no match starts in the last 12 bytes
            var matchLimit = n - 5;      // the last 5 bytes are literals
            var ip = 0;
            while (ip < lastMatchStart)
            {
                var seq = FormatFiles.ReadUInt32LE(content, ip);
                var h = (int)((seq * 2654435761u) >> (32 - HashBits));
                var cand = table[h];
                table[h] = ip;
                if (cand < 0 || ip - cand > 65535 || FormatFiles.ReadUInt32LE(content, cand) != seq) { ip++; continue; }
                // Extend backwards over pending literals, then forwards up to the limit.
                while (ip > anchor && cand > 0 && content[ip - 1] == content[cand - 1]) { ip--; cand--; }
                var ml = 4;
                while (ip + ml < matchLimit && content[cand + ml] == content[ip + ml]) ml++;
                op = WriteSequence(dst, op, content, anchor, ip - anchor, ip - cand, ml);
                ip += ml;
                anchor = ip;
                // Index a position inside the match so the next search sees it.
                if (ip - 2 >= 0 && ip - 2 < lastMatchStart)
                {
                    var s2 = FormatFiles.ReadUInt32LE(content, ip - 2);
                    table[(int)((s2 * 2654435761u) >> (32 - HashBits))] = ip - 2;
                }
            }
            op = WriteLastLiterals(dst, op, content, anchor, n - anchor);
            var r = new byte[op];
            Buffer.BlockCopy(dst, 0, r, 0, op);
            return r;
        }

        private static int WriteSequence(byte[] dst, int op, byte[] src, int litStart, int lit, int dist, int ml)
        {
            var tokenAt = op++;
            var token = (lit >= 15 ? 15 : lit) << 4;
            if (lit >= 15) op = WriteLength(dst, op, lit - 15);
            Buffer.BlockCopy(src, litStart, dst, op, lit);
            op += lit;
            dst[op++] = (byte)dist;
            dst[op++] = (byte)(dist >> 8);
            var m = ml - 4;
            token |= m >= 15 ? 15 : m;
            if (m >= 15) op = WriteLength(dst, op, m - 15);
            dst[tokenAt] = (byte)token;
            return op;
        }

        private static int WriteLastLiterals(byte[] dst, int op, byte[] src, int litStart, int lit)
        {
            dst[op++] = (byte)((lit >= 15 ? 15 : lit) << 4);
            if (lit >= 15) op = WriteLength(dst, op, lit - 15);
            Buffer.BlockCopy(src, litStart, dst, op, lit);
            return op + lit;
        }

        private static int WriteLength(byte[] dst, int op, int v)
        {
            while (v >= 255) { dst[op++] = 255; v -= 255; }
            dst[op++] = (byte)v;
            return op;
        }
    }
}
