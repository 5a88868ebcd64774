using System.Management.Automation;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// Runs when the module is imported: starts parsing and validating the default baseline on a thread-pool
    /// thread, so that the first cmdlet finds it cached instead of paying for it (every cmdlet but the
    /// Registry.pol ones starts from the baseline). Nothing is written and no error can surface here: a
    /// baseline that does not load is reported by the cmdlet that needs it.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        /// <summary>Called by PowerShell when the module's assembly is imported.</summary>
        public void OnImport() => BaselineLoader.Preload(WaCmdlet.DefaultBaselinePath);
    }
}
