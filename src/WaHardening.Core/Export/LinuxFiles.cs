using System.Collections.Generic;
using System.Linq;
using System.Text;
using WaHardening.Core.Intune;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Export
{
    /// <summary>
    /// The Linux files of an export: exactly what Set-WaHardening writes on a device (each Chromium-family browser's owned
    /// file in its managed folder, Firefox's policies.json, the dconf keyfile, locks and profile), whole files per profile,
    /// at the paths of the targets' descriptor rows (Model/Targets.cs).
    /// </summary>
    internal static class LinuxFiles
    {
        public static IEnumerable<ExportedFile> Build(IntuneExporter.Ctx ctx)
        {
            foreach (var row in Targets.OfFamily(TargetFamily.ChromiumBrowser).Where(t => t.LinuxOwnedFile != null))
            {
                var items = ctx.DeviceSettings(s => s.Target == row.Name && s.AppliesOn(Platforms.Linux)).ToList();
                if (items.Count == 0) continue;
                var doc = new JsonObject();
                foreach (var (_, s) in items) doc.Set(s.Name, JsonObject.Clone(s.Expected));
                yield return new ExportedFile($"linux/{row.Slug}/{row.LinuxOwnedFileName}", ExportKinds.LinuxPolicy, "linux",
                    $"{row.Name} managed policies (copy to {row.LinuxPolicyFolder}/)", ctx.Marker("linux-" + row.Slug), items.Select(i => i.Control.Id), IntuneExporter.Json(doc), null);
            }
            var ff = ctx.DeviceSettings(s => s.Target == Targets.Firefox && s.AppliesOn(Platforms.Linux)).ToList();
            if (ff.Count > 0)
            {
                var policies = IntuneExporter.NestDotted(ff.Select(i => i.Setting));
                yield return new ExportedFile("linux/firefox/policies.json", ExportKinds.LinuxPolicy, "linux",
                    $"Firefox policies (merge into {Targets.Get(Targets.Firefox).LinuxOwnedFile})", ctx.Marker("linux-firefox"),
                    ff.Select(i => i.Control.Id), IntuneExporter.Json(new JsonObject().Set("policies", policies)), null);
            }
            var gnome = ctx.DeviceSettings(s => s.Target == Targets.Gnome && s.AppliesOn(Platforms.Linux)).ToList();
            if (gnome.Count > 0)
            {
                var kf = new DconfProvider.Keyfile();
                var locks = new StringBuilder();
                foreach (var (_, s) in gnome)
                {
                    var (group, key) = SettingLocations.SplitDconfKey(s.Name);
                    kf.Group(group).Add(new KeyValuePair<string, string>(key, DconfProvider.Format(DconfProvider.GType(s), s.Expected)));
                    if (DconfProvider.WantsLock(s)) locks.Append('/').Append(s.Name).Append('\n');
                }
                var ids = gnome.Select(i => i.Control.Id).ToList();
                yield return new ExportedFile("linux/dconf/local.d/" + Targets.Get(Targets.Gnome).LinuxOwnedFileName, ExportKinds.DconfKeyfile, "linux",
                    $"GNOME defaults (copy to {DconfProvider.OwnKeyfile}, then run 'dconf update')", ctx.Marker("linux-dconf"), ids, IntuneExporter.Text(kf.Write()), null);
                yield return new ExportedFile("linux/dconf/local.d/locks/wa-hardening", ExportKinds.DconfKeyfile, "linux",
                    $"GNOME locks (copy to {DconfProvider.OwnLocks})", ctx.Marker("linux-dconf-locks"), ids, IntuneExporter.Text(locks.ToString()), null);
                yield return new ExportedFile("linux/dconf/profile/user", ExportKinds.DconfKeyfile, "linux",
                    $"dconf profile naming the system database (merge into {DconfProvider.Profile})", ctx.Marker("linux-dconf-profile"), ids,
                    IntuneExporter.Text("user-db:user\n" + DconfProvider.ProfileLine + "\n"), null);
            }
            // WA-SESSION-05: the units Set-WaHardening writes, for PowerShell installed from Microsoft's packages (/usr/bin/pwsh)
            // and the module installed for all users (found through PSModulePath).
            var linuxHost = Sessions.PowerShellHost.Installed(Sessions.SessionCleanup.LinuxPwsh);
            foreach (var (control, s) in ctx.DeviceSettings(s => s.Target == Targets.SessionCleanup && s.AppliesOn(Platforms.Linux)))
            {
                var t = Sessions.SessionCleanup.Find(s.Name);
                if (t == null) continue;
                var scope = t.AllUsers ? "system" : "user";
                yield return new ExportedFile($"linux/systemd/{scope}/{Sessions.SessionCleanup.UnitName}", ExportKinds.SystemdUnit, "linux",
                    $"Session clean-up {t.Setting} (copy to {t.SystemdUnitFile})", ctx.Marker("linux-session-cleanup-" + t.Setting.ToLowerInvariant()),
                    new[] { control.Id }, IntuneExporter.Text(Sessions.SessionCleanup.SystemdUnit(t, linuxHost)), null);
                yield return new ExportedFile($"linux/systemd/{scope}/{t.SystemdWantedBy}.d/{Sessions.SessionCleanup.DropInName}", ExportKinds.SystemdUnit, "linux",
                    $"Enables the session clean-up {t.Setting} (copy to {t.SystemdDropIn}, then run 'systemctl daemon-reload')",
                    ctx.Marker("linux-session-cleanup-" + t.Setting.ToLowerInvariant() + "-wants"), new[] { control.Id }, IntuneExporter.Text(Sessions.SessionCleanup.SystemdDropIn(t)), null);
            }
        }
    }
}
