using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Sessions.Formats
{
    public static partial class LevelDb
    {
        private const string TempMarker = ".wa-rewrite-";

        /// <summary>
        /// Rewrites a closed LevelDB database so that it holds exactly the live records for which
        /// <paramref name="keep"/> is true, and no byte of any other record version. Returns how many live records were
        /// dropped.
        /// </summary>
        /// <remarks>
        /// How: the live records are read (<see cref="ReadLive"/>); a fresh database is written into a new sibling temp
        /// folder (<c>.&lt;name&gt;.wa-rewrite-&lt;random&gt;</c>): a MANIFEST with the same comparator name and a log
        /// holding the kept records as write batches, each record with its original sequence number, under file numbers
        /// above every number in use. The new MANIFEST and log are then moved into the folder, and CURRENT is replaced by
        /// one rename (the switch). Only then is every other LevelDB file of the folder (old logs, tables, MANIFESTs,
        /// <c>LOG</c>, <c>LOG.old</c>, <c>*.dbtmp</c>) overwritten with zeros and deleted. LOCK is kept (created when
        /// missing); the folder itself is not replaced, so its mode, owner and ACLs stay; new files get the mode and owner
        /// of the old CURRENT.
        /// Crash safety: before the switch, CURRENT still names the old MANIFEST and no old file was touched; the new log
        /// has a higher number, so LevelDB replays it into the old database, but it only repeats live records with their
        /// own keys, values and sequence numbers, so the old database reads the same. After the switch the new
        /// database is complete; old files left behind by a crash are not in its MANIFEST (LevelDB deletes them at its
        /// next open, and a second Rewrite does too).
        /// </remarks>
        /// <exception cref="WaHardeningException">SessionStoreUnsafe (a symbolic link or non-regular file in or as the
        /// folder), SessionStoreCorrupt, SessionStoreTooLarge, SessionStoreIoFailed.</exception>
        public static int Rewrite(string directory, Func<byte[], bool> keep) => Rewrite(directory, keep, 2L << 30);

        /// <summary>As <see cref="Rewrite(string, Func{byte[], bool})"/>, reading at most <paramref name="maxTotalBytes"/>
        /// of the old files (the default is 2 GiB).</summary>
        public static int Rewrite(string directory, Func<byte[], bool> keep, long maxTotalBytes)
        {
            if (keep == null) throw new ArgumentNullException(nameof(keep));
            var dir = RequireDirectory(directory);
            CheckNoLinks(dir);
            var state = ReadLiveState(dir, maxTotalBytes);
            var kept = new List<LevelDbRecord>();
            foreach (var r in state.Live) if (keep(r.Key)) kept.Add(r);
            var dropped = state.Live.Count - kept.Count;

            // Numbers above every file of the folder and the MANIFEST's next-file number.
            var max = state.Manifest.NextFile;
            foreach (var f in Directory.GetFiles(dir))
            {
                var name = Path.GetFileName(f);
                ulong n;
                if (name.StartsWith("MANIFEST-", StringComparison.Ordinal) && TryNumber(name.Substring(9), "", out n)) { }
                else if (!(TryNumber(name, ".log", out n) || TryNumber(name, ".ldb", out n) || TryNumber(name, ".sst", out n) || TryNumber(name, ".dbtmp", out n))) continue;
                if (n > max) max = n;
            }
            var manifestNumber = max + 1;
            var logNumber = max + 2;
            var lastSequence = state.Manifest.LastSequence;
            foreach (var r in kept) if (r.Sequence > lastSequence) lastSequence = r.Sequence;

            var manifestName = "MANIFEST-" + manifestNumber.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            var logName = FileName(logNumber, "log");
            var template = Path.Combine(dir, "CURRENT");
            var parent = Path.GetDirectoryName(dir) ?? throw FormatFiles.Unsafe(dir, "has no parent folder for the temporary copy");
            var temp = Path.Combine(parent, "." + Path.GetFileName(dir) + TempMarker + Guid.NewGuid().ToString("N").Substring(0, 12));
            try
            {
                Directory.CreateDirectory(temp);
                if (UnixFileStatus.CanStat && UnixFileStatus.Stat(dir, false, out var dst) == 0) UnixFileStatus.Chmod(temp, dst.Mode & 0x1C0); // owner only while it is built
                WriteNew(Path.Combine(temp, logName), template, s => WriteLog(s, kept));
                WriteNew(Path.Combine(temp, manifestName), template, s => WriteManifest(s, state.Manifest.Comparator, logNumber, logNumber + 1, lastSequence));
                WriteNew(Path.Combine(temp, "CURRENT"), template, s => { var b = Encoding.ASCII.GetBytes(manifestName + "\n"); s.Write(b, 0, b.Length); });

                CheckNoLinks(dir);
                File.Move(Path.Combine(temp, logName), Path.Combine(dir, logName));
                File.Move(Path.Combine(temp, manifestName), Path.Combine(dir, manifestName));
                // The switch: one rename over CURRENT (rename(2) replaces the name, it never follows a link there).
                File.Replace(Path.Combine(temp, "CURRENT"), Path.Combine(dir, "CURRENT"), null, true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                TryDeleteFolder(temp);
                throw new WaHardeningException(ErrorIds.SessionStoreIoFailed, WaErrorCategory.WriteError,
                    $"{dir}: the rewritten database could not be put in place ({e.Message}); the old database is unchanged", dir, e);
            }
            TryDeleteFolder(temp);

            // The old files: none is in the new MANIFEST any more.
            foreach (var f in Directory.GetFiles(dir))
            {
                var name = Path.GetFileName(f);
                if (name == "CURRENT" || name == "LOCK" || name == manifestName || name == logName) continue;
                var ours = name == "LOG" || name == "LOG.old" || (name.StartsWith("MANIFEST-", StringComparison.Ordinal) && TryNumber(name.Substring(9), "", out _))
                    || TryNumber(name, ".log", out _) || TryNumber(name, ".ldb", out _) || TryNumber(name, ".sst", out _) || TryNumber(name, ".dbtmp", out _);
                if (!ours) continue;
                ShredAndDelete(f);
            }
            var lockPath = Path.Combine(dir, "LOCK");
            if (FormatFiles.KindOf(lockPath, out _) == UnixFileKind.Unknown) WriteNew(lockPath, template, _ => { });
            return dropped;
        }

        /// <summary>Refuses a folder that is a symbolic link or holds anything but regular files.</summary>
        private static void CheckNoLinks(string dir)
        {
            var kind = FormatFiles.KindOf(dir, out _);
            if (kind != UnixFileKind.Directory) throw FormatFiles.Unsafe(dir, $"is {FormatFiles.Describe(kind)}, not a folder (a LevelDB folder is rewritten only when it is a real folder)");
            foreach (var e in Directory.GetFileSystemEntries(dir))
            {
                var k = FormatFiles.KindOf(e, out _);
                if (k != UnixFileKind.Regular) throw FormatFiles.Unsafe(e, $"is {FormatFiles.Describe(k)}; a LevelDB folder holding anything but regular files is not rewritten");
            }
        }

        private static void WriteNew(string path, string template, Action<Stream> write)
        {
            using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(true);
            }
            CopyModeAndOwner(template, path);
        }

        private static void CopyModeAndOwner(string template, string path)
        {
            if (!UnixFileStatus.CanStat || UnixFileStatus.Stat(template, false, out var t) != 0 || t.Kind != UnixFileKind.Regular) return;
            if (!UnixFileStatus.Available) { UnixFileStatus.Chmod(path, t.Mode & 0x1FF); return; }
            var fd = UnixFileStatus.OpenNonBlocking(path);
            if (fd < 0) return;
            try
            {
                if (UnixFileStatus.FStat(fd, out var st) != 0 || st.Kind != UnixFileKind.Regular) return;
                if (st.Uid != t.Uid || st.Gid != t.Gid) UnixFileStatus.FChown(fd, t.Uid, t.Gid); // works as root; else the caller's owner stays
                UnixFileStatus.FChmod(fd, t.Mode & 0x1FF);
            }
            finally { UnixFileStatus.Close(fd); }
        }

        /// <summary>Overwrites a regular file with zeros (so a hard link elsewhere keeps no record bytes), then deletes it.</summary>
        private static void ShredAndDelete(string path)
        {
            var kind = FormatFiles.KindOf(path, out var size);
            if (kind == UnixFileKind.Unknown) return;
            if (kind != UnixFileKind.Regular) throw FormatFiles.Unsafe(path, $"is {FormatFiles.Describe(kind)}; not overwritten or deleted");
            try
            {
                using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                    var zeros = new byte[Math.Min(1 << 20, Math.Max(1, size))];
                    long left = fs.Length;
                    while (left > 0) { var n = (int)Math.Min(zeros.Length, left); fs.Write(zeros, 0, n); left -= n; }
                    fs.Flush(true);
                }
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new WaHardeningException(ErrorIds.SessionStoreIoFailed, WaErrorCategory.WriteError,
                    $"{path}: the old LevelDB file could not be overwritten and deleted ({e.Message}); the rewritten database is in place, this file is not part of it", path, e);
            }
        }

        private static void TryDeleteFolder(string temp)
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private static void WriteManifest(Stream s, string comparator, ulong logNumber, ulong nextFile, ulong lastSequence)
        {
            var edit = new MemoryStream();
            PutVarint(edit, 1); PutSlice(edit, Encoding.UTF8.GetBytes(comparator.Length == 0 ? "leveldb.BytewiseComparator" : comparator));
            PutVarint(edit, 2); PutVarint(edit, logNumber);
            PutVarint(edit, 9); PutVarint(edit, 0);
            PutVarint(edit, 3); PutVarint(edit, nextFile);
            PutVarint(edit, 4); PutVarint(edit, lastSequence);
            var w = new LogWriter(s);
            w.Add(edit.GetBuffer(), 0, (int)edit.Length);
        }

        /// <summary>The kept records as write batches, in sequence order; runs of consecutive sequence numbers share one
        /// batch (at most about 1 MiB).</summary>
        private static void WriteLog(Stream s, List<LevelDbRecord> kept)
        {
            var ordered = new List<LevelDbRecord>(kept);
            ordered.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            var w = new LogWriter(s);
            var batch = new MemoryStream();
            var i = 0;
            while (i < ordered.Count)
            {
                batch.SetLength(0);
                var first = ordered[i].Sequence;
                var header = new byte[12];
                for (var k = 0; k < 8; k++) header[k] = (byte)(first >> (8 * k));
                batch.Write(header, 0, 12);
                uint count = 0;
                do
                {
                    var r = ordered[i];
                    batch.WriteByte(1);
                    PutSlice(batch, r.Key);
                    PutSlice(batch, r.Value);
                    count++;
                    i++;
                }
                while (i < ordered.Count && ordered[i].Sequence == first + count && batch.Length < (1 << 20));
                var b = batch.GetBuffer();
                b[8] = (byte)count; b[9] = (byte)(count >> 8); b[10] = (byte)(count >> 16); b[11] = (byte)(count >> 24);
                w.Add(b, 0, (int)batch.Length);
            }
        }

        /// <summary>Writes LevelDB's log format: 32 KiB blocks, records cut into FULL/FIRST/MIDDLE/LAST fragments.</summary>
        internal sealed class LogWriter
        {
            private readonly Stream _s;
            private int _blockOffset;
            private readonly byte[] _header = new byte[HeaderSize];

            public LogWriter(Stream s) { _s = s; }

            public void Add(byte[] b, int offset, int count)
            {
                var begin = true;
                do
                {
                    var left = BlockSize - _blockOffset;
                    if (left < HeaderSize)
                    {
                        for (var i = 0; i < left; i++) _s.WriteByte(0);
                        _blockOffset = 0;
                        left = BlockSize;
                    }
                    var avail = left - HeaderSize;
                    var n = Math.Min(avail, count);
                    var end = n == count;
                    var type = begin && end ? FullType : begin ? FirstType : end ? LastType : MiddleType;
                    var crc = Crc32C.Compute(new[] { (byte)type }, 0, 1);
                    crc = Crc32C.Compute(b, offset, n, crc);
                    crc = Crc32C.Mask(crc);
                    _header[0] = (byte)crc; _header[1] = (byte)(crc >> 8); _header[2] = (byte)(crc >> 16); _header[3] = (byte)(crc >> 24);
                    _header[4] = (byte)n; _header[5] = (byte)(n >> 8); _header[6] = (byte)type;
                    _s.Write(_header, 0, HeaderSize);
                    _s.Write(b, offset, n);
                    _blockOffset += HeaderSize + n;
                    offset += n;
                    count -= n;
                    begin = false;
                }
                while (count > 0);
            }
        }
    }
}
