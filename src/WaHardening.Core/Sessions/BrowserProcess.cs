using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using WaHardening.Core.Platform;

namespace WaHardening.Core.Sessions
{
    /// <summary>The account a browser is started as: the owner of the profile it clears (so every file the browser
    /// writes there stays that user's). <see cref="Current"/> means "as this process".</summary>
    public sealed class BrowserAccount
    {
        private BrowserAccount(uint uid, uint gid, string name, string home, bool current)
        {
            Uid = uid; Gid = gid; Name = name; Home = home; IsCurrent = current;
        }

        public uint Uid { get; }
        public uint Gid { get; }
        public string Name { get; }
        /// <summary>The account's home folder from the password database ("" when unknown).</summary>
        public string Home { get; }
        /// <summary>True when the browser runs as this process's own account (no user switch).</summary>
        public bool IsCurrent { get; }

        [DllImport("libc", EntryPoint = "geteuid")]
        private static extern uint geteuid();

        /// <summary>This process's effective uid on Linux/macOS; null on Windows.</summary>
        public static uint? EffectiveUid()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return null;
            try { return geteuid(); } catch (DllNotFoundException) { return null; } catch (EntryPointNotFoundException) { return null; }
        }

        public static BrowserAccount Current() => new BrowserAccount(0, 0, Environment.UserName, "", true);

        /// <summary>
        /// The account to run a browser as for the profile folder <paramref name="profileFolder"/>: on Linux, when this
        /// process is root and the folder belongs to another uid, that uid (with its primary group from /etc/passwd, or
        /// the folder's group); otherwise the current account. A root-owned profile is cleared as root.
        /// </summary>
        public static BrowserAccount ForProfile(string profileFolder)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !UnixFileStatus.CanStat) return Current();
            var euid = EffectiveUid();
            if (euid != 0) return Current();
            var rc = UnixFileStatus.Stat(profileFolder, follow: false, out var st);
            if (rc != 0)
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.ReadError,
                    $"Cannot read the owner of the profile folder '{profileFolder}': {UnixFileStatus.Message(rc)}.", profileFolder);
            if (st.Kind != UnixFileKind.Directory)
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidData,
                    $"The profile folder '{profileFolder}' is a {UnixFileStatus.Describe(st.Kind)}, not a folder; nothing is cleared.", profileFolder);
            if (st.Uid == 0) return Current();
            var (name, gid, home) = LookUp(st.Uid);
            return new BrowserAccount(st.Uid, gid ?? st.Gid, name ?? st.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), home ?? "", false);
        }

        private static (string? name, uint? gid, string? home) LookUp(uint uid)
        {
            // /etc/passwd: name:x:uid:gid:gecos:home:shell. Bounded read; a malformed line is skipped.
            try
            {
                var fi = new FileInfo("/etc/passwd");
                if (!fi.Exists || fi.Length > 16 * 1024 * 1024) return (null, null, null);
                foreach (var line in File.ReadAllLines(fi.FullName))
                {
                    var f = line.Split(':');
                    if (f.Length < 7 || !uint.TryParse(f[2], out var u) || u != uid) continue;
                    return (f[0], uint.TryParse(f[3], out var g) ? g : (uint?)null, f[5]);
                }
            }
            catch (IOException) { } catch (UnauthorizedAccessException) { }
            return (null, null, null);
        }
    }

    /// <summary>
    /// A browser process the clear started: started as the profile's owner (through <c>setpriv</c> when root clears
    /// another user's profile), its pipes drained (the last part of stderr kept for error messages), ended by PID only.
    /// </summary>
    internal sealed class BrowserProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new StringBuilder();
        private readonly string? _privateHome;
        private const int StderrKeep = 8192;

        private BrowserProcess(Process p, string? privateHome) { _process = p; _privateHome = privateHome; }

        public int Id => _process.Id;
        public bool HasExited => _process.HasExited;
        public int ExitCode => _process.ExitCode;

        public string StandardErrorTail
        {
            get { lock (_stderr) return _stderr.ToString(); }
        }

        public static BrowserProcess Start(string executable, IReadOnlyList<string> arguments, BrowserAccount account,
            IDictionary<string, string>? environment = null)
        {
            string file = executable;
            var args = new List<string>();
            string? privateHome = null;
            string? home = null;
            if (!account.IsCurrent)
            {
                var setpriv = FindOnPath("setpriv", "/usr/bin/setpriv", "/bin/setpriv");
                if (setpriv == null)
                    throw new WaHardeningException(ErrorIds.CommandNotFound, WaErrorCategory.ObjectNotFound,
                        "setpriv (util-linux) is needed to run the browser as the profile's owner, and it is not installed.", "setpriv");
                file = setpriv;
                args.Add($"--reuid={account.Uid}");
                args.Add($"--regid={account.Gid}");
                args.Add("--init-groups");
                args.Add("--");
                args.Add(executable);
                home = account.Home;
                if (string.IsNullOrEmpty(home) || !Directory.Exists(home))
                {
                    // The account has no home (e.g. a service account): a private one for this run, removed afterwards.
                    privateHome = Path.Combine(Path.GetTempPath(), "wah-home-" + Guid.NewGuid().ToString("N"));
                    Directory.CreateDirectory(privateHome);
                    UnixFileStatus.Chmod(privateHome, Convert.ToInt32("700", 8));
                    Chown(privateHome, account.Uid, account.Gid);
                    home = privateHome;
                }
            }
            args.AddRange(arguments);
            var psi = new ProcessStartInfo(file, Quote(args))
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            if (home != null)
            {
                // Another user's browser must not use root's runtime folders or home.
                foreach (var k in new[] { "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "DBUS_SESSION_BUS_ADDRESS", "XAUTHORITY" })
                    psi.Environment.Remove(k);
                psi.Environment["HOME"] = home;
                psi.Environment["USER"] = account.Name;
                psi.Environment["LOGNAME"] = account.Name;
            }
            if (environment != null) foreach (var kv in environment) psi.Environment[kv.Key] = kv.Value;
            Process p;
            try { p = Process.Start(psi) ?? throw new InvalidOperationException("no process"); }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                if (privateHome != null) TryDelete(privateHome);
                throw new WaHardeningException(ErrorIds.WebSessionBrowserFailed, WaErrorCategory.InvalidOperation,
                    $"Cannot start '{file}': {e.Message}", executable, e);
            }
            var bp = new BrowserProcess(p, privateHome);
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (bp._stderr)
                {
                    bp._stderr.AppendLine(e.Data);
                    if (bp._stderr.Length > StderrKeep) bp._stderr.Remove(0, bp._stderr.Length - StderrKeep);
                }
            };
            p.OutputDataReceived += (_, e) => { };
            p.BeginErrorReadLine();
            p.BeginOutputReadLine();
            return bp;
        }

        /// <summary>Waits for the exit; false on timeout.</summary>
        public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit((int)Math.Min(int.MaxValue, Math.Max(0, timeout.TotalMilliseconds)));

        /// <summary>Kills this process (by its PID, SIGKILL) and waits a little for it.</summary>
        public void Kill()
        {
            try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
            _process.WaitForExit(10000);
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
            if (_privateHome != null) TryDelete(_privateHome);
        }

        private static void TryDelete(string dir)
        {
            try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
        private static extern int lchown(byte[] path, uint uid, uint gid);

        internal static void Chown(string path, uint uid, uint gid)
        {
            var bytes = Encoding.UTF8.GetBytes(path + "\0");
            if (lchown(bytes, uid, gid) != 0)
                throw new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.PermissionDenied,
                    $"Cannot give '{path}' to uid {uid}: {UnixFileStatus.Message(Marshal.GetLastWin32Error())}.", path);
        }

        internal static string? FindOnPath(string name, params string[] candidates)
        {
            foreach (var c in candidates) if (File.Exists(c)) return c;
            var path = Environment.GetEnvironmentVariable("PATH") ?? "";
            foreach (var dir in path.Split(Path.PathSeparator))
            {
                if (dir.Length == 0) continue;
                var f = Path.Combine(dir, name);
                if (File.Exists(f)) return f;
            }
            return null;
        }

        /// <summary>Joins arguments the way .NET splits ProcessStartInfo.Arguments again (the Windows argv rules, used on
        /// every platform): quotes around arguments with spaces or quotes, backslashes before a quote doubled.</summary>
        internal static string Quote(IEnumerable<string> args)
        {
            var sb = new StringBuilder();
            foreach (var a in args)
            {
                if (sb.Length > 0) sb.Append(' ');
                if (a.Length > 0 && a.IndexOfAny(new[] { ' ', '\t', '"', '\n' }) < 0) { sb.Append(a); continue; }
                sb.Append('"');
                int backslashes = 0;
                foreach (var ch in a)
                {
                    if (ch == '\\') { backslashes++; continue; }
                    if (ch == '"') { sb.Append('\\', backslashes * 2 + 1); sb.Append('"'); backslashes = 0; continue; }
                    sb.Append('\\', backslashes); backslashes = 0; sb.Append(ch);
                }
                sb.Append('\\', backslashes * 2);
                sb.Append('"');
            }
            return sb.ToString();
        }
    }
}
