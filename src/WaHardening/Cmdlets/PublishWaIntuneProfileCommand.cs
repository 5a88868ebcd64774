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
    /// batches of 20; throttling (429) and unavailability (503, 504) are retried after Retry-After, at most -MaxRetries
    /// times. A failure of one profile (also of a whole batch request, or Graph unreachable) is reported on exactly the
    /// profiles it concerns (Action Failed, Error: status and Graph's reason) while the others complete; every result is
    /// written, then a non-terminating PublishFailed error per failed profile. -WhatIf
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
            IGraphSession? session = null;
            var preview = RunGraph((log, ct) =>
            {
                session = Session(log);
                return session.Plan(dir, spec, ct);
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
            // Nothing approved (-WhatIf, or everything up to date): the plan is the result; no write was sent.
            var results = approved.Count == 0 ? preview.Items
                : RunGraph((log, ct) => session!.Execute(preview, approved, log, ct));
            // Every result first, then one non-terminating error per failed profile: -ErrorAction Stop still leaves the
            // results of what was done on the pipeline.
            foreach (var r in results) WriteObject(r);
            foreach (var r in results.Where(r => r.Action == PublishAction.Failed))
                Report(new Core.WaHardeningException("PublishFailed", Core.WaErrorCategory.InvalidOperation, $"{r.DisplayName} [{r.Marker}]: {r.Error}", r.Marker));
        }
    }
}
