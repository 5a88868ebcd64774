using System.Collections.Generic;
using System.Management.Automation;
using WaHardening.Core.Publishing;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows how a tenant drifts from an Intune export: same, different (with the properties), missing, or not in the export.</para>
    /// <para type="description">Reads the tenant the way Publish-WaIntuneProfile does (batched, read-only) and compares each
    /// exported profile with the object carrying its marker. Objects with a WaHardening marker that the export does not
    /// have are listed as NotInExport. Nothing is written.</para>
    /// </summary>
    /// <example>
    ///   <code>Compare-WaIntuneProfile -Path ./out/intune/Standard -TenantId contoso.onmicrosoft.com | Where-Object State -ne Same</code>
    ///   <para>Lists the profiles that are missing or were changed in the tenant.</para>
    /// </example>
    [Cmdlet(VerbsData.Compare, "WaIntuneProfile", DefaultParameterSetName = "Interactive")]
    [OutputType(typeof(DriftResult))]
    public sealed class CompareWaIntuneProfileCommand : GraphCmdlet
    {
        /// <summary><para type="description">The export folder (the one holding manifest.json).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        protected override void Process()
        {
            var dir = GetUnresolvedProviderPathFromPSPath(Path);
            var drift = RunGraph((log, ct) => Session(log).Compare(dir, ct));
            foreach (var d in drift) WriteObject(d);
        }
    }
}
