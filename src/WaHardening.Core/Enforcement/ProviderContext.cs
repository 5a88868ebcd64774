using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using WaHardening.Core.Model;

namespace WaHardening.Core.Enforcement
{
    /// <summary>Result of running an external command.</summary>
    public sealed class CommandResult
    {
        public CommandResult(int exitCode, string output, string error) { ExitCode = exitCode; Output = output; Error = error; }
        public int ExitCode { get; }
        public string Output { get; }
        public string Error { get; }
    }

    /// <summary>Runs external programs (dconf update). Injectable so tests can record the call instead of running it.</summary>
    public interface ICommandRunner
    {
        /// <summary>True when the program can be found (on PATH, or as an absolute path).</summary>
        bool Exists(string program);
        CommandResult Run(string program, IReadOnlyList<string> arguments);
    }

    /// <summary>Runs programs found on PATH.</summary>
    public sealed class ProcessCommandRunner : ICommandRunner
    {
        public bool Exists(string program) => Resolve(program) != null;

        public static string? Resolve(string program)
        {
            if (Path.IsPathRooted(program)) return File.Exists(program) ? program : null;
            var path = Environment.GetEnvironmentVariable("PATH") ?? "";
            foreach (var dir in path.Split(Path.PathSeparator))
            {
                if (dir.Length == 0) continue;
                var candidate = Path.Combine(dir, program);
                if (File.Exists(candidate)) return candidate;
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && File.Exists(candidate + ".exe")) return candidate + ".exe";
            }
            return null;
        }

        public CommandResult Run(string program, IReadOnlyList<string> arguments)
        {
            var exe = Resolve(program) ?? throw new WaHardeningException(ErrorIds.CommandNotFound, WaErrorCategory.ObjectNotFound,
                $"The program '{program}' was not found on PATH.", program);
            var psi = new ProcessStartInfo(exe)
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, CreateNoWindow = true,
                Arguments = string.Join(" ", QuoteAll(arguments)),
            };
            using var p = Process.Start(psi)!;
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return new CommandResult(p.ExitCode, stdoutTask.Result, err);
        }

        private static IEnumerable<string> QuoteAll(IReadOnlyList<string> args)
        {
            foreach (var a in args)
                yield return a.Length > 0 && a.IndexOfAny(new[] { ' ', '\t', '"' }) < 0 ? a : "\"" + a.Replace("\"", "\\\"") + "\"";
        }
    }

    /// <summary>
    /// Everything a provider needs to know about where it runs: the file-system root (a scratch
    /// directory in tests, the real root otherwise), the platform, the registry and the command runner.
    /// Providers name files by their real absolute path (e.g. /etc/chromium/policies/managed) and map
    /// them through <see cref="Map"/>, so a -Root run never touches the real system.
    /// </summary>
    public sealed class ProviderContext
    {
        public ProviderContext(string? root = null, string? platform = null, ICommandRunner? commands = null, IRegistry? registry = null)
        {
            Root = string.IsNullOrEmpty(root) ? null : Path.GetFullPath(root);
            Platform = platform ?? CurrentPlatform();
            Commands = commands ?? new ProcessCommandRunner();
            Registry = registry;
        }

        /// <summary>Scratch root all file paths are placed under; null for the real file system.</summary>
        public string? Root { get; }
        /// <summary>The platform providers act for (Windows, Linux, macOS).</summary>
        public string Platform { get; }
        public ICommandRunner Commands { get; }
        /// <summary>The Windows registry (or an in-memory stand-in); null when there is none.</summary>
        public IRegistry? Registry { get; }
        /// <summary>Receives "reading …"/"writing …" messages (Write-Verbose in the cmdlets).</summary>
        public Action<string>? Log { get; set; }
        /// <summary>Test hook: called before each write operation is applied (may throw to simulate a fault).</summary>
        public Action<WriteOperation>? BeforeApply { get; set; }
        /// <summary>The baseline profiles the audited controls were selected by, with the profiles they include (e.g.
        /// SharedComputer, Standard); null when not known (a profile-less baseline). Read by device-state checks whose rule
        /// depends on the profile (WA-SESSION-04).</summary>
        public IReadOnlyCollection<string>? AuditProfiles { get; set; }

        /// <summary>During an audit: the status of another control of the run's baseline for one target (null when the
        /// baseline has no such control or target). Set by <see cref="Engine.Test"/>; used by device-state checks that depend on
        /// a policy being in force (WA-SESSION-04 reads WA-SESSION-01).</summary>
        public Func<string, string, Evaluation.ComplianceStatus?>? ControlStatus { get; set; }

        /// <summary>How the session clean-up (WA-SESSION-05) runs PowerShell with this module; set by the cmdlets, null in a context
        /// that cannot tell (then the clean-up is SessionCleanupUnavailable).</summary>
        public Sessions.PowerShellHost? PowerShell { get => _powerShell?.Value; set { var v = value; _powerShell = new Lazy<Sessions.PowerShellHost?>(() => v); } }
        private Lazy<Sessions.PowerShellHost?>? _powerShell;

        /// <summary>Finds <see cref="PowerShell"/> only when a provider asks for it (the session clean-up): Test and Set of other
        /// controls never pay for the file checks.</summary>
        public void PowerShellFrom(Func<Sessions.PowerShellHost?> find) => _powerShell = new Lazy<Sessions.PowerShellHost?>(find);
        /// <summary>The input files this run has read and parsed: each is parsed once per run (while unchanged).</summary>
        public Providers.PolicyFileCache Files { get; } = new Providers.PolicyFileCache();

        public void Verbose(string message) => Log?.Invoke(message);

        public static string CurrentPlatform() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Platforms.Windows :
            RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? Platforms.MacOS : Platforms.Linux;

        /// <summary>
        /// The physical path of a real absolute path (under <see cref="Root"/> when set). The path must be canonical and absolute
        /// (<see cref="IsCanonicalAbsolute"/>: no relative path, no <c>.</c>, <c>..</c> or empty segment), and the result must lie
        /// below the root: anything else is <c>PathOutsideRoot</c>, so no path can lead a run outside its root.
        /// </summary>
        public string Map(string path)
        {
            if (!IsCanonicalAbsolute(path))
                throw new WaHardeningException(ErrorIds.PathOutsideRoot, WaErrorCategory.InvalidArgument,
                    $"'{path}' is not a canonical absolute path (relative, or with '.', '..' or empty segments); the module only writes to absolute paths of its own. Nothing was changed.", path);
            if (Root == null) return path;
            var rel = path;
            if (rel.Length >= 2 && rel[1] == ':') rel = rel.Substring(2); // drive letter
            rel = rel.TrimStart('/', '\\');
            var mapped = Path.GetFullPath(Path.Combine(Root, rel.Replace('/', Path.DirectorySeparatorChar).Replace('\\', Path.DirectorySeparatorChar)));
            if (!IsUnder(mapped, Root))
                throw new WaHardeningException(ErrorIds.PathOutsideRoot, WaErrorCategory.InvalidArgument,
                    $"'{path}' maps to '{mapped}', which is not under the root '{Root}'. Nothing was changed.", path);
            return mapped;
        }

        /// <summary>
        /// True for an absolute path in canonical form: starts with '/' or '\\' (or a drive letter and one of them), and no segment
        /// is empty, '.' or '..'; no NUL. The module's own paths always are; a backup's paths must be.
        /// </summary>
        public static bool IsCanonicalAbsolute(string? path)
        {
            if (string.IsNullOrEmpty(path) || path!.IndexOf('\0') >= 0) return false;
            var p = path;
            if (p.Length >= 3 && char.IsLetter(p[0]) && p[1] == ':') p = p.Substring(2);
            if (p.Length == 0 || (p[0] != '/' && p[0] != '\\')) return false;
            if (p.Length == 1) return true;
            foreach (var seg in p.Substring(1).Split('/', '\\'))
                if (seg.Length == 0 || seg == "." || seg == "..") return false;
            return true;
        }

        private static StringComparison PathComparison =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        /// <summary>True when <paramref name="full"/> is <paramref name="root"/> or lies below it (both full paths).</summary>
        private static bool IsUnder(string full, string root)
        {
            var r = root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (string.Equals(full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), r, PathComparison)) return true;
            return full.Length > r.Length && full.StartsWith(r, PathComparison)
                && (full[r.Length] == Path.DirectorySeparatorChar || full[r.Length] == Path.AltDirectorySeparatorChar);
        }

        /// <summary>True when two roots (null = the real system) name the same folder.</summary>
        public static bool SameRoot(string? a, string? b)
        {
            if (a == null || b == null) return a == null && b == null;
            string Norm(string x) => Path.GetFullPath(x).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return string.Equals(Norm(a), Norm(b), PathComparison);
        }

        /// <summary>
        /// The physical path of a real path the module writes, reads to merge, or deletes: <see cref="Map"/>, then
        /// <see cref="CheckNoLinks"/> (no symbolic link at any component below the root, the final name included).
        /// </summary>
        public string Physical(string path)
        {
            var physical = Map(path);
            CheckNoLinks(physical);
            return physical;
        }

        /// <summary>
        /// Refuses (<c>PathIsLink</c>, naming it) a symbolic link or other reparse point at any existing component of
        /// <paramref name="physicalPath"/> below the root, the final name included: a link there would send the module's
        /// writes, deletes or reads elsewhere. Without a root the check starts at the file system's root, and the operating
        /// system's own top-level links (macOS /etc → private/etc, merged-/usr /lib) are accepted. A path outside the root
        /// (a -BackupPath the user named) has only its final name checked. Components that do not exist yet end the check
        /// (the module creates them as real folders).
        /// </summary>
        public void CheckNoLinks(string physicalPath)
        {
            var full = Path.GetFullPath(physicalPath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            string start;
            if (Root != null && IsUnder(full, Root)) start = Root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            else if (Root != null) { CheckNotLink(full); return; }
            else start = Path.GetPathRoot(full) ?? "";
            var rest = full.Substring(start.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (rest.Length == 0) return;
            var current = start;
            var depth = 0;
            foreach (var seg in rest.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))
            {
                current = current.Length == 0 || current.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)
                    ? current + seg : current + Path.DirectorySeparatorChar + seg;
                depth++;
                var attrs = Attributes(current);
                if (attrs == null) return;
                if ((attrs.Value & FileAttributes.ReparsePoint) != 0 && !(Root == null && depth == 1))
                    throw LinkError(current, full);
            }
        }

        /// <summary>Refuses a link at exactly this path.</summary>
        public static void CheckNotLink(string physicalPath)
        {
            var attrs = Attributes(physicalPath);
            if (attrs != null && (attrs.Value & FileAttributes.ReparsePoint) != 0) throw LinkError(physicalPath, physicalPath);
        }

        private static FileAttributes? Attributes(string path)
        {
            try { return File.GetAttributes(path); } // the link itself, not its target (a dangling link too)
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException) { return null; }
        }

        private static WaHardeningException LinkError(string link, string full) => new WaHardeningException(ErrorIds.PathIsLink, WaErrorCategory.PermissionDenied,
            $"'{link}' is a symbolic link (or another reparse point){(link == full ? "" : $" on the way to '{full}'")}; WaHardening never follows a link at a path it writes, " +
            "deletes or merges (it would act on the link's target instead). Replace it with a real file or folder; nothing was changed.", link);

        /// <summary>
        /// The inverse of <see cref="Map"/>: the real path whose physical path is <paramref name="physicalPath"/> (for a folder the
        /// user named, such as a local GPO). Without a root that is the path itself; with a root the path must lie under it
        /// (<c>PathOutsideRoot</c> otherwise, so a -Root run never writes elsewhere).
        /// </summary>
        public string Unmap(string physicalPath)
        {
            var full = Path.GetFullPath(physicalPath);
            if (Root == null) return full;
            var root = Root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (full.Length > root.Length && IsUnder(full, root))
                return "/" + full.Substring(root.Length + 1).Replace('\\', '/');
            throw new WaHardeningException(ErrorIds.PathOutsideRoot, WaErrorCategory.InvalidArgument,
                $"'{full}' is not under the root '{Root}'; with a root every path the module writes must lie below it. Nothing was changed.", full);
        }

        /// <summary>The module's data directory (backups, lock file): /var/lib/wa-hardening or %ProgramData%\WaHardening.</summary>
        public string DataDirectory => Platform == Platforms.Windows
            ? Map(Path.Combine(Root == null ? Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData) : "/ProgramData", "WaHardening"))
            : Map("/var/lib/wa-hardening");

        public string DefaultBackupDirectory => Path.Combine(DataDirectory, "backups");
    }
}
