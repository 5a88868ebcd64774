using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WaHardening.Commands.Platform;
using WaHardening.Core;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions;

namespace WaHardening.Commands
{
    /// <summary>
    /// Shared parameters of Test-WaHardening and Set-WaHardening: which controls (from the pipeline,
    /// or loaded from -BaselinePath with -Profile/-Id/-Parameter, <see cref="BaselineCmdlet"/>) and where (-Root).
    /// </summary>
    public abstract class EngineCmdlet : BaselineCmdlet
    {
        private readonly List<Control> _input = new List<Control>();

        /// <summary><para type="description">Controls to process, e.g. from Get-WaBaseline. When given, -BaselinePath, -Profile and -Parameter must not be (PipelineWithBaselineOptions).</para></summary>
        [Parameter(ValueFromPipeline = true)]
        public Control[]? InputObject { get; set; }

        /// <summary><para type="description">Control ids to process; wildcards allowed.</para></summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ControlIdCompleter))]
        public string[]? Id { get; set; }

        /// <summary><para type="description">Path of a custom baseline file; the module's default baseline when omitted. Alias: -Path.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("Path")]
        public override string? BaselinePath { get => base.BaselinePath; set => base.BaselinePath = value; }

        /// <summary><para type="description">A directory every system path is placed under (e.g. TestDrive:\), for trying the module without touching the real system. Default: the real paths.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Root { get; set; }

        protected override void Process()
        {
            if (InputObject != null) _input.AddRange(InputObject.Where(c => c != null));
        }

        /// <summary>The profile the controls were selected by: -Profile (or the default, Standard) as the baseline spells it; for controls from the
        /// pipeline, the profiles they belong to joined by '+'; null when every control of a profile-less baseline is used.
        /// Set by <see cref="Controls"/>.</summary>
        protected string? SelectedProfile { get; private set; }

        /// <summary>The profiles the controls were selected by, with the profiles they include (for controls from the pipeline:
        /// the profiles they belong to); null for a profile-less baseline. Set by <see cref="Controls"/>.</summary>
        protected IReadOnlyCollection<string>? SelectedProfiles { get; private set; }

        /// <summary>Every control of the selection before the -Id filter (what a control's audit may consult, e.g. WA-SESSION-04
        /// reads WA-SESSION-01). Set by <see cref="Controls"/>.</summary>
        protected IReadOnlyList<Control>? SelectionControls { get; private set; }

        /// <summary>The controls to work on.</summary>
        protected IReadOnlyList<Control> Controls()
        {
            IEnumerable<Control> controls;
            if (_input.Count > 0)
            {
                if (Parameter != null || BaselinePath != null || Profile != null)
                    throw new WaHardeningException(ErrorIds.PipelineWithBaselineOptions, WaErrorCategory.InvalidArgument,
                        "Controls came from the pipeline: choose the baseline, profile and parameters on Get-WaBaseline instead of -BaselinePath/-Profile/-Parameter.");
                controls = _input;
                var names = _input.SelectMany(c => c.Profiles).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                SelectedProfile = names.Count == 0 ? null : string.Join("+", names);
                SelectedProfiles = names.Count == 0 ? null : names;
            }
            else
            {
                var selection = SelectBaseline();
                controls = selection.Controls;
                SelectedProfile = selection.Profile?.Name;
                SelectedProfiles = selection.Profile == null ? null : selection.Baseline.ExpandProfile(selection.Profile.Name);
            }
            SelectionControls = controls.ToList();
            if (Id != null)
                controls = controls.Where(c => Id.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(c.Id)));
            return controls.ToList();
        }

        protected ProviderContext NewContext() => NewContext(this, Root);

        internal static ProviderContext NewContext(PSCmdlet cmdlet, string? root)
        {
            var platform = ProviderContext.CurrentPlatform();
            var physicalRoot = root == null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(root);
            var ctx = new ProviderContext(physicalRoot, platform, registry: platform == Platforms.Windows && physicalRoot == null ? new Win32Registry() : null)
            {
                Log = cmdlet.WriteVerbose,
            };
            // The session state is read here, on the pipeline thread; the file checks wait until the clean-up asks.
            var moduleBase = cmdlet.MyInvocation.MyCommand.Module?.ModuleBase;
            var psHome = cmdlet.SessionState.PSVariable.GetValue("PSHOME") as string;
            ctx.PowerShellFrom(() => CurrentPowerShell(moduleBase, psHome));
            return ctx;
        }

        /// <summary>The PowerShell that runs this cmdlet and the module's manifest, as the session clean-up (WA-SESSION-05) must
        /// run them: Windows PowerShell's powershell.exe, pwsh's own executable, or — for a framework-dependent pwsh such as the
        /// .NET tool, whose folder has no executable — the dotnet host with pwsh.dll. Null when the module is not loaded from a folder.</summary>
        internal static PowerShellHost? CurrentPowerShell(string? moduleBase, string? psHome)
        {
            if (string.IsNullOrEmpty(moduleBase) || string.IsNullOrEmpty(psHome)) return null;
            var manifest = System.IO.Path.Combine(moduleBase, "WaHardening.psd1");
            var desktop = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);
            foreach (var exe in desktop ? new[] { "powershell.exe" } : new[] { "pwsh.exe", "pwsh" })
            {
                var candidate = System.IO.Path.Combine(psHome, exe);
                if (System.IO.File.Exists(candidate)) return new PowerShellHost(candidate, Array.Empty<string>(), manifest);
            }
            var dll = System.IO.Path.Combine(psHome, "pwsh.dll");
            string? process = null;
            try { process = System.Diagnostics.Process.GetCurrentProcess().MainModule?.FileName; } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
            return System.IO.File.Exists(dll) && process != null ? new PowerShellHost(process, new[] { dll }, manifest) : null;
        }
    }
}
