using System;
using System.Collections.Generic;

namespace WaHardening.Core.Providers
{
    /// <summary>The input files one run has read and parsed (placeholder; filled in below).</summary>
    public sealed class PolicyFileCache
    {
        private readonly Dictionary<string, int> _parses = new Dictionary<string, int>(StringComparer.Ordinal);
        /// <summary>How often each file (real path) was parsed in this run.</summary>
        public IReadOnlyDictionary<string, int> Parses => _parses;
        internal void CountParse(string path) => _parses[path] = _parses.TryGetValue(path, out var n) ? n + 1 : 1;
    }
}
