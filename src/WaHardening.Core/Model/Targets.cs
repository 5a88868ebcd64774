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

    /// <summary>What kind of program a target is: how its settings are stored and which code paths serve it.</summary>
    public enum TargetFamily
    {
        /// <summary>A Chromium-based browser: one policy namespace; JSON files in a managed folder on Linux, a policy key on
        /// Windows, a managed preference domain on macOS.</summary>
        ChromiumBrowser,
        /// <summary>Firefox: policies.json on Linux, a policy key with dotted paths as subkeys on Windows, a preference domain on macOS.</summary>
        Firefox,
        /// <summary>A browser updater (Windows policy key only).</summary>
        Updater,
        /// <summary>A setting of the operating system itself (registry values, dconf, configuration profile payloads, APT).</summary>
        OperatingSystem,
        /// <summary>An Intune compliance policy: nothing to read or write on a device.</summary>
        Compliance,
        /// <summary>Advice for people; never enforced.</summary>
        Guidance,
        /// <summary>The state of the computer (e.g. web sessions stored in browser profiles), audited read-only: no setting to
        /// write, so Set-WaHardening reports it and the exports (GPO, Intune, macOS, Linux) carry nothing for it.</summary>
        DeviceState,
    }

    /// <summary>
    /// One way a program is installed on Linux (a distribution or vendor package, a snap, a flatpak) and the policy folder
    /// that installation reads. Installations that share a folder are one entry.
    /// </summary>
    public sealed class LinuxInstall
    {
        public LinuxInstall(string kind, string policyFolder, params string[] binaries) { Kind = kind; PolicyFolder = policyFolder; Binaries = binaries; }

        /// <summary>"package", "snap", "flatpak" or a combination ("package, snap").</summary>
        public string Kind { get; }
        public string PolicyFolder { get; }
        /// <summary>Any one of these present means this installation is there.</summary>
        public IReadOnlyList<string> Binaries { get; }
        public override string ToString() => $"{Kind}: {PolicyFolder}";
    }

    /// <summary>
    /// Where a browser keeps its per-user data (Chromium family: the user-data directory holding Local State and the profile
    /// folders; Firefox: the folder holding profiles.ini), relative to the user's home folder (Linux, macOS) or the user's
    /// profile folder (Windows: <c>AppData/Local/…</c> is %LOCALAPPDATA%, <c>AppData/Roaming/…</c> is %APPDATA%), with '/'
    /// as separator. <see cref="Install"/>: "package", "snap" or "flatpak" on Linux, "" elsewhere. Read by the web-session
    /// locator (Sessions/WebSessionLocator), Get-/Clear-WaWebSession and the WebSessions audit.
    /// </summary>
    public sealed class UserDataLocation
    {
        public UserDataLocation(string install, string relativePath) { Install = install; RelativePath = relativePath; }
        public string Install { get; }
        public string RelativePath { get; }
        public override string ToString() => Install.Length == 0 ? RelativePath : $"{Install}: {RelativePath}";
    }

    /// <summary>
    /// A target is the program or subsystem that reads a setting: a browser, an updater, the OS lock, a device compliance
    /// policy. This is its one descriptor row: where it runs, which per-setting fields the baseline must give for it, and
    /// every location it reads on each platform. Providers (audit/enforce), renderers, the GPO/Intune/macOS/Linux exports,
    /// the device scripts and the generated docs all read these fields; none keeps its own copy (docs/ARCHITECTURE.md,
    /// "Targets"). Adding a Chromium-based browser is one row (and its baseline settings).
    /// </summary>
    public sealed class TargetInfo
    {
        public TargetInfo(string name, string description, TargetFamily family, string[] platforms, string[]? requiredFields = null)
        {
            Name = name; Description = description; Family = family; Platforms = platforms;
            RequiredFields = requiredFields ?? Array.Empty<string>();
        }

        public string Name { get; }
        public string Description { get; }
        public TargetFamily Family { get; }
        public IReadOnlyList<string> Platforms { get; }

        /// <summary>Setting fields that must be present for this target (beyond the common ones).</summary>
        public IReadOnlyList<string> RequiredFields { get; }

        /// <summary>The product's name in titles ("Google Chrome"); the target name when not set.</summary>
        public string DisplayName { get => _display ?? Name; internal set => _display = value; }
        private string? _display;

        /// <summary>Lower-case name used in export paths and markers ("chrome" → linux/chrome/…, macos/chrome.mobileconfig).</summary>
        public string Slug => Name.ToLowerInvariant();

        // ---- Windows

        /// <summary>HKLM key (without hive, spelled as the vendor's ADMX spells it) under which the target reads its policies.</summary>
        public string? WindowsPolicyKey { get; internal set; }

        /// <summary>The executable the installer registers under HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths
        /// (presence check on Windows; learn.microsoft.com/windows/win32/shell/app-registration).</summary>
        public string? WindowsAppPathsExe { get; internal set; }

        /// <summary>The Windows settings-catalog policy that carries the target's catalog settings: file slug and title
        /// (windows/settings-catalog/&lt;slug&gt;.json); null when the catalog has none of its settings.</summary>
        public (string Slug, string Title)? WindowsCatalogPolicy { get; internal set; }

        /// <summary>True when the Windows device scripts (custom compliance, remediation) judge/write its HKLM settings.</summary>
        public bool InDeviceScripts { get; internal set; }

        // ---- Linux

        /// <summary>The folder the target reads its policies from on Linux (Chromium family: the managed-policy folder, every
        /// *.json in it; Firefox: the folder of policies.json; GNOME: dconf's keyfile folder of the local database): the first
        /// installation's, or the one folder of a target without <see cref="LinuxInstalls"/>.</summary>
        public string? LinuxPolicyFolder { get => _folder ?? (LinuxInstalls.Count > 0 ? LinuxInstalls[0].PolicyFolder : null); internal set => _folder = value; }
        private string? _folder;

        /// <summary>The installations of a browser on Linux, each with the policy folder it reads (package, snap, flatpak).
        /// The providers audit and write every installation present (binary or folder found), the first when none is.</summary>
        public IReadOnlyList<LinuxInstall> LinuxInstalls { get; internal set; } = Array.Empty<LinuxInstall>();

        /// <summary>The file this module owns (writes) in <see cref="LinuxPolicyFolder"/>.</summary>
        public string? LinuxOwnedFileName { get; internal set; }

        /// <summary>The full path of the owned Linux file.</summary>
        public string? LinuxOwnedFile => LinuxPolicyFolder == null || LinuxOwnedFileName == null ? null : LinuxPolicyFolder + "/" + LinuxOwnedFileName;

        /// <summary>Where the program's binary is installed on Linux (any one present means installed): every installation's.</summary>
        public IReadOnlyList<string> LinuxBinaries { get => _binaries ?? LinuxInstalls.SelectMany(i => i.Binaries).ToArray(); internal set => _binaries = value; }
        private IReadOnlyList<string>? _binaries;

        // ---- macOS

        /// <summary>The managed preference domain the browser reads on macOS (delivered as a configuration profile).</summary>
        public string? MacPreferenceDomain { get; internal set; }

        /// <summary>The application bundle whose presence means "installed" on macOS.</summary>
        public string? MacAppBundle { get; internal set; }

        // ---- per-user data (web sessions)

        /// <summary>The browser's per-user data folders on Linux (package, snap <c>snap/&lt;name&gt;/common/…</c>, flatpak
        /// <c>.var/app/&lt;id&gt;/…</c>), relative to the home folder.</summary>
        public IReadOnlyList<UserDataLocation> UserDataLinux { get; internal set; } = Array.Empty<UserDataLocation>();

        /// <summary>The browser's per-user data folders on Windows, relative to the user's profile folder (C:\Users\name).</summary>
        public IReadOnlyList<UserDataLocation> UserDataWindows { get; internal set; } = Array.Empty<UserDataLocation>();

        /// <summary>The browser's per-user data folders on macOS, relative to the home folder (/Users/name).</summary>
        public IReadOnlyList<UserDataLocation> UserDataMac { get; internal set; } = Array.Empty<UserDataLocation>();

        /// <summary>The per-user data folders of <paramref name="platform"/>.</summary>
        public IReadOnlyList<UserDataLocation> UserDataOn(string platform) =>
            platform == Model.Platforms.Windows ? UserDataWindows : platform == Model.Platforms.MacOS ? UserDataMac : UserDataLinux;

        /// <summary>True for Chromium-family browsers: one policy namespace, JSON files on Linux, registry on Windows.</summary>
        public bool IsChromiumFamily => Family == TargetFamily.ChromiumBrowser;

        public override string ToString() => Name;
    }

    public static class Targets
    {
        public const string Chrome = "Chrome";
        public const string Chromium = "Chromium";
        public const string Edge = "Edge";
        public const string Brave = "Brave";
        public const string Firefox = "Firefox";
        public const string GoogleUpdate = "GoogleUpdate";
        public const string EdgeUpdate = "EdgeUpdate";
        public const string Windows = "Windows";
        public const string Gnome = "GNOME";
        public const string MacOS = "macOS";
        public const string Apt = "Apt";
        /// <summary>The boot and logon clean-up of stored web sessions (WA-SESSION-05): systemd units, Windows scheduled tasks.</summary>
        public const string SessionCleanup = "SessionCleanup";
        public const string IOS = "iOS";
        public const string Android = "Android";
        public const string WindowsCompliance = "WindowsCompliance";
        public const string MacOSCompliance = "macOSCompliance";
        /// <summary>Advice for people (phone-side steps); never enforced, always reported Advisory.</summary>
        public const string Guidance = "Guidance";
        /// <summary>Web sessions stored in local users' browser profiles (device state; Get-WaWebSession).</summary>
        public const string WebSessions = "WebSessions";

        private static readonly string[] s_desktop = { Platforms.Windows, Platforms.Linux, Platforms.MacOS };
        private const string FlatpakBin = "/var/lib/flatpak/exports/bin/";

        // Sources: Linux managed-policy folders from Chromium's "Linux quick start" (chromium.org/administrators/linux-quick-start)
        // and Microsoft's "Configure Microsoft Edge on Linux" (learn.microsoft.com/deployedge/configure-microsoft-edge-on-linux),
        // checked on Debian for Chromium (DESIGN.md); Firefox's /etc/firefox/policies/policies.json (mozilla/policy-templates
        // README, checked with Debian's firefox-esr); binaries as the Debian/vendor packages install them; Windows policy keys
        // as the vendors' ADMX files spell them; macOS domains from the vendors' policy documentation.
        private static readonly TargetInfo[] s_all =
        {
            new TargetInfo(Chrome, "Google Chrome policies", TargetFamily.ChromiumBrowser, s_desktop)
            {
                DisplayName = "Google Chrome", WindowsPolicyKey = @"Software\Policies\Google\Chrome", WindowsAppPathsExe = "chrome.exe",
                WindowsCatalogPolicy = ("windows-chrome", "Windows - Google Chrome"), InDeviceScripts = true,
                // The com.google.Chrome flatpak links the host's /etc/opt/chrome/policies into its sandbox (its launcher).
                LinuxInstalls = new[] { new LinuxInstall("package, flatpak", "/etc/opt/chrome/policies/managed", "/opt/google/chrome/chrome", FlatpakBin + "com.google.Chrome") },
                LinuxOwnedFileName = OwnedPolicyFileName, MacPreferenceDomain = "com.google.Chrome", MacAppBundle = "/Applications/Google Chrome.app",
                // Per-user data folders: docs/research/web-session-storage.md §3 (Linux package paths observed for Debian chromium and
                // firefox-esr; the others as the vendors document them, not verified here).
                UserDataLinux = new[] { new UserDataLocation("package", ".config/google-chrome"), new UserDataLocation("package", ".config/google-chrome-beta"), new UserDataLocation("package", ".config/google-chrome-unstable"), new UserDataLocation("flatpak", ".var/app/com.google.Chrome/config/google-chrome") },
                UserDataWindows = new[] { new UserDataLocation("", "AppData/Local/Google/Chrome/User Data") },
                UserDataMac = new[] { new UserDataLocation("", "Library/Application Support/Google/Chrome") },
            },
            new TargetInfo(Chromium, "Chromium policies", TargetFamily.ChromiumBrowser, s_desktop)
            {
                WindowsPolicyKey = @"Software\Policies\Chromium",
                // Debian's package reads /etc/chromium; the chromium snap reads /etc/chromium-browser/policies/managed through
                // its etc-chromium-browser-policies plug (docs/research/targets.md).
                LinuxInstalls = new[]
                {
                    new LinuxInstall("package", "/etc/chromium/policies/managed", "/usr/bin/chromium", "/usr/lib/chromium/chromium"),
                    new LinuxInstall("snap", "/etc/chromium-browser/policies/managed", "/snap/bin/chromium"),
                },
                LinuxOwnedFileName = OwnedPolicyFileName, MacPreferenceDomain = "org.chromium.Chromium", MacAppBundle = "/Applications/Chromium.app",
                // Per-user data folders: docs/research/web-session-storage.md §3 (Linux package paths observed for Debian chromium and
                // firefox-esr; the others as the vendors document them, not verified here).
                UserDataLinux = new[] { new UserDataLocation("package", ".config/chromium"), new UserDataLocation("snap", "snap/chromium/common/chromium"), new UserDataLocation("flatpak", ".var/app/org.chromium.Chromium/config/chromium") },
                UserDataWindows = new[] { new UserDataLocation("", "AppData/Local/Chromium/User Data") },
                UserDataMac = new[] { new UserDataLocation("", "Library/Application Support/Chromium") },
            },
            new TargetInfo(Edge, "Microsoft Edge policies", TargetFamily.ChromiumBrowser, s_desktop)
            {
                DisplayName = "Microsoft Edge", WindowsPolicyKey = @"Software\Policies\Microsoft\Edge", WindowsAppPathsExe = "msedge.exe",
                WindowsCatalogPolicy = ("windows-edge", "Windows - Microsoft Edge"), InDeviceScripts = true,
                LinuxInstalls = new[] { new LinuxInstall("package, flatpak", "/etc/opt/microsoft/edge/policies/managed", "/opt/microsoft/msedge/msedge", FlatpakBin + "com.microsoft.Edge") },
                LinuxOwnedFileName = OwnedPolicyFileName, MacPreferenceDomain = "com.microsoft.Edge", MacAppBundle = "/Applications/Microsoft Edge.app",
                // Per-user data folders: docs/research/web-session-storage.md §3 (Linux package paths observed for Debian chromium and
                // firefox-esr; the others as the vendors document them, not verified here).
                UserDataLinux = new[] { new UserDataLocation("package", ".config/microsoft-edge"), new UserDataLocation("package", ".config/microsoft-edge-beta"), new UserDataLocation("package", ".config/microsoft-edge-dev"), new UserDataLocation("flatpak", ".var/app/com.microsoft.Edge/config/microsoft-edge") },
                UserDataWindows = new[] { new UserDataLocation("", "AppData/Local/Microsoft/Edge/User Data") },
                UserDataMac = new[] { new UserDataLocation("", "Library/Application Support/Microsoft Edge") },
            },
            // Brave (Chromium-based; it keeps every Chromium policy handler): folder, key and domain from brave/brave-core
            // (docs/research/targets.md). No Intune catalog entries: Windows delivery through an ingested ADMX (OMA-URIs).
            // The com.brave.Browser flatpak links /etc/brave/policies into its sandbox; the Brave snap cannot read it (not listed).
            new TargetInfo(Brave, "Brave browser policies", TargetFamily.ChromiumBrowser, s_desktop)
            {
                DisplayName = "Brave", WindowsPolicyKey = @"Software\Policies\BraveSoftware\Brave", WindowsAppPathsExe = "brave.exe", InDeviceScripts = true,
                LinuxInstalls = new[] { new LinuxInstall("package, flatpak", "/etc/brave/policies/managed", "/opt/brave.com/brave/brave", "/usr/bin/brave-browser", FlatpakBin + "com.brave.Browser") },
                LinuxOwnedFileName = OwnedPolicyFileName, MacPreferenceDomain = "com.brave.Browser", MacAppBundle = "/Applications/Brave Browser.app",
                // Per-user data folders: docs/research/web-session-storage.md §3 (Linux package paths observed for Debian chromium and
                // firefox-esr; the others as the vendors document them, not verified here).
                UserDataLinux = new[] { new UserDataLocation("package", ".config/BraveSoftware/Brave-Browser"), new UserDataLocation("flatpak", ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser") },
                UserDataWindows = new[] { new UserDataLocation("", "AppData/Local/BraveSoftware/Brave-Browser/User Data") },
                UserDataMac = new[] { new UserDataLocation("", "Library/Application Support/BraveSoftware/Brave-Browser") },
            },
            new TargetInfo(Firefox, "Mozilla Firefox enterprise policies", TargetFamily.Firefox, s_desktop)
            {
                DisplayName = "Firefox", WindowsPolicyKey = @"Software\Policies\Mozilla\Firefox", WindowsAppPathsExe = "firefox.exe", InDeviceScripts = true,
                // The firefox snap reads /etc/firefox/policies too (its etc-firefox plug). The org.mozilla.firefox flatpak reads
                // its systemconfig extension instead (docs/research/targets.md): not served yet (docs/ARCHITECTURE.md, Targets).
                LinuxInstalls = new[] { new LinuxInstall("package, snap", "/etc/firefox/policies",
                    "/usr/bin/firefox", "/usr/bin/firefox-esr", "/usr/lib/firefox/firefox", "/usr/lib/firefox-esr/firefox-esr", "/opt/firefox/firefox", "/snap/bin/firefox") },
                LinuxOwnedFileName = "policies.json",
                MacPreferenceDomain = "org.mozilla.firefox", MacAppBundle = "/Applications/Firefox.app",
                // Per-user data folders: docs/research/web-session-storage.md §3 (Linux package paths observed for Debian chromium and
                // firefox-esr; the others as the vendors document them, not verified here).
                // Firefox ESR 153 (Debian) creates profiles.ini in the XDG folder ~/.config/mozilla/firefox when ~/.mozilla does not
                // exist (observed with firefox-esr -CreateProfile; WebSessionTests pins it); older installs keep ~/.mozilla/firefox.
                UserDataLinux = new[] { new UserDataLocation("package", ".mozilla/firefox"), new UserDataLocation("package", ".config/mozilla/firefox"), new UserDataLocation("snap", "snap/firefox/common/.mozilla/firefox"), new UserDataLocation("flatpak", ".var/app/org.mozilla.firefox/.mozilla/firefox") },
                UserDataWindows = new[] { new UserDataLocation("", "AppData/Roaming/Mozilla/Firefox") },
                UserDataMac = new[] { new UserDataLocation("", "Library/Application Support/Firefox") },
            },
            new TargetInfo(GoogleUpdate, "Google Update (Chrome's updater) policies", TargetFamily.Updater, new[] { Platforms.Windows })
            { WindowsPolicyKey = @"Software\Policies\Google\Update", InDeviceScripts = true },
            new TargetInfo(EdgeUpdate, "Microsoft Edge Update policies", TargetFamily.Updater, new[] { Platforms.Windows })
            {
                WindowsPolicyKey = @"Software\Policies\Microsoft\EdgeUpdate", InDeviceScripts = true,
                WindowsCatalogPolicy = ("windows-edge-update", "Windows - Microsoft Edge Update"),
            },
            new TargetInfo(Windows, "Windows policy registry values", TargetFamily.OperatingSystem, new[] { Platforms.Windows }, new[] { "registry" })
            { WindowsCatalogPolicy = ("windows-lock", "Windows - screen lock"), InDeviceScripts = true },
            // dconf's local database: keyfiles in name order, a later file overriding an earlier one (checked with `dconf compile`).
            new TargetInfo(Gnome, "GNOME settings through dconf (system database, locked keys)", TargetFamily.OperatingSystem, new[] { Platforms.Linux }, new[] { "dconf" })
            { LinuxPolicyFolder = "/etc/dconf/db/local.d", LinuxOwnedFileName = "90-wa-hardening", LinuxBinaries = new[] { "/usr/bin/dconf" } },
            new TargetInfo(MacOS, "macOS configuration profile payloads", TargetFamily.OperatingSystem, new[] { Platforms.MacOS }, new[] { "macos" }),
            new TargetInfo(Apt, "Debian/Ubuntu unattended upgrades (APT configuration)", TargetFamily.OperatingSystem, new[] { Platforms.Linux })
            { LinuxPolicyFolder = "/etc/apt/apt.conf.d", LinuxBinaries = new[] { "/usr/bin/apt-get" } },
            // The units and tasks themselves are named in Sessions/SessionCleanup.cs (one definition for Set, Test, Undo and exports).
            new TargetInfo(SessionCleanup, "Clean-up of stored web sessions at boot and logon (systemd units; Windows scheduled tasks; macOS launchd, exported)", TargetFamily.OperatingSystem, new[] { Platforms.Windows, Platforms.Linux, Platforms.MacOS })
            { DisplayName = "Session clean-up", LinuxPolicyFolder = "/etc/systemd", LinuxBinaries = new[] { "/usr/bin/systemctl", "/bin/systemctl", "/lib/systemd/systemd", "/usr/lib/systemd/systemd" } },
            new TargetInfo(IOS, "iOS/iPadOS through Intune compliance", TargetFamily.Compliance, new[] { Platforms.IOS }, new[] { "compliance" }),
            new TargetInfo(Android, "Android through Intune compliance", TargetFamily.Compliance, new[] { Platforms.Android }, new[] { "compliance" }),
            new TargetInfo(WindowsCompliance, "Windows device compliance in Intune (a tenant policy, not a local setting)", TargetFamily.Compliance, new[] { Platforms.Windows }, new[] { "compliance" }),
            new TargetInfo(MacOSCompliance, "macOS device compliance in Intune (a tenant policy, not a local setting)", TargetFamily.Compliance, new[] { Platforms.MacOS }, new[] { "compliance" }),
            new TargetInfo(WebSessions, "Web sessions stored in local users' browser profiles (Get-WaWebSession; read-only device state)", TargetFamily.DeviceState, s_desktop, new[] { "webSessions" })
            { DisplayName = "Stored web sessions" },
            new TargetInfo(Guidance, "Advice for users and admins that no endpoint setting can enforce", TargetFamily.Guidance, Platforms.All.ToArray()),
        };

        /// <summary>The file this module owns in a Chromium-family browser's Linux managed-policy folder.</summary>
        public const string OwnedPolicyFileName = "wa-hardening.json";

        public static IReadOnlyList<TargetInfo> All => s_all;

        /// <summary>The targets of one family, in table order.</summary>
        public static IEnumerable<TargetInfo> OfFamily(TargetFamily family) => s_all.Where(t => t.Family == family);

        /// <summary>Targets that exist only as Intune compliance policies: nothing to read or write on a device.</summary>
        public static bool IsIntuneComplianceOnly(string name) => Find(name)?.Family == TargetFamily.Compliance;

        public static TargetInfo? Find(string name) =>
            s_all.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The row of a target the code names (a constant above): never null.</summary>
        public static TargetInfo Get(string name) => Find(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "not a target");
    }
}
