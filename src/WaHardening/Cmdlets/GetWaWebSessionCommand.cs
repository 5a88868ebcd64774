using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Finds web sessions (WhatsApp Web by default) stored in the browser profiles of local users.</para>
    /// <para type="description">Looks through every profile of Chrome, Chromium, Edge, Brave and Firefox of the users asked
    /// for (the current user by default; -AllUsers for everyone with a home folder) in the browsers' Linux (package, snap,
    /// flatpak), Windows and macOS locations, Firefox profiles as profiles.ini and installs.ini name them. For each profile
    /// that holds data of the origins (the baseline's WhatsAppOrigins parameter by default) it writes one object: user,
    /// browser, profile path, which kinds are present (Cookies, LocalStorage, SessionStorage, IndexedDB, CacheStorage,
    /// ServiceWorker, SessionRestore, and Remnants: records the browser deleted whose bytes are still in its LevelDB files),
    /// bytes, last write time, the files and folders that hold it (Locations), and whether the browser runs on the profile
    /// now (Running, with the evidence). Profiles without such data give no output.</para>
    /// <para type="description">Read-only: profile files are read as bytes (regular files only, bounded, never opened for
    /// writing, never locked; symbolic links are not followed) and parsed by the module, so a running browser is neither
    /// blocked nor changed. Running detection does not take the browser's locks (fcntl F_GETLK on Linux; on Windows the lock file is opened without sharing and closed at once); on macOS, where no lock can be probed, any running process of the browser marks all its profiles as running (conservative). A profile or a
    /// store in it that cannot be read is a non-terminating WebSessionProfileUnreadable error naming it; the scan goes on.
    /// Pipe the output to Clear-WaWebSession to remove the data. docs/web-sessions.md describes what each browser keeps where.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-WaWebSession</code>
    ///   <para>WhatsApp Web data in the current user's browser profiles.</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaWebSession -AllUsers -Browser Firefox, Chromium | Format-List</code>
    ///   <para>Every local user's Firefox and Chromium profiles holding WhatsApp Web data, with the locations.</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaWebSession -User ana -Origin https://web.telegram.org</code>
    ///   <para>Another origin's data in ana's profiles.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "WaWebSession", DefaultParameterSetName = "User")]
    [OutputType(typeof(WebSessionProfile))]
    public sealed class GetWaWebSessionCommand : WaCmdlet
    {
        /// <summary>The baseline parameter the origins default to.</summary>
        public const string OriginsParameter = "WhatsAppOrigins";

        /// <summary><para type="description">Local users whose profiles are searched (account names); the current user when neither -User nor -AllUsers is given. A name without a home folder here is a non-terminating WebSessionUserNotFound error.</para></summary>
        [Parameter(ParameterSetName = "User", Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[]? User { get; set; }

        /// <summary><para type="description">Search the profiles of every local user with a home folder (Linux: /etc/passwd; macOS: /Users; Windows: the Users folder). Reading other users' profiles needs administrator or root rights.</para></summary>
        [Parameter(ParameterSetName = "AllUsers", Mandatory = true)]
        public SwitchParameter AllUsers { get; set; }

        /// <summary><para type="description">Browsers to search: Chrome, Chromium, Edge, Brave, Firefox. All of them by default.</para></summary>
        [Parameter]
        [ValidateSet("Chrome", "Chromium", "Edge", "Brave", "Firefox", IgnoreCase = true)]
        public string[]? Browser { get; set; }

        /// <summary><para type="description">Origins (https://host[:port]) or host patterns ([*.]host: the host and its subdomains) whose data is looked for. Default: the WhatsAppOrigins parameter of the module's baseline (https://web.whatsapp.com, [*.]whatsapp.com, [*.]whatsapp.net). Cookies of a parent domain (.whatsapp.com) count for an origin below it.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Origin { get; set; }

        /// <summary><para type="description">A directory every system path is placed under (e.g. TestDrive:\), as for Test-WaHardening: users come from its etc/passwd (Linux), Users (macOS, Windows). Default: the real paths.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Root { get; set; }

        protected override void End()
        {
            var origins = OriginSet.Parse(Origin ?? DefaultOrigins(LoadBaseline(null, null)));
            var ctx = EngineCmdlet.NewContext(this, Root);
            IReadOnlyCollection<string>? users = AllUsers ? null : (User ?? new[] { Environment.UserName });
            WriteVerbose($"Looking for data of {string.Join(", ", origins.Items)} in the profiles of {(users == null ? "every local user" : string.Join(", ", users))}");
            foreach (var p in WebSessionScanner.Find(ctx, users, Browser, origins, Report))
                WriteObject(p);
        }

        /// <summary>The origins the baseline's <see cref="OriginsParameter"/> holds.</summary>
        internal static IEnumerable<string> DefaultOrigins(Baseline baseline)
        {
            if (!baseline.ParameterValues.TryGetValue(OriginsParameter, out var v) || !(v is JsonArray a))
                throw new WaHardeningException(ErrorIds.WebSessionOriginInvalid, WaErrorCategory.InvalidData,
                    $"The baseline '{baseline.SourcePath}' has no string-list parameter '{OriginsParameter}' to take the origins from; give -Origin.", OriginsParameter);
            return a.Items.OfType<JsonString>().Select(s => s.Value).ToList();
        }
    }
}
