using System.Linq;
using System.Management.Automation;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Audits this computer against the WaHardening baseline.</para>
    /// <para type="description">Reads the live state of every setting through its provider (browser policy files, Firefox policies.json,
    /// dconf keyfiles, APT configuration, Windows policy registry and Intune's PolicyManager) and writes one result per control and
    /// target: Compliant, NonCompliant, NotApplicable (browser not installed, other OS, iOS/Android), Advisory (guidance only) or Error.
    /// A value stricter than the baseline counts as compliant. Nothing is written.</para>
    /// </summary>
    /// <example>
    ///   <code>Test-WaHardening | Format-Table ControlId, Target, Status, Reason</code>
    ///   <para>Audits the Standard profile of the default baseline.</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaBaseline -Id WA-LOCK-* | Test-WaHardening -Quiet</code>
    ///   <para>True when no screen-lock control is non-compliant or in error.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "WaHardening")]
    [OutputType(typeof(ComplianceResult), typeof(bool))]
    public sealed class TestWaHardeningCommand : EngineCmdlet
    {
        /// <summary><para type="description">Return only $true (nothing NonCompliant or Error; Advisory and NotApplicable do not count) or $false.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void End()
        {
            var controls = Controls();
            var ctx = NewContext();
            ctx.AuditProfiles = SelectedProfiles;
            var engine = new Engine(ctx) { ReferenceControls = SelectionControls };
            var ok = true;
            foreach (var result in engine.Test(controls))
            {
                var r = result.InProfile(SelectedProfile);
                if (r.Status == ComplianceStatus.NonCompliant || r.Status == ComplianceStatus.Error) ok = false;
                if (!Quiet) WriteObject(r);
            }
            if (Quiet) WriteObject(ok);
        }
    }
}
