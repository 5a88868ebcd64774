using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Text;
using WaHardening.Core.Model;

namespace WaHardening.Core.Sessions
{
    /// <summary>How the clean-up runs PowerShell with this module: the PowerShell executable (and, for a framework-dependent
    /// pwsh such as the .NET tool, the arguments before PowerShell's own, e.g. the path of pwsh.dll) and the module manifest.</summary>
    public sealed class PowerShellHost
    {
        public PowerShellHost(string program, IReadOnlyList<string> leadingArguments, string moduleManifest)
        { Program = program; LeadingArguments = leadingArguments; ModuleManifest = moduleManifest; }

        public string Program { get; }
        public IReadOnlyList<string> LeadingArguments { get; }
        /// <summary>Full path of WaHardening.psd1, or the module name "WaHardening" when it is found through PSModulePath (exports).</summary>
        public string ModuleManifest { get; }

        /// <summary>The host the exports name: PowerShell found through PSModulePath on the device (the module installed for all users).</summary>
        public static PowerShellHost Installed(string program) => new PowerShellHost(program, Array.Empty<string>(), "WaHardening");
    }

    /// <summary>One trigger of the clean-up: a setting of WA-SESSION-05 (its name), and how each platform runs it.</summary>
    public sealed class CleanupTrigger
    {
        internal CleanupTrigger(string setting, string description, bool allUsers, string systemdUnitFolder, string systemdWantedBy, string windowsTask, string launchdFolder, string launchdLabel)
        {
            Setting = setting; Description = description; AllUsers = allUsers; SystemdUnitFolder = systemdUnitFolder; SystemdWantedBy = systemdWantedBy;
            WindowsTask = windowsTask; LaunchdFolder = launchdFolder; LaunchdLabel = launchdLabel;
        }

        /// <summary>The setting name in the baseline (SessionCleanup target): AtBoot or AtLogon.</summary>
        public string Setting { get; }
        public string Description { get; }
        /// <summary>At boot the clean-up runs as root/SYSTEM for every user; at logon as the user, for that user.</summary>
        public bool AllUsers { get; }
        /// <summary>systemd: the unit folder (system units run as root, user units in each user's manager).</summary>
        public string SystemdUnitFolder { get; }
        /// <summary>systemd: the target that pulls the unit in, through a drop-in (no symlink is created).</summary>
        public string SystemdWantedBy { get; }
        /// <summary>The Task Scheduler path of the Windows task.</summary>
        public string WindowsTask { get; }
        /// <summary>macOS: /Library/LaunchDaemons (boot, root) or /Library/LaunchAgents (each user's login).</summary>
        public string LaunchdFolder { get; }
        public string LaunchdLabel { get; }

        public string SystemdUnitFile => SystemdUnitFolder + "/" + SessionCleanup.UnitName;
        public string SystemdDropIn => SystemdUnitFolder + "/" + SystemdWantedBy + ".d/" + SessionCleanup.DropInName;
        public string LaunchdFile => LaunchdFolder + "/" + LaunchdLabel + ".plist";

        /// <summary>The PowerShell command the clean-up runs.</summary>
        public string Command(PowerShellHost host) =>
            $"$ErrorActionPreference = 'Continue'; Import-Module {Quote(host.ModuleManifest)} -ErrorAction Stop; " +
            $"Get-WaWebSession{(AllUsers ? " -AllUsers" : "")} | Clear-WaWebSession -Confirm:$false";

        /// <summary>The full argument list after the program: leading arguments, then PowerShell's, the command base64-encoded
        /// (UTF-16LE, as -EncodedCommand takes it) so no service manager's quoting or variable expansion can change it.</summary>
        public IReadOnlyList<string> Arguments(PowerShellHost host) => host.LeadingArguments.Concat(new[]
        {
            "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand",
            Convert.ToBase64String(Encoding.Unicode.GetBytes(Command(host))),
        }).ToList();

        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
    }

    /// <summary>
    /// The boot and logon clean-up of stored web sessions (WA-SESSION-05, issue #16): the one definition of its names, the
    /// command it runs and every form it takes — systemd units (Linux, written by Set-WaHardening), Task Scheduler tasks
    /// (Windows, registered by Set-WaHardening through schtasks), launchd property lists (macOS, exported).
    /// </summary>
    public static class SessionCleanup
    {
        public const string UnitName = "wa-hardening-session-cleanup.service";
        /// <summary>How long one run of the clean-up may take before the service manager stops it.</summary>
        public const int TimeLimitMinutes = 10;
        public const string DropInName = "wa-hardening-session-cleanup.conf";
        public const string AtBoot = "AtBoot";
        public const string AtLogon = "AtLogon";

        public static readonly IReadOnlyList<CleanupTrigger> Triggers = new[]
        {
            new CleanupTrigger(AtBoot, "at boot, for every user, before anyone can log on", true,
                "/etc/systemd/system", "multi-user.target", @"\WaHardening\SessionCleanupAtBoot", "/Library/LaunchDaemons", "com.wahardening.session-cleanup"),
            new CleanupTrigger(AtLogon, "at each logon, for the user logging on, before the desktop starts", false,
                "/etc/systemd/user", "default.target", @"\WaHardening\SessionCleanupAtLogon", "/Library/LaunchAgents", "com.wahardening.session-cleanup-logon"),
        };

        public static CleanupTrigger? Find(string setting) => Triggers.FirstOrDefault(t => string.Equals(t.Setting, setting, StringComparison.Ordinal));

        // ------------------------------------------------------------ systemd

        /// <summary>The unit file. ExecStart quoting per systemd.service(5) ("Command lines"): each argument in double quotes
        /// with \ and " escaped, '%' doubled (specifiers) and '$' doubled (variable expansion).</summary>
        public static string SystemdUnit(CleanupTrigger t, PowerShellHost host)
        {
            var sb = new StringBuilder();
            sb.Append("# Written by WaHardening (Set-WaHardening, WA-SESSION-05); Undo-WaHardening removes it.\n");
            sb.Append("# Runs: ").Append(OneLine(t.Command(host))).Append('\n');
            sb.Append("[Unit]\n");
            sb.Append("Description=WaHardening: end stored WhatsApp Web sessions ").Append(t.Description).Append('\n');
            if (t.AllUsers)
            {
                sb.Append("After=local-fs.target\n");
                sb.Append("Before=display-manager.service systemd-user-sessions.service\n");
            }
            else
            {
                sb.Append("Before=graphical-session-pre.target\n");
            }
            // A oneshot unit has no start timeout by default; the boot unit runs before the display manager, so bound it
            // (each browser's clear has its own 30-second limits; this is the whole run's).
            sb.Append("\n[Service]\nType=oneshot\nTimeoutStartSec=").Append(TimeLimitMinutes).Append("min\n");
            sb.Append("ExecStart=").Append(string.Join(" ", new[] { host.Program }.Concat(t.Arguments(host)).Select(SystemdArg))).Append('\n');
            return sb.ToString();
        }

        /// <summary>The drop-in that makes the target want the unit (enabling it without a symlink).</summary>
        public static string SystemdDropIn(CleanupTrigger t) =>
            "# Written by WaHardening (Set-WaHardening, WA-SESSION-05); Undo-WaHardening removes it.\n[Unit]\nWants=" + UnitName + "\n";

        private static string SystemdArg(string a) =>
            "\"" + a.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("%", "%%").Replace("$", "$$") + "\"";

        private static string OneLine(string s) => s.Replace("\r", " ").Replace("\n", " ");

        // ------------------------------------------------------------ Windows Task Scheduler

        /// <summary>The task definition (Task Scheduler schema 1.2, learn.microsoft.com/windows/win32/taskschd/task-scheduler-schema):
        /// at boot as SYSTEM (S-1-5-18); at logon of any user, as that user (the Users group S-1-5-32-545, least privilege).</summary>
        public static string TaskXml(CleanupTrigger t, PowerShellHost host)
        {
            string X(string s) => SecurityElement.Escape(s) ?? "";
            var sb = new StringBuilder();
            sb.Append("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n");
            sb.Append("<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n");
            sb.Append("  <RegistrationInfo>\r\n    <Author>WaHardening</Author>\r\n");
            sb.Append("    <Description>").Append(X("WA-SESSION-05: end stored WhatsApp Web sessions " + t.Description + ". Written by Set-WaHardening; Undo-WaHardening removes it.")).Append("</Description>\r\n");
            sb.Append("  </RegistrationInfo>\r\n  <Triggers>\r\n");
            sb.Append(t.AllUsers ? "    <BootTrigger>\r\n      <Enabled>true</Enabled>\r\n    </BootTrigger>\r\n"
                                 : "    <LogonTrigger>\r\n      <Enabled>true</Enabled>\r\n    </LogonTrigger>\r\n");
            sb.Append("  </Triggers>\r\n  <Principals>\r\n    <Principal id=\"Author\">\r\n");
            sb.Append(t.AllUsers ? "      <UserId>S-1-5-18</UserId>\r\n      <RunLevel>HighestAvailable</RunLevel>\r\n"
                                 : "      <GroupId>S-1-5-32-545</GroupId>\r\n      <RunLevel>LeastPrivilege</RunLevel>\r\n");
            sb.Append("    </Principal>\r\n  </Principals>\r\n  <Settings>\r\n");
            sb.Append("    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\r\n");
            sb.Append("    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\r\n    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\r\n");
            sb.Append("    <ExecutionTimeLimit>PT").Append(TimeLimitMinutes).Append("M</ExecutionTimeLimit>\r\n    <Enabled>true</Enabled>\r\n  </Settings>\r\n");
            sb.Append("  <Actions Context=\"Author\">\r\n    <Exec>\r\n");
            sb.Append("      <Command>").Append(X(host.Program)).Append("</Command>\r\n");
            sb.Append("      <Arguments>").Append(X(WindowsCommandLine(t.Arguments(host)))).Append("</Arguments>\r\n");
            sb.Append("    </Exec>\r\n  </Actions>\r\n</Task>\r\n");
            return sb.ToString();
        }

        /// <summary>Arguments joined as CommandLineToArgvW splits them (quotes where needed, backslashes before quotes doubled).</summary>
        public static string WindowsCommandLine(IEnumerable<string> args) => string.Join(" ", args.Select(a =>
        {
            if (a.Length > 0 && a.IndexOfAny(new[] { ' ', '\t', '"' }) < 0) return a;
            var sb = new StringBuilder("\"");
            var slashes = 0;
            foreach (var c in a)
            {
                if (c == '\\') { slashes++; continue; }
                sb.Append('\\', c == '"' ? slashes * 2 + 1 : slashes);
                slashes = 0;
                sb.Append(c);
            }
            return sb.Append('\\', slashes * 2).Append('"').ToString();
        }));

        // ------------------------------------------------------------ macOS launchd

        /// <summary>The launchd property list (launchd.plist(5)): RunAtLoad, so a LaunchDaemon runs at boot and a LaunchAgent at
        /// each user's login; ProgramArguments holds the program and its arguments as they are (launchd does no quoting).</summary>
        public static string LaunchdPlist(CleanupTrigger t, PowerShellHost host)
        {
            string X(string s) => SecurityElement.Escape(s) ?? "";
            var sb = new StringBuilder();
            sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            sb.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
            sb.Append("<plist version=\"1.0\">\n<dict>\n");
            sb.Append("\t<key>Label</key>\n\t<string>").Append(X(t.LaunchdLabel)).Append("</string>\n");
            sb.Append("\t<key>ProgramArguments</key>\n\t<array>\n");
            foreach (var a in new[] { host.Program }.Concat(t.Arguments(host))) sb.Append("\t\t<string>").Append(X(a)).Append("</string>\n");
            sb.Append("\t</array>\n");
            sb.Append("\t<key>RunAtLoad</key>\n\t<true/>\n");
            sb.Append("</dict>\n</plist>\n");
            return sb.ToString();
        }

        /// <summary>Where PowerShell 7 is installed on macOS by Microsoft's package (learn.microsoft.com/powershell/scripting/install/installing-powershell-on-macos).</summary>
        public const string MacPwsh = "/usr/local/bin/pwsh";

        /// <summary>Where Microsoft's Linux packages install PowerShell 7 (learn.microsoft.com/powershell/scripting/install/install-debian).</summary>
        public const string LinuxPwsh = "/usr/bin/pwsh";
    }
}
