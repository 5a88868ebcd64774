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
    /// use (its -Path/-BaselinePath when already typed, else the module's default).
    /// </summary>
    public abstract class BaselineCompleter : IArgumentCompleter
    {
        protected abstract IEnumerable<(string Value, string Tooltip)> Values(Baseline baseline);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            Baseline baseline;
            try
            {
                var path = (fakeBoundParameters?["Path"] ?? fakeBoundParameters?["BaselinePath"]) as string;
                baseline = BaselineLoader.Load(path != null && File.Exists(path) && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                    ? path : WaCmdlet.DefaultBaselinePath);
            }
            catch (Exception) { yield break; } // completion never throws at the user
            var word = (wordToComplete ?? "").Trim('\'', '"');
            var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
            foreach (var (value, tooltip) in Values(baseline).Distinct())
                if (pattern.IsMatch(value))
                    yield return new CompletionResult(value, value, CompletionResultType.ParameterValue, tooltip);
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
