using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WaHardening.Core;
using WaHardening.Core.Intune;
using WaHardening.Core.Publishing;

namespace WaHardening.Graph
{
    /// <summary>
    /// The only door into the Graph assembly: the implementation of <see cref="IGraphService"/> (declared in Core with
    /// Core types only), so the cmdlets (in WaHardening.dll) never reference a Graph, Kiota or Azure type and the
    /// assembly can live in its own load context. The loader creates it by its name (<see cref="GraphContract.ImplementationType"/>)
    /// and casts it to the interface; every call after that is compiled against the interface. Exceptions leave it as
    /// the contract says: WaHardeningException (anything untyped becomes GraphFailed), or OperationCanceledException
    /// when the caller's token was cancelled.
    /// </summary>
    public sealed class GraphEntry : IGraphService
    {
        private sealed class Session : IGraphSession
        {
            public Session(GraphTransport t, SessionLog log) { Transport = t; Log = log; }
            public GraphTransport Transport { get; }
            public SessionLog Log { get; }

            public PublishPreview Plan(string exportDirectory, AssignmentSpec assignments, CancellationToken ct) => Guard(ct, () =>
            {
                var files = ExportFolder.Load(exportDirectory);
                var plan = new Publisher(Transport, Log).PlanAsync(files, assignments, ct).GetAwaiter().GetResult();
                return new PublishPreview(plan, plan.Items.Select(i => new PublishResult
                {
                    Marker = i.File.Marker, DisplayName = i.File.DisplayName, Kind = i.File.Kind, Path = i.File.Path, Action = i.Action, Id = i.Id,
                    Error = i.Error, Differences = i.Differences.ToList(), Assignment = i.NeedsAssignment ? "to be assigned" : null,
                }).ToList());
            });

            public IReadOnlyList<PublishResult> Execute(PublishPreview preview, ICollection<string> approvedMarkers, IGraphLog log, CancellationToken ct) => Guard(ct, () =>
            {
                Log.Target = log;
                return new Publisher(Transport, Log).ExecuteAsync((PublishPlan)preview.Plan, i => approvedMarkers.Contains(i.File.Marker), ct).GetAwaiter().GetResult();
            });

            public IReadOnlyList<TenantProfile> List(IEnumerable<(string ApiVersion, string Collection)>? collections, CancellationToken ct) => Guard(ct, () =>
            {
                var which = collections?.ToList() ?? DefaultCollections;
                return new Publisher(Transport, Log).ListAsync(which, ct).GetAwaiter().GetResult();
            });

            public IReadOnlyList<DriftResult> Compare(string exportDirectory, CancellationToken ct) => Guard(ct, () =>
            {
                var files = ExportFolder.Load(exportDirectory);
                var publisher = new Publisher(Transport, Log);
                var plan = publisher.PlanAsync(files, new AssignmentSpec(), ct).GetAwaiter().GetResult();
                var drift = plan.Items.Select(i => new DriftResult
                {
                    Marker = i.File.Marker, DisplayName = i.File.DisplayName, Id = i.Id, Differences = i.Differences.ToList(),
                    State = i.Id == null ? DriftState.Missing : i.Differences.Count == 0 ? DriftState.Same : DriftState.Different,
                }).ToList();
                var known = new HashSet<string>(files.Select(f => f.Marker));
                foreach (var t in publisher.ListAsync(files.Select(f => (f.Graph.ApiVersion, f.Graph.Collection)), ct).GetAwaiter().GetResult().Where(t => !known.Contains(t.Marker)))
                    drift.Add(new DriftResult { Marker = t.Marker, DisplayName = t.DisplayName, Id = t.Id, State = DriftState.NotInExport });
                return (IReadOnlyList<DriftResult>)drift;
            });

            public IntuneReadResult ReadCompliance(string exportDirectory, Core.Reporting.IntuneFleetPlan plan, IIntuneComplianceSink sink, IntuneReadOptions options, CancellationToken ct) => Guard(ct, () =>
            {
                var files = ExportFolder.Load(exportDirectory);
                return new ComplianceReader(Transport, Log).ReadAsync(files, plan, sink, options, ct).GetAwaiter().GetResult();
            });
        }

        /// <summary>Where a session's messages go: the log of the call running now (each cmdlet call drains its own).</summary>
        private sealed class SessionLog : IGraphLog
        {
            public SessionLog(IGraphLog target) { Target = target; }
            public IGraphLog Target { get; set; }
            public void Verbose(string message) => Target.Verbose(message);
            public void Progress(string activity, string status, int percent) => Target.Progress(activity, status, percent);
            public void Warning(string message) => Target.Warning(message);
        }

        /// <summary>Signs in (lazily, on the first request) and returns the session the other calls take. maxRetries:
        /// how many times a request that came back 429/503/504 is retried (a whole request by the SDK's retry handler,
        /// a request inside a batch by GraphTransport), 0 to 10.</summary>
        public IGraphSession Connect(GraphConnection connection, IGraphLog log, int maxRetries) => Connect(connection, log, maxRetries, null);

        /// <summary>As <see cref="Connect(GraphConnection, IGraphLog, int)"/>, with the wait before in-batch retries replaced (tests record it).</summary>
        internal static IGraphSession Connect(GraphConnection connection, IGraphLog log, int maxRetries, Func<TimeSpan, CancellationToken, Task>? delay) => Guard(CancellationToken.None, () =>
        {
            var client = GraphAuth.Client(connection);
            log.Verbose($"Graph: {connection}");
            var sessionLog = new SessionLog(log);
            return (IGraphSession)new Session(new GraphTransport(client, connection.Endpoint, sessionLog.Verbose, maxRetries, delay), sessionLog);
        });

        /// <summary>What leaves the assembly: typed errors as they are (also from inside an AggregateException), a
        /// cancellation the caller asked for as such, anything else as GraphFailed with the original inside.</summary>
        private static T Guard<T>(CancellationToken ct, Func<T> work)
        {
            try { return work(); }
            catch (WaHardeningException) { throw; }
            catch (AggregateException a) when (a.InnerException is WaHardeningException w) { throw w; }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                var inner = e is AggregateException a && a.InnerException != null ? a.InnerException : e;
                throw new WaHardeningException(ErrorIds.GraphFailed, WaErrorCategory.InvalidOperation, "Graph: " + inner.Message, null, inner);
            }
        }

        /// <summary>Where WaHardening objects live in a tenant.</summary>
        public static readonly List<(string, string)> DefaultCollections = new List<(string, string)>
        {
            ("beta", "deviceManagement/configurationPolicies"), ("v1.0", "deviceManagement/deviceConfigurations"),
            ("beta", "deviceManagement/deviceCompliancePolicies"), ("beta", "deviceManagement/deviceComplianceScripts"),
            ("beta", "deviceManagement/deviceHealthScripts"),
        };
    }
}
