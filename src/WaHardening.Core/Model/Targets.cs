using System;
using System.Collections.Generic;
using System.Linq;

namespace WaHardening.Core.Model
{
    /// <summary>Operating systems a control can apply to.</summary>
    public static class Platforms
    {
        public const string Windows = "Windows";
        public const string Linux = "Linux";
        public const string MacOS = "macOS";
        public const string IOS = "iOS";
        public const string Android = "Android";

        public static readonly IReadOnlyList<string> All = new[] { Windows, Linux, MacOS, IOS, Android };

        public static string? Normalize(string name) =>
            All.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A target is the program or subsystem that reads a setting: a browser, an updater, the OS
    /// lock, a device compliance policy. The table says where it runs and which per-setting fields
    /// the baseline must give for it (everything else is derived from the target's conventions,
    /// e.g. a Chrome policy's registry key and Linux JSON file).
    /// </summary>
    public sealed class TargetInfo
    {
        public TargetInfo(string name, string description, string[] platforms, string[] requiredFields, string? vendorPolicyRoot = null)
        {
            Name = name; Description = description; Platforms = platforms; RequiredFields = requiredFields;
            WindowsPolicyKey = vendorPolicyRoot;
        }

        public string Name { get; }
        public string Description { get; }
        public IReadOnlyList<string> Platforms { get; }

        /// <summary>Setting fields that must be present for this target (beyond the common ones).</summary>
        public IReadOnlyList<string> RequiredFields { get; }

        /// <summary>HKLM key (without hive) under which the target reads its policies on Windows, if fixed.</summary>
        public string? WindowsPolicyKey { get; }

        /// <summary>True for Chromium-family browsers: one policy namespace, JSON files on Linux, registry on Windows.</summary>
        public bool IsChromiumFamily => Name == Targets.Chrome || Name == Targets.Chromium || Name == Targets.Edge;

        public override string ToString() => Name;
    }

    public static class Targets
    {
        public const string Chrome = "Chrome";
        public const string Chromium = "Chromium";
        public const string Edge = "Edge";
        public const string Firefox = "Firefox";
        public const string GoogleUpdate = "GoogleUpdate";
        public const string EdgeUpdate = "EdgeUpdate";
        public const string Windows = "Windows";
        public const string Gnome = "GNOME";
        public const string MacOS = "macOS";
        public const string Apt = "Apt";
        public const string IOS = "iOS";
        public const string Android = "Android";
        public const string WindowsCompliance = "WindowsCompliance";
        public const string MacOSCompliance = "macOSCompliance";
        /// <summary>Advice for people (phone-side steps); never enforced, always reported Advisory.</summary>
        public const string Guidance = "Guidance";

        private static readonly TargetInfo[] s_all =
        {
            new TargetInfo(Chrome, "Google Chrome policies", new[] { Platforms.Windows, Platforms.Linux, Platforms.MacOS }, Array.Empty<string>(), @"Software\Policies\Google\Chrome"),
            new TargetInfo(Chromium, "Chromium policies", new[] { Platforms.Windows, Platforms.Linux, Platforms.MacOS }, Array.Empty<string>(), @"Software\Policies\Chromium"),
            new TargetInfo(Edge, "Microsoft Edge policies", new[] { Platforms.Windows, Platforms.Linux, Platforms.MacOS }, Array.Empty<string>(), @"Software\Policies\Microsoft\Edge"),
            new TargetInfo(Firefox, "Mozilla Firefox enterprise policies", new[] { Platforms.Windows, Platforms.Linux, Platforms.MacOS }, Array.Empty<string>(), @"Software\Policies\Mozilla\Firefox"),
            new TargetInfo(GoogleUpdate, "Google Update (Chrome's updater) policies", new[] { Platforms.Windows }, Array.Empty<string>(), @"Software\Policies\Google\Update"),
            new TargetInfo(EdgeUpdate, "Microsoft Edge Update policies", new[] { Platforms.Windows }, Array.Empty<string>(), @"Software\Policies\Microsoft\EdgeUpdate"),
            new TargetInfo(Windows, "Windows policy registry values", new[] { Platforms.Windows }, new[] { "registry" }),
            new TargetInfo(Gnome, "GNOME settings through dconf (system database, locked keys)", new[] { Platforms.Linux }, new[] { "dconf" }),
            new TargetInfo(MacOS, "macOS configuration profile payloads", new[] { Platforms.MacOS }, new[] { "macos" }),
            new TargetInfo(Apt, "Debian/Ubuntu unattended upgrades (APT configuration)", new[] { Platforms.Linux }, Array.Empty<string>()),
            new TargetInfo(IOS, "iOS/iPadOS through Intune compliance", new[] { Platforms.IOS }, new[] { "compliance" }),
            new TargetInfo(Android, "Android through Intune compliance", new[] { Platforms.Android }, new[] { "compliance" }),
            new TargetInfo(WindowsCompliance, "Windows device compliance in Intune (a tenant policy, not a local setting)", new[] { Platforms.Windows }, new[] { "compliance" }),
            new TargetInfo(MacOSCompliance, "macOS device compliance in Intune (a tenant policy, not a local setting)", new[] { Platforms.MacOS }, new[] { "compliance" }),
            new TargetInfo(Guidance, "Advice for users and admins that no endpoint setting can enforce", Platforms.All.ToArray(), Array.Empty<string>()),
        };

        public static IReadOnlyList<TargetInfo> All => s_all;

        /// <summary>Targets that exist only as Intune compliance policies: nothing to read or write on a device.</summary>
        public static bool IsIntuneComplianceOnly(string name) =>
            name == IOS || name == Android || name == WindowsCompliance || name == MacOSCompliance;

        public static TargetInfo? Find(string name) =>
            s_all.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
    }
}
