using System.Collections.Generic;
using System.Threading;

namespace WaHardening.Core.Publishing
{
    /// <summary>
    /// The typed contract between the cmdlets (WaHardening.dll) and the Graph assembly (graph/WaHardening.Graph.dll, which
    /// holds Microsoft.Graph and Azure.Identity and loads only when a Graph cmdlet runs). It is declared here, in the
    /// assembly both sides reference, and names Core types only, so the cmdlets never reference a Graph, Kiota or Azure
    /// type and the Graph assembly can load in its own load context. The one reflection point is creating the
    /// implementation (<see cref="GraphContract.ImplementationType"/>, by name, in the loader); every call after that is checked by the
    /// compiler. Failures are <see cref="WaHardeningException"/>s (GraphFailed for anything the implementation did not
    /// type itself) or <see cref="System.OperationCanceledException"/> when the token was cancelled.
    /// </summary>
    public interface IGraphService
    {
        /// <summary>Signs in (lazily, on the first request) and returns the session the other calls go through.
        /// maxRetries: how many times a request that came back 429/503/504 is retried, 0 to 10.</summary>
        IGraphSession Connect(GraphConnection connection, IGraphLog log, int maxRetries);
    }

    /// <summary>One signed-in Graph session: what Publish-, Compare- and Get-WaIntuneProfile do with a tenant.</summary>
    public interface IGraphSession
    {
        /// <summary>Reads the tenant and plans a publish of an export folder; nothing is written.</summary>
        PublishPreview Plan(string exportDirectory, AssignmentSpec assignments, CancellationToken ct);

        /// <summary>Sends the writes of a plan whose markers were approved; its messages go to <paramref name="log"/>
        /// (the session's messages from now on too).</summary>
        IReadOnlyList<PublishResult> Execute(PublishPreview preview, ICollection<string> approvedMarkers, IGraphLog log, CancellationToken ct);

        /// <summary>The WaHardening objects (by marker) in the given collections (api version, collection path), or in
        /// every collection WaHardening publishes to when null.</summary>
        IReadOnlyList<TenantProfile> List(IEnumerable<(string ApiVersion, string Collection)>? collections, CancellationToken ct);

        /// <summary>How each file of an export folder stands against the tenant, plus the tenant's objects it does not have.</summary>
        IReadOnlyList<DriftResult> Compare(string exportDirectory, CancellationToken ct);

        /// <summary>Get-WaIntuneCompliance: finds the plan's objects by marker (every one missing: IntuneNotPublished, naming
        /// them), then streams their per-device results into <paramref name="sink"/>. A report job that fails or times out
        /// marks its sources failed in the sink and is listed in the result; the other sources are still read.</summary>
        IntuneReadResult ReadCompliance(string exportDirectory, Reporting.IntuneFleetPlan plan, IIntuneComplianceSink sink, IntuneReadOptions options, CancellationToken ct);
    }

    /// <summary>Where the Graph reader puts what Intune reports per device (Core's <see cref="Reporting.IntuneFleet"/>);
    /// source is the index of the plan's source; states as Graph spells them (or the reports' raw numbers).</summary>
    public interface IIntuneComplianceSink
    {
        /// <summary>An object's own per-device state (compliance policy status, settings-catalog profile status).</summary>
        void PolicyState(int source, string device, string state, System.DateTimeOffset? at);
        /// <summary>One setting's result on a device (custom compliance rules).</summary>
        void SettingState(int source, string device, string setting, string state, System.DateTimeOffset? at);
        /// <summary>The remediation's detection state and output on a device.</summary>
        void Detection(int source, string device, string? state, string? output, System.DateTimeOffset? at);
        /// <summary>The source could not be read (its report job failed or timed out).</summary>
        void SourceFailed(int source, string why);
    }

    /// <summary>How Get-WaIntuneCompliance reads.</summary>
    public sealed class IntuneReadOptions
    {
        /// <summary>Read compliance status and remediation run states from report export jobs too (large tenants), not from the paged collections.</summary>
        public bool ExportJobs { get; set; }
        /// <summary>The wait between polls of a report export job.</summary>
        public System.TimeSpan PollInterval { get; set; } = System.TimeSpan.FromSeconds(5);
        /// <summary>How long a report export job may take (counted in poll waits, each at least one second).</summary>
        public System.TimeSpan ReportTimeout { get; set; } = System.TimeSpan.FromMinutes(30);
    }

    /// <summary>What Get-WaIntuneCompliance read: objects edited by hand (still read), report jobs that failed.</summary>
    public sealed class IntuneReadResult
    {
        public List<DriftResult> Edited { get; } = new List<DriftResult>();
        /// <summary>Report (or source) name, the ErrorId (IntuneReportFailed, IntuneReportTimeout) and why.</summary>
        public List<(string Report, string ErrorId, string Why)> Failures { get; } = new List<(string, string, string)>();
        public int Requests { get; set; }
    }

    /// <summary>Where the loader finds the implementation of <see cref="IGraphService"/>.</summary>
    public static class GraphContract
    {
        /// <summary>The file in the module's graph/ folder.</summary>
        public const string AssemblyFile = "WaHardening.Graph.dll";

        /// <summary>The implementing type (public, with a public parameterless constructor) in that assembly.</summary>
        public const string ImplementationType = "WaHardening.Graph.GraphEntry";
    }
}
