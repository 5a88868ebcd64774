using System.Collections.Generic;
using System.Management.Automation;
using WaHardening.Core.Publishing;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists the WaHardening profiles a tenant holds, found by the marker in their description.</para>
    /// <para type="description">Reads the Intune collections WaHardening publishes to (settings catalog, device configurations,
    /// compliance policies, compliance scripts, remediations), following paging, and returns one object per object that
    /// carries a WaHardening marker. Needs DeviceManagementConfiguration.Read.All and DeviceManagementScripts.Read.All.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-WaIntuneProfile -TenantId contoso.onmicrosoft.com | Format-Table Marker, DisplayName, LastModified</code>
    ///   <para>Lists what WaHardening has published in the tenant.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "WaIntuneProfile", DefaultParameterSetName = "Interactive")]
    [OutputType(typeof(TenantProfile))]
    public sealed class GetWaIntuneProfileCommand : GraphCmdlet
    {
        protected override void Process()
        {
            var found = RunGraph((log, ct) => Session(log).List(null, ct));
            foreach (var t in found) WriteObject(t);
        }
    }
}
