using System;
using System.IO;
using System.Runtime.InteropServices;

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
    /// File modes and owners on Unix, by P/Invoke to the C library: netstandard2.0 has no API for them (.NET 7's
    /// <c>File.GetUnixFileMode</c> gives no owner). Reading uses <c>statx(2)</c>, whose buffer layout is the same on every
    /// Linux architecture (unlike <c>struct stat</c>), with <c>AT_SYMLINK_NOFOLLOW</c>; glibc has it since 2.28 (Debian 10).
    /// Writing uses <c>fchown</c>/<c>fchmod</c> on the open temp file (before its content is written and before it is renamed
    /// into place) and <c>chmod</c> for folders. macOS has no <c>statx</c>: there the owner and mode of an existing file are not
    /// read (a replacement gets the defaults below), which is documented; no macOS provider writes files today.
    /// Windows: none of this runs (File.Replace keeps the replaced file's ACL there).
    /// </summary>
    internal static class UnixFile
    {
        public const int PolicyFileMode = 0x1A4;   // 0644
        public const int FolderMode = 0x1ED;       // 0755
        public const int PrivateFileMode = 0x180;  // 0600
        public const int PrivateFolderMode = 0x1C0; // 0700

        public static bool IsUnix { get; } = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly bool s_linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const uint StatxMask = 0x1 | 0x2 | 0x8 | 0x10; // TYPE | MODE | UID | GID

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
        [DllImport("libc", EntryPoint = "fchmod", SetLastError = true)]
        private static extern int FChmod(int fd, uint mode);
        [DllImport("libc", EntryPoint = "fchown", SetLastError = true)]
        private static extern int FChown(int fd, uint uid, uint gid);
        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, uint mode);

        private static bool s_statxMissing;

        /// <summary>Mode and owner of <paramref name="path"/> (the link itself, not its target); null when it does not exist
        /// or cannot be read here (Windows, macOS, a C library without statx).</summary>
        public static FileOwnership? Get(string path)
        {
            if (!s_linux || s_statxMissing) return null;
            var buf = new byte[256];
            try
            {
                if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxMask, buf) != 0) return null;
            }
            catch (Exception e) when (e is EntryPointNotFoundException || e is DllNotFoundException)
            {
                s_statxMissing = true;
                return null;
            }
            // struct statx: stx_mask u32 @0, stx_blksize u32 @4, stx_attributes u64 @8, stx_nlink u32 @16, stx_uid u32 @20,
            // stx_gid u32 @24, stx_mode u16 @28 (linux/stat.h).
            return new FileOwnership(BitConverter.ToUInt16(buf, 28), BitConverter.ToUInt32(buf, 20), BitConverter.ToUInt32(buf, 24));
        }

        /// <summary>
        /// Gives an open (new, still empty) file the owner and mode of <paramref name="keep"/>, or <paramref name="defaultMode"/>
        /// and this process's owner when there is nothing to keep. The owner goes first (chown can clear set-id bits).
        /// </summary>
        public static void Apply(FileStream file, FileOwnership? keep, int defaultMode)
        {
            if (!IsUnix) return;
            var fd = file.SafeFileHandle.DangerousGetHandle().ToInt32();
            if (keep != null)
            {
                var current = Get(file.Name);
                if (current == null || current.Uid != keep.Uid || current.Gid != keep.Gid)
                    if (FChown(fd, (uint)keep.Uid, (uint)keep.Gid) != 0)
                        throw new IOException($"Cannot give '{file.Name}' the owner {keep.Uid}:{keep.Gid} (errno {Marshal.GetLastWin32Error()}).");
            }
            var mode = keep?.Mode ?? defaultMode;
            if (FChmod(fd, (uint)mode) != 0)
                throw new IOException($"Cannot give '{file.Name}' the mode 0{Convert.ToString(mode, 8)} (errno {Marshal.GetLastWin32Error()}).");
        }

        /// <summary>Sets the mode of a file or folder (no-op off Unix).</summary>
        public static void SetMode(string path, int mode)
        {
            if (!IsUnix) return;
            if (Chmod(path, (uint)mode) != 0)
                throw new IOException($"Cannot give '{path}' the mode 0{Convert.ToString(mode, 8)} (errno {Marshal.GetLastWin32Error()}).");
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
