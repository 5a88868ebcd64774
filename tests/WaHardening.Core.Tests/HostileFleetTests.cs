using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using WaHardening.Core.Json;
using WaHardening.Core.Reporting;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Issue #14 item 8: the fleet merge over hostile folders (FIFOs, device links, symlink loops, files whose Length
    /// lies, huge reports, duplicate keys). Every merge runs under <see cref="Bounded{T}"/>: a hang fails the test
    /// instead of hanging the run (a correctness guard, not a timing assertion).
    /// </summary>
    [Collection("Fleet memory")]
    public class HostileFleetTests : IDisposable
    {
        private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-hostile-" + Guid.NewGuid().ToString("N"))).FullName;
        private readonly List<string> _fifos = new List<string>();

        public void Dispose()
        {
            foreach (var f in _fifos) Unblock(f);
            try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private static string Report(string device, string day = "2026-11-20") =>
            ReportWriters.Write(ReportingTests.Sample(device, day, failing: 1), ReportFormat.Json);

        private string Write(string relative, string text)
        {
            var p = Path.Combine(_dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            File.WriteAllText(p, text);
            return p;
        }

        private static void Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{file} {string.Join(" ", args)}: {err}");
        }

        private string Fifo(string relative)
        {
            var p = Path.Combine(_dir, relative);
            Run("mkfifo", p);
            _fifos.Add(p);
            return p;
        }

        /// <summary>
        /// A reader stuck in open(2) on a FIFO (the defect) is released by opening the FIFO once. Read-write: on Linux that
        /// open never waits (a write-only open would wait for a reader, i.e. hang here whenever the code under test did not open it).
        /// </summary>
        private static void Unblock(string fifo)
        {
            try { using var w = new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1); } catch (Exception) { }
        }

        /// <summary>Runs a merge on a worker thread and fails (instead of hanging) when it does not finish in a generous bound.</summary>
        private T Bounded<T>(Func<T> merge)
        {
            var task = Task.Run(merge);
            if (!task.Wait(TimeSpan.FromSeconds(60)))
            {
                foreach (var f in _fifos) Unblock(f);
                Assert.Fail("the merge did not finish within 60 s (it hangs)");
            }
            return task.GetAwaiter().GetResult();
        }

        private FleetSummary MergeFolder(bool recurse, int workers = 2, FleetMerger? merger = null, params string[] folders)
        {
            merger ??= new FleetMerger();
            return Bounded(() =>
            {
                var walk = new ReportFolders(recurse);
                merger.AddFiles(folders.Length == 0 ? walk.Files(_dir) : folders.SelectMany(walk.Files), workers);
                return merger.Summary();
            });
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void A_fifo_named_json_is_skipped_as_not_a_regular_file_and_the_merge_finishes(int workers)
        {
            Write("a.json", Report("PC-A"));
            var fifo = Fifo("fifo.json");
            var s = MergeFolder(recurse: false, workers);
            Assert.Equal(1, s.ReportsRead);
            var skip = Assert.Single(s.SkippedFiles);
            Assert.Equal(fifo, skip.File);
            Assert.Equal(SkipReason.NotARegularFile, skip.Code);
            Assert.Contains("FIFO", skip.Reason);
            // Given by name (not found in a folder), too.
            var direct = Bounded(() => new FleetMerger().AddFile(fifo));
            Assert.Equal(SkipReason.NotARegularFile, direct!.Code);
        }

        [Fact]
        public void Two_directory_symlink_loops_with_recurse_finish_and_read_each_report_once()
        {
            Write("top.json", Report("PC-TOP"));
            Write("a/a.json", Report("PC-A"));
            Write("b/b.json", Report("PC-B"));
            Directory.CreateSymbolicLink(Path.Combine(_dir, "a", "up"), _dir);                      // a/up -> ..
            Directory.CreateSymbolicLink(Path.Combine(_dir, "b", "toA"), Path.Combine(_dir, "a"));  // b/toA -> a (-> .. again)
            Directory.CreateSymbolicLink(Path.Combine(_dir, "a", "toB"), Path.Combine(_dir, "b"));  // a/toB -> b: a second cycle
            var s = MergeFolder(recurse: true);
            Assert.Equal(3, s.ReportsRead);
            Assert.Equal(3, s.Devices);
            Assert.Equal(0, s.Skipped);
            Assert.Equal(3, s.Trend.Single().Reports);   // each counted once (same day)
        }

        [Fact]
        public void A_loop_to_its_own_folder_reads_the_report_once_and_counts_it_once()
        {
            Write("r.json", Report("PC-R"));
            Directory.CreateSymbolicLink(Path.Combine(_dir, "self"), _dir);
            var s = MergeFolder(recurse: true);
            Assert.Equal(1, s.ReportsRead);
            Assert.Equal(1, s.Trend.Single().Reports);
            Assert.Equal(0, s.Skipped);
        }

        [Fact]
        public void A_link_to_dev_zero_is_a_typed_skip_and_the_merge_goes_on()
        {
            Write("a.json", Report("PC-A"));
            File.CreateSymbolicLink(Path.Combine(_dir, "zero.json"), "/dev/zero");
            var s = MergeFolder(recurse: false);
            Assert.Equal(1, s.ReportsRead);
            var skip = Assert.Single(s.SkippedFiles);
            Assert.Equal(SkipReason.NotARegularFile, skip.Code);
            Assert.Contains("character device", skip.Reason);
        }

        [Fact]
        public void The_size_bound_applies_while_reading_and_does_not_trust_Length()
        {
            // /proc files are regular files whose Length is 0 but which have content: the bound must hold anyway.
            File.CreateSymbolicLink(Path.Combine(_dir, "proc.json"), "/proc/self/maps");
            Assert.Equal(0, new FileInfo("/proc/self/maps").Length);
            var big = Write("big.json", Report("PC-BIG") + new string(' ', 4096));
            var merger = new FleetMerger { MaxReportBytes = 2048 };
            var s = MergeFolder(recurse: false, workers: 1, merger: merger);
            Assert.Equal(0, s.ReportsRead);
            Assert.Equal(2, s.Skipped);
            Assert.All(s.SkippedFiles, k => Assert.Equal(SkipReason.TooLarge, k.Code));
            Assert.Contains(s.SkippedFiles, k => k.File == big);
            Assert.True(merger.BufferCapacity <= 2048, $"the read buffer grew to {merger.BufferCapacity} bytes past the 2048-byte bound");
        }

        [Fact]
        public void A_symlink_or_hard_link_to_a_report_is_followed_but_the_file_is_read_once()
        {
            var a = Write("a.json", Report("PC-A"));
            File.CreateSymbolicLink(Path.Combine(_dir, "b.json"), a);
            Run("ln", a, Path.Combine(_dir, "c.json"));
            var s = MergeFolder(recurse: false);
            Assert.Equal(1, s.ReportsRead);
            Assert.Equal(2, s.Skipped);
            Assert.All(s.SkippedFiles, k => Assert.Equal(SkipReason.AlreadyRead, k.Code));
            // The same folder given twice, and a file of it given by name: still once.
            var again = MergeFolder(recurse: false, folders: new[] { _dir, _dir, a });
            Assert.Equal(1, again.ReportsRead);
            // A link from elsewhere to a folder's report: the target is read once.
            var other = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-hostile-link-" + Guid.NewGuid().ToString("N"))).FullName;
            try
            {
                File.CreateSymbolicLink(Path.Combine(other, "x.json"), a);
                var both = MergeFolder(recurse: false, folders: new[] { other, _dir });
                Assert.Equal(1, both.ReportsRead);
            }
            finally { Directory.Delete(other, true); }
        }

        [Fact]
        public void A_folder_or_a_dangling_link_given_as_a_file_is_a_typed_skip()
        {
            var sub = Directory.CreateDirectory(Path.Combine(_dir, "sub.json")).FullName;
            File.CreateSymbolicLink(Path.Combine(_dir, "gone.json"), Path.Combine(_dir, "nowhere"));
            var m = new FleetMerger();
            Assert.Equal(SkipReason.NotARegularFile, Bounded(() => m.AddFile(sub))!.Code);
            Assert.Equal(SkipReason.Unreadable, Bounded(() => m.AddFile(Path.Combine(_dir, "gone.json")))!.Code);
            var s = MergeFolder(recurse: false);
            var k = Assert.Single(s.SkippedFiles);   // the folder named *.json is not a file of the folder
            Assert.Equal(SkipReason.Unreadable, k.Code);
        }

        [Fact]
        public void Report_content_errors_are_typed_as_invalid()
        {
            Write("bad.json", "{\"schema\":");
            var s = MergeFolder(recurse: false);
            Assert.Equal(SkipReason.Invalid, Assert.Single(s.SkippedFiles).Code);
        }

        [Fact]
        public void Nine_large_reports_keep_one_buffer_per_worker_within_the_bound()
        {
            // Nine reports of ~2 MB each (the issue's 60 MB reports, scaled): what one worker allocates for them is
            // about one report's size, never a doubling past the bound, and no worker's buffer exceeds it.
            var filler = new StringBuilder();
            var pad = "\"padding\": \"" + new string('x', 2 * 1024 * 1024) + "\",";
            for (var i = 0; i < 9; i++)
                Write($"r{i}.json", Report($"PC-{i}").Replace("\"schema\":", pad + "\"schema\":"));
            var bound = 3 * 1024 * 1024;
            var files = Directory.GetFiles(_dir).OrderBy(f => f, StringComparer.Ordinal).ToList();
            var one = new FleetMerger { MaxReportBytes = bound };
            one.AddFile(files[0]);   // warm up (the first file sizes the buffer)
            var before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var f in files.Skip(1)) Assert.Null(one.AddFile(f));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 1024 * 1024, $"8 more reports of 2 MB allocated {allocated} bytes (the buffer should be reused)");
            Assert.True(one.BufferCapacity <= bound, $"buffer {one.BufferCapacity} > bound {bound}");

            var fresh = new FleetMerger { MaxReportBytes = bound };
            var first = GC.GetAllocatedBytesForCurrentThread();
            Assert.Null(fresh.AddFile(files[0]));
            var firstAllocated = GC.GetAllocatedBytesForCurrentThread() - first;
            Assert.True(firstAllocated < bound, $"reading one 2 MB report allocated {firstAllocated} bytes (bound {bound})");

            var parallel = new FleetMerger { MaxReportBytes = bound };
            using (var feed = new FleetFeed(parallel, 3))
            {
                foreach (var f in files) feed.Add(f);
                feed.Complete();
                Assert.All(feed.WorkerBufferCapacities, c => Assert.True(c <= bound, $"a worker's buffer is {c} bytes (bound {bound})"));
            }
            Assert.Equal(9, parallel.Summary().ReportsRead);
            GC.KeepAlive(filler);
        }

        // ------------------------------------------------------------ duplicate keys: the scanner agrees with the DOM reader

        public static IEnumerable<object[]> DuplicateKeyDocuments()
        {
            var good = Report("PC-DUP");
            yield return new object[] { "top-level device twice", good.Replace("\"device\":", "\"device\": {\"name\": \"OTHER\"}, \"device\":"), true };
            yield return new object[] { "schema twice", good.Replace("\"schemaVersion\":", "\"schema\": \"WaHardening.DeviceReport\", \"schemaVersion\":"), true };
            yield return new object[] { "results twice", good.Replace("\"results\":", "\"results\": [], \"results\":"), true };
            yield return new object[] { "status twice in a result", ReplaceFirst(good, "\"status\": \"NonCompliant\"", "\"status\": \"Compliant\", \"status\": \"NonCompliant\""), true };
            yield return new object[] { "a key spelt with an escape", ReplaceFirst(good, "\"status\": \"NonCompliant\"", "\"status\": \"Compliant\", \"st\\u0061tus\": \"NonCompliant\""), true };
            yield return new object[] { "in a skipped object", good.Replace("\"summary\":", "\"extra\": {\"a\": 1, \"b\": {\"x\": [{\"k\": 1, \"k\": 2}]}}, \"summary\":"), true };
            yield return new object[] { "in device (skipped fields)", good.Replace("\"os\":", "\"os\": \"x\", \"os\":"), true };
            yield return new object[] { "many keys, one duplicate at the end", good.Replace("\"summary\":", "\"extra\": {" + string.Join(", ", Enumerable.Range(0, 200).Select(i => $"\"k{i}\": {i}")) + ", \"k7\": 0}, \"summary\":"), true };
            yield return new object[] { "many distinct keys", good.Replace("\"summary\":", "\"extra\": {" + string.Join(", ", Enumerable.Range(0, 200).Select(i => $"\"k{i}\": {i}")) + "}, \"summary\":"), false };
            yield return new object[] { "same key in sibling objects", good.Replace("\"summary\":", "\"extra\": [{\"a\": 1}, {\"a\": 2}], \"summary\":"), false };
            yield return new object[] { "keys differing only in case", good.Replace("\"summary\":", "\"extra\": {\"a\": 1, \"A\": 2, \"\\u00e9\": 3, \"\u00e9\\u0301\": 4}, \"summary\":"), false };
            yield return new object[] { "non-ASCII key and its escape", good.Replace("\"summary\":", "\"extra\": {\"\u00e9\": 1, \"\\u00e9\": 2}, \"summary\":"), true };
        }

        private static string ReplaceFirst(string s, string what, string with)
        {
            var i = s.IndexOf(what, StringComparison.Ordinal);
            Assert.True(i >= 0, what);
            return s.Substring(0, i) + with + s.Substring(i + what.Length);
        }

        [Theory]
        [MemberData(nameof(DuplicateKeyDocuments))]
        public void The_scanner_refuses_duplicate_keys_exactly_where_the_DOM_reader_does(string what, string json, bool duplicate)
        {
            string? dom = null;
            try { DeviceReport.FromJson(JsonParser.Parse(json, "dup.json"), "dup.json"); }
            catch (JsonParseException e) { dom = e.Reason; }
            Assert.True(duplicate == (dom != null && dom.Contains("duplicate property")), $"{what}: DOM reader said {dom ?? "nothing"}");
            var bytes = Encoding.UTF8.GetBytes(json);
            var skip = new FleetMerger().AddBytes(bytes, bytes.Length, "dup.json");
            if (duplicate)
            {
                Assert.True(skip != null, $"{what}: the scanner accepted a duplicate key");
                Assert.Equal(SkipReason.Invalid, skip!.Code);
                Assert.Contains("duplicate property", skip.Reason);
            }
            else Assert.True(skip == null, $"{what}: {skip?.Reason}");
        }
    }
}
