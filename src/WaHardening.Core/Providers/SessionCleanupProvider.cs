using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// WA-SESSION-05, the clean-up of stored web sessions at boot and at logon (issue #16). Linux: a system unit (boot, root,
    /// every user) and a user unit (each user's manager at logon), each pulled in by a <c>Wants=</c> drop-in of its target —
    /// files only, no symlink, so the engine's backup and Undo cover them; then <c>systemctl daemon-reload</c>. Windows: two
    /// Task Scheduler tasks through schtasks. A setting is compliant when what is installed is exactly what this module would
    /// install for the PowerShell that runs it (the same program, module and command).
    /// </summary>
    public sealed class SessionCleanupProvider : ISettingProvider
    {
        public const string DaemonReload = "daemon-reload";

        public string Name => "SessionCleanup";
        public bool Serves(string target, string platform) => target == Targets.SessionCleanup && Targets.Get(Targets.SessionCleanup).Platforms.Contains(platform);
        public bool CanWrite(string target) => true;

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            if (ctx.Platform == Platforms.Windows) { reason = "Task Scheduler"; return true; }
            if (ctx.Platform == Platforms.MacOS) { reason = "launchd"; return true; }
            if (Targets.Get(Targets.SessionCleanup).LinuxBinaries.FirstOrDefault(b => FileHelpers.Exists(ctx, b)) is string bin) { reason = $"systemd is installed ({bin})"; return true; }
            reason = "systemd is not installed (no systemctl): the boot and logon clean-up needs it";
            return false;
        }

        private static CleanupTrigger Trigger(SettingDefinition s) => SessionCleanup.Find(s.Name) ?? throw new WaHardeningException(ErrorIds.BaselineInvalid,
            WaErrorCategory.InvalidData, $"The SessionCleanup setting '{s.Name}' is not one of {string.Join(", ", SessionCleanup.Triggers.Select(t => t.Setting))}.", s.Name);

        private static PowerShellHost Host(ProviderContext ctx) => ctx.PowerShell ?? throw new WaHardeningException(ErrorIds.SessionCleanupUnavailable,
            WaErrorCategory.ResourceUnavailable, "The session clean-up needs to know which PowerShell and module to run; none was given (run it from the WaHardening cmdlets).");

        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            var t = Trigger(s);
            if (ctx.Platform == Platforms.MacOS)
            {
                // macOS is enforced by the export (macos/launchd): compliant when the exported property list is installed as it is.
                var where = $"{t.LaunchdFile} (launchd)";
                var have = FileHelpers.ReadBytes(ctx, t.LaunchdFile);
                if (have == null) return new ReadResult(null, where);
                return FileHelpers.SameBytes(have, Utf8(SessionCleanup.LaunchdPlist(t, PowerShellHost.Installed(SessionCleanup.MacPwsh))))
                    ? new ReadResult(new JsonBoolean(true), where)
                    : new ReadResult(new JsonBoolean(false), where, problem: $"{t.LaunchdFile} differs from the exported macos/launchd/{t.LaunchdLabel}.plist");
            }
            var host = Host(ctx);
            if (ctx.Platform == Platforms.Windows)
            {
                var where = $"Task Scheduler {t.WindowsTask}";
                var xml = ScheduledTasks.Query(ctx, t.WindowsTask);
                if (xml == null) return new ReadResult(null, where);
                var have = ScheduledTasks.Summary(xml);
                var want = ScheduledTasks.Summary(SessionCleanup.TaskXml(t, host));
                return have != null && have.Equals(want)
                    ? new ReadResult(new JsonBoolean(true), where)
                    : new ReadResult(new JsonBoolean(false), where, problem: $"the task runs '{have?.Command} {have?.Arguments}' on '{have?.Triggers}', not this module's clean-up");
            }
            var unitWhere = $"{t.SystemdUnitFile} (wanted by {t.SystemdWantedBy} through {t.SystemdDropIn})";
            var unit = FileHelpers.ReadBytes(ctx, t.SystemdUnitFile);
            var dropIn = FileHelpers.ReadBytes(ctx, t.SystemdDropIn);
            if (unit == null && dropIn == null) return new ReadResult(null, unitWhere);
            if (unit == null) return new ReadResult(new JsonBoolean(false), unitWhere, problem: $"{t.SystemdUnitFile} is missing");
            if (!FileHelpers.SameBytes(unit, Utf8(SessionCleanup.SystemdUnit(t, host))))
                return new ReadResult(new JsonBoolean(false), unitWhere, problem: $"{t.SystemdUnitFile} differs from the unit this module writes (edited, or written for another PowerShell or module path)");
            if (dropIn == null || !FileHelpers.SameBytes(dropIn, Utf8(SessionCleanup.SystemdDropIn(t))))
                return new ReadResult(new JsonBoolean(false), unitWhere, problem: $"the unit is not enabled: {t.SystemdDropIn} is missing or differs");
            return new ReadResult(new JsonBoolean(true), unitWhere);
        }

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx)
        {
            var plan = new ProviderPlan();
            if (ctx.Platform == Platforms.MacOS)
                throw new WaHardeningException(ErrorIds.NotEnforceable, WaErrorCategory.NotImplemented,
                    "On macOS the session clean-up is installed from the export (macos/launchd/*.plist), not by Set-WaHardening.");
            var host = Host(ctx);
            if (ctx.Platform == Platforms.Linux) CheckRootOwned(host);
            foreach (var item in items)
            {
                var t = Trigger(item.Setting);
                if (item.Desired is not JsonBoolean b || !b.Value) continue; // the clean-up is installed, never "uninstalled" by a setting: Undo removes it
                if (ctx.Platform == Platforms.Windows)
                {
                    plan.Operations.Add(new ScheduledTaskOperation(t.WindowsTask, SessionCleanup.TaskXml(t, host), $"WA-SESSION-05 {t.Setting}"));
                    continue;
                }
                var unit = Utf8(SessionCleanup.SystemdUnit(t, host));
                var unitNow = FileHelpers.ReadBytes(ctx, t.SystemdUnitFile);
                if (!FileHelpers.SameBytes(unitNow, unit)) plan.Operations.Add(new FileWriteOperation(t.SystemdUnitFile, unit, $"session clean-up {t.Setting}", unitNow));
                var dropIn = Utf8(SessionCleanup.SystemdDropIn(t));
                var dropInNow = FileHelpers.ReadBytes(ctx, t.SystemdDropIn);
                if (!FileHelpers.SameBytes(dropInNow, dropIn)) plan.Operations.Add(new FileWriteOperation(t.SystemdDropIn, dropIn, $"enables the clean-up {t.Setting}", dropInNow));
            }
            if (ctx.Platform == Platforms.Linux && plan.Operations.Count > 0) plan.PostActions.Add(new PostAction(Name, DaemonReload));
            return plan;
        }

        /// <summary>systemctl daemon-reload, when this run changes the real system and systemd is the running init
        /// (/run/systemd/system exists, sd_booted(3)); a -Root run or a container without systemd has nothing to reload.</summary>
        public void RunPostAction(string action, ProviderContext ctx)
        {
            if (action != DaemonReload || ctx.Root != null || !Directory.Exists("/run/systemd/system")) return;
            var r = ctx.Commands.Run("systemctl", new[] { "daemon-reload" });
            if (r.ExitCode != 0)
                throw new WaHardeningException(ErrorIds.SessionCleanupUnavailable, WaErrorCategory.ResourceUnavailable,
                    $"systemctl daemon-reload failed (exit {r.ExitCode}): {r.Error.Trim()}", "systemctl");
        }

        /// <summary>
        /// The clean-up runs this PowerShell and module as root at boot and as every user at logon, so nobody but root may be
        /// able to change them: the program, pwsh.dll, the module folder and its files, and every folder above them, must be
        /// owned by root and writable by no group or other (a world-writable folder only with the sticky bit, /tmp-like, and
        /// then only above a root-owned child). Anything else would hand whoever can write there root's boot.
        /// </summary>
        internal static void CheckRootOwned(PowerShellHost host)
        {
            if (!Platform.UnixFileStatus.CanStat) return;
            var paths = new List<string> { host.Program };
            paths.AddRange(host.LeadingArguments.Where(a => a.StartsWith("/", StringComparison.Ordinal)));
            if (host.ModuleManifest.StartsWith("/", StringComparison.Ordinal))
            {
                var moduleBase = System.IO.Path.GetDirectoryName(host.ModuleManifest)!;
                paths.Add(moduleBase);
                paths.AddRange(Directory.EnumerateFiles(moduleBase, "*", SearchOption.AllDirectories));
            }
            foreach (var path in paths)
            {
                var chain = new List<string>();
                for (var p = path; !string.IsNullOrEmpty(p); p = System.IO.Path.GetDirectoryName(p)) chain.Add(p);
                for (var i = chain.Count - 1; i >= 0; i--)
                {
                    if (Platform.UnixFileStatus.Stat(chain[i], true, out var st) != 0)
                        throw Untrusted(chain[i], "cannot be read");
                    var sticky = (st.Mode & 0x200) != 0 && st.Kind == Platform.UnixFileKind.Directory && i > 0;
                    if (st.Uid != 0) throw Untrusted(chain[i], $"is owned by uid {st.Uid}, not root");
                    if ((st.Mode & 0x12) != 0 && !sticky) throw Untrusted(chain[i], $"is writable by its group or others (mode {Convert.ToString(st.Mode & 0xFFF, 8)})");
                }
            }
        }

        private static WaHardeningException Untrusted(string path, string why) => new WaHardeningException(ErrorIds.SessionCleanupUnavailable,
            WaErrorCategory.PermissionDenied,
            $"The session clean-up would run '{path}' as root at boot and as every user at logon, but it {why}. Install PowerShell and the module for all users (root-owned, not writable by others) and run Set-WaHardening from there; nothing was written.", path);

        private static byte[] Utf8(string s) => new UTF8Encoding(false).GetBytes(s);
    }
}
