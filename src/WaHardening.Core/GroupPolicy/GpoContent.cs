using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.GroupPolicy
{
    /// <summary>Where a security option goes in a GPO.</summary>
    public enum SecurityOptionPlacement
    {
        /// <summary>GptTmpl.inf <c>[Registry Values]</c> only (the Security Settings extension applies it; GPMC shows it
        /// under Security Options). Used for GPO backups.</summary>
        SecurityTemplate,
        /// <summary>Registry.pol only (the registry extension writes the same value). Used when there is no
        /// security template: <c>-AsRegistryPol</c> and the local GPO merge.</summary>
        RegistryPol,
    }

    /// <summary>
    /// A baseline rendered for Group Policy: Registry.pol records for the Machine and User halves and the security
    /// options for GptTmpl.inf. Every setting comes from <see cref="RegistryRendering.Render(SettingDefinition)"/>, so
    /// the GPO says exactly what the registry provider writes and audits.
    /// </summary>
    public sealed class GpoContent
    {
        private GpoContent(IReadOnlyList<PolEntry> machine, IReadOnlyList<PolEntry> user, IReadOnlyList<RegistrySetting> security,
            IReadOnlyList<RegistrySetting> settings, IReadOnlyList<SettingDefinition> definitions)
        {
            Machine = machine; User = user; SecurityOptions = security; Settings = settings; Definitions = definitions;
        }

        /// <summary>Records for Machine\registry.pol (HKLM).</summary>
        public IReadOnlyList<PolEntry> Machine { get; }
        /// <summary>Records for User\registry.pol (HKCU).</summary>
        public IReadOnlyList<PolEntry> User { get; }
        /// <summary>Settings rendered into GptTmpl.inf <c>[Registry Values]</c>.</summary>
        public IReadOnlyList<RegistrySetting> SecurityOptions { get; }
        /// <summary>Every registry setting the GPO carries, in baseline order.</summary>
        public IReadOnlyList<RegistrySetting> Settings { get; }
        /// <summary>The baseline setting each of <see cref="Settings"/> renders (same index): the local GPO merge judges
        /// existing records with it ("stricter wins").</summary>
        public IReadOnlyList<SettingDefinition> Definitions { get; }

        /// <summary>
        /// HKLM keys whose values are Security Options of the security template engine (secedit) rather than
        /// Administrative Templates: "Interactive logon: Machine inactivity limit" is
        /// <c>MACHINE\Software\Microsoft\Windows\CurrentVersion\Policies\System\InactivityTimeoutSecs</c> in GptTmpl.inf
        /// <c>[Registry Values]</c> (Microsoft Learn, "Interactive logon: Machine inactivity limit"; GPMC backups of the
        /// Microsoft security baselines carry it there).
        /// </summary>
        public static readonly IReadOnlyList<string> SecurityOptionKeys = new[]
        {
            @"Software\Microsoft\Windows\CurrentVersion\Policies\System",
        };

        public static bool IsSecurityOption(RegistrySetting s) =>
            s.Hive == "HKLM" && !s.IsList &&
            SecurityOptionKeys.Any(k => string.Equals(k, s.Key, StringComparison.OrdinalIgnoreCase));

        /// <summary>Renders the enforceable Windows registry settings of the controls (advisory and audit-only ones are skipped).</summary>
        public static GpoContent From(IEnumerable<Control> controls, SecurityOptionPlacement placement)
        {
            var machine = new List<PolEntry>();
            var user = new List<PolEntry>();
            var security = new List<RegistrySetting>();
            var all = new List<RegistrySetting>();
            var definitions = new List<SettingDefinition>();
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var c in controls)
            {
                if (c.Advisory) continue;
                foreach (var s in c.Settings)
                {
                    if (!s.Enforce || !RegistryRendering.Applies(s)) continue;
                    var r = RegistryRendering.Render(s);
                    // Two controls writing the same value would make the result depend on order: refuse.
                    var id = r.Path;
                    if (seen.TryGetValue(id, out var other))
                    {
                        if (other == c.Id + ":" + s) continue;
                        throw new WaHardeningException(ErrorIds.GpoSettingConflict, WaErrorCategory.InvalidData,
                            $"{r.Path} is set by both {other} and {c.Id}:{s}; a GPO can hold one value.", r.Path);
                    }
                    seen[id] = c.Id + ":" + s;
                    all.Add(r);
                    definitions.Add(s);
                    if (placement == SecurityOptionPlacement.SecurityTemplate && IsSecurityOption(r)) { security.Add(r); continue; }
                    var target = r.Hive == "HKCU" ? user : r.Hive == "HKLM" ? machine
                        : throw new WaHardeningException(ErrorIds.RegistryHiveUnsupported, WaErrorCategory.InvalidData, $"{r.Path}: hive {r.Hive} has no Group Policy half.", r.Path);
                    if (r.JsonMember != null)
                    {
                        // One record for the shared JSON value (Firefox's Preferences), every member merged into it in order.
                        var at = target.FindIndex(e => e.Action == PolAction.SetValue && string.Equals(e.Key, r.Key, StringComparison.OrdinalIgnoreCase)
                            && string.Equals(e.ValueName, r.ValueName, StringComparison.OrdinalIgnoreCase));
                        var data = RegistryRendering.MergeMember(s, r, at < 0 ? null : target[at].Data, s.Expected);
                        var entry = PolEntry.Create(r.Key, r.ValueName!, r.Kind, data);
                        if (at < 0) target.Add(entry); else target[at] = entry;
                        continue;
                    }
                    target.AddRange(PolEntry.FromSetting(r));
                }
            }
            return new GpoContent(machine, user, security, all, definitions);
        }

        /// <summary>
        /// GptTmpl.inf as the security template engine writes it: UTF-16LE with BOM, CRLF, <c>[Unicode]</c>,
        /// <c>[Version]</c> (<c>signature="$CHICAGO$"</c>, <c>Revision=1</c>) and <c>[Registry Values]</c> lines
        /// <c>MACHINE\key\value=type,data</c> (4 = DWORD, 1 = SZ quoted, 2 = EXPAND_SZ quoted, 7 = MULTI_SZ comma-separated).
        /// </summary>
        public static byte[] GptTmpl(IEnumerable<RegistrySetting> securityOptions)
        {
            var sb = new StringBuilder();
            sb.Append("[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n[Registry Values]\r\n");
            foreach (var s in securityOptions)
            {
                if (s.Hive != "HKLM" || s.IsList)
                    throw new WaHardeningException(ErrorIds.SecurityOptionInvalid, WaErrorCategory.InvalidData, $"{s.Path} cannot be a security template registry value (HKLM single values only).", s.Path);
                sb.Append(@"MACHINE\").Append(s.Key).Append('\\').Append(s.ValueName).Append('=');
                sb.Append(((uint)s.Kind).ToString(CultureInfo.InvariantCulture)).Append(',');
                switch (s.Kind)
                {
                    case RegistryKind.DWord:
                        sb.Append(Convert.ToString(s.Data, CultureInfo.InvariantCulture));
                        break;
                    case RegistryKind.String:
                    case RegistryKind.ExpandString:
                        sb.Append('"').Append(((string)s.Data!).Replace("\"", "\"\"")).Append('"');
                        break;
                    case RegistryKind.MultiString:
                        var items = (string[])s.Data!;
                        if (items.Any(i => i.IndexOf(',') >= 0))
                            throw new WaHardeningException(ErrorIds.SecurityOptionInvalid, WaErrorCategory.InvalidData, $"{s.Path}: a REG_MULTI_SZ item holds ',' which a security template cannot express.", s.Path);
                        sb.Append(string.Join(",", items));
                        break;
                    default:
                        throw new WaHardeningException(ErrorIds.SecurityOptionInvalid, WaErrorCategory.InvalidData, $"{s.Path}: {RegistrySetting.KindName(s.Kind)} is not written to security templates by this module.", s.Path);
                }
                sb.Append("\r\n");
            }
            var body = Encoding.Unicode.GetBytes(sb.ToString());
            var bytes = new byte[body.Length + 2];
            bytes[0] = 0xFF; bytes[1] = 0xFE;
            Buffer.BlockCopy(body, 0, bytes, 2, body.Length);
            return bytes;
        }
    }
}
