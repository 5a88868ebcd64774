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

        /// <summary><para type="description">The root the backup was made under (must match the backup's root). Without it, Undo restores the real
        /// system and refuses a backup made under a root (BackupRootMismatch); the backup's own root is never taken on trust.</para></summary>
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
            // Newest first when several backups come down the pipeline, so earlier states win in the end. Every backup is
            // loaded and checked (root, platform, every path confined to the root) before the first one is restored.
            var ctx = EngineCmdlet.NewContext(this, Root);
            var engine = new Engine(ctx);
            var docs = new List<(string Path, BackupDocument Doc)>();
            foreach (var path in _paths.AsEnumerable().Reverse())
            {
                var doc = BackupDocument.Load(path);
                engine.CheckBackup(doc, path);
                docs.Add((path, doc));
            }
            foreach (var (path, doc) in docs)
            {
                var approved = new HashSet<BackupEntry>(doc.Entries.Where(e =>
                    ShouldProcess(e.Location, e.StateText == null ? "Remove (it did not exist before)" : $"Restore ({e.StateText})")));
                if (approved.Count == 0) continue;
                using (EnforcementLock.Acquire(ctx, TimeSpan.FromSeconds(LockTimeoutSeconds)))
                    foreach (var r in engine.Restore(doc, path, approved.Contains)) WriteObject(r);
            }
        }
    }
}
