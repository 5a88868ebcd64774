using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Sessions.Formats;
using Xunit;

namespace WaHardening.Core.Tests.Sessions
{
    /// <summary>Truncated, corrupt, cyclic and huge inputs: the typed error, fast, never a hang or a blown memory.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public class HostileFormatTests
    {
        private static WaHardeningException Typed(Action a, string? id = null)
        {
            var sw = Stopwatch.StartNew();
            var e = Assert.Throws<WaHardeningException>(a);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
            if (id != null) Assert.Equal(id, e.ErrorId);
            return e;
        }

        /// <summary>Either a result or a WaHardeningException: any other exception (index out of range, overflow, out of
        /// memory) fails.</summary>
        private static void TypedOrFine(Action a)
        {
            try { a(); }
            catch (WaHardeningException) { }
        }

        [Fact]
        public void Snappy_refuses_corrupt_blocks()
        {
            Assert.Equal(Encoding.ASCII.GetBytes("abcabcabca"), Snappy.Decompress(new byte[] { 10, 2 << 2, (byte)'a', (byte)'b', (byte)'c', 1 | (3 << 2), 3 }, 0, 7, 100));
            Typed(() => Snappy.Decompress(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, 0, 5, 1 << 20), ErrorIds.SessionStoreTooLarge);
            Typed(() => Snappy.Decompress(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, 0, 6, int.MaxValue), ErrorIds.SessionStoreCorrupt);
            Typed(() => Snappy.Decompress(new byte[] { 10, 1 | (3 << 2), 0 }, 0, 3, 100), ErrorIds.SessionStoreCorrupt);      // copy before any output
            Typed(() => Snappy.Decompress(new byte[] { 10, 0, (byte)'a', 1 | (3 << 2), 0 }, 0, 5, 100), ErrorIds.SessionStoreCorrupt); // offset 0
            Typed(() => Snappy.Decompress(new byte[] { 10, 60 << 2, 200, (byte)'a' }, 0, 4, 100), ErrorIds.SessionStoreCorrupt); // literal past the end
            Typed(() => Snappy.Decompress(new byte[] { 10, 0, (byte)'a' }, 0, 3, 100), ErrorIds.SessionStoreCorrupt);           // shorter than declared
            Typed(() => Snappy.Decompress(new byte[] { 2, 4 << 2, 1, 2, 3, 4, 5 }, 0, 7, 100), ErrorIds.SessionStoreCorrupt);   // longer than declared
            Typed(() => Snappy.Decompress(new byte[] { 0x80 }, 0, 1, 100), ErrorIds.SessionStoreCorrupt);
            var rnd = new Random(1);
            for (var i = 0; i < 3000; i++)
            {
                var b = new byte[rnd.Next(1, 64)]; rnd.NextBytes(b);
                TypedOrFine(() => Snappy.Decompress(b, 0, b.Length, 1 << 16));
            }
        }

        [Fact]
        public void LevelDB_refuses_corrupt_files_and_non_regular_files()
        {
            var dir = Peers.TempDir("ldb-hostile");
            try
            {
                Peers.Run("leveldb_peer.py", "make", dir, "snappy", "3000", "2");
                var baseline = LevelDb.ReadLive(dir).Count;
                var copy = dir + "-c";
                void Fresh() { if (Directory.Exists(copy)) Directory.Delete(copy, true); Directory.CreateDirectory(copy); foreach (var f in Directory.GetFiles(dir)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f))); }
                string One(string ext) => Directory.GetFiles(copy, "*" + ext).OrderByDescending(f => new FileInfo(f).Length).First();
                try
                {
                    Fresh(); File.WriteAllText(Path.Combine(copy, "CURRENT"), "MANIFEST-000002");
                    Assert.Contains("CURRENT", Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreCorrupt).Message);
                    Fresh(); File.WriteAllText(Path.Combine(copy, "CURRENT"), "../../etc/passwd\n");
                    Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreCorrupt);
                    Fresh(); File.Delete(Path.Combine(copy, "CURRENT"));
                    Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreCorrupt);
                    // A flipped byte in the MANIFEST: its checksum fails.
                    Fresh(); var m = Directory.GetFiles(copy, "MANIFEST-*").Single();
                    var mb = File.ReadAllBytes(m); mb[20] ^= 0x40; File.WriteAllBytes(m, mb);
                    Assert.Contains("MANIFEST", Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreCorrupt).Message);
                    // A flipped byte inside a table block: the block checksum fails.
                    Fresh(); var t = One(".ldb"); var tb = File.ReadAllBytes(t); tb[100] ^= 1; File.WriteAllBytes(t, tb);
                    Assert.Contains(Path.GetFileName(t), Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreCorrupt).Message);
                    // A truncated table.
                    Fresh(); t = One(".ldb"); tb = File.ReadAllBytes(t); File.WriteAllBytes(t, tb.Take(tb.Length / 2).ToArray());
                    Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreCorrupt);
                    Typed(() => LevelDb.ReadAllVersions(copy), ErrorIds.SessionStoreCorrupt);
                    // A table the MANIFEST lists is missing.
                    Fresh(); File.Delete(One(".ldb"));
                    Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreCorrupt);
                    // A FIFO in place of the log: refused without opening it (no hang).
                    Fresh(); var log = One(".log"); File.Delete(log);
                    using (var mk = Process.Start("mkfifo", log)!) { mk.WaitForExit(); Assert.Equal(0, mk.ExitCode); }
                    Assert.Contains("FIFO", Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreUnsafe).Message);
                    Typed(() => LevelDb.ReadAllVersions(copy), ErrorIds.SessionStoreUnsafe);
                    // A symbolic link in place of a table.
                    Fresh(); t = One(".ldb"); File.Move(t, t + ".real"); File.CreateSymbolicLink(t, t + ".real");
                    Typed(() => LevelDb.ReadLive(copy), ErrorIds.SessionStoreUnsafe);
                    // A log with a corrupt record in the middle: LevelDB (without paranoid checks) skips that block, so do we.
                    Fresh(); log = One(".log"); var lb = File.ReadAllBytes(log); lb[lb.Length / 2] ^= 0xFF; File.WriteAllBytes(log, lb);
                    TypedOrFine(() => Assert.True(LevelDb.ReadLive(copy).Count <= baseline + 100));
                    // Random damage anywhere: a result or the typed error, never anything else, never slow.
                    var rnd = new Random(5);
                    Fresh();
                    var files = Directory.GetFiles(copy).Where(f => !f.EndsWith("LOCK") && !f.EndsWith("LOG")).ToArray();
                    var originals = files.ToDictionary(f => f, File.ReadAllBytes);
                    var sw = Stopwatch.StartNew();
                    for (var i = 0; i < 300; i++)
                    {
                        var f = files[rnd.Next(files.Length)];
                        var b = (byte[])originals[f].Clone();
                        if (b.Length == 0) continue;
                        if (rnd.Next(4) == 0) b = b.Take(rnd.Next(b.Length)).ToArray();
                        else for (var k = rnd.Next(1, 8); k > 0; k--) b[rnd.Next(b.Length)] = (byte)rnd.Next(256);
                        File.WriteAllBytes(f, b);
                        TypedOrFine(() => LevelDb.ReadLive(copy));
                        TypedOrFine(() => LevelDb.ReadAllVersions(copy));
                        File.WriteAllBytes(f, originals[f]);
                    }
                    Assert.True(sw.Elapsed < TimeSpan.FromSeconds(120), $"300 damaged databases took {sw.Elapsed}");
                }
                finally { if (Directory.Exists(copy)) Directory.Delete(copy, true); }
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void SQLite_refuses_cycles_loops_truncation_and_non_regular_files()
        {
            var dir = Peers.TempDir("sqlite-hostile");
            try
            {
                var rows = Path.Combine(dir, "rows.db"); var blob = Path.Combine(dir, "blob.db");
                Peers.Run("sqlite_peer.py", "small", rows, "rows");
                Peers.Run("sqlite_peer.py", "small", blob, "blob");
                Assert.Equal(2000, SqliteDatabase.Open(rows).Rows("t").Count());
                Assert.Equal(256 * 78 + 20, ((byte[])SqliteDatabase.Open(blob).Rows("t").Single()[0]!).Length);
                var rb = File.ReadAllBytes(rows); var bb = File.ReadAllBytes(blob);
                string Write(string name, byte[] b) { var p = Path.Combine(dir, name); File.WriteAllBytes(p, b); return p; }

                // Page 2 (the table's root) is an interior page: its right-most child pointing back at itself.
                Assert.Equal(5, rb[1024]);
                var cyc = (byte[])rb.Clone(); cyc[1024 + 8] = 0; cyc[1024 + 9] = 0; cyc[1024 + 10] = 0; cyc[1024 + 11] = 2;
                var db = SqliteDatabase.Open(Write("cycle.db", cyc));
                Assert.Contains("twice", Typed(() => db.Rows("t").Count(), ErrorIds.SessionStoreCorrupt).Message);
                // Every overflow page pointing at page 3: the chain loops.
                var loop = (byte[])bb.Clone();
                for (var p = 3; p * 1024 <= loop.Length; p++) { var o = (p - 1) * 1024; loop[o] = 0; loop[o + 1] = 0; loop[o + 2] = 0; loop[o + 3] = 3; }
                db = SqliteDatabase.Open(Write("loop.db", loop));
                Assert.Contains("loops", Typed(() => db.Rows("t").Count(), ErrorIds.SessionStoreCorrupt).Message);
                // Truncated: pages the b-tree needs are missing.
                var trunc = Write("trunc.db", rb.Take(rb.Length / 2).ToArray());
                Typed(() => SqliteDatabase.Open(trunc).Rows("t").Count(), ErrorIds.SessionStoreCorrupt);
                Typed(() => SqliteDatabase.Open(Write("short.db", rb.Take(50).ToArray())), ErrorIds.SessionStoreCorrupt);
                Typed(() => SqliteDatabase.Open(Write("text.db", Encoding.ASCII.GetBytes(new string('x', 5000)))), ErrorIds.SessionStoreCorrupt);
                // Over the bound.
                Typed(() => SqliteDatabase.Open(rows, 10_000), ErrorIds.SessionStoreTooLarge);
                // A FIFO and a symbolic link.
                var fifo = Path.Combine(dir, "fifo.db");
                Process.Start("mkfifo", fifo)!.WaitForExit();
                Assert.Contains("FIFO", Typed(() => SqliteDatabase.Open(fifo), ErrorIds.SessionStoreUnsafe).Message);
                var link = Path.Combine(dir, "link.db"); File.CreateSymbolicLink(link, rows);
                Typed(() => SqliteDatabase.Open(link), ErrorIds.SessionStoreUnsafe);
                var walFifo = Path.Combine(dir, "rows.db-wal");
                Process.Start("mkfifo", walFifo)!.WaitForExit();
                Typed(() => SqliteDatabase.Open(rows), ErrorIds.SessionStoreUnsafe);
                File.Delete(walFifo);
                // Random damage: a result or the typed error, never anything else, never slow.
                var rnd = new Random(6);
                var sw = Stopwatch.StartNew();
                foreach (var src in new[] { rb, bb })
                    for (var i = 0; i < 400; i++)
                    {
                        var b = (byte[])src.Clone();
                        if (rnd.Next(5) == 0) b = b.Take(rnd.Next(b.Length)).ToArray();
                        else for (var k = rnd.Next(1, 10); k > 0; k--) b[rnd.Next(rnd.Next(2) == 0 ? Math.Min(b.Length, 2048) : b.Length)] = (byte)rnd.Next(256);
                        var f = Write("fuzz.db", b);
                        TypedOrFine(() => { var d = SqliteDatabase.Open(f); foreach (var t in d.Tables) { d.Columns(t); d.Rows(t).Count(); } });
                    }
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"800 damaged databases took {sw.Elapsed}");
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
