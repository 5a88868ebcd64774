using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WaHardening.Core.Publishing;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Creates or updates the profiles of an Intune export in a tenant through Microsoft Graph, and assigns them.</para>
    /// <para type="description">Reads an export folder (Export-WaIntuneProfile) through its manifest.json, finds each profile
    /// in the tenant by the marker in its description (not by display name), and creates what is missing, updates what
    /// differs and leaves the rest alone: a re-publish with nothing changed sends no writes. Reads and writes go in JSON
    /// batches of 20; throttling (429) and unavailability (503) are retried after Retry-After, a bounded number of times.
    /// A failure of one profile is reported on that profile (Action Failed, Error) while the others complete. -WhatIf
    /// reads the tenant and shows what would change, sending no writes at all. Least-privilege permissions:
    /// DeviceManagementConfiguration.ReadWrite.All (profiles, compliance, scripts), DeviceManagementScripts.ReadWrite.All
    /// (remediations and compliance scripts), and Group.Read.All only to assign by group name.</para>
    /// </summary>
    /// <example>
    ///   <code>Publish-WaIntuneProfile -Path ./out/intune/Standard -TenantId contoso.onmicrosoft.com -AssignTo 'All WaHardening devices' -WhatIf</code>
    ///   <para>Signs in interactively and shows what would be created, updated or assigned.</para>
    /// </example>
    /// <example>
    ///   <code>Publish-WaIntuneProfile -Path ./out/intune/Standard -TenantId $tenant -ClientId $app -CertificatePath ./app.pfx -AssignTo $groupId -Exclude 'Kiosks' -Confirm:$false</code>
    ///   <para>Publishes app-only with a certificate, assigns to a group by id and excludes a group by name.</para>
    /// </example>
    [Cmdlet(VerbsData.Publish, "WaIntuneProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Interactive")]
    [OutputType(typeof(PublishResult))]
    public sealed class PublishWaIntuneProfileCommand : GraphCmdlet
    {
        /// <summary><para type="description">The export folder (the one holding manifest.json).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary><para type="description">Groups (ids or exact display names) to assign every assignable profile to.</para></summary>
        [Parameter]
        public string[] AssignTo { get; set; } = new string[0];

        /// <summary><para type="description">Groups (ids or exact display names) to exclude from the assignments.</para></summary>
        [Parameter]
        public string[] Exclude { get; set; } = new string[0];

        protected override void Process()
        {
            var dir = GetUnresolvedProviderPathFromPSPath(Path);
            var spec = new AssignmentSpec { IncludeGroups = AssignTo, ExcludeGroups = Exclude };
            object? session = null;
            var preview = RunGraph((log, ct) =>
            {
                session = Session(log);
                return (PublishPreview)GraphLoader.Call("Plan", session, dir, spec, ct)!;
            });
            var approved = new List<string>();
            foreach (var i in preview.Items)
            {
                string? what = i.Action == PublishAction.WouldCreate ? "Create" + (spec.IsEmpty ? "" : " and assign")
                    : i.Action == PublishAction.WouldUpdate ? $"Update ({string.Join(", ", i.Differences.Take(5))}{(i.Differences.Count > 5 ? ", ..." : "")})"
                    : i.Action == PublishAction.Unchanged && i.Assignment != null ? "Assign" : null;
                if (what == null) continue;
                if (ShouldProcess($"{i.DisplayName} [{i.Marker}]", what)) approved.Add(i.Marker);
            }
            if (approved.Count == 0)
            {
                // Nothing approved (-WhatIf, or everything up to date): show the plan; no write was sent.
                foreach (var i in preview.Items) WriteObject(i);
                return;
            }
            var results = RunGraph((log, ct) => (IReadOnlyList<PublishResult>)GraphLoader.Call("Execute", session, preview, approved, ct)!);
            foreach (var r in results)
            {
                WriteObject(r);
                if (r.Action == PublishAction.Failed)
                    Report(new Core.WaHardeningException("PublishFailed", Core.WaErrorCategory.InvalidOperation, $"{r.DisplayName} [{r.Marker}]: {r.Error}", r.Marker));
            }
        }
    }
}
