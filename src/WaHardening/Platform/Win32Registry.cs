using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Rendering;

namespace WaHardening.Commands.Platform
{
    /// <summary>
    /// The real Windows registry through advapi32 (P/Invoke), always in the 64-bit view
    /// (KEY_WOW64_64KEY) where the browsers and Group Policy read policies. P/Invoke instead of
    /// Microsoft.Win32.Registry: that type is not in netstandard2.0 and the NuGet package
    /// Microsoft.Win32.Registry would have to be shipped and bound differently in Windows PowerShell 5.1
    /// (mscorlib) and PowerShell 7 (shared framework); advapi32 is the same in both, so the module's one
    /// DLL keeps loading everywhere with no dependency (see docs/ARCHITECTURE.md).
    /// </summary>
    internal sealed class Win32Registry : IRegistry
    {
        private static readonly IntPtr HKLM = new IntPtr(unchecked((int)0x80000002));
        private static readonly IntPtr HKCU = new IntPtr(unchecked((int)0x80000001));
        private const int KEY_READ = 0x20019, KEY_WRITE = 0x20006, KEY_WOW64_64KEY = 0x0100;
        private const int ERROR_SUCCESS = 0, ERROR_FILE_NOT_FOUND = 2, ERROR_MORE_DATA = 234, ERROR_NO_MORE_ITEMS = 259;

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegOpenKeyExW(IntPtr hKey, string subKey, int options, int samDesired, out IntPtr result);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegCreateKeyExW(IntPtr hKey, string subKey, int reserved, string? cls, int options, int samDesired,
            IntPtr securityAttributes, out IntPtr result, out int disposition);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegQueryValueExW(IntPtr hKey, string name, IntPtr reserved, out int type, byte[]? data, ref int size);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegSetValueExW(IntPtr hKey, string name, int reserved, int type, byte[] data, int size);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegDeleteValueW(IntPtr hKey, string name);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegEnumValueW(IntPtr hKey, int index, StringBuilder name, ref int nameLength, IntPtr reserved,
            IntPtr type, IntPtr data, IntPtr dataLength);
        [DllImport("advapi32.dll")]
        private static extern int RegCloseKey(IntPtr hKey);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegDeleteKeyExW(IntPtr hKey, string subKey, int samDesired, int reserved);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int RegQueryInfoKeyW(IntPtr hKey, IntPtr cls, IntPtr clsLength, IntPtr reserved, out int subKeys,
            IntPtr maxSubKeyLength, IntPtr maxClassLength, out int values, IntPtr maxValueNameLength, IntPtr maxValueLength,
            IntPtr securityDescriptor, IntPtr lastWriteTime);

        private static IntPtr Hive(string hive) => hive.ToUpperInvariant() switch
        {
            "HKLM" => HKLM,
            "HKCU" => HKCU,
            _ => throw new ArgumentException($"Unknown hive '{hive}'.", nameof(hive)),
        };

        private static IntPtr Open(string hive, string key, bool write)
        {
            var rc = RegOpenKeyExW(Hive(hive), key, 0, (write ? KEY_WRITE | KEY_READ : KEY_READ) | KEY_WOW64_64KEY, out var h);
            if (rc == ERROR_FILE_NOT_FOUND) return IntPtr.Zero;
            if (rc != ERROR_SUCCESS) throw Fail(rc, hive, key);
            return h;
        }

        private static Exception Fail(int rc, string hive, string key) =>
            rc == 5 ? new UnauthorizedAccessException($@"Access to {hive}\{key} is denied (run elevated).")
                    : (Exception)new Win32Exception(rc, $@"{hive}\{key}: {new Win32Exception(rc).Message}");

        public bool KeyExists(string hive, string key)
        {
            var h = Open(hive, key, false);
            if (h == IntPtr.Zero) return false;
            RegCloseKey(h);
            return true;
        }

        public IReadOnlyList<string> GetValueNames(string hive, string key)
        {
            var h = Open(hive, key, false);
            var names = new List<string>();
            if (h == IntPtr.Zero) return names;
            try
            {
                for (var i = 0; ; i++)
                {
                    var sb = new StringBuilder(16384);
                    var len = sb.Capacity;
                    var rc = RegEnumValueW(h, i, sb, ref len, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero);
                    if (rc == ERROR_NO_MORE_ITEMS) break;
                    if (rc != ERROR_SUCCESS) throw Fail(rc, hive, key);
                    names.Add(sb.ToString(0, len));
                }
            }
            finally { RegCloseKey(h); }
            return names;
        }

        public RegistryValue? GetValue(string hive, string key, string name)
        {
            var h = Open(hive, key, false);
            if (h == IntPtr.Zero) return null;
            try
            {
                var size = 0;
                var rc = RegQueryValueExW(h, name, IntPtr.Zero, out var type, null, ref size);
                if (rc == ERROR_FILE_NOT_FOUND) return null;
                if (rc != ERROR_SUCCESS && rc != ERROR_MORE_DATA) throw Fail(rc, hive, key);
                var data = new byte[size];
                rc = RegQueryValueExW(h, name, IntPtr.Zero, out type, data, ref size);
                if (rc != ERROR_SUCCESS) throw Fail(rc, hive, key);
                return Decode((RegistryKind)type, data, size);
            }
            finally { RegCloseKey(h); }
        }

        private static RegistryValue Decode(RegistryKind kind, byte[] data, int size)
        {
            switch (kind)
            {
                case RegistryKind.DWord when size >= 4: return new RegistryValue(kind, BitConverter.ToUInt32(data, 0));
                case RegistryKind.QWord when size >= 8: return new RegistryValue(kind, BitConverter.ToUInt64(data, 0));
                case RegistryKind.String:
                case RegistryKind.ExpandString:
                    return new RegistryValue(kind, Encoding.Unicode.GetString(data, 0, size & ~1).TrimEnd('\0'));
                case RegistryKind.MultiString:
                    var text = Encoding.Unicode.GetString(data, 0, size & ~1);
                    if (text.EndsWith("\0\0", StringComparison.Ordinal)) text = text.Substring(0, text.Length - 2);
                    else if (text.EndsWith("\0", StringComparison.Ordinal)) text = text.Substring(0, text.Length - 1);
                    return new RegistryValue(kind, text.Length == 0 ? Array.Empty<string>() : text.Split('\0'));
                default:
                    var copy = new byte[size];
                    Array.Copy(data, copy, size);
                    return new RegistryValue(kind, copy);
            }
        }

        private static byte[] Encode(RegistryValue v) => v.Data switch
        {
            uint u => BitConverter.GetBytes(u),
            ulong ul => BitConverter.GetBytes(ul),
            string s => Encoding.Unicode.GetBytes(s + "\0"),
            string[] m => Encoding.Unicode.GetBytes(string.Concat(Array.ConvertAll(m, x => x + "\0")) + "\0"),
            byte[] b => b,
            _ => throw new ArgumentException($"Cannot store {v.Data.GetType().Name} in the registry."),
        };

        public void SetValue(string hive, string key, string name, RegistryValue value)
        {
            var rc = RegCreateKeyExW(Hive(hive), key, 0, null, 0, KEY_WRITE | KEY_READ | KEY_WOW64_64KEY, IntPtr.Zero, out var h, out _);
            if (rc != ERROR_SUCCESS) throw Fail(rc, hive, key);
            try
            {
                var bytes = Encode(value);
                rc = RegSetValueExW(h, name, 0, (int)value.Kind, bytes, bytes.Length);
                if (rc != ERROR_SUCCESS) throw Fail(rc, hive, key);
            }
            finally { RegCloseKey(h); }
        }

        public bool DeleteKeyIfEmpty(string hive, string key)
        {
            var h = Open(hive, key, false);
            if (h == IntPtr.Zero) return true;
            try
            {
                var rc = RegQueryInfoKeyW(h, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, out var subKeys, IntPtr.Zero, IntPtr.Zero, out var values,
                    IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero);
                if (rc != ERROR_SUCCESS) throw Fail(rc, hive, key);
                if (subKeys > 0 || values > 0) return false;
            }
            finally { RegCloseKey(h); }
            var del = RegDeleteKeyExW(Hive(hive), key, KEY_WOW64_64KEY, 0);
            if (del != ERROR_SUCCESS && del != ERROR_FILE_NOT_FOUND) throw Fail(del, hive, key);
            return true;
        }

        public void DeleteValue(string hive, string key, string name)
        {
            var h = Open(hive, key, true);
            if (h == IntPtr.Zero) return;
            try
            {
                var rc = RegDeleteValueW(h, name);
                if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) throw Fail(rc, hive, key);
            }
            finally { RegCloseKey(h); }
        }
    }
}
