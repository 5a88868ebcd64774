using System;
using System.Collections.Generic;
using System.Linq;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Evaluation
{
    /// <summary>
    /// "Stricter wins": judges an actual value against a setting's expected value, and computes the
    /// value to write so that enforcement never loosens what is already stricter.
    /// </summary>
    public static class ValueComparer
    {
        /// <summary>Whether <paramref name="actual"/> (null = not configured) satisfies the setting, and why.</summary>
        public static (bool Compliant, string Reason) Judge(SettingDefinition s, JsonValue? actual)
        {
            if (actual == null)
            {
                if (s.Default == null) return (false, "not configured");
                var (ok, why) = Judge(s, s.Default);
                return (ok, $"not configured; the default {s.Default} applies" + (ok ? "" : $" ({why})"));
            }
            var expected = s.Expected;
            switch (s.Comparison)
            {
                case Comparison.Equal:
                    return expected.DeepEquals(actual) ? (true, "as required") : (false, $"is {actual}, must be {expected}");
                case Comparison.OneOf:
                    return s.Accept.Any(a => a.DeepEquals(actual))
                        ? (true, expected.DeepEquals(actual) ? "as required" : $"{actual} is accepted (at least as strict)")
                        : (false, $"is {actual}, must be one of {string.Join(", ", s.Accept)}");
                case Comparison.Superset:
                    if (actual is not JsonArray have) return (false, $"is {actual}, must be a list");
                    var missing = Missing((JsonArray)expected, have);
                    return missing.Count == 0
                        ? (true, have.Count > ((JsonArray)expected).Count ? "holds every required entry (and more)" : "as required")
                        : (false, $"lacks {string.Join(", ", missing)}");
                case Comparison.AtMost:
                case Comparison.AtLeast:
                    if (actual is not JsonNumber n || !n.TryGetInt64(out var a)) return (false, $"is {actual}, must be a whole number");
                    var e = ((JsonNumber)expected).TryGetInt64(out var ev) ? ev : 0;
                    if (s.Minimum != null && a < s.Minimum) return (false, a == 0 ? "is 0 (disabled)" : $"is {a}, below the lowest valid value {s.Minimum}");
                    if (s.Maximum != null && a > s.Maximum) return (false, $"is {a}, above the highest valid value {s.Maximum}");
                    if (s.Comparison == Comparison.AtMost)
                        return a <= e ? (true, a < e ? $"{a} is stricter than {e}" : "as required") : (false, $"is {a}, must be at most {e}");
                    return a >= e ? (true, a > e ? $"{a} is stricter than {e}" : "as required") : (false, $"is {a}, must be at least {e}");
                default:
                    throw new ArgumentOutOfRangeException(nameof(s));
            }
        }

        /// <summary>Whether enforcement has to write the setting (it does not when the device already complies, by value or by default).</summary>
        public static bool NeedsWrite(SettingDefinition s, JsonValue? actual) => s.Enforce && !Judge(s, actual).Compliant;

        /// <summary>
        /// The value enforcement writes: the actual value when it already complies (nothing to do),
        /// the union for lists (foreign entries kept), otherwise the expected value.
        /// </summary>
        public static JsonValue Desired(SettingDefinition s, JsonValue? actual)
        {
            if (actual != null && Judge(s, actual).Compliant) return actual;
            if (s.Comparison == Comparison.Superset && actual is JsonArray have)
            {
                var merged = new JsonArray(have.Items);
                foreach (var m in Missing((JsonArray)s.Expected, have)) merged.Add(new JsonString(m));
                return merged;
            }
            return s.Expected;
        }

        private static List<string> Missing(JsonArray expected, JsonArray have)
        {
            var present = new HashSet<string>(have.Items.OfType<JsonString>().Select(x => x.Value), StringComparer.OrdinalIgnoreCase);
            return expected.Items.OfType<JsonString>().Select(x => x.Value).Where(x => !present.Contains(x)).ToList();
        }
    }
}
