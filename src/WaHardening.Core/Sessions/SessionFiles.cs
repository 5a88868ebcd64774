using System;
using System.Collections.Generic;
using System.IO;

namespace WaHardening.Core.Sessions
{
    /// <summary>
    /// Read-only file access for the web-session code: regular files only (no link, FIFO or device), bounded sizes, opened
    /// with every sharing mode so a running browser is never blocked, never opened for writing.
    /// </summary>
    internal static class SessionFiles
    {
        /// <summary>
        /// The bytes of a regular file of at most <paramref name="max"/> bytes; null when it does not exist or is not a regular
        /// file. Read through the format layer's one bounded reader (<see cref="Formats.FormatFiles.ReadRegular"/>: opened
        /// non-blocking and checked again as opened, so a file swapped for a FIFO between the check and the open is refused;
        /// a larger file is <c>SessionStoreTooLarge</c> naming it). <paramref name="allowSpecial"/>: a file the kernel
        /// synthesizes (/proc), whose size is reported as 0, read with the same bound.
        /// </summary>
        public static byte[]? ReadBounded(string path, long max, bool allowSpecial = false)
        {
            if (allowSpecial) return ReadSynthesized(path, max);
            if (!WebSessionLocator.IsRegularFile(path)) return null;
            var budget = max;
            return Formats.FormatFiles.ReadRegular(path, ref budget);
        }

        private static byte[] ReadSynthesized(string path, long max)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
            var ms = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = fs.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (ms.Length + n > max)
                    throw new WaHardeningException(ErrorIds.WebSessionProfileUnreadable, WaErrorCategory.ReadError,
                        $"'{path}' is longer than the {max} bytes WaHardening reads from it; it was not read.", path);
                ms.Write(buffer, 0, n);
            }
            return ms.ToArray();
        }

        /// <summary>Size and newest write time of the regular files below a folder (links not followed, at most
        /// <paramref name="maxEntries"/> entries visited).</summary>
        public static (long Bytes, DateTime? LastWritten) FolderSize(string dir, int maxEntries = 200_000)
        {
            long bytes = 0;
            DateTime? last = null;
            var stack = new Stack<string>();
            stack.Push(dir);
            var visited = 0;
            void Note(DateTime t) { if (last == null || t > last) last = t; }
            try { Note(Directory.GetLastWriteTimeUtc(dir)); } catch (IOException) { }
            while (stack.Count > 0 && visited < maxEntries)
            {
                var d = stack.Pop();
                IEnumerable<string> entries;
                try { entries = Directory.GetFileSystemEntries(d); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { continue; }
                foreach (var e in entries)
                {
                    if (++visited > maxEntries) break;
                    FileAttributes a;
                    try { a = File.GetAttributes(e); } catch (Exception x) when (x is IOException || x is UnauthorizedAccessException) { continue; }
                    if ((a & FileAttributes.ReparsePoint) != 0) continue;
                    if ((a & FileAttributes.Directory) != 0) { stack.Push(e); continue; }
                    try
                    {
                        var fi = new FileInfo(e);
                        bytes += fi.Length;
                        Note(fi.LastWriteTimeUtc);
                    }
                    catch (Exception x) when (x is IOException || x is UnauthorizedAccessException) { }
                }
            }
            return (bytes, last);
        }

        public static DateTime? LastWrite(string path)
        {
            try { return File.Exists(path) || Directory.Exists(path) ? File.GetLastWriteTimeUtc(path) : (DateTime?)null; }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return null; }
        }
    }
}
