using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using WaHardening.Core;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Merges the baseline into the local Group Policy object.</para>
    /// <para type="description">Writes the baseline's Windows registry settings into the local GPO
    /// (%SystemRoot%\System32\GroupPolicy\Machine\Registry.pol and User\Registry.pol) keeping every record of other
    /// tools, replaces only the records the baseline owns, bumps gpt.ini's Version ((user &lt;&lt; 16) | machine) and
    /// registers the registry client-side extension GUIDs. Previous files are copied to -BackupPath first (default:
    /// GroupPolicy\.wahardening-backup\TIME); the result lists them. Nothing changes when the policy already matches.
    /// Security options (the machine inactivity limit) go into Machine\Registry.pol, since a local GPO has no security
    /// template. Run gpupdate /force (or wait for the refresh) to apply. Needs an elevated session on Windows.</para>
    /// </summary>
    /// <example>
    ///   <code>Set-WaLocalGpo -Profile SharedComputer -WhatIf</code>
    ///   <para>Shows what would change in the local policy.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Set, "WaLocalGpo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(LocalGpoMergeResult))]
    public sealed class SetWaLocalGpoCommand : WaCmdlet
    {
        /// <summary><para type="description">The GPO folder (holds gpt.ini, Machine and User). Default on Windows: %SystemRoot%\System32\GroupPolicy.</para></summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">Only controls of this profile (and the profiles it includes).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string? Profile { get; set; }

        /// <summary><para type="description">Parameter values to bind, e.g. @{ IdleTimeoutSeconds = 120 }.</para></summary>
        [Parameter]
        public Hashtable? Parameter { get; set; }

        /// <summary><para type="description">Path of a custom baseline file.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [BaselineFile]
        public string? BaselinePath { get; set; }

        /// <summary><para type="description">Folder for the copies of the previous files.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupPath { get; set; }

        protected override void Process()
        {
            var baseline = LoadBaseline(BaselinePath, Parameter);
            var controls = Profile == null ? baseline.Controls : baseline.ControlsFor(Profile);
            MergeInto(this, Path, controls, baseline.SourcePath, BackupPath);
        }

        /// <summary>Merges the controls' registry settings into a local GPO (Set-WaLocalGpo, Set-WaHardening -Target LocalGpo).</summary>
        internal static void MergeInto(WaCmdlet cmdlet, string? path, IEnumerable<Control> controls, string source, string? backupPath)
        {
            string root;
            if (path != null) root = cmdlet.GetUnresolvedProviderPathFromPSPath(path);
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) root = LocalGpo.DefaultRoot;
            else throw new WaHardeningException("LocalGpoNotAvailable", WaErrorCategory.InvalidOperation,
                "There is no local Group Policy object on this system; give a GPO folder (-Path of Set-WaLocalGpo, -LocalGpoPath of Set-WaHardening).", null);
            var content = GpoContent.From(controls, SecurityOptionPlacement.RegistryPol);
            cmdlet.WriteVerbose($"Local GPO {root}: {content.Machine.Count} machine records, {content.User.Count} user records from {source}");
            var backup = backupPath != null ? cmdlet.GetUnresolvedProviderPathFromPSPath(backupPath) : null;
            var preview = LocalGpo.Merge(root, content.Machine, content.User, backup, whatIf: true);
            if (!preview.Changed) { cmdlet.WriteVerbose("The local GPO already holds the baseline; nothing to do."); cmdlet.WriteObject(preview); return; }
            var what = string.Join(", ", new[] { preview.MachineChanged ? "Machine\\Registry.pol" : null, preview.UserChanged ? "User\\Registry.pol" : null, "gpt.ini" }.Where(x => x != null));
            if (!cmdlet.ShouldProcess(root, $"Merge {content.Machine.Count + content.User.Count} records into {what} (version {preview.OldVersion} -> {preview.NewVersion})"))
                return;
            var result = LocalGpo.Merge(root, content.Machine, content.User, backup);
            foreach (var kv in result.Backups) cmdlet.WriteVerbose($"Wrote {kv.Key}" + (kv.Value != null ? $" (previous copy: {kv.Value})" : " (new)"));
            cmdlet.WriteObject(result);
        }
    }
}
