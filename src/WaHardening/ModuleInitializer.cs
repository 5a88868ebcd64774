using System;
using System.IO;
using System.Management.Automation;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// Runs when the module is imported: on a thread-pool thread, parses and validates the default baseline (so the
    /// first cmdlet finds it cached; every cmdlet but the Registry.pol ones starts from it) and then runs the audit
    /// engine once over a scratch root that does not exist, which only asks the providers whether their programs are
    /// there, so that the JIT of the audit path overlaps PowerShell's own import work. Nothing is read from the real
    /// system, nothing is written, and no error can surface here: a baseline that does not load is reported by the
    /// cmdlet that needs it.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        /// <summary>Called by PowerShell when the module's assembly is imported.</summary>
        public void OnImport() => BaselineLoader.Preload(WaCmdlet.DefaultBaselinePath, WarmUp);

        internal static void WarmUp(Baseline baseline)
        {
            var nowhere = Path.Combine(Path.GetTempPath(), "wa-hardening-warm-up-" + Guid.NewGuid().ToString("N"));
            var controls = baseline.SelectControls(baseline.SelectProfile(null)); // what Test-WaHardening audits by default
            var engine = new Engine(new ProviderContext(nowhere, ProviderContext.CurrentPlatform()));
            foreach (var result in engine.Test(controls)) _ = result.Status;
        }
    }
}
