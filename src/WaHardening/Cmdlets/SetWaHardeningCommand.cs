using System;
using System.Collections.Generic;
using System.Management.Automation;
using WaHardening.Core.Enforcement;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Enforces the WaHardening baseline on this computer.</para>
    /// <para type="description">Writes every non-compliant setting through its provider: a backup of everything it will touch is saved
    /// first (JSON; path in the output and in -Verbose; -BackupPath overrides it), files are replaced atomically, a failure rolls back
    /// what was already written, and every setting is read back afterwards. A setting already stricter than the baseline is left alone.
    /// A second run changes nothing. Settings marked audit-only are reported (Action NotEnforced), not written. -WhatIf shows every change.</para>
    /// </summary>
    /// <example>
    ///   <code>Set-WaHardening -WhatIf</code>
    ///   <para>Shows what would change for the Standard profile.</para>
    /// </example>
    /// <example>
    ///   <code>$changes = Set-WaHardening -Confirm:$false; $changes | Undo-WaHardening -Confirm:$false</code>
    ///   <para>Applies the baseline, then restores everything as it was.</para>
    /// </example>
    /// <example>
    ///   <code>Set-WaHardening -Target LocalGpo -Profile SharedComputer -Confirm:$false; gpupdate /force</code>
    ///   <para>On Windows, merges the baseline into the local Group Policy object instead of writing policy values directly.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Set, "WaHardening", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ChangeRecord), typeof(WaHardening.Core.GroupPolicy.LocalGpoMergeResult))]
    public sealed class SetWaHardeningCommand : EngineCmdlet
    {
        /// <summary><para type="description">Where to save the backup. Default: a new file under /var/lib/wa-hardening/backups (Windows: %ProgramData%\WaHardening\backups), below -Root when given.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupPath { get; set; }

        /// <summary><para type="description">How long to wait for another Set/Undo run to finish (seconds).</para></summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int LockTimeoutSeconds { get; set; } = 120;

        /// <summary><para type="description">Where to write: Local (default: this computer's policy files, registry and dconf) or LocalGpo: merge
        /// the Windows registry settings into the local Group Policy object (%SystemRoot%\System32\GroupPolicy, Machine and User
        /// Registry.pol and gpt.ini, foreign entries kept, stricter values kept, versions bumped, extension GUIDs registered), as
        /// Set-WaLocalGpo does; the backup (-BackupPath) and the lock are the same as for Local, and Undo-WaHardening restores it.</para></summary>
        [Parameter]
        [ValidateSet("Local", "LocalGpo", IgnoreCase = true)]
        public string Target { get; set; } = "Local";

        /// <summary><para type="description">With -Target LocalGpo: a GPO folder to merge into instead of the computer's local GPO (needed off Windows; below -Root when -Root is given).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LocalGpoPath { get; set; }

        protected override void End()
        {
            var controls = Controls();
            if (string.Equals(Target, "LocalGpo", StringComparison.OrdinalIgnoreCase))
            {
                SetWaLocalGpoCommand.MergeInto(this, NewContext(), LocalGpoPath, controls, BaselinePath ?? DefaultBaselinePath, BackupPath, LockTimeoutSeconds);
                return;
            }
            var ctx = NewContext();
            ctx.AuditProfiles = SelectedProfiles;
            var engine = new Engine(ctx) { ReferenceControls = SelectionControls };
            var first = engine.Plan(controls);
            foreach (var n in first.NotEnforced) WriteObject(n);
            var approved = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var c in first.Changes)
                if (ShouldProcess(c.Location, $"Set {c.ControlId} {c.Target}:{c.Setting} from {c.Before ?? "(not set)"} to {c.After}"))
                    approved.Add(Key(c.ControlId, c.Target, c.Setting));
            if (approved.Count == 0)
            {
                if (first.Changes.Count == 0) WriteVerbose("Every enforceable setting is already compliant; nothing was written.");
                return;
            }
            var backup = BackupPath == null ? null : GetUnresolvedProviderPathFromPSPath(BackupPath);
            using (EnforcementLock.Acquire(engine.Context, TimeSpan.FromSeconds(LockTimeoutSeconds)))
            {
                // Plan again under the lock: another run may have changed things meanwhile.
                var plan = engine.Plan(controls, (id, s) => approved.Contains(Key(id, s.Target, s.Name)));
                var records = engine.Apply(plan, backup, out var written);
                if (written != null)
                {
                    WriteVerbose($"Backup of the previous state: {written}");
                    WriteInformation(new InformationRecord($"WaHardening backup: {written} (Undo-WaHardening -BackupPath '{written}')", "Set-WaHardening"));
                }
                foreach (var r in records) WriteObject(r);
            }
        }

        private static string Key(string? id, string? target, string? name) => $"{id}|{target}|{name}";
    }
}
