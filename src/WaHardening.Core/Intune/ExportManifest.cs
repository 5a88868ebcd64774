using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using WaHardening.Core.Json;

namespace WaHardening.Core.Intune
{
    /// <summary>What an exported file is (docs/intune-export.md lists each kind with its Graph collection).</summary>
    public static class ExportKinds
    {
        public const string SettingsCatalog = "settingsCatalog";
        public const string CustomConfiguration = "customConfiguration";
        public const string CompliancePolicy = "compliancePolicy";
        public const string CustomComplianceScript = "customComplianceScript";
        public const string CustomComplianceRules = "customComplianceRules";
        public const string RemediationScript = "remediationScript";
        public const string Remediation = "remediation";
        public const string MobileConfig = "mobileconfig";
        public const string LinuxPolicy = "linuxPolicy";
        public const string DconfKeyfile = "dconfKeyfile";
        /// <summary>A systemd unit or drop-in of the session clean-up (WA-SESSION-05), as Set-WaHardening writes it.</summary>
        public const string SystemdUnit = "systemdUnit";
        /// <summary>A launchd property list of the session clean-up (WA-SESSION-05) for macOS.</summary>
        public const string LaunchdPlist = "launchdPlist";
    }

    /// <summary>
    /// What the publisher adds to a body at publish time: the tenant id of another exported object, and the
    /// properties that only make sense together with it. The file itself stays importable as it is (it holds
    /// neither the empty id nor the bound properties); manifest.json carries the binding.
    /// </summary>
    public sealed class GraphBinding
    {
        public GraphBinding(string property, string marker, IReadOnlyList<KeyValuePair<string, JsonValue>>? values = null)
        {
            Property = property; Marker = marker; Values = values ?? Array.Empty<KeyValuePair<string, JsonValue>>();
        }
        /// <summary>Dot-separated property path in this file's body.</summary>
        public string Property { get; }
        /// <summary>The marker of the file whose tenant id goes there.</summary>
        public string Marker { get; }
        /// <summary>Further properties (dot-separated paths) set with the id, in order.</summary>
        public IReadOnlyList<KeyValuePair<string, JsonValue>> Values { get; }

        public JsonObject ToJson()
        {
            var o = new JsonObject().Set("property", Property).Set("marker", Marker);
            if (Values.Count == 0) return o;
            var values = new JsonObject();
            foreach (var kv in Values) values.Set(kv.Key, JsonObject.Clone(kv.Value));
            return o.Set("values", values);
        }

        /// <summary>Sets the id and the values in a body, creating the objects on the way.</summary>
        public void Apply(JsonObject body, string id)
        {
            SetPath(body, Property, new JsonString(id));
            foreach (var kv in Values) SetPath(body, kv.Key, JsonObject.Clone(kv.Value));
        }

        private static void SetPath(JsonObject body, string path, JsonValue value)
        {
            var parts = path.Split('.');
            var o = body;
            for (var k = 0; k < parts.Length - 1; k++)
            {
                if (!(o[parts[k]] is JsonObject next)) { next = new JsonObject(); o.Set(parts[k], next); }
                o = next;
            }
            o.Set(parts[parts.Length - 1], value);
        }
    }

    /// <summary>Where a publishable file goes in Graph.</summary>
    public sealed class GraphTarget
    {
        public GraphTarget(string apiVersion, string collection, string? odataType, bool assignable, IReadOnlyList<GraphBinding>? bindings = null)
        {
            ApiVersion = apiVersion; Collection = collection; OdataType = odataType; Assignable = assignable;
            Bindings = bindings ?? Array.Empty<GraphBinding>();
        }
        public string ApiVersion { get; }
        public string Collection { get; }
        public string? OdataType { get; }
        public bool Assignable { get; }
        public IReadOnlyList<GraphBinding> Bindings { get; }
    }

    /// <summary>One exported file as the manifest lists it.</summary>
    public sealed class ExportedFile
    {
        public ExportedFile(string path, string kind, string platform, string displayName, string marker,
            IEnumerable<string> controls, byte[] content, GraphTarget? graph)
        {
            Path = path; Kind = kind; Platform = platform; DisplayName = displayName; Marker = marker;
            Controls = controls.Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal).ToList();
            Content = content; Graph = graph;
            using (var sha = SHA256.Create())
                Sha256 = string.Concat(sha.ComputeHash(content).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        /// <summary>Relative to the export folder, '/' separators.</summary>
        public string Path { get; }
        public string Kind { get; }
        /// <summary>windows, macOS, iOS, android or linux.</summary>
        public string Platform { get; }
        public string DisplayName { get; }
        public string Marker { get; }
        public IReadOnlyList<string> Controls { get; }
        public byte[] Content { get; }
        public string Sha256 { get; }
        public GraphTarget? Graph { get; }

        public JsonObject ToJson()
        {
            var o = new JsonObject()
                .Set("path", Path).Set("kind", Kind).Set("platform", Platform).Set("displayName", DisplayName)
                .Set("marker", Marker).Set("controls", Controls.ToArray()).Set("sha256", Sha256);
            if (Graph == null) return o.Set("graph", JsonNull.Instance);
            var bindings = new JsonArray();
            foreach (var b in Graph.Bindings) bindings.Add(b.ToJson());
            return o.Set("graph", new JsonObject()
                .Set("apiVersion", Graph.ApiVersion)
                .Set("collection", Graph.Collection)
                .Set("odataType", Graph.OdataType == null ? (JsonValue)JsonNull.Instance : new JsonString(Graph.OdataType))
                .Set("assignable", Graph.Assignable)
                .Set("bindings", bindings));
        }
    }

    /// <summary>manifest.json: every file of an export, its kind, platform, marker and controls (contract with the publisher).</summary>
    public sealed class ExportManifest
    {
        public const int SchemaVersion = 1;
        public const string FileName = "manifest.json";

        public ExportManifest(string generator, string profile, IReadOnlyDictionary<string, JsonValue> parameters, IEnumerable<ExportedFile> files,
            IReadOnlyList<string>? includes = null)
        {
            Generator = generator; Profile = profile; Parameters = parameters; Includes = includes ?? Array.Empty<string>();
            Files = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
            var dup = Files.GroupBy(f => f.Marker).FirstOrDefault(g => g.Count() > 1);
            if (dup != null) throw new InvalidOperationException($"Two exported files share the marker '{dup.Key}'.");
        }

        public string Generator { get; }
        public string Profile { get; }
        /// <summary>The profiles this one includes. Its Intune files carry only what it adds to them: a device of this
        /// profile is assigned their exports too (docs/intune-export.md, "Profiles and assignment").</summary>
        public IReadOnlyList<string> Includes { get; }
        public IReadOnlyDictionary<string, JsonValue> Parameters { get; }
        public IReadOnlyList<ExportedFile> Files { get; }

        public JsonObject ToJson()
        {
            var p = new JsonObject();
            foreach (var kv in Parameters.OrderBy(k => k.Key, StringComparer.Ordinal)) p.Set(kv.Key, JsonObject.Clone(kv.Value));
            var files = new JsonArray();
            foreach (var f in Files) files.Add(f.ToJson());
            return new JsonObject()
                .Set("schemaVersion", SchemaVersion)
                .Set("generator", Generator)
                .Set("profile", Profile)
                .Set("includes", Includes.ToArray())
                .Set("parameters", p)
                .Set("files", files);
        }

        /// <summary>The text written to manifest.json (UTF-8 without BOM, LF, 2-space indent).</summary>
        public string ToText() => JsonWriter.Write(ToJson());

        /// <summary>The line a publishable body's description ends with; the publisher finds tenant objects by it.</summary>
        public static string MarkerLine(string marker) => $"[WaHardening marker: {marker}]";
    }
}
