using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Text;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Export
{
    /// <summary>
    /// macOS configuration profiles (.mobileconfig, XML property lists): the screen-saver lock payloads and the
    /// browsers' preference domains (com.google.Chrome, com.microsoft.Edge, org.mozilla.firefox). PayloadUUIDs are
    /// name-based (RFC 4122 v5) from profile and payload, so they are stable across exports and machines.
    /// Field truth (Apple's device-management schema, apple/device-management mdm/profiles): a profile's PayloadScope
    /// decides the channel that installs it (System = device channel, User = user channel), and a payload type is allowed
    /// on one or both; so payloads are grouped into one profile per scope, taken from the setting's <c>macos.scope</c>
    /// (com.apple.screensaver: device channel only; com.apple.screensaver.user: user channel only). Custom preference
    /// domains are documented only as com.apple.ManagedClient.preferences with
    /// <c>PayloadContent.&lt;domain&gt;.Forced[].mcx_preference_settings</c> (Apple's schema; Mozilla's mac/README.md:
    /// "in a mobileconfig, the configuration must be nested in mcx_preference_settings").
    /// </summary>
    internal static class MobileConfig
    {
        /// <summary>Apple's payload type for managed preferences of any domain.</summary>
        public const string ManagedPreferences = "com.apple.ManagedClient.preferences";

        // One profile per browser with a macOS preference domain (Model/Targets.cs).
        private static IEnumerable<(string Target, string Slug, string What)> Browsers =>
            Targets.All.Where(t => t.MacPreferenceDomain != null && (t.Family == TargetFamily.ChromiumBrowser || t.Family == TargetFamily.Firefox))
                .Select(t => (t.Name, t.Slug, t.DisplayName));

        public static IEnumerable<ExportedFile> Build(IntuneExporter.Ctx ctx)
        {
            var lockItems = ctx.Settings(s => s.Target == Targets.MacOS && s.MacOS != null && s.AppliesOn(Platforms.MacOS)).ToList();
            // One profile per scope: a System profile goes through the device channel, a User profile through the user channel.
            foreach (var scope in lockItems.GroupBy(i => Scope(i.Setting)).OrderBy(g => g.Key == "System" ? 0 : 1))
            {
                var payloads = scope.GroupBy(i => i.Setting.MacOS!.PayloadType)
                    .Select(g =>
                    {
                        var keys = new JsonObject();
                        foreach (var (_, s) in g) keys.Set(s.MacOS!.KeyFor(s.Name), JsonObject.Clone(s.Expected));
                        return (Type: g.Key, Keys: keys);
                    }).ToList();
                var user = scope.Key == "User";
                yield return File(ctx, user ? "screen-lock-user" : "screen-lock", user ? "macOS screen lock (user)" : "macOS screen lock",
                    scope.Key, scope.Select(i => i.Control.Id), payloads);
            }
            foreach (var (target, slug, what) in Browsers)
            {
                var items = ctx.Settings(s => s.Target == target && s.AppliesOn(Platforms.MacOS)).ToList();
                if (items.Count == 0) continue;
                JsonObject keys;
                if (target == Targets.Firefox)
                {
                    // Firefox reads its policies from the org.mozilla.firefox domain once EnterprisePoliciesEnabled is true
                    // (mozilla/policy-templates, mac/README.md); dotted names are nested dictionaries.
                    keys = new JsonObject().Set("EnterprisePoliciesEnabled", true);
                    foreach (var p in IntuneExporter.NestDotted(items.Select(i => i.Setting)).Properties) keys.Set(p.Key, p.Value);
                }
                else
                {
                    keys = new JsonObject();
                    foreach (var (_, s) in items) keys.Set(s.Name, JsonObject.Clone(s.Expected));
                }
                var domain = Targets.Get(target).MacPreferenceDomain!;
                var forced = new JsonArray(new JsonValue[] { new JsonObject().Set("mcx_preference_settings", keys) });
                var content = new JsonObject().Set(domain, new JsonObject().Set("Forced", forced));
                yield return File(ctx, slug, what + " policies", "System", items.Select(i => i.Control.Id),
                    new List<(string, JsonObject)> { (ManagedPreferences, new JsonObject().Set("PayloadContent", content)) }, domain);
            }
            // WA-SESSION-05 on macOS: Set-WaHardening does not enforce on macOS, so the clean-up is exported as launchd property
            // lists (a LaunchDaemon at boot, a LaunchAgent at each login) for PowerShell from Microsoft's package and the module
            // installed for all users; deliver them with a package or script (a configuration profile cannot install them).
            var macHost = Sessions.PowerShellHost.Installed(Sessions.SessionCleanup.MacPwsh);
            foreach (var (control, s) in ctx.DeviceSettings(s => s.Target == Targets.SessionCleanup))
            {
                var t = Sessions.SessionCleanup.Find(s.Name);
                if (t == null) continue;
                yield return new ExportedFile($"macos/launchd/{t.LaunchdLabel}.plist", ExportKinds.LaunchdPlist, "macOS",
                    $"Session clean-up {t.Setting} (install as {t.LaunchdFile}, root:wheel 0644)", ctx.Marker("macos-session-cleanup-" + t.Setting.ToLowerInvariant()),
                    new[] { control.Id }, IntuneExporter.Text(Sessions.SessionCleanup.LaunchdPlist(t, macHost)), null);
            }
        }

        /// <summary>The profile scope a macOS payload setting needs ("System" or "User", validated by the loader).</summary>
        public static string Scope(SettingDefinition s) => s.MacOS!.Scope;

        private static ExportedFile File(IntuneExporter.Ctx ctx, string slug, string what, string scope, IEnumerable<string> controls,
            List<(string Type, JsonObject Keys)> payloads, string? name = null)
        {
            var profileId = $"org.wahardening.{ctx.Profile.ToLowerInvariant()}.{slug}";
            var marker = ctx.Marker("macos-" + slug);
            var content = new JsonArray();
            foreach (var (type, keys) in payloads)
            {
                var id = name ?? type;
                var p = new JsonObject()
                    .Set("PayloadDisplayName", $"{what}: {id}")
                    .Set("PayloadIdentifier", $"{profileId}.{id}")
                    .Set("PayloadType", type)
                    .Set("PayloadUUID", Uuid($"{profileId}|{id}"))
                    .Set("PayloadVersion", 1);
                foreach (var kv in keys.Properties) p.Set(kv.Key, kv.Value);
                content.Add(p);
            }
            var top = new JsonObject()
                .Set("PayloadContent", content)
                .Set("PayloadDescription", $"WaHardening baseline, profile {ctx.Profile}: {what}. {ExportManifest.MarkerLine(marker)}")
                .Set("PayloadDisplayName", ctx.Name("macOS - " + what))
                .Set("PayloadIdentifier", profileId)
                .Set("PayloadOrganization", "WaHardening")
                .Set("PayloadRemovalDisallowed", false)
                .Set("PayloadScope", scope)
                .Set("PayloadType", "Configuration")
                .Set("PayloadUUID", Uuid(profileId))
                .Set("PayloadVersion", 1);
            return new ExportedFile($"macos/{slug}.mobileconfig", ExportKinds.MobileConfig, "macOS", ctx.Name("macOS - " + what), marker, controls,
                IntuneExporter.Text(Plist(top)), null);
        }

        private static string Uuid(string name) => GpoBackup.NameGuid("mobileconfig|" + name).ToString("D").ToUpperInvariant();

        /// <summary>An XML property list (Apple's DTD 1.0) of a JSON value: dict, array, string, integer, real, true/false.</summary>
        public static string Plist(JsonValue root)
        {
            var sb = new StringBuilder();
            sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            sb.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
            sb.Append("<plist version=\"1.0\">\n");
            Write(sb, root, 0);
            sb.Append("</plist>\n");
            return sb.ToString();
        }

        private static void Write(StringBuilder sb, JsonValue v, int depth)
        {
            var pad = new string('\t', depth);
            switch (v)
            {
                case JsonObject o:
                    sb.Append(pad).Append("<dict>\n");
                    foreach (var kv in o.Properties)
                    {
                        sb.Append(pad).Append("\t<key>").Append(SecurityElement.Escape(kv.Key)).Append("</key>\n");
                        Write(sb, kv.Value, depth + 1);
                    }
                    sb.Append(pad).Append("</dict>\n");
                    break;
                case JsonArray a:
                    sb.Append(pad).Append("<array>\n");
                    foreach (var i in a.Items) Write(sb, i, depth + 1);
                    sb.Append(pad).Append("</array>\n");
                    break;
                case JsonString s:
                    sb.Append(pad).Append("<string>").Append(SecurityElement.Escape(s.Value)).Append("</string>\n");
                    break;
                case JsonBoolean b:
                    sb.Append(pad).Append(b.Value ? "<true/>\n" : "<false/>\n");
                    break;
                case JsonNumber n:
                    sb.Append(pad).Append(n.TryGetInt64(out _) ? "<integer>" + n.Raw + "</integer>\n" : "<real>" + n.Raw + "</real>\n");
                    break;
                default:
                    throw new WaHardeningException(ErrorIds.PlistValueUnsupported, WaErrorCategory.InvalidData, "A property list cannot hold a JSON null.", v.ToString());
            }
        }
    }
}
