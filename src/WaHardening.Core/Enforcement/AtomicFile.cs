using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Enforcement
{
    /// <summary>
    /// The one atomic write of the module (policy files, backups, exports, export folders): temp file, flush to disk, rename
    /// over the target; one temp-name rule (".&lt;name&gt;.&lt;guid&gt;.wa-tmp") and stale-temp cleanup for all.
    /// </summary>
    public static class AtomicFile
    {
        private const string TempSuffix = ".wa-tmp";

        /// <summary>
        /// Writes <paramref name="content"/> to <paramref name="physicalPath"/> so that a crash at any point leaves either the
        /// old or the new file. The temp file goes to the parent of the file's folder (same file system; Chromium reads every file
        /// in its policy folder and dconf every file in a keyfile folder, so a temp file must not sit next to the target),
        /// falling back to the file's own folder when a rename across the two fails.
        /// The new file keeps the mode and owner of the file it replaces (<paramref name="keep"/> overrides them: Undo puts
        /// back the recorded ones); a new file gets <paramref name="newMode"/> (0644) whatever the umask, and missing folders
        /// 0755. The temp file has its final mode and owner before any content is written.
        /// </summary>
        public static void Write(string physicalPath, byte[] content, FileOwnership? keep = null, int newMode = UnixFile.PolicyFileMode)
        {
            var dir = Path.GetDirectoryName(physicalPath)!;
            UnixFile.CreateDirectories(dir);
            var parent = Path.GetDirectoryName(dir);
            keep ??= UnixFile.Get(physicalPath);
            try { WriteVia(parent ?? dir, physicalPath, content, keep, newMode, null); }
            catch (IOException) when (parent != null)
            {
                WriteVia(dir, physicalPath, content, keep, newMode, null);
            }
        }

        /// <summary>
        /// Writes a file whose content must stay private (a backup holds prior file contents): the temp file is created in the
        /// file's own folder, made <paramref name="mode"/> (0600) before anything is written, then renamed into place. Temp files
        /// of earlier killed runs matching <paramref name="staleTempPattern"/> (besides those of this name) are removed first,
        /// here and in the parent folder.
        /// </summary>
        public static void WritePrivate(string physicalPath, byte[] content, int mode, string? staleTempPattern) =>
            WritePrivate(physicalPath, s => s.Write(content, 0, content.Length), mode, staleTempPattern);

        /// <summary><see cref="WritePrivate(string, byte[], int, string?)"/> with the content written by <paramref name="content"/>
        /// into the temp file (a large backup is streamed, not built in memory first).</summary>
        public static void WritePrivate(string physicalPath, Action<Stream> content, int mode, string? staleTempPattern)
        {
            var dir = Path.GetDirectoryName(physicalPath)!;
            var parent = Path.GetDirectoryName(dir);
            if (staleTempPattern != null && parent != null) RemoveStaleTemps(parent, physicalPath, staleTempPattern);
            WriteVia(dir, physicalPath, content, new FileOwnership(mode, -1, -1), mode, staleTempPattern, privateFile: true);
        }

        private static void WriteVia(string tempDir, string target, byte[] content, FileOwnership? keep, int newMode, string? stalePattern, bool privateFile = false) =>
            WriteVia(tempDir, target, s => s.Write(content, 0, content.Length), keep, newMode, stalePattern, privateFile);

        private static void WriteVia(string tempDir, string target, Action<Stream> content, FileOwnership? keep, int newMode, string? stalePattern, bool privateFile = false)
        {
            RemoveStaleTemps(tempDir, target, stalePattern);
            var tmp = Path.Combine(tempDir, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + TempSuffix);
            try
            {
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    UnixFile.Apply(fs, keep != null && keep.Uid < 0 ? null : keep, keep?.Mode ?? newMode);
                    if (privateFile) WindowsAcl.MakePrivate(tmp, folder: false); // before any content is written
                    content(fs);
                    fs.Flush(true);
                }
                TestPauseBeforeRename();
                if (File.Exists(target)) File.Replace(tmp, target, null);
                else File.Move(tmp, target);
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
        }

        /// <summary>
        /// Test only (the fault tests in tests/pester): when the environment variable WAH_TEST_PAUSE_BEFORE_RENAME_MS holds a
        /// positive number of milliseconds, every write sleeps that long after its temp file is complete and before the rename,
        /// so a test can kill the process exactly there. Unset (or not a positive number): nothing happens.
        /// </summary>
        public const string TestPauseVariable = "WAH_TEST_PAUSE_BEFORE_RENAME_MS";

        private static void TestPauseBeforeRename()
        {
            var v = Environment.GetEnvironmentVariable(TestPauseVariable);
            if (v != null && int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0)
                System.Threading.Thread.Sleep(ms);
        }

        /// <summary>Temp files left by a killed earlier run (all writes happen under the module's lock): those of this target,
        /// and those matching <paramref name="extraPattern"/> (a backup's name is new every run).</summary>
        private static void RemoveStaleTemps(string tempDir, string target, string? extraPattern = null)
        {
            if (!Directory.Exists(tempDir)) return;
            var patterns = extraPattern == null ? new[] { "." + Path.GetFileName(target) + ".*" + TempSuffix }
                : new[] { "." + Path.GetFileName(target) + ".*" + TempSuffix, extraPattern + TempSuffix };
            foreach (var pattern in patterns)
                foreach (var f in Directory.GetFiles(tempDir, pattern))
                    try { if ((File.GetAttributes(f) & FileAttributes.ReparsePoint) == 0) File.Delete(f); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        // ------------------------------------------------------------ exports (files and folders the cmdlets write for the admin)

        /// <summary>
        /// Writes an export file (GPO backup files, Registry.pol, reports, Intune export files) all or nothing with the same rule
        /// as every other write: temp file beside the target (an export folder is read by no program file by file), flushed,
        /// renamed over it; a replaced file keeps its mode, a new one is 0644; temp files of a killed run for this target are
        /// removed. Failures are typed (<c>WriteAccessDenied</c>, <c>WriteFailed</c>) and leave nothing behind.
        /// </summary>
        public static void WriteExport(string path, byte[] bytes)
        {
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full) ?? ".";
            try
            {
                Directory.CreateDirectory(dir);
                var mode = UnixFile.Get(full)?.Mode ?? UnixFile.PolicyFileMode;
                WriteVia(dir, full, bytes, new FileOwnership(mode, -1, -1), mode, null);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is System.Security.SecurityException)
            {
                throw WriteError(full, e);
            }
        }

        /// <summary>Fills a staging folder beside <paramref name="target"/> with <paramref name="fill"/>, then moves it into place
        /// (replacing an existing folder of that name, which is kept until the new one is in place). On failure nothing is left
        /// behind. Staging and old folders follow the temp-name rule (".&lt;name&gt;.&lt;guid&gt;.wa-tmp").</summary>
        public static void WriteDirectory(string target, Action<string> fill)
        {
            var full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var parent = Path.GetDirectoryName(full) ?? ".";
            var name = Path.GetFileName(full);
            var stage = Path.Combine(parent, "." + name + "." + Guid.NewGuid().ToString("N") + TempSuffix);
            var old = Path.Combine(parent, "." + name + ".old-" + Guid.NewGuid().ToString("N") + TempSuffix);
            try
            {
                Directory.CreateDirectory(stage);
                fill(stage);
                if (Directory.Exists(full))
                {
                    Directory.Move(full, old);
                    try { Directory.Move(stage, full); }
                    catch { Directory.Move(old, full); throw; }
                    TryDeleteDirectory(old);
                }
                else Directory.Move(stage, full);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                TryDeleteDirectory(stage);
                throw WriteError(full, e);
            }
            catch
            {
                TryDeleteDirectory(stage);
                throw;
            }
        }

        private static WaHardeningException WriteError(string full, Exception e) =>
            new WaHardeningException(e is UnauthorizedAccessException ? ErrorIds.WriteAccessDenied : ErrorIds.WriteFailed,
                e is UnauthorizedAccessException ? WaErrorCategory.PermissionDenied : WaErrorCategory.WriteError,
                $"Cannot write '{full}': {e.Message} Nothing was changed.", full, e);

        private static void TryDeleteDirectory(string path)
        {
            try { if (Directory.Exists(path)) Directory.Delete(path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
