using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WaHardening.Core.Json;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// The JSON input files one run (one <see cref="Enforcement.ProviderContext"/>) has read and parsed. A file is read and
    /// parsed once and served again while its length and last write time are unchanged (a file changed meanwhile, e.g. by
    /// another run before the plan under the lock, is read again). A document a provider is about to write is registered
    /// with its bytes: when the file later holds exactly those bytes (read back after Set), the document is served without
    /// parsing it again. Callers that change a document work on a copy (<see cref="JsonObject.DeepClone"/>).
    /// </summary>
    public sealed class PolicyFileCache
    {
        private sealed class Entry
        {
            public long Length; public DateTime Stamp; public JsonValue? Value;
            public byte[]? Expected; public JsonValue? ExpectedValue;
        }

        private readonly Dictionary<string, Entry> _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _parses = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>How often each file (real path) was parsed in this run (a test counter).</summary>
        public IReadOnlyDictionary<string, int> Parses => _parses;

        internal JsonValue Get(string path, string physical, Func<byte[], JsonValue> parse)
        {
            var info = new FileInfo(physical);
            if (!info.Exists) throw new FileNotFoundException($"Could not find file '{physical}'.", physical);
            _entries.TryGetValue(path, out var e);
            if (e?.Value != null && e.Length == info.Length && e.Stamp == info.LastWriteTimeUtc) return e.Value;
            var bytes = File.ReadAllBytes(physical);
            if (e?.Expected != null && e.ExpectedValue != null && bytes.AsSpanEquals(e.Expected))
            {
                e.Length = bytes.Length; e.Stamp = info.LastWriteTimeUtc; e.Value = e.ExpectedValue;
                e.Expected = null; e.ExpectedValue = null;
                return e.Value;
            }
            _parses[path] = _parses.TryGetValue(path, out var n) ? n + 1 : 1;
            var value = parse(bytes);
            if (e == null) _entries[path] = e = new Entry();
            e.Length = bytes.Length; e.Stamp = info.LastWriteTimeUtc; e.Value = value;
            return value;
        }

        /// <summary>Registers the document that <paramref name="bytes"/> (about to be written to <paramref name="path"/>) hold.</summary>
        internal void Expect(string path, byte[] bytes, JsonValue document)
        {
            if (!_entries.TryGetValue(path, out var e)) _entries[path] = e = new Entry { Length = -1 };
            e.Expected = bytes; e.ExpectedValue = document;
        }
    }

    internal static class ByteArrayExtensions
    {
        public static bool AsSpanEquals(this byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return false;
            for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }
    }
}
