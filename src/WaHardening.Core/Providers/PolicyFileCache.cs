using System;
using System.Collections.Generic;
using System.IO;
using WaHardening.Core.Json;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// The JSON input files one run (one <see cref="Enforcement.ProviderContext"/>) has read and parsed. A file is read and
    /// parsed once; within an audit it is served again while its length and last write time are unchanged (a file changed
    /// meanwhile is read again). Every plan starts with <see cref="Revalidate"/>: the first use of each file in the plan reads
    /// its bytes again and compares them with the bytes its document was parsed from, so a plan (the one under the lock
    /// above all) never works on a stale parse, and an unchanged file is not parsed again. A document a provider is about
    /// to write is registered with its bytes: when the file later holds exactly those bytes (read back after Set), the
    /// document is served without parsing it again. Documents served here are shared: callers never change them, they
    /// copy the objects they change (<see cref="JsonObject.ShallowClone"/> along the written path, copy-on-write).
    /// </summary>
    public sealed class PolicyFileCache
    {
        private sealed class Entry
        {
            public long Length; public DateTime Stamp; public JsonValue? Value; public byte[]? Source; public int Verified;
            public byte[]? Expected; public JsonValue? ExpectedValue;
            public PlanMemo? Plan;
        }

        /// <summary>A provider's planned content for a file, made from the document <see cref="Source"/> for the items <see cref="Key"/>.</summary>
        private sealed class PlanMemo
        {
            public PlanMemo(JsonValue source, IReadOnlyList<KeyValuePair<object, string>> key, byte[] bytes, JsonObject doc)
            { Source = source; Key = key; Bytes = bytes; Doc = doc; }
            public JsonValue Source { get; }
            public IReadOnlyList<KeyValuePair<object, string>> Key { get; }
            public byte[] Bytes { get; }
            public JsonObject Doc { get; }
        }

        private readonly Dictionary<string, Entry> _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _parses = new Dictionary<string, int>(StringComparer.Ordinal);
        private int _generation;

        /// <summary>How often each file (real path) was parsed in this run (a test counter).</summary>
        public IReadOnlyDictionary<string, int> Parses => _parses;

        /// <summary>Starts a plan: the next use of every file reads its bytes again and compares them (see the class summary).</summary>
        public void Revalidate() => _generation++;

        internal JsonValue Get(string path, string physical, Func<byte[], JsonValue> parse)
        {
            var info = new FileInfo(physical);
            if (!info.Exists) throw new FileNotFoundException($"Could not find file '{physical}'.", physical);
            _entries.TryGetValue(path, out var e);
            if (e?.Value != null && e.Verified == _generation && e.Length == info.Length && e.Stamp == info.LastWriteTimeUtc) return e.Value;
            // The time is taken before the bytes are read: a write in between makes the next use read the file again.
            // The file is compared with the bytes already held as it is read (no second copy of a large file in memory).
            var stamp = info.LastWriteTimeUtc;
            if (e?.Value != null && e.Source != null && Bytes.FileHolds(physical, e.Source))
            {
                e.Length = e.Source.Length; e.Stamp = stamp; e.Verified = _generation;
                return e.Value;
            }
            if (e?.Expected != null && e.ExpectedValue != null && Bytes.FileHolds(physical, e.Expected))
            {
                e.Length = e.Expected.Length; e.Stamp = stamp; e.Verified = _generation;
                e.Value = e.ExpectedValue; e.Source = e.Expected;
                e.Expected = null; e.ExpectedValue = null;
                return e.Value;
            }
            var bytes = File.ReadAllBytes(physical);
            _parses[path] = _parses.TryGetValue(path, out var n) ? n + 1 : 1;
            var value = parse(bytes);
            if (e == null) _entries[path] = e = new Entry();
            e.Length = bytes.Length; e.Stamp = stamp; e.Verified = _generation; e.Value = value; e.Source = bytes;
            return value;
        }

        /// <summary>The bytes the document last served for <paramref name="path"/> was parsed from (they are the file's
        /// bytes as checked by that <see cref="Get"/>); null when the file was not read. Callers do not change them.</summary>
        internal byte[]? SourceBytes(string path) => _entries.TryGetValue(path, out var e) && e.Value != null ? e.Source : null;

        /// <summary>Registers the document that <paramref name="bytes"/> (about to be written to <paramref name="path"/>) hold.</summary>
        internal void Expect(string path, byte[] bytes, JsonValue document)
        {
            if (!_entries.TryGetValue(path, out var e)) _entries[path] = e = new Entry { Length = -1 };
            e.Expected = bytes; e.ExpectedValue = document;
        }

        /// <summary>
        /// The content a provider planned for <paramref name="path"/> earlier in this run from the very same document
        /// (<paramref name="source"/>, by reference: it is served again only while the file's bytes are unchanged, see
        /// <see cref="Revalidate"/>) and the same items (<paramref name="key"/>: each setting, by reference, and its desired
        /// value as JSON text) — the plan under the lock reuses the first plan's bytes instead of building them again.
        /// </summary>
        internal bool TryGetPlan(string path, JsonValue source, IReadOnlyList<KeyValuePair<object, string>> key, out byte[] bytes, out JsonObject doc)
        {
            bytes = null!; doc = null!;
            if (!_entries.TryGetValue(path, out var e) || e.Plan == null || !ReferenceEquals(e.Plan.Source, source) || !ReferenceEquals(e.Value, source)
                || e.Verified != _generation || e.Plan.Key.Count != key.Count) return false;
            for (var i = 0; i < key.Count; i++)
                if (!ReferenceEquals(e.Plan.Key[i].Key, key[i].Key) || !string.Equals(e.Plan.Key[i].Value, key[i].Value, StringComparison.Ordinal)) return false;
            bytes = e.Plan.Bytes; doc = e.Plan.Doc;
            return true;
        }

        /// <summary>Remembers a plan's content for <see cref="TryGetPlan"/>.</summary>
        internal void RememberPlan(string path, JsonValue source, IReadOnlyList<KeyValuePair<object, string>> key, byte[] bytes, JsonObject doc)
        {
            if (_entries.TryGetValue(path, out var e) && ReferenceEquals(e.Value, source)) e.Plan = new PlanMemo(source, key, bytes, doc);
        }
    }

    internal static class Bytes
    {
        /// <summary>True when both arrays hold the same bytes (eight at a time: files of tens of megabytes are compared).</summary>
        public static bool Same(byte[]? a, byte[]? b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a == null || b == null || a.Length != b.Length) return false;
            var i = 0;
            for (var end = a.Length - 7; i < end; i += 8)
                if (BitConverter.ToInt64(a, i) != BitConverter.ToInt64(b, i)) return false;
            for (; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        /// <summary>True when the file holds exactly <paramref name="expected"/>: read piece by piece and compared on the way.</summary>
        public static bool FileHolds(string physical, byte[] expected)
        {
            using var fs = new FileStream(physical, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            if (fs.Length != expected.Length) return false;
            var buf = new byte[1 << 16];
            var at = 0;
            while (true)
            {
                var n = fs.Read(buf, 0, buf.Length);
                if (n == 0) return at == expected.Length;
                if (at + n > expected.Length) return false;
                var i = 0;
                for (var end = n - 7; i < end; i += 8)
                    if (BitConverter.ToInt64(buf, i) != BitConverter.ToInt64(expected, at + i)) return false;
                for (; i < n; i++) if (buf[i] != expected[at + i]) return false;
                at += n;
            }
        }
    }

    /// <summary>Compares objects by reference (netstandard2.0 has no ReferenceEqualityComparer).</summary>
    internal sealed class ReferenceComparer : IEqualityComparer<object>
    {
        public static readonly ReferenceComparer Instance = new ReferenceComparer();
        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);
        public int GetHashCode(object obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
