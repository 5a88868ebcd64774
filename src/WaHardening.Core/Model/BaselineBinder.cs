using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using WaHardening.Core.Json;

namespace WaHardening.Core.Model
{
    /// <summary>A parameter value that the baseline's bounds reject.</summary>
    public sealed class BaselineParameterException : WaHardeningException
    {
        public BaselineParameterException(string parameter, string message, object? value, string? controlId = null)
            : base(ErrorIds.ParameterInvalid, WaErrorCategory.InvalidArgument, message, value)
        { Parameter = parameter; ControlId = controlId; }

        public string Parameter { get; }
        public string? ControlId { get; }
    }

    /// <summary>Type and bounds checks of parameter values, and conversion of PowerShell/CLR values to JSON.</summary>
    public static class ParameterValues
    {
        public static string? CheckType(ValueType type, JsonValue v) => type switch
        {
            ValueType.Boolean => v is JsonBoolean ? null : $"must be true or false, not {v}",
            ValueType.Integer => v is JsonNumber n && n.TryGetInt64(out _) ? null : $"must be a whole number, not {v}",
            ValueType.String => v is JsonString ? null : $"must be a string, not {v}",
            ValueType.StringList => v is JsonArray a && a.Items.All(i => i is JsonString) ? null : $"must be a list of strings, not {v}",
            _ => "unknown type",
        };

        /// <summary>Whether a parameter of one type can feed a setting of another (an integer can feed a string setting).</summary>
        public static bool Converts(ValueType parameter, ValueType setting) =>
            parameter == setting || (parameter == ValueType.Integer && setting == ValueType.String);

        /// <summary>Checks a value against the parameter's type and bounds; null when valid, else the reason.</summary>
        public static string? Check(ParameterDefinition p, JsonValue v)
        {
            var typeError = CheckType(p.Type, v);
            if (typeError != null) return typeError;
            if (v is JsonNumber n && n.TryGetInt64(out var l))
            {
                if (p.Minimum != null && l < p.Minimum) return $"{l} is below the minimum {p.Minimum}";
                if (p.Maximum != null && l > p.Maximum) return $"{l} is above the maximum {p.Maximum}";
            }
            var strings = v is JsonString s ? new[] { s.Value } : v is JsonArray a ? a.Items.Cast<JsonString>().Select(x => x.Value).ToArray() : Array.Empty<string>();
            if (v is JsonArray arr && p.MinItems != null && arr.Count < p.MinItems) return $"needs at least {p.MinItems} item(s), has {arr.Count}";
            if (p.Pattern != null)
            {
                var regex = SafeRegex.Create(p.Pattern);
                foreach (var str in strings)
                {
                    try
                    {
                        if (!SafeRegex.IsFullMatch(regex, str))
                            return $"'{Shown(str)}' does not match the pattern {p.Pattern} (the whole value must match)";
                    }
                    catch (RegexMatchTimeoutException)
                    {
                        return $"matching '{Shown(str)}' against the pattern {p.Pattern} timed out after {SafeRegex.Timeout.TotalSeconds:0} s (the pattern backtracks too much; simplify it)";
                    }
                }
            }
            if (v is JsonArray arr2 && arr2.Items.Cast<JsonString>().GroupBy(x => x.Value, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } d)
                return $"'{d.Key}' appears more than once";
            return null;
        }

        private static string Shown(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n");

        /// <summary>Converts a value given from PowerShell (int, long, string, bool, arrays) to JSON for a parameter.</summary>
        public static JsonValue FromClr(ParameterDefinition p, object? value)
        {
            string Fail(string what) => throw new BaselineParameterException(p.Name,
                $"Parameter '{p.Name}' must be {what}; got {(value == null ? "null" : $"'{value}' ({value.GetType().Name})")}.", value);
            switch (p.Type)
            {
                case ValueType.Integer:
                    switch (value)
                    {
                        case int i: return new JsonNumber(i);
                        case long l: return new JsonNumber(l);
                        case short sh: return new JsonNumber(sh);
                        case byte b: return new JsonNumber(b);
                        case uint ui: return new JsonNumber(ui);
                        case double d when d == Math.Floor(d) && Math.Abs(d) < 9e15: return new JsonNumber((long)d);
                        case decimal m when m == decimal.Floor(m): return new JsonNumber((long)m);
                        case string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ls): return new JsonNumber(ls);
                        case TimeSpan ts: return new JsonNumber((long)ts.TotalSeconds);
                    }
                    Fail("a whole number");
                    break;
                case ValueType.Boolean:
                    if (value is bool bo) return new JsonBoolean(bo);
                    Fail("$true or $false");
                    break;
                case ValueType.String:
                    if (value is string str) return new JsonString(str);
                    Fail("a string");
                    break;
                case ValueType.StringList:
                    if (value is string one) return new JsonArray(new JsonValue[] { new JsonString(one) });
                    if (value is IEnumerable e)
                    {
                        var arr = new JsonArray();
                        foreach (var item in e)
                        {
                            if (item is string si) arr.Add(new JsonString(si));
                            else Fail("a list of strings");
                        }
                        return arr;
                    }
                    Fail("a list of strings");
                    break;
            }
            throw new InvalidOperationException();
        }

        public static object? ToClr(JsonValue v) => v switch
        {
            JsonBoolean b => b.Value,
            JsonNumber n => n.TryGetInt64(out var l) ? (object)l : n.ToDouble(),
            JsonString s => s.Value,
            JsonArray a => a.Items.Select(ToClr).ToArray(),
            _ => null,
        };
    }

    /// <summary>Binds parameter values into a baseline: every setting gets its expected value.</summary>
    internal static class BaselineBinder
    {
        public static Baseline Bind(Baseline baseline, IReadOnlyDictionary<string, object?>? overrides)
        {
            var values = new Dictionary<string, JsonValue>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in baseline.ParameterDefinitions) values[p.Name] = p.Default;
            if (overrides != null)
            {
                foreach (var kv in overrides)
                {
                    var pd = baseline.ParameterDefinitions.FirstOrDefault(p => string.Equals(p.Name, kv.Key, StringComparison.OrdinalIgnoreCase));
                    if (pd == null)
                        throw new BaselineParameterException(kv.Key,
                            $"The baseline '{baseline.SourcePath}' has no parameter '{kv.Key}'. Parameters: {string.Join(", ", baseline.ParameterDefinitions.Select(p => p.Name))}.", kv.Key);
                    var json = ParameterValues.FromClr(pd, kv.Value);
                    var error = ParameterValues.Check(pd, json);
                    if (error != null)
                        throw new BaselineParameterException(pd.Name, $"Parameter '{pd.Name}' value is not accepted: {error}.", kv.Value);
                    values[pd.Name] = json;
                }
            }

            var controls = new List<Control>(baseline.Controls.Count);
            foreach (var c in baseline.Controls)
            {
                var settings = c.Settings.Select(s => s.Bind(Resolve(s, values, c.Id))).ToArray();
                var used = c.ParameterNames.ToDictionary(n => n, n => ParameterValues.ToClr(values[n]), StringComparer.OrdinalIgnoreCase);
                controls.Add(c.Bind(used, settings));
            }
            return new Baseline(baseline.Name, baseline.Version, baseline.SchemaVersion, baseline.SourcePath,
                baseline.Profiles, baseline.ParameterDefinitions, controls, values);
        }

        internal static JsonValue Resolve(SettingDefinition s, IReadOnlyDictionary<string, JsonValue> values, string controlId)
        {
            var spec = s.Value;
            if (spec.Parameter == null) return spec.Literal!;
            var v = values[spec.Parameter];
            if (v is JsonNumber n && n.TryGetInt64(out var l))
            {
                long scaled;
                try { scaled = checked(l * spec.Multiply) / spec.Divide; }
                catch (OverflowException)
                {
                    throw new BaselineParameterException(spec.Parameter,
                        $"Parameter '{spec.Parameter}' = {l} times {spec.Multiply} for {s.Target} setting '{s.Name}' of control {controlId} does not fit a 64-bit number; give the parameter a \"maximum\".", l, controlId);
                }
                if (spec.FloorTo != null)
                {
                    var choices = spec.FloorTo.Where(x => x <= scaled).ToArray();
                    if (choices.Length == 0)
                        throw new BaselineParameterException(spec.Parameter,
                            $"Parameter '{spec.Parameter}' = {l} gives {scaled} for {s.Target} setting '{s.Name}' of control {controlId}, below every value it allows ({string.Join(", ", spec.FloorTo)}).", l, controlId);
                    scaled = choices.Max();
                }
                if (s.Type == ValueType.String) return new JsonString(scaled.ToString(CultureInfo.InvariantCulture));
                return new JsonNumber(scaled);
            }
            return v;
        }
    }
}
