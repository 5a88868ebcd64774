using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Audit
{
    /// <summary>
    /// Audits controls against the live state: one <see cref="ComplianceResult"/> per control and
    /// target, built from the per-setting judgements of <see cref="ValueComparer"/>.
    /// </summary>
    public sealed class Auditor
    {
        private readonly Dictionary<string, ISettingReader> _readers;
        private readonly string _computer;
        private readonly Func<DateTimeOffset> _clock;

        public Auditor(IEnumerable<ISettingReader> readers, string? computerName = null, Func<DateTimeOffset>? clock = null)
        {
            _readers = readers.ToDictionary(r => r.Target, StringComparer.Ordinal);
            _computer = computerName ?? Environment.MachineName;
            _clock = clock ?? (() => DateTimeOffset.Now);
        }

        /// <summary>The readers for this machine: Linux files on Linux; other OSes' targets are not applicable.</summary>
        public static IEnumerable<ISettingReader> ForThisMachine(string? root)
        {
            var fs = new FileSystemRoot(root);
            var linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || root != null;
            var os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Platforms.Windows
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? Platforms.MacOS : Platforms.Linux;
            foreach (var t in Targets.All)
            {
                if (t.Name == Targets.Guidance) continue;
                if (t.Name == Targets.IOS || t.Name == Targets.Android)
                {
                    yield return new NotApplicableReader(t.Name, $"{t.Name} devices are checked by Intune compliance (Export-WaIntuneProfile), not on a computer");
                    continue;
                }
                if (linux)
                {
                    if (SettingLocationsHas(t.Name)) { yield return new ChromiumLinuxReader(t.Name, fs); continue; }
                    if (t.Name == Targets.Firefox) { yield return new FirefoxLinuxReader(fs); continue; }
                    if (t.Name == Targets.Gnome) { yield return new DconfReader(fs); continue; }
                    if (t.Name == Targets.Apt) { yield return new AptReader(fs); continue; }
                }
                yield return new NotApplicableReader(t.Name, t.Platforms.Contains(os)
                    ? $"auditing {t.Name} on {os} is not supported by this version of the module"
                    : $"{t.Name} settings apply to {string.Join(", ", t.Platforms)}; this is {os}");
            }
        }

        private static bool SettingLocationsHas(string target) =>
            Rendering.SettingLocations.LinuxManagedPolicyDirectories.ContainsKey(target);

        public IEnumerable<ComplianceResult> Audit(IEnumerable<Control> controls)
        {
            foreach (var c in controls)
            {
                if (c.Advisory)
                {
                    yield return new ComplianceResult(c.Id, c.Title, c.Category, c.Severity.ToString(), Targets.Guidance, ComplianceStatus.Advisory,
                        "", null, "guidance only: no endpoint setting can enforce this", c.Guidance, Array.Empty<SettingResult>(), _computer, _clock());
                    continue;
                }
                foreach (var group in c.Settings.GroupBy(s => s.Target))
                    yield return AuditTarget(c, group.Key, group.ToList());
            }
        }

        private ComplianceResult AuditTarget(Control c, string target, IReadOnlyList<SettingDefinition> settings)
        {
            var expected = string.Join("; ", settings.Select(s => $"{s.Name} = {s.Expected}"));
            ComplianceResult Result(ComplianceStatus status, string? actual, string reason, IReadOnlyList<SettingResult> details) =>
                new ComplianceResult(c.Id, c.Title, c.Category, c.Severity.ToString(), target, status, expected, actual, reason,
                    status == ComplianceStatus.NonCompliant ? Fix(c, target, details) : null, details, _computer, _clock());

            if (!_readers.TryGetValue(target, out var reader))
                return Result(ComplianceStatus.NotApplicable, null, $"no reader for target {target}", Array.Empty<SettingResult>());
            if (reader.NotApplicableReason != null)
                return Result(ComplianceStatus.NotApplicable, null, reader.NotApplicableReason, Array.Empty<SettingResult>());

            var details = new List<SettingResult>();
            try
            {
                foreach (var s in settings)
                {
                    var outcome = reader.Read(s);
                    var (ok, why) = ValueComparer.Judge(s, outcome.Actual);
                    details.Add(new SettingResult(target, s.Name, s.Expected.ToString(), outcome.Actual?.ToString(),
                        ok ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant, why, outcome.Location, outcome.Origin));
                }
            }
            catch (WaHardeningException e)
            {
                return Result(ComplianceStatus.Error, null, e.Message, details);
            }
            var failed = details.Where(d => d.Status != ComplianceStatus.Compliant).ToList();
            var actual = string.Join("; ", details.Select(d => $"{d.Name} = {d.Actual ?? "(not configured)"}"));
            return failed.Count == 0
                ? Result(ComplianceStatus.Compliant, actual, "every setting is at least as strict as the baseline", details)
                : Result(ComplianceStatus.NonCompliant, actual, string.Join("; ", failed.Select(d => $"{d.Name} {d.Reason}")), details);
        }

        private static string Fix(Control c, string target, IReadOnlyList<SettingResult> details)
        {
            var sb = new StringBuilder();
            sb.Append($"Run Set-WaHardening -Id {c.Id}, or set ");
            sb.Append(string.Join(", ", details.Where(d => d.Status != ComplianceStatus.Compliant).Select(d => $"{d.Name} = {d.Expected} in {d.Location}")));
            sb.Append('.');
            return sb.ToString();
        }
    }
}
