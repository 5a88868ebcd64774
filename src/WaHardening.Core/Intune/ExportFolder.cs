using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using WaHardening.Core.Json;

namespace WaHardening.Core.Intune
{
    /// <summary>A publishable file of an export folder, with its request body.</summary>
    public sealed class PublishableFile
    {
        internal PublishableFile(string path, string kind, string displayName, string marker, GraphTarget graph, JsonObject body)
        { Path = path; Kind = kind; DisplayName = displayName; Marker = marker; Graph = graph; Body = body; }
        public string Path { get; }
        public string Kind { get; }
        public string DisplayName { get; }
        public string Marker { get; }
        public GraphTarget Graph { get; }
        public JsonObject Body { get; }
    }

    /// <summary>Reads an export folder through its manifest.json (the contract with Export-WaIntuneProfile), checking it
    /// all first: every problem is one typed error naming the file and field, and nothing is sent.</summary>
    public static class ExportFolder
    {
        public static IReadOnlyList<PublishableFile> Load(string directory)
        {
            var manifestPath = System.IO.Path.Combine(directory, ExportManifest.FileName);
            if (!File.Exists(manifestPath))
                throw new WaHardeningException(ErrorIds.ExportNotFound, WaErrorCategory.ObjectNotFound,
                    $"'{directory}' holds no {ExportManifest.FileName}; export with Export-WaIntuneProfile first.", directory);
            JsonObject m;
            try { m = JsonParser.ParseFile(manifestPath) as JsonObject ?? throw Bad(manifestPath, "the manifest is not a JSON object"); }
            catch (JsonParseException e) { throw Bad(manifestPath, $"not valid JSON: line {e.Line}, column {e.Column}: {e.Reason}"); }
            if (!(m["schemaVersion"] is JsonNumber v) || v.Raw != "1") throw Bad(manifestPath, "schemaVersion must be 1");
            if (!(m["files"] is JsonArray files)) throw Bad(manifestPath, "'files' is missing");
            var list = new List<PublishableFile>();
            var markers = new HashSet<string>(StringComparer.Ordinal);
            var n = 0;
            foreach (var item in files.Items)
            {
                var where = $"files[{n++}]";
                if (!(item is JsonObject f)) throw Bad(manifestPath, $"{where} is not an object");
                var path = Str(f, "path", manifestPath, where);
                var marker = Str(f, "marker", manifestPath, where);
                if (!markers.Add(marker)) throw Bad(manifestPath, $"{where}.marker '{marker}' is used twice");
                if (path.Contains("..") || System.IO.Path.IsPathRooted(path)) throw Bad(manifestPath, $"{where}.path '{path}' leaves the export folder");
                var full = System.IO.Path.Combine(directory, path.Replace('/', System.IO.Path.DirectorySeparatorChar));
                if (!File.Exists(full)) throw Bad(manifestPath, $"{where}.path '{path}' does not exist");
                var bytes = File.ReadAllBytes(full);
                using (var sha = SHA256.Create())
                {
                    var hash = string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
                    if (hash != Str(f, "sha256", manifestPath, where)) throw Bad(manifestPath, $"{where}: '{path}' was changed after the export (sha256 differs)");
                }
                if (!(f["graph"] is JsonObject g)) continue;
                var bindings = (g["bindings"] as JsonArray)?.Items.OfType<JsonObject>().Select(b => Binding(b, manifestPath, where + ".graph.bindings")).ToList();
                var target = new GraphTarget(Str(g, "apiVersion", manifestPath, where + ".graph"), Str(g, "collection", manifestPath, where + ".graph"),
                    (g["odataType"] as JsonString)?.Value, (g["assignable"] as JsonBoolean)?.Value ?? false, bindings);
                if (target.ApiVersion != "beta" && target.ApiVersion != "v1.0") throw Bad(manifestPath, $"{where}.graph.apiVersion '{target.ApiVersion}' is not beta or v1.0");
                if (!target.Collection.StartsWith("deviceManagement/", StringComparison.Ordinal)) throw Bad(manifestPath, $"{where}.graph.collection '{target.Collection}' is not under deviceManagement/");
                JsonObject body;
                try { body = JsonParser.Parse(System.Text.Encoding.UTF8.GetString(bytes), full) as JsonObject ?? throw Bad(full, "the body is not a JSON object"); }
                catch (JsonParseException e) { throw Bad(full, $"not valid JSON: line {e.Line}, column {e.Column}: {e.Reason}"); }
                var description = ((body["description"] as JsonString)?.Value ?? "");
                if (!description.EndsWith(ExportManifest.MarkerLine(marker), StringComparison.Ordinal))
                    throw Bad(full, $"its description does not end with the marker line {ExportManifest.MarkerLine(marker)}");
                list.Add(new PublishableFile(path, Str(f, "kind", manifestPath, where), Str(f, "displayName", manifestPath, where), marker, target, body));
            }
            foreach (var p in list)
                foreach (var b in p.Graph.Bindings)
                    if (!list.Any(x => x.Marker == b.Marker)) throw Bad(manifestPath, $"'{p.Path}' binds to marker '{b.Marker}', which no publishable file has");
            return list;
        }

        private static GraphBinding Binding(JsonObject b, string file, string where)
        {
            var values = new List<KeyValuePair<string, JsonValue>>();
            if (b.Contains("values"))
            {
                if (!(b["values"] is JsonObject v)) throw Bad(file, $"{where}.values is not an object");
                foreach (var p in v.Properties)
                {
                    if (p.Key.Length == 0 || p.Key.Split('.').Any(part => part.Length == 0)) throw Bad(file, $"{where}.values: '{p.Key}' is not a property path");
                    values.Add(new KeyValuePair<string, JsonValue>(p.Key, p.Value));
                }
            }
            return new GraphBinding(Str(b, "property", file, where), Str(b, "marker", file, where), values);
        }

        /// <summary>The marker in a tenant object's description, or null.</summary>
        public static string? MarkerOf(string? description)
        {
            if (description == null) return null;
            const string open = "[WaHardening marker: ";
            var i = description.LastIndexOf(open, StringComparison.Ordinal);
            if (i < 0) return null;
            var end = description.IndexOf(']', i);
            return end < 0 ? null : description.Substring(i + open.Length, end - i - open.Length);
        }

        private static string Str(JsonObject o, string name, string file, string where) =>
            o[name] is JsonString s ? s.Value : throw Bad(file, $"{where}.{name} is missing or not a string");

        private static WaHardeningException Bad(string file, string why) =>
            new WaHardeningException(ErrorIds.ExportInvalid, WaErrorCategory.InvalidData, $"The export is not usable: {file}: {why}. Nothing was sent.", file);
    }
}
