using System;
using System.Collections.Generic;
using System.Linq;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Enforcement
{
    /// <summary>A registry value: its kind and data (uint for REG_DWORD, ulong for REG_QWORD,
    /// string for REG_SZ/REG_EXPAND_SZ, string[] for REG_MULTI_SZ, byte[] otherwise).</summary>
    public sealed class RegistryValue
    {
        public RegistryValue(RegistryKind kind, object data) { Kind = kind; Data = data; }
        public RegistryKind Kind { get; }
        public object Data { get; }

        public bool SameAs(RegistryValue? other)
        {
            if (other == null || other.Kind != Kind) return false;
            return (Data, other.Data) switch
            {
                (string[] a, string[] b) => a.SequenceEqual(b),
                (byte[] a, byte[] b) => a.SequenceEqual(b),
                _ => Equals(Data, other.Data),
            };
        }

        public override string ToString() => $"{RegistrySetting.KindName(Kind)} {Text}";

        public string Text => Data switch
        {
            string[] m => string.Join("|", m),
            byte[] b => BitConverter.ToString(b),
            _ => Convert.ToString(Data, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
    }

    /// <summary>
    /// The registry as the Windows provider sees it. Hives are "HKLM" and "HKCU"; keys have no hive
    /// prefix. The real implementation (advapi32) lives in the cmdlet assembly; tests use
    /// <see cref="InMemoryRegistry"/>.
    /// </summary>
    public interface IRegistry
    {
        bool KeyExists(string hive, string key);
        /// <summary>Value names of a key; empty when the key does not exist.</summary>
        IReadOnlyList<string> GetValueNames(string hive, string key);
        /// <summary>The value, or null when it (or its key) does not exist.</summary>
        RegistryValue? GetValue(string hive, string key, string name);
        /// <summary>Creates the key if needed and sets the value.</summary>
        void SetValue(string hive, string key, string name, RegistryValue value);
        /// <summary>Deletes the value if present.</summary>
        void DeleteValue(string hive, string key, string name);
        /// <summary>Deletes the key if it has no values and no subkeys; true when it is gone afterwards.</summary>
        bool DeleteKeyIfEmpty(string hive, string key);
    }

    /// <summary>A registry in memory, case-insensitive like the real one. Used by tests on every OS.</summary>
    public sealed class InMemoryRegistry : IRegistry
    {
        private readonly Dictionary<string, Dictionary<string, RegistryValue>> _keys =
            new Dictionary<string, Dictionary<string, RegistryValue>>(StringComparer.OrdinalIgnoreCase);

        private static string K(string hive, string key) => hive.ToUpperInvariant() + "\\" + key.Trim('\\');

        /// <summary>Test hook: throws when a write touches a key starting with this path (simulates access denied).</summary>
        public string? FailWritesUnder { get; set; }

        public bool KeyExists(string hive, string key)
        {
            var k = K(hive, key);
            return _keys.Keys.Any(x => string.Equals(x, k, StringComparison.OrdinalIgnoreCase) || x.StartsWith(k + "\\", StringComparison.OrdinalIgnoreCase));
        }

        public IReadOnlyList<string> GetValueNames(string hive, string key) =>
            _keys.TryGetValue(K(hive, key), out var values) ? values.Keys.ToList() : (IReadOnlyList<string>)Array.Empty<string>();

        public RegistryValue? GetValue(string hive, string key, string name) =>
            _keys.TryGetValue(K(hive, key), out var values) && values.TryGetValue(name, out var v) ? v : null;

        public void SetValue(string hive, string key, string name, RegistryValue value)
        {
            Check(hive, key);
            if (!_keys.TryGetValue(K(hive, key), out var values))
                _keys[K(hive, key)] = values = new Dictionary<string, RegistryValue>(StringComparer.OrdinalIgnoreCase);
            values[name] = value;
        }

        public void DeleteValue(string hive, string key, string name)
        {
            Check(hive, key);
            if (_keys.TryGetValue(K(hive, key), out var values)) values.Remove(name);
        }

        public bool DeleteKeyIfEmpty(string hive, string key)
        {
            var k = K(hive, key);
            if (_keys.Keys.Any(x => x.StartsWith(k + "\\", StringComparison.OrdinalIgnoreCase))) return false;
            if (_keys.TryGetValue(k, out var values))
            {
                if (values.Count > 0) return false;
                Check(hive, key);
                _keys.Remove(k);
            }
            return true;
        }

        /// <summary>Creates an empty key (tests: a key that existed before, with nothing in it).</summary>
        public void CreateKey(string hive, string key)
        {
            if (!_keys.ContainsKey(K(hive, key)))
                _keys[K(hive, key)] = new Dictionary<string, RegistryValue>(StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>Every key (sorted), for checking that nothing was left behind.</summary>
        public IReadOnlyList<string> KeyNames() => _keys.Keys.OrderBy(x => x, StringComparer.OrdinalIgnoreCase).ToList();

        private void Check(string hive, string key)
        {
            if (FailWritesUnder != null && K(hive, key).StartsWith(FailWritesUnder, StringComparison.OrdinalIgnoreCase))
                throw new UnauthorizedAccessException($@"Access to {hive}\{key} is denied (simulated).");
        }

        /// <summary>Every value, as "HIVE\key\name = kind data" lines (sorted), for comparing whole states in tests.</summary>
        public string Dump() => string.Join("\n", _keys.SelectMany(k => k.Value.Select(v => $"{k.Key}\\{v.Key} = {v.Value}"))
            .OrderBy(x => x, StringComparer.OrdinalIgnoreCase));
    }
}
