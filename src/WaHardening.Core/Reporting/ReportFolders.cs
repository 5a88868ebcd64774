using System;
using System.Collections.Generic;
using System.IO;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Reporting
{
    /// <summary>
    /// Enumerates the report files (<c>*.json</c>) of folders, lazily, each folder once: on Linux a folder's identity is
    /// its (device, inode) after following links, so directory symlink loops, a link to an ancestor, a bind mount or a
    /// folder given twice are entered once; elsewhere (no statx) links and reparse points (junctions) are not followed
    /// while recursing and a folder is known by its full path. Entries that are not folders (FIFOs, devices, dangling
    /// links) are yielded like files: <see cref="FleetMerger.AddFile"/> turns them into typed skip records. One instance
    /// per merge (the identities of the folders seen are kept for it).
    /// </summary>
    public sealed class ReportFolders
    {
        private readonly bool _recurse;
        private readonly HashSet<FileKey> _seen = new HashSet<FileKey>();

        public ReportFolders(bool recurse) { _recurse = recurse; }

        /// <summary>Called with a folder and why it was not (or not fully) read: a loop or second path, an error.</summary>
        public Action<string, string>? Notice { get; set; }

        /// <summary>The files of <paramref name="path"/> when it is a folder (recursively when asked), else the path itself.</summary>
        public IEnumerable<string> Files(string path)
        {
            if (!Directory.Exists(path)) { yield return path; yield break; }
            var pending = new Queue<string>();
            pending.Enqueue(path);
            while (pending.Count > 0)
            {
                var dir = pending.Dequeue();
                if (!Enter(dir)) continue;
                IEnumerator<FileSystemInfo>? e = null;
                try { e = new DirectoryInfo(dir).EnumerateFileSystemInfos().GetEnumerator(); }
                catch (Exception x) when (x is IOException || x is UnauthorizedAccessException) { Notice?.Invoke(dir, x.Message); continue; }
                using (e)
                {
                    while (true)
                    {
                        FileSystemInfo entry;
                        try { if (!e.MoveNext()) break; entry = e.Current; }
                        catch (Exception x) when (x is IOException || x is UnauthorizedAccessException) { Notice?.Invoke(dir, x.Message); break; }
                        if (entry is DirectoryInfo d)
                        {
                            if (!_recurse) continue;
                            if (!UnixFileStatus.CanStat && (d.Attributes & FileAttributes.ReparsePoint) != 0)
                            {
                                Notice?.Invoke(d.FullName, "not followed: a link or reparse point (no file identity on this platform)");
                                continue;
                            }
                            pending.Enqueue(d.FullName);
                        }
                        else if (entry.Name.EndsWith(".json", ReportFiles.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                            yield return entry.FullName;
                    }
                }
            }
        }

        /// <summary>True the first time a folder is reached.</summary>
        private bool Enter(string dir)
        {
            FileKey key;
            if (UnixFileStatus.CanStat)
            {
                var rc = UnixFileStatus.Stat(dir, true, out var st);
                if (rc != 0) { Notice?.Invoke(dir, UnixFileStatus.Message(rc)); return false; }
                key = new FileKey(st.Device, st.Inode);
            }
            else key = FileKey.OfPath(dir);
            if (_seen.Add(key)) return true;
            Notice?.Invoke(dir, "already read (a loop, or a second path to the same folder)");
            return false;
        }
    }
}
