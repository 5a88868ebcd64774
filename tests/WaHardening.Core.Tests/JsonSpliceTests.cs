using System;
using System.Linq;
using System.Text;
using WaHardening.Core.Json;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// The writer copies the file text of containers nothing has changed (#14 item 11: a rewrite of a 50 MB policy file that
    /// changes a few members must not serialize the rest again). These tests hold that a copy is only ever made of text that
    /// is still exactly the container's value.
    /// </summary>
    public class JsonSpliceTests
    {
        private static JsonObject FromFile(string text, JsonParseOptions options = JsonParseOptions.None) =>
            (JsonObject)JsonParser.ParseBytes(Encoding.UTF8.GetBytes(text), "f.json", options);

        private static string Out(JsonValue v) => Encoding.UTF8.GetString(JsonWriter.WriteUtf8(v));

        [Fact]
        public void An_unchanged_document_is_written_as_its_file_text()
        {
            const string text = "{ \"a\" :[1,2.50, {\"b\":\"\u00e9\\u00e9\"}],\n\t\"c\":{} }";
            var doc = FromFile(text);
            Assert.Equal(text + "\n", Out(doc));
            Assert.Equal(text + "\n", JsonWriter.Write(doc));
            // The compact form (ToString, used for comparisons) is never a copy.
            Assert.Equal("{\"a\":[1,2.50,{\"b\":\"\u00e9\u00e9\"}],\"c\":{}}", doc.ToString());
        }

        [Fact]
        public void A_change_deep_inside_is_seen_by_every_container_above_it()
        {
            var doc = FromFile("{\"keep\": {\"x\":  1}, \"outer\": {\"mid\": {\"inner\": {\"v\":  1}}}}");
            // Changed in place, three levels down, without touching the containers above it.
            var inner = (JsonObject)((JsonObject)((JsonObject)doc["outer"]!)["mid"]!)["inner"]!;
            inner.Set("v", 2);
            var written = Out(doc);
            Assert.True(JsonParser.Parse(written).DeepEquals(doc), written);
            Assert.Contains("\"v\": 2", written);
            Assert.Contains("{\"x\":  1}", written); // the untouched sibling keeps its text

            var arrDoc = FromFile("{\"l\": [[1,  2], [3]]}");
            ((JsonArray)((JsonArray)arrDoc["l"]!)[1]).Add(new JsonNumber(4));
            Assert.True(JsonParser.Parse(Out(arrDoc)).DeepEquals(JsonParser.Parse("{\"l\":[[1,2],[3,4]]}")));
            Assert.Contains("[1,  2]", Out(arrDoc));

            var removed = FromFile("{\"o\": {\"gone\": 1,  \"stays\": 2}}");
            ((JsonObject)removed["o"]!).Remove("gone");
            Assert.DoesNotContain("gone", Out(removed));
        }

        [Fact]
        public void Copies_and_documents_not_read_from_a_file_are_written_in_full()
        {
            var doc = FromFile("{\"a\":  [1,   2]}");
            Assert.Equal("{\n  \"a\": [\n    1,\n    2\n  ]\n}\n", Out(doc.DeepClone()));
            var fromString = (JsonObject)JsonParser.Parse("{\"a\":  [1,   2]}");
            Assert.Equal("{\n  \"a\": [\n    1,\n    2\n  ]\n}\n", Out(fromString));
        }

        [Fact]
        public void Text_with_comments_or_trailing_commas_is_never_copied()
        {
            // Chromium's policy files may hold them; the module's output stays strict JSON.
            var doc = FromFile("{\"a\": [1, 2,], \"b\": {\"c\": 1 /* note */}, \"d\": [3,  4]}", JsonParseOptions.Chromium);
            var written = Out(doc);
            Assert.DoesNotContain("/*", written);
            Assert.DoesNotContain(",]", written.Replace(" ", "").Replace("\n", ""));
            Assert.True(JsonParser.Parse(written).DeepEquals(doc));
            Assert.Contains("[3,  4]", written); // a range without any is still copied
        }

        [Fact]
        public void Large_text_with_surrogate_pairs_is_copied_byte_for_byte()
        {
            // Longer than the writer's 32 K-character pieces, with pairs at every offset parity so some fall on a boundary.
            var sb = new StringBuilder("{\"s\": [");
            for (var i = 0; i < 40000; i++) sb.Append(i == 0 ? "" : ",").Append("\"x").Append(i % 2 == 0 ? "" : "y").Append("\U0001F600\"");
            sb.Append("], \"t\": 1}");
            var bytes = Encoding.UTF8.GetBytes(sb.ToString());
            var doc = (JsonObject)JsonParser.ParseBytes(bytes, "big.json", JsonParseOptions.None);
            doc.Set("t", 2);
            var written = JsonWriter.WriteUtf8(doc);
            var expected = Encoding.UTF8.GetBytes(sb.ToString().Replace("], \"t\": 1}", "]").Replace("{\"s\": ", "{\n  \"s\": ") + ",\n  \"t\": 2\n}\n");
            Assert.Equal(expected, written);
        }
    }
}
