using WaHardening.Core.Json;
using Xunit;

namespace WaHardening.Core.Tests
{
    public class JsonTests
    {
        [Fact]
        public void Chromium_options_take_comments_and_trailing_commas_and_strict_mode_refuses_them()
        {
            const string text = "{ // c\n \"a\": [1, 2, /* x\n y */ ], \"b\": {\"c\": true,}, }";
            var v = (JsonObject)JsonParser.Parse(text, "t.json", JsonParseOptions.Chromium);
            Assert.Equal("{\"a\":[1,2],\"b\":{\"c\":true}}", v.ToString());
            Assert.Equal(3, ((JsonObject)v["b"]!).Line);
            var strict = Assert.Throws<JsonParseException>(() => JsonParser.Parse(text, "t.json"));
            Assert.Equal(1, strict.Line);
            Assert.Throws<JsonParseException>(() => JsonParser.Parse("[1,,]", "t.json", JsonParseOptions.Chromium));
            Assert.Throws<JsonParseException>(() => JsonParser.Parse("{\"a\": 1 /* open", "t.json", JsonParseOptions.Chromium));
            Assert.Throws<JsonParseException>(() => JsonParser.Parse("[1 / 2]", "t.json", JsonParseOptions.Chromium));
        }

        [Fact]
        public void Round_trip_keeps_property_order_and_number_text()
        {
            const string text = "{\n  \"b\": 1.50,\n  \"a\": [\n    true,\n    null,\n    \"x\\u00e9\\n\"\n  ],\n  \"big\": 12345678901234567890\n}\n";
            var v = JsonParser.Parse(text);
            Assert.Equal(text.Replace("\\u00e9", "é"), JsonWriter.Write(v));
            var o = (JsonObject)v;
            Assert.Equal(new[] { "b", "a", "big" }, System.Linq.Enumerable.Select(o.Properties, p => p.Key));
        }

        [Fact]
        public void Records_line_and_column_of_values()
        {
            var o = (JsonObject)JsonParser.Parse("{\n  \"a\": {\n    \"b\": [1, 22]\n  }\n}");
            var b = (JsonArray)((JsonObject)o["a"]!)["b"]!;
            Assert.Equal(3, b.Line);
            Assert.Equal(10, b.Column);
            Assert.Equal(14, b[1].Column);
        }

        [Theory]
        [InlineData("{\"a\": 1,}", 1, 9, "expected a property name")]
        [InlineData("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate property 'a'")]
        [InlineData("[1 2]", 1, 4, "expected ',' or ']'")]
        [InlineData("\n\n  tru", 3, 3, "expected 'true'")]
        [InlineData("\"abc", 1, 5, "unterminated string")]
        [InlineData("01", 1, 2, "unexpected text after the end")]
        [InlineData("{\"a\": \"\\x\"}", 1, 8, "invalid escape")]
        [InlineData("", 1, 1, "unexpected end")]
        [InlineData("[1.]", 1, 4, "digits expected after '.'")]
        public void Syntax_errors_name_the_place(string text, int line, int column, string reason)
        {
            var e = Assert.Throws<JsonParseException>(() => JsonParser.Parse(text, "f.json"));
            Assert.Equal(line, e.Line);
            Assert.Equal(column, e.Column);
            Assert.Contains(reason, e.Reason);
            Assert.StartsWith("f.json: invalid JSON at line", e.Message);
        }

        [Fact]
        public void Deep_nesting_is_refused_without_stack_overflow()
        {
            var text = new string('[', 100000) + new string(']', 100000);
            var e = Assert.Throws<JsonParseException>(() => JsonParser.Parse(text));
            Assert.Contains("nesting deeper", e.Reason);
        }

        [Fact]
        public void Deep_equality_ignores_property_order_and_number_spelling()
        {
            Assert.True(JsonParser.Parse("{\"a\":1,\"b\":[\"x\"]}").DeepEquals(JsonParser.Parse("{\"b\":[\"x\"],\"a\":1.0e0}")));
            Assert.False(JsonParser.Parse("[1,2]").DeepEquals(JsonParser.Parse("[2,1]")));
        }

        [Fact]
        public void Set_replaces_in_place_and_remove_reindexes()
        {
            var o = (JsonObject)JsonParser.Parse("{\"a\":1,\"b\":2,\"c\":3}");
            o.Set("b", JsonValue.From("x"));
            o.Remove("a");
            o.Set("d", JsonValue.From(true));
            Assert.Equal("{\"b\":\"x\",\"c\":3,\"d\":true}", JsonWriter.Write(o, indented: false));
            Assert.Equal(3L, ((JsonNumber)o["c"]!).TryGetInt64(out var c) ? c : -1);
        }
    }
}
