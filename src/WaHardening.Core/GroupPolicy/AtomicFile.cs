using System;
using System.IO;

namespace WaHardening.Core.GroupPolicy
{
    /// <summary>All-or-nothing file and folder writes: write beside the target, flush, then rename over it.</summary>
    internal static class AtomicFile
    {
        public static void WriteAllBytes(string path, byte[] bytes)
        {
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full) ?? ".";
            var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + ".tmp-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(dir);
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
                {
                    fs.Write(bytes, 0, bytes.Length);
                    fs.Flush(true);
                }
                if (File.Exists(full)) File.Replace(tmp, full, null);
                else File.Move(tmp, full);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is System.Security.SecurityException)
            {
                TryDelete(tmp);
                throw new WaHardeningException(e is UnauthorizedAccessException ? ErrorIds.WriteAccessDenied : ErrorIds.WriteFailed,
                    e is UnauthorizedAccessException ? WaErrorCategory.PermissionDenied : WaErrorCategory.WriteError,
                    $"Cannot write '{full}': {e.Message} Nothing was changed.", full, e);
            }
            catch
            {
                TryDelete(tmp);
                throw;
            }
        }

        /// <summary>Fills a staging folder beside <paramref name="target"/> with <paramref name="fill"/>, then moves it
        /// into place (replacing an existing folder of that name). On failure nothing is left behind.</summary>
        public static void WriteDirectory(string target, Action<string> fill)
        {
            var full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var parent = Path.GetDirectoryName(full) ?? ".";
            var name = Path.GetFileName(full);
            var stage = Path.Combine(parent, "." + name + ".tmp-" + Guid.NewGuid().ToString("N"));
            var old = Path.Combine(parent, "." + name + ".old-" + Guid.NewGuid().ToString("N"));
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
                throw new WaHardeningException(e is UnauthorizedAccessException ? ErrorIds.WriteAccessDenied : ErrorIds.WriteFailed,
                    e is UnauthorizedAccessException ? WaErrorCategory.PermissionDenied : WaErrorCategory.WriteError,
                    $"Cannot write '{full}': {e.Message} Nothing was changed.", full, e);
            }
            catch
            {
                TryDeleteDirectory(stage);
                throw;
            }
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private static void TryDeleteDirectory(string path)
        {
            try { if (Directory.Exists(path)) Directory.Delete(path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
