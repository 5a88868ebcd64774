using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Serialization;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using WaHardening.Core.Json;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Checks a Graph request body against the Microsoft.Graph v1.0 models the module ships (Microsoft.Graph 6.10, the
    /// package WaHardening.Graph references), by reflection: a body's <c>@odata.type</c> is resolved through the SDK's own
    /// discriminator factories, its JSON property names must be keys of the model's <c>GetFieldDeserializers()</c> (the
    /// SDK's serialization names), each value must be what that deserializer reads (it is called with a recording parse
    /// node), enum values must be serialization names of the enum's members (<c>EnumMember</c>), and nested objects are
    /// checked recursively against their model types. For a beta body only, what v1.0 lacks may come from
    /// tests/fixtures/graph/intune-types.json (beta types and properties, each with its source); a v1.0 body gets no help.
    /// </summary>
    internal sealed class GraphModel
    {
        public static Assembly Sdk => typeof(Microsoft.Graph.Models.Entity).Assembly;

        private readonly JsonObject _beta;
        private readonly JsonObject _betaAdditions;
        private readonly JsonObject _required;
        private readonly bool _allowBeta;
        private readonly List<string> _problems = new List<string>();

        /// <summary>Types checked by the v1.0 model; types and properties that needed the beta table.</summary>
        public HashSet<string> Checked { get; } = new HashSet<string>(StringComparer.Ordinal);
        public HashSet<string> NeededBeta { get; } = new HashSet<string>(StringComparer.Ordinal);

        public GraphModel(string apiVersion)
        {
            Assert.True(apiVersion == "v1.0" || apiVersion == "beta", $"unknown API version {apiVersion}");
            _allowBeta = apiVersion == "beta";
            var table = (JsonObject)JsonParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "fixtures", "graph", "intune-types.json"));
            _beta = (JsonObject)table["betaTypes"]!;
            _betaAdditions = (JsonObject)table["betaProperties"]!;
            _required = (JsonObject)table["required"]!;
        }

        /// <summary>Every problem of the body (empty when Graph's model takes it).</summary>
        public IReadOnlyList<string> Check(string where, JsonObject body, string odataType)
        {
            _problems.Clear();
            CheckObject(where, body, odataType, null);
            return _problems.ToList();
        }

        // ------------------------------------------------------------ types

        /// <summary>The v1.0 model type of an @odata.type, through the discriminator factory of <paramref name="declared"/>
        /// (Entity for a collection's item); null when v1.0 has no such type.</summary>
        public static Type? Resolve(string odataType, Type declared)
        {
            var factory = declared.GetMethod("CreateFromDiscriminatorValue", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(IParseNode) }, null)
                ?? throw new InvalidOperationException($"{declared} has no discriminator factory");
            var instance = factory.Invoke(null, new object[] { new RecordingNode(odataType) })!;
            // Each model's constructor sets its own @odata.type: a factory that fell back to the declared type names that one.
            // (An abstract type such as deviceCompliancePolicy sets none: its class name is the type's name.)
            var own = instance.GetType().GetProperty("OdataType")?.GetValue(instance) as string;
            return own == odataType || (own == null && string.Equals("#microsoft.graph." + instance.GetType().Name, odataType, StringComparison.OrdinalIgnoreCase))
                ? instance.GetType() : null;
        }

        private static readonly Type Entity = typeof(Microsoft.Graph.Models.Entity);

        private void CheckObject(string where, JsonObject o, string? odataType, Type? declared)
        {
            Type? model = null;
            if (odataType != null)
            {
                model = Resolve(odataType, declared ?? Entity);
                if (model != null && declared != null && !declared.IsAssignableFrom(model))
                { _problems.Add($"{where}: {odataType} is not a {declared.Name}"); return; }
            }
            else model = declared;
            var name = odataType ?? (model != null ? "#microsoft.graph." + char.ToLowerInvariant(model.Name[0]) + model.Name.Substring(1) : "?");
            JsonObject? beta = null;
            if (model == null)
            {
                if (!_allowBeta || !(_beta[name] is JsonObject b)) { _problems.Add($"{where}: Microsoft.Graph v1.0 has no type {name}"); return; }
                beta = b;
                NeededBeta.Add(name);
                // A beta type may derive from a v1.0 type: its inherited properties come from that model.
                if (beta["base"] is JsonString baseName)
                    model = Resolve(baseName.Value, Entity) ?? throw new InvalidOperationException($"beta table: base {baseName.Value} of {name} is not a v1.0 type");
            }
            Checked.Add(name);
            var fields = model != null ? Fields(model) : new Dictionary<string, Read>();
            var added = _allowBeta ? (beta ?? _betaAdditions[name] as JsonObject)?["properties"] as JsonObject : null;
            foreach (var r in Required(name))
                if (!o.Contains(r)) _problems.Add($"{where}: {name} needs '{r}'");
            foreach (var p in o.Properties)
            {
                var at = $"{where}.{p.Key}";
                if (fields.TryGetValue(p.Key, out var read)) { CheckValue(at, p.Value, read); continue; }
                if (added?[p.Key] is JsonString kind)
                {
                    if (beta == null) NeededBeta.Add(name + "." + p.Key);
                    CheckBetaValue(at, p.Value, kind.Value);
                    continue;
                }
                _problems.Add($"{where}: {name} has no property '{p.Key}' in Microsoft.Graph v1.0{(_allowBeta ? " nor in the beta table" : "")}");
            }
        }

        /// <summary>Required properties of a create body: Graph's model does not say, the create pages do (beta table, "required").</summary>
        private IEnumerable<string> Required(string name) =>
            (_required[name] as JsonArray)?.Items.Select(i => ((JsonString)i).Value) ?? Enumerable.Empty<string>();

        // ------------------------------------------------------------ values

        private enum ReadKind { String, Bool, Int, Long, Float, Guid, DateTime, TimeSpan, Date, Time, Bytes, Enum, Object, Objects, Primitives, Enums, Unknown }

        private sealed class Read
        {
            public ReadKind Kind;
            public Type? Type;
        }

        private static Dictionary<string, Read> Fields(Type model)
        {
            var instance = Activator.CreateInstance(model)!;
            var map = (IDictionary<string, Action<IParseNode>>)model.GetMethod("GetFieldDeserializers", Type.EmptyTypes)!.Invoke(instance, null)!;
            var result = new Dictionary<string, Read>(StringComparer.Ordinal);
            foreach (var kv in map)
            {
                var node = new RecordingNode(null);
                kv.Value(node);
                result[kv.Key] = new Read { Kind = node.Kind, Type = node.Type };
            }
            return result;
        }

        private void CheckValue(string where, JsonValue v, Read read)
        {
            if (v is JsonNull) return; // every model property is nullable
            switch (read.Kind)
            {
                case ReadKind.String: Expect(where, v is JsonString, "a string"); return;
                case ReadKind.Bool: Expect(where, v is JsonBoolean, "a boolean"); return;
                case ReadKind.Int: Expect(where, v is JsonNumber n && int.TryParse(n.Raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), "a 32-bit integer"); return;
                case ReadKind.Long: Expect(where, v is JsonNumber l && long.TryParse(l.Raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), "a 64-bit integer"); return;
                case ReadKind.Float: Expect(where, v is JsonNumber, "a number"); return;
                case ReadKind.Guid: Expect(where, v is JsonString g && Guid.TryParse(g.Value, out _), "a GUID"); return;
                case ReadKind.Bytes: Expect(where, v is JsonString b && IsBase64(b.Value), "base64"); return;
                case ReadKind.DateTime: case ReadKind.TimeSpan: case ReadKind.Date: case ReadKind.Time: Expect(where, v is JsonString, "a string"); return;
                case ReadKind.Enum: CheckEnum(where, v, read.Type!); return;
                case ReadKind.Object:
                    if (!(v is JsonObject o)) { _problems.Add($"{where}: must be an object ({read.Type!.Name})"); return; }
                    CheckObject(where, o, (o["@odata.type"] as JsonString)?.Value, read.Type);
                    return;
                case ReadKind.Objects:
                    if (!(v is JsonArray a)) { _problems.Add($"{where}: must be an array of {read.Type!.Name}"); return; }
                    var k = 0;
                    foreach (var item in a.Items)
                    {
                        if (item is JsonObject io) CheckObject($"{where}[{k}]", io, (io["@odata.type"] as JsonString)?.Value, read.Type);
                        else _problems.Add($"{where}[{k}]: must be an object ({read.Type!.Name})");
                        k++;
                    }
                    return;
                case ReadKind.Primitives:
                    if (!(v is JsonArray pa)) { _problems.Add($"{where}: must be an array"); return; }
                    var kind = read.Type == typeof(string) ? ReadKind.String : read.Type == typeof(bool) ? ReadKind.Bool : read.Type == typeof(int) ? ReadKind.Int
                        : read.Type == typeof(long) ? ReadKind.Long : read.Type == typeof(Guid) ? ReadKind.Guid : ReadKind.Float;
                    var j = 0;
                    foreach (var item in pa.Items) CheckValue($"{where}[{j++}]", item, new Read { Kind = kind });
                    return;
                case ReadKind.Enums:
                    if (!(v is JsonArray ea)) { _problems.Add($"{where}: must be an array"); return; }
                    var e = 0;
                    foreach (var item in ea.Items) CheckEnum($"{where}[{e++}]", item, read.Type!);
                    return;
                default:
                    _problems.Add($"{where}: the model reads it in a way this check does not know ({read.Kind})");
                    return;
            }
        }

        /// <summary>An enum value (a flags enum: comma-separated) must be a serialization name of the enum's members.</summary>
        private void CheckEnum(string where, JsonValue v, Type enumType)
        {
            if (!(v is JsonString s)) { _problems.Add($"{where}: must be a string ({enumType.Name})"); return; }
            var names = EnumNames(enumType);
            foreach (var part in s.Value.Split(','))
                if (!names.Contains(part.Trim()))
                    _problems.Add($"{where}: '{part}' is not a value of {enumType.Name} ({string.Join(", ", names)})");
        }

        public static IReadOnlyCollection<string> EnumNames(Type enumType) =>
            enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => f.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? f.Name).ToList();

        /// <summary>A value of a beta-only property, typed by the beta table: string, boolean, integer, base64, string[],
        /// or a Graph type name (an object of that type; with [] an array of them).</summary>
        private void CheckBetaValue(string where, JsonValue v, string kind)
        {
            if (v is JsonNull) return;
            switch (kind)
            {
                case "string": Expect(where, v is JsonString, "a string"); return;
                case "boolean": Expect(where, v is JsonBoolean, "a boolean"); return;
                case "integer": Expect(where, v is JsonNumber n && int.TryParse(n.Raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), "a 32-bit integer"); return;
                case "base64": Expect(where, v is JsonString b && IsBase64(b.Value), "base64"); return;
                case "string[]": Expect(where, v is JsonArray a && a.Items.All(i => i is JsonString), "an array of strings"); return;
            }
            if (kind.StartsWith("enum:", StringComparison.Ordinal))
            {
                var allowed = kind.Substring(5).Split('|');
                if (!(v is JsonString s)) { _problems.Add($"{where}: must be a string"); return; }
                foreach (var part in s.Value.Split(','))
                    if (!allowed.Contains(part.Trim())) _problems.Add($"{where}: '{part}' is not one of {string.Join(", ", allowed)}");
                return;
            }
            if (kind.StartsWith("#microsoft.graph.", StringComparison.Ordinal))
            {
                var many = kind.EndsWith("[]", StringComparison.Ordinal);
                var type = many ? kind.Substring(0, kind.Length - 2) : kind;
                var items = many ? (v as JsonArray)?.Items : new[] { v };
                if (items == null) { _problems.Add($"{where}: must be an array of {type}"); return; }
                var k = 0;
                foreach (var item in items)
                {
                    var at = many ? $"{where}[{k++}]" : where;
                    if (!(item is JsonObject o)) { _problems.Add($"{at}: must be an object ({type})"); continue; }
                    // A derived type names itself; the beta table lists each one checked.
                    var own = (o["@odata.type"] as JsonString)?.Value ?? type;
                    if (own != type && !(_beta[own] is JsonObject d && (d["derivesFrom"] as JsonString)?.Value == type))
                    { _problems.Add($"{at}: {own} is not a {type} (beta table)"); continue; }
                    CheckObject(at, o, own, null);
                }
                return;
            }
            throw new InvalidOperationException($"beta table: unknown kind '{kind}'");
        }

        private void Expect(string where, bool ok, string what) { if (!ok) _problems.Add($"{where}: must be {what}"); }

        private static bool IsBase64(string s)
        {
            try { Convert.FromBase64String(s); return true; } catch (FormatException) { return false; }
        }

        // ------------------------------------------------------------ the recording parse node

        /// <summary>An IParseNode that records what a model's field deserializer asks for (and serves an @odata.type to a
        /// discriminator factory).</summary>
        private sealed class RecordingNode : IParseNode
        {
            private readonly string? _odataType;
            public RecordingNode(string? odataType) { _odataType = odataType; }
            public ReadKind Kind { get; private set; } = ReadKind.Unknown;
            public Type? Type { get; private set; }

            private T? Rec<T>(ReadKind k, Type? t = null) { Kind = k; Type = t; return default; }

            public string? GetStringValue() { Kind = ReadKind.String; return _odataType; }
            public IParseNode? GetChildNode(string identifier) => identifier == "@odata.type" && _odataType != null ? new RecordingNode(_odataType) : null;
            public bool? GetBoolValue() => Rec<bool?>(ReadKind.Bool);
            public byte? GetByteValue() => Rec<byte?>(ReadKind.Int);
            public sbyte? GetSbyteValue() => Rec<sbyte?>(ReadKind.Int);
            public int? GetIntValue() => Rec<int?>(ReadKind.Int);
            public float? GetFloatValue() => Rec<float?>(ReadKind.Float);
            public long? GetLongValue() => Rec<long?>(ReadKind.Long);
            public double? GetDoubleValue() => Rec<double?>(ReadKind.Float);
            public decimal? GetDecimalValue() => Rec<decimal?>(ReadKind.Float);
            public Guid? GetGuidValue() => Rec<Guid?>(ReadKind.Guid);
            public DateTimeOffset? GetDateTimeOffsetValue() => Rec<DateTimeOffset?>(ReadKind.DateTime);
            public TimeSpan? GetTimeSpanValue() => Rec<TimeSpan?>(ReadKind.TimeSpan);
            public Date? GetDateValue() => Rec<Date?>(ReadKind.Date);
            public Time? GetTimeValue() => Rec<Time?>(ReadKind.Time);
            public IEnumerable<T> GetCollectionOfPrimitiveValues<T>() { Kind = ReadKind.Primitives; Type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T); return Enumerable.Empty<T>(); }
#if NET5_0_OR_GREATER
            public IEnumerable<T?> GetCollectionOfEnumValues<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicFields)] T>() where T : struct, Enum
#else
            public IEnumerable<T?> GetCollectionOfEnumValues<T>() where T : struct, Enum
#endif
            { Kind = ReadKind.Enums; Type = typeof(T); return Enumerable.Empty<T?>(); }
            public IEnumerable<T> GetCollectionOfObjectValues<T>(ParsableFactory<T> factory) where T : IParsable { Kind = ReadKind.Objects; Type = typeof(T); return Enumerable.Empty<T>(); }
#if NET5_0_OR_GREATER
            public T? GetEnumValue<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicFields)] T>() where T : struct, Enum
#else
            public T? GetEnumValue<T>() where T : struct, Enum
#endif
            { Kind = ReadKind.Enum; Type = typeof(T); return null; }
            public T GetObjectValue<T>(ParsableFactory<T> factory) where T : IParsable { Kind = ReadKind.Object; Type = typeof(T); return default!; }
            public byte[]? GetByteArrayValue() => Rec<byte[]>(ReadKind.Bytes);
            public Action<IParsable>? OnBeforeAssignFieldValues { get; set; }
            public Action<IParsable>? OnAfterAssignFieldValues { get; set; }
        }
    }
}
