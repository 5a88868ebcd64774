using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Rendering
{
    public enum IntuneSettingKind { Choice, Simple, SimpleCollection }

    /// <summary>One settings-catalog setting instance: its definition id, kind, chosen option or value, and children.</summary>
    public sealed class IntuneSettingInstance
    {
        public IntuneSettingInstance(string definitionId, IntuneSettingKind kind, string? option, JsonValue? value, IReadOnlyList<IntuneSettingInstance> children)
        { DefinitionId = definitionId; Kind = kind; Option = option; Value = value; Children = children; }

        public string DefinitionId { get; }
        public IntuneSettingKind Kind { get; }
        /// <summary>For a choice: the option item id selected.</summary>
        public string? Option { get; }
        /// <summary>For a simple setting: the value; for a collection: the array.</summary>
        public JsonValue? Value { get; }
        public IReadOnlyList<IntuneSettingInstance> Children { get; }
    }

    /// <summary>
    /// The settings-catalog form of a setting, from its <c>intune</c> section
    /// (<c>settingDefinitionId</c> and, for ADMX-backed policies with a value, <c>child</c>).
    /// Option item ids follow the catalog's conventions, checked against the full catalog in the tests:
    /// ADMX-backed enable/disable choices end in <c>_1</c>/<c>_0</c>, Apple boolean choices in
    /// <c>_true</c>/<c>_false</c>, enumeration children in <c>_&lt;value&gt;</c>. A policy with a value
    /// is the enabled parent choice with the value in its child: a string collection for lists, a
    /// simple integer for thresholds (atMost/atLeast), a choice for enumerations (equal/oneOf), or a simple
    /// value when the section says <c>"childKind": "simple"</c> (free text such as a file name).
    /// </summary>
    public static class IntuneRendering
    {
        /// <summary>True when the setting has a catalog form and exists on the platform of that catalog (<see cref="Platform"/>).</summary>
        public static bool Applies(SettingDefinition s) => s.Intune != null && s.AppliesOn(Platform(s));

        /// <summary>The platform whose catalog holds the setting: Windows for a target that runs there (ADMX-backed browser
        /// and updater policies, Windows settings), else the target's own (macOS payload settings).</summary>
        public static string Platform(SettingDefinition s)
        {
            var plats = Targets.Find(s.Target)?.Platforms ?? (IReadOnlyList<string>)new[] { Platforms.Windows };
            return plats.Contains(Platforms.Windows) ? Platforms.Windows : plats[0];
        }

        public static IntuneSettingInstance Render(SettingDefinition s) => Render(s, s.Expected);

        public static IntuneSettingInstance Render(SettingDefinition s, JsonValue value)
        {
            var section = s.Intune!;
            var id = section.SettingDefinitionId;
            var child = section.Child;
            var none = new IntuneSettingInstance[0];
            if (child != null)
            {
                // "childKind": "simple" — a free-text child (e.g. a file name), not an enumeration of options.
                var leaf = section.SimpleChild
                    ? new IntuneSettingInstance(child, IntuneSettingKind.Simple, null, value, none)
                    : Leaf(s, child, value);
                return new IntuneSettingInstance(id, IntuneSettingKind.Choice, id + "_1", null, new[] { leaf });
            }
            if (s.Type == Model.ValueType.Boolean)
            {
                var on = ((JsonBoolean)value).Value;
                var apple = id.StartsWith("com.apple.", System.StringComparison.Ordinal);
                return new IntuneSettingInstance(id, IntuneSettingKind.Choice, id + (apple ? (on ? "_true" : "_false") : (on ? "_1" : "_0")), null, none);
            }
            return Leaf(s, id, value);
        }

        private static IntuneSettingInstance Leaf(SettingDefinition s, string id, JsonValue value)
        {
            var none = new IntuneSettingInstance[0];
            switch (s.Type)
            {
                case Model.ValueType.StringList:
                    return new IntuneSettingInstance(id, IntuneSettingKind.SimpleCollection, null, value, none);
                case Model.ValueType.Boolean:
                    return new IntuneSettingInstance(id, IntuneSettingKind.Choice, id + (((JsonBoolean)value).Value ? "_1" : "_0"), null, none);
                default:
                    // Thresholds are simple values; so are Apple payload strings (free text such as the screen saver's
                    // moduleName: SimpleSettingDefinition in the catalog).
                    if (s.Comparison == Comparison.AtMost || s.Comparison == Comparison.AtLeast
                        || (s.Type == Model.ValueType.String && s.Comparison == Comparison.Equal && id.StartsWith("com.apple.", System.StringComparison.Ordinal)))
                        return new IntuneSettingInstance(id, IntuneSettingKind.Simple, null, value, none);
                    var text = value is JsonString str ? str.Value : ((JsonNumber)value).Raw;
                    return new IntuneSettingInstance(id, IntuneSettingKind.Choice, id + "_" + text.ToLower(CultureInfo.InvariantCulture), null, none);
            }
        }
    }
}
