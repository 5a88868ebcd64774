using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Sessions.Formats;

namespace WaHardening.Core.Sessions
{
    /// <summary>
    /// Takes hosts out of a Firefox session-restore file (<c>sessionstore.jsonlz4</c>, <c>sessionstore-backups/*</c>,
    /// mozLz4-compressed JSON): their sessionStorage (<c>storage</c> maps), cookies (<c>cookies</c> lists) and history
    /// entries (<c>entries</c> lists; a tab left with no entry goes, its window's tab index is fixed). If the file still
    /// names a host afterwards (a title, a favicon, a principal) or cannot be read, the caller removes it.
    /// </summary>
    internal static class SessionRestoreScrubber
    {
        public enum Outcome { Untouched, Rewritten, Removed }

        private const int MaxFileBytes = 64 * 1024 * 1024;
        private const int MaxDecodedBytes = 512 * 1024 * 1024;

        public static Outcome Scrub(string path, IReadOnlyList<string> hosts)
        {
            byte[] raw;
            try
            {
                var fi = new FileInfo(path);
                if (fi.Length > MaxFileBytes) return Outcome.Removed;
                raw = File.ReadAllBytes(path);
            }
            catch (IOException) { return Outcome.Removed; }
            byte[] json;
            try { json = MozLz4.Decode(raw, MaxDecodedBytes); }
            catch (Exception e) when (e is WaHardeningException || e is InvalidDataException || e is FormatException) { return Outcome.Removed; }
            var text = Encoding.UTF8.GetString(json);
            var scrubbed = ScrubText(text, hosts, path);
            if (scrubbed == null) return Outcome.Removed;
            if (ReferenceEquals(scrubbed, text)) return Outcome.Untouched;
            AtomicFile.Write(path, MozLz4.Encode(Encoding.UTF8.GetBytes(scrubbed)));
            return Outcome.Rewritten;
        }

        /// <summary>The session-restore JSON without the hosts: <paramref name="text"/> itself when it does not name them,
        /// null when it still does after the scrub (or is not JSON).</summary>
        internal static string? ScrubText(string text, IReadOnlyList<string> hosts, string source = "(session store)")
        {
            if (!NamesAny(text, hosts)) return text;
            JsonValue root;
            try { root = JsonParser.Parse(text, source); }
            catch (JsonParseException) { return null; }
            Walk(root, hosts, 0);
            var outText = JsonWriter.Write(root, indented: false);
            return NamesAny(outText, hosts) ? null : outText;
        }

        private static bool NamesAny(string text, IReadOnlyList<string> hosts) =>
            hosts.Any(h => text.IndexOf(h, StringComparison.OrdinalIgnoreCase) >= 0);

        private static bool UrlCovered(string url, IReadOnlyList<string> hosts) =>
            Uri.TryCreate(url, UriKind.Absolute, out var u) && !string.IsNullOrEmpty(u.Host) && hosts.Any(h => BrowserDriver.CookieDomainCovers(u.Host, h) || string.Equals(u.Host, h, StringComparison.OrdinalIgnoreCase));

        /// <summary>Cleans the tree; true when <paramref name="value"/> is a tab (or closed tab) left without entries.</summary>
        private static bool Walk(JsonValue value, IReadOnlyList<string> hosts, int depth)
        {
            if (depth > JsonParser.MaxDepth) return false;
            if (value is JsonArray arr)
            {
                foreach (var item in arr.Items) Walk(item, hosts, depth + 1);
                return false;
            }
            if (!(value is JsonObject obj)) return false;
            var emptied = false;
            foreach (var kv in obj.Properties.ToList())
            {
                switch (kv.Key)
                {
                    case "storage" when kv.Value is JsonObject storage:
                        foreach (var origin in storage.Properties.Select(p => p.Key).ToList())
                            if (UrlCovered(origin, hosts)) storage.Remove(origin);
                        break;
                    case "cookies" when kv.Value is JsonArray cookies:
                        obj.Set("cookies", new JsonArray(cookies.Items.Where(c =>
                            !(c is JsonObject co && co["host"] is JsonString h && hosts.Any(x => BrowserDriver.CookieDomainCovers(h.Value, x))))));
                        break;
                    case "entries" when kv.Value is JsonArray entries:
                        var kept = entries.Items.Where(e => !(e is JsonObject eo && eo["url"] is JsonString u && UrlCovered(u.Value, hosts))).ToList();
                        foreach (var e in kept) Walk(e, hosts, depth + 1);
                        obj.Set("entries", new JsonArray(kept));
                        if (obj["index"] is JsonNumber idx && idx.TryGetInt64(out var i) && i > kept.Count) obj.Set("index", new JsonNumber(Math.Max(1, kept.Count)));
                        emptied = entries.Count > 0 && kept.Count == 0;
                        break;
                    case "tabs" when kv.Value is JsonArray tabs:
                    case "_closedTabs" when kv.Value is JsonArray tabs2:
                        var list = (JsonArray)kv.Value;
                        var keepTabs = list.Items.Where(t => !Walk(t, hosts, depth + 1)).ToList();
                        obj.Set(kv.Key, new JsonArray(keepTabs));
                        if (kv.Key == "tabs" && obj["selected"] is JsonNumber sel && sel.TryGetInt64(out var s) && s > keepTabs.Count)
                            obj.Set("selected", new JsonNumber(Math.Max(1, keepTabs.Count)));
                        break;
                    case "state" when kv.Value is JsonObject state:
                        // A closed tab keeps its tab state here: it goes when that state is left without entries.
                        if (Walk(state, hosts, depth + 1)) emptied = true;
                        break;
                    default:
                        Walk(kv.Value, hosts, depth + 1);
                        break;
                }
            }
            return emptied;
        }
    }
}
