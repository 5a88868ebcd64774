using System.Linq;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.Intune;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Exports a profile of the baseline as Intune profiles, device scripts, macOS configuration profiles and Linux policy files.</para>
    /// <para type="description">Writes, from the same baseline that Test-WaHardening audits, one folder with everything a tenant
    /// and a config tool need: settings-catalog policies (Graph configurationPolicies JSON, importable in the admin center),
    /// a custom OMA-URI profile when some setting has no catalog id, compliance policies for Windows, macOS, iOS and
    /// Android, custom compliance (discovery script and rules), a remediation script pair for Windows PowerShell 5.1,
    /// .mobileconfig profiles, Linux managed-policy JSON and dconf keyfiles, and manifest.json listing every file with
    /// its kind, platform, marker and controls (Publish-WaIntuneProfile reads it). The output is deterministic: two
    /// exports of the same input are byte-identical. The folder is written all at once; a folder holding anything but
    /// a previous export is not replaced without -Force.</para>
    /// </summary>
    /// <example>
    ///   <code>Export-WaIntuneProfile -Path ./out/intune/Standard</code>
    ///   <para>Exports the Standard profile for every platform and returns one object per file.</para>
    /// </example>
    /// <example>
    ///   <code>Export-WaIntuneProfile -Path ./intune-shared -Profile SharedComputer -Platform Windows, macOS -Parameter @{ IdleTimeoutSeconds = 120 }</code>
    ///   <para>Exports the shared-computer profile for Windows and macOS only, with a two-minute idle lock.</para>
    /// </example>
    [Cmdlet(VerbsData.Export, "WaIntuneProfile", SupportsShouldProcess = true)]
    [OutputType(typeof(ExportedFileInfo))]
    public sealed class ExportWaIntuneProfileCommand : BaselineCmdlet
    {
        /// <summary><para type="description">The folder to write (created if missing; a previous export there is replaced).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary><para type="description">Only these platforms: Windows, macOS, iOS, Android, Linux (default: all).</para></summary>
        [Parameter]
        [ValidateSet("Windows", "macOS", "iOS", "Android", "Linux", IgnoreCase = true)]
        public string[]? Platform { get; set; }

        /// <summary><para type="description">Replace the folder even when it holds files that are not a previous export.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            var selection = SelectBaseline();
            var baseline = selection.Baseline;
            // An export is always of one profile: a baseline without Standard needs -Profile (ProfileNotFound otherwise).
            var profile = (selection.Profile ?? baseline.RequireProfile(Baseline.DefaultProfile)).Name;
            var version = typeof(ExportWaIntuneProfileCommand).Assembly.GetName().Version;
            var manifest = IntuneExporter.Build(baseline, profile, Platform, $"WaHardening {version?.ToString(3)}");
            var dir = GetUnresolvedProviderPathFromPSPath(Path);
            foreach (var f in manifest.Files) WriteVerbose($"{f.Path}: {f.Kind} ({f.Platform}) {f.DisplayName} [{string.Join(", ", f.Controls)}]");
            if (!ShouldProcess(dir, $"Write {manifest.Files.Count} files and {ExportManifest.FileName} (profile {profile})")) return;
            IntuneExportWriter.Write(dir, manifest, Force);
            foreach (var f in manifest.Files) WriteObject(new ExportedFileInfo(dir, f));
        }
    }

    /// <summary>One file an export wrote.</summary>
    public sealed class ExportedFileInfo
    {
        internal ExportedFileInfo(string root, ExportedFile f)
        {
            Path = System.IO.Path.Combine(root, f.Path.Replace('/', System.IO.Path.DirectorySeparatorChar));
            RelativePath = f.Path; Kind = f.Kind; Platform = f.Platform; DisplayName = f.DisplayName; Marker = f.Marker;
            Controls = f.Controls.ToArray(); Publishable = f.Graph != null; Sha256 = f.Sha256;
        }
        public string Path { get; }
        public string RelativePath { get; }
        public string Kind { get; }
        public string Platform { get; }
        public string DisplayName { get; }
        public string Marker { get; }
        public string[] Controls { get; }
        public bool Publishable { get; }
        public string Sha256 { get; }
    }
}
