using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WaHardening.Core.Audit;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Audits this machine against the WaHardening baseline.</para>
    /// <para type="description">Reads the live state of every setting through the target's reader (Linux: the
    /// browsers' managed-policy JSON files, Firefox's policies.json, the dconf system database, APT configuration) and
    /// writes one result per control and target: Compliant, NonCompliant, NotApplicable (browser absent, another OS,
    /// phone-only), Advisory (guidance no endpoint can enforce) or Error (a policy file that cannot be read). A device
    /// stricter than the baseline is compliant. Nothing is written.</para>
    /// </summary>
    /// <example>
    ///   <code>Test-WaHardening | Format-Table ControlId, Target, Status, Reason</code>
    ///   <para>Audits the Standard profile on this machine.</para>
    /// </example>
    /// <example>
    ///   <code>Test-WaHardening -Profile SharedComputer -Quiet</code>
    ///   <para>Returns $true when every applicable control of the SharedComputer profile is compliant.</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaBaseline -Category ScreenLock | Test-WaHardening -Parameter @{ IdleTimeoutSeconds = 120 }</code>
    ///   <para>Audits the screen-lock controls piped from Get-WaBaseline with a two-minute timeout.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "WaHardening")]
    [OutputType(typeof(ComplianceResult), typeof(bool))]
    public sealed class TestWaHardeningCommand : WaCmdlet
    {
        private readonly List<string> _piped = new List<string>();

        /// <summary><para type="description">Profile to audit (Standard, SharedComputer); Standard by default.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string Profile { get; set; } = "Standard";

        /// <summary><para type="description">Control ids to audit (wildcards allowed); accepts controls from Get-WaBaseline through the pipeline.</para></summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ControlIdCompleter))]
        public string[]? Id { get; set; }

        /// <summary><para type="description">Parameter values to bind, e.g. @{ IdleTimeoutSeconds = 120 }.</para></summary>
        [Parameter]
        public Hashtable? Parameter { get; set; }

        /// <summary><para type="description">Path of a custom baseline file; the module's default baseline when omitted.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">Reads every file under this directory instead of / (for tests and offline images).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Root { get; set; }

        /// <summary><para type="description">Returns one boolean: $true when no applicable control is NonCompliant or Error.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void Process()
        {
            if (Id != null && MyInvocation.ExpectingInput) _piped.AddRange(Id);
        }

        protected override void End()
        {
            var baseline = LoadBaseline(Path, Parameter);
            var ids = MyInvocation.ExpectingInput ? _piped.ToArray() : Id;
            var controls = baseline.ControlsFor(Profile)
                .Where(c => ids == null || ids.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(c.Id)))
                .ToList();
            var root = Root == null ? null : GetUnresolvedProviderPathFromPSPath(Root);
            WriteVerbose(root == null ? "Reading the live state of this machine" : $"Reading the state under {root}");
            var auditor = new Auditor(Auditor.ForThisMachine(root));
            var ok = true;
            var i = 0;
            foreach (var r in auditor.Audit(controls))
            {
                i++;
                foreach (var s in r.Settings) WriteVerbose($"{r.ControlId} {s.Target} {s.Location}: {s.Actual ?? "(not configured)"} -> {s.Status}");
                if (r.Status == ComplianceStatus.NonCompliant || r.Status == ComplianceStatus.Error) ok = false;
                if (!Quiet) WriteObject(r);
            }
            if (Quiet) WriteObject(ok);
        }
    }
}
