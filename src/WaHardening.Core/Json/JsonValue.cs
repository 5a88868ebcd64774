using System;
using System.Collections.Generic;
using System.Globalization;

namespace WaHardening.Core.Json
{
    public enum JsonKind { Object, Array, String, Number, Boolean, Null }

    /// <summary>
    /// Where a container was read from: the decoded text of a file and the container's range in it (from its opening to past
    /// its closing bracket). Kept only for documents parsed from a file's bytes as strict JSON (no comments or trailing commas
    /// in the range), and dropped by any change to the container (<see cref="JsonObject.Set(string, JsonValue)"/>,
    /// <see cref="JsonObject.Remove"/>, <see cref="JsonArray.Add"/>; copies never carry it). The writer copies the text of a
    /// container whose whole subtree still has its ranges instead of serializing it (#14 item 11: rewriting a 50 MB
    /// policies.json to change a few members copies the foreign part), so a foreign part keeps its exact text.
    /// </summary>
    internal readonly struct JsonSource
    {
        public JsonSource(string text, int start, int end) { Text = text; Start = start; End = end; }
        public readonly string? Text;
        public readonly int Start, End;
        public bool IsSet => Text != null;
    }

    /// <summary>
    /// A small JSON document model that keeps what policy files need and general-purpose DOMs drop:
    /// property order, the exact text of numbers, and the line/column every value came from (for
    /// error messages that point into the file). The core has no package dependencies, so the
    /// module loads the same way in Windows PowerShell 5.1 and PowerShell 7.
    /// </summary>
    public abstract class JsonValue
    {
        public abstract JsonKind Kind { get; }

        /// <summary>1-based line of the value's first character; 0 when built in memory.</summary>
        public int Line { get; internal set; }

        /// <summary>1-based column of the value's first character; 0 when built in memory.</summary>
        public int Column { get; internal set; }

        public string Location => Line > 0 ? $"line {Line}, column {Column}" : "(in memory)";

        public static JsonValue From(object? value)
        {
            switch (value)
            {
                case null: return JsonNull.Instance;
                case JsonValue j: return j;
                case string s: return new JsonString(s);
                case bool b: return new JsonBoolean(b);
                case int i: return new JsonNumber(i);
                case long l: return new JsonNumber(l);
                case uint ui: return new JsonNumber(ui);
                case double d: return new JsonNumber(d);
                case IEnumerable<string> strings:
                    var a = new JsonArray();
                    foreach (var s in strings) a.Add(new JsonString(s));
                    return a;
                default:
                    throw new ArgumentException($"Cannot convert a {value.GetType().Name} to JSON.", nameof(value));
            }
        }

        /// <summary>Structural equality: objects compare by property set (order ignored), numbers by value.</summary>
        public abstract bool DeepEquals(JsonValue? other);

        public override string ToString() => JsonWriter.Write(this, indented: false);
    }

    public sealed class JsonNull : JsonValue
    {
        public static readonly JsonNull Instance = new JsonNull();
        /// <summary>A null read from a document (it carries its own line and column); <see cref="Instance"/> otherwise.</summary>
        internal JsonNull() { }
        public override JsonKind Kind => JsonKind.Null;
        public override bool DeepEquals(JsonValue? other) => other is JsonNull;
    }

    public sealed class JsonBoolean : JsonValue
    {
        public JsonBoolean(bool value) { Value = value; }
        public bool Value { get; }
        public override JsonKind Kind => JsonKind.Boolean;
        public override bool DeepEquals(JsonValue? other) => other is JsonBoolean b && b.Value == Value;
    }

    public sealed class JsonString : JsonValue
    {
        public JsonString(string value) { Value = value ?? throw new ArgumentNullException(nameof(value)); }
        public string Value { get; }
        public override JsonKind Kind => JsonKind.String;
        public override bool DeepEquals(JsonValue? other) => other is JsonString s && s.Value == Value;
    }

    /// <summary>A number, kept as the exact text it was written with so a rewrite changes nothing.</summary>
    public sealed class JsonNumber : JsonValue
    {
        public JsonNumber(string raw) { Raw = raw; }
        public JsonNumber(long value) { Raw = value.ToString(CultureInfo.InvariantCulture); }
        public JsonNumber(double value) { Raw = value.ToString("R", CultureInfo.InvariantCulture); }
        public string Raw { get; }
        public override JsonKind Kind => JsonKind.Number;

        public bool TryGetInt64(out long value) =>
            long.TryParse(Raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

        public double ToDouble() => double.Parse(Raw, NumberStyles.Float, CultureInfo.InvariantCulture);

        public override bool DeepEquals(JsonValue? other)
        {
            if (other is not JsonNumber n) return false;
            if (n.Raw == Raw) return true;
            if (TryGetInt64(out var a) && n.TryGetInt64(out var b)) return a == b;
            return ToDouble().Equals(n.ToDouble());
        }
    }

    public sealed class JsonArray : JsonValue
    {
        private readonly List<JsonValue> _items = new List<JsonValue>();
        public JsonArray() { }
        public JsonArray(IEnumerable<JsonValue> items) { _items.AddRange(items); }
        public override JsonKind Kind => JsonKind.Array;
        public IReadOnlyList<JsonValue> Items => _items;
        public int Count => _items.Count;
        public JsonValue this[int index] => _items[index];
        public void Add(JsonValue item) { _items.Add(item ?? throw new ArgumentNullException(nameof(item))); Source = default; }

        /// <summary>The text this array was parsed from (see <see cref="JsonSource"/>); cleared by any change.</summary>
        internal JsonSource Source;
        internal void SetSource(string text, int start, int end) => Source = new JsonSource(text, start, end);

        public override bool DeepEquals(JsonValue? other)
        {
            if (other is not JsonArray a || a.Count != Count) return false;
            for (var i = 0; i < Count; i++)
                if (!_items[i].DeepEquals(a._items[i])) return false;
            return true;
        }
    }

    /// <summary>An object that keeps its properties in file order.</summary>
    public sealed class JsonObject : JsonValue
    {
        private readonly List<KeyValuePair<string, JsonValue>> _properties;
        private readonly Dictionary<string, int> _index;

        public override JsonKind Kind => JsonKind.Object;
        public IReadOnlyList<KeyValuePair<string, JsonValue>> Properties => _properties;
        public int Count => _properties.Count;

        public JsonValue? this[string name] => TryGet(name, out var v) ? v : null;

        public bool TryGet(string name, out JsonValue value)
        {
            if (_index.TryGetValue(name, out var i)) { value = _properties[i].Value; return true; }
            value = null!;
            return false;
        }

        public bool Contains(string name) => _index.ContainsKey(name);

        /// <summary>The text this object was parsed from (see <see cref="JsonSource"/>); cleared by any change.</summary>
        internal JsonSource Source;
        internal void SetSource(string text, int start, int end) => Source = new JsonSource(text, start, end);

        /// <summary>Sets a property: replaces the value in place (keeping its position) or appends it.</summary>
        public JsonObject Set(string name, JsonValue value)
        {
            if (value == null) throw new ArgumentNullException(nameof(value));
            Source = default;
            if (_index.TryGetValue(name, out var i))
                _properties[i] = new KeyValuePair<string, JsonValue>(name, value);
            else
            {
                _index[name] = _properties.Count;
                _properties.Add(new KeyValuePair<string, JsonValue>(name, value));
            }
            return this;
        }

        public JsonObject Set(string name, object? value) => Set(name, JsonValue.From(value));

        public bool Remove(string name)
        {
            if (!_index.TryGetValue(name, out var i)) return false;
            Source = default;
            _properties.RemoveAt(i);
            _index.Clear();
            for (var j = 0; j < _properties.Count; j++) _index[_properties[j].Key] = j;
            return true;
        }

        public override bool DeepEquals(JsonValue? other)
        {
            if (other is not JsonObject o || o.Count != Count) return false;
            foreach (var p in _properties)
                if (!o.TryGet(p.Key, out var v) || !p.Value.DeepEquals(v)) return false;
            return true;
        }

        public JsonObject DeepClone() => (JsonObject)Clone(this);

        /// <summary>
        /// A new object with the same properties in the same order whose values are shared with this one (not copied). A plan
        /// that changes a shared document copies only the objects on the path to what it changes (copy-on-write) and never
        /// changes this one or anything below it.
        /// </summary>
        public JsonObject ShallowClone()
        {
            return new JsonObject(this) { Line = Line, Column = Column };
        }

        public JsonObject()
        {
            _properties = new List<KeyValuePair<string, JsonValue>>();
            _index = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        private JsonObject(JsonObject from)
        {
            _properties = new List<KeyValuePair<string, JsonValue>>(from._properties);
            _index = new Dictionary<string, int>(from._index, StringComparer.Ordinal);
        }

        public static JsonValue Clone(JsonValue v)
        {
            switch (v)
            {
                case JsonObject o:
                    var no = new JsonObject { Line = o.Line, Column = o.Column };
                    foreach (var p in o._properties) no.Set(p.Key, Clone(p.Value));
                    return no;
                case JsonArray a:
                    var na = new JsonArray { Line = a.Line, Column = a.Column };
                    foreach (var i in a.Items) na.Add(Clone(i));
                    return na;
                default:
                    return v; // scalars are immutable
            }
        }
    }
}
