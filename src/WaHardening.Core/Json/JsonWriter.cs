using System.Globalization;
using System.IO;
using System.Text;

namespace WaHardening.Core.Json
{
    /// <summary>Deterministic JSON text: property order as held, numbers as written, "\n" line ends.</summary>
    public static class JsonWriter
    {
        public static string Write(JsonValue value, bool indented = true)
        {
            var sb = new StringBuilder();
            WriteTo(sb, value, indented, 0);
            if (indented) sb.Append('\n');
            return sb.ToString();
        }

        public static void WriteTo(TextWriter writer, JsonValue value, bool indented = true) =>
            writer.Write(Write(value, indented));

        private static void NewLine(StringBuilder sb, bool indented, int depth)
        {
            if (!indented) return;
            sb.Append('\n');
            sb.Append(' ', depth * 2);
        }

        private static void WriteTo(StringBuilder sb, JsonValue value, bool indented, int depth)
        {
            switch (value)
            {
                case JsonObject o:
                    if (o.Count == 0) { sb.Append("{}"); return; }
                    sb.Append('{');
                    for (var i = 0; i < o.Properties.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        NewLine(sb, indented, depth + 1);
                        WriteString(sb, o.Properties[i].Key);
                        sb.Append(indented ? ": " : ":");
                        WriteTo(sb, o.Properties[i].Value, indented, depth + 1);
                    }
                    NewLine(sb, indented, depth);
                    sb.Append('}');
                    return;
                case JsonArray a:
                    if (a.Count == 0) { sb.Append("[]"); return; }
                    sb.Append('[');
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        NewLine(sb, indented, depth + 1);
                        WriteTo(sb, a[i], indented, depth + 1);
                    }
                    NewLine(sb, indented, depth);
                    sb.Append(']');
                    return;
                case JsonString s: WriteString(sb, s.Value); return;
                case JsonNumber n: sb.Append(n.Raw); return;
                case JsonBoolean b: sb.Append(b.Value ? "true" : "false"); return;
                default: sb.Append("null"); return;
            }
        }

        public static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                if (char.IsSurrogate(c))
                {
                    // A pair is written as it is; a lone surrogate (valid in a JSON "\\ud800" escape, not in UTF-8) as its escape,
                    // so a foreign value round-trips and the UTF-8 encoder never meets it.
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { sb.Append(c).Append(s[++i]); continue; }
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    continue;
                }
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < ' ' || c == '\u2028' || c == '\u2029')
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }
}
