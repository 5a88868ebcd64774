using System;
using System.IO;
using System.Linq;
using WaHardening.Core.Enforcement;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>Issue #15: one AtomicFile with one temp-file rule for policy files, backups, exports and export folders.</summary>
    public class AtomicFileTests
    {
        [Fact]
        public void The_core_has_one_atomic_write()
        {
            var types = typeof(AtomicFile).Assembly.GetTypes().Where(t => t.Name == "AtomicFile").ToList();
            Assert.Single(types);
        }

        [Fact]
        public void An_export_write_follows_the_temp_rule_and_clears_a_killed_runs_temp_file()
        {
            using var s = new Scratch();
            var target = s.P("/out/registry.pol");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var stale = Path.Combine(Path.GetDirectoryName(target)!, ".registry.pol." + Guid.NewGuid().ToString("N") + ".wa-tmp");
            File.WriteAllText(stale, "half a file");
            AtomicFile.WriteExport(target, new byte[] { 1, 2, 3 });
            Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(target));
            Assert.False(File.Exists(stale));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(target)!));
        }

        [Fact]
        public void An_export_folder_replaces_the_old_one_whole_or_not_at_all()
        {
            using var s = new Scratch();
            var target = s.P("/out/gpo");
            AtomicFile.WriteDirectory(target, stage => File.WriteAllText(Path.Combine(stage, "a"), "1"));
            var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteDirectory(target, stage =>
            {
                File.WriteAllText(Path.Combine(stage, "b"), "2");
                throw new InvalidOperationException("fill failed");
            }));
            Assert.Equal(new[] { "a" }, Directory.GetFiles(target).Select(Path.GetFileName));
            Assert.Equal(new[] { "gpo" }, Directory.GetFileSystemEntries(s.P("/out")).Select(Path.GetFileName));
        }
    }
}
