using System.Collections.Generic;
using System.Linq;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Rendering
{
    /// <summary>Where a setting lives on one platform or in one management channel.</summary>
    public sealed class SettingLocation
    {
        public SettingLocation(string platform, string kind, string where)
        { Platform = platform; Kind = kind; Where = where; }

        public string Platform { get; }
        /// <summary>e.g. "Registry", "Managed policy JSON", "dconf", "Configuration profile", "Settings catalog", "OMA-URI", "Compliance policy", "APT".</summary>
        public string Kind { get; }
        public string Where { get; }
        public override string ToString() => $"{Platform} {Kind}: {Where}";
    }

    /// <summary>
    /// A description of every location of a setting, read from the target's descriptor row (Model/Targets.cs) and the
    /// providers' own file names, so what it says is what the providers read and write (SettingLocationsTests holds the two equal).
    /// </summary>
    public static class SettingLocations
    {
        /// <summary>The file this module owns in a Chromium-family browser's Linux managed-policy folder.</summary>
        public const string OwnedPolicyFileName = Targets.OwnedPolicyFileName;

        /// <summary>For dconf keys "org/gnome/desktop/session/idle-delay": the keyfile section and key.</summary>
        public static (string Section, string Key) SplitDconfKey(string name)
        {
            var i = name.LastIndexOf('/');
            return (name.Substring(0, i), name.Substring(i + 1));
        }

        public static IEnumerable<SettingLocation> Describe(SettingDefinition s)
        {
            var info = Targets.Find(s.Target);
            if (info == null) yield break;
            if (s.Platforms != null)
                yield return new SettingLocation(string.Join(", ", info.Platforms.Where(p => !s.AppliesOn(p))), "Not read",
                    $"{s.Name} exists on {string.Join(", ", s.Platforms)} only: {s.Elsewhere}");
            if (info.Family == TargetFamily.ChromiumBrowser && info.LinuxOwnedFile != null && s.AppliesOn(Platforms.Linux))
                foreach (var install in info.LinuxInstalls)
                    yield return new SettingLocation(Platforms.Linux, info.LinuxInstalls.Count > 1 ? $"Managed policy JSON ({install.Kind})" : "Managed policy JSON",
                        $"{install.PolicyFolder}/{info.LinuxOwnedFileName} → \"{s.Name}\"");
            if (info.Family == TargetFamily.Firefox && info.LinuxOwnedFile != null && s.AppliesOn(Platforms.Linux))
                yield return new SettingLocation(Platforms.Linux, "policies.json", $"{info.LinuxOwnedFile} → {FirefoxPolicy.Display(s)}" + (FirefoxPolicy.IsPreference(s) ? $" = {{\"Value\": …, \"Status\": \"{FirefoxPolicy.Status(s)}\"}}" : ""));
            if (s.Target == Targets.Gnome)
            {
                var (section, key) = SplitDconfKey(s.Name);
                var type = s.Dconf?.Type;
                yield return new SettingLocation(Platforms.Linux, "dconf", $"{Providers.DconfProvider.OwnKeyfile} [{section}] {key} ({type}), locked in {Providers.DconfProvider.OwnLocks}");
            }
            if (info.Family == TargetFamily.DeviceState && s.WebSessions != null)
                foreach (var p in info.Platforms)
                    yield return new SettingLocation(p, "Browser profiles", "every local user's Chrome, Chromium, Edge, Brave and Firefox profiles (read-only; Get-WaWebSession)");
            if (s.Target == Targets.Apt)
                yield return new SettingLocation(Platforms.Linux, "APT", $"{info.LinuxPolicyFolder}/{s.Apt?.File ?? "*"}: {s.Name}");
            if (s.Target == Targets.SessionCleanup && Sessions.SessionCleanup.Find(s.Name) is Sessions.CleanupTrigger t)
            {
                yield return new SettingLocation(Platforms.Linux, "systemd", $"{t.SystemdUnitFile}, wanted by {t.SystemdWantedBy} through {t.SystemdDropIn}");
                yield return new SettingLocation(Platforms.Windows, "Scheduled task", t.WindowsTask);
                yield return new SettingLocation(Platforms.MacOS, "launchd (exported)", t.LaunchdFile);
            }
            if (info.Platforms.Contains(Platforms.Windows) && RegistryRendering.Applies(s))
            {
                var r = RegistryRendering.Render(s);
                yield return new SettingLocation(Platforms.Windows, "Registry", r.IsList
                    ? $@"{r.Hive}\{r.Key}\1..n (REG_SZ)"
                    : r.JsonMember != null ? $@"{r.Hive}\{r.Key}\{r.ValueName} ({RegistrySetting.KindName(r.Kind)} JSON) → ""{r.JsonMember}"""
                    : $@"{r.Hive}\{r.Key}\{r.ValueName} ({RegistrySetting.KindName(r.Kind)})");
            }
            if (info.MacPreferenceDomain is string domain && s.AppliesOn(Platforms.MacOS))
                yield return new SettingLocation(Platforms.MacOS, "Configuration profile", $"{domain} → {(s.Target == Targets.Firefox ? string.Join("/", FirefoxPolicy.Path(s)) : s.Name.Replace('.', '/'))}");
            if (s.MacOS is MacPayloadSection mac)
                yield return new SettingLocation(Platforms.MacOS, "Configuration profile", $"{mac.PayloadType} → {mac.KeyFor(s.Name)}");
            if (IntuneRendering.Applies(s))
            {
                var i = IntuneRendering.Render(s);
                var child = i.Children.FirstOrDefault();
                yield return new SettingLocation("Intune", "Settings catalog", i.DefinitionId + (child != null ? $" → {child.DefinitionId}" : ""));
            }
            if (s.OmaUri is string oma)
                yield return new SettingLocation("Intune", "OMA-URI", oma);
            if (s.Compliance is ComplianceSection comp)
                yield return new SettingLocation(info.Platforms[0], "Compliance policy", $"{comp.ODataType}.{comp.PropertyFor(s.Name)}");
        }
    }
}
