using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Sessions.Formats;
using Xunit;

namespace WaHardening.Core.Tests.Sessions
{
    /// <summary>The SQLite reader, proven against real SQLite (python3's sqlite3 module writes; what it reads is the truth).</summary>
    public class SqliteTests
    {
        /// <summary>The expectation file of sqlite_peer.py: table -> (columns, rows as cell strings).</summary>
        private static Dictionary<string, (List<string> Cols, List<string> Rows)> Expected(string path)
        {
            var r = new Dictionary<string, (List<string>, List<string>)>();
            (List<string> Cols, List<string> Rows) cur = (new List<string>(), new List<string>());
            foreach (var line in File.ReadAllLines(path))
            {
                if (line.StartsWith("#table ")) { cur = (new List<string>(), new List<string>()); r[Encoding.UTF8.GetString(Convert.FromHexString(line.Substring(7)))] = cur; }
                else if (line.StartsWith("#cols ")) cur.Cols.AddRange(line.Substring(6).Split('\t').Select(h => Encoding.UTF8.GetString(Convert.FromHexString(h))));
                else cur.Rows.Add(line);
            }
            return r;
        }

        private static string Cell(object? v) => v switch
        {
            null => "n",
            long l => "i:" + l,
            double d => "r:" + BitConverter.DoubleToInt64Bits(d).ToString("x16"),
            string s => "t:" + Peers.Hex(Encoding.UTF8.GetBytes(s)),
            byte[] b => "b:" + Peers.Hex(b),
            _ => throw new InvalidOperationException("unexpected value type " + v.GetType()),
        };

        internal static void AssertSame(SqliteDatabase db, string expectedFile)
        {
            var expected = Expected(expectedFile);
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Keys.Where(t => t != "sqlite_sequence").OrderBy(t => t), db.Tables.Where(t => t != "sqlite_sequence").OrderBy(t => t));
            foreach (var (table, (cols, rows)) in expected)
            {
                Assert.True(db.HasTable(table), table);
                Assert.Equal(cols, db.Columns(table));
                var ours = db.Rows(table).Select(row => string.Join("\t", row.Select(Cell))).ToList();
                Assert.Equal(rows.Count, ours.Count);
                for (var i = 0; i < rows.Count; i++) Assert.True(rows[i] == ours[i], $"{table} row {i}: sqlite3 reads\n{Trunc(rows[i])}\nours\n{Trunc(ours[i])}");
            }
        }

        private static string Trunc(string s) => s.Length > 400 ? s.Substring(0, 400) + "..." : s;

        [Theory]
        [InlineData("utf-8", 1024)]
        [InlineData("utf-16le", 4096)]
        [InlineData("utf-16be", 512)]
        [InlineData("utf-8", 65536)]
        public void Rows_equal_what_sqlite3_reads(string encoding, int pageSize)
        {
            var dir = Peers.TempDir("sqlite");
            try
            {
                var db = Path.Combine(dir, "Cookies");
                Peers.Run("sqlite_peer.py", "make", db, encoding, pageSize.ToString());
                var s = SqliteDatabase.Open(db);
                AssertSame(s, db + ".expected");
                Assert.True(s.HasTable("cookies") && s.HasTable("moz_cookies") && s.HasTable("MOZ_COOKIES"));
                Assert.False(s.HasTable("nope"));
                // The overflow values really are there (several pages long).
                Assert.Contains(s.Rows("t"), r => r[4] is byte[] b && b.Length > 100_000);
                Assert.Contains(s.Rows("t"), r => r[1] is string t && Encoding.UTF8.GetByteCount(t) > 50_000);
                Assert.Equal(new[] { "a b", "c", "d", "e", "f", "g" }, s.Columns("we\"ird"));
                var e = Assert.Throws<WaHardeningException>(() => s.Rows("nope"));
                Assert.Equal(ErrorIds.SessionStoreCorrupt, e.ErrorId);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void A_WAL_with_uncheckpointed_commits_and_an_uncommitted_spill_reads_as_sqlite3_reads()
        {
            var dir = Peers.TempDir("sqlite-wal");
            try
            {
                var db = Path.Combine(dir, "live.db");
                var copy = Path.Combine(dir, "copy.db");
                Peers.Run("sqlite_peer.py", "wal", db, copy);
                Assert.True(new FileInfo(copy + "-wal").Length > 100_000, "the WAL holds frames");
                var bytesBefore = File.ReadAllBytes(copy);
                var walBefore = File.ReadAllBytes(copy + "-wal");
                AssertSame(SqliteDatabase.Open(copy), copy + ".expected");
                // The WAL mattered: the database file alone is an older state (no table 'late').
                var alone = Path.Combine(dir, "alone.db");
                File.Copy(copy, alone);
                Assert.False(SqliteDatabase.Open(alone).HasTable("late"));
                // Read-only: nothing was written, no -shm was created.
                Assert.Equal(bytesBefore, File.ReadAllBytes(copy));
                Assert.Equal(walBefore, File.ReadAllBytes(copy + "-wal"));
                Assert.False(File.Exists(copy + "-shm"));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void A_hot_journal_is_rolled_back_in_memory_to_the_last_commit()
        {
            var dir = Peers.TempDir("sqlite-journal");
            try
            {
                var db = Path.Combine(dir, "live.db");
                var copy = Path.Combine(dir, "copy.db");
                Peers.Run("sqlite_peer.py", "journal", db, copy);
                Assert.True(new FileInfo(copy + "-journal").Length > 10_000, "the journal holds original pages");
                var bytesBefore = File.ReadAllBytes(copy);
                AssertSame(SqliteDatabase.Open(copy), copy + ".expected");
                Assert.Equal(bytesBefore, File.ReadAllBytes(copy));
                Assert.True(File.Exists(copy + "-journal"));
                // The journal mattered: the file alone holds the half-written transaction.
                var alone = Path.Combine(dir, "alone.db");
                File.Copy(copy, alone);
                bool differs;
                try { differs = SqliteDatabase.Open(alone).Rows("t").Any(r => "HALF WRITTEN".Equals(r[1])); }
                catch (WaHardeningException) { differs = true; }
                Assert.True(differs, "the database file alone holds the spilled (uncommitted) pages");
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
