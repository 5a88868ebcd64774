using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Platform;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// macOS, audit only: what configuration profiles enforce is what macOS writes into managed preferences —
    /// <c>/Library/Managed Preferences/&lt;domain&gt;.plist</c> for the device and <c>/Library/Managed Preferences/&lt;user&gt;/&lt;domain&gt;.plist</c>
    /// per user (XML or binary plists). Browser settings are read in the row's preference domain (Model/Targets.cs;
    /// Firefox's nested policies in org.mozilla.firefox, which Firefox reads only with <c>EnterprisePoliciesEnabled</c> true),
    /// the screen-lock payload settings in their payload type's domain (<c>macos.payloadType</c>, key <c>macos.key</c>). A setting
    /// is compliant only when the device file and every user's file that holds the domain give it; the origin names the file.
    /// Enforcement on macOS is by the exported configuration profiles: <see cref="Engine.Plan"/> refuses with
    /// <c>MacOSEnforcedByProfiles</c> before anything is read or written.
    /// </summary>
    public sealed class MacManagedPreferencesProvider : ISettingProvider
    {
        public const string Folder = "/Library/Managed Preferences";
        /// <summary>Bigger files are not managed preferences; refused rather than read.</summary>
        public const int MaxPlistBytes = 16 * 1024 * 1024;

        public string Name => "MacManagedPreferences";

        public bool Serves(string target, string platform) =>
            platform == Platforms.MacOS && (target == Targets.MacOS || Targets.Find(target)?.MacPreferenceDomain != null);

        public bool CanWrite(string target) => false;

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            if (target == Targets.MacOS) { reason = "part of macOS"; return true; }
            var row = Targets.Get(target);
            if (row.MacAppBundle != null && FileHelpers.DirExists(ctx, row.MacAppBundle)) { reason = $"{target} is installed ({row.MacAppBundle})"; return true; }
            var files = DomainFiles(row.MacPreferenceDomain!, ctx).ToList();
            if (files.Count > 0) { reason = $"managed preferences for {row.MacPreferenceDomain} exist ({files[0]})"; return true; }
            reason = $"{target} is not installed (no {row.MacAppBundle}, no managed preferences for {row.MacPreferenceDomain})";
            return false;
        }

        /// <summary>The managed-preferences files of a domain: the device's first, then each user's, in name order.</summary>
        internal static IEnumerable<string> DomainFiles(string domain, ProviderContext ctx, bool device = true, bool users = true)
        {
            var deviceFile = $"{Folder}/{domain}.plist";
            if (device && FileHelpers.Exists(ctx, deviceFile)) yield return deviceFile;
            var physical = ctx.Map(Folder);
            if (!users || !Directory.Exists(physical)) yield break;
            foreach (var user in Directory.GetDirectories(physical).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal))
            {
                var f = $"{Folder}/{user}/{domain}.plist";
                if (FileHelpers.Exists(ctx, f)) yield return f;
            }
        }

        /// <summary>
        /// Where a setting's managed preferences lie. A payload installed through the device channel (PayloadScope System)
        /// is device-wide; one through the user channel (User) lands in each user's folder — for a payload type named
        /// "&lt;domain&gt;.user" (com.apple.screensaver.user) in that user's file of the type itself or of &lt;domain&gt;: both are
        /// read (which of the two macOS writes was not verified on a Mac here). Browser domains: device and users.
        /// </summary>
        private static IEnumerable<string> FilesOf(SettingDefinition s, string domain, ProviderContext ctx)
        {
            if (s.MacOS == null) return DomainFiles(domain, ctx);
            if (s.MacOS.Scope == "System") return DomainFiles(domain, ctx, users: false);
            var files = DomainFiles(domain, ctx, device: false);
            return domain.EndsWith(".user", StringComparison.Ordinal)
                ? files.Concat(DomainFiles(domain.Substring(0, domain.Length - ".user".Length), ctx, device: false))
                : files;
        }

        private static JsonObject Load(string path, ProviderContext ctx)
        {
            var physical = ctx.Map(path);
            try
            {
                var info = new FileInfo(physical);
                if (info.Length > MaxPlistBytes)
                    throw new WaHardeningException(ErrorIds.ManagedPreferencesInvalid, WaErrorCategory.InvalidData,
                        $"The managed preferences '{path}' are {info.Length} bytes, more than {MaxPlistBytes}; not read.", path);
                var v = Plist.Parse(File.ReadAllBytes(physical));
                return v as JsonObject ?? throw new PlistFormatException("the top value is not a dictionary");
            }
            catch (PlistFormatException e)
            {
                throw new WaHardeningException(ErrorIds.ManagedPreferencesInvalid, WaErrorCategory.InvalidData,
                    $"The managed preferences '{path}' cannot be read as macOS reads them: {e.Message}.", path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new WaHardeningException(ErrorIds.PolicyFileUnreadable, WaErrorCategory.ReadError, $"The managed preferences '{path}' cannot be read: {e.Message}", path, e);
            }
        }

        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            string domain;
            Func<JsonObject, string, (JsonValue? Value, string? Origin, string? Problem)> pick;
            if (s.Target == Targets.MacOS)
            {
                domain = s.MacOS!.PayloadType;
                var key = s.MacOS.KeyFor(s.Name);
                pick = (d, where) => (d[key], null, null);
            }
            else if (s.Target == Targets.Firefox)
            {
                domain = Targets.Get(s.Target).MacPreferenceDomain!;
                pick = (d, where) =>
                {
                    var r = FirefoxPolicy.ReadFrom(s, d, where);
                    // Mozilla (policy-templates mac/README.md): Firefox reads the domain's policies only when this is true.
                    return (d["EnterprisePoliciesEnabled"] as JsonBoolean)?.Value == true ? r
                        : (r.Value, r.Origin, $"{where} lacks EnterprisePoliciesEnabled = true, so Firefox ignores its policies");
                };
            }
            else
            {
                domain = Targets.Get(s.Target).MacPreferenceDomain!;
                pick = (d, where) => (d[s.Name], null, null);
            }
            var location = $"{Folder}/{domain}.plist: {(s.Target == Targets.Firefox ? FirefoxPolicy.Display(s) : s.MacOS?.KeyFor(s.Name) ?? s.Name)}";
            ReadResult? first = null;
            foreach (var file in FilesOf(s, domain, ctx))
            {
                var (value, origin, problem) = pick(Load(file, ctx), file);
                var r = new ReadResult(value, location, origin ?? (value != null ? $"{file} (configuration profile)" : null), problem);
                first ??= r;
                if (!Evaluation.ValueComparer.Judge(s, value).Compliant || problem != null) return r;
            }
            return first ?? new ReadResult(null, location);
        }

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx) =>
            throw new WaHardeningException(ErrorIds.MacOSEnforcedByProfiles, WaErrorCategory.InvalidOperation, MacOSEnforcedByProfilesMessage);

        /// <summary>Why Set-WaHardening writes nothing on macOS and what to do instead.</summary>
        public const string MacOSEnforcedByProfilesMessage =
            "On macOS the settings are enforced by configuration profiles, not written by this module: export them with " +
            "Export-WaIntuneProfile -Platform macOS (macos/*.mobileconfig) and deploy them through your MDM (Intune, or install them " +
            "by hand). Test-WaHardening audits what they enforce. Nothing was written.";

        public void RunPostAction(string action, ProviderContext ctx) { }
    }
}
