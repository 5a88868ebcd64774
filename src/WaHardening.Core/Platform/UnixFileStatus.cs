using System;
using System.Runtime.InteropServices;
using System.Text;

namespace WaHardening.Core.Platform
{
    /// <summary>What kind of file system object a path or descriptor is (the S_IFMT part of st_mode).</summary>
    internal enum UnixFileKind { Unknown, Regular, Directory, SymbolicLink, Fifo, CharacterDevice, BlockDevice, Socket }

    /// <summary>The status of a file as the kernel reports it: kind, permission bits, owner, identity (device and inode),
    /// links, size.</summary>
    internal readonly struct UnixFileStatusInfo
    {
        public UnixFileStatusInfo(UnixFileKind kind, int mode, uint uid, uint gid, ulong device, ulong inode, uint links, long size)
        {
            Kind = kind; Mode = mode; Uid = uid; Gid = gid; Device = device; Inode = inode; Links = links; Size = size;
        }

        public UnixFileKind Kind { get; }
        /// <summary>The permission bits (07777 of st_mode).</summary>
        public int Mode { get; }
        public uint Uid { get; }
        public uint Gid { get; }
        /// <summary>The file system's device number (major &lt;&lt; 32 | minor).</summary>
        public ulong Device { get; }
        public ulong Inode { get; }
        public uint Links { get; }
        public long Size { get; }
    }

    /// <summary>
    /// The one place the module calls the C library for files (Linux; one source for both users: the fleet merge's
    /// safe report reads in Reporting/ReportFiles.cs and ReportFolders.cs, and enforcement's modes and owners in
    /// Enforcement/UnixFile.cs). netstandard2.0 has no way to learn a file's type (FIFO, device), identity (device and
    /// inode), mode or owner, and .NET's <c>FileStream</c> blocks in open(2) on a FIFO. Status comes from
    /// <c>statx(2)</c> (glibc 2.28+, musl 1.2.5+): its <c>struct statx</c> has the same layout on every architecture,
    /// unlike <c>struct stat</c>. Descriptors are opened with <c>O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC</c> (the
    /// values shared by x86-64 and arm64 Linux), so opening a FIFO or a device never waits and never makes a terminal
    /// the controlling one. <see cref="CanStat"/> is false elsewhere (Windows, macOS) or when the C library lacks
    /// <c>statx</c>; <see cref="Available"/> (status and non-blocking reads) also needs x86-64 or arm64. Callers then
    /// fall back to what .NET offers (see docs/ARCHITECTURE.md, Reports and Modes and owners).
    /// </summary>
    internal static class UnixFileStatus
    {
        private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
        private const uint STATX_BASIC_STATS = 0x7ff;
        private const int O_RDONLY = 0, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
        private const int EINTR = 4;

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        private static extern IntPtr read(int fd, IntPtr buffer, UIntPtr count);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int close(int fd);

        [DllImport("libc", EntryPoint = "fchmod", SetLastError = true)]
        private static extern int fchmod(int fd, uint mode);

        [DllImport("libc", EntryPoint = "fchown", SetLastError = true)]
        private static extern int fchown(int fd, uint uid, uint gid);

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int chmod(byte[] path, uint mode);

        [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
        private static extern IntPtr readlink(byte[] path, byte[] buffer, UIntPtr size);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        private static extern int fcntl(int fd, int cmd, byte[] flock);

        [DllImport("libc", EntryPoint = "strerror")]
        private static extern IntPtr strerror(int errno);

        private static readonly Lazy<bool> s_canStat = new Lazy<bool>(Probe);

        /// <summary>True on Linux when the C library has statx (probed once): <see cref="Stat"/> works.</summary>
        public static bool CanStat => s_canStat.Value;

        /// <summary>True when <see cref="CanStat"/> on x86-64 or arm64 (the O_* values above are theirs): the
        /// non-blocking <see cref="OpenNonBlocking"/> and <see cref="Read"/> work too.</summary>
        public static bool Available => CanStat && (RuntimeInformation.ProcessArchitecture == Architecture.X64 || RuntimeInformation.ProcessArchitecture == Architecture.Arm64);

        private static bool Probe()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
            try { return Stat("/", true, out var st) == 0 && st.Kind == UnixFileKind.Directory; }
            catch (EntryPointNotFoundException) { return false; }
            catch (DllNotFoundException) { return false; }
        }

        private static byte[] Path(string path)
        {
            var b = new byte[Encoding.UTF8.GetByteCount(path) + 1];
            Encoding.UTF8.GetBytes(path, 0, path.Length, b, 0);
            return b;
        }

        private static readonly byte[] s_empty = { 0 };

        /// <summary>stat (<paramref name="follow"/>) or lstat of a path: 0, or the errno.</summary>
        public static int Stat(string path, bool follow, out UnixFileStatusInfo status) =>
            Statx(AT_FDCWD, Path(path), follow ? 0 : AT_SYMLINK_NOFOLLOW, out status);

        /// <summary>fstat of an open descriptor: 0, or the errno.</summary>
        public static int FStat(int fd, out UnixFileStatusInfo status) => Statx(fd, s_empty, AT_EMPTY_PATH, out status);

        private static int Statx(int dirfd, byte[] path, int flags, out UnixFileStatusInfo status)
        {
            var b = new byte[256];
            int rc;
            do rc = statx(dirfd, path, flags, STATX_BASIC_STATS, b);
            while (rc != 0 && Marshal.GetLastWin32Error() == EINTR);
            if (rc != 0) { status = default; return Marshal.GetLastWin32Error(); }
            // struct statx (linux/stat.h): stx_nlink @16 (u32), stx_uid @20 (u32), stx_gid @24 (u32), stx_mode @28 (u16),
            // stx_ino @32, stx_size @40, stx_dev_major @136, stx_dev_minor @140.
            var mode = BitConverter.ToUInt16(b, 28);
            var kind = (mode & 0xF000) switch
            {
                0x8000 => UnixFileKind.Regular,
                0x4000 => UnixFileKind.Directory,
                0xA000 => UnixFileKind.SymbolicLink,
                0x1000 => UnixFileKind.Fifo,
                0x2000 => UnixFileKind.CharacterDevice,
                0x6000 => UnixFileKind.BlockDevice,
                0xC000 => UnixFileKind.Socket,
                _ => UnixFileKind.Unknown,
            };
            var dev = ((ulong)BitConverter.ToUInt32(b, 136) << 32) | BitConverter.ToUInt32(b, 140);
            status = new UnixFileStatusInfo(kind, mode & 0xFFF, BitConverter.ToUInt32(b, 20), BitConverter.ToUInt32(b, 24),
                dev, BitConverter.ToUInt64(b, 32), BitConverter.ToUInt32(b, 16), (long)BitConverter.ToUInt64(b, 40));
            return 0;
        }

        /// <summary>Opens a path for reading without blocking (a FIFO's open returns at once): the descriptor, or -errno.</summary>
        public static int OpenNonBlocking(string path)
        {
            var p = Path(path);
            int fd;
            do fd = open(p, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
            while (fd < 0 && Marshal.GetLastWin32Error() == EINTR);
            return fd >= 0 ? fd : -Marshal.GetLastWin32Error();
        }

        /// <summary>Reads up to <paramref name="count"/> bytes into <paramref name="buffer"/> at <paramref name="offset"/>:
        /// the number read (0 at the end), or -errno.</summary>
        public static int Read(int fd, byte[] buffer, int offset, int count)
        {
            if (offset < 0 || count < 0 || offset + count > buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
            var h = GCHandle.Alloc(buffer, GCHandleType.Pinned);
            try
            {
                long n;
                do n = (long)read(fd, IntPtr.Add(h.AddrOfPinnedObject(), offset), (UIntPtr)(uint)count);
                while (n < 0 && Marshal.GetLastWin32Error() == EINTR);
                return n >= 0 ? (int)n : -Marshal.GetLastWin32Error();
            }
            finally { h.Free(); }
        }

        public static void Close(int fd) => close(fd);

        /// <summary>The target of a symbolic link (readlink(2), not followed further); null when the path is not a link or
        /// cannot be read. At most 4096 bytes.</summary>
        public static string? ReadLink(string path)
        {
            var buffer = new byte[4096];
            long n;
            do n = (long)readlink(Path(path), buffer, (UIntPtr)(uint)buffer.Length);
            while (n < 0 && Marshal.GetLastWin32Error() == EINTR);
            return n <= 0 || n >= buffer.Length ? null : Encoding.UTF8.GetString(buffer, 0, (int)n);
        }

        private const int F_GETLK = 5;        // Linux x86-64 and arm64 (64-bit off_t: F_GETLK is F_GETLK64)
        private const short F_WRLCK = 1, F_UNLCK = 2;

        /// <summary>
        /// Asks the kernel whether a process holds an fcntl (POSIX record) lock on the whole of a regular file that would
        /// conflict with a write lock (fcntl F_GETLK): the holder's pid, 0 when nothing conflicts, or -errno. The probe
        /// never takes a lock (F_GETLK only reports), the file is opened read-only and non-blocking, and a path that is
        /// not a regular file (a link, a FIFO) is refused with -EINVAL before it is opened. Linux on x86-64/arm64 only
        /// (<see cref="Available"/>): <c>struct flock</c> is { short l_type, l_whence; off_t l_start, l_len; pid_t l_pid }
        /// there (32 bytes).
        /// </summary>
        public static int ProbeWriteLock(string path)
        {
            if (Stat(path, false, out var st) is var rc && rc != 0) return -rc;
            if (st.Kind != UnixFileKind.Regular) return -22;
            var fd = OpenNonBlocking(path);
            if (fd < 0) return fd;
            try
            {
                var fl = new byte[32];
                BitConverter.GetBytes(F_WRLCK).CopyTo(fl, 0);       // l_type
                // l_whence = SEEK_SET (0), l_start = 0, l_len = 0 (to the end): the whole file
                int r;
                do r = fcntl(fd, F_GETLK, fl);
                while (r != 0 && Marshal.GetLastWin32Error() == EINTR);
                if (r != 0) return -Marshal.GetLastWin32Error();
                var type = BitConverter.ToInt16(fl, 0);
                if (type == F_UNLCK) return 0;
                var pid = BitConverter.ToInt32(fl, 24);
                return pid > 0 ? pid : int.MaxValue; // locked; a holder in another pid namespace may show as 0
            }
            finally { close(fd); }
        }

        /// <summary>fchmod of an open descriptor: 0, or the errno.</summary>
        public static int FChmod(int fd, int mode) => Errno(fchmod(fd, (uint)mode));

        /// <summary>fchown of an open descriptor: 0, or the errno.</summary>
        public static int FChown(int fd, uint uid, uint gid) => Errno(fchown(fd, uid, gid));

        /// <summary>chmod of a path (following links): 0, or the errno.</summary>
        public static int Chmod(string path, int mode) => Errno(chmod(Path(path), (uint)mode));

        private static int Errno(int rc) => rc == 0 ? 0 : Marshal.GetLastWin32Error();

        /// <summary>The C library's message for an errno.</summary>
        public static string Message(int errno)
        {
            try { return Marshal.PtrToStringAnsi(strerror(errno)) ?? $"errno {errno}"; }
            catch (EntryPointNotFoundException) { return $"errno {errno}"; }
        }

        /// <summary>How a kind is named in messages.</summary>
        public static string Describe(UnixFileKind kind) => kind switch
        {
            UnixFileKind.Directory => "a directory",
            UnixFileKind.SymbolicLink => "a symbolic link",
            UnixFileKind.Fifo => "a FIFO (named pipe)",
            UnixFileKind.CharacterDevice => "a character device",
            UnixFileKind.BlockDevice => "a block device",
            UnixFileKind.Socket => "a socket",
            UnixFileKind.Regular => "a regular file",
            _ => "not a regular file",
        };
    }
}
