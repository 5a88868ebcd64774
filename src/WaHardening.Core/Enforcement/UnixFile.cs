using System;
using System.IO;
using System.Runtime.InteropServices;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Enforcement
{
    /// <summary>The permission bits and owner of a file (Unix); what a replacement keeps and a backup records.</summary>
    public sealed class FileOwnership
    {
        public FileOwnership(int mode, long uid, long gid) { Mode = mode & 0xFFF; Uid = uid; Gid = gid; }
        /// <summary>Permission bits (07777).</summary>
        public int Mode { get; }
        public long Uid { get; }
        public long Gid { get; }
        public string ModeText => "0" + Convert.ToString(Mode, 8).PadLeft(3, '0');
        public override string ToString() => $"{ModeText} {Uid}:{Gid}";
    }

    /// <summary>
    /// File modes and owners on Unix: netstandard2.0 has no API for them (.NET 7's <c>File.GetUnixFileMode</c> gives no
    /// owner). The calls to the C library are <see cref="UnixFileStatus"/>'s (one wrapper for the module): reading is its
    /// <c>statx(2)</c> of the link itself (not its target); writing uses <c>fchown</c>/<c>fchmod</c> on the open temp file
    /// (before its content is written and before it is renamed into place) and <c>chmod</c> for folders. macOS has no
    /// <c>statx</c>: there the owner and mode of an existing file are not read (a replacement gets the defaults below),
    /// which is documented; no macOS provider writes files today. Windows: none of this runs (File.Replace keeps the
    /// replaced file's ACL there).
    /// </summary>
    internal static class UnixFile
    {
        public const int PolicyFileMode = 0x1A4;   // 0644
        public const int FolderMode = 0x1ED;       // 0755
        public const int PrivateFileMode = 0x180;  // 0600
        public const int PrivateFolderMode = 0x1C0; // 0700

        public static bool IsUnix { get; } = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Mode and owner of <paramref name="path"/> (the link itself, not its target); null when it does not exist
        /// or cannot be read here (Windows, macOS, a C library without statx).</summary>
        public static FileOwnership? Get(string path)
        {
            if (!UnixFileStatus.CanStat || UnixFileStatus.Stat(path, false, out var st) != 0) return null;
            return new FileOwnership(st.Mode, st.Uid, st.Gid);
        }

        /// <summary>
        /// Gives an open (new, still empty) file the owner and mode of <paramref name="keep"/>, or <paramref name="defaultMode"/>
        /// and this process's owner when there is nothing to keep. The owner goes first (chown can clear set-id bits).
        /// </summary>
        public static void Apply(FileStream file, FileOwnership? keep, int defaultMode)
        {
            if (!IsUnix) return;
            var fd = file.SafeFileHandle.DangerousGetHandle().ToInt32();
            int rc;
            if (keep != null)
            {
                var current = Get(file.Name);
                if (current == null || current.Uid != keep.Uid || current.Gid != keep.Gid)
                    if ((rc = UnixFileStatus.FChown(fd, (uint)keep.Uid, (uint)keep.Gid)) != 0)
                        throw new IOException($"Cannot give '{file.Name}' the owner {keep.Uid}:{keep.Gid} (errno {rc}: {UnixFileStatus.Message(rc)}).");
            }
            var mode = keep?.Mode ?? defaultMode;
            if ((rc = UnixFileStatus.FChmod(fd, mode)) != 0)
                throw new IOException($"Cannot give '{file.Name}' the mode 0{Convert.ToString(mode, 8)} (errno {rc}: {UnixFileStatus.Message(rc)}).");
        }

        /// <summary>Sets the mode of a file or folder (no-op off Unix).</summary>
        public static void SetMode(string path, int mode)
        {
            if (!IsUnix) return;
            var rc = UnixFileStatus.Chmod(path, mode);
            if (rc != 0)
                throw new IOException($"Cannot give '{path}' the mode 0{Convert.ToString(mode, 8)} (errno {rc}: {UnixFileStatus.Message(rc)}).");
        }

        /// <summary>Creates <paramref name="dir"/> and any missing parents, each with <paramref name="mode"/> whatever the umask.</summary>
        public static void CreateDirectories(string dir, int mode = FolderMode)
        {
            if (Directory.Exists(dir)) return;
            var parent = Path.GetDirectoryName(dir);
            if (!string.IsNullOrEmpty(parent)) CreateDirectories(parent!, mode);
            Directory.CreateDirectory(dir);
            SetMode(dir, mode);
        }
    }
}

namespace WaHardening.Core.Enforcement
{
    /// <summary>
    /// Windows: makes a backup (or the backup folder) readable by SYSTEM and Administrators only, with a protected DACL
    /// (no inherited entries), by P/Invoke to advapi32 (<c>SetFileSecurityW</c> with an SDDL string): netstandard2.0 has no
    /// ACL API without an extra package. Bound only when called on Windows. Not run on a real Windows machine from this branch.
    /// </summary>
    internal static class WindowsAcl
    {
        private const uint DaclSecurityInformation = 0x4;
        private const uint ProtectedDaclSecurityInformation = 0x80000000;
        // FA = full access; SY = LocalSystem; BA = BUILTIN\Administrators; OICI = inherited by files and folders below.
        private const string FolderSddl = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
        private const string FileSddl = "D:P(A;;FA;;;SY)(A;;FA;;;BA)";

        [DllImport("advapi32.dll", EntryPoint = "ConvertStringSecurityDescriptorToSecurityDescriptorW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool ConvertSddl(string sddl, uint revision, out IntPtr descriptor, IntPtr size);
        [DllImport("advapi32.dll", EntryPoint = "SetFileSecurityW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool SetFileSecurity(string path, uint information, IntPtr descriptor);
        [DllImport("kernel32.dll")]
        private static extern IntPtr LocalFree(IntPtr memory);

        public static void MakePrivate(string path, bool folder)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            if (!ConvertSddl(folder ? FolderSddl : FileSddl, 1, out var sd, IntPtr.Zero))
                throw new IOException($"Cannot build the security descriptor for '{path}' (error {Marshal.GetLastWin32Error()}).");
            try
            {
                if (!SetFileSecurity(path, DaclSecurityInformation | ProtectedDaclSecurityInformation, sd))
                    throw new IOException($"Cannot restrict '{path}' to SYSTEM and Administrators (error {Marshal.GetLastWin32Error()}).");
            }
            finally { LocalFree(sd); }
        }
    }
}
