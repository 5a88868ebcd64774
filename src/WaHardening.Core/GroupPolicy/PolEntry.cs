using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.GroupPolicy
{
    /// <summary>What a Registry.pol record tells the client to do, from its value name ([MS-GPREG] 2.2.1 and
    /// "Registry Policy File Format", learn.microsoft.com/previous-versions/windows/desktop/Policy/registry-policy-file-format).</summary>
    public enum PolAction
    {
        /// <summary>An ordinary value: set it.</summary>
        SetValue,
        /// <summary><c>**del.NAME</c>: delete one value.</summary>
        DeleteValue,
        /// <summary><c>**delvals.</c>: delete every value of the key (list policies write it first).</summary>
        DeleteAllValues,
        /// <summary><c>**DeleteValues</c>: delete the values named in the data (semicolon-separated).</summary>
        DeleteValues,
        /// <summary><c>**DeleteKeys</c>: delete the subkeys named in the data (semicolon-separated).</summary>
        DeleteKeys,
        /// <summary><c>**SecureKey</c>: 1 restricts the key's ACL to administrators and SYSTEM, 0 resets it.</summary>
        SecureKey,
        /// <summary><c>**soft.NAME</c>: set NAME only when it does not exist yet.</summary>
        SoftSetValue,
        /// <summary>A <c>**</c> code the module does not know; Group Policy clients skip those.</summary>
        UnknownCommand,
    }

    /// <summary>
    /// One <c>[key;value;type;size;data]</c> record of a Registry.pol file. The record keeps the exact bytes
    /// of its data (<see cref="RawData"/>), so a file read and written again is byte-identical; <see cref="Data"/>
    /// is the typed view (string, uint, ulong, string[] or byte[]).
    /// </summary>
    public sealed class PolEntry : IEquatable<PolEntry>
    {
        /// <summary>Longest value name [MS-GPREG] 2.2.1 allows (<c>Value = 1*259ValueCharacter</c>).</summary>
        public const int MaxValueNameLength = 259;
        /// <summary>Largest data [MS-GPREG] 2.2.1 allows (<c>Size = %x00-FFFF</c>, <c>Data = *65535OCTET</c>).</summary>
        public const int MaxDataSize = 0xFFFF;

        private readonly byte[] _data;
        private object? _typed;

        private PolEntry(string key, string valueName, RegistryKind type, byte[] data)
        {
            Key = key; ValueName = valueName; Type = type; _data = data;
        }

        /// <summary>Registry key below the hive (no <c>HKLM\</c>; the file's Machine/User folder picks the hive).</summary>
        public string Key { get; }
        /// <summary>Value name, or a control code such as <c>**delvals.</c>.</summary>
        public string ValueName { get; }
        /// <summary>Registry type as stored (numbers as in winnt.h; unknown numbers are kept as they are).</summary>
        public RegistryKind Type { get; }
        /// <summary>Size field of the record: the number of data bytes.</summary>
        public int Size => _data.Length;

        /// <summary>A copy of the data bytes exactly as stored.</summary>
        public byte[] RawData => (byte[])_data.Clone();

        internal byte[] DataBytes => _data;

        /// <summary>Typed data: string (REG_SZ, REG_EXPAND_SZ), uint (REG_DWORD, REG_DWORD_BIG_ENDIAN), ulong
        /// (REG_QWORD), string[] (REG_MULTI_SZ), byte[] (REG_BINARY, REG_NONE, unknown types, or a DWORD/QWORD
        /// whose size is not 4/8), null for empty REG_NONE/REG_BINARY data.</summary>
        public object? Data
        {
            get
            {
                if (!_decoded) { _typed = Decode(Type, _data); _decoded = true; }
                return _typed;
            }
        }

        private bool _decoded;

        public PolAction Action => ActionOf(ValueName);

        /// <summary>The value a <c>**del.</c>/<c>**soft.</c> record acts on; otherwise the value name itself (null for key-wide codes).</summary>
        public string? TargetValueName
        {
            get
            {
                switch (Action)
                {
                    case PolAction.DeleteValue: return ValueName.Substring(6);
                    case PolAction.SoftSetValue: return ValueName.Substring(7);
                    case PolAction.SetValue: return ValueName;
                    default: return null;
                }
            }
        }

        public string TypeName => RegistrySetting.KindName(Type) == "REG_NONE" && Type != RegistryKind.None
            ? "0x" + ((uint)Type).ToString("X", CultureInfo.InvariantCulture) : RegistrySetting.KindName(Type);

        // ---- construction ----

        /// <summary>A record with the given bytes, unchecked beyond what the file format itself needs
        /// (no NUL inside key or value name). Used by the reader and for foreign records.</summary>
        public static PolEntry FromRaw(string key, string valueName, RegistryKind type, byte[] data)
        {
            if (key == null) throw new ArgumentNullException(nameof(key));
            if (valueName == null) throw new ArgumentNullException(nameof(valueName));
            if (data == null) throw new ArgumentNullException(nameof(data));
            if (key.IndexOf('\0') >= 0 || valueName.IndexOf('\0') >= 0)
                throw Invalid(key, valueName, "a key or value name cannot contain a NUL character");
            return new PolEntry(key, valueName, type, data);
        }

        internal static PolEntry Unchecked(string key, string valueName, RegistryKind type, byte[] data) =>
            new PolEntry(key, valueName, type, data);

        /// <summary>A checked record from typed data: the key has no hive prefix, names and sizes are within
        /// [MS-GPREG] limits, the data fits the type.</summary>
        public static PolEntry Create(string key, string valueName, RegistryKind type, object? data)
        {
            CheckKey(key, valueName);
            if (valueName == null) throw new ArgumentNullException(nameof(valueName));
            if (valueName.IndexOf('\0') >= 0) throw Invalid(key, valueName, "the value name contains a NUL character");
            if (valueName.Length > MaxValueNameLength)
                throw Invalid(key, valueName, $"the value name has {valueName.Length} characters; Registry.pol allows at most {MaxValueNameLength}");
            var bytes = Encode(key, valueName, type, data);
            if (bytes.Length > MaxDataSize)
                throw Invalid(key, valueName, $"the data has {bytes.Length} bytes; Registry.pol allows at most {MaxDataSize}");
            return new PolEntry(key, valueName, type, bytes);
        }

        public static PolEntry String(string key, string valueName, string value) => Create(key, valueName, RegistryKind.String, value);
        public static PolEntry ExpandString(string key, string valueName, string value) => Create(key, valueName, RegistryKind.ExpandString, value);
        public static PolEntry DWord(string key, string valueName, uint value) => Create(key, valueName, RegistryKind.DWord, value);
        public static PolEntry DWordBigEndian(string key, string valueName, uint value) => Create(key, valueName, RegistryKind.DWordBigEndian, value);
        public static PolEntry QWord(string key, string valueName, ulong value) => Create(key, valueName, RegistryKind.QWord, value);
        public static PolEntry MultiString(string key, string valueName, IEnumerable<string> values) => Create(key, valueName, RegistryKind.MultiString, values);
        public static PolEntry Binary(string key, string valueName, byte[] value) => Create(key, valueName, RegistryKind.Binary, value);

        /// <summary><c>**del.NAME</c> (REG_SZ, data one space, as Group Policy editors write it).</summary>
        public static PolEntry DeleteValue(string key, string valueName) => Create(key, "**del." + valueName, RegistryKind.String, " ");
        /// <summary><c>**delvals.</c> (REG_SZ, data one space): clears the key before the values that follow.</summary>
        public static PolEntry DeleteAllValues(string key) => Create(key, "**delvals.", RegistryKind.String, " ");
        /// <summary><c>**DeleteValues</c> with the names separated by ';'.</summary>
        public static PolEntry DeleteValues(string key, IEnumerable<string> valueNames) => Create(key, "**DeleteValues", RegistryKind.String, string.Join(";", valueNames));
        /// <summary><c>**DeleteKeys</c> with the subkey names separated by ';'.</summary>
        public static PolEntry DeleteKeys(string key, IEnumerable<string> subkeys) => Create(key, "**DeleteKeys", RegistryKind.String, string.Join(";", subkeys));
        /// <summary><c>**SecureKey</c> (REG_DWORD 1 to secure the key, 0 to reset its ACL).</summary>
        public static PolEntry SecureKey(string key, bool secure) => Create(key, "**SecureKey", RegistryKind.DWord, secure ? 1u : 0u);
        /// <summary><c>**soft.NAME</c>: the value is written only when it does not exist.</summary>
        public static PolEntry SoftValue(string key, string valueName, RegistryKind type, object? data) => Create(key, "**soft." + valueName, type, data);

        /// <summary>The Registry.pol records for a rendered baseline setting: one value, or for a list policy
        /// <c>**delvals.</c> followed by values "1".."n" (so stale list items go).</summary>
        public static IEnumerable<PolEntry> FromSetting(RegistrySetting setting)
        {
            if (setting.IsList)
            {
                yield return DeleteAllValues(setting.Key);
                for (var i = 0; i < setting.ListItems!.Count; i++)
                    yield return Create(setting.Key, (i + 1).ToString(CultureInfo.InvariantCulture), setting.Kind, setting.ListItems[i]);
            }
            else
            {
                yield return Create(setting.Key, setting.ValueName!, setting.Kind, setting.Data);
            }
        }

        // ---- helpers ----

        public static PolAction ActionOf(string valueName)
        {
            if (valueName.Length < 2 || valueName[0] != '*' || valueName[1] != '*') return PolAction.SetValue;
            if (valueName.StartsWith("**del.", StringComparison.OrdinalIgnoreCase)) return PolAction.DeleteValue;
            if (valueName.StartsWith("**delvals", StringComparison.OrdinalIgnoreCase)) return PolAction.DeleteAllValues;
            if (valueName.StartsWith("**DeleteValues", StringComparison.OrdinalIgnoreCase)) return PolAction.DeleteValues;
            if (valueName.StartsWith("**DeleteKeys", StringComparison.OrdinalIgnoreCase)) return PolAction.DeleteKeys;
            if (valueName.StartsWith("**SecureKey", StringComparison.OrdinalIgnoreCase)) return PolAction.SecureKey;
            if (valueName.StartsWith("**soft.", StringComparison.OrdinalIgnoreCase)) return PolAction.SoftSetValue;
            return PolAction.UnknownCommand;
        }

        private static void CheckKey(string key, string? valueName)
        {
            if (string.IsNullOrEmpty(key)) throw Invalid(key ?? "", valueName, "the key is empty");
            if (key.IndexOf('\0') >= 0) throw Invalid(key, valueName, "the key contains a NUL character");
            if (key[0] == '\\' || key[key.Length - 1] == '\\' || key.IndexOf(@"\\", StringComparison.Ordinal) >= 0)
                throw Invalid(key, valueName, "the key has an empty path component (a leading, trailing or double '\\')");
            var first = key.IndexOf('\\');
            var root = (first < 0 ? key : key.Substring(0, first)).TrimEnd(':');
            foreach (var hive in s_hives)
                if (string.Equals(root, hive, StringComparison.OrdinalIgnoreCase))
                    throw Invalid(key, valueName, $"the key starts with the hive '{root}'; Registry.pol keys never carry a hive (the Machine or User folder picks it)");
        }

        private static readonly string[] s_hives =
        {
            "HKLM", "HKCU", "HKU", "HKCR", "HKCC", "HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER", "HKEY_USERS",
            "HKEY_CLASSES_ROOT", "HKEY_CURRENT_CONFIG", "MACHINE", "USER", "Registry",
        };

        private static WaHardeningException Invalid(string key, string? valueName, string why) =>
            new WaHardeningException(ErrorIds.RegistryPolicyEntryInvalid, WaErrorCategory.InvalidArgument,
                $@"Registry.pol entry '{key}\{valueName}': {why}.", key + @"\" + valueName);

        internal static byte[] Encode(string key, string valueName, RegistryKind type, object? data)
        {
            switch (type)
            {
                case RegistryKind.String:
                case RegistryKind.ExpandString:
                    return Utf16Z(AsString(key, valueName, type, data));
                case RegistryKind.DWord:
                case RegistryKind.DWordBigEndian:
                {
                    var v = AsUInt32(key, valueName, type, data);
                    return type == RegistryKind.DWord
                        ? new[] { (byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24) }
                        : new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v };
                }
                case RegistryKind.QWord:
                {
                    var v = AsUInt64(key, valueName, type, data);
                    var b = new byte[8];
                    for (var i = 0; i < 8; i++) b[i] = (byte)(v >> (8 * i));
                    return b;
                }
                case RegistryKind.MultiString:
                    return EncodeMultiString(key, valueName, data);
                default:
                    if (data == null) return Array.Empty<byte>();
                    if (data is byte[] bytes) return (byte[])bytes.Clone();
                    if (data is IEnumerable<byte> seq) return new List<byte>(seq).ToArray();
                    if (data is object[] objs)
                    {
                        var r = new byte[objs.Length];
                        for (var i = 0; i < objs.Length; i++) r[i] = Convert.ToByte(objs[i], CultureInfo.InvariantCulture);
                        return r;
                    }
                    throw Invalid(key, valueName, $"{RegistrySetting.KindName(type)} data must be bytes, not {data.GetType().Name}");
            }
        }

        private static string AsString(string key, string valueName, RegistryKind type, object? data) => data switch
        {
            string s => s.IndexOf('\0') < 0 ? s : throw Invalid(key, valueName, "string data contains a NUL character"),
            null => throw Invalid(key, valueName, $"{RegistrySetting.KindName(type)} needs a string"),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => data.ToString() ?? "",
        };

        private static uint AsUInt32(string key, string valueName, RegistryKind type, object? data)
        {
            switch (data)
            {
                case uint u: return u;
                case bool b: return b ? 1u : 0u;
                case int i: return unchecked((uint)i);
                case string s when uint.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var su): return su;
                case long l when l >= int.MinValue && l <= uint.MaxValue: return unchecked((uint)l);
                case ulong ul when ul <= uint.MaxValue: return (uint)ul;
                case short or ushort or byte or sbyte: return unchecked((uint)Convert.ToInt64(data, CultureInfo.InvariantCulture));
                default: throw Invalid(key, valueName, $"{RegistrySetting.KindName(type)} needs a 32-bit number, not '{data}'");
            }
        }

        private static ulong AsUInt64(string key, string valueName, RegistryKind type, object? data)
        {
            switch (data)
            {
                case ulong u: return u;
                case long l: return unchecked((ulong)l);
                case uint ui: return ui;
                case int i: return unchecked((ulong)(long)i);
                case bool b: return b ? 1UL : 0UL;
                case string s when ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var su): return su;
                default: throw Invalid(key, valueName, $"{RegistrySetting.KindName(type)} needs a 64-bit number, not '{data}'");
            }
        }

        /// <summary>REG_MULTI_SZ: every item NUL-terminated, then one more NUL (<c>a\0b\0\0</c>); an empty list is a single NUL.</summary>
        private static byte[] EncodeMultiString(string key, string valueName, object? data)
        {
            var items = new List<string>();
            switch (data)
            {
                case string s: items.Add(s); break;
                case IEnumerable<string> list: items.AddRange(list); break;
                case System.Collections.IEnumerable e:
                    foreach (var o in e) items.Add(o is string str ? str : Convert.ToString(o, CultureInfo.InvariantCulture) ?? "");
                    break;
                case null: break;
                default: throw Invalid(key, valueName, "REG_MULTI_SZ needs a list of strings");
            }
            var chars = 1;
            foreach (var it in items)
            {
                if (it.IndexOf('\0') >= 0) throw Invalid(key, valueName, "a REG_MULTI_SZ item contains a NUL character");
                chars += it.Length + 1;
            }
            var b = new byte[chars * 2];
            var p = 0;
            foreach (var it in items) { p = PutChars(b, p, it); p += 2; }
            return b;
        }

        internal static byte[] Utf16Z(string s)
        {
            var b = new byte[(s.Length + 1) * 2];
            PutChars(b, 0, s);
            return b;
        }

        /// <summary>Copies UTF-16 code units as they are (lone surrogates included, so nothing is lost).</summary>
        internal static int PutChars(byte[] b, int p, string s)
        {
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                b[p++] = (byte)c;
                b[p++] = (byte)(c >> 8);
            }
            return p;
        }

        internal static string Chars(byte[] b, int offset, int count)
        {
            if (count <= 0) return "";
            var c = new char[count];
            for (var i = 0; i < count; i++, offset += 2) c[i] = (char)(b[offset] | (b[offset + 1] << 8));
            return new string(c);
        }

        /// <summary>Decodes without ever throwing: data that does not fit its type comes back as byte[].</summary>
        internal static object? Decode(RegistryKind type, byte[] d)
        {
            switch (type)
            {
                case RegistryKind.String:
                case RegistryKind.ExpandString:
                {
                    var units = d.Length / 2;
                    var n = 0;
                    while (n < units && (d[2 * n] | d[2 * n + 1]) != 0) n++;
                    return Chars(d, 0, n);
                }
                case RegistryKind.DWord:
                    return d.Length == 4 ? (uint)(d[0] | d[1] << 8 | d[2] << 16 | d[3] << 24) : (object)(byte[])d.Clone();
                case RegistryKind.DWordBigEndian:
                    return d.Length == 4 ? (uint)(d[3] | d[2] << 8 | d[1] << 16 | d[0] << 24) : (object)(byte[])d.Clone();
                case RegistryKind.QWord:
                {
                    if (d.Length != 8) return (byte[])d.Clone();
                    ulong v = 0;
                    for (var i = 7; i >= 0; i--) v = (v << 8) | d[i];
                    return v;
                }
                case RegistryKind.MultiString:
                    return DecodeMultiString(d);
                default:
                    return d.Length == 0 ? null : (byte[])d.Clone();
            }
        }

        /// <summary>Inverse of the encoder: the list terminator and the last item's NUL are dropped, then the rest
        /// splits on NUL, so <c>a\0\0b\0\0</c> is ["a", "", "b"] and a lone NUL is the empty list.</summary>
        private static string[] DecodeMultiString(byte[] d)
        {
            var units = d.Length / 2;
            bool IsNul(int u) => (d[2 * u] | d[2 * u + 1]) == 0;
            if (units > 0 && IsNul(units - 1)) units--;
            if (units == 0) return Array.Empty<string>();
            if (IsNul(units - 1)) units--;
            var items = new List<string>();
            var start = 0;
            for (var u = 0; u < units; u++)
            {
                if (!IsNul(u)) continue;
                items.Add(Chars(d, start * 2, u - start));
                start = u + 1;
            }
            items.Add(Chars(d, start * 2, units - start));
            return items.ToArray();
        }

        // ---- equality: same key, value name, type and bytes ----

        public bool Equals(PolEntry? other)
        {
            if (other is null) return false;
            if (ReferenceEquals(this, other)) return true;
            if (Type != other.Type || _data.Length != other._data.Length) return false;
            if (!string.Equals(Key, other.Key, StringComparison.Ordinal) || !string.Equals(ValueName, other.ValueName, StringComparison.Ordinal)) return false;
            for (var i = 0; i < _data.Length; i++) if (_data[i] != other._data[i]) return false;
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as PolEntry);

        public override int GetHashCode()
        {
            unchecked
            {
                var h = StringComparer.Ordinal.GetHashCode(Key) * 31 + StringComparer.Ordinal.GetHashCode(ValueName);
                h = h * 31 + (int)Type;
                return h * 31 + _data.Length;
            }
        }

        public override string ToString()
        {
            var v = Data;
            var text = v switch
            {
                null => "",
                string s => s,
                string[] m => string.Join("|", m),
                byte[] b => BitConverter.ToString(b),
                _ => Convert.ToString(v, CultureInfo.InvariantCulture),
            };
            return $@"[{Key};{ValueName};{TypeName};{Size};{text}]";
        }

        internal static string Hex(IList<byte> b)
        {
            var sb = new StringBuilder(b.Count * 2);
            foreach (var x in b) sb.Append(x.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
    }
}
