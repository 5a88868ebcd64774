using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Reporting
{
    /// <summary>Why a file was not merged (<see cref="SkippedReport.Code"/>).</summary>
    public enum SkipReason
    {
        /// <summary>Read, but not a valid device report (syntax, duplicate key, schema, missing field).</summary>
        Invalid,
        /// <summary>A FIFO, device, socket or directory (of a link's target): never opened for reading, or closed unread.</summary>
        NotARegularFile,
        /// <summary>More bytes than <see cref="FleetMerger.MaxReportBytes"/>, counted while reading.</summary>
        TooLarge,
        /// <summary>Could not be opened or read (missing, dangling link, permission, I/O error).</summary>
        Unreadable,
        /// <summary>The same file (device and inode, or volume and file id) was already read through another path.</summary>
        AlreadyRead,
    }

    /// <summary>A file's identity: (device, inode) on Linux, (volume, file id) on Windows, else its full path.</summary>
    internal readonly struct FileKey : IEquatable<FileKey>
    {
        private readonly ulong _a, _b;
        private readonly string? _path;

        public FileKey(ulong a, ulong b) { _a = a; _b = b; _path = null; }
        public FileKey(string fullPath) { _a = _b = 0; _path = fullPath; }

        public bool Equals(FileKey o) => _a == o._a && _b == o._b && string.Equals(_path, o._path, StringComparison.Ordinal);
        public override bool Equals(object? obj) => obj is FileKey k && Equals(k);
        public override int GetHashCode() => _path != null ? StringComparer.Ordinal.GetHashCode(_path) : (_a * 0x9E3779B97F4A7C15UL ^ _b).GetHashCode();
        public override string ToString() => _path ?? $"device {_a >> 32}:{_a & 0xFFFFFFFF}, inode {_b}";

        /// <summary>The path-based key of the fallback (Windows paths compared case-insensitively).</summary>
        public static FileKey OfPath(string path)
        {
            var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return new FileKey(ReportFiles.IsWindows ? full.ToUpperInvariant() : full);
        }
    }

    /// <summary>The identities of the files read so far, shared by the workers of one merge (claimed under a lock).</summary>
    internal sealed class ReadOnce
    {
        private readonly HashSet<FileKey> _seen = new HashSet<FileKey>();

        /// <summary>True the first time a key is claimed.</summary>
        public bool Claim(FileKey key) { lock (_seen) return _seen.Add(key); }
    }

    /// <summary>
    /// Reads one report file into a reused buffer, safely: only regular files are read (the kind is checked before
    /// opening and again on the open descriptor), a FIFO or device is never waited on, each file's bytes are counted
    /// against the bound while reading (its Length is only a hint: it is 0 for devices, pipes and /proc files), and a
    /// file already read through another path (symlink, hard link, folder given twice) is not read again.
    /// </summary>
    internal sealed class ReportFiles
    {
        internal static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private byte[] _buffer;
        private readonly byte[] _probe = new byte[4096];
        private int _max;

        public ReportFiles(int maxBytes) { _max = maxBytes; _buffer = new byte[Math.Min(64 * 1024, maxBytes)]; }

        public int MaxBytes
        {
            get => _max;
            set { if (value < 1) throw new ArgumentOutOfRangeException(nameof(value)); _max = value; if (_buffer.Length > value) _buffer = new byte[value]; }
        }

        /// <summary>The read buffer (the last file's bytes) and its size.</summary>
        public byte[] Buffer => _buffer;
        public int Capacity => _buffer.Length;

        /// <summary>Reads <paramref name="path"/>; null and its <paramref name="length"/> when read, else why it was skipped.</summary>
        public (SkipReason Code, string Why)? Read(string path, ReadOnce once, out int length)
        {
            length = 0;
            try { return UnixFileStatus.Available ? ReadUnix(path, once, out length) : ReadManaged(path, once, out length); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                return (SkipReason.Unreadable, "cannot be read: " + e.Message);
            }
        }

        private (SkipReason, string)? ReadUnix(string path, ReadOnce once, out int length)
        {
            length = 0;
            // The kind first (following links: a link to a report is read, through its target), so that a FIFO or a
            // device is not even opened. The open is non-blocking and its descriptor is checked again, so a file swapped
            // for a FIFO or device between the two is still refused without waiting (only the open itself happens).
            var rc = UnixFileStatus.Stat(path, true, out var st);
            if (rc != 0) return (SkipReason.Unreadable, "cannot be read: " + UnixFileStatus.Message(rc));
            if (st.Kind != UnixFileKind.Regular) return NotRegular(st.Kind);
            var fd = UnixFileStatus.OpenNonBlocking(path);
            if (fd < 0) return (SkipReason.Unreadable, "cannot be read: " + UnixFileStatus.Message(-fd));
            try
            {
                rc = UnixFileStatus.FStat(fd, out st);
                if (rc != 0) return (SkipReason.Unreadable, "cannot be read: " + UnixFileStatus.Message(rc));
                if (st.Kind != UnixFileKind.Regular) return NotRegular(st.Kind);
                var key = new FileKey(st.Device, st.Inode);
                if (!once.Claim(key)) return AlreadyRead(key);
                string? error = null;
                var r = ReadBounded(st.Size, (b, o, c) =>
                {
                    var n = UnixFileStatus.Read(fd, b, o, c);
                    if (n < 0) { error = UnixFileStatus.Message(-n); return 0; }
                    return n;
                }, out length);
                if (error != null) return (SkipReason.Unreadable, "cannot be read: " + error);
                return r;
            }
            finally { UnixFileStatus.Close(fd); }
        }

        private static (SkipReason, string) NotRegular(UnixFileKind kind) =>
            (SkipReason.NotARegularFile, $"is {UnixFileStatus.Describe(kind)}, not a regular file (only regular files are read)");

        private static (SkipReason, string) AlreadyRead(FileKey key) =>
            (SkipReason.AlreadyRead, $"the same file ({key}) was already read through another path");

        /// <summary>Without statx (Windows, macOS): .NET's FileStream; on Windows the handle's type and file id are checked.</summary>
        private (SkipReason, string)? ReadManaged(string path, ReadOnce once, out int length)
        {
            length = 0;
            if (Directory.Exists(path)) return NotRegular(UnixFileKind.Directory);
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan))
            {
                FileKey key;
                if (IsWindows)
                {
                    var type = Win32.GetFileType(fs.SafeFileHandle);
                    if (type == Win32.FILE_TYPE_CHAR) return NotRegular(UnixFileKind.CharacterDevice);
                    if (type == Win32.FILE_TYPE_PIPE) return NotRegular(UnixFileKind.Fifo);
                    key = Win32.GetFileInformationByHandle(fs.SafeFileHandle, out var info)
                        ? new FileKey(info.VolumeSerialNumber, ((ulong)info.FileIndexHigh << 32) | info.FileIndexLow)
                        : FileKey.OfPath(path);
                }
                else key = FileKey.OfPath(path);
                if (!once.Claim(key)) return AlreadyRead(key);
                long hint;
                try { hint = fs.CanSeek ? fs.Length : 0; } catch (IOException) { hint = 0; }
                return ReadBounded(hint, fs.Read, out length);
            }
        }

        /// <summary>
        /// Reads to the end into the buffer, never past <see cref="MaxBytes"/>: <paramref name="sizeHint"/> (the file's
        /// Length) only sizes the buffer (a regular file is usually read in one allocation of its size); when the buffer
        /// is full, a small probe read tells the end from more bytes, and the buffer grows (to at most the bound) only for
        /// more. So a worker holds one buffer of at most the bound (plus, while growing, the one it replaces).
        /// </summary>
        private (SkipReason, string)? ReadBounded(long sizeHint, Func<byte[], int, int, int> read, out int length)
        {
            length = 0;
            if (sizeHint > _max) return TooLarge(sizeHint);
            if (sizeHint > _buffer.Length) { _buffer = null!; _buffer = new byte[sizeHint]; }
            while (true)
            {
                if (length == _buffer.Length)
                {
                    var p = read(_probe, 0, _probe.Length);
                    if (p == 0) return null;
                    if ((long)length + p > _max) return TooLarge(null);
                    var grown = new byte[(int)Math.Min(_max, Math.Max((long)_buffer.Length * 2, (long)length + p))];
                    System.Buffer.BlockCopy(_buffer, 0, grown, 0, length);
                    System.Buffer.BlockCopy(_probe, 0, grown, length, p);
                    _buffer = grown;
                    length += p;
                    continue;
                }
                var n = read(_buffer, length, _buffer.Length - length);
                if (n == 0) return null;
                length += n;
            }
        }

        private (SkipReason, string) TooLarge(long? size) =>
            (SkipReason.TooLarge, (size.HasValue ? $"{size} bytes" : $"more than {_max} bytes (counted while reading)") + $" is too large for a device report (at most {_max})");

        private static class Win32
        {
            public const int FILE_TYPE_CHAR = 2, FILE_TYPE_PIPE = 3;

            [StructLayout(LayoutKind.Sequential, Pack = 4)]   // FILETIME is two DWORDs: 4-byte aligned
            public struct ByHandleFileInformation
            {
                public uint FileAttributes;
                public long CreationTime, LastAccessTime, LastWriteTime;
                public uint VolumeSerialNumber, FileSizeHigh, FileSizeLow, NumberOfLinks, FileIndexHigh, FileIndexLow;
            }

            [DllImport("kernel32.dll", SetLastError = true)]
            public static extern int GetFileType(SafeFileHandle handle);

            [DllImport("kernel32.dll", SetLastError = true)]
            [return: MarshalAs(UnmanagedType.Bool)]
            public static extern bool GetFileInformationByHandle(SafeFileHandle handle, out ByHandleFileInformation info);
        }
    }
}
