using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Publishing;
using WaHardening.Graph;
using Xunit;

namespace WaHardening.Core.Tests
{
    public sealed class GraphPublishTests : IDisposable
    {
        private const string Token = "eyJ0eXAi.SECRET-TOKEN-7f3a.sig";
        private readonly FakeGraph _graph = new FakeGraph { ExpectedToken = Token };
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "wah-pub-" + Guid.NewGuid().ToString("N"));
        private readonly List<string> _messages = new List<string>();

        public void Dispose()
        {
            _graph.Dispose();
            if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
        }

        private sealed class Log : IGraphLog
        {
            private readonly List<string> _m;
            public Log(List<string> m) { _m = m; }
            public void Verbose(string message) { lock (_m) _m.Add(message); }
            public void Progress(string activity, string status, int percent) { lock (_m) _m.Add(status); }
            public void Warning(string message) { lock (_m) _m.Add(message); }
        }

        private string Export(string profile = "Standard", long idle = 300)
        {
            var baseline = BaselineLoader.Load(BaselineLoaderTests.DefaultPath).WithParameters(new Dictionary<string, object?> { ["IdleTimeoutSeconds"] = idle });
            var dir = Path.Combine(_dir, profile + idle);
            IntuneExportWriter.Write(dir, IntuneExporter.Build(baseline, profile, null, "test"), true);
            return dir;
        }

        private object Session(string? token = null) => GraphEntry.Connect(new GraphConnection
        {
            Kind = GraphAuthKind.AccessToken, AccessToken = token ?? Token, Endpoint = new Uri(_graph.Root),
        }, new Log(_messages), 3);

        private IReadOnlyList<PublishResult> Publish(string dir, AssignmentSpec? assign = null)
        {
            var s = Session();
            var preview = GraphEntry.Plan(s, dir, assign ?? new AssignmentSpec(), CancellationToken.None);
            return GraphEntry.Execute(s, preview, preview.Items.Select(i => i.Marker).ToList(), CancellationToken.None);
        }

        [Fact]
        public void First_publish_creates_everything_in_batches_and_a_second_sends_no_writes()
        {
            var dir = Export();
            var publishable = ExportFolder.Load(dir);
            var first = Publish(dir);
            Assert.All(first, r => Assert.Equal(PublishAction.Created, r.Action));
            Assert.Equal(publishable.Count, first.Count);
            Assert.All(_graph.Requests.Where(r => !r.InBatch), r => Assert.Equal("Bearer " + Token, r.Authorization));
            // Every create went inside a $batch; the compliance policy got the compliance script's tenant id.
            Assert.Equal(publishable.Count, _graph.Requests.Count(r => r.InBatch && r.Method == "POST" && !r.Path.EndsWith("/assign")));
            Assert.DoesNotContain(_graph.Requests, r => !r.InBatch && r.Method != "GET" && !r.Path.EndsWith("/$batch"));
            var script = first.Single(r => r.Kind == ExportKinds.CustomComplianceScript);
            var policy = _graph.Collections["deviceManagement/deviceCompliancePolicies"].Values
                .Single(o => ((JsonString)o["@odata.type"]!).Value == "#microsoft.graph.windows10CompliancePolicy");
            Assert.Equal(script.Id, ((JsonString)((JsonObject)policy["deviceCompliancePolicyScript"]!)["deviceComplianceScriptId"]!).Value);
            // The exported file has no script binding (importable as it is); the rules came from manifest.json's binding.
            Assert.False(((JsonObject)JsonParser.ParseFile(Path.Combine(dir, "windows", "compliance.json"))).Contains("deviceCompliancePolicyScript"));
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "windows", "custom-compliance", "rules.json")),
                Convert.FromBase64String(((JsonString)((JsonObject)policy["deviceCompliancePolicyScript"]!)["rulesContent"]!).Value));

            _graph.ClearLog();
            var second = Publish(dir);
            Assert.All(second, r => Assert.Equal(PublishAction.Unchanged, r.Action));
            Assert.Equal(0, _graph.Writes);
            Assert.All(_graph.Requests, r => Assert.True(r.Method == "GET" || r.Path.EndsWith("/$batch"), r.ToString()));
            Assert.True(_graph.HttpRequests <= 8, $"an up-to-date publish took {_graph.HttpRequests} HTTP requests: {string.Join("; ", _graph.Requests)}");
        }

        [Fact]
        public void A_changed_baseline_updates_in_place_and_other_objects_are_left_alone()
        {
            var foreign = _graph.Seed("deviceManagement/configurationPolicies", new JsonObject()
                .Set("name", "WaHardening - Standard - Windows - Microsoft Edge").Set("description", "Someone's own policy with our name").Set("settings", new JsonArray()));
            var first = Publish(Export(idle: 300));
            _graph.ClearLog();
            var second = Publish(Export(idle: 120));
            var updated = second.Where(r => r.Action == PublishAction.Updated).ToList();
            Assert.Contains(updated, r => r.Marker == "wah-standard-windows-lock");
            Assert.Contains(updated, r => r.Marker == "wah-standard-ios-compliance");
            foreach (var u in updated) Assert.Equal(first.Single(f => f.Marker == u.Marker).Id, u.Id);
            Assert.Contains(_graph.Requests, r => r.InBatch && r.Method == "PUT" && r.Path.Contains("configurationPolicies"));
            Assert.Contains(_graph.Requests, r => r.InBatch && r.Method == "PATCH" && r.Path.Contains("deviceCompliancePolicies"));
            Assert.DoesNotContain(_graph.Requests, r => r.Method == "POST" && r.InBatch && !r.Path.EndsWith("/assign"));
            Assert.Equal("Someone's own policy with our name", ((JsonString)_graph.Collections["deviceManagement/configurationPolicies"][foreign]["description"]!).Value);
            Assert.Contains(updated.Single(u => u.Marker == "wah-standard-ios-compliance").Differences, d => d == "passcodeMinutesOfInactivityBeforeScreenTimeout");
            Assert.DoesNotContain(_messages, m => m.Contains("tenant objects carry the marker"));
        }

        [Fact]
        public void Throttled_requests_inside_a_batch_and_a_throttled_batch_are_retried_after_retry_after()
        {
            var dir = Export();
            _graph.Faults.Add(new FakeGraph.Fault { When = r => r.InBatch && r.Method == "POST" && r.Path.Contains("deviceHealthScripts"), Status = 429, RetryAfter = 0, Times = 2 });
            _graph.Faults.Add(new FakeGraph.Fault { When = r => !r.InBatch && r.Path.EndsWith("/$batch"), Status = 503, RetryAfter = 1, Times = 1, Code = "ServiceUnavailable" });
            var results = Publish(dir);
            Assert.All(results, r => Assert.Equal(PublishAction.Created, r.Action));
            Assert.Equal(3, _graph.Requests.Count(r => r.InBatch && r.Method == "POST" && r.Path.EndsWith("deviceHealthScripts")));
            Assert.Contains(_messages, m => m.Contains("throttled"));
        }

        [Fact]
        public void A_failing_profile_is_reported_with_graphs_reason_and_the_rest_is_done()
        {
            var dir = Export();
            _graph.Faults.Add(new FakeGraph.Fault { When = r => r.InBatch && r.Method == "POST" && r.Path.Contains("deviceConfigurations") == false && r.Body is JsonObject b && (b["name"] as JsonString)?.Value?.Contains("Chrome") == true, Status = 400, Code = "BadRequest", Times = 10 });
            var results = Publish(dir);
            var failed = Assert.Single(results, r => r.Action == PublishAction.Failed);
            Assert.Equal("wah-standard-windows-chrome", failed.Marker);
            Assert.Contains("400 BadRequest", failed.Error);
            Assert.All(results.Where(r => r != failed), r => Assert.Equal(PublishAction.Created, r.Action));
        }

        [Fact]
        public void Assignments_by_id_and_name_with_exclusions_are_sent_once()
        {
            _graph.Groups["11111111-2222-3333-4444-555555555555"] = "All WaHardening devices";
            _graph.Groups["99999999-2222-3333-4444-555555555555"] = "Kiosks";
            var dir = Export();
            var spec = new AssignmentSpec { IncludeGroups = new[] { "All WaHardening devices" }, ExcludeGroups = new[] { "99999999-2222-3333-4444-555555555555" } };
            var first = Publish(dir, spec);
            var assignable = ExportFolder.Load(dir).Count(f => f.Graph.Assignable);
            Assert.Equal(assignable, _graph.Requests.Count(r => r.InBatch && r.Path.EndsWith("/assign")));
            var health = _graph.Requests.First(r => r.InBatch && r.Path.EndsWith("/assign") && r.Path.Contains("deviceHealthScripts"));
            Assert.Contains("deviceHealthScriptAssignments", ((JsonObject)health.Body!).Properties.Select(p => p.Key));
            Assert.Contains("#microsoft.graph.exclusionGroupAssignmentTarget", health.Body!.ToString());
            Assert.Contains(first, r => r.Assignment == "assigned to 1 groups, 1 excluded");
            _graph.ClearLog();
            var second = Publish(dir, spec);
            Assert.Equal(0, _graph.Writes);
            Assert.All(second.Where(r => r.Assignment != null), r => Assert.Equal("unchanged", r.Assignment));
            var ex = Assert.Throws<WaHardeningException>(() => GraphEntry.Plan(Session(), dir, new AssignmentSpec { IncludeGroups = new[] { "No such group" } }, CancellationToken.None));
            Assert.Equal("GraphGroupNotFound", ex.ErrorId);
        }

        [Fact]
        public void Discovery_follows_next_links_and_finds_objects_by_marker_not_name()
        {
            _graph.PageSize = 2;
            for (var i = 0; i < 5; i++)
                _graph.Seed("deviceManagement/configurationPolicies", new JsonObject().Set("name", "Other " + i).Set("description", "not ours").Set("settings", new JsonArray()));
            var dir = Export();
            Publish(dir);
            var renamed = _graph.Collections["deviceManagement/configurationPolicies"].Values.Single(o => (o["description"] as JsonString)?.Value?.EndsWith("[WaHardening marker: wah-standard-windows-edge]") == true);
            renamed.Set("name", "Renamed by an admin");
            var found = GraphEntry.List(Session(), null, CancellationToken.None);
            Assert.Contains(found, t => t.Marker == "wah-standard-windows-edge" && t.DisplayName == "Renamed by an admin");
            Assert.True(_graph.Requests.Count(r => r.Query.Contains("$skiptoken")) >= 2);
            var drift = GraphEntry.Compare(Session(), dir, CancellationToken.None);
            Assert.Equal(DriftState.Different, drift.Single(d => d.Marker == "wah-standard-windows-edge").State);
            Assert.Contains("name", drift.Single(d => d.Marker == "wah-standard-windows-edge").Differences);
        }

        [Fact]
        public void A_plan_sends_no_writes_and_the_token_appears_in_no_message()
        {
            var dir = Export();
            var preview = GraphEntry.Plan(Session(), dir, new AssignmentSpec(), CancellationToken.None);
            Assert.All(preview.Items, i => Assert.Equal(PublishAction.WouldCreate, i.Action));
            Assert.Equal(0, _graph.Writes);
            var ex = Assert.Throws<WaHardeningException>(() => GraphEntry.Plan(Session("wrong-" + Token), dir, new AssignmentSpec(), CancellationToken.None));
            Assert.Equal("GraphRequestFailed", ex.ErrorId);
            Assert.Contains("401", ex.Message);
            foreach (var text in _messages.Concat(new[] { ex.Message, ex.ToString() }))
                Assert.DoesNotContain("SECRET-TOKEN", text);
        }

        [Fact]
        public void The_access_token_is_sent_over_https_or_to_loopback_only()
        {
            var s = GraphEntry.Connect(new GraphConnection { Kind = GraphAuthKind.AccessToken, AccessToken = Token, Endpoint = new Uri("http://graph.example.invalid") }, new Log(_messages), 0);
            var ex = Assert.ThrowsAny<Exception>(() => GraphEntry.List(s, null, CancellationToken.None));
            Assert.Contains("https", (ex as WaHardeningException)?.Message ?? ex.InnerException?.Message ?? ex.Message);
            Assert.DoesNotContain("SECRET-TOKEN", ex.ToString());
        }
    }
}
