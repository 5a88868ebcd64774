namespace WaHardening.Core.Model
{
    // The per-target sections of a baseline setting, validated once by the loader (BaselineLoader.ValidateSections) and
    // built into these records (BaselineLoader.ReadSections). Renderers, providers and exporters read only these: no code
    // outside the loader casts the setting's raw JSON. Defaults live here, in one place.

    /// <summary><c>registry</c>: where a Windows setting is stored (required for target Windows; overrides a browser's convention).</summary>
    public sealed class RegistrySection
    {
        public RegistrySection(string hive, string key, string value, string kind) { Hive = hive; Key = key; Value = value; Kind = kind; }
        /// <summary>HKLM or HKCU.</summary>
        public string Hive { get; }
        /// <summary>The key below the hive.</summary>
        public string Key { get; }
        /// <summary>The value name.</summary>
        public string Value { get; }
        /// <summary>REG_DWORD, REG_SZ, … (stated, never inferred).</summary>
        public string Kind { get; }
    }

    /// <summary><c>dconf</c>: the GVariant type of a GNOME key and whether it is locked.</summary>
    public sealed class DconfSection
    {
        public DconfSection(string type, bool? @lock) { Type = type; Lock = @lock ?? DefaultLock; }
        /// <summary>Keys are locked unless the baseline says otherwise (a user could change them back).</summary>
        public const bool DefaultLock = true;
        public string Type { get; }
        public bool Lock { get; }
    }

    /// <summary><c>macos</c>: the configuration-profile payload a macOS setting goes in.</summary>
    public sealed class MacPayloadSection
    {
        public MacPayloadSection(string payloadType, string? key, string scope) { PayloadType = payloadType; Key = key; Scope = scope; }
        public string PayloadType { get; }
        /// <summary>The payload key when it differs from the setting's name.</summary>
        public string? Key { get; }
        /// <summary>System (device channel) or User (user channel).</summary>
        public string Scope { get; }
        /// <summary>The payload key of a setting named <paramref name="settingName"/>.</summary>
        public string KeyFor(string settingName) => Key ?? settingName;
    }

    /// <summary><c>intune</c>: the settings-catalog definition that renders the setting.</summary>
    public sealed class IntuneSection
    {
        public IntuneSection(string settingDefinitionId, string? child, string? childKind)
        { SettingDefinitionId = settingDefinitionId; Child = child; ChildKind = childKind ?? (child == null ? null : DefaultChildKind); }
        /// <summary>A child without a kind is a choice among options.</summary>
        public const string DefaultChildKind = "choice";
        public string SettingDefinitionId { get; }
        public string? Child { get; }
        /// <summary>"simple" (free text) or "choice"; null without a child.</summary>
        public string? ChildKind { get; }
        public bool SimpleChild => ChildKind == "simple";
    }

    /// <summary><c>compliance</c>: the Intune compliance policy type and property of a compliance-only setting.</summary>
    public sealed class ComplianceSection
    {
        public ComplianceSection(string odataType, string? property) { ODataType = odataType; Property = property; }
        public string ODataType { get; }
        /// <summary>The Graph property when it differs from the setting's name.</summary>
        public string? Property { get; }
        public string PropertyFor(string settingName) => Property ?? settingName;
    }

    /// <summary><c>apt</c>: the APT configuration file a setting is expected in (null: any).</summary>
    public sealed class AptSection
    {
        public AptSection(string? file) { File = file; }
        public string? File { get; }
    }

    /// <summary><c>firefoxPreference</c>: the setting is a preference of Firefox's Preferences policy.</summary>
    public sealed class FirefoxPreferenceSection
    {
        public FirefoxPreferenceSection(string? status) { Status = status ?? DefaultStatus; }
        /// <summary>Only locked preferences are baseline settings (the loader refuses any other status).</summary>
        public const string DefaultStatus = "locked";
        public string Status { get; }
    }

    /// <summary>Every section of one setting (null where the setting has none).</summary>
    /// <summary><c>webSessions</c> (target WebSessions): how the stored-session audit judges what it finds.</summary>
    public sealed class WebSessionsSection
    {
        public WebSessionsSection(string strictProfile, string cleanExitControl) { StrictProfile = strictProfile; CleanExitControl = cleanExitControl; }
        /// <summary>Under this profile (and profiles including it) any stored session of a browser not running is NonCompliant.</summary>
        public string StrictProfile { get; }
        /// <summary>The control whose settings make a browser clear the origins' data at a clean exit: where it is in force
        /// (Compliant for the browser) a stored session of a browser not running shows an unclean exit.</summary>
        public string CleanExitControl { get; }
    }

    public sealed class SettingSections
    {
        public static readonly SettingSections None = new SettingSections();
        public RegistrySection? Registry { get; internal set; }
        public DconfSection? Dconf { get; internal set; }
        public MacPayloadSection? MacOS { get; internal set; }
        public IntuneSection? Intune { get; internal set; }
        public ComplianceSection? Compliance { get; internal set; }
        public AptSection? Apt { get; internal set; }
        public FirefoxPreferenceSection? FirefoxPreference { get; internal set; }
        public WebSessionsSection? WebSessions { get; internal set; }
        /// <summary>The exact OMA-URI (./Device/… or ./User/…).</summary>
        public string? OmaUri { get; internal set; }
        /// <summary>For an ADMX-backed OMA-URI: the id of the ADMX element that carries the value.</summary>
        public string? AdmxData { get; internal set; }
    }
}
