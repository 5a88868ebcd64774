// TEMPORARY (branch sessget): the signatures of the file readers the branch `formats` is writing
// (WaHardening.Core.Sessions.Formats), so this branch compiles until it lands. Every member throws NotSupportedException:
// nothing here reads a format. Delete this file when merging `formats` (its real types replace these).
using System;
using System.Collections.Generic;

namespace WaHardening.Core.Sessions.Formats
{
    public sealed class LevelDbRecord
    {
        public byte[] Key { get; set; } = Array.Empty<byte>();
        public byte[]? Value { get; set; }
        public ulong Sequence { get; set; }
        public bool Deleted { get; set; }
        public string File { get; set; } = "";
    }

    public static class LevelDb
    {
        public static IReadOnlyList<LevelDbRecord> ReadLive(string dir) => throw new NotSupportedException("LevelDB reader not merged yet (branch formats)");
        public static IReadOnlyList<LevelDbRecord> ReadAllVersions(string dir) => throw new NotSupportedException("LevelDB reader not merged yet (branch formats)");
        public static void Rewrite(string dir, Func<byte[], bool> keep) => throw new NotSupportedException("LevelDB writer not merged yet (branch formats)");
    }

    public sealed class SqliteDatabase
    {
        public static SqliteDatabase Open(string path) => throw new NotSupportedException("SQLite reader not merged yet (branch formats)");
        public bool HasTable(string table) => throw new NotSupportedException();
        public IReadOnlyList<string> Columns(string table) => throw new NotSupportedException();
        public IEnumerable<IReadOnlyList<object?>> Rows(string table) => throw new NotSupportedException();
    }

    public static class MozLz4
    {
        public static byte[] Decode(byte[] data, int max) => throw new NotSupportedException("mozLz4 decoder not merged yet (branch formats)");
        public static byte[] Encode(byte[] data) => throw new NotSupportedException("mozLz4 encoder not merged yet (branch formats)");
    }
}
