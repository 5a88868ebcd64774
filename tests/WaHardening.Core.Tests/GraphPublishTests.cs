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

        /// <summary>The waits before in-batch retries, recorded instead of waited.</summary>
        private readonly List<TimeSpan> _waits = new List<TimeSpan>();

        private IGraphSession Session(string? token = null, int maxRetries = 3) => GraphEntry.Connect(new GraphConnection
        {
            Kind = GraphAuthKind.AccessToken, AccessToken = token ?? Token, Endpoint = new Uri(_graph.Root),
        }, new Log(_messages), maxRetries, (t, ct) => { lock (_waits) _waits.Add(t); return System.Threading.Tasks.Task.CompletedTask; });

        private IReadOnlyList<PublishResult> Publish(string dir, AssignmentSpec? assign = null, int maxRetries = 3)
        {
            var s = Session(maxRetries: maxRetries);
            var preview = s.Plan(dir, assign ?? new AssignmentSpec(), CancellationToken.None);
            return s.Execute(preview, preview.Items.Select(i => i.Marker).ToList(), new Log(_messages), CancellationToken.None);
        }

        private IEnumerable<FakeGraph.Request> Batches => _graph.Requests.Where(r => !r.InBatch && r.Method == "POST" && r.Path.EndsWith("/$batch", StringComparison.Ordinal));

        private static int BatchSize(FakeGraph.Request batch) => ((JsonArray)((JsonObject)batch.Body!)["requests"]!).Count;

        /// <summary>What the publisher must send for a file: the exported body with its bindings filled with the tenant ids
        /// (with the binding's values from manifest.json and, for a PATCH, without the navigation property scheduledActionsForRule), as documented.</summary>
        private static JsonObject Expected(PublishableFile f, IReadOnlyList<PublishResult> results, bool patch = false)
        {
            var body = f.Body.DeepClone();
            foreach (var b in f.Graph.Bindings)
                b.Apply(body, results.Single(r => r.Marker == b.Marker).Id!);
            if (patch) body.Remove("scheduledActionsForRule");
            return body;
        }

        private static string? MarkerOf(JsonValue? body) => ExportFolder.MarkerOf(((body as JsonObject)?["description"] as JsonString)?.Value);

        private static readonly string[] Listings =
        {
            "GET /beta/deviceManagement/configurationPolicies?$select=id,name,description,lastModifiedDateTime",
            "GET /beta/deviceManagement/deviceCompliancePolicies?$select=id,displayName,description,lastModifiedDateTime",
            "GET /beta/deviceManagement/deviceComplianceScripts?$select=id,displayName,description,lastModifiedDateTime",
            "GET /beta/deviceManagement/deviceHealthScripts?$select=id,displayName,description,lastModifiedDateTime",
            // The custom OMA-URI profile (Firefox, Google Update): v1.0 deviceConfigurations.
            "GET /v1.0/deviceManagement/deviceConfigurations?$select=id,displayName,description,lastModifiedDateTime",
        };

        [Fact]
        public void First_publish_creates_everything_in_batches_and_a_second_sends_no_writes()
        {
            var dir = Export();
            var publishable = ExportFolder.Load(dir);
            var first = Publish(dir);
            Assert.All(first, r => Assert.Equal(PublishAction.Created, r.Action));
            Assert.Equal(publishable.Count, first.Count);
            Assert.All(_graph.Requests.Where(r => !r.InBatch), r => Assert.Equal("Bearer " + Token, r.Authorization));
            // The reads: one listing per collection, with its $select (deviceCompliancePolicies once, from beta).
            Assert.Equal(Listings, _graph.Requests.Where(r => !r.InBatch && r.Method == "GET").Select(r => r.ToString()).OrderBy(x => x, StringComparer.Ordinal));
            // One create per file, to its collection, with exactly the exported body (bindings filled: the compliance
            // policy carries the compliance script's tenant id). The compliance script goes first and alone (the others
            // bind to it): a request of its own; everything else inside $batch requests of at most 20.
            var creates = _graph.Requests.Where(r => r.Method == "POST" && !r.Path.EndsWith("/$batch", StringComparison.Ordinal)).ToList();
            Assert.Equal(publishable.Count, creates.Count);
            foreach (var f in publishable)
            {
                var c = Assert.Single(creates, r => MarkerOf(r.Body) == f.Marker);
                Assert.Equal($"/{f.Graph.ApiVersion}/{f.Graph.Collection}", c.Path);
                Assert.Equal("", c.Query);
                Assert.True(Expected(f, first).DeepEquals(c.Body), $"{f.Path}: sent {c.Body}");
                Assert.Equal(f.Kind != ExportKinds.CustomComplianceScript, c.InBatch);
            }
            var script = first.Single(r => r.Kind == ExportKinds.CustomComplianceScript);
            var policy = _graph.Collections["deviceManagement/deviceCompliancePolicies"].Values
                .Single(o => ((JsonString)o["@odata.type"]!).Value == "#microsoft.graph.windows10CompliancePolicy");
            Assert.Equal(script.Id, ((JsonString)((JsonObject)policy["deviceCompliancePolicyScript"]!)["deviceComplianceScriptId"]!).Value);
            // The exported file has no script binding (importable as it is); the rules came from manifest.json's binding.
            Assert.False(((JsonObject)JsonParser.ParseFile(Path.Combine(dir, "windows", "compliance.json"))).Contains("deviceCompliancePolicyScript"));
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "windows", "custom-compliance", "rules.json")),
                Convert.FromBase64String(((JsonString)((JsonObject)policy["deviceCompliancePolicyScript"]!)["rulesContent"]!).Value));
            Assert.All(Batches, b => Assert.InRange(BatchSize(b), 2, GraphTransport.MaxBatch));

            _graph.ClearLog();
            var second = Publish(dir);
            Assert.All(second, r => Assert.Equal(PublishAction.Unchanged, r.Action));
            Assert.Equal(0, _graph.Writes);
            // Exactly the listings and one GET per object (settings expanded for the settings catalog), in batches.
            Assert.Equal(Listings, _graph.Requests.Where(r => !r.InBatch && r.Method == "GET").Select(r => r.ToString()).OrderBy(x => x, StringComparer.Ordinal));
            var expectedGets = publishable.Select(f => $"[batch] GET /{f.Graph.ApiVersion}/{f.Graph.Collection}/{first.Single(r => r.Marker == f.Marker).Id}"
                + (f.Graph.Collection == "deviceManagement/configurationPolicies" ? "?$expand=settings" : "")).OrderBy(x => x, StringComparer.Ordinal);
            Assert.Equal(expectedGets, _graph.Requests.Where(r => r.InBatch).Select(r => r.ToString()).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(2, Batches.Count()); // one per API version
            Assert.True(_graph.HttpRequests <= 8, $"an up-to-date publish took {_graph.HttpRequests} HTTP requests: {string.Join("; ", _graph.Requests)}");
        }

        [Fact]
        public void Settings_keep_matching_by_definition_id_when_the_tenant_numbers_them_otherwise()
        {
            // The exported settings carry ids "0", "1", … (the admin center's export shape); the tenant's ids are its own.
            var dir = Export();
            Publish(dir);
            foreach (var policy in _graph.Collections["deviceManagement/configurationPolicies"].Values)
            {
                var settings = ((JsonArray)policy["settings"]!).Items.Cast<JsonObject>().ToList();
                Assert.Equal("0", ((JsonString)settings[0]["id"]!).Value);
                var k = settings.Count;
                foreach (var x in settings) x.Set("id", (--k).ToString(System.Globalization.CultureInfo.InvariantCulture) + "-tenant");
            }
            _graph.ClearLog();
            Assert.All(Publish(dir), r => Assert.Equal(PublishAction.Unchanged, r.Action));
            Assert.Equal(0, _graph.Writes);
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
            // Exactly one write per changed profile: PUT (settings catalog) or PATCH, to the object's id, with the new
            // exported body (a PATCH without scheduledActionsForRule, a navigation property).
            var files = ExportFolder.Load(Path.Combine(_dir, "Standard120"));
            var writes = _graph.Requests.Where(r => r.Method != "GET" && !r.Path.EndsWith("/$batch", StringComparison.Ordinal)).ToList();
            Assert.Equal(updated.Count, writes.Count);
            foreach (var u in updated)
            {
                var f = files.Single(x => x.Marker == u.Marker);
                var w = Assert.Single(writes, r => r.Path == $"/{f.Graph.ApiVersion}/{f.Graph.Collection}/{u.Id}");
                var put = f.Graph.Collection == "deviceManagement/configurationPolicies";
                Assert.Equal(put ? "PUT" : "PATCH", w.Method);
                var peers = updated.Count(x => files.Single(y => y.Marker == x.Marker).Graph.ApiVersion == f.Graph.ApiVersion
                    && (x.Kind == ExportKinds.CustomComplianceScript) == (u.Kind == ExportKinds.CustomComplianceScript)); // the script goes first
                Assert.True((peers > 1) == w.InBatch, $"{w} ({peers} writes to {f.Graph.ApiVersion}; a lone write goes on its own): {string.Join("; ", _graph.Requests)}");
                Assert.True(Expected(f, first, patch: !put).DeepEquals(w.Body), $"{f.Path}: sent {w.Body}");
            }
            Assert.Contains(writes, w => w.Method == "PUT");
            Assert.Contains(writes, w => w.Method == "PATCH" && w.Path.Contains("deviceCompliancePolicies"));
            Assert.Equal("Someone's own policy with our name", ((JsonString)_graph.Collections["deviceManagement/configurationPolicies"][foreign]["description"]!).Value);
            Assert.Contains(updated.Single(u => u.Marker == "wah-standard-ios-compliance").Differences, d => d == "passcodeMinutesOfInactivityBeforeScreenTimeout");
            Assert.DoesNotContain(_messages, m => m.Contains("tenant objects carry the marker"));
        }

        [Fact]
        public void Throttled_requests_inside_a_batch_and_a_throttled_batch_are_retried_after_retry_after()
        {
            var dir = Export();
            var health = new FakeGraph.Fault { When = r => r.InBatch && r.Method == "POST" && r.Path.EndsWith("deviceHealthScripts"), Status = 429, RetryAfter = 7, Times = 2 };
            var batch = new FakeGraph.Fault { When = r => !r.InBatch && r.Path.EndsWith("/$batch"), Status = 503, RetryAfter = 1, Times = 1, Code = "ServiceUnavailable" };
            _graph.Faults.Add(health);
            _graph.Faults.Add(batch);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var results = Publish(dir);
            Assert.All(results, r => Assert.Equal(PublishAction.Created, r.Action));
            // In a batch: sent again after exactly its Retry-After, twice; the third time it was created.
            Assert.Equal(3, _graph.Requests.Count(r => r.InBatch && r.Method == "POST" && r.Path.EndsWith("deviceHealthScripts")));
            Assert.Equal(new[] { TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7) }, _waits);
            Assert.Contains(_messages, m => m.Contains("throttled 1 requests in a batch; retrying after 7 s (retry 1 of 3)"));
            // The $batch request itself: retried by the SDK's retry handler after its Retry-After (1 s, really waited).
            Assert.Equal(1, batch.Hits);
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"the 503'd $batch was retried after {clock.Elapsed}");
        }

        [Fact]
        public void A_request_in_a_batch_that_stays_throttled_fails_after_max_retries_and_the_rest_is_done()
        {
            var dir = Export();
            var health = new FakeGraph.Fault { When = r => r.InBatch && r.Method == "POST" && r.Path.EndsWith("deviceHealthScripts"), Status = 429, RetryAfter = 5, Times = int.MaxValue };
            _graph.Faults.Add(health);
            var results = Publish(dir, maxRetries: 3);
            var failed = Assert.Single(results, r => r.Action == PublishAction.Failed);
            Assert.Equal("wah-standard-windows-remediation", failed.Marker);
            Assert.Equal("429 TooManyRequests: Injected fault. (after 3 retries)", failed.Error);
            Assert.Equal(4, health.Hits); // MaxRetries + 1 attempts
            Assert.Equal(4, _graph.Requests.Count(r => r.InBatch && r.Method == "POST" && r.Path.EndsWith("deviceHealthScripts")));
            Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(5), 3), _waits);
            Assert.All(results.Where(r => r != failed), r => Assert.Equal(PublishAction.Created, r.Action));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(2)]
        public void A_whole_request_that_stays_throttled_is_retried_max_retries_times_by_the_sdk_then_fails_alone(int maxRetries)
        {
            // The compliance script is written first and alone (the compliance policy binds to it): a request of its
            // own, so the SDK's retry handler retries it, bounded by the same -MaxRetries.
            var dir = Export();
            var script = new FakeGraph.Fault { When = r => !r.InBatch && r.Method == "POST" && r.Path.EndsWith("deviceComplianceScripts"), Status = 429, RetryAfter = 0, Times = int.MaxValue };
            _graph.Faults.Add(script);
            var results = Publish(dir, maxRetries: maxRetries);
            Assert.Equal(maxRetries + 1, script.Hits);
            var failed = results.Where(r => r.Action == PublishAction.Failed).ToDictionary(r => r.Marker);
            Assert.Equal(new[] { "wah-standard-windows-compliance", "wah-standard-windows-custom-compliance-script" }, failed.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal("429 TooManyRequests: Injected fault." + (maxRetries > 0 ? $" after {maxRetries} retries" : ""), failed["wah-standard-windows-custom-compliance-script"].Error);
            Assert.Equal("needs wah-standard-windows-custom-compliance-script, which was not published", failed["wah-standard-windows-compliance"].Error);
            Assert.All(results.Where(r => !failed.ContainsKey(r.Marker)), r => Assert.Equal(PublishAction.Created, r.Action));
        }

        [Fact]
        public void A_batch_request_that_fails_as_a_whole_fails_exactly_its_profiles_and_the_rest_is_done()
        {
            // Writes go v1.0 first (the macOS and Android work-profile compliance policies), then beta: the later $batch POST gets a 500 (not retried).
            var dir = Export();
            var files = ExportFolder.Load(dir);
            var later = new FakeGraph.Fault
            {
                When = r => !r.InBatch && r.Path == "/beta/$batch" && r.Body!.ToString().Contains("\"method\":\"POST\""), Status = 500, Code = "InternalServerError", Times = 1,
            };
            _graph.Faults.Add(later);
            var results = Publish(dir);
            Assert.Equal(1, later.Hits);
            var inLater = files.Where(f => f.Graph.ApiVersion == "beta" && f.Kind != ExportKinds.CustomComplianceScript).Select(f => f.Marker).OrderBy(m => m, StringComparer.Ordinal).ToList();
            Assert.Equal(inLater, results.Where(r => r.Action == PublishAction.Failed).Select(r => r.Marker).OrderBy(m => m, StringComparer.Ordinal));
            Assert.All(results.Where(r => r.Action == PublishAction.Failed), r =>
            {
                Assert.Equal("500 InternalServerError: Injected fault. (the $batch request failed)", r.Error);
                Assert.Null(r.Id);
            });
            // Everything else was done and is reported with its tenant id.
            Assert.All(results.Where(r => !inLater.Contains(r.Marker)), r => { Assert.Equal(PublishAction.Created, r.Action); Assert.NotNull(r.Id); });
            // Created: the v1.0 policies (macOS and Android work-profile compliance, the custom OMA-URI profile) and the compliance script.
            Assert.Equal(files.Count(f => f.Graph.ApiVersion == "v1.0") + 1, results.Count(r => r.Action == PublishAction.Created));
            Assert.Equal(3, files.Count(f => f.Graph.ApiVersion == "v1.0"));
            Assert.DoesNotContain(results, r => r.Error?.Contains("SECRET-TOKEN") == true);
        }

        [Fact]
        public void A_lone_request_that_fails_fails_its_profile_and_those_bound_to_it_only()
        {
            var dir = Export();
            var script = new FakeGraph.Fault { When = r => !r.InBatch && r.Method == "POST" && r.Path.EndsWith("deviceComplianceScripts"), Status = 500, Code = "InternalServerError", Times = 1 };
            _graph.Faults.Add(script);
            var results = Publish(dir);
            Assert.Equal(1, script.Hits); // a 500 is not retried
            var failed = results.Where(r => r.Action == PublishAction.Failed).ToDictionary(r => r.Marker);
            Assert.Equal("500 InternalServerError: Injected fault.", failed["wah-standard-windows-custom-compliance-script"].Error);
            Assert.Equal("needs wah-standard-windows-custom-compliance-script, which was not published", failed["wah-standard-windows-compliance"].Error);
            Assert.Equal(2, failed.Count);
            Assert.All(results.Where(r => !failed.ContainsKey(r.Marker)), r => Assert.Equal(PublishAction.Created, r.Action));
        }

        [Fact]
        public void A_network_error_on_a_batch_fails_exactly_its_profiles_and_the_rest_is_done()
        {
            var dir = Export();
            var drop = new FakeGraph.Fault { When = r => !r.InBatch && r.Path == "/v1.0/$batch", Abort = true, Times = int.MaxValue };
            _graph.Faults.Add(drop);
            var results = Publish(dir);
            Assert.Equal(1, drop.Hits);
            var failed = results.Where(r => r.Action == PublishAction.Failed).ToList();
            // The v1.0 batch: the compliance policies and the custom OMA-URI profile, whose every property Microsoft.Graph's v1.0 model has (iOS, the
            // corporate-owned and AOSP Android policies go through beta).
            Assert.Equal(new[] { "wah-standard-android-compliance", "wah-standard-macos-compliance", "wah-standard-windows-custom-oma-uri" }, failed.Select(r => r.Marker).OrderBy(m => m, StringComparer.Ordinal));
            Assert.All(failed, r => { Assert.StartsWith("Graph cannot be reached: ", r.Error); Assert.EndsWith("(the $batch request failed)", r.Error); });
            Assert.All(results.Except(failed), r => Assert.Equal(PublishAction.Created, r.Action));
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

        /// <summary>The assignment list in a fixed order (Graph does not care about the order of the targets).</summary>
        private static JsonObject Sorted(JsonObject assign) => new JsonObject().Set(assign.Properties.Single().Key,
            new JsonArray(((JsonArray)assign.Properties.Single().Value).Items.OrderBy(t => t.ToString(), StringComparer.Ordinal)));

        private static JsonObject Target(string type, string group) =>
            new JsonObject().Set("target", new JsonObject().Set("@odata.type", "#microsoft.graph." + type).Set("groupId", group));

        [Fact]
        public void Assignments_by_id_and_name_with_exclusions_are_sent_once()
        {
            // A name with the characters a URL or an OData literal would take apart: it must be quoted and encoded.
            const string name = "R&D #1 'Kiosk' devices";
            _graph.Groups["11111111-2222-3333-4444-555555555555"] = name;
            _graph.Groups["22222222-2222-3333-4444-555555555555"] = "R";
            _graph.Groups["99999999-2222-3333-4444-555555555555"] = "Kiosks";
            var dir = Export();
            var spec = new AssignmentSpec { IncludeGroups = new[] { name }, ExcludeGroups = new[] { "99999999-2222-3333-4444-555555555555" } };
            var first = Publish(dir, spec);
            // One lookup (a lone request), URL-encoded, the quotes doubled.
            var lookup = Assert.Single(_graph.Requests, r => r.Path == "/v1.0/groups");
            Assert.False(lookup.InBatch);
            Assert.Equal("$filter=displayName eq 'R&D #1 ''Kiosk'' devices'", FakeGraph.Parameters(lookup.RawQuery).Select(p => p.Key + "=" + p.Value).First());
            Assert.Equal("id,displayName", FakeGraph.Parameters(lookup.RawQuery)["$select"]);
            // /assign for every assignable profile, with the resolved group id and the exclusion, and nothing else.
            var files = ExportFolder.Load(dir);
            var assigns = _graph.Requests.Where(r => r.Path.EndsWith("/assign", StringComparison.Ordinal)).ToList();
            Assert.Equal(files.Count(f => f.Graph.Assignable), assigns.Count);
            foreach (var f in files.Where(f => f.Graph.Assignable))
            {
                var post = Assert.Single(assigns, r => r.Path == $"/{f.Graph.ApiVersion}/{f.Graph.Collection}/{first.Single(x => x.Marker == f.Marker).Id}/assign");
                Assert.Equal("POST", post.Method);
                Assert.True(post.InBatch);
                var include = Target("groupAssignmentTarget", "11111111-2222-3333-4444-555555555555");
                var exclude = Target("exclusionGroupAssignmentTarget", "99999999-2222-3333-4444-555555555555");
                JsonObject expected;
                if (f.Graph.Collection == "deviceManagement/deviceHealthScripts")
                {
                    foreach (var t in new[] { include, exclude })
                        t.Set("runRemediationScript", true).Set("runSchedule", new JsonObject().Set("@odata.type", "#microsoft.graph.deviceHealthScriptDailySchedule")
                            .Set("interval", 1).Set("useUtc", false).Set("time", "09:00:00.0000000"));
                    expected = new JsonObject().Set("deviceHealthScriptAssignments", new JsonArray(new JsonValue[] { include, exclude }));
                }
                else expected = new JsonObject().Set("assignments", new JsonArray(new JsonValue[] { include, exclude }));
                Assert.True(Sorted(expected).DeepEquals(Sorted((JsonObject)post.Body!)), $"{f.Path}: sent {post.Body}");
            }
            Assert.Contains(first, r => r.Assignment == "assigned to 1 groups, 1 excluded");
            _graph.ClearLog();
            var second = Publish(dir, spec);
            Assert.Equal(0, _graph.Writes);
            Assert.All(second.Where(r => r.Assignment != null), r => Assert.Equal("unchanged", r.Assignment));
            var ex = Assert.Throws<WaHardeningException>(() => Session().Plan(dir, new AssignmentSpec { IncludeGroups = new[] { "No such group" } }, CancellationToken.None));
            Assert.Equal("GraphGroupNotFound", ex.ErrorId);
        }

        [Fact]
        public void More_than_twenty_requests_are_split_into_batches_of_twenty_and_all_are_processed()
        {
            // 25 groups by name (encoded inside the batch too): 25 lookups, in $batch requests of 20 and 5.
            var names = Enumerable.Range(1, 25).Select(n => $"Devices & #{n} 'ring'").ToList();
            var ids = names.Select((n, k) => $"{k + 1:00000000}-2222-3333-4444-555555555555").ToList();
            for (var k = 0; k < names.Count; k++) _graph.Groups[ids[k]] = names[k];
            var dir = Export();
            var results = Publish(dir, new AssignmentSpec { IncludeGroups = names });
            var lookupBatches = Batches.Where(b => b.Path == "/v1.0/$batch" && b.Body!.ToString().Contains("/groups?")).ToList();
            Assert.Equal(new[] { 20, 5 }, lookupBatches.Select(BatchSize));
            Assert.All(Batches, b => Assert.True(BatchSize(b) <= GraphTransport.MaxBatch, $"{BatchSize(b)} requests in one $batch"));
            var lookups = _graph.Requests.Where(r => r.Path == "/v1.0/groups").ToList();
            Assert.All(lookups, r => Assert.True(r.InBatch));
            Assert.Equal(names.Select(n => "displayName eq '" + n.Replace("'", "''") + "'").OrderBy(x => x, StringComparer.Ordinal),
                lookups.Select(r => FakeGraph.Parameters(r.RawQuery)["$filter"]).OrderBy(x => x, StringComparer.Ordinal));
            // Every group was resolved to its id and every assignable profile assigned to all 25.
            var expectedTargets = new JsonArray(ids.Select(id => (JsonValue)Target("groupAssignmentTarget", id)));
            var assigns = _graph.Requests.Where(r => r.Path.EndsWith("/assign", StringComparison.Ordinal) && !r.Path.Contains("deviceHealthScripts")).ToList();
            Assert.NotEmpty(assigns);
            Assert.All(assigns, a => Assert.True(Sorted(new JsonObject().Set("assignments", expectedTargets)).DeepEquals(Sorted((JsonObject)a.Body!)), a.Body!.ToString()));
            Assert.All(results, r => Assert.Equal(PublishAction.Created, r.Action));
            Assert.All(results.Where(r => r.Assignment != null), r => Assert.Equal("assigned to 25 groups, 0 excluded", r.Assignment));
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
            var found = Session().List(null, CancellationToken.None);
            Assert.Contains(found, t => t.Marker == "wah-standard-windows-edge" && t.DisplayName == "Renamed by an admin");
            Assert.True(_graph.Requests.Count(r => r.Query.Contains("$skiptoken")) >= 2);
            var drift = Session().Compare(dir, CancellationToken.None);
            Assert.Equal(DriftState.Different, drift.Single(d => d.Marker == "wah-standard-windows-edge").State);
            Assert.Contains("name", drift.Single(d => d.Marker == "wah-standard-windows-edge").Differences);
        }

        [Fact]
        public void A_plan_sends_no_writes_and_the_token_appears_in_no_message()
        {
            var dir = Export();
            var preview = Session().Plan(dir, new AssignmentSpec(), CancellationToken.None);
            Assert.All(preview.Items, i => Assert.Equal(PublishAction.WouldCreate, i.Action));
            Assert.Equal(0, _graph.Writes);
            var ex = Assert.ThrowsAny<WaHardeningException>(() => Session("wrong-" + Token).Plan(dir, new AssignmentSpec(), CancellationToken.None));
            Assert.Equal("GraphRequestFailed", ex.ErrorId);
            Assert.Contains("401", ex.Message);
            foreach (var text in _messages.Concat(new[] { ex.Message, ex.ToString() }))
                Assert.DoesNotContain("SECRET-TOKEN", text);
        }

        [Fact]
        public void The_loader_creates_the_implementation_the_contract_names_and_uses_it_through_the_interface()
        {
            // What GraphLoader does in the module: the assembly file and the type by the names GraphContract gives, one
            // Activator call, then only IGraphService/IGraphSession (compiled calls, no method looked up by name).
            var asm = typeof(GraphEntry).Assembly;
            Assert.Equal(GraphContract.AssemblyFile, Path.GetFileName(asm.Location));
            var service = Activator.CreateInstance(asm.GetType(GraphContract.ImplementationType, throwOnError: true)!) as IGraphService;
            Assert.NotNull(service);
            var dir = Export();
            var session = service!.Connect(new GraphConnection { Kind = GraphAuthKind.AccessToken, AccessToken = Token, Endpoint = new Uri(_graph.Root) }, new Log(_messages), 0);
            var preview = session.Plan(dir, new AssignmentSpec(), CancellationToken.None);
            var created = session.Execute(preview, preview.Items.Select(i => i.Marker).ToList(), new Log(_messages), CancellationToken.None);
            Assert.All(created, r => Assert.Equal(PublishAction.Created, r.Action));
            Assert.Equal(created.Select(r => r.Marker).OrderBy(m => m), session.List(null, CancellationToken.None).Select(t => t.Marker).OrderBy(m => m));
            Assert.All(session.Compare(dir, CancellationToken.None), d => Assert.Equal(DriftState.Same, d.State));
        }

        [Fact]
        public void Errors_leave_the_Graph_assembly_as_the_contract_says()
        {
            // An error the Graph code did not type (here the certificate loader's) comes out as GraphFailed, with the original inside.
            var missing = Path.Combine(_dir, "no-such.pfx");
            var ex = Assert.Throws<WaHardeningException>(() => new GraphEntry().Connect(new GraphConnection
            {
                Kind = GraphAuthKind.ClientCertificate, TenantId = "contoso.example", ClientId = "00000000-0000-0000-0000-000000000001", CertificatePath = missing,
            }, new Log(_messages), 0));
            Assert.Equal("GraphFailed", ex.ErrorId);
            Assert.StartsWith("Graph: ", ex.Message);
            Assert.NotNull(ex.InnerException);
            Assert.IsNotType<WaHardeningException>(ex.InnerException);
            // A cancellation the caller asked for stays a cancellation (the cmdlets report it as GraphCancelled), and nothing is sent.
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => Session().List(null, cts.Token));
            Assert.Empty(_graph.Requests);
        }

        [Fact]
        public void The_access_token_is_sent_over_https_or_to_loopback_only()
        {
            var s = new GraphEntry().Connect(new GraphConnection { Kind = GraphAuthKind.AccessToken, AccessToken = Token, Endpoint = new Uri("http://graph.example.invalid") }, new Log(_messages), 0);
            var ex = Assert.ThrowsAny<Exception>(() => s.List(null, CancellationToken.None));
            Assert.Contains("https", (ex as WaHardeningException)?.Message ?? ex.InnerException?.Message ?? ex.Message);
            Assert.DoesNotContain("SECRET-TOKEN", ex.ToString());
        }
    }
}
