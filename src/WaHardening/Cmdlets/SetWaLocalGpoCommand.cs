using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using WaHardening.Core;
using WaHardening.Core.Enforcement;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Merges the baseline into the local Group Policy object.</para>
    /// <para type="description">Writes the Windows registry settings of the profile (-Profile; Standard by default, the same
    /// controls as Set-WaHardening -Target LocalGpo) into the local GPO
    /// (%SystemRoot%\System32\GroupPolicy\Machine\Registry.pol and User\Registry.pol) with "stricter wins", as Set-WaHardening
    /// does: every record of other tools stays; a baseline value already in the policy is kept when it is as strict or stricter
    /// (the result's Kept lists them) and replaced when it is looser; a list policy gets the union of its entries and the
    /// baseline's, renumbered 1..n. gpt.ini's Version is bumped ((user &lt;&lt; 16) | machine) and the registry client-side
    /// extension GUIDs are registered. The previous files go into a backup first (JSON, the format of Set-WaHardening; -BackupPath
    /// overrides the default file under the module's backup folder); the result's BackupPath feeds Undo-WaHardening, which puts
    /// the files back byte for byte. Files are replaced atomically under the module's lock, and a failure rolls back. Nothing
    /// changes when the policy already satisfies the baseline. Security options (the machine inactivity limit) go into
    /// Machine\Registry.pol, since a local GPO has no security template. Run gpupdate /force (or wait for the refresh) to
    /// apply. Needs an elevated session on Windows.</para>
    /// </summary>
    /// <example>
    ///   <code>Set-WaLocalGpo -Profile SharedComputer -WhatIf</code>
    ///   <para>Shows what would change in the local policy.</para>
    /// </example>
    /// <example>
    ///   <code>$r = Set-WaLocalGpo -Confirm:$false; $r | Undo-WaHardening -Confirm:$false</code>
    ///   <para>Merges the baseline, then restores the local policy files as they were.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Set, "WaLocalGpo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(LocalGpoMergeResult))]
    public sealed class SetWaLocalGpoCommand : BaselineCmdlet
    {
        /// <summary><para type="description">The GPO folder (holds gpt.ini, Machine and User). Default on Windows: %SystemRoot%\System32\GroupPolicy.</para></summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">Where to save the backup (a JSON file for Undo-WaHardening). Default: a new file under /var/lib/wa-hardening/backups (Windows: %ProgramData%\WaHardening\backups), below -Root when given.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupPath { get; set; }

        /// <summary><para type="description">A directory the module's data folder (backups, lock) and the default GPO folder are placed under, for trying the merge without touching the real system; -Path must then lie below it.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Root { get; set; }

        /// <summary><para type="description">How long to wait for another Set/Undo run to finish (seconds).</para></summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int LockTimeoutSeconds { get; set; } = 120;

        protected override void Process()
        {
            var selection = SelectBaseline();
            MergeInto(this, EngineCmdlet.NewContext(this, Root), Path, selection.Controls, selection.Baseline.SourcePath, BackupPath, LockTimeoutSeconds);
        }

        /// <summary>Merges the controls' registry settings into a local GPO (Set-WaLocalGpo, Set-WaHardening -Target LocalGpo):
        /// a preview first, then (approved) the merge again under the enforcement lock, written through the engine with a backup.</summary>
        internal static void MergeInto(WaCmdlet cmdlet, ProviderContext ctx, string? path, IEnumerable<Control> controls, string source,
            string? backupPath, int lockTimeoutSeconds)
        {
            string root;
            if (path != null) root = cmdlet.GetUnresolvedProviderPathFromPSPath(path);
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) root = ctx.Map(LocalGpo.DefaultRoot);
            else throw new WaHardeningException(ErrorIds.LocalGpoNotAvailable, WaErrorCategory.InvalidOperation,
                "There is no local Group Policy object on this system; give a GPO folder (-Path of Set-WaLocalGpo, -LocalGpoPath of Set-WaHardening).", null);
            var content = GpoContent.From(controls, SecurityOptionPlacement.RegistryPol);
            cmdlet.WriteVerbose($"Local GPO {root}: {content.Machine.Count} machine records, {content.User.Count} user records from {source}");
            var backup = backupPath != null ? cmdlet.GetUnresolvedProviderPathFromPSPath(backupPath) : null;
            var preview = LocalGpo.Merge(ctx, root, content, backup, whatIf: true);
            foreach (var k in preview.Kept) cmdlet.WriteVerbose("Already as strict or stricter, left as it is: " + k);
            if (!preview.Changed) { cmdlet.WriteVerbose("The local GPO already satisfies the baseline; nothing to do."); cmdlet.WriteObject(preview); return; }
            var what = string.Join(", ", new[] { preview.MachineChanged ? "Machine\\Registry.pol" : null, preview.UserChanged ? "User\\Registry.pol" : null, "gpt.ini" }.Where(x => x != null));
            if (!cmdlet.ShouldProcess(root, $"Merge {preview.MachineEntries + preview.UserEntries} records into {what} (version {preview.OldVersion} -> {preview.NewVersion})"))
                return;
            using (EnforcementLock.Acquire(ctx, TimeSpan.FromSeconds(lockTimeoutSeconds)))
            {
                // Merge again under the lock: another run may have changed the files meanwhile.
                var result = LocalGpo.Merge(ctx, root, content, backup);
                if (result.BackupPath != null)
                {
                    cmdlet.WriteVerbose($"Backup of the previous files: {result.BackupPath}");
                    cmdlet.WriteInformation(new InformationRecord($"WaHardening backup: {result.BackupPath} (Undo-WaHardening -BackupPath '{result.BackupPath}')", cmdlet.MyInvocation.MyCommand.Name));
                }
                cmdlet.WriteObject(result);
            }
        }
    }
}
