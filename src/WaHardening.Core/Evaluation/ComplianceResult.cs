using System;
using System.Collections.Generic;

namespace WaHardening.Core.Evaluation
{
    /// <summary>Outcome of auditing a control on one target (or one setting).</summary>
    public enum ComplianceStatus
    {
        /// <summary>Configured as the baseline asks, or stricter.</summary>
        Compliant,
        /// <summary>Not configured, or configured weaker than the baseline.</summary>
        NonCompliant,
        /// <summary>The target is absent here (browser not installed, another OS).</summary>
        NotApplicable,
        /// <summary>Guidance no endpoint can enforce; never counted as compliant.</summary>
        Advisory,
        /// <summary>The state could not be read (unreadable file, access denied, …).</summary>
        Error,
    }

    /// <summary>The audit of one setting: what the baseline expects, what was found and where.</summary>
    public sealed class SettingResult
    {
        public SettingResult(string target, string name, string expected, string? actual, ComplianceStatus status, string reason, string? location, string? origin)
        {
            Target = target; Name = name; Expected = expected; Actual = actual; Status = status; Reason = reason; Location = location; Origin = origin;
        }

        public string Target { get; }
        public string Name { get; }
        public string Expected { get; }
        /// <summary>The value found, as compact JSON; null when not configured.</summary>
        public string? Actual { get; }
        public ComplianceStatus Status { get; }
        public string Reason { get; }
        /// <summary>Where the setting is read/written (file path and key, registry path, dconf key).</summary>
        public string? Location { get; }
        /// <summary>Where the effective value came from (e.g. a foreign policy file, Intune's PolicyManager), when not this module's own location.</summary>
        public string? Origin { get; }
        public bool NotConfigured => Actual == null;
    }

    /// <summary>One result per control and target: the object Test-WaHardening writes and reports read.</summary>
    public sealed class ComplianceResult
    {
        public ComplianceResult(string controlId, string title, string category, string severity, string target,
            ComplianceStatus status, string expected, string? actual, string reason, string? guidance,
            IReadOnlyList<SettingResult> settings, string computerName, DateTimeOffset timestamp)
        {
            ControlId = controlId; Title = title; Category = category; Severity = severity; Target = target; Status = status;
            Expected = expected; Actual = actual; Reason = reason; Guidance = guidance; Settings = settings;
            ComputerName = computerName; Timestamp = timestamp;
        }

        public string ControlId { get; }
        public string Title { get; }
        public string Category { get; }
        public string Severity { get; }
        public string Target { get; }
        public ComplianceStatus Status { get; }
        /// <summary>Summary of the expected values (one line per setting).</summary>
        public string Expected { get; }
        public string? Actual { get; }
        public string Reason { get; }
        /// <summary>What to do about it: the fix for a failure, the advice for an advisory control.</summary>
        public string? Guidance { get; }
        public IReadOnlyList<SettingResult> Settings { get; }
        public string ComputerName { get; }
        public DateTimeOffset Timestamp { get; }
        /// <summary>The baseline profile the control was audited under (e.g. SharedComputer); null when unknown.
        /// Reports take their profile from here.</summary>
        public string? Profile { get; private set; }

        /// <summary>This result, labelled with the profile it was audited under.</summary>
        public ComplianceResult InProfile(string? profile)
        {
            var copy = (ComplianceResult)MemberwiseClone();
            copy.Profile = profile;
            return copy;
        }
    }
}
