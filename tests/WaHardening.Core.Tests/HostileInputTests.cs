using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using Xunit;
using static WaHardening.Core.Tests.EnforcementTests;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Hostile inputs (issue #14). Each helper adds its own class here; this one is confinement (items 1, 2, 3, 9, 10):
    /// a root tool that cannot be turned against its host. Everything runs on scratch roots; nothing outside them is touched
    /// except the sibling "outside" folders the tests create themselves to catch an escape.
    /// </summary>
    public class ConfinementHostileTests
    {
        private const string ChromiumList = @"{ ""target"": ""Chromium"", ""name"": ""CookiesSessionOnlyForUrls"", ""type"": ""stringList"", ""value"": [""https://web.whatsapp.com""], ""compare"": ""superset"", ""source"": ""https://e.org"" }";
        private const string FirefoxSanitize = @"{ ""target"": ""Firefox"", ""name"": ""SanitizeOnShutdown.Cookies"", ""type"": ""boolean"", ""value"": true, ""source"": ""https://e.org"" }";
        private const string GnomeIdle = @"{ ""target"": ""GNOME"", ""name"": ""org/gnome/desktop/session/idle-delay"", ""type"": ""integer"", ""value"": 300, ""compare"": ""atMost"", ""minimum"": 1, ""dconf"": { ""type"": ""uint32"" }, ""source"": ""https://e.org"" }";

        private static readonly Baseline s_chromium = Baseline(Control("WA-C-01", ChromiumList));
        private static readonly Baseline s_firefox = Baseline(Control("WA-F-01", FirefoxSanitize));
        private static readonly Baseline s_gnome = Baseline(Control("WA-G-01", GnomeIdle));

        private static Engine Linux(string root, ICommandRunner? runner = null) =>
            new Engine(new ProviderContext(root, Platforms.Linux, runner ?? new RecordingRunner()));

        private static IReadOnlyList<ChangeRecord> Set(Engine e, Baseline b, out string? backup)
        {
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                return e.Apply(e.Plan(b.Controls), null, out backup);
        }

        private static IReadOnlyList<ChangeRecord> Undo(Engine e, string backup)
        {
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30)))
                return e.Restore(BackupDocument.Load(backup), backup);
        }

        /// <summary>A scratch root plus an "outside" folder beside it, both removed afterwards.</summary>
        private sealed class Arena : IDisposable
        {
            public Arena()
            {
                Base = Path.Combine(Path.GetTempPath(), "wah-hostile-" + Guid.NewGuid().ToString("N"));
                Root = Path.Combine(Base, "root");
                Outside = Path.Combine(Base, "outside");
                Directory.CreateDirectory(Root);
                Directory.CreateDirectory(Outside);
                Directory.CreateDirectory(P("/usr/bin"));
                File.WriteAllText(P("/usr/bin/chromium"), "");
                File.WriteAllText(P("/usr/bin/firefox"), "");
            }
            public string Base { get; }
            public string Root { get; }
            public string Outside { get; }
            public string P(string real) => Path.Combine(Root, real.TrimStart('/'));
            public void Write(string real, string text) { Directory.CreateDirectory(Path.GetDirectoryName(P(real))!); File.WriteAllText(P(real), text); }
            /// <summary>Every file, folder and link under the base (root and outside), with the bytes of files; the module's data
            /// folder (lock, backups) and the real folders above it left out, links there kept.</summary>
            public Dictionary<string, string> Snapshot() => Directory.GetFileSystemEntries(Base, "*", SearchOption.AllDirectories)
                .Where(f => !IsDataFolder(f))
                .ToDictionary(f => f, f => new FileInfo(f).LinkTarget is string t ? "link:" + t : Directory.Exists(f) ? "dir" : Convert.ToBase64String(File.ReadAllBytes(f)));
            private bool IsDataFolder(string f)
            {
                var rel = Path.GetRelativePath(Root, f).Replace('\\', '/');
                if (rel.StartsWith("var/lib/wa-hardening/", StringComparison.Ordinal)) return true;
                return (rel == "var" || rel == "var/lib" || rel == "var/lib/wa-hardening") && new FileInfo(f).LinkTarget == null;
            }
            public void Dispose() { try { Directory.Delete(Base, true); } catch (IOException) { } }
        }

        // ------------------------------------------------------------ item 1: Undo stays inside its root

        private static string BackupJson(string? root, params string[] entries) =>
            "{\"format\":\"WaHardening.Backup\",\"version\":1,\"created\":\"2026-01-01T00:00:00Z\",\"computer\":\"x\",\"platform\":\"Linux\",\"root\":"
            + (root == null ? "null" : JsonWriter.Write(new JsonString(root))) + ",\"entries\":[" + string.Join(",", entries) + "],\"postActions\":[]}";

        private static string FileEntry(string path, byte[]? content, params string[] createdDirectories)
        {
            var o = new JsonObject().Set("type", "file").Set("path", path).Set("existed", content != null);
            if (content != null) o.Set("content", Convert.ToBase64String(content)).Set("sha256", BackupDocument.Sha256(content));
            o.Set("createdDirectories", createdDirectories);
            return JsonWriter.Write(o);
        }

        private static string SaveBackup(Arena a, string json)
        {
            var path = Path.Combine(a.Base, "hostile-backup-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, json);
            return path;
        }

        public static IEnumerable<object[]> EscapingPaths()
        {
            yield return new object[] { "/../outside/planted" };           // ../ segments
            yield return new object[] { "/etc/../../outside/planted" };
            yield return new object[] { "../outside/planted" };            // relative
            yield return new object[] { "outside/planted" };
            yield return new object[] { "/etc/./chromium/x" };             // not canonical
            yield return new object[] { "//etc/x" };
        }

        [Theory]
        [MemberData(nameof(EscapingPaths))]
        public void Undo_refuses_a_backup_entry_whose_path_is_not_canonical_or_escapes_the_root_before_any_write(string hostile)
        {
            using var a = new Arena();
            File.WriteAllText(Path.Combine(a.Outside, "victim"), "keep me");
            var before = a.Snapshot();
            var content = Encoding.UTF8.GetBytes("planted by a hostile backup");
            foreach (var entry in new[] { FileEntry(hostile, content), FileEntry(hostile, null), FileEntry(hostile.Replace("planted", "victim"), null) })
            {
                // A harmless first entry: the refusal must come before it is written too.
                var json = BackupJson(a.Root, FileEntry("/etc/first", Encoding.UTF8.GetBytes("first")), entry);
                var backup = SaveBackup(a, json);
                var e = Linux(a.Root);
                var ex = Assert.Throws<WaHardeningException>(() => Undo(e, backup));
                Assert.True(ex.ErrorId == "BackupInvalid" || ex.ErrorId == "PathOutsideRoot", ex.ErrorId + ": " + ex.Message);
                Assert.Contains(hostile.Replace("planted", ""), ex.Message);
                File.Delete(backup);
                Assert.Equal(before, a.Snapshot());
            }
        }

        [Fact]
        public void Undo_refuses_created_directories_that_are_not_folders_of_the_entry_and_removes_nothing_outside()
        {
            using var a = new Arena();
            Directory.CreateDirectory(Path.Combine(a.Outside, "empty"));
            Directory.CreateDirectory(a.P("/srv/empty"));
            var before = a.Snapshot();
            foreach (var dirs in new[] { new[] { "/../outside/empty" }, new[] { "/srv/empty" }, new[] { "/etc/x/../../../outside/empty" }, new[] { "etc" } })
            {
                var backup = SaveBackup(a, BackupJson(a.Root, FileEntry("/etc/x/wa-hardening.json", null, dirs)));
                var ex = Assert.Throws<WaHardeningException>(() => Undo(Linux(a.Root), backup));
                Assert.Equal("BackupInvalid", ex.ErrorId);
                Assert.Contains("createdDirectories", ex.Message);
                File.Delete(backup);
                Assert.Equal(before, a.Snapshot());
            }
        }

        [Fact]
        public void Undo_refuses_a_backup_made_for_another_root_a_relative_root_or_the_real_system()
        {
            using var a = new Arena();
            File.WriteAllText(a.P("/etc-file"), "x");
            var before = a.Snapshot();
            var entry = FileEntry("/etc-file", null);
            foreach (var root in new string?[] { a.Outside, "relative/root", null, a.Root + "/../root/../outside" })
            {
                var backup = SaveBackup(a, BackupJson(root, entry));
                var ex = Assert.Throws<WaHardeningException>(() => Undo(Linux(a.Root), backup));
                Assert.True(ex.ErrorId == "BackupRootMismatch" || ex.ErrorId == "BackupInvalid", ex.ErrorId);
                File.Delete(backup);
            }
            // And a run on the real system (no root) refuses a backup that names a root: it would otherwise restore there.
            var scratchBackup = SaveBackup(a, BackupJson(a.Root, entry));
            var real = new Engine(new ProviderContext(null, Platforms.Linux, new RecordingRunner()));
            Assert.Equal("BackupRootMismatch", Assert.Throws<WaHardeningException>(() => real.Restore(BackupDocument.Load(scratchBackup), scratchBackup)).ErrorId);
            Assert.Equal(before.Where(k => !k.Key.Contains("hostile-backup")), a.Snapshot().Where(k => !k.Key.Contains("hostile-backup")));
            // The same root spelled differently (trailing slash) is the same root.
            var same = SaveBackup(a, BackupJson(a.Root + "/", entry));
            Undo(Linux(a.Root), same);
            Assert.False(File.Exists(a.P("/etc-file")));
        }

        [Fact]
        public void Map_refuses_paths_that_leave_the_root()
        {
            using var a = new Arena();
            var ctx = new ProviderContext(a.Root, Platforms.Linux, new RecordingRunner());
            foreach (var p in new[] { "/../outside", "/etc/../../outside", "etc/passwd", "/etc/./x" })
                Assert.Equal("PathOutsideRoot", Assert.Throws<WaHardeningException>(() => ctx.Map(p)).ErrorId);
            Assert.Equal(a.P("/etc/chromium/x"), ctx.Map("/etc/chromium/x"));
        }

        // ------------------------------------------------------------ item 2: modes and owners

        private static (string Mode, string Uid, string Gid) Stat(string path)
        {
            var psi = new ProcessStartInfo("stat", $"-c %a:%u:%g \"{path}\"") { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var parts = p.StandardOutput.ReadToEnd().Trim().Split(':');
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            return (parts[0], parts[1], parts[2]);
        }

        private static void Chown(string path, int uid, int gid) => Assert.Equal(0, Chown_(path, uid, gid));
        [DllImport("libc", EntryPoint = "chown", SetLastError = true)] private static extern int Chown_(string path, int uid, int gid);

        private static void RequireRoot() => Assert.True(Environment.UserName == "root" || Chown_("/", 0, 0) == 0,
            "these tests change file owners and need root (CI runs as root)");

        [Fact]
        public void Replacing_a_file_keeps_its_mode_and_owner_the_backup_records_them_and_undo_restores_them()
        {
            if (OperatingSystem.IsWindows()) return; // Windows: File.Replace keeps the ACL (see docs/ARCHITECTURE.md)
            RequireRoot();
            using var a = new Arena();
            var policy = a.P(FirefoxFileProvider.PolicyFile);
            a.Write(FirefoxFileProvider.PolicyFile, "{\"policies\":{\"DisableAppUpdate\":true}}");
            File.SetUnixFileMode(policy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Chown(policy, 65534, 65534);
            var e = Linux(a.Root);
            Set(e, s_firefox, out var backup);
            Assert.Contains("Cookies", File.ReadAllText(policy));
            Assert.Equal(("600", "65534", "65534"), Stat(policy));

            var doc = JsonParser.Parse(File.ReadAllText(backup!)) as JsonObject;
            var entry = ((JsonArray)doc!["entries"]!).Items.OfType<JsonObject>().Single(x => ((JsonString)x["path"]!).Value == FirefoxFileProvider.PolicyFile);
            Assert.Equal("0600", ((JsonString)entry["mode"]!).Value);
            Assert.Equal("65534", entry["uid"]!.ToString());
            Assert.Equal("65534", entry["gid"]!.ToString());

            // Someone loosens the file afterwards: Undo puts back the recorded mode and owner with the bytes.
            File.SetUnixFileMode(policy, (UnixFileMode)Convert.ToInt32("644", 8));
            Chown(policy, 0, 0);
            Undo(e, backup!);
            Assert.Equal("{\"policies\":{\"DisableAppUpdate\":true}}", File.ReadAllText(policy));
            Assert.Equal(("600", "65534", "65534"), Stat(policy));
        }

        [Fact]
        public void Backups_and_the_backup_folder_are_root_only()
        {
            if (OperatingSystem.IsWindows()) return;
            using var a = new Arena();
            Set(Linux(a.Root), s_chromium, out var backup);
            Assert.Equal("600", Stat(backup!).Mode);
            Assert.Equal("700", Stat(Path.GetDirectoryName(backup!)!).Mode);
            Assert.Equal("644", Stat(a.P(ChromiumFileProvider.OwnFile("Chromium"))).Mode);
        }

        // ------------------------------------------------------------ item 3: links at the module's own paths

        private static void AssertLinkRefused(Arena a, Action act, string linkReal)
        {
            var before = a.Snapshot();
            var ex = Assert.Throws<WaHardeningException>(act);
            Assert.Equal("PathIsLink", ex.ErrorId);
            Assert.Contains(a.P(linkReal), ex.Message);
            Assert.Equal(before, a.Snapshot());
        }

        [Fact]
        public void A_link_at_the_policy_file_is_refused_and_the_linked_secret_goes_nowhere()
        {
            using var a = new Arena();
            var secret = Path.Combine(a.Outside, "secret.json");
            File.WriteAllText(secret, "{\"policies\":{\"Secret\":\"s3cr3t-firefox\"}}");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Directory.CreateDirectory(a.P("/etc/firefox/policies"));
            File.CreateSymbolicLink(a.P(FirefoxFileProvider.PolicyFile), secret);
            var chromiumSecret = Path.Combine(a.Outside, "secret-chromium.json");
            File.WriteAllText(chromiumSecret, "{\"Secret\":\"s3cr3t-chromium\"}");
            Directory.CreateDirectory(a.P(ChromiumFileProvider.ManagedDirectory("Chromium")));
            File.CreateSymbolicLink(a.P(ChromiumFileProvider.OwnFile("Chromium")), chromiumSecret);

            var e = Linux(a.Root);
            AssertLinkRefused(a, () => Set(e, s_firefox, out _), FirefoxFileProvider.PolicyFile);
            AssertLinkRefused(a, () => Set(e, s_chromium, out _), ChromiumFileProvider.OwnFile("Chromium"));
            // The audit does not read through it either: an Error naming the link.
            var r = e.Test(s_firefox.Controls).Single();
            Assert.Equal(ComplianceStatus.Error, r.Status);
            Assert.Contains("PathIsLink", r.Reason);
            foreach (var f in Directory.GetFiles(a.Base, "*", SearchOption.AllDirectories))
                if (f != secret && f != chromiumSecret && new FileInfo(f).LinkTarget == null)
                    Assert.DoesNotContain("s3cr3t", File.ReadAllText(f));
        }

        [Fact]
        public void A_dangling_link_at_the_lock_file_is_refused_and_its_target_not_created()
        {
            using var a = new Arena();
            Directory.CreateDirectory(a.P("/var/lib/wa-hardening"));
            var target = Path.Combine(a.Outside, "created-by-lock");
            File.CreateSymbolicLink(a.P("/var/lib/wa-hardening/wa-hardening.lock"), target);
            var e = Linux(a.Root);
            AssertLinkRefused(a, () => EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(1)).Dispose(), "/var/lib/wa-hardening/wa-hardening.lock");
            Assert.False(File.Exists(target));
        }

        public static IEnumerable<object[]> LinkedFolders()
        {
            yield return new object[] { "/var/lib/wa-hardening" };                 // data folder: lock and backups
            yield return new object[] { "/var/lib/wa-hardening/backups" };         // backup folder
            yield return new object[] { "/var" };                                  // any component under the root
            yield return new object[] { "/etc/chromium/policies/managed" };        // managed folder
            yield return new object[] { "/etc/chromium" };
        }

        [Theory]
        [MemberData(nameof(LinkedFolders))]
        public void A_link_at_a_folder_the_module_writes_in_is_refused(string linkedReal)
        {
            using var a = new Arena();
            var elsewhere = Path.Combine(a.Outside, "elsewhere");
            Directory.CreateDirectory(elsewhere);
            Directory.CreateDirectory(Path.GetDirectoryName(a.P(linkedReal))!);
            Directory.CreateSymbolicLink(a.P(linkedReal), elsewhere);
            var e = Linux(a.Root);
            // Either the lock or the plan refuses it; nothing lands in the link's target.
            AssertLinkRefused(a, () => Set(e, s_chromium, out _), linkedReal);
            Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
        }

        [Fact]
        public void Undo_refuses_to_write_through_a_link_planted_after_set()
        {
            using var a = new Arena();
            var e = Linux(a.Root);
            Set(e, s_chromium, out var backup);
            var own = a.P(ChromiumFileProvider.OwnFile("Chromium"));
            var victim = Path.Combine(a.Outside, "victim");
            File.WriteAllText(victim, "keep");
            File.Delete(own);
            File.CreateSymbolicLink(own, victim);
            AssertLinkRefused(a, () => Undo(e, backup!), ChromiumFileProvider.OwnFile("Chromium"));
            Assert.Equal("keep", File.ReadAllText(victim));
        }

        // ------------------------------------------------------------ item 9: the compiled dconf database

        private static string Dconf()
        {
            var dconf = ProcessCommandRunner.Resolve("dconf");
            Assert.True(dconf != null, "the real dconf program is needed (Debian package dconf-cli; scripts/install-test-deps.sh)");
            return dconf!;
        }

        [Fact]
        public void Set_then_undo_without_a_compiled_database_leaves_none_real_dconf()
        {
            Dconf();
            using var a = new Arena();
            // A site keyfile nobody compiled yet: 'dconf update' after the restore would compile it into a new database.
            a.Write("/etc/dconf/db/local.d/00-site", "[org/gnome/desktop/interface]\nclock-show-seconds=true\n");
            var before = a.Snapshot();
            var e = Linux(a.Root, new ProcessCommandRunner());
            var changes = Set(e, s_gnome, out var backup);
            Assert.Equal(ChangeAction.Changed, changes.Single().Action);
            Assert.True(File.Exists(a.P(DconfProvider.Database)));
            Undo(e, backup!);
            Assert.False(File.Exists(a.P(DconfProvider.Database)), "Undo left a compiled database that was not there before");
            Assert.Equal(before, a.Snapshot());
        }

        [Fact]
        public void Set_then_undo_puts_back_the_compiled_database_byte_for_byte_real_dconf()
        {
            Dconf();
            using var a = new Arena();
            a.Write("/etc/dconf/db/local.d/00-site", "[org/gnome/desktop/session]\nidle-delay=uint32 900\n");
            a.Write(DconfProvider.Profile, "user-db:user\nsystem-db:local\n");
            var r = new ProcessCommandRunner().Run("dconf", new[] { "update", a.P("/etc/dconf/db") });
            Assert.Equal(0, r.ExitCode);
            // The site edited its keyfile after compiling: the database on disk is not what a new compile gives, and must come back as it was.
            a.Write("/etc/dconf/db/local.d/00-site", "[org/gnome/desktop/session]\nidle-delay=uint32 600\n");
            File.SetLastWriteTimeUtc(a.P("/etc/dconf/db/local.d/00-site"), DateTime.UtcNow.AddMinutes(1));
            var before = a.Snapshot();
            var e = Linux(a.Root, new ProcessCommandRunner());
            Set(e, s_gnome, out var backup);
            Assert.NotEqual(before, a.Snapshot());
            Undo(e, backup!);
            Assert.Equal(before, a.Snapshot());
        }

        [Fact]
        public void Rollback_after_a_failed_set_leaves_no_compiled_database_behind_real_dconf()
        {
            Dconf();
            using var a = new Arena();
            a.Write("/etc/dconf/db/local.d/00-site", "[org/gnome/desktop/interface]\nclock-show-seconds=true\n");
            var before = a.Snapshot();
            var e = Linux(a.Root, new ProcessCommandRunner());
            e.Context.BeforeApply = op => { if (op.Location == DconfProvider.Profile) throw new IOException("disk full (simulated)"); };
            var ex = Assert.Throws<WaHardeningException>(() => Set(e, s_gnome, out _));
            Assert.Equal("EnforcementFailed", ex.ErrorId);
            Assert.Contains("rolled back", ex.Message);
            Assert.Equal(before, a.Snapshot());
        }
    }
}
