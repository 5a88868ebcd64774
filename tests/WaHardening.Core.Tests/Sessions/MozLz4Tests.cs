using System;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Sessions.Formats;
using Xunit;

namespace WaHardening.Core.Tests.Sessions
{
    /// <summary>mozLz4, proven against real LZ4 (python3-lz4): it encodes, we decode; we encode, it decodes.</summary>
    public class MozLz4Tests
    {
        private static byte[][] Inputs()
        {
            var rnd = new Random(4);
            var random = new byte[300_000]; rnd.NextBytes(random);
            var json = new StringBuilder("{\"version\":[\"sessionrestore\",1],\"windows\":[");
            for (var i = 0; i < 4000; i++) json.Append("{\"url\":\"https://web.whatsapp.com/\",\"title\":\"WhatsApp ").Append(i).Append("\",\"storage\":{\"k").Append(i % 17).Append("\":\"").Append(new string('x', i % 90)).Append("\"}},");
            json.Append("{}]}");
            var mixed = new byte[200_000];
            for (var i = 0; i < mixed.Length; i++) mixed[i] = (byte)(i % 1000 < 500 ? rnd.Next(256) : i % 7);
            return new[]
            {
                Array.Empty<byte>(), new byte[] { 42 }, Encoding.ASCII.GetBytes("abcdefghijkl"), Encoding.ASCII.GetBytes("abcdefghijklm"),
                Enumerable.Repeat((byte)'a', 100_000).ToArray(), random, Encoding.UTF8.GetBytes(json.ToString()), mixed,
                Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef", 1000)) + "tail"),
            };
        }

        [Fact]
        public void Decode_reads_what_python_lz4_encodes()
        {
            var dir = Peers.TempDir("lz4-dec");
            try
            {
                var i = 0;
                foreach (var input in Inputs())
                {
                    var src = Path.Combine(dir, i + ".bin"); var dst = Path.Combine(dir, i + ".jsonlz4");
                    File.WriteAllBytes(src, input);
                    Peers.Run("lz4_peer.py", "encode", src, dst);
                    Assert.Equal(input, MozLz4.Decode(File.ReadAllBytes(dst), 64 << 20));
                    i++;
                }
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Encode_is_read_by_python_lz4_and_compresses()
        {
            var dir = Peers.TempDir("lz4-enc");
            try
            {
                var i = 0;
                foreach (var input in Inputs())
                {
                    var src = Path.Combine(dir, i + ".jsonlz4"); var dst = Path.Combine(dir, i + ".out");
                    var encoded = MozLz4.Encode(input);
                    File.WriteAllBytes(src, encoded);
                    Peers.Run("lz4_peer.py", "decode", src, dst);
                    Assert.Equal(input, File.ReadAllBytes(dst));
                    Assert.Equal(input, MozLz4.Decode(encoded, input.Length));
                    if (input.Length == 100_000) Assert.True(encoded.Length < 1000, $"a run of 100000 bytes encodes to {encoded.Length}");
                    i++;
                }
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Hostile_mozLz4_input_gives_the_typed_error()
        {
            var good = MozLz4.Encode(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("hello world ", 100))));
            void Corrupt(byte[] b, string id = "SessionStoreCorrupt")
            {
                var e = Assert.Throws<WaHardeningException>(() => MozLz4.Decode(b, 1 << 20, "test.jsonlz4"));
                Assert.Equal(id, e.ErrorId);
                Assert.Contains("test.jsonlz4", e.Message);
            }
            Corrupt(Encoding.ASCII.GetBytes("not mozlz4 at all"));
            Corrupt(good.Take(good.Length - 3).ToArray());                      // truncated
            var big = (byte[])good.Clone(); big[8] = 0xFF; big[9] = 0xFF; big[10] = 0xFF; big[11] = 0x7F;
            Corrupt(big, ErrorIds.SessionStoreTooLarge);                       // declared 2 GiB: refused before allocating
            var longer = (byte[])good.Clone(); longer[8]++;
            Corrupt(longer);                                                   // output shorter than declared
            // A match reaching before the start of the output.
            Corrupt(new byte[] { (byte)'m', (byte)'o', (byte)'z', (byte)'L', (byte)'z', (byte)'4', (byte)'0', 0, 20, 0, 0, 0, 0x10, (byte)'a', 0x05, 0x00, 0x00 });
            // Offset 0.
            Corrupt(new byte[] { (byte)'m', (byte)'o', (byte)'z', (byte)'L', (byte)'z', (byte)'4', (byte)'0', 0, 20, 0, 0, 0, 0x10, (byte)'a', 0x00, 0x00, 0x00 });
            // A literal length of 255-bytes running off the end.
            Corrupt(new byte[] { (byte)'m', (byte)'o', (byte)'z', (byte)'L', (byte)'z', (byte)'4', (byte)'0', 0, 20, 0, 0, 0, 0xF0, 0xFF, 0xFF });
        }
    }
}
