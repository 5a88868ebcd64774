using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// Base of every cmdlet that selects controls from a baseline (Get-WaBaseline, Test-WaHardening, Set-WaHardening,
    /// Export-WaGpo, Set-WaLocalGpo, Export-WaIntuneProfile): one surface for the choice — -BaselinePath (the file),
    /// -Profile, -Parameter — and one rule for what it selects (<see cref="Baseline.SelectProfile"/>: the profile named,
    /// else Standard). -BaselinePath is the name everywhere; where the cmdlet's -Path names nothing else (Get-WaBaseline,
    /// Test- and Set-WaHardening) -Path is an alias of it, declared by overriding <see cref="BaselinePath"/>; the
    /// cmdlets whose -Path is their output or target folder keep it for that. Argument completers read the file from
    /// the bound "BaselinePath" (PowerShell binds an alias under the parameter's name).
    /// </summary>
    public abstract class BaselineCmdlet : WaCmdlet
    {
        /// <summary>The parameter that names the baseline file, as completers find it among the bound parameters.</summary>
        internal const string BaselinePathParameter = nameof(BaselinePath);

        /// <summary><para type="description">The profile whose controls to use, with the profiles it includes (Standard, SharedComputer). Default: Standard, on every cmdlet that selects controls (a baseline that defines no Standard profile: every control; Export-WaIntuneProfile then needs -Profile). A profile the baseline does not have is a terminating ObjectNotFound error (ProfileNotFound).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string? Profile { get; set; }

        /// <summary><para type="description">Parameter values to bind, e.g. @{ IdleTimeoutSeconds = 120 }; each is checked against the baseline's bounds (ParameterInvalid).</para></summary>
        [Parameter]
        public Hashtable? Parameter { get; set; }

        /// <summary><para type="description">Path of a custom baseline file; the module's default baseline when omitted.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public virtual string? BaselinePath { get; set; }

        /// <summary>Loads the baseline (-BaselinePath or the default, -Parameter bound) and selects -Profile's controls.</summary>
        private protected BaselineSelection SelectBaseline()
        {
            var baseline = LoadBaseline(BaselinePath, Parameter);
            var profile = baseline.SelectProfile(Profile);
            return new BaselineSelection(baseline, profile, baseline.SelectControls(profile));
        }
    }

    /// <summary>What a baseline-selecting cmdlet works on: the bound baseline, the profile (null: every control of a
    /// baseline without a Standard profile, none named) and its controls.</summary>
    internal sealed class BaselineSelection
    {
        internal BaselineSelection(Baseline baseline, ProfileDefinition? profile, IReadOnlyList<Control> controls)
        { Baseline = baseline; Profile = profile; Controls = controls; }
        public Baseline Baseline { get; }
        public ProfileDefinition? Profile { get; }
        public IReadOnlyList<Control> Controls { get; }
    }
}
