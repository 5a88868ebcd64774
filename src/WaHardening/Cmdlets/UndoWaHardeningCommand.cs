using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.Enforcement;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Restores what a Set-WaHardening run changed, from its backup.</para>
    /// <para type="description">Validates the backup (a corrupt or foreign file is an error and nothing is written), then puts every file
    /// back byte for byte, removes files and registry values that did not exist before, and reruns post-steps such as dconf update.
    /// Accepts Set-WaHardening's output from the pipeline (its BackupPath property).</para>
    /// </summary>
    /// <example>
    ///   <code>Undo-WaHardening -BackupPath /var/lib/wa-hardening/backups/backup-20260101-120000-000-1a2b3c4d.json</code>
    ///   <para>Restores the state saved by one Set-WaHardening run.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Undo, "WaHardening", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ChangeRecord))]
    public sealed class UndoWaHardeningCommand : WaCmdlet
    {
        private readonly List<string> _paths = new List<string>();

        /// <summary><para type="description">The backup file written by Set-WaHardening.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] BackupPath { get; set; } = Array.Empty<string>();

        /// <summary><para type="description">The root the backup was made under (must match the backup); by default the backup's own root.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Root { get; set; }

        /// <summary><para type="description">How long to wait for another Set/Undo run to finish (seconds).</para></summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int LockTimeoutSeconds { get; set; } = 120;

        protected override void Process()
        {
            foreach (var p in BackupPath)
            {
                var full = GetUnresolvedProviderPathFromPSPath(p);
                if (!_paths.Contains(full)) _paths.Add(full);
            }
        }

        protected override void End()
        {
            // Newest first when several backups come down the pipeline, so earlier states win in the end.
            foreach (var path in _paths.AsEnumerable().Reverse())
            {
                var doc = BackupDocument.Load(path);
                var root = Root == null ? doc.Root : GetUnresolvedProviderPathFromPSPath(Root);
                if (Root != null && !string.Equals(System.IO.Path.GetFullPath(root!).TrimEnd('/', '\\'), (doc.Root ?? "").TrimEnd('/', '\\'), StringComparison.Ordinal))
                    throw new WaHardeningException("BackupRootMismatch", WaErrorCategory.InvalidArgument,
                        $"The backup '{path}' was made for root '{doc.Root ?? "(the real system)"}', not '{root}'; nothing was restored.", path);
                var ctx = EngineCmdlet.NewContext(this, root);
                if (doc.Platform != ctx.Platform)
                    throw new WaHardeningException("BackupPlatformMismatch", WaErrorCategory.InvalidArgument,
                        $"The backup '{path}' was made on {doc.Platform}; this computer runs {ctx.Platform}. Nothing was restored.", path);
                var approved = new HashSet<BackupEntry>(doc.Entries.Where(e =>
                    ShouldProcess(e.Location, e.StateText == null ? "Remove (it did not exist before)" : $"Restore ({e.StateText})")));
                if (approved.Count == 0) continue;
                var engine = new Engine(ctx);
                using (EnforcementLock.Acquire(ctx, TimeSpan.FromSeconds(LockTimeoutSeconds)))
                    foreach (var r in engine.Restore(doc, path, approved.Contains)) WriteObject(r);
            }
        }
    }
}
