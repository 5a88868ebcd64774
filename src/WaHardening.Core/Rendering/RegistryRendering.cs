using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Rendering
{
    /// <summary>Registry value types, numbered as in winnt.h (and Registry.pol).</summary>
    public enum RegistryKind : uint
    {
        None = 0,
        String = 1,        // REG_SZ
        ExpandString = 2,  // REG_EXPAND_SZ
        Binary = 3,        // REG_BINARY
        DWord = 4,         // REG_DWORD
        DWordBigEndian = 5,// REG_DWORD_BIG_ENDIAN
        MultiString = 7,   // REG_MULTI_SZ
        QWord = 11,        // REG_QWORD
    }

    /// <summary>
    /// A setting as Windows policy registry data. A plain value is (Key, ValueName, Kind, Data). A list
    /// policy owns a whole subkey: values "1".."n" of REG_SZ, and nothing else may stay in it (Group
    /// Policy writes "**delvals." first; the registry provider deletes the other values).
    /// </summary>
    public sealed class RegistrySetting
    {
        public RegistrySetting(string hive, string key, string? valueName, RegistryKind kind, object? data, IReadOnlyList<string>? listItems,
            string? jsonMember = null)
        {
            Hive = hive; Key = key; ValueName = valueName; Kind = kind; Data = data; ListItems = listItems; JsonMember = jsonMember;
        }

        /// <summary>
        /// Set when the value is a JSON object shared by several settings and this setting is one member of it (Firefox's
        /// Preferences policy: REG_MULTI_SZ JSON, one member per preference). <see cref="Data"/> then holds only this member;
        /// a writer merges it into the value with <see cref="RegistryRendering.MergeMember"/>, a reader takes it out with
        /// <see cref="RegistryRendering.ReadMember"/>.
        /// </summary>
        public string? JsonMember { get; }

        /// <summary>HKLM or HKCU (Registry.pol: Machine or User).</summary>
        public string Hive { get; }
        /// <summary>Key below the hive, no hive prefix (as Registry.pol wants it).</summary>
        public string Key { get; }
        /// <summary>Value name; null for a list (the key itself is the setting).</summary>
        public string? ValueName { get; }
        public RegistryKind Kind { get; }
        /// <summary>string for REG_SZ/REG_EXPAND_SZ, uint for REG_DWORD, ulong for REG_QWORD, string[] for REG_MULTI_SZ.</summary>
        public object? Data { get; }
        public IReadOnlyList<string>? ListItems { get; }
        public bool IsList => ListItems != null;

        public string Path => $@"{Hive}\{Key}" + (ValueName != null ? $@"\{ValueName}" : "") + (JsonMember != null ? $"[\"{JsonMember}\"]" : "");

        public override string ToString() => IsList
            ? $@"{Hive}\{Key}\{{1..{ListItems!.Count}}} (REG_SZ list)"
            : $@"{Hive}\{Key}\{ValueName} = {DataText} ({KindName(Kind)})";

        public string DataText => Data switch
        {
            string[] m => string.Join("|", m),
            null => "",
            _ => Convert.ToString(Data, CultureInfo.InvariantCulture) ?? "",
        };

        public static string KindName(RegistryKind k) => k switch
        {
            RegistryKind.String => "REG_SZ",
            RegistryKind.ExpandString => "REG_EXPAND_SZ",
            RegistryKind.Binary => "REG_BINARY",
            RegistryKind.DWord => "REG_DWORD",
            RegistryKind.DWordBigEndian => "REG_DWORD_BIG_ENDIAN",
            RegistryKind.MultiString => "REG_MULTI_SZ",
            RegistryKind.QWord => "REG_QWORD",
            _ => "REG_NONE",
        };

        public static RegistryKind ParseKind(string name) => name switch
        {
            "REG_SZ" => RegistryKind.String,
            "REG_EXPAND_SZ" => RegistryKind.ExpandString,
            "REG_DWORD" => RegistryKind.DWord,
            "REG_QWORD" => RegistryKind.QWord,
            "REG_MULTI_SZ" => RegistryKind.MultiString,
            "REG_BINARY" => RegistryKind.Binary,
            _ => throw new ArgumentException($"Unknown registry kind '{name}'.", nameof(name)),
        };
    }

    /// <summary>
    /// Where and how a setting lives in the Windows registry — the one mapping that the Windows
    /// registry provider, the GPO/Registry.pol export, remediation scripts and docs all use.
    /// Conventions (from the vendors' ADMX templates):
    /// Chromium-family and updater policies live under the target's HKLM policy key, booleans and
    /// integers as REG_DWORD, strings as REG_SZ, lists as a subkey named after the policy with
    /// values "1".."n" (Chrome/Edge policy docs, "Windows registry location"); Firefox policies under
    /// Software\Policies\Mozilla\Firefox with the dotted policy path as subkeys
    /// (mozilla/policy-templates README: e.g. Cookies\AllowSession\1, SanitizeOnShutdown\Cache = 1), and preferences of the
    /// Preferences policy as members of its JSON value Software\Policies\Mozilla\Firefox\Preferences (REG_MULTI_SZ), the
    /// current form; the deprecated per-preference DWORDs under ...\Firefox\Preferences are not written (see <see cref="DeprecatedPreference"/>).
    /// A setting's own "registry" section always wins over the convention.
    /// </summary>
    public static class RegistryRendering
    {
        /// <summary>
        /// Where the boolean form of a Firefox policy sits in the registry, for a setting that has one (see
        /// <see cref="FirefoxPolicy.BooleanFormDepth"/>): SanitizeOnShutdown.Cookies → HKLM ...\Mozilla\Firefox, value
        /// SanitizeOnShutdown (a DWORD, as firefox.admx writes "SanitizeOnShutdown (All)"); null otherwise.
        /// </summary>
        public static (string Hive, string Key, string Name)? FirefoxBooleanForm(SettingDefinition s)
        {
            var depth = FirefoxPolicy.BooleanFormDepth(s);
            if (depth == 0) return null;
            var parts = FirefoxPolicy.Path(s);
            var root = Targets.Find(Targets.Firefox)!.WindowsPolicyKey!;
            return ("HKLM", depth == 1 ? root : root + @"\" + string.Join(@"\", parts, 0, depth - 1), parts[depth - 1]);
        }

        /// <summary>
        /// Where the deprecated per-preference form of a Firefox preference setting sits (firefox.admx "Preferences (Deprecated)":
        /// a REG_DWORD named after the preference under ...\Mozilla\Firefox\Preferences); null for other settings. Mozilla
        /// (docs/index.md, Preferences): on Windows those values must be cleared for the Preferences policy to work.
        /// </summary>
        public static (string Hive, string Key, string Name)? DeprecatedPreference(SettingDefinition s) =>
            FirefoxPolicy.IsPreference(s) ? ("HKLM", Targets.Find(Targets.Firefox)!.WindowsPolicyKey! + @"\" + FirefoxPolicy.PreferencesPolicy, s.Name) : null;

        /// <summary>The JSON object a Preferences value holds (REG_SZ, or REG_MULTI_SZ lines joined by newlines); null when absent.</summary>
        public static JsonObject? JsonObjectOf(RegistrySetting r, object? data)
        {
            if (data == null) return null;
            var text = data is string[] lines ? string.Join("\n", lines) : data as string;
            JsonValue? parsed = null;
            string? error = null;
            if (text != null)
                try { parsed = JsonParser.Parse(text, $@"{r.Hive}\{r.Key}\{r.ValueName}"); }
                catch (JsonParseException e) { error = e.Message; }
            if (parsed is JsonObject o) return o;
            throw new WaHardeningException(ErrorIds.RegistryValueInvalid, WaErrorCategory.InvalidData,
                $@"{r.Hive}\{r.Key}\{r.ValueName} is not a JSON object ({error ?? "it holds " + (text == null ? data.GetType().Name : "another JSON value")}); nothing was written.",
                $@"{r.Hive}\{r.Key}\{r.ValueName}");
        }

        /// <summary>This setting's member of a shared JSON value (null = not there) and why it does not take effect.</summary>
        public static (JsonValue? Value, string? Problem) ReadMember(SettingDefinition s, RegistrySetting r, object? data)
        {
            var o = JsonObjectOf(r, data);
            return o == null ? (null, null) : FirefoxPolicy.Read(s, o[r.JsonMember!]);
        }

        /// <summary>The value's new data with this setting's member set (other members and fields kept): one REG_MULTI_SZ line.</summary>
        public static string[] MergeMember(SettingDefinition s, RegistrySetting r, object? existing, JsonValue value)
        {
            var o = JsonObjectOf(r, existing) ?? new JsonObject();
            FirefoxPolicy.SetLeaf(o, s, value);
            return new[] { JsonWriter.Write(o, false) };
        }

        /// <summary>True when the setting has a Windows registry form: an explicit <c>registry</c> section or a target with a
        /// policy key, and the setting exists on Windows (its <c>platforms</c>, when given, name Windows).</summary>
        public static bool Applies(SettingDefinition s) =>
            (s.Registry != null || (Targets.Find(s.Target)?.WindowsPolicyKey != null)) && s.AppliesOn(Platforms.Windows);

        /// <summary>The registry data for a setting's expected value.</summary>
        public static RegistrySetting Render(SettingDefinition s) => Render(s, s.Expected);

        /// <summary>The registry data for a given value of the setting.</summary>
        public static RegistrySetting Render(SettingDefinition s, JsonValue value)
        {
            if (FirefoxPolicy.IsPreference(s))
            {
                // The current Preferences policy (firefox.admx policy "Preferences": multiText, valueName Preferences, key
                // Software\Policies\Mozilla\Firefox, REG_MULTI_SZ): one JSON object, {"pref": {"Value": v, "Status": "locked"}}.
                var member = new JsonObject().Set(s.Name, FirefoxPolicy.Render(s, value));
                return new RegistrySetting("HKLM", Targets.Find(Targets.Firefox)!.WindowsPolicyKey!, FirefoxPolicy.PreferencesPolicy, RegistryKind.MultiString,
                    new[] { JsonWriter.Write(member, false) }, null, s.Name);
            }
            var (hive, key, name, explicitKind) = Locate(s);
            if (s.Type == Model.ValueType.StringList)
            {
                var items = ((JsonArray)value).Items.Select(i => ((JsonString)i).Value).ToArray();
                if (explicitKind == RegistryKind.MultiString)
                    return new RegistrySetting(hive, key, name, RegistryKind.MultiString, items, null);
                // A list policy is a subkey named after the value; it holds "1".."n".
                return new RegistrySetting(hive, key + @"\" + name, null, RegistryKind.String, null, items);
            }
            var kind = explicitKind ?? (s.Type == Model.ValueType.String ? RegistryKind.String : RegistryKind.DWord);
            return new RegistrySetting(hive, key, name, kind, ToData(kind, value, s), null);
        }

        /// <summary>Reads a registry value back into the setting's JSON type (null when it does not convert).</summary>
        public static JsonValue? FromRegistry(SettingDefinition s, object? data)
        {
            switch (s.Type)
            {
                case Model.ValueType.Boolean:
                    return data is int i ? new JsonBoolean(i != 0) : data is uint u ? new JsonBoolean(u != 0) :
                        data is string bs && long.TryParse(bs, out var bl) ? new JsonBoolean(bl != 0) : null;
                case Model.ValueType.Integer:
                    return data switch
                    {
                        int i2 => new JsonNumber(unchecked((uint)i2)),
                        uint u2 => new JsonNumber(u2),
                        long l => new JsonNumber(l),
                        ulong ul when ul <= long.MaxValue => new JsonNumber((long)ul),
                        string str when long.TryParse(str.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var sl) => new JsonNumber(sl),
                        _ => null,
                    };
                case Model.ValueType.String:
                    return data switch
                    {
                        string str => new JsonString(str),
                        int i3 => new JsonString(unchecked((uint)i3).ToString(CultureInfo.InvariantCulture)),
                        uint u3 => new JsonString(u3.ToString(CultureInfo.InvariantCulture)),
                        _ => null,
                    };
                case Model.ValueType.StringList:
                    return data is IEnumerable<string> list ? JsonValue.From(list) : null;
                default:
                    return null;
            }
        }

        private static object ToData(RegistryKind kind, JsonValue value, SettingDefinition s)
        {
            switch (kind)
            {
                case RegistryKind.DWord:
                    if (value is JsonBoolean b) return b.Value ? 1u : 0u;
                    if (value is JsonNumber n && n.TryGetInt64(out var l) && l >= 0 && l <= uint.MaxValue) return (uint)l;
                    break;
                case RegistryKind.QWord:
                    if (value is JsonNumber q && q.TryGetInt64(out var ql) && ql >= 0) return (ulong)ql;
                    break;
                case RegistryKind.String:
                case RegistryKind.ExpandString:
                    if (value is JsonString str) return str.Value;
                    if (value is JsonNumber sn) return sn.Raw;
                    if (value is JsonBoolean sb) return sb.Value ? "1" : "0";
                    break;
            }
            throw new WaHardeningException(ErrorIds.RegistryValueInvalid, WaErrorCategory.InvalidData,
                $"Setting {s.Target}:{s.Name}: the value {value} cannot be stored as {RegistrySetting.KindName(kind)}.", s);
        }

        private static (string Hive, string Key, string Name, RegistryKind? Kind) Locate(SettingDefinition s)
        {
            if (s.Registry is RegistrySection reg)
                return (reg.Hive, reg.Key, reg.Value, RegistrySetting.ParseKind(reg.Kind));
            var root = Targets.Find(s.Target)?.WindowsPolicyKey
                ?? throw new WaHardeningException(ErrorIds.NoRegistryForm, WaErrorCategory.InvalidData,
                    $"Setting {s.Target}:{s.Name} has no Windows registry form (add a \"registry\" section).", s);
            if (s.Target == Targets.Firefox)
            {
                // Policy path: all but the last part are subkeys (preferences are rendered above, in the Preferences JSON value).
                var parts = FirefoxPolicy.Path(s);
                var key = parts.Length == 1 ? root : root + @"\" + string.Join(@"\", parts, 0, parts.Length - 1);
                return ("HKLM", key, parts[parts.Length - 1], null);
            }
            return ("HKLM", root, s.Name, null);
        }
    }
}
