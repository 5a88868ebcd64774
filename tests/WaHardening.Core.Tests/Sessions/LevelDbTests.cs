using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Sessions.Formats;
using Xunit;

namespace WaHardening.Core.Tests.Sessions
{
    /// <summary>LevelDB read and rewrite, proven against real LevelDB (python3-plyvel, libleveldb with Snappy).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public class LevelDbTests
    {
        private static List<string> Plyvel(string dir) =>
            Peers.Run("leveldb_peer.py", "dump", dir).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

        private static List<string> Ours(IEnumerable<LevelDbRecord> records) =>
            records.Select(r => Peers.Hex(r.Key) + " " + Peers.Hex(r.Value)).ToList();

        [Theory]
        [InlineData("snappy", 20000)]
        [InlineData("none", 8000)]
        public void ReadLive_equals_what_plyvel_iterates(string compression, int keys)
        {
            var dir = Peers.TempDir("ldb-live");
            try
            {
                Peers.Run("leveldb_peer.py", "make", dir, compression, keys.ToString(), "5");
                var files = Directory.GetFiles(dir).Select(Path.GetFileName).ToList();
                Assert.Contains(files, f => f!.EndsWith(".ldb"));
                Assert.Contains(files, f => f!.EndsWith(".log") && new FileInfo(Path.Combine(dir, f)).Length > 0);
                // Ours first: LevelDB's open turns the log into a table.
                var live = LevelDb.ReadLive(dir);
                var all = LevelDb.ReadAllVersions(dir);
                var expected = Plyvel(dir);
                Assert.True(expected.Count > keys / 2, "the scenario holds records");
                Assert.Equal(expected, Ours(live));
                Assert.All(live, r => Assert.False(r.Deleted));
                // Both sources contributed: compacted tables and the live log.
                Assert.Contains(live, r => r.File.EndsWith(".ldb"));
                Assert.Contains(live, r => r.File.EndsWith(".log"));
                Assert.Equal("leveldb.BytewiseComparator", LevelDb.ReadComparator(dir));
                // Every live record is also one of the versions; the versions hold more (overwritten, deleted).
                var versions = all.Select(r => (Peers.Hex(r.Key), Peers.Hex(r.Value), r.Sequence, r.Deleted)).ToHashSet();
                Assert.All(live, r => Assert.Contains((Peers.Hex(r.Key), Peers.Hex(r.Value), r.Sequence, false), versions));
                Assert.Contains(all, r => r.Deleted);
                Assert.True(all.Count > live.Count);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void ReadAllVersions_finds_overwritten_and_deleted_values_that_ReadLive_hides()
        {
            var dir = Peers.TempDir("ldb-remnants");
            try
            {
                var tokens = Peers.Run("leveldb_peer.py", "remnants", dir).Trim().Split(' ');
                var oldSecret = Encoding.ASCII.GetBytes("OLD-SECRET-" + tokens[0]);
                var gone = Encoding.ASCII.GetBytes("GONE-" + tokens[1]);
                var live = LevelDb.ReadLive(dir);
                var all = LevelDb.ReadAllVersions(dir);
                Assert.All(all, r => Assert.EndsWith(".log", r.File));
                Assert.Equal(Plyvel(dir), Ours(live));
                Assert.DoesNotContain(live, r => r.Value.SequenceEqual(oldSecret) || r.Value.SequenceEqual(gone));
                Assert.Contains(all, r => Encoding.ASCII.GetString(r.Key) == "secret" && r.Value.SequenceEqual(oldSecret));
                Assert.Contains(all, r => Encoding.ASCII.GetString(r.Key) == "gone" && r.Value.SequenceEqual(gone));
                Assert.Contains(all, r => Encoding.ASCII.GetString(r.Key) == "gone" && r.Deleted);
                var secrets = all.Where(r => Encoding.ASCII.GetString(r.Key) == "secret").OrderBy(r => r.Sequence).ToList();
                Assert.Equal(2, secrets.Count);
                Assert.Equal("NEW", Encoding.ASCII.GetString(secrets[1].Value));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void ReadAllVersions_reads_a_table_the_manifest_no_longer_lists()
        {
            var dir = Peers.TempDir("ldb-orphan");
            try
            {
                var output = Peers.Run("leveldb_peer.py", "orphan", dir).Trim().Split(' ');
                Assert.True(output.Length >= 2, "no table held the value before its deletion (an orphan must be restored)");
                var value = Encoding.ASCII.GetBytes("ORPHAN-" + output[0]);
                var orphans = output.Skip(1).ToHashSet();
                var live = LevelDb.ReadLive(dir);
                var all = LevelDb.ReadAllVersions(dir);
                Assert.Equal(Plyvel(dir), Ours(live));
                Assert.DoesNotContain(live, r => orphans.Contains(Path.GetFileName(r.File)));
                Assert.Contains(all, r => r.Value.SequenceEqual(value) && orphans.Contains(Path.GetFileName(r.File)));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Rewrite_leaves_exactly_the_kept_records_and_no_byte_of_any_other_version()
        {
            var dir = Peers.TempDir("ldb-rewrite");
            try
            {
                Peers.Run("leveldb_peer.py", "make", dir, "snappy", "6000", "9");
                // Markers: values of keys to drop, and an overwritten (old) version of a kept key.
                var rnd = new Random(3);
                var dropMarkers = new List<byte[]>();
                for (var i = 0; i < 5; i++)
                {
                    var m = Encoding.ASCII.GetBytes("DROPME-" + rnd.Next() + "-" + Guid.NewGuid().ToString("N"));
                    dropMarkers.Add(m);
                    Peers.Run("leveldb_peer.py", "put", dir, Peers.Hex(Encoding.ASCII.GetBytes("drop:" + i)), Peers.Hex(m));
                }
                var oldVersion = Encoding.ASCII.GetBytes("OLDVERSION-" + Guid.NewGuid().ToString("N"));
                Peers.Run("leveldb_peer.py", "put", dir, Peers.Hex(Encoding.ASCII.GetBytes("keep:me")), Peers.Hex(oldVersion));
                Peers.Run("leveldb_peer.py", "put", dir, Peers.Hex(Encoding.ASCII.GetBytes("keep:me")), Peers.Hex(Encoding.ASCII.GetBytes("current")));
                Assert.NotEmpty(Peers.FilesContaining(dir, dropMarkers[0]));
                Assert.NotEmpty(Peers.FilesContaining(dir, oldVersion));
                bool Keep(byte[] k) => !Encoding.ASCII.GetString(k).StartsWith("drop:") && !Encoding.ASCII.GetString(k).StartsWith("key:0001");
                var before = Plyvel(dir);
                // After LevelDB's last open (it rewrites CURRENT): the mode the new files must carry.
                File.SetUnixFileMode(Path.Combine(dir, "CURRENT"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
                var expected = before.Where(l => Keep(Convert.FromHexString(l.Split(' ')[0]))).ToList();
                var dropped = LevelDb.Rewrite(dir, Keep);
                Assert.Equal(before.Count - expected.Count, dropped);
                Assert.True(dropped > 5);

                // Before LevelDB ever opens it again: no file holds a dropped value or an old version.
                foreach (var m in dropMarkers) Assert.Empty(Peers.FilesContaining(dir, m));
                Assert.Empty(Peers.FilesContaining(dir, oldVersion));
                foreach (var l in before.Except(expected))
                {
                    var v = Convert.FromHexString(l.Split(' ')[1]);
                    if (v.Length >= 12 && !expected.Any(e => e.Contains(l.Split(' ')[1]))) Assert.Empty(Peers.FilesContaining(dir, v));
                }
                Assert.True(File.Exists(Path.Combine(dir, "LOCK")));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "CURRENT")));
                Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(dir)!, "." + Path.GetFileName(dir) + ".wa-rewrite-*"));
                // Our own reader and real LevelDB agree on exactly the kept records.
                Assert.Equal(expected, Ours(LevelDb.ReadLive(dir)));
                Assert.Equal(expected, Plyvel(dir));
                // Still a working database: LevelDB writes to it and reads the write back.
                Peers.Run("leveldb_peer.py", "put", dir, Peers.Hex(Encoding.ASCII.GetBytes("after")), Peers.Hex(Encoding.ASCII.GetBytes("rewrite")));
                Assert.Contains(Peers.Hex(Encoding.ASCII.GetBytes("after")) + " " + Peers.Hex(Encoding.ASCII.GetBytes("rewrite")), Plyvel(dir));
                foreach (var m in dropMarkers) Assert.Empty(Peers.FilesContaining(dir, m));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Rewrite_of_an_empty_selection_and_a_second_rewrite_work()
        {
            var dir = Peers.TempDir("ldb-rewrite2");
            try
            {
                Peers.Run("leveldb_peer.py", "remnants", dir);
                Assert.Equal(0, LevelDb.Rewrite(dir, _ => true));
                Assert.Equal(Plyvel(dir), Ours(LevelDb.ReadLive(dir)));
                Assert.DoesNotContain(LevelDb.ReadAllVersions(dir), r => r.Deleted || Encoding.ASCII.GetString(r.Value).StartsWith("OLD"));
                Assert.Equal(2, LevelDb.Rewrite(dir, _ => false));
                Assert.Empty(Plyvel(dir));
                Assert.Empty(LevelDb.ReadLive(dir));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Rewrite_refuses_a_folder_with_a_symbolic_link_and_changes_nothing()
        {
            var dir = Peers.TempDir("ldb-link");
            var outside = Path.Combine(Path.GetTempPath(), "wa-formats-outside-" + Guid.NewGuid().ToString("N"));
            try
            {
                Peers.Run("leveldb_peer.py", "remnants", dir);
                File.WriteAllText(outside, "not LevelDB");
                File.CreateSymbolicLink(Path.Combine(dir, "000999.ldb"), outside);
                var before = Directory.GetFiles(dir).ToDictionary(f => f, f => File.ReadAllBytes(f).Length);
                var e = Assert.Throws<WaHardeningException>(() => LevelDb.Rewrite(dir, _ => false));
                Assert.Equal(ErrorIds.SessionStoreUnsafe, e.ErrorId);
                Assert.Contains("000999.ldb", e.Message);
                Assert.Equal(before, Directory.GetFiles(dir).ToDictionary(f => f, f => File.ReadAllBytes(f).Length));
                Assert.Equal("not LevelDB", File.ReadAllText(outside));
                // The folder itself as a link.
                var link = dir + "-link";
                File.Delete(Path.Combine(dir, "000999.ldb"));
                Directory.CreateSymbolicLink(link, dir);
                try
                {
                    e = Assert.Throws<WaHardeningException>(() => LevelDb.Rewrite(link, _ => false));
                    Assert.Equal(ErrorIds.SessionStoreUnsafe, e.ErrorId);
                }
                finally { Directory.Delete(link); }
                Assert.Equal(2, Plyvel(dir).Count); // secret and kept ("gone" was deleted)
            }
            finally { Directory.Delete(dir, true); File.Delete(outside); }
        }

        [Fact]
        public void A_crash_before_or_after_the_CURRENT_switch_leaves_a_database_LevelDB_reads()
        {
            var root = Peers.TempDir("ldb-crash");
            try
            {
                string Copy(string from, string name)
                {
                    var to = Path.Combine(root, name); Directory.CreateDirectory(to);
                    foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
                    return to;
                }
                var orig = Path.Combine(root, "orig"); Directory.CreateDirectory(orig);
                Peers.Run("leveldb_peer.py", "make", orig, "snappy", "3000", "4");
                bool Keep(byte[] k) => k.Length % 2 == 0;
                var origLive = Ours(LevelDb.ReadLive(orig));
                var kept = origLive.Where(l => Keep(Convert.FromHexString(l.Split(' ')[0]))).ToList();
                var rewritten = Copy(orig, "rewritten");
                LevelDb.Rewrite(rewritten, Keep);
                var names = Directory.GetFiles(orig).Select(Path.GetFileName).ToHashSet();
                var added = Directory.GetFiles(rewritten).Where(f => !names.Contains(Path.GetFileName(f))).ToList();
                Assert.Equal(2, added.Count); // the new MANIFEST and log

                // Crash before the switch: the old files, the new MANIFEST and log moved in, the old CURRENT.
                var before = Copy(orig, "before");
                foreach (var f in added) File.Copy(f, Path.Combine(before, Path.GetFileName(f)));
                Assert.Equal(origLive, Ours(LevelDb.ReadLive(before)));
                Assert.Equal(origLive, Plyvel(before));

                // Crash after the switch, before the old files were deleted.
                var after = Copy(orig, "after");
                foreach (var f in added) File.Copy(f, Path.Combine(after, Path.GetFileName(f)));
                File.Copy(Path.Combine(rewritten, "CURRENT"), Path.Combine(after, "CURRENT"), true);
                Assert.Equal(kept, Ours(LevelDb.ReadLive(after)));
                Assert.Equal(kept, Plyvel(after));
                // A second Rewrite finishes the job: no old file stays.
                LevelDb.Rewrite(after, _ => true);
                Assert.DoesNotContain(Directory.GetFiles(after), f => names.Contains(Path.GetFileName(f)) && !f.EndsWith("LOCK") && !f.EndsWith("CURRENT"));
                Assert.Equal(kept, Plyvel(after));
            }
            finally { Directory.Delete(root, true); }
        }

        [Fact]
        public void A_50_MB_database_reads_in_seconds()
        {
            var dir = Peers.TempDir("ldb-bulk");
            try
            {
                Peers.Run("leveldb_peer.py", "bulk", dir, "50");
                var size = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
                Assert.True(size > 20L << 20, $"the bulk database is {size} bytes");
                var sw = Stopwatch.StartNew();
                var live = LevelDb.ReadLive(dir);
                var t = sw.Elapsed;
                Assert.True(t < TimeSpan.FromSeconds(10), $"ReadLive took {t}");
                Assert.Equal(Plyvel(dir).Count, live.Count);
                sw.Restart();
                var all = LevelDb.ReadAllVersions(dir);
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"ReadAllVersions took {sw.Elapsed}");
                Assert.True(all.Count >= live.Count);
                var e = Assert.Throws<WaHardeningException>(() => LevelDb.ReadLive(dir, 1 << 20));
                Assert.Equal(ErrorIds.SessionStoreTooLarge, e.ErrorId);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
