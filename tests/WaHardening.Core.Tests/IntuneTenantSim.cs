using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Reporting;
using System.IO;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Devices for the loopback Graph stand-in: after a publish, it reads the objects the stand-in holds (the compliance
    /// policies, the remediation and the settings-catalog profiles found by their marker, the setting names from the
    /// published scripts) and serves what Intune would report for simulated devices, in the documented shapes. Every
    /// field is cited where it is made. Used by the xunit and Pester tests and the benchmark (100,000 devices, made on
    /// demand, so the stand-in holds no per-device data).
    /// </summary>
    public sealed class IntuneTenantSim
    {
        /// <summary>A simulated Windows device: the settings its scripts find failing, and whether and when it reported.</summary>
        public sealed class Device
        {
            public string Name = "";
            public string[] Failing = new string[0];
            /// <summary>Has never reported (assigned, no result yet).</summary>
            public bool NotReported;
            public DateTimeOffset Reported = new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero);
            /// <summary>The detection output the device's script wrote (null: made from Failing in the documented format).</summary>
            public string? DetectionOutput;
        }

        private readonly FakeGraph _g;
        public string WindowsPolicyId = "", RemediationId = "";
        public List<string> CatalogIds = new List<string>();
        /// <summary>Setting names of the published discovery (custom compliance) and detection scripts, in table order.</summary>
        public List<string> DiscoverySettings = new List<string>(), DetectionSettings = new List<string>();
        /// <summary>The Windows compliance policy's built-in settings (its Graph properties), reported compliant per device.</summary>
        public List<string> BuiltIn = new List<string>();
        private static readonly HashSet<string> s_metadata = new HashSet<string>(StringComparer.Ordinal)
        { "@odata.type", "id", "displayName", "description", "scheduledActionsForRule", "roleScopeTagIds", "deviceCompliancePolicyScript", "lastModifiedDateTime", "createdDateTime", "version" };

        public IntuneTenantSim(FakeGraph graph)
        {
            _g = graph;
            string Marker(JsonObject o) => Regex.Match((o["description"] as JsonString)?.Value ?? "", @"\[WaHardening marker: ([^\]]+)\]").Groups[1].Value;
            string Decode(JsonObject o) => Encoding.UTF8.GetString(Convert.FromBase64String(((JsonString)o["detectionScriptContent"]!).Value));
            List<string> Settings(string script) => Regex.Matches(script, @"@\{ Setting = '([A-Za-z0-9_]+)'").Cast<Match>().Select(m => m.Groups[1].Value).ToList();
            foreach (var kv in Collection("deviceManagement/deviceCompliancePolicies"))
                if (((JsonString)kv.Value["@odata.type"]!).Value == "#microsoft.graph.windows10CompliancePolicy" && Marker(kv.Value).Length > 0)
                {
                    WindowsPolicyId = kv.Key;
                    BuiltIn = kv.Value.Properties.Select(p => p.Key).Where(k => !s_metadata.Contains(k)).ToList();
                }
            foreach (var kv in Collection("deviceManagement/deviceComplianceScripts")) DiscoverySettings = Settings(Decode(kv.Value));
            foreach (var kv in Collection("deviceManagement/deviceHealthScripts")) { RemediationId = kv.Key; DetectionSettings = Settings(Decode(kv.Value)); }
            foreach (var kv in Collection("deviceManagement/configurationPolicies"))
                if (Marker(kv.Value).StartsWith("wah-", StringComparison.Ordinal) && kv.Value["platforms"] is JsonString p && p.Value == "windows10") CatalogIds.Add(kv.Key);
        }

        private IEnumerable<KeyValuePair<string, JsonObject>> Collection(string name) =>
            _g.Collections.TryGetValue(name, out var c) ? c.ToList() : new List<KeyValuePair<string, JsonObject>>();

        private static string Date(DateTimeOffset d) => d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        /// <summary>The detection script's line for the settings of <paramref name="d"/> that it checks (version 1, as DeviceScripts writes it).</summary>
        public string Detection(Device d)
        {
            if (d.DetectionOutput != null) return d.DetectionOutput;
            var failing = DetectionSettings.Where(d.Failing.Contains).ToList();
            var line = $"WaHardening-Detect/1 checked={DetectionSettings.Count} failed={failing.Count}";
            return failing.Count == 0 ? line : line + " list=" + string.Join(",", failing);
        }

        /// <summary>Serves <paramref name="count"/> devices, device k made by <paramref name="make"/> when asked for.</summary>
        public void Serve(int count, Func<int, Device> make)
        {
            // deviceComplianceDeviceStatus (learn.microsoft.com/graph/api/resources/intune-deviceconfig-devicecompliancedevicestatus):
            // id, deviceDisplayName, userName, deviceModel, complianceGracePeriodExpirationDateTime, status (complianceStatus:
            // unknown, notApplicable, compliant, remediated, nonCompliant, error, conflict, notAssigned), lastReportedDateTime, userPrincipalName.
            _g.Paged[$"deviceCompliancePolicies/{WindowsPolicyId}/deviceStatuses"] = new FakeGraph.PagedSource
            {
                Count = count,
                Item = k =>
                {
                    var d = make(k);
                    var failing = DiscoverySettings.Any(d.Failing.Contains);
                    return new JsonObject().Set("id", $"{WindowsPolicyId}_{k}").Set("deviceDisplayName", d.Name).Set("userName", "User " + k).Set("deviceModel", "Surface")
                        .Set("complianceGracePeriodExpirationDateTime", "9999-12-31T23:59:59Z")
                        .Set("status", d.NotReported ? "unknown" : failing ? "nonCompliant" : "compliant")
                        .Set("lastReportedDateTime", d.NotReported ? "0001-01-01T00:00:00Z" : Date(d.Reported)).Set("userPrincipalName", $"user{k}@contoso.example");
                },
            };
            // deviceHealthScriptDeviceState (beta; learn.microsoft.com/graph/api/resources/intune-devices-devicehealthscriptdevicestate?view=graph-rest-beta):
            // id, detectionState (runState: unknown, success, fail, scriptError, pending, notApplicable), lastStateUpdateDateTime,
            // expectedStateUpdateDateTime, lastSyncDateTime, preRemediationDetectionScriptOutput, preRemediationDetectionScriptError,
            // remediationScriptError, postRemediationDetectionScriptOutput, postRemediationDetectionScriptError, remediationState
            // (unknown, skipped, success, remediationFailed, scriptError); relationship managedDevice (deviceName).
            if (RemediationId.Length > 0)
                _g.Paged[$"deviceHealthScripts/{RemediationId}/deviceRunStates"] = new FakeGraph.PagedSource
                {
                    Count = count,
                    Item = k =>
                    {
                        var d = make(k);
                        var failing = DetectionSettings.Any(d.Failing.Contains);
                        return new JsonObject().Set("id", $"{RemediationId}:{k}").Set("detectionState", d.NotReported ? "pending" : failing ? "fail" : "success")
                            .Set("lastStateUpdateDateTime", d.NotReported ? "0001-01-01T00:00:00Z" : Date(d.Reported)).Set("expectedStateUpdateDateTime", "0001-01-01T00:00:00Z")
                            .Set("lastSyncDateTime", d.NotReported ? "0001-01-01T00:00:00Z" : Date(d.Reported))
                            .Set("preRemediationDetectionScriptOutput", d.NotReported ? JsonNull.Instance : (JsonValue)new JsonString(Detection(d)))
                            .Set("preRemediationDetectionScriptError", JsonNull.Instance).Set("remediationScriptError", JsonNull.Instance)
                            .Set("postRemediationDetectionScriptOutput", JsonNull.Instance).Set("postRemediationDetectionScriptError", JsonNull.Instance)
                            .Set("remediationState", "skipped")
                            .Set("managedDevice", new JsonObject().Set("id", $"dev-{k}").Set("deviceName", d.Name));
                    },
                };

            // Report columns as listed for each report on learn.microsoft.com/intune/device-management/reports/ref-graph-available-reports.
            // Status columns carry the raw enum number (localizationType LocalizedValuesAsAdditionalColumn adds a *_loc text
            // column, left out here); the numbers follow complianceStatus (compliant=2, nonCompliant=4, unknown=0): an
            // inference, the reports page does not list them (docs/intune-reporting.md).
            _g.Reports["DeviceStatusByCompliancePolicySettingReport"] = new FakeGraph.ReportData
            {
                Header = new[] { "AadDeviceId", "ComplianceState", "DeviceId", "DeviceName", "ManagementAgents", "Model", "OS", "PolicyId", "SettingId", "SettingName", "SettingNm", "SettingStatus", "UPN" },
                Rows = () => Rows(count, make, (k, d) => d.NotReported ? Enumerable.Empty<string[]>() : DiscoverySettings.Select(s => new[]
                {
                    $"aad-{k}", d.Failing.Any(DiscoverySettings.Contains) ? "4" : "2", $"dev-{k}", d.Name, "mdm", "Surface", "Windows", WindowsPolicyId,
                    "CustomCompliance." + s, s, s, d.Failing.Contains(s) ? "4" : "2", $"user{k}@contoso.example",
                }).Concat(BuiltIn.Select(b => new[]
                {
                    $"aad-{k}", d.Failing.Any(DiscoverySettings.Contains) ? "4" : "2", $"dev-{k}", d.Name, "mdm", "Surface", "Windows", WindowsPolicyId,
                    "Windows10CompliancePolicy." + b, "Windows10CompliancePolicy." + b, b, "2", $"user{k}@contoso.example",
                }))),
            };
            _g.Reports["DeviceStatusByCompliacePolicyReport"] = new FakeGraph.ReportData
            {
                Header = new[] { "AadDeviceId", "DeviceId", "DeviceName", "LastContact", "ManagementAgents", "OS", "PolicyId", "PolicyStatus", "UPN", "UserId", "UserName" },
                Rows = () => Rows(count, make, (k, d) => new[] { new[]
                {
                    $"aad-{k}", $"dev-{k}", d.Name, d.NotReported ? "" : Date(d.Reported), "mdm", "Windows", WindowsPolicyId,
                    d.NotReported ? "0" : DiscoverySettings.Any(d.Failing.Contains) ? "4" : "2", $"user{k}@contoso.example", $"uid-{k}", "User " + k,
                } }),
            };
            _g.Reports["DeviceRunStatesByProactiveRemediation"] = new FakeGraph.ReportData
            {
                Header = new[] { "DetectionScriptStatus", "DetectionStatus", "DeviceId", "DeviceName", "DisplayName", "FilterIdsCSV", "InternalVersion", "JoinType", "LastAgentUpdateTime",
                    "Model", "ModifiedTime", "NextExecutionDateTime", "OSDescription", "OSVersion", "PolicyId", "PostRemediationDetectionScriptError", "PostRemediationDetectionScriptOutput",
                    "PreRemediationDetectionScriptError", "PreRemediationDetectionScriptOutput", "PrimaryUser", "RemediationScriptErrorDetails", "RemediationScriptOutputDetails",
                    "RemediationScriptStatus", "RemediationStatus", "UniqueKustoKey", "UPN", "UserEmail", "UserId", "UserName" },
                Rows = () => Rows(count, make, (k, d) => new[] { new[]
                {
                    "", d.NotReported ? "pending" : DetectionSettings.Any(d.Failing.Contains) ? "fail" : "success", $"dev-{k}", d.Name, "WaHardening", "", "1", "AzureADJoined", "",
                    "Surface", d.NotReported ? "" : Date(d.Reported), "", "Windows 11 Enterprise", "10.0.26100", RemediationId, "", "",
                    "", d.NotReported ? "" : Detection(d), "", "", "", "", "skipped", $"k{k}", $"user{k}@contoso.example", "", $"uid-{k}", "User " + k,
                } }),
            };
            // PolicyStatus of a configuration profile: 2 = succeeded (inference as above).
            _g.Reports["DeviceStatusesByConfigurationProfile"] = new FakeGraph.ReportData
            {
                Header = new[] { "AssignmentFilterIds", "DeviceName", "IntuneDeviceId", "Manufacturer", "Model", "PolicyId", "PolicyName", "PolicyStatus", "PspdpuLastModifiedTimeUtc",
                    "ReportStatus", "TemplateVersion", "UnifiedPolicyPlatformType", "UnifiedPolicyType", "UPN" },
                Rows = () => Rows(count, make, (k, d) => CatalogIds.Select(id => new[]
                {
                    "", d.Name, $"dev-{k}", "Microsoft", "Surface", id, "WaHardening", d.NotReported ? "0" : "2", d.NotReported ? "" : Date(d.Reported), "", "", "Windows10", "SettingsCatalog", $"user{k}@contoso.example",
                })),
            };
        }

        private static IEnumerable<string[]> Rows(int count, Func<int, Device> make, Func<int, Device, IEnumerable<string[]>> rows)
        {
            for (var k = 0; k < count; k++)
                foreach (var r in rows(k, make(k))) yield return r;
        }

        public void Serve(IReadOnlyList<Device> devices) => Serve(devices.Count, k => devices[k]);

        public void Serve(Device[] devices) => Serve(devices.Length, k => devices[k]);

        /// <summary>Synthetic devices for the benchmark, made when asked for (device k is always the same): PC-000000…,
        /// one in three fails one or two settings, 1 % have not reported, 1 % reported 30 days before <paramref name="now"/>.</summary>
        public void ServeSynthetic(int count, DateTimeOffset now)
        {
            var all = DiscoverySettings.Union(DetectionSettings).ToArray();
            Serve(count, k => new Device
            {
                Name = "PC-" + k.ToString("000000", CultureInfo.InvariantCulture),
                Failing = k % 3 != 0 ? new string[0] : k % 2 == 0 ? new[] { all[k % all.Length] } : new[] { all[k % all.Length], all[(k / 7) % all.Length] },
                NotReported = k % 100 == 1,
                Reported = k % 100 == 2 ? now.AddDays(-30) : now.AddHours(-(k % 48)),
            });
        }

        /// <summary>What the same devices' own reports (Export-WaComplianceReport) would hold, made from the simulated
        /// device state and the export's files, not from what Get-WaIntuneCompliance read.</summary>
        public static List<DeviceReport> EquivalentReports(string dir, Model.Baseline baseline, IEnumerable<Device> devices, DateTimeOffset now, int staleDays)
        {
            var controls = baseline.Controls.ToDictionary(c => c.Id);
            var files = ExportFolder.Load(dir);
            var manifest = (JsonObject)JsonParser.ParseFile(Path.Combine(dir, "manifest.json"));
            var controlsOf = ((JsonArray)manifest["files"]!).Items.Cast<JsonObject>().ToDictionary(f => ((JsonString)f["marker"]!).Value,
                f => ((JsonArray)f["controls"]!).Items.Cast<JsonString>().Select(x => x.Value).ToList());
            // (control, target) → the script settings that decide it.
            var rows = new Dictionary<(string, string), List<string>>();
            foreach (var f in files.Where(f => f.Body["detectionScriptContent"] != null))
                foreach (Match m in Regex.Matches(Encoding.UTF8.GetString(Convert.FromBase64String(((JsonString)f.Body["detectionScriptContent"]!).Value)), @"@\{ Setting = '([^']+)'; Control = '([^']+)'; Target = '([^']+)'"))
                {
                    var key = (m.Groups[2].Value, m.Groups[3].Value);
                    if (!rows.TryGetValue(key, out var l)) rows[key] = l = new List<string>();
                    l.Add(m.Groups[1].Value);
                }
            var always = new HashSet<(string, string)>();
            var windows = files.Single(f => f.Graph.OdataType == "#microsoft.graph.windows10CompliancePolicy");
            foreach (var id in controlsOf[windows.Marker])
                foreach (var s in controls[id].Settings.Where(s => s.Compliance?.ODataType == windows.Graph.OdataType)) always.Add((id, s.Target));
            foreach (var f in files.Where(f => f.Graph.Collection.EndsWith("configurationPolicies") && f.Path.StartsWith("windows/")))
            {
                var target = Targets.All.Single(t => t.WindowsCatalogPolicy?.Slug == Path.GetFileNameWithoutExtension(f.Path)).Name;
                foreach (var id in controlsOf[f.Marker]) if (controls[id].Settings.Any(s => s.Target == target)) always.Add((id, target));
            }
            var result = new List<DeviceReport>();
            foreach (var d in devices)
            {
                var r = new DeviceReport { Device = d.Name, Profile = "Standard", GeneratedAt = d.NotReported ? now : d.Reported };
                foreach (var key in rows.Keys.Union(always).OrderBy(k => k))
                {
                    var c = controls[key.Item1];
                    var failing = rows.TryGetValue(key, out var settings) && settings.Any(d.Failing.Contains);
                    var stale = d.Reported < now.AddDays(-staleDays);
                    r.Items.Add(new ReportItem
                    {
                        ControlId = key.Item1, Target = key.Item2, Title = c.Title, Category = c.Category,
                        Status = d.NotReported || stale ? "Error" : failing ? "NonCompliant" : "Compliant",
                    });
                }
                result.Add(r);
            }
            return result;
        }


    }
}
