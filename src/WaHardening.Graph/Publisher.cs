using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WaHardening.Core;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Publishing;

namespace WaHardening.Graph
{
    /// <summary>One exported file against the tenant: what exists, what differs, what to do.</summary>
    public sealed class PlanItem
    {
        internal PlanItem(PublishableFile file) { File = file; }
        public PublishableFile File { get; }
        public string? Id { get; internal set; }
        internal JsonObject? Existing;
        internal HashSet<(string Type, string Group)>? CurrentAssignments;
        public List<string> Differences { get; } = new List<string>();
        public PublishAction Action { get; internal set; }
        public bool NeedsAssignment { get; internal set; }
        public string? Error { get; internal set; }
    }

    /// <summary>The reads done and the writes a publish would send.</summary>
    public sealed class PublishPlan
    {
        internal PublishPlan(List<PlanItem> items, List<(string Type, string Group)> assignments) { Items = items; Assignments = assignments; }
        public List<PlanItem> Items { get; }
        internal List<(string Type, string Group)> Assignments { get; }
    }

    /// <summary>
    /// Publishes an export folder: finds tenant objects by the marker in their description, compares normalized bodies,
    /// creates what is missing, updates what differs (PUT for settings-catalog policies, PATCH for the rest), leaves
    /// the rest alone, and assigns. Reads and writes go in $batch requests; an up-to-date tenant costs reads only.
    /// </summary>
    internal sealed class Publisher
    {
        private const string GroupTarget = "#microsoft.graph.groupAssignmentTarget";
        private const string ExclusionTarget = "#microsoft.graph.exclusionGroupAssignmentTarget";
        private readonly GraphTransport _t;
        private readonly IGraphLog _log;

        public Publisher(GraphTransport transport, IGraphLog log) { _t = transport; _log = log; }

        // ------------------------------------------------------------ discover

        public async Task<List<TenantProfile>> ListAsync(IEnumerable<(string ApiVersion, string Collection)> collections, CancellationToken ct)
        {
            var found = new List<TenantProfile>();
            // One listing per collection: beta and v1.0 show the same objects (beta preferred: it shows every derived type).
            foreach (var (api, collection) in collections.GroupBy(c => c.Collection).Select(g => g.OrderBy(c => c.ApiVersion == "beta" ? 0 : 1).First()))
            {
                var nameField = collection.EndsWith("configurationPolicies", StringComparison.Ordinal) ? "name" : "displayName";
                var objects = await _t.GetAllAsync(_t.Url(api, $"/{collection}?$select=id,{nameField},description,lastModifiedDateTime"), ct).ConfigureAwait(false);
                foreach (var o in objects)
                {
                    var marker = ExportFolder.MarkerOf((o["description"] as JsonString)?.Value);
                    if (marker == null) continue;
                    found.Add(new TenantProfile
                    {
                        Marker = marker, Id = ((JsonString)o["id"]!).Value, DisplayName = (o[nameField] as JsonString)?.Value ?? "",
                        Collection = collection, LastModified = (o["lastModifiedDateTime"] as JsonString)?.Value,
                    });
                }
            }
            return found;
        }

        public async Task<PublishPlan> PlanAsync(IReadOnlyList<PublishableFile> files, AssignmentSpec assign, CancellationToken ct)
        {
            var items = files.Select(f => new PlanItem(f)).ToList();
            _log.Progress("Publishing to Intune", "Reading what the tenant holds", 5);
            var tenant = await ListAsync(files.Select(f => (f.Graph.ApiVersion, f.Graph.Collection)), ct).ConfigureAwait(false);
            foreach (var i in items)
            {
                var matches = tenant.Where(t => t.Marker == i.File.Marker && t.Collection == i.File.Graph.Collection).ToList();
                if (matches.Count > 1) _log.Warning($"{matches.Count} tenant objects carry the marker {i.File.Marker}; updating {matches[0].Id}, the others are left alone.");
                i.Id = matches.FirstOrDefault()?.Id;
            }

            // The full objects (settings expanded) and their assignments, batched per API version.
            _log.Progress("Publishing to Intune", "Reading the existing profiles", 20);
            foreach (var group in items.Where(i => i.Id != null).GroupBy(i => i.File.Graph.ApiVersion))
            {
                var reads = new List<BatchItem>();
                foreach (var i in group)
                {
                    var expand = i.File.Graph.Collection.EndsWith("configurationPolicies", StringComparison.Ordinal) ? "?$expand=settings" : "";
                    reads.Add(new BatchItem("GET", $"/{i.File.Graph.Collection}/{i.Id}{expand}", null, (i, "object")));
                    if (i.File.Graph.Assignable && !assign.IsEmpty) reads.Add(new BatchItem("GET", $"/{i.File.Graph.Collection}/{i.Id}/assignments", null, (i, "assignments")));
                }
                await _t.BatchAsync(group.Key, reads, ct).ConfigureAwait(false);
                foreach (var r in reads)
                {
                    var (item, what) = ((PlanItem, string))r.Tag!;
                    if (!r.Ok) { item.Error = $"reading {what}: {r.Error}"; continue; }
                    if (what == "object") item.Existing = r.Response as JsonObject;
                    else item.CurrentAssignments = new HashSet<(string, string)>(((r.Response as JsonObject)?["value"] as JsonArray)?.Items.OfType<JsonObject>()
                        .Select(a => a["target"] as JsonObject).Where(t => t != null)
                        .Select(t => (((t!["@odata.type"] as JsonString)?.Value ?? ""), ((t["groupId"] as JsonString)?.Value ?? ""))) ?? Enumerable.Empty<(string, string)>());
                }
            }

            var wanted = await ResolveGroupsAsync(assign, ct).ConfigureAwait(false);
            foreach (var i in items)
            {
                if (i.Error != null) { i.Action = PublishAction.Failed; continue; }
                var body = BodyFor(i, items, forCompare: true);
                if (i.Id == null) { i.Action = PublishAction.WouldCreate; i.NeedsAssignment = i.File.Graph.Assignable && wanted.Count > 0; continue; }
                Diff(body, i.Existing, "", i.Differences, i.File.Graph.Collection);
                i.Action = i.Differences.Count == 0 ? PublishAction.Unchanged : PublishAction.WouldUpdate;
                i.NeedsAssignment = i.File.Graph.Assignable && wanted.Count > 0 &&
                    (i.CurrentAssignments == null || !i.CurrentAssignments.SetEquals(wanted));
            }
            return new PublishPlan(items, wanted);
        }

        private async Task<List<(string Type, string Group)>> ResolveGroupsAsync(AssignmentSpec spec, CancellationToken ct)
        {
            var result = new List<(string, string)>();
            var byName = new List<(string Type, string Name)>();
            foreach (var (list, type) in new[] { (spec.IncludeGroups, GroupTarget), (spec.ExcludeGroups, ExclusionTarget) })
                foreach (var g in list)
                {
                    if (Guid.TryParse(g, out var id)) result.Add((type, id.ToString("D")));
                    else byName.Add((type, g));
                }
            if (byName.Count == 0) return result;
            var reads = byName.Select(n => new BatchItem("GET", GroupLookupUrl(n.Name), null, n)).ToList();
            await _t.BatchAsync("v1.0", reads, ct).ConfigureAwait(false);
            foreach (var r in reads)
            {
                var (type, name) = ((string, string))r.Tag!;
                var found = ((r.Response as JsonObject)?["value"] as JsonArray)?.Items.OfType<JsonObject>().ToList() ?? new List<JsonObject>();
                if (!r.Ok) throw new WaHardeningException(ErrorIds.GraphGroupLookupFailed, WaErrorCategory.ConnectionError, $"Looking up the group '{name}' failed: {r.Error}", name);
                if (found.Count != 1)
                    throw new WaHardeningException(found.Count == 0 ? ErrorIds.GraphGroupNotFound : ErrorIds.GraphGroupAmbiguous, WaErrorCategory.ObjectNotFound,
                        found.Count == 0 ? $"No group is named '{name}'; give its id or exact display name. Nothing was sent." : $"{found.Count} groups are named '{name}'; give the group id. Nothing was sent.", name);
                result.Add((type, ((JsonString)found[0]["id"]!).Value));
            }
            return result;
        }

        /// <summary>The group lookup by exact display name: an OData string literal (quotes doubled), URL-encoded.</summary>
        internal static string GroupLookupUrl(string name) =>
            "/groups?$filter=" + Uri.EscapeDataString("displayName eq '" + name.Replace("'", "''") + "'") + "&$select=id,displayName";

        // ------------------------------------------------------------ write

        public async Task<List<PublishResult>> ExecuteAsync(PublishPlan plan, Func<PlanItem, bool> approve, CancellationToken ct)
        {
            // Files others bind to go first, so their tenant ids can be filled in.
            var boundTo = new HashSet<string>(plan.Items.SelectMany(i => i.File.Graph.Bindings).Select(b => b.Marker));
            var phases = new[] { plan.Items.Where(i => boundTo.Contains(i.File.Marker)).ToList(), plan.Items.Where(i => !boundTo.Contains(i.File.Marker)).ToList() };
            var done = 0;
            foreach (var phase in phases)
            {
                foreach (var group in phase.Where(i => (i.Action == PublishAction.WouldCreate || i.Action == PublishAction.WouldUpdate) && approve(i)).GroupBy(i => i.File.Graph.ApiVersion))
                {
                    var writes = new List<BatchItem>();
                    foreach (var i in group)
                    {
                        var missing = i.File.Graph.Bindings.Where(b => plan.Items.First(x => x.File.Marker == b.Marker).Id == null).ToList();
                        if (missing.Count > 0) { i.Action = PublishAction.Failed; i.Error = $"needs {missing[0].Marker}, which was not published"; continue; }
                        var body = BodyFor(i, plan.Items, forCompare: false);
                        if (i.Id == null) writes.Add(new BatchItem("POST", "/" + i.File.Graph.Collection, body, i));
                        else if (i.File.Graph.Collection.EndsWith("configurationPolicies", StringComparison.Ordinal))
                            writes.Add(new BatchItem("PUT", $"/{i.File.Graph.Collection}/{i.Id}", body, i));
                        else
                        {
                            body.Remove("scheduledActionsForRule"); // a navigation property: not part of a PATCH
                            writes.Add(new BatchItem("PATCH", $"/{i.File.Graph.Collection}/{i.Id}", body, i));
                        }
                    }
                    await _t.BatchAsync(group.Key, writes, ct).ConfigureAwait(false);
                    foreach (var w in writes)
                    {
                        var i = (PlanItem)w.Tag!;
                        if (!w.Ok) { i.Error = w.Error; i.Action = PublishAction.Failed; continue; }
                        if (i.Id == null)
                        {
                            i.Id = ((w.Response as JsonObject)?["id"] as JsonString)?.Value;
                            i.Action = PublishAction.Created;
                        }
                        else i.Action = PublishAction.Updated;
                    }
                    done += writes.Count;
                    _log.Progress("Publishing to Intune", $"{done} profiles written", 40 + (int)(40.0 * done / Math.Max(1, plan.Items.Count)));
                }
            }
            foreach (var i in plan.Items.Where(i => i.Action == PublishAction.WouldCreate || i.Action == PublishAction.WouldUpdate))
                i.Action = PublishAction.Skipped; // not approved (-WhatIf / -Confirm said no)

            // Assignments: only where they differ from what is wanted.
            var assignments = new Dictionary<PlanItem, string>();
            foreach (var group in plan.Items.Where(i => i.NeedsAssignment && i.Id != null && (i.Action == PublishAction.Created || i.Action == PublishAction.Updated || i.Action == PublishAction.Unchanged) && approve(i))
                .GroupBy(i => i.File.Graph.ApiVersion))
            {
                var posts = group.Select(i => new BatchItem("POST", $"/{i.File.Graph.Collection}/{i.Id}/assign", AssignBody(i.File.Graph.Collection, plan.Assignments), i)).ToList();
                await _t.BatchAsync(group.Key, posts, ct).ConfigureAwait(false);
                foreach (var p in posts)
                {
                    var i = (PlanItem)p.Tag!;
                    if (!p.Ok) { i.Action = PublishAction.Failed; i.Error = "assigning: " + p.Error; }
                    else assignments[i] = $"assigned to {plan.Assignments.Count(a => a.Type == GroupTarget)} groups, {plan.Assignments.Count(a => a.Type == ExclusionTarget)} excluded";
                }
            }
            _log.Progress("Publishing to Intune", "Done", 100);
            return plan.Items.Select(i => new PublishResult
            {
                Marker = i.File.Marker, DisplayName = i.File.DisplayName, Kind = i.File.Kind, Path = i.File.Path, Action = i.Action, Id = i.Id, Error = i.Error,
                Differences = i.Differences.ToList(),
                Assignment = !i.File.Graph.Assignable || plan.Assignments.Count == 0 ? null : assignments.TryGetValue(i, out var a) ? a : i.NeedsAssignment ? "not assigned" : "unchanged",
            }).ToList();
        }

        private static JsonObject AssignBody(string collection, List<(string Type, string Group)> targets)
        {
            var list = new JsonArray();
            foreach (var (type, group) in targets)
            {
                var target = new JsonObject().Set("@odata.type", type).Set("groupId", group);
                var a = new JsonObject().Set("target", target);
                if (collection.EndsWith("deviceHealthScripts", StringComparison.Ordinal))
                    a.Set("runRemediationScript", true).Set("runSchedule", new JsonObject()
                        .Set("@odata.type", "#microsoft.graph.deviceHealthScriptDailySchedule").Set("interval", 1).Set("useUtc", false).Set("time", "09:00:00.0000000"));
                list.Add(a);
            }
            return new JsonObject().Set(collection.EndsWith("deviceHealthScripts", StringComparison.Ordinal) ? "deviceHealthScriptAssignments" : "assignments", list);
        }

        /// <summary>The body to send (or compare): bindings (tenant ids known so far and their values, from manifest.json) added.</summary>
        private static JsonObject BodyFor(PlanItem i, List<PlanItem> all, bool forCompare)
        {
            var body = i.File.Body.DeepClone();
            foreach (var b in i.File.Graph.Bindings)
                b.Apply(body, all.First(x => x.File.Marker == b.Marker).Id ?? "");
            if (forCompare) body.Remove("scheduledActionsForRule");
            return body;
        }

        // ------------------------------------------------------------ compare

        /// <summary>Differences of what we send against what the tenant returned: our properties only (the tenant adds ids,
        /// dates and defaults), settings matched by settingDefinitionId, numbers by value.</summary>
        internal static void Diff(JsonValue ours, JsonValue? theirs, string path, List<string> diffs, string collection)
        {
            switch (ours)
            {
                case JsonObject o:
                    if (!(theirs is JsonObject t)) { diffs.Add(path.Length == 0 ? "(object)" : path); return; }
                    foreach (var p in o.Properties)
                    {
                        if (p.Key == "@odata.type" && !t.Contains(p.Key)) continue; // derived type already fixed by the collection
                        if (p.Key == "roleScopeTagIds" && !t.Contains(p.Key)) continue;
                        // A setting's id is its index in the policy, the tenant's key: settings are matched by definition id.
                        if (p.Key == "id" && o.Contains("settingInstance")) continue;
                        Diff(p.Value, t[p.Key], path.Length == 0 ? p.Key : path + "." + p.Key, diffs, collection);
                    }
                    return;
                case JsonArray a:
                    if (!(theirs is JsonArray ta) || ta.Items.Count != a.Items.Count) { diffs.Add(path); return; }
                    var ourItems = a.Items.ToList();
                    var theirItems = ta.Items.ToList();
                    if (ourItems.All(x => Key(x) != null) && theirItems.All(x => Key(x) != null))
                    {
                        ourItems = ourItems.OrderBy(Key, StringComparer.Ordinal).ToList();
                        theirItems = theirItems.OrderBy(Key, StringComparer.Ordinal).ToList();
                    }
                    for (var k = 0; k < ourItems.Count; k++) Diff(ourItems[k], theirItems[k], $"{path}[{k}]", diffs, collection);
                    return;
                default:
                    if (theirs == null || !ours.DeepEquals(theirs)) diffs.Add(path);
                    return;
            }
        }

        private static string? Key(JsonValue v) =>
            ((v as JsonObject)?["settingInstance"] as JsonObject)?["settingDefinitionId"] is JsonString s ? s.Value
            : (v as JsonObject)?["settingDefinitionId"] is JsonString d ? d.Value
            : (v as JsonObject)?["omaUri"] is JsonString u ? u.Value : null;
    }
}
