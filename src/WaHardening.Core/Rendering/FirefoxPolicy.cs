using System.Collections.Generic;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Rendering
{
    /// <summary>
    /// Where a Firefox setting lives in the policies object (policies.json on Linux, the plist dictionary on macOS; the registry
    /// form is in <see cref="RegistryRendering"/>), the one mapping every Firefox rendering uses.
    /// A plain setting's dotted name is a path of nested objects ("Cookies.AllowSession"). A setting with a
    /// <c>"firefoxPreference"</c> section is a preference of the Preferences policy: its name is the preference name as it is
    /// (dots included), and its value is written as <c>{"Value": v, "Status": "locked"}</c> under <c>policies.Preferences</c>
    /// (mozilla/policy-templates, "Preferences"; the prefixes allowed there include <c>browser.</c>).
    /// </summary>
    public static class FirefoxPolicy
    {
        public const string PreferencesPolicy = "Preferences";
        public const string SectionName = "firefoxPreference";
        /// <summary>The Preferences policy's ADMX-backed OMA-URI and the id of its JSON element: firefox.admx policy "Preferences"
        /// (category firefox, multiText id "JSON"; Mozilla docs/oma-uris.md) in the ADMX the Standard export ingests
        /// (Intune.IngestedAdmx.FirefoxApp), so no Mozilla file is needed on the device.</summary>
        public const string PreferencesOmaUri = "./Device/Vendor/MSFT/Policy/Config/WaHardeningFirefox~Policy~firefox/Preferences";
        public const string PreferencesAdmxElement = "JSON";

        public static bool IsPreference(SettingDefinition s) => s.Target == Targets.Firefox && s.FirefoxPreference != null;

        /// <summary>Policies whose object may be replaced by one boolean that stands for every item of it:
        /// "SanitizeOnShutdown": true clears everything and locks it (policy-templates, "SanitizeOnShutdown (All)"); false clears nothing.</summary>
        private static readonly HashSet<string> s_booleanForms = new HashSet<string>(System.StringComparer.Ordinal) { "SanitizeOnShutdown" };

        /// <summary>
        /// How many leading parts of <see cref="Path"/> name a policy that also has a boolean form standing for this (boolean)
        /// setting, e.g. 1 for SanitizeOnShutdown.Cookies; 0 when there is none.
        /// </summary>
        public static int BooleanFormDepth(SettingDefinition s)
        {
            if (s.Target != Targets.Firefox || s.Type != Model.ValueType.Boolean || IsPreference(s)) return 0;
            var parts = Path(s);
            for (var k = 1; k < parts.Length; k++)
                if (s_booleanForms.Contains(string.Join(".", parts, 0, k))) return k;
            return 0;
        }

        /// <summary>The status the preference is written with ("locked").</summary>
        public static string Status(SettingDefinition s) => s.FirefoxPreference?.Status ?? FirefoxPreferenceSection.DefaultStatus;

        /// <summary>The property names from policies down to the setting's value.</summary>
        public static string[] Path(SettingDefinition s) => IsPreference(s) ? new[] { PreferencesPolicy, s.Name } : s.Name.Split('.');

        /// <summary>How the setting is shown in messages: policies.Cookies.AllowSession, policies.Preferences["browser.x"].</summary>
        public static string Display(SettingDefinition s) => IsPreference(s) ? $"policies.{PreferencesPolicy}[\"{s.Name}\"]" : "policies." + s.Name;

        /// <summary>The JSON written at <see cref="Path"/> for a value of the setting (a fresh copy).</summary>
        public static JsonValue Render(SettingDefinition s, JsonValue value) => IsPreference(s)
            ? new JsonObject().Set("Value", JsonObject.Clone(value)).Set("Status", Status(s))
            : JsonObject.Clone(value);

        /// <summary>
        /// The setting's value in what is found at <see cref="Path"/> (null = not configured), and why it does not take effect
        /// (a preference not locked). A preference given as a bare value is the older form of the policy, which locks it.
        /// </summary>
        public static (JsonValue? Value, string? Problem) Read(SettingDefinition s, JsonValue? node)
        {
            if (node == null || !IsPreference(s)) return (node, null);
            if (node is not JsonObject o) return (node, null);
            var status = (o["Status"] as JsonString)?.Value;
            var want = Status(s);
            return (o["Value"], status == want ? null
                : $"{Display(s)} has Status {(status == null ? "(none)" : "\"" + status + "\"")}, not \"{want}\", so users can change it");
        }

        /// <summary>
        /// The setting's effective value in a policies object (policies.json's "policies", the org.mozilla.firefox domain on
        /// macOS), following its path; the boolean form of a policy (SanitizeOnShutdown = true/false) stands for every item and
        /// is reported as the origin (<paramref name="where"/> names the object). Also why it does not take effect.
        /// </summary>
        public static (JsonValue? Value, string? Origin, string? Problem) ReadFrom(SettingDefinition s, JsonValue? policies, string where)
        {
            var node = policies;
            var parts = Path(s);
            for (var k = 0; k < parts.Length; k++)
            {
                node = (node as JsonObject)?[parts[k]];
                if (k + 1 == BooleanFormDepth(s) && node is JsonBoolean all)
                    return (new JsonBoolean(all.Value), $"{where}.{string.Join(".", parts, 0, k + 1)} = {all} (the boolean form, for every item)", null);
            }
            var (value, problem) = Read(s, node);
            return (value, null, problem);
        }

        /// <summary>Writes the setting's value into a policies object, keeping every other property (Firefox settings nest).</summary>
        public static void Merge(JsonObject policies, SettingDefinition s, JsonValue value)
        {
            var parts = Path(s);
            var node = policies;
            for (var k = 0; k < parts.Length - 1; k++)
            {
                if (node[parts[k]] is not JsonObject next) { next = new JsonObject(); node.Set(parts[k], next); }
                node = next;
            }
            SetLeaf(node, s, value);
        }

        /// <summary>Sets the last step of <see cref="Path"/> in its parent object: a preference already there keeps its other fields ("Type").</summary>
        public static void SetLeaf(JsonObject parent, SettingDefinition s, JsonValue value)
        {
            var parts = Path(s);
            var last = parts[parts.Length - 1];
            if (IsPreference(s) && parent[last] is JsonObject existing)
                existing.Set("Value", JsonObject.Clone(value)).Set("Status", Status(s));
            else
                parent.Set(last, Render(s, value));
        }

        /// <summary>Firefox settings as one policies object (exports, macOS payload).</summary>
        public static JsonObject Nest(IEnumerable<SettingDefinition> settings)
        {
            var root = new JsonObject();
            foreach (var s in settings) Merge(root, s, s.Expected);
            return root;
        }
    }
}
