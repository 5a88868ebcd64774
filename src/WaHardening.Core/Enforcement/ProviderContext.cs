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
            var exe = Resolve(program) ?? throw new WaHardeningException("CommandNotFound", WaErrorCategory.ObjectNotFound,
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
        /// <summary>The input files this run has read and parsed: each is parsed once per run (while unchanged).</summary>
        public Providers.PolicyFileCache Files { get; } = new Providers.PolicyFileCache();

        public void Verbose(string message) => Log?.Invoke(message);

        public static string CurrentPlatform() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Platforms.Windows :
            RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? Platforms.MacOS : Platforms.Linux;

        /// <summary>The physical path of a real absolute path (under <see cref="Root"/> when set).</summary>
        public string Map(string path)
        {
            if (Root == null) return path;
            var rel = path;
            if (rel.Length >= 2 && rel[1] == ':') rel = rel.Substring(2); // drive letter
            rel = rel.TrimStart('/', '\\');
            return Path.Combine(Root, rel.Replace('/', Path.DirectorySeparatorChar).Replace('\\', Path.DirectorySeparatorChar));
        }

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
            var cmp = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (full.Length > root.Length && full.StartsWith(root, cmp) && (full[root.Length] == Path.DirectorySeparatorChar || full[root.Length] == Path.AltDirectorySeparatorChar))
                return "/" + full.Substring(root.Length + 1).Replace('\\', '/');
            throw new WaHardeningException("PathOutsideRoot", WaErrorCategory.InvalidArgument,
                $"'{full}' is not under the root '{Root}'; with a root every path the module writes must lie below it. Nothing was changed.", full);
        }

        /// <summary>The module's data directory (backups, lock file): /var/lib/wa-hardening or %ProgramData%\WaHardening.</summary>
        public string DataDirectory => Platform == Platforms.Windows
            ? Map(Path.Combine(Root == null ? Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData) : "/ProgramData", "WaHardening"))
            : Map("/var/lib/wa-hardening");

        public string DefaultBackupDirectory => Path.Combine(DataDirectory, "backups");
    }
}
