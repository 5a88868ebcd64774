using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions.Formats;

namespace WaHardening.Core.Sessions
{
    /// <summary>
    /// Finds the data of watched origins in browser profiles, read-only (docs/web-sessions.md has the layout per browser):
    /// <list type="bullet">
    /// <item>Chromium family: cookies (<c>Cookies</c>, <c>Network/Cookies</c>), Local Storage (live keys <c>_origin\0…</c>,
    /// <c>META:origin</c>), Session Storage (<c>namespace-guid-origin/</c>), IndexedDB folders
    /// (<c>IndexedDB/https_host_0.indexeddb.*</c>), storage buckets (<c>WebStorage/QuotaManager</c> → <c>WebStorage/id</c>),
    /// Cache Storage (<c>Service Worker/CacheStorage/sha1(https_host_0)</c>, or a folder whose <c>index.txt</c> names the
    /// origin), Service Worker registrations (<c>REG:origin/</c>), and Remnants: record versions of the origins still in the
    /// LevelDB files but no longer live.</item>
    /// <item>Firefox: <c>storage/default/https+++host*</c> folders, <c>cookies.sqlite</c>, <c>webappsstore.sqlite</c>,
    /// <c>serviceworker.txt</c>, and the session store (<c>sessionstore.jsonlz4</c>, <c>sessionstore-backups/*</c>).</item>
    /// </list>
    /// Files are read as bytes (regular files only, bounded, shared with the browser, never for writing and never locked);
    /// SQLite and LevelDB are parsed from those bytes (Sessions/Formats), so a running browser is not disturbed. A store that
    /// cannot be read is reported through the error callback (WebSessionProfileUnreadable naming the profile and the file)
    /// and the scan goes on with the others.
    /// </summary>
    public sealed class WebSessionScanner
    {
        /// <summary>Largest SQLite file (with its -wal) read.</summary>
        public const long MaxSqliteBytes = 256L * 1024 * 1024;
        /// <summary>Largest session-store file read, and the largest decoded size accepted.</summary>
        public const int MaxSessionStoreBytes = 64 * 1024 * 1024;
        public const int MaxSessionStoreDecoded = 256 * 1024 * 1024;
        /// <summary>Largest serviceworker.txt / Cache Storage index.txt read.</summary>
        public const int MaxSmallFile = 8 * 1024 * 1024;

        private readonly OriginSet _origins;
        private readonly string _platform;
        private readonly Action<WaHardeningException>? _onError;
        private readonly Action<string>? _verbose;

        public WebSessionScanner(OriginSet origins, string platform, Action<WaHardeningException>? onError = null, Action<string>? verbose = null)
        {
            _origins = origins; _platform = platform; _onError = onError; _verbose = verbose;
        }

        /// <summary>
        /// Locates and scans: every profile of the users (null = every local user; names not found go to
        /// <paramref name="onError"/> as WebSessionUserNotFound) and browsers (null = all) that holds data of the origins.
        /// </summary>
        public static IEnumerable<WebSessionProfile> Find(Enforcement.ProviderContext ctx, IReadOnlyCollection<string>? users, IEnumerable<string>? browsers,
            OriginSet origins, Action<WaHardeningException>? onError)
        {
            var locator = new WebSessionLocator(ctx);
            var all = locator.Users();
            var cmp = ctx.Platform == Platforms.Linux ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
            var chosen = all;
            if (users != null)
            {
                chosen = all.Where(u => users.Contains(u.Name, cmp)).ToList();
                foreach (var missing in users.Where(n => !all.Any(u => cmp.Equals(u.Name, n))))
                    onError?.Invoke(new WaHardeningException(ErrorIds.WebSessionUserNotFound, WaErrorCategory.ObjectNotFound,
                        $"The user '{missing}' has no home folder here{(ctx.Root == null ? "" : $" (under the root '{ctx.Root}')")}; local users with one: {string.Join(", ", all.Select(u => u.Name))}.", missing));
            }
            var scanner = new WebSessionScanner(origins, ctx.Platform, onError, ctx.Log);
            foreach (var profile in locator.Profiles(chosen, browsers, onError))
            {
                var found = scanner.Scan(profile);
                if (found != null) yield return found;
            }
        }

        /// <summary>What was found in one profile (null when nothing of the origins is there).</summary>
        public WebSessionProfile? Scan(BrowserProfile profile)
        {
            var f = new Findings();
            _verbose?.Invoke($"Scanning {profile.Browser.Name} profile {profile.ProfilePath}");
            if (profile.IsFirefox) ScanFirefox(profile, f); else ScanChromium(profile, f);
            if (f.Kinds == WebStorageKinds.None) return null;
            var running = ProfileLock.IsRunning(profile, _platform, out var evidence);
            return new WebSessionProfile
            {
                User = profile.User, Browser = profile.Browser.Name, Install = profile.Install, UserDataDirectory = profile.UserDataDirectory,
                ProfilePath = profile.ProfilePath, ProfileName = profile.ProfileName,
                Origins = f.Origins.OrderBy(o => o, StringComparer.Ordinal).ToList(), Kinds = f.Kinds, Bytes = f.Bytes, LastWritten = f.LastWritten,
                Running = running, RunningEvidence = evidence, Locations = f.Locations.ToList(),
            };
        }

        private sealed class Findings
        {
            public readonly SortedSet<string> Origins = new SortedSet<string>(StringComparer.Ordinal);
            public readonly List<string> Locations = new List<string>();
            private readonly HashSet<string> _loc = new HashSet<string>(StringComparer.Ordinal);
            public WebStorageKinds Kinds;
            public long Bytes;
            public DateTime? LastWritten;

            public void Add(WebStorageKinds kind, string origin, string location, long bytes, DateTime? written)
            {
                Kinds |= kind;
                Origins.Add(origin);
                if (_loc.Add(location)) Locations.Add(location);
                Bytes += bytes;
                if (written != null && (LastWritten == null || written > LastWritten)) LastWritten = written;
            }
        }

        private void Guard(BrowserProfile p, string store, Action read)
        {
            try { read(); }
            catch (WaHardeningException e) { Report(p, store, e.Message, e); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException || e is FormatException
                || e is ArgumentException || e is NotSupportedException || e is OverflowException || e is IndexOutOfRangeException || e is InvalidOperationException
                || e is TimeoutException)
            { Report(p, store, e.Message, e); }
        }

        private void Report(BrowserProfile p, string store, string why, Exception inner) =>
            _onError?.Invoke(new WaHardeningException(ErrorIds.WebSessionProfileUnreadable, WaErrorCategory.ReadError,
                $"Cannot read '{store}' of the {p.Browser.Name} profile '{p.ProfilePath}' (user {p.User}): {why}. The other stores of the profile were scanned.",
                store, inner));

        private static string Latin1(byte[] b) { var c = new char[b.Length]; for (var i = 0; i < b.Length; i++) c[i] = (char)b[i]; return new string(c); }

        // ==================================================================== Chromium family

        private void ScanChromium(BrowserProfile p, Findings f)
        {
            foreach (var rel in new[] { "Cookies", Path.Combine("Network", "Cookies") })
            {
                var file = Path.Combine(p.ProfilePath, rel);
                if (WebSessionLocator.IsRegularFile(file)) Guard(p, file, () => ChromiumCookies(file, f));
            }
            var ls = Path.Combine(p.ProfilePath, "Local Storage", "leveldb");
            if (WebSessionLocator.IsRealDirectory(ls)) Guard(p, ls, () => LevelDbOrigins(ls, f, LocalStorageOrigin, WebStorageKinds.LocalStorage));
            var ss = Path.Combine(p.ProfilePath, "Session Storage");
            if (WebSessionLocator.IsRealDirectory(ss)) Guard(p, ss, () => LevelDbOrigins(ss, f, SessionStorageOrigin, WebStorageKinds.SessionStorage));
            var sw = Path.Combine(p.ProfilePath, "Service Worker", "Database");
            if (WebSessionLocator.IsRealDirectory(sw)) Guard(p, sw, () => LevelDbOrigins(sw, f, ServiceWorkerOrigin, WebStorageKinds.ServiceWorker));
            var idb = Path.Combine(p.ProfilePath, "IndexedDB");
            if (WebSessionLocator.IsRealDirectory(idb)) Guard(p, idb, () => IndexedDbFolders(idb, f));
            var quota = Path.Combine(p.ProfilePath, "WebStorage", "QuotaManager");
            if (WebSessionLocator.IsRegularFile(quota)) Guard(p, quota, () => StorageBuckets(quota, f));
            var cache = Path.Combine(p.ProfilePath, "Service Worker", "CacheStorage");
            if (WebSessionLocator.IsRealDirectory(cache)) Guard(p, cache, () => CacheStorageFolders(cache, f));
        }

        private void ChromiumCookies(string file, Findings f)
        {
            var db = OpenSqlite(file);
            if (!db.HasTable("cookies")) return;
            var cols = db.Columns("cookies").ToList();
            var host = cols.IndexOf("host_key");
            if (host < 0) throw new InvalidDataException("the cookies table has no host_key column");
            var sized = new[] { "name", "value", "encrypted_value", "path" }.Select(c => cols.IndexOf(c)).Where(i => i >= 0).ToArray();
            foreach (var row in db.Rows("cookies"))
            {
                var origin = row[host] is string h ? _origins.MatchCookie(h) : null;
                if (origin == null) continue;
                f.Add(WebStorageKinds.Cookies, origin, file, sized.Sum(i => CellSize(row[i])) + CellSize(row[host]), SessionFiles.LastWrite(file));
            }
        }

        private static long CellSize(object? v) => v switch
        {
            null => 0,
            string s => Encoding.UTF8.GetByteCount(s),
            byte[] b => b.Length,
            _ => 8,
        };

        private SqliteDatabase OpenSqlite(string file)
        {
            var size = new FileInfo(file).Length;
            var wal = file + "-wal";
            if (WebSessionLocator.IsRegularFile(wal)) size += new FileInfo(wal).Length;
            if (size > MaxSqliteBytes)
                throw new WaHardeningException(ErrorIds.WebSessionProfileUnreadable, WaErrorCategory.ReadError,
                    $"'{file}' (with its -wal) is {size} bytes, more than the {MaxSqliteBytes} bytes WaHardening reads", file);
            return SqliteDatabase.Open(file);
        }

        /// <summary>Local Storage: <c>_origin\0…</c>, <c>META:origin</c>, <c>METAACCESS:origin</c>.</summary>
        private static string? LocalStorageOrigin(string key)
        {
            if (key.StartsWith("_", StringComparison.Ordinal))
            {
                var nul = key.IndexOf('\0');
                return nul > 1 ? key.Substring(1, nul - 1) : null;
            }
            if (key.StartsWith("META:", StringComparison.Ordinal)) return key.Substring(5);
            if (key.StartsWith("METAACCESS:", StringComparison.Ordinal)) return key.Substring(11);
            return null;
        }

        /// <summary>Session Storage: <c>namespace-&lt;guid&gt;-&lt;origin&gt;/</c> (the guid has '_' for '-', so the origin
        /// starts after the second '-').</summary>
        private static string? SessionStorageOrigin(string key)
        {
            if (!key.StartsWith("namespace-", StringComparison.Ordinal)) return null;
            var dash = key.IndexOf('-', 10);
            return dash < 0 ? null : key.Substring(dash + 1);
        }

        /// <summary>Service Worker database: <c>REG:origin/…</c>, <c>INITDATA_UNIQUE_ORIGIN:origin/</c>, <c>REGID_TO_ORIGIN:id</c>
        /// (value = origin) is resolved by the caller through the value.</summary>
        private static string? ServiceWorkerOrigin(string key)
        {
            if (key.StartsWith("REG:", StringComparison.Ordinal)) return key.Substring(4);
            if (key.StartsWith("INITDATA_UNIQUE_ORIGIN:", StringComparison.Ordinal)) return key.Substring(23);
            return null;
        }

        /// <summary>
        /// Live records whose key names a watched origin give <paramref name="kind"/>; record versions of those keys still in
        /// the files but not live (overwritten or deleted, not yet compacted) give Remnants.
        /// </summary>
        private void LevelDbOrigins(string dir, Findings f, Func<string, string?> originOf, WebStorageKinds kind)
        {
            // A folder without CURRENT holds no database yet (the browser created the folder or its LOCK only): nothing to read.
            if (!WebSessionLocator.IsRegularFile(Path.Combine(dir, "CURRENT"))) return;
            var live = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in LevelDb.ReadLive(dir))
            {
                var key = Latin1(r.Key);
                live.Add(key + "\u0001" + r.Sequence.ToString());
                var o = originOf(key);
                var origin = o == null ? null : _origins.Match(o);
                if (origin == null) continue;
                var file = Path.Combine(dir, Path.GetFileName(r.File));
                f.Add(kind, origin, dir, r.Key.Length + (r.Value?.Length ?? 0), SessionFiles.LastWrite(file));
            }
            foreach (var r in LevelDb.ReadAllVersions(dir))
            {
                if (r.Deleted) continue;
                var key = Latin1(r.Key);
                if (live.Contains(key + "\u0001" + r.Sequence.ToString())) continue;
                var o = originOf(key);
                var origin = o == null ? null : _origins.Match(o);
                if (origin == null) continue;
                var file = Path.Combine(dir, Path.GetFileName(r.File));
                f.Add(WebStorageKinds.Remnants, origin, file, r.Key.Length + (r.Value?.Length ?? 0), SessionFiles.LastWrite(file));
            }
        }

        private static readonly Regex s_idbFolder = new Regex(@"\A(https?)_([A-Za-z0-9.-]+)_(\d{1,5})\.indexeddb\.(leveldb|blob)\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        private void IndexedDbFolders(string dir, Findings f)
        {
            foreach (var d in WebSessionLocator.SafeDirectories(dir))
            {
                var m = s_idbFolder.Match(Path.GetFileName(d));
                if (!m.Success) continue;
                var port = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
                if (!_origins.MatchesOrigin(m.Groups[1].Value, m.Groups[2].Value, port)) continue;
                var (bytes, last) = SessionFiles.FolderSize(d);
                f.Add(WebStorageKinds.IndexedDB, WatchedOrigin.Serialize(m.Groups[1].Value, m.Groups[2].Value.ToLowerInvariant(), port), d, bytes, last);
            }
        }

        private void StorageBuckets(string quota, Findings f)
        {
            var db = OpenSqlite(quota);
            if (!db.HasTable("buckets")) return;
            var cols = db.Columns("buckets").ToList();
            int id = cols.IndexOf("id"), key = cols.IndexOf("storage_key");
            if (id < 0 || key < 0) throw new InvalidDataException("the buckets table has no id or storage_key column");
            var root = Path.GetDirectoryName(quota)!;
            foreach (var row in db.Rows("buckets"))
            {
                if (!(row[key] is string sk)) continue;
                var origin = _origins.Match(sk);
                if (origin == null) continue;
                var bucketId = row[id] is long l ? l : row[id] is int i ? i : -1;
                if (bucketId < 0) continue;
                var folder = Path.Combine(root, bucketId.ToString(CultureInfo.InvariantCulture));
                if (!WebSessionLocator.IsRealDirectory(folder)) continue;
                var kind = WebSessionLocator.IsRealDirectory(Path.Combine(folder, "CacheStorage")) ? WebStorageKinds.CacheStorage : WebStorageKinds.None;
                if (WebSessionLocator.IsRealDirectory(Path.Combine(folder, "IndexedDB")) || kind == WebStorageKinds.None) kind |= WebStorageKinds.IndexedDB;
                var (bytes, last) = SessionFiles.FolderSize(folder);
                f.Add(kind, origin, folder, bytes, last);
            }
        }

        private static readonly Regex s_originInText = new Regex(@"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        /// <summary>The Cache Storage folder of an origin is named by the SHA-1 of its identifier (<c>https_host_0</c>); the
        /// folder's <c>index.txt</c> names the storage key too (found for origins given as patterns).</summary>
        private void CacheStorageFolders(string dir, Findings f)
        {
            var exact = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var w in _origins.Items.Where(w => !w.IncludesSubdomains))
                foreach (var scheme in w.Scheme == null ? new[] { "https", "http" } : new[] { w.Scheme })
                {
                    var port = w.Port ?? (scheme == "http" ? 80 : 443);
                    var defaultPort = port == (scheme == "http" ? 80 : 443);
                    exact[Sha1Hex($"{scheme}_{w.Host}_{(defaultPort ? 0 : port).ToString(CultureInfo.InvariantCulture)}")] = WatchedOrigin.Serialize(scheme, w.Host, port);
                }
            foreach (var d in WebSessionLocator.SafeDirectories(dir))
            {
                var name = Path.GetFileName(d);
                if (!exact.TryGetValue(name, out var origin))
                {
                    var index = Path.Combine(d, "index.txt");
                    var bytes = WebSessionLocator.IsRegularFile(index) ? SessionFiles.ReadBounded(index, MaxSmallFile) : null;
                    if (bytes == null) continue;
                    origin = null;
                    foreach (Match m in s_originInText.Matches(Latin1(bytes)))
                        if ((origin = _origins.Match(m.Value)) != null) break;
                    if (origin == null) continue;
                }
                var (size, last) = SessionFiles.FolderSize(d);
                f.Add(WebStorageKinds.CacheStorage, origin, d, size, last);
            }
        }

        internal static string Sha1Hex(string s)
        {
            using var sha = SHA1.Create();
            var h = sha.ComputeHash(Encoding.UTF8.GetBytes(s));
            var sb = new StringBuilder(40);
            foreach (var b in h) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        // ==================================================================== Firefox

        private void ScanFirefox(BrowserProfile p, Findings f)
        {
            var storage = Path.Combine(p.ProfilePath, "storage", "default");
            if (WebSessionLocator.IsRealDirectory(storage)) Guard(p, storage, () => FirefoxOriginFolders(storage, f));
            var cookies = Path.Combine(p.ProfilePath, "cookies.sqlite");
            if (WebSessionLocator.IsRegularFile(cookies)) Guard(p, cookies, () => FirefoxCookies(cookies, f));
            var webapps = Path.Combine(p.ProfilePath, "webappsstore.sqlite");
            if (WebSessionLocator.IsRegularFile(webapps)) Guard(p, webapps, () => FirefoxWebappsStore(webapps, f));
            var sw = Path.Combine(p.ProfilePath, "serviceworker.txt");
            if (WebSessionLocator.IsRegularFile(sw)) Guard(p, sw, () => FirefoxServiceWorkers(sw, f));
            var stores = new List<string> { Path.Combine(p.ProfilePath, "sessionstore.jsonlz4") };
            var backups = Path.Combine(p.ProfilePath, "sessionstore-backups");
            if (WebSessionLocator.IsRealDirectory(backups))
            {
                try { stores.AddRange(Directory.GetFiles(backups).OrderBy(x => x, StringComparer.Ordinal)); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { Report(p, backups, e.Message, e); }
            }
            foreach (var s in stores)
                if (WebSessionLocator.IsRegularFile(s)) Guard(p, s, () => FirefoxSessionStore(s, f));
        }

        private static readonly Regex s_ffFolder = new Regex(@"\A(https?)\+\+\+([A-Za-z0-9.-]+)(?:\+(\d{1,5}))?(?:\^.*)?\z", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));

        private void FirefoxOriginFolders(string dir, Findings f)
        {
            foreach (var d in WebSessionLocator.SafeDirectories(dir))
            {
                var m = s_ffFolder.Match(Path.GetFileName(d));
                if (!m.Success) continue;
                var port = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : -1;
                if (!_origins.MatchesOrigin(m.Groups[1].Value, m.Groups[2].Value, port)) continue;
                var kind = WebStorageKinds.None;
                if (WebSessionLocator.IsRealDirectory(Path.Combine(d, "ls"))) kind |= WebStorageKinds.LocalStorage;
                if (WebSessionLocator.IsRealDirectory(Path.Combine(d, "idb"))) kind |= WebStorageKinds.IndexedDB;
                if (WebSessionLocator.IsRealDirectory(Path.Combine(d, "cache"))) kind |= WebStorageKinds.CacheStorage;
                if (kind == WebStorageKinds.None) kind = WebStorageKinds.IndexedDB; // OPFS (fs/) or quota metadata only: origin storage all the same
                var (bytes, last) = SessionFiles.FolderSize(d);
                f.Add(kind, WatchedOrigin.Serialize(m.Groups[1].Value, m.Groups[2].Value.ToLowerInvariant(), port), d, bytes, last);
            }
        }

        private void FirefoxCookies(string file, Findings f)
        {
            var db = OpenSqlite(file);
            if (!db.HasTable("moz_cookies")) return;
            var cols = db.Columns("moz_cookies").ToList();
            var host = cols.IndexOf("host");
            if (host < 0) throw new InvalidDataException("the moz_cookies table has no host column");
            var sized = new[] { "name", "value", "path" }.Select(c => cols.IndexOf(c)).Where(i => i >= 0).ToArray();
            foreach (var row in db.Rows("moz_cookies"))
            {
                var origin = row[host] is string h ? _origins.MatchCookie(h) : null;
                if (origin == null) continue;
                f.Add(WebStorageKinds.Cookies, origin, file, sized.Sum(i => CellSize(row[i])) + CellSize(row[host]), SessionFiles.LastWrite(file));
            }
        }

        /// <summary>Legacy localStorage: <c>webappsstore2.originKey</c> = reversed host + '.' : scheme : port.</summary>
        private void FirefoxWebappsStore(string file, Findings f)
        {
            var db = OpenSqlite(file);
            if (!db.HasTable("webappsstore2")) return;
            var cols = db.Columns("webappsstore2").ToList();
            int ok = cols.IndexOf("originKey"), key = cols.IndexOf("key"), value = cols.IndexOf("value");
            if (ok < 0) throw new InvalidDataException("the webappsstore2 table has no originKey column");
            foreach (var row in db.Rows("webappsstore2"))
            {
                if (!(row[ok] is string k)) continue;
                var parts = k.Split(':');
                if (parts.Length < 3) continue;
                var rev = parts[0].ToCharArray(); Array.Reverse(rev);
                var host = new string(rev).TrimStart('.');
                if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port)) continue;
                if (!_origins.MatchesOrigin(parts[1], host, port)) continue;
                f.Add(WebStorageKinds.LocalStorage, WatchedOrigin.Serialize(parts[1].ToLowerInvariant(), host.ToLowerInvariant(), port), file,
                    CellSize(row[ok]) + (key >= 0 ? CellSize(row[key]) : 0) + (value >= 0 ? CellSize(row[value]) : 0), SessionFiles.LastWrite(file));
            }
        }

        /// <summary><c>serviceworker.txt</c>: a version line, then one block per registration (attribute suffix, scope,
        /// script, …) ended by a line <c>#</c>; a block whose scope is a watched origin is a registration of it.</summary>
        private void FirefoxServiceWorkers(string file, Findings f)
        {
            var bytes = SessionFiles.ReadBounded(file, MaxSmallFile);
            if (bytes == null) return;
            var lines = Encoding.UTF8.GetString(bytes).Split('\n');
            var block = new List<string>();
            for (var i = 1; i < lines.Length; i++)
            {
                var line = lines[i].TrimEnd('\r');
                if (line != "#") { block.Add(line); continue; }
                string? origin = null;
                foreach (var l in block.Take(3))
                    if ((origin = _origins.Match(l)) != null) break;
                if (origin != null) f.Add(WebStorageKinds.ServiceWorker, origin, file, block.Sum(x => x.Length + 1) + 2, SessionFiles.LastWrite(file));
                block.Clear();
            }
        }

        /// <summary>
        /// A session-store file (mozLz4): every <c>storage</c> object (sessionStorage per origin, in open and closed tabs and
        /// windows) with a watched origin gives SessionStorage and SessionRestore; every <c>cookies</c> entry whose host is
        /// watched gives SessionRestore (the session cookies Firefox restores from it).
        /// </summary>
        private void FirefoxSessionStore(string file, Findings f)
        {
            var raw = SessionFiles.ReadBounded(file, MaxSessionStoreBytes);
            if (raw == null || raw.Length == 0) return;
            var json = MozLz4.Decode(raw, MaxSessionStoreDecoded);
            var root = JsonParser.ParseBytes(json, file, JsonParseOptions.None);
            var written = SessionFiles.LastWrite(file);
            var stack = new Stack<JsonValue>();
            stack.Push(root);
            var visited = 0;
            while (stack.Count > 0 && visited++ < 5_000_000)
            {
                var v = stack.Pop();
                if (v is JsonArray a) { foreach (var x in a.Items) stack.Push(x); continue; }
                if (!(v is JsonObject o)) continue;
                foreach (var prop in o.Properties)
                {
                    if (prop.Key == "storage" && prop.Value is JsonObject st)
                    {
                        foreach (var entry in st.Properties)
                        {
                            var origin = _origins.Match(entry.Key);
                            if (origin != null)
                                f.Add(WebStorageKinds.SessionStorage | WebStorageKinds.SessionRestore, origin, file, Encoding.UTF8.GetByteCount(entry.Value.ToString()) + entry.Key.Length, written);
                        }
                    }
                    else if (prop.Key == "cookies" && prop.Value is JsonArray cookies)
                    {
                        foreach (var c in cookies.Items.OfType<JsonObject>())
                        {
                            if (!(c["host"] is JsonString h)) continue;
                            var origin = _origins.MatchCookie(h.Value);
                            if (origin != null) f.Add(WebStorageKinds.SessionRestore, origin, file, Encoding.UTF8.GetByteCount(c.ToString()), written);
                        }
                    }
                    else stack.Push(prop.Value);
                }
            }
        }
    }
}
