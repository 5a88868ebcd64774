using System;

namespace WaHardening.Core.Sessions.Formats
{
    /// <summary>
    /// Decoder of the raw Snappy block format (as LevelDB compresses table blocks): a varint of the uncompressed length,
    /// then literals and back-references. Trusts nothing: the declared length is checked against
    /// <c>maxLength</c> before anything is allocated, every literal and copy is bounds-checked, a copy's offset must point
    /// into what was already produced (never 0), and the output must come out exactly at the declared length.
    /// </summary>
    public static class Snappy
    {
        /// <summary>Decompresses one raw Snappy block.</summary>
        /// <exception cref="WaHardeningException">SessionStoreCorrupt on corrupt input, SessionStoreTooLarge over <paramref name="maxLength"/>.</exception>
        public static byte[] Decompress(byte[] data, int offset, int count, int maxLength) =>
            Decompress(data, offset, count, maxLength, "Snappy block");

        /// <summary>Decompresses one raw Snappy block; errors name <paramref name="source"/> (the file and block).</summary>
        public static byte[] Decompress(byte[] data, int offset, int count, int maxLength, string source)
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            if (offset < 0 || count < 0 || offset > data.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            var p = offset;
            var end = offset + count;
            ulong declared = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (p >= end) throw FormatFiles.Corrupt(source, "Snappy: truncated length preamble");
                if (shift > 28) throw FormatFiles.Corrupt(source, "Snappy: length preamble longer than 5 bytes");
                var b = data[p++];
                declared |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) break;
            }
            if (declared > uint.MaxValue) throw FormatFiles.Corrupt(source, $"Snappy: declared length {declared} is not a 32-bit length");
            if (declared > (ulong)Math.Max(0, maxLength))
                throw FormatFiles.TooLarge(source, $"Snappy: declared length {declared} exceeds the bound of {maxLength} bytes");
            var n = (int)declared;
            var output = new byte[n];
            var o = 0;
            while (p < end)
            {
                var tag = data[p++];
                int len, dist;
                switch (tag & 3)
                {
                    case 0:
                        {
                            var l = tag >> 2;
                            if (l >= 60)
                            {
                                var bytes = l - 59;
                                if (end - p < bytes) throw FormatFiles.Corrupt(source, "Snappy: truncated literal length");
                                long v = 0;
                                for (var i = 0; i < bytes; i++) v |= (long)data[p + i] << (8 * i);
                                p += bytes;
                                l = v + 1 > int.MaxValue ? int.MaxValue : (int)v;
                                if (v + 1 > n - o) throw FormatFiles.Corrupt(source, $"Snappy: literal of {v + 1} bytes runs past the declared length {n}");
                            }
                            len = l + 1;
                            if (len > n - o) throw FormatFiles.Corrupt(source, $"Snappy: literal of {len} bytes runs past the declared length {n}");
                            if (len > end - p) throw FormatFiles.Corrupt(source, $"Snappy: literal of {len} bytes runs past the input");
                            Buffer.BlockCopy(data, p, output, o, len);
                            p += len;
                            o += len;
                            continue;
                        }
                    case 1:
                        if (p >= end) throw FormatFiles.Corrupt(source, "Snappy: truncated copy");
                        len = 4 + ((tag >> 2) & 7);
                        dist = ((tag >> 5) << 8) | data[p++];
                        break;
                    case 2:
                        if (end - p < 2) throw FormatFiles.Corrupt(source, "Snappy: truncated copy");
                        len = (tag >> 2) + 1;
                        dist = data[p] | data[p + 1] << 8;
                        p += 2;
                        break;
                    default:
                        if (end - p < 4) throw FormatFiles.Corrupt(source, "Snappy: truncated copy");
                        len = (tag >> 2) + 1;
                        var d = FormatFiles.ReadUInt32LE(data, p);
                        p += 4;
                        dist = d > int.MaxValue ? int.MaxValue : (int)d;
                        break;
                }
                if (dist == 0 || dist > o) throw FormatFiles.Corrupt(source, $"Snappy: copy offset {dist} at output position {o} points outside the output");
                if (len > n - o) throw FormatFiles.Corrupt(source, $"Snappy: copy of {len} bytes runs past the declared length {n}");
                var from = o - dist;
                if (dist >= len) { Buffer.BlockCopy(output, from, output, o, len); o += len; }
                else for (var i = 0; i < len; i++) output[o++] = output[from + i];
            }
            if (o != n) throw FormatFiles.Corrupt(source, $"Snappy: produced {o} bytes, the block declares {n}");
            return output;
        }
    }
}
