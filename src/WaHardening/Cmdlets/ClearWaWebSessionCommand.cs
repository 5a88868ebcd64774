using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.Sessions;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Removes WhatsApp Web sessions (or other origins' data) from browser profiles that Get-WaWebSession found.</para>
    /// <para type="description">Takes the profiles Get-WaWebSession writes and removes exactly the origins' data from each: every kind
    /// (cookies of the host and its parent domains, localStorage, sessionStorage, IndexedDB, Cache Storage, service workers,
    /// Firefox's session-restore copies), nothing of other sites. The browser's own deletion code does the work: Chromium,
    /// Chrome, Edge and Brave are started headless on the profile and cleared over DevTools (Storage.clearDataForOrigin for
    /// all storage types, Network.deleteCookies for each cookie of the host or a parent domain); Firefox is started headless
    /// with Marionette and its clear-data service removes the site (cookies, site data, caches and the session history).
    /// When root clears another user's profile, the browser runs as that user. Then what the browser leaves on disk goes
    /// too: per-origin folders it kept, and the bytes of deleted records in shared LevelDB stores (Local Storage, Session
    /// Storage, Service Worker database: rewritten with their live records only, less the origins') and in Firefox's
    /// session-restore files (rewritten without the origins, or removed). Rewritten files keep their mode and owner.</para>
    /// <para type="description">A profile a browser runs on is skipped (Status Skipped, Reason WebSessionBrowserRunning) and nothing
    /// in it is touched, unless -Force: then the browser is closed first with SIGTERM (a clean exit for Chromium; Firefox
    /// treats it as a crash, and the clear then removes what the crash left; headless Chromium too loses what it had not
    /// written yet). -Force is Linux and macOS only. One result object per profile (Status Cleared, Skipped or Failed; Remaining
    /// lists what Get-WaWebSession's scanner still finds afterwards, which makes the result Failed). docs/web-sessions.md
    /// describes each step and what was observed with the real browsers.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-WaWebSession -AllUsers | Clear-WaWebSession -Confirm:$false</code>
    ///   <para>Ends every WhatsApp Web session stored on the machine in a browser that is not running.</para>
    /// </example>
    /// <example>
    ///   <code>Get-WaWebSession -User alice -Browser Firefox | Clear-WaWebSession -Force -WhatIf</code>
    ///   <para>Shows which of alice's Firefox profiles would be cleared (and closed first if running).</para>
    /// </example>
    [Cmdlet(VerbsCommon.Clear, "WaWebSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(WebSessionClearResult))]
    public sealed class ClearWaWebSessionCommand : WaCmdlet
    {
        /// <summary><para type="description">The profiles to clear, as Get-WaWebSession writes them (pipeline input).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public WebSessionProfile[] InputObject { get; set; } = Array.Empty<WebSessionProfile>();

        /// <summary><para type="description">The origins whose data is removed (e.g. https://web.whatsapp.com); by default the origins each
        /// input profile reports (its Origins property). Cookies of the origin's host and of its parent domains (e.g.
        /// .whatsapp.com) go with it; in Firefox the whole site (eTLD+1) is cleared, as its clear-data service works per site.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Origin { get; set; }

        /// <summary><para type="description">Close a browser that runs on the profile first (SIGTERM to its process), instead of skipping the profile.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            foreach (var profile in InputObject)
            {
                var origins = (Origin != null && Origin.Length > 0 ? Origin : profile.Origins).Where(o => !string.IsNullOrWhiteSpace(o)).ToList();
                if (origins.Count == 0)
                {
                    Report(new WaHardeningException(ErrorIds.WebSessionOriginInvalid, WaErrorCategory.InvalidArgument,
                        $"No origin to clear for the {profile.Browser} profile '{profile.ProfilePath}': the input has no Origins and -Origin was not given.", profile.ProfilePath));
                    continue;
                }
                try { foreach (var o in origins) BrowserDriver.HostOf(o); }
                catch (WaHardeningException e) { Fail(e); }
                var what = $"Remove the data of {string.Join(", ", origins)} from the {profile.Browser} profile" +
                           (profile.Running ? (Force ? " (closing the running browser first)" : " (the browser runs: it will be skipped)") : "");
                if (!ShouldProcess(profile.ProfilePath, what)) continue;
                WebSessionClearResult result;
                try
                {
                    WriteVerbose($"Clearing {string.Join(", ", origins)} in {profile.ProfilePath}");
                    result = WebSessionCleaner.Clear(profile, origins, Force);
                }
                catch (WaHardeningException e)
                {
                    Report(e);
                    result = new WebSessionClearResult
                    {
                        User = profile.User, Browser = profile.Browser, ProfilePath = profile.ProfilePath, ProfileName = profile.ProfileName,
                        Origins = origins, Status = "Failed", Reason = e.ErrorId, Message = e.Message,
                    };
                }
                if (result.Status == "Skipped") WriteWarning(result.Message);
                if (result.Status == "Failed" && result.Reason == ErrorIds.WebSessionClearFailed && result.Remaining != WebStorageKinds.None)
                    Report(new WaHardeningException(ErrorIds.WebSessionClearFailed, WaErrorCategory.InvalidOperation, result.Message, profile.ProfilePath));
                foreach (var n in result.Notes) WriteVerbose(n);
                WriteObject(result);
            }
        }
    }
}
