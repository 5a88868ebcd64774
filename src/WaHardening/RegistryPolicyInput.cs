using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Rendering;

namespace WaHardening.Commands
{
    /// <summary>Turns pipeline input (PolEntry, hashtables, objects with Key/ValueName/Type/Data) into Registry.pol entries.</summary>
    internal static class RegistryPolicyInput
    {
        public static PolEntry ToEntry(object? input)
        {
            if (input is PSObject pso && pso.BaseObject is PolEntry pe0) return pe0;
            if (input is PolEntry pe) return pe;
            string? key = null, name = null; object? type = null, data = null;
            if (input is IDictionary d)
            {
                foreach (DictionaryEntry kv in d)
                {
                    switch (kv.Key?.ToString()?.ToLowerInvariant())
                    {
                        case "key": key = Str(kv.Value); break;
                        case "valuename": name = Str(kv.Value); break;
                        case "type": type = Base(kv.Value); break;
                        case "data": data = Base(kv.Value); break;
                    }
                }
            }
            else if (input != null)
            {
                var o = PSObject.AsPSObject(input);
                key = Str(o.Properties["Key"]?.Value);
                name = Str(o.Properties["ValueName"]?.Value);
                type = Base(o.Properties["Type"]?.Value);
                data = Base(o.Properties["Data"]?.Value);
            }
            if (key == null || name == null)
                throw new WaHardeningException(ErrorIds.RegistryPolicyEntryInvalid, WaErrorCategory.InvalidArgument,
                    $"Input '{input}' is not a Registry.pol entry: it needs Key and ValueName (and Type, Data).", input);
            var kind = ParseKind(type);
            return PolEntry.Create(key, name, kind, Normalize(kind, data));
        }

        public static RegistryKind ParseKind(object? type)
        {
            switch (type)
            {
                case null: return RegistryKind.String;
                case RegistryKind k: return k;
                case int i: return (RegistryKind)(uint)i;
                case uint u: return (RegistryKind)u;
                case long l: return (RegistryKind)(uint)l;
                case string s:
                    if (Enum.TryParse<RegistryKind>(s, true, out var e) && !uint.TryParse(s, out _)) return e;
                    if (uint.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return (RegistryKind)n;
                    try { return RegistrySetting.ParseKind(s.ToUpperInvariant()); } catch (ArgumentException) { }
                    if (string.Equals(s, "REG_DWORD_BIG_ENDIAN", StringComparison.OrdinalIgnoreCase)) return RegistryKind.DWordBigEndian;
                    if (string.Equals(s, "REG_NONE", StringComparison.OrdinalIgnoreCase)) return RegistryKind.None;
                    break;
            }
            throw new WaHardeningException(ErrorIds.RegistryTypeInvalid, WaErrorCategory.InvalidArgument,
                $"'{type}' is not a registry type (String, ExpandString, Binary, DWord, DWordBigEndian, MultiString, QWord, None or REG_*).", type);
        }

        /// <summary>PowerShell hands over object[] and PSObjects: make them the CLR shapes PolEntry.Create expects.</summary>
        public static object? Normalize(RegistryKind kind, object? data)
        {
            data = Base(data);
            if (data is object[] arr)
            {
                if (kind == RegistryKind.MultiString)
                {
                    var list = new List<string>();
                    foreach (var o in arr) list.Add(Str(o) ?? "");
                    return list.ToArray();
                }
                if (kind == RegistryKind.Binary || kind == RegistryKind.None || !Enum.IsDefined(typeof(RegistryKind), kind))
                {
                    var b = new byte[arr.Length];
                    for (var i = 0; i < arr.Length; i++) b[i] = Convert.ToByte(Base(arr[i]), CultureInfo.InvariantCulture);
                    return b;
                }
            }
            return data;
        }

        private static object? Base(object? v) => v is PSObject p ? p.BaseObject : v;
        private static string? Str(object? v) => Base(v) is { } b ? Convert.ToString(b, CultureInfo.InvariantCulture) : null;
    }
}
