using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Publishing;

namespace WaHardening.Core.Reporting
{
    /// <summary>What Intune says about one of our objects on one device, ordered so that the worse state wins.</summary>
    public enum IntuneState : byte { None = 0, NotApplicable = 1, Compliant = 2, NotReported = 3, Stale = 4, NonCompliant = 5, Error = 6 }

    /// <summary>How an Intune object reports per device (which Graph source Get-WaIntuneCompliance reads for it).</summary>
    public enum IntuneSourceKind { CompliancePolicy, Remediation, SettingsCatalog }

    /// <summary>One published object whose per-device results are read, and the control/target items they stand for.</summary>
    public sealed class IntuneSource
    {
        internal IntuneSource(int index, PublishableFile file, IntuneSourceKind kind) { Index = index; File = file; Kind = kind; }
        public int Index { get; }
        public PublishableFile File { get; }
        public string Marker => File.Marker;
        public IntuneSourceKind Kind { get; }
        /// <summary>Items the object's own per-device state applies to (a compliance policy's built-in settings, a settings-catalog profile's).</summary>
        internal List<int> PolicyItems { get; } = new List<int>();
        /// <summary>Script settings (the device script's table) and their item: the per-setting results (custom compliance rules, detection output).</summary>
        internal Dictionary<string, int> Rows { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        /// <summary>True when per-setting results are read for it (a compliance policy with our custom compliance script).</summary>
        public bool HasSettings => Kind == IntuneSourceKind.CompliancePolicy;
        /// <summary>The tenant id, once found by marker.</summary>
        public string? Id { get; set; }
    }

    /// <summary>
    /// The plan of Get-WaIntuneCompliance: which published objects of an export folder report per device, and which
    /// controls and targets (the items of a device report) each stands for. Built from the export folder (its
    /// manifest.json and the device scripts' settings tables, pinned by the manifest's SHA-256) and the baseline the
    /// controls' titles, categories and settings come from.
    /// </summary>
    public sealed class IntuneFleetPlan
    {
        private readonly Dictionary<string, int> _itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        internal readonly List<(string Control, string Target)> Items = new List<(string, string)>();
        public IReadOnlyList<IntuneSource> Sources { get; }
        public string Profile { get; }
        internal readonly Dictionary<string, Control> Controls;

        private IntuneFleetPlan(string profile, List<IntuneSource> sources, Dictionary<string, Control> controls) { Profile = profile; Sources = sources; Controls = controls; }

        /// <summary>The rows of a device script's settings table: setting name, control, target (DeviceScripts.Row writes them).</summary>
        public static IEnumerable<(string Setting, string Control, string Target)> ScriptRows(string script)
        {
            const string q = "'((?:[^']|'')*)'";
            foreach (Match m in Regex.Matches(script, "@\\{ Setting = " + q + "; Control = " + q + "; Target = " + q, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5)))
                yield return (m.Groups[1].Value.Replace("''", "'"), m.Groups[2].Value.Replace("''", "'"), m.Groups[3].Value.Replace("''", "'"));
        }

        private int Item(string control, string target)
        {
            var key = control + "\u0001" + target;
            if (_itemIndex.TryGetValue(key, out var i)) return i;
            _itemIndex[key] = i = Items.Count;
            Items.Add((control, target));
            return i;
        }

        /// <summary>Reads the export folder (checked as Publish checks it: <see cref="ExportFolder.Load"/>) against the baseline.</summary>
        public static IntuneFleetPlan Load(string exportDirectory, Baseline baseline)
        {
            var files = ExportFolder.Load(exportDirectory);
            var manifest = (JsonObject)JsonParser.ParseFile(Path.Combine(exportDirectory, ExportManifest.FileName));
            var profile = (manifest["profile"] as JsonString)?.Value ?? "";
            var entries = ((JsonArray)manifest["files"]!).Items.OfType<JsonObject>().ToDictionary(f => ((JsonString)f["marker"]!).Value, StringComparer.Ordinal);
            var controls = new Dictionary<string, Control>(StringComparer.Ordinal);
            foreach (var c in baseline.Controls) controls[c.Id] = c;
            var sources = new List<IntuneSource>();
            var plan = new IntuneFleetPlan(profile, sources, controls);
            IEnumerable<string> ControlsOf(PublishableFile f) => (entries[f.Marker]["controls"] as JsonArray)?.Items.OfType<JsonString>().Select(s => s.Value) ?? Enumerable.Empty<string>();
            string Script(PublishableFile f) => Encoding.UTF8.GetString(Convert.FromBase64String((f.Body["detectionScriptContent"] as JsonString)?.Value ?? ""));

            foreach (var f in files)
            {
                if (f.Graph.Collection.EndsWith("/deviceCompliancePolicies", StringComparison.Ordinal))
                {
                    var s = new IntuneSource(sources.Count, f, IntuneSourceKind.CompliancePolicy);
                    // Built-in compliance settings: the baseline settings whose compliance section names this policy's Graph type,
                    // by their Graph property (the per-setting report's SettingName ends with it).
                    foreach (var id in ControlsOf(f))
                        if (controls.TryGetValue(id, out var c))
                            foreach (var st in c.Settings.Where(x => x.Compliance != null && x.Compliance.ODataType == f.Graph.OdataType))
                                s.Rows[st.Compliance!.PropertyFor(st.Name)] = plan.Item(c.Id, st.Target);
                    // Custom compliance: the discovery script this policy binds to; its rules are one per script setting.
                    foreach (var b in f.Graph.Bindings)
                    {
                        var script = files.FirstOrDefault(x => x.Marker == b.Marker && x.Graph.Collection.EndsWith("/deviceComplianceScripts", StringComparison.Ordinal));
                        if (script == null) continue;
                        foreach (var (setting, control, target) in ScriptRows(Script(script))) s.Rows[setting] = plan.Item(control, target);
                    }
                    if (s.Rows.Count > 0) sources.Add(s);
                }
                else if (f.Graph.Collection.EndsWith("/deviceHealthScripts", StringComparison.Ordinal))
                {
                    var s = new IntuneSource(sources.Count, f, IntuneSourceKind.Remediation);
                    foreach (var (setting, control, target) in ScriptRows(Script(f))) s.Rows[setting] = plan.Item(control, target);
                    if (s.Rows.Count > 0) sources.Add(s);
                }
                else if (f.Graph.Collection.EndsWith("/configurationPolicies", StringComparison.Ordinal))
                {
                    // A settings-catalog file per target (windows/settings-catalog/<slug>.json, the slug of the target's row).
                    var slug = Path.GetFileNameWithoutExtension(f.Path);
                    var targets = Targets.All.Where(t => t.WindowsCatalogPolicy?.Slug == slug).Select(t => t.Name).ToList();
                    if (targets.Count == 0 && slug.StartsWith("macos-", StringComparison.Ordinal)) targets.Add(Targets.MacOS);
                    var s = new IntuneSource(sources.Count, f, IntuneSourceKind.SettingsCatalog);
                    foreach (var id in ControlsOf(f))
                        if (controls.TryGetValue(id, out var c))
                            foreach (var t in c.Settings.Select(x => x.Target).Where(targets.Contains).Distinct())
                                s.PolicyItems.Add(plan.Item(c.Id, t));
                    if (s.PolicyItems.Count > 0) sources.Add(s);
                }
            }
            return plan;
        }
    }

    /// <summary>
    /// Folds what Intune reports per device into one small record per device (name, latest date, one state per item),
    /// then yields the same <see cref="DeviceReport"/>s a device writes (Export-WaComplianceReport), one at a time, for
    /// the one fleet model (<see cref="FleetMerger"/>). Memory: about 100 bytes + 2 per character of the name + one byte
    /// per item per device; nothing else grows with the devices. Devices are matched by name (case-insensitive, as the
    /// fleet merge matches them). A state older than the stale limit counts as <see cref="IntuneState.Stale"/>; a device
    /// assigned but without a result is <see cref="IntuneState.NotReported"/>: both become Error items, never compliant.
    /// </summary>
    public sealed class IntuneFleet : IIntuneComplianceSink
    {
        private sealed class Device
        {
            public string Name = "";
            public long Ticks;
            public byte[] Items = null!;
            /// <summary>Per source: its own per-device state (compliance policy, settings catalog).</summary>
            public byte[] Policy = null!;
            public string? Note;
        }

        private readonly IntuneFleetPlan _plan;
        private readonly Dictionary<string, Device> _devices = new Dictionary<string, Device>(StringComparer.OrdinalIgnoreCase);
        private readonly long _staleBefore;
        private readonly string?[] _failed;
        private readonly DateTimeOffset _now;

        public IntuneFleet(IntuneFleetPlan plan, DateTimeOffset now, TimeSpan staleAfter)
        {
            _plan = plan; _now = now; _staleBefore = (now - staleAfter).UtcTicks;
            _failed = new string?[plan.Sources.Count];
        }

        public int DeviceCount => _devices.Count;
        public int NotReported { get; private set; }
        public int Stale { get; private set; }
        /// <summary>Sources whose read failed (their report job failed or timed out): marker and why.</summary>
        public IEnumerable<(string Marker, string Why)> Failed => _plan.Sources.Where(s => _failed[s.Index] != null).Select(s => (s.Marker, _failed[s.Index]!));
        public bool Partial => _failed.Any(f => f != null);

        private Device Get(string name)
        {
            if (!_devices.TryGetValue(name, out var d))
                _devices[name] = d = new Device { Name = name, Items = new byte[_plan.Items.Count], Policy = new byte[_plan.Sources.Count] };
            return d;
        }

        private IntuneState Dated(Device d, IntuneState s, DateTimeOffset? at)
        {
            if (at != null && at.Value.UtcTicks > d.Ticks) d.Ticks = at.Value.UtcTicks;
            if (s == IntuneState.NotReported || s == IntuneState.None || at == null) return s;
            return at.Value.UtcTicks < _staleBefore ? IntuneState.Stale : s;
        }

        private static void Worse(byte[] a, int i, IntuneState s) { if ((byte)s > a[i]) a[i] = (byte)s; }

        /// <summary>A state as Graph spells it (complianceStatus, runState, the reports' status names), or its number in the
        /// reports' raw columns: one table (docs/intune-reporting.md lists the sources).</summary>
        public static IntuneState ParseState(string? value)
        {
            switch ((value ?? "").Trim().ToLowerInvariant())
            {
                // complianceStatus (v1.0 metadata): unknown=0, notApplicable=1, compliant=2, remediated=3, nonCompliant=4, error=5, conflict=6, notAssigned=7.
                case "compliant": case "remediated": case "succeeded": case "success": case "2": case "3": return IntuneState.Compliant;
                case "noncompliant": case "fail": case "failed": case "4": return IntuneState.NonCompliant;
                case "error": case "conflict": case "scripterror": case "5": case "6": return IntuneState.Error;
                case "notapplicable": case "1": return IntuneState.NotApplicable;
                case "notassigned": case "7": return IntuneState.None;
                default: return IntuneState.NotReported; // unknown, pending, inProgress, 0, empty
            }
        }

        // ------------------------------------------------------------ the sink (called by the Graph reader, one thread)

        public void PolicyState(int source, string device, string state, DateTimeOffset? at)
        {
            if (string.IsNullOrEmpty(device)) return;
            var s = ParseState(state);
            if (s == IntuneState.None) return;
            var d = Get(device);
            Worse(d.Policy, source, Dated(d, s, at));
        }

        public void SettingState(int source, string device, string setting, string state, DateTimeOffset? at)
        {
            if (string.IsNullOrEmpty(device)) return;
            var src = _plan.Sources[source];
            var item = Row(src, setting);
            if (item < 0) return; // a built-in setting of the policy, or not ours
            var d = Get(device);
            var s = ParseState(state);
            if (s != IntuneState.None) Worse(d.Items, item, Dated(d, s, at));
        }

        /// <summary>The item of a setting name as a report spells it: our rule's SettingName, possibly with a prefix (e.g. the script's name).</summary>
        private static int Row(IntuneSource src, string setting)
        {
            if (src.Rows.TryGetValue(setting, out var i)) return i;
            var cut = Math.Max(setting.LastIndexOf('.'), Math.Max(setting.LastIndexOf('/'), setting.LastIndexOf(':')));
            return cut >= 0 && src.Rows.TryGetValue(setting.Substring(cut + 1), out i) ? i : -1;
        }

        public void Detection(int source, string device, string? state, string? output, DateTimeOffset? at)
        {
            if (string.IsNullOrEmpty(device)) return;
            var src = _plan.Sources[source];
            var d = Get(device);
            var s = Dated(d, ParseState(state), at);
            if (s == IntuneState.None) return;
            if (s != IntuneState.NonCompliant && s != IntuneState.Compliant)
            {
                foreach (var item in src.Rows.Values) Worse(d.Items, item, s);
                if (s == IntuneState.Error && d.Note == null) d.Note = "the remediation's detection script failed on the device";
                return;
            }
            var parsed = DetectionOutput.Parse(output);
            if (parsed == null)
            {
                if (s == IntuneState.Compliant) { foreach (var item in src.Rows.Values) Worse(d.Items, item, IntuneState.Compliant); return; }
                foreach (var item in src.Rows.Values) Worse(d.Items, item, IntuneState.Error);
                d.Note ??= "the detection output is not in the " + DetectionOutput.Prefix + " format";
                return;
            }
            var failing = new HashSet<string>(parsed.Listed, StringComparer.Ordinal);
            foreach (var kv in src.Rows)
            {
                var st = failing.Contains(kv.Key) ? IntuneState.NonCompliant : parsed.Truncated ? IntuneState.Error : IntuneState.Compliant;
                Worse(d.Items, kv.Value, st == IntuneState.Compliant || st == IntuneState.NonCompliant ? Dated(d, st, at) : st);
            }
            if (parsed.Truncated && d.Note == null) d.Note = $"the detection output names {parsed.Listed.Count} of {parsed.Failed} failing settings (Intune's 2,048-character limit)";
        }

        public void SourceFailed(int source, string why) { _failed[source] = why; }

        // ------------------------------------------------------------ the device reports

        /// <summary>Every device's report, one at a time (built when asked for, not kept).</summary>
        public IEnumerable<DeviceReport> Reports(string moduleVersion)
        {
            NotReported = Stale = 0;
            var status = new IntuneState[_plan.Items.Count];
            foreach (var d in _devices.Values)
            {
                for (var i = 0; i < status.Length; i++) status[i] = (IntuneState)d.Items[i];
                foreach (var src in _plan.Sources)
                {
                    var p = (IntuneState)d.Policy[src.Index];
                    if (p == IntuneState.None) continue;
                    foreach (var i in src.PolicyItems) if ((byte)p > (byte)status[i]) status[i] = p;
                    // Rows without a per-setting result take the policy's state (compliant only when the whole policy is).
                    if (src.Kind == IntuneSourceKind.CompliancePolicy)
                        foreach (var i in src.Rows.Values) if (status[i] == IntuneState.None) status[i] = p;
                }
                // A device whose latest result of any source is older than the limit: every result it has is stale (the
                // per-setting report rows carry no date of their own).
                if (d.Ticks > 0 && d.Ticks < _staleBefore)
                    for (var i = 0; i < status.Length; i++)
                        if (status[i] == IntuneState.Compliant || status[i] == IntuneState.NonCompliant) status[i] = IntuneState.Stale;
                var r = new DeviceReport
                {
                    Device = d.Name, Profile = _plan.Profile, ModuleVersion = moduleVersion, OperatingSystem = "", Platform = "Intune",
                    GeneratedAt = d.Ticks > 0 ? new DateTimeOffset(d.Ticks, TimeSpan.Zero) : _now,
                };
                var notReported = false; var stale = false;
                for (var i = 0; i < status.Length; i++)
                {
                    if (status[i] == IntuneState.None) continue;
                    var (controlId, target) = _plan.Items[i];
                    _plan.Controls.TryGetValue(controlId, out var c);
                    r.Items.Add(Item(c, controlId, target, status[i], d.Note));
                    notReported |= status[i] == IntuneState.NotReported; stale |= status[i] == IntuneState.Stale;
                }
                if (notReported) NotReported++;
                else if (stale) Stale++;
                yield return r;
            }
        }

        private ReportItem Item(Control? c, string controlId, string target, IntuneState s, string? note)
        {
            var item = new ReportItem
            {
                ControlId = controlId, Target = target, Title = c?.Title ?? "", Category = c?.Category ?? "", Severity = c?.Severity.ToString() ?? "",
                Expected = "as the baseline requires",
            };
            switch (s)
            {
                case IntuneState.Compliant: item.Status = "Compliant"; item.Actual = "compliant (Intune)"; item.Reason = "Intune reports it compliant."; break;
                case IntuneState.NotApplicable: item.Status = "NotApplicable"; item.Reason = "Intune reports it not applicable."; break;
                case IntuneState.NonCompliant: item.Status = "NonCompliant"; item.Actual = "not compliant (Intune)"; item.Reason = "Intune reports it not compliant.";
                    item.Fix = $"Run Set-WaHardening -Id {controlId} as administrator (or let the Intune remediation run)."; break;
                case IntuneState.NotReported: item.Status = "Error"; item.Actual = "NotReported"; item.Reason = "Not reported: Intune has no result from this device yet."; break;
                case IntuneState.Stale: item.Status = "Error"; item.Actual = "Stale"; item.Reason = "Stale: the latest result Intune has is older than the stale limit."; break;
                default: item.Status = "Error"; item.Actual = "Error"; item.Reason = "Intune reports an error" + (note != null ? ": " + note : "") + "."; break;
            }
            return item;
        }
    }
}
