using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace WaHardening.Core.GroupPolicy
{
    /// <summary>A file that is not a valid Registry.pol: names the file and the byte offset of the fault.</summary>
    public sealed class RegistryPolicyFormatException : WaHardeningException
    {
        public RegistryPolicyFormatException(string? path, long offset, string problem)
            : base(ErrorIds.RegistryPolicyInvalid, WaErrorCategory.InvalidData,
                $"'{path ?? "(bytes)"}' is not a valid Registry.pol file: at offset {offset} (0x{offset.ToString("X", CultureInfo.InvariantCulture)}): {problem}.",
                path)
        {
            Path = path; Offset = offset; Problem = problem;
        }

        public string? Path { get; }
        public long Offset { get; }
        public string Problem { get; }
    }

    /// <summary>
    /// Reads and writes Registry.pol (PReg) files as specified in [MS-GPREG] 2.2.1 "Registry Policy Message Syntax"
    /// (learn.microsoft.com/en-us/openspecs/windows_protocols/ms-gpreg/5c092c22-bf6b-4e7f-b180-b20743d368f5):
    /// header <c>PReg</c> + uint32 version 1, then records <c>[key;value;type;size;data]</c> in which the brackets,
    /// semicolons, key and value name are UTF-16LE (key and value NUL-terminated) and type and size are uint32 LE.
    /// One pass over a byte array; every length field is checked against the bytes that remain before anything is
    /// allocated. Records are kept in order with duplicates, and their data bytes verbatim, so writing what was
    /// read gives the same bytes.
    /// </summary>
    public static class RegistryPolicyFile
    {
        /// <summary><c>PReg</c> as a little-endian uint32 (REGFILE_SIGNATURE 0x67655250).</summary>
        public const uint Signature = 0x67655250;
        /// <summary>The only version Windows writes (REGISTRY_FILE_VERSION 1).</summary>
        public const uint Version = 1;
        public const int HeaderSize = 8;

        private const byte Open = (byte)'[', Close = (byte)']', Semi = (byte)';';

        /// <summary>Reads a file; a non-PReg or damaged file raises <see cref="RegistryPolicyFormatException"/>.</summary>
        public static List<PolEntry> ReadFile(string path) => Read(ReadBytes(path), path);

        /// <summary>The file's bytes, with I/O failures as typed errors.</summary>
        internal static byte[] ReadBytes(string path)
        {
            try { return File.ReadAllBytes(path); }
            catch (FileNotFoundException e) { throw new WaHardeningException(ErrorIds.RegistryPolicyNotFound, WaErrorCategory.ObjectNotFound, $"Registry.pol file '{path}' does not exist.", path, e); }
            catch (DirectoryNotFoundException e) { throw new WaHardeningException(ErrorIds.RegistryPolicyNotFound, WaErrorCategory.ObjectNotFound, $"Registry.pol file '{path}' does not exist.", path, e); }
            catch (UnauthorizedAccessException e) { throw new WaHardeningException(ErrorIds.RegistryPolicyAccessDenied, WaErrorCategory.PermissionDenied, $"Cannot read '{path}': {e.Message}", path, e); }
            catch (IOException e) { throw new WaHardeningException(ErrorIds.RegistryPolicyReadFailed, WaErrorCategory.ReadError, $"Cannot read '{path}': {e.Message}", path, e); }
        }

        /// <summary>Parses PReg bytes. <paramref name="path"/> only names the source in errors.</summary>
        public static List<PolEntry> Read(byte[] bytes, string? path = null)
        {
            if (bytes == null) throw new ArgumentNullException(nameof(bytes));
            var n = bytes.Length;
            if (n < HeaderSize)
                throw new RegistryPolicyFormatException(path, n, $"the file has {n} bytes, fewer than the 8-byte PReg header");
            if (U32(bytes, 0) != Signature)
                throw new RegistryPolicyFormatException(path, 0, $"the signature is {Describe(bytes, 0, 4)}, not 'PReg'");
            var version = U32(bytes, 4);
            if (version != Version)
                throw new RegistryPolicyFormatException(path, 4, $"the version is {version}; only version 1 exists");

            // A record needs at least 26 bytes; the estimate only sizes the list.
            var entries = new List<PolEntry>(Math.Min((n - HeaderSize) / 26 + 1, 1 << 20));
            var p = HeaderSize;
            string? lastKey = null;
            int lastKeyStart = 0, lastKeyUnits = -1;
            while (p < n)
            {
                Expect(bytes, p, Open, path, "'[' (start of a record)");
                p += 2;

                var keyStart = p;
                var keyUnits = ScanString(bytes, ref p, path, "key");
                string key;
                if (keyUnits == lastKeyUnits && SameBytes(bytes, lastKeyStart, keyStart, keyUnits * 2)) key = lastKey!;
                else { key = PolEntry.Chars(bytes, keyStart, keyUnits); lastKey = key; lastKeyUnits = keyUnits; }
                lastKeyStart = keyStart;
                Expect(bytes, p, Semi, path, "';' after the key");
                p += 2;

                var valueStart = p;
                var valueUnits = ScanString(bytes, ref p, path, "value name");
                var valueName = PolEntry.Chars(bytes, valueStart, valueUnits);
                Expect(bytes, p, Semi, path, "';' after the value name");
                p += 2;

                if (n - p < 4) throw new RegistryPolicyFormatException(path, p, "the file ends inside the type field");
                var type = U32(bytes, p);
                p += 4;
                Expect(bytes, p, Semi, path, "';' after the type");
                p += 2;

                if (n - p < 4) throw new RegistryPolicyFormatException(path, p, "the file ends inside the size field");
                var size = U32(bytes, p);
                var sizeAt = p;
                p += 4;
                Expect(bytes, p, Semi, path, "';' after the size");
                p += 2;

                // The size is checked against what remains (data plus the closing ']') before any allocation.
                if (size > (uint)(n - p) || (uint)(n - p) - size < 2)
                    throw new RegistryPolicyFormatException(path, sizeAt,
                        $"the size field says {size} data bytes but only {Math.Max(0, n - p - 2)} remain before the record's closing ']'");
                var data = new byte[size];
                Buffer.BlockCopy(bytes, p, data, 0, (int)size);
                p += (int)size;
                Expect(bytes, p, Close, path, "']' (end of the record) after the data");
                p += 2;

                entries.Add(PolEntry.Unchecked(key, valueName, (Rendering.RegistryKind)type, data));
            }
            return entries;
        }

        /// <summary>The PReg bytes for the records, in the order given. One allocation of the exact size.</summary>
        public static byte[] ToBytes(IEnumerable<PolEntry> entries)
        {
            if (entries == null) throw new ArgumentNullException(nameof(entries));
            var list = entries as IReadOnlyList<PolEntry> ?? new List<PolEntry>(entries);
            long total = HeaderSize;
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i] ?? throw new ArgumentException($"Record {i} is null.", nameof(entries));
                // [ key\0 ; value\0 ; type ; size ; data ]
                total += 2 + (e.Key.Length + 1) * 2L + 2 + (e.ValueName.Length + 1) * 2L + 2 + 4 + 2 + 4 + 2 + e.Size + 2;
            }
            if (total > int.MaxValue)
                throw new WaHardeningException(ErrorIds.RegistryPolicyTooLarge, WaErrorCategory.InvalidData,
                    $"The {list.Count} records would make a Registry.pol of {total} bytes, more than a file this module writes (2 GB).", list.Count);
            var b = new byte[total];
            Put32(b, 0, Signature);
            Put32(b, 4, Version);
            var p = HeaderSize;
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i];
                b[p] = Open; p += 2;
                p = PolEntry.PutChars(b, p, e.Key) + 2;
                b[p] = Semi; p += 2;
                p = PolEntry.PutChars(b, p, e.ValueName) + 2;
                b[p] = Semi; p += 2;
                Put32(b, p, (uint)e.Type); p += 4;
                b[p] = Semi; p += 2;
                var data = e.DataBytes;
                Put32(b, p, (uint)data.Length); p += 4;
                b[p] = Semi; p += 2;
                Buffer.BlockCopy(data, 0, b, p, data.Length); p += data.Length;
                b[p] = Close; p += 2;
            }
            return b;
        }

        /// <summary>Writes the records to <paramref name="path"/> atomically (temporary file in the same folder, then
        /// rename): on any failure the old file is untouched and no partial file is left.</summary>
        public static void WriteFile(string path, IEnumerable<PolEntry> entries) =>
            Enforcement.AtomicFile.WriteExport(path, ToBytes(entries));

        // ---- helpers ----

        private static uint U32(byte[] b, int p) => (uint)(b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24);

        private static void Put32(byte[] b, int p, uint v)
        {
            b[p] = (byte)v; b[p + 1] = (byte)(v >> 8); b[p + 2] = (byte)(v >> 16); b[p + 3] = (byte)(v >> 24);
        }

        private static void Expect(byte[] b, int p, byte c, string? path, string what)
        {
            if (b.Length - p < 2)
                throw new RegistryPolicyFormatException(path, p, $"the file ends where {what} was expected");
            if (b[p] != c || b[p + 1] != 0)
                throw new RegistryPolicyFormatException(path, p, $"expected {what} but found {Describe(b, p, 2)}");
        }

        /// <summary>Advances past a NUL-terminated UTF-16LE string; returns its length in code units (without the NUL).</summary>
        private static int ScanString(byte[] b, ref int p, string? path, string what)
        {
            var start = p;
            var last = b.Length - 1; // a code unit needs two bytes
            while (p < last)
            {
                if (b[p] == 0 && b[p + 1] == 0)
                {
                    var units = (p - start) / 2;
                    p += 2;
                    return units;
                }
                p += 2;
            }
            throw new RegistryPolicyFormatException(path, start, $"the {what} that starts here has no terminating NUL before the end of the file");
        }

        private static bool SameBytes(byte[] b, int x, int y, int count)
        {
            if (x == y) return true;
            for (var i = 0; i < count; i++) if (b[x + i] != b[y + i]) return false;
            return true;
        }

        private static string Describe(byte[] b, int p, int count)
        {
            var end = Math.Min(b.Length, p + count);
            var hex = new List<byte>();
            for (var i = p; i < end; i++) hex.Add(b[i]);
            return "bytes 0x" + (hex.Count == 0 ? "(none)" : PolEntry.Hex(hex));
        }
    }
}
