using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// Tab completion for control ids, categories and profiles, from the baseline the command will
    /// use (its -BaselinePath when already typed, also as the alias -Path, else the module's default).
    /// </summary>
    public abstract class BaselineCompleter : IArgumentCompleter
    {
        protected abstract IEnumerable<(string Value, string Tooltip)> Values(Baseline baseline);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            Baseline baseline;
            try { baseline = BaselineLoader.Load(BaselineFile(fakeBoundParameters) ?? WaCmdlet.DefaultBaselinePath); }
            catch (Exception) { yield break; } // completion never throws at the user
            var word = (wordToComplete ?? "").Trim('\'', '"');
            var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
            foreach (var (value, tooltip) in Values(baseline).Distinct())
                if (pattern.IsMatch(value))
                    yield return new CompletionResult(value, value, CompletionResultType.ParameterValue, tooltip);
        }

        /// <summary>The baseline file already typed on the command line (any path the session resolves), if any. Every
        /// baseline-selecting cmdlet names it -BaselinePath (<see cref="BaselineCmdlet"/>), and PowerShell binds the alias
        /// -Path under that name too; another cmdlet's -Path (an output file or folder) is never taken for it.</summary>
        private static string? BaselineFile(IDictionary? bound)
        {
            if (bound?[BaselineCmdlet.BaselinePathParameter] is not string path || path.Length == 0) return null;
            try
            {
                // The completer runs on the pipeline thread of the session being completed: let it resolve the path as the
                // command will (relative to its location, PowerShell drives such as TestDrive:, ~).
                using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
                var resolved = ps.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").AddArgument(path)
                    .Invoke<string>().FirstOrDefault();
                if (!string.IsNullOrEmpty(resolved)) path = resolved!;
            }
            catch (Exception) { /* no session to ask, or a path it cannot resolve: taken as it is */ }
            return File.Exists(path) ? path : null;
        }
    }

    public sealed class ControlIdCompleter : BaselineCompleter
    {
        protected override IEnumerable<(string, string)> Values(Baseline b) => b.Controls.Select(c => (c.Id, c.Title));
    }

    public sealed class CategoryCompleter : BaselineCompleter
    {
        protected override IEnumerable<(string, string)> Values(Baseline b) => b.Controls.Select(c => (c.Category, c.Category));
    }

    public sealed class ProfileCompleter : BaselineCompleter
    {
        protected override IEnumerable<(string, string)> Values(Baseline b) => b.Profiles.Select(p => (p.Name, p.Description));
    }
}
