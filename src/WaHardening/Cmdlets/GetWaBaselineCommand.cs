using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Gets the controls of a WaHardening baseline.</para>
    /// <para type="description">Loads the baseline (the module's default, or the file given with -BaselinePath, alias -Path),
    /// validates it, binds parameter values and writes one control object per control of the profile (-Profile; Standard
    /// by default, as for every cmdlet that selects controls, so Get-WaBaseline | Test-WaHardening audits what
    /// Test-WaHardening does). Filter further by id, category or platform.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-WaBaseline | Format-Table</code>
    ///   <para>Lists the controls of the Standard profile of the default baseline.</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaBaseline -Profile SharedComputer -Platform Linux</code>
    ///   <para>Controls that apply to shared Linux computers (the SharedComputer profile includes Standard).</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaBaseline -Id WA-LOCK-* -Parameter @{ IdleTimeoutSeconds = 120 }</code>
    ///   <para>Screen-lock controls with a 2-minute idle timeout bound into their settings.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "WaBaseline")]
    [OutputType(typeof(Control))]
    public sealed class GetWaBaselineCommand : BaselineCmdlet
    {
        /// <summary><para type="description">Control ids to return; wildcards allowed. An id without wildcards that the baseline does not have is a non-terminating ObjectNotFound error (ControlNotFound).</para></summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ControlIdCompleter))]
        public string[]? Id { get; set; }

        /// <summary><para type="description">Categories to return (e.g. SessionPersistence, ScreenLock); wildcards allowed. A category without wildcards that no control has is a non-terminating ObjectNotFound error (CategoryNotFound).</para></summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(CategoryCompleter))]
        public string[]? Category { get; set; }

        /// <summary><para type="description">Only controls that apply to one of these platforms: Windows, Linux, macOS, iOS, Android.</para></summary>
        [Parameter]
        [ValidateSet("Windows", "Linux", "macOS", "iOS", "Android", IgnoreCase = true)]
        public string[]? Platform { get; set; }

        /// <summary><para type="description">Path of a custom baseline file; the module's default baseline when omitted. Alias: -Path.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("Path")]
        public override string? BaselinePath { get => base.BaselinePath; set => base.BaselinePath = value; }

        protected override void Process()
        {
            var selection = SelectBaseline();
            var baseline = selection.Baseline;
            foreach (var c in selection.Controls)
            {
                if (Id != null && !Matches(Id, c.Id)) continue;
                if (Category != null && !Matches(Category, c.Category)) continue;
                if (Platform != null && !c.Platforms.Any(p => Platform.Any(x => string.Equals(x, p, StringComparison.OrdinalIgnoreCase)))) continue;
                WriteObject(c);
            }
            // Like Get-Process -Name: a name without wildcards that matches nothing is a (non-terminating) error, a pattern is not.
            // Matched against the whole baseline, so a control the other filters leave out is not reported as missing.
            foreach (var id in Literals(Id).Where(n => !baseline.Controls.Any(c => string.Equals(c.Id, n, StringComparison.OrdinalIgnoreCase))))
                Report(new WaHardeningException(ErrorIds.ControlNotFound, WaErrorCategory.ObjectNotFound,
                    $"The baseline '{baseline.SourcePath}' has no control with id '{id}'.", id));
            foreach (var category in Literals(Category).Where(n => !baseline.Controls.Any(c => string.Equals(c.Category, n, StringComparison.OrdinalIgnoreCase))))
                Report(new WaHardeningException(ErrorIds.CategoryNotFound, WaErrorCategory.ObjectNotFound,
                    $"The baseline '{baseline.SourcePath}' has no control in category '{category}'. Categories: {string.Join(", ", baseline.Controls.Select(c => c.Category).Distinct(StringComparer.OrdinalIgnoreCase))}.", category));
        }

        private static IEnumerable<string> Literals(string[]? names) =>
            names == null ? Enumerable.Empty<string>() : names.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)).Distinct(StringComparer.OrdinalIgnoreCase);

        private static bool Matches(string[] patterns, string value) =>
            patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));
    }
}
