using System;
using System.Collections.Generic;

namespace WaHardening.Core.Sessions
{
    /// <summary>The kinds of site data a web session can leave in a browser profile (issue #16).</summary>
    [Flags]
    public enum WebStorageKinds
    {
        None = 0,
        /// <summary>Cookies of the origin's host or a parent domain (Chromium <c>Cookies</c>/<c>Network/Cookies</c>, Firefox <c>cookies.sqlite</c>).</summary>
        Cookies = 1,
        /// <summary>localStorage (Chromium <c>Local Storage/leveldb</c>, Firefox <c>storage/default/&lt;origin&gt;/ls</c> and <c>webappsstore.sqlite</c>).</summary>
        LocalStorage = 2,
        /// <summary>sessionStorage (Chromium <c>Session Storage</c>; Firefox keeps it in the session store files).</summary>
        SessionStorage = 4,
        /// <summary>IndexedDB (Chromium per-origin <c>IndexedDB/https_host_0.*</c> and storage buckets; Firefox <c>storage/default/&lt;origin&gt;/idb</c>).</summary>
        IndexedDB = 8,
        /// <summary>Cache Storage (Chromium <c>Service Worker/CacheStorage/&lt;sha1&gt;</c>; Firefox <c>storage/default/&lt;origin&gt;/cache</c>).</summary>
        CacheStorage = 16,
        /// <summary>Service Worker registrations (Chromium <c>Service Worker/Database</c> and <c>ScriptCache</c>; Firefox <c>serviceworker.txt</c>).</summary>
        ServiceWorker = 32,
        /// <summary>Firefox session restore files (<c>sessionstore.jsonlz4</c>, <c>sessionstore-backups/*</c>) holding the origin's sessionStorage or cookies.</summary>
        SessionRestore = 64,
        /// <summary>Records the browser has deleted but whose bytes are still on disk (LevelDB logs/tables not yet compacted).</summary>
        Remnants = 128,
    }

    /// <summary>
    /// One browser profile that holds data of the watched origins (Get-WaWebSession's output, Clear-WaWebSession's input).
    /// </summary>
    public sealed class WebSessionProfile
    {
        /// <summary>The local account that owns the profile (user name).</summary>
        public string User { get; set; } = "";
        /// <summary>Target name of the browser: Chrome, Chromium, Edge, Brave or Firefox (Model.Targets).</summary>
        public string Browser { get; set; } = "";
        /// <summary>How the browser is installed where this profile lives: "package", "snap" or "flatpak" (Linux), "" elsewhere.</summary>
        public string Install { get; set; } = "";
        /// <summary>Chromium family: the user-data directory (holds Local State and SingletonLock); Firefox: the profile folder itself.</summary>
        public string UserDataDirectory { get; set; } = "";
        /// <summary>The profile folder (Chromium: &lt;user-data-dir&gt;/Default, Profile 1, …; Firefox: the folder profiles.ini names).</summary>
        public string ProfilePath { get; set; } = "";
        /// <summary>The profile's name (Chromium folder name; Firefox profiles.ini Name=).</summary>
        public string ProfileName { get; set; } = "";
        /// <summary>The origins whose data was found, e.g. https://web.whatsapp.com.</summary>
        public IReadOnlyList<string> Origins { get; set; } = Array.Empty<string>();
        /// <summary>Which kinds of the origins' data are present.</summary>
        public WebStorageKinds Kinds { get; set; }
        /// <summary>Bytes of the origins' data on disk (per-origin folders in full, records in shared stores, whole files where the file is the origin's).</summary>
        public long Bytes { get; set; }
        /// <summary>Last write time (UTC) of the newest file holding the origins' data.</summary>
        public DateTime? LastWritten { get; set; }
        /// <summary>Whether the browser runs on this profile now (profile lock held).</summary>
        public bool Running { get; set; }
        /// <summary>What showed that it runs (e.g. "SingletonLock -> host-1234, pid alive", ".parentlock is locked"); "" when not running.</summary>
        public string RunningEvidence { get; set; } = "";
        /// <summary>Every file or folder that holds the origins' data, for the record and for Clear-WaWebSession.</summary>
        public IReadOnlyList<string> Locations { get; set; } = Array.Empty<string>();
    }
}
