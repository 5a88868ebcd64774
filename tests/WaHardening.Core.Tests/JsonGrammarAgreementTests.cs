using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using WaHardening.Core.Json;
using WaHardening.Core.Reporting;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// The module reads JSON two ways: the DOM parser (<see cref="JsonParser"/>: policy files, baselines, backups) and the fleet
    /// merge's forward-only byte reader (<c>JsonByteReader</c> under <c>ReportScanner</c>). Both must take the same
    /// grammar, or a report would be merged that the DOM reader refuses (or the other way round). These tests hold them equal:
    /// a fixed list of edge cases and a seeded fuzz of mutated documents, each placed as the value of an unread member of an
    /// otherwise valid device report, so acceptance by the merge depends on the JSON alone.
    /// </summary>
    public class JsonGrammarAgreementTests
    {
        private const string Head = "{\"schema\":\"WaHardening.DeviceReport\",\"schemaVersion\":1,\"generatedAt\":\"2026-12-05T10:00:00Z\",\"device\":{\"name\":\"pc1\"},\"results\":[],\"x\":";

        private static (bool Dom, bool Scanner, string DomWhy, string ScanWhy) Both(byte[] value)
        {
            var head = Encoding.UTF8.GetBytes(Head);
            var doc = new byte[head.Length + value.Length + 1];
            Buffer.BlockCopy(head, 0, doc, 0, head.Length);
            Buffer.BlockCopy(value, 0, doc, head.Length, value.Length);
            doc[doc.Length - 1] = (byte)'}';
            bool dom; string domWhy = "";
            try { JsonParser.ParseBytes(doc, "x.json", JsonParseOptions.None); dom = true; }
            catch (JsonParseException e) { dom = false; domWhy = e.Reason; }
            var skip = new FleetMerger().AddBytes(doc, doc.Length, "x.json");
            return (dom, skip == null, domWhy, skip?.Reason ?? "");
        }

        public static IEnumerable<object[]> EdgeCases() => new[]
        {
            "0", "-0", "01", "-01", "1.", ".5", "1e", "1e+", "1E-5", "-", "+1", "0x10", "1.5e300", "00",
            "\"\\u12\"", "\"\\u12G4\"", "\"\\ud800\"", "\"\\x\"", "\"\\/\"", "\"tab\there\"", "\"\u00e9\"",
            "tru", "true", "nul", "null", "falsey", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{\"a\" 1}", "{\"a\":1 \"b\":2}",
            "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "{\"\\u0061\":1,\"a\":2}", "{\"a\":1,\"A\":2}",
            "[1 2]", "[\"a\" , \"b\" ]", " [ ] ", "/*c*/1", "1//c", "[\f]", "[\u00a0]", "'a'", "[\"\u0001\"]",
            new string('[', 127) + new string(']', 127), new string('[', 128) + new string(']', 128),
            new string('[', 200) + new string(']', 200),
        }.Select(s => new object[] { s });

        [Theory]
        [MemberData(nameof(EdgeCases))]
        public void Both_readers_take_the_same_edge_cases(string value)
        {
            var r = Both(Encoding.UTF8.GetBytes(value));
            Assert.True(r.Dom == r.Scanner, $"'{value}': DOM {(r.Dom ? "accepts" : "refuses (" + r.DomWhy + ")")}, scanner {(r.Scanner ? "accepts" : "refuses (" + r.ScanWhy + ")")}");
        }

        [Theory]
        [InlineData(new byte[] { (byte)'"', 0xC3, (byte)'"' })]              // truncated 2-byte sequence in a string
        [InlineData(new byte[] { (byte)'"', 0xFF, (byte)'"' })]              // a byte that is never UTF-8
        [InlineData(new byte[] { (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' })]  // an encoded surrogate (CESU), not UTF-8
        [InlineData(new byte[] { (byte)'"', 0xC0, 0xAF, (byte)'"' })]        // overlong '/'
        [InlineData(new byte[] { 0xC3, 0xA9 })]                              // non-ASCII outside a string
        public void Both_readers_refuse_bytes_that_are_not_UTF8(byte[] value)
        {
            var r = Both(value);
            Assert.False(r.Dom);
            Assert.False(r.Scanner, "the merge took a report with bytes that are not UTF-8 (the DOM reader refuses it)");
        }

        [Fact]
        public void Both_readers_agree_on_a_seeded_fuzz_of_mutated_documents()
        {
            var seeds = new[]
            {
                "{\"a\":[1,-2.5e3,true,false,null,\"s\\n\\u00e9\"],\"b\":{\"c\":{}},\"d\":[]}",
                "[{\"k\":\"v\"},{\"k\":\"w\",\"l\":[0.5,10]}]",
                "\"caf\u00e9 \\\"q\\\" \\\\\"",
            };
            var alphabet = Encoding.UTF8.GetBytes("{}[]\",:0123456789-+.eEtrufalsn\\/ \t\n\r\u00e9ab");
            var rng = new Random(20261205);
            var accepted = 0; var refused = 0;
            for (var i = 0; i < 20000; i++)
            {
                var b = new List<byte>(Encoding.UTF8.GetBytes(seeds[rng.Next(seeds.Length)]));
                var edits = 1 + rng.Next(3);
                for (var k = 0; k < edits; k++)
                {
                    var at = rng.Next(b.Count + 1);
                    switch (rng.Next(4))
                    {
                        case 0: b.Insert(at, alphabet[rng.Next(alphabet.Length)]); break;
                        case 1: if (at < b.Count) b.RemoveAt(at); break;
                        case 2: if (at < b.Count) b[at] = alphabet[rng.Next(alphabet.Length)]; break;
                        default: if (at < b.Count) b[at] = (byte)rng.Next(256); break;
                    }
                }
                var value = b.ToArray();
                var r = Both(value);
                Assert.True(r.Dom == r.Scanner,
                    $"case {i} '{Encoding.UTF8.GetString(value)}' ({BitConverter.ToString(value)}): DOM {(r.Dom ? "accepts" : "refuses (" + r.DomWhy + ")")}, scanner {(r.Scanner ? "accepts" : "refuses (" + r.ScanWhy + ")")}");
                if (r.Dom) accepted++; else refused++;
            }
            // The fuzz is only a test if it produces both outcomes in numbers.
            Assert.True(accepted > 500 && refused > 500, $"accepted {accepted}, refused {refused}");
        }
    }
}
