using System;
using System.Globalization;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.GroupPolicy;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Exports the baseline as a GPO backup (or as bare Registry.pol files).</para>
    /// <para type="description">Renders every enforceable Windows registry setting of the profile (-Profile; Standard by
    /// default) into a GPMC-style GPO
    /// backup under -Path: {BackupId}\Backup.xml, bkupInfo.xml, DomainSysvol\GPO\Machine\registry.pol,
    /// DomainSysvol\GPO\User\registry.pol and, for security options such as the machine inactivity limit,
    /// DomainSysvol\GPO\Machine\microsoft\windows nt\SecEdit\GptTmpl.inf; plus manifest.xml listing the backups in -Path.
    /// Import it with Import-GPO -Path DIR -BackupGpoName NAME -TargetName NAME -CreateIfNeeded, or apply it locally with
    /// LGPO.exe /g DIR. The output is deterministic: ids are derived from the baseline and its content, and the backup
    /// time is -Timestamp (or SOURCE_DATE_EPOCH, or 2000-01-01). With -AsRegistryPol only DIR\Machine\registry.pol and
    /// DIR\User\registry.pol are written (security options then go into the Machine file).</para>
    /// </summary>
    /// <example>
    ///   <code>Export-WaGpo -Path C:\GpoBackups -Profile SharedComputer</code>
    ///   <para>Writes a GPO backup of the SharedComputer profile.</para>
    /// </example>
    /// <example>
    ///   <code>Export-WaGpo -Path .\pol -AsRegistryPol -Parameter @{ IdleTimeoutSeconds = 120 }</code>
    ///   <para>Writes the Machine and User Registry.pol files only, with a 2-minute idle limit.</para>
    /// </example>
    [Cmdlet(VerbsData.Export, "WaGpo", SupportsShouldProcess = true)]
    [OutputType(typeof(GpoBackupResult))]
    public sealed class ExportWaGpoCommand : BaselineCmdlet
    {
        /// <summary><para type="description">Folder that receives the backup (created if needed).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary><para type="description">GPO display name (what Import-GPO -BackupGpoName takes). Default: "WaHardening - PROFILE".</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DisplayName { get; set; }

        /// <summary><para type="description">Backup time written to bkupInfo.xml. Default: SOURCE_DATE_EPOCH if set, else 2000-01-01T00:00:00.</para></summary>
        [Parameter]
        public DateTime? Timestamp { get; set; }

        /// <summary><para type="description">Backup comment (bkupInfo.xml).</para></summary>
        [Parameter]
        public string? Comment { get; set; }

        /// <summary><para type="description">Write only DIR\Machine\registry.pol and DIR\User\registry.pol.</para></summary>
        [Parameter]
        public SwitchParameter AsRegistryPol { get; set; }

        protected override void Process()
        {
            var selection = SelectBaseline();
            var baseline = selection.Baseline;
            var controls = selection.Controls;
            var profile = selection.Profile?.Name; // null only for a baseline without a Standard profile, none named: every control
            var dir = GetUnresolvedProviderPathFromPSPath(Path);
            var content = GpoContent.From(controls, AsRegistryPol ? SecurityOptionPlacement.RegistryPol : SecurityOptionPlacement.SecurityTemplate);
            WriteVerbose($"{content.Settings.Count} registry settings: {content.Machine.Count} machine records, {content.User.Count} user records, {content.SecurityOptions.Count} security options");
            foreach (var s in content.Settings) WriteVerbose("  " + s);
            var name = DisplayName ?? "WaHardening - " + (profile ?? "All controls");

            if (AsRegistryPol)
            {
                if (!ShouldProcess(dir, "Write Machine\\registry.pol and User\\registry.pol")) return;
                var files = GpoBackup.WriteRegistryPolFiles(dir, content);
                foreach (var f in files) WriteVerbose("Wrote " + f);
                WriteObject(new GpoBackupResult(Guid.Empty, GpoBackup.GpoGuidFor(baseline.Name, profile), name, dir, Time(), files,
                    content.Machine.Count, content.User.Count, 0));
                return;
            }
            if (!ShouldProcess(dir, $"Write GPO backup '{name}'")) return;
            var result = GpoBackup.Write(dir, content, name, baseline.Name, profile, Time(),
                Comment ?? $"{baseline.Name} {baseline.Version}" + (profile != null ? $", profile {profile}" : ""));
            foreach (var f in result.Files) WriteVerbose("Wrote " + f);
            WriteObject(result);
        }

        private DateTime Time()
        {
            if (Timestamp.HasValue) return Timestamp.Value;
            var epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
            if (!string.IsNullOrEmpty(epoch) && long.TryParse(epoch, NumberStyles.Integer, CultureInfo.InvariantCulture, out var secs) && secs >= 0 && secs < 253402300800)
                return new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(secs);
            return new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        }
    }
}
