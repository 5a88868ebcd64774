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
    [Cmdlet(VerbsCommon.Set, "WaHardening", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ChangeRecord))]
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

        protected override void End()
        {
            var controls = Controls();
            var engine = new Engine(NewContext());
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
