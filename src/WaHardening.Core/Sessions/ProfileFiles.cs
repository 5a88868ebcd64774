using System;
using System.Globalization;
using System.IO;
using System.Text;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Sessions
{
    /// <summary>
    /// The clear's file rules inside a browser profile: a path is used only when it lies under the profile and no part of it
    /// below the profile is a symlink (so nothing is written or deleted through a link), deletions remove links themselves
    /// and never follow them, and reads are of regular files only.
    /// </summary>
    internal static class ProfileFiles
    {
        private static UnixFileKind? Kind(string path)
        {
            if (UnixFileStatus.CanStat)
            {
                var rc = UnixFileStatus.Stat(path, false, out var st);
                return rc == 0 ? st.Kind : (UnixFileKind?)null;
            }
            var attrs = File.Exists(path) || Directory.Exists(path) ? File.GetAttributes(path) : (FileAttributes?)null;
            if (attrs == null) return null;
            if ((attrs.Value & FileAttributes.ReparsePoint) != 0) return UnixFileKind.SymbolicLink;
            return (attrs.Value & FileAttributes.Directory) != 0 ? UnixFileKind.Directory : UnixFileKind.Regular;
        }

        /// <summary>True when <paramref name="path"/> is <paramref name="profile"/> or below it and no component between
        /// them (the path included) is a symlink; false when something on the way does not exist.</summary>
        private static bool UnderProfileNoLinks(string profile, string path, out UnixFileKind? kind)
        {
            kind = null;
            var root = Path.GetFullPath(profile).TrimEnd(Path.DirectorySeparatorChar);
            var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
            var cmp = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (!full.StartsWith(root + Path.DirectorySeparatorChar, cmp) && !string.Equals(full, root, cmp))
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidOperation,
                    $"'{path}' is not inside the profile '{profile}'; it is not touched.", path);
            var rootKind = Kind(root);
            if (rootKind != UnixFileKind.Directory) return false;
            var rest = full.Substring(root.Length).TrimStart(Path.DirectorySeparatorChar);
            var cur = root;
            kind = rootKind;
            if (rest.Length == 0) return true;
            foreach (var part in rest.Split(Path.DirectorySeparatorChar))
            {
                cur = Path.Combine(cur, part);
                kind = Kind(cur);
                if (kind == null) return false;
                if (kind == UnixFileKind.SymbolicLink) return false;
            }
            return true;
        }

        public static bool IsPlainDirectory(string profile, string path) =>
            UnderProfileNoLinks(profile, path, out var k) && k == UnixFileKind.Directory;

        public static bool IsRegularFile(string profile, string path) =>
            UnderProfileNoLinks(profile, path, out var k) && k == UnixFileKind.Regular;

        /// <summary>Deletes a file or folder tree under the profile; a symlink inside is removed as a link, never followed.
        /// False when there was nothing (or the way to it passes a link: then it is not ours to delete).</summary>
        public static bool DeleteTree(string profile, string path)
        {
            var parent = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!UnderProfileNoLinks(profile, parent, out var pk) || pk != UnixFileKind.Directory) return false;
            var kind = Kind(path);
            if (kind == null) return false;
            if (Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(profile).TrimEnd(Path.DirectorySeparatorChar))
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidOperation, $"Refusing to delete the profile '{profile}' itself.", profile);
            try { DeleteNoFollow(path, kind.Value, 0); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.WriteError,
                    $"Cannot delete '{path}': {e.Message}", path, e);
            }
            return true;
        }

        private static void DeleteNoFollow(string path, UnixFileKind kind, int depth)
        {
            if (depth > 64)
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidData, $"'{path}' is nested more than 64 folders deep; not deleted.", path);
            if (kind != UnixFileKind.Directory) { File.Delete(path); return; }
            foreach (var entry in Directory.EnumerateFileSystemEntries(path))
            {
                var k = Kind(entry);
                if (k == null) continue;
                DeleteNoFollow(entry, k.Value, depth + 1);
            }
            Directory.Delete(path, false);
        }

        public static void DeleteFile(string profile, string path)
        {
            if (IsRegularFile(profile, path)) File.Delete(path);
        }

        /// <summary>The pid in a browser's lock symlink: Chromium <c>SingletonLock -&gt; host-1234</c> (separator '-'),
        /// Firefox <c>lock -&gt; 127.0.0.1:+1234</c> (':'); null when it is not a link or holds no number.</summary>
        public static int? LockPid(string link, char separator)
        {
            if (Kind(link) != UnixFileKind.SymbolicLink) return null;
            string? target;
            try { target = ReadLink(link); } catch (IOException) { return null; }
            if (target == null) return null;
            var i = target.LastIndexOf(separator);
            if (i < 0) return null;
            var num = target.Substring(i + 1).TrimStart('+');
            return int.TryParse(num, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : (int?)null;
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
        private static extern IntPtr readlink(byte[] path, byte[] buf, UIntPtr size);

        private static string? ReadLink(string path)
        {
            var buf = new byte[4096];
            var n = (long)readlink(Encoding.UTF8.GetBytes(path + "\0"), buf, (UIntPtr)buf.Length);
            return n <= 0 ? null : Encoding.UTF8.GetString(buf, 0, (int)n);
        }
    }
}
