using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using WaHardening.Core.Json;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Enforcement
{
    /// <summary>
    /// The backup Set-WaHardening writes before changing anything and Undo-WaHardening restores:
    /// a versioned JSON record of every file (exact bytes, base64 + SHA-256) and registry value
    /// the run touched, as it was before, plus the post-actions (dconf update) to run after a restore.
    /// </summary>
    public sealed class BackupDocument
    {
        public const string FormatName = "WaHardening.Backup";
        public const int FormatVersion = 1;

        public BackupDocument(DateTimeOffset created, string computer, string platform, string? root,
            IReadOnlyList<BackupEntry> entries, IReadOnlyList<PostAction> postActions)
        {
            Created = created; Computer = computer; Platform = platform; Root = root; Entries = entries; PostActions = postActions;
        }

        public DateTimeOffset Created { get; }
        public string Computer { get; }
        public string Platform { get; }
        /// <summary>The scratch root the run used; null for the real file system.</summary>
        public string? Root { get; }
        public IReadOnlyList<BackupEntry> Entries { get; }
        public IReadOnlyList<PostAction> PostActions { get; }

        public JsonObject ToJson() => ToJson(null);

        /// <summary><paramref name="contents"/>: when given, a file's content is a placeholder string that the writer replaces by
        /// the base64 of the bytes it maps to (streamed, <see cref="Save"/>); otherwise the base64 text itself.</summary>
        private JsonObject ToJson(Dictionary<JsonString, byte[]>? contents)
        {
            var o = new JsonObject()
                .Set("format", FormatName)
                .Set("version", FormatVersion)
                .Set("created", Created.ToString("o", CultureInfo.InvariantCulture))
                .Set("computer", Computer)
                .Set("platform", Platform)
                .Set("root", Root == null ? (JsonValue)JsonNull.Instance : new JsonString(Root));
            var entries = new JsonArray();
            foreach (var e in Entries)
            {
                switch (e)
                {
                    case FileBackup f:
                        var fo = new JsonObject().Set("type", "file").Set("path", f.Path).Set("existed", f.Existed);
                        if (f.Existed)
                        {
                            JsonString content;
                            if (contents == null) content = new JsonString(Convert.ToBase64String(f.Content!));
                            else contents[content = new JsonString("")] = f.Content!;
                            fo.Set("content", content).Set("sha256", Sha256(f.Content!));
                        }
                        if (f.Ownership != null)
                            fo.Set("mode", f.Ownership.ModeText).Set("uid", f.Ownership.Uid).Set("gid", f.Ownership.Gid);
                        fo.Set("createdDirectories", f.CreatedDirectories);
                        if (f.ByPostAction) fo.Set("byPostAction", true);
                        entries.Add(fo);
                        break;
                    case RegistryBackup r:
                        var ro = new JsonObject().Set("type", "registry").Set("hive", r.Hive).Set("key", r.Key).Set("value", r.Name).Set("existed", r.Value != null);
                        if (r.Value != null) ro.Set("kind", RegistrySetting.KindName(r.Value.Kind)).Set("data", DataToJson(r.Value));
                        ro.Set("createdKeys", r.CreatedKeys.ToArray());
                        entries.Add(ro);
                        break;
                    case ScheduledTaskBackup t:
                        var to = new JsonObject().Set("type", "scheduledTask").Set("name", t.Name).Set("existed", t.Xml != null);
                        if (t.Xml != null) to.Set("xml", t.Xml);
                        entries.Add(to);
                        break;
                }
            }
            o.Set("entries", entries);
            o.Set("postActions", JsonValue.From(PostActions.Select(p => p.ToString()).ToArray()));
            return o;
        }

        /// <summary>
        /// Writes the backup atomically, readable by root only (0600; it holds prior file contents). A missing folder is created
        /// 0700; <paramref name="ownFolder"/> (the default backup folder) is made 0700 even when it exists. Temp files of killed
        /// earlier saves (<c>.backup-….wa-tmp</c>) are removed. Windows: SYSTEM and Administrators only (protected DACL), folder and file.
        /// </summary>
        public void Save(string physicalPath, bool ownFolder = false)
        {
            var dir = Path.GetDirectoryName(physicalPath)!;
            if (!Directory.Exists(dir))
            {
                var parent = Path.GetDirectoryName(dir);
                if (!string.IsNullOrEmpty(parent)) UnixFile.CreateDirectories(parent!);
                UnixFile.CreateDirectories(dir, UnixFile.PrivateFolderMode);
                WindowsAcl.MakePrivate(dir, folder: true);
            }
            else if (ownFolder)
            {
                UnixFile.SetMode(dir, UnixFile.PrivateFolderMode);
                WindowsAcl.MakePrivate(dir, folder: true);
            }
            // The same bytes as JsonWriter.Write(ToJson()) in UTF-8, written as they are made: the base64 of a large file is
            // never built as one string (#14 item 11).
            var contents = new Dictionary<JsonString, byte[]>(Providers.ReferenceComparer.Instance);
            var json = ToJson(contents);
            AtomicFile.WritePrivate(physicalPath, stream => JsonWriter.WriteUtf8(stream, json, contents), UnixFile.PrivateFileMode, "." + DefaultNamePrefix + "*");
        }

        /// <summary>The start of a default backup file name (<c>backup-&lt;UTC time&gt;-&lt;id&gt;.json</c>).</summary>
        public const string DefaultNamePrefix = "backup-";

        /// <summary>Reads and validates a backup; anything unexpected is a <c>BackupInvalid</c> error naming the file.</summary>
        public static BackupDocument Load(string path)
        {
            if (!File.Exists(path))
                throw new WaHardeningException(ErrorIds.BackupNotFound, WaErrorCategory.ObjectNotFound, $"The backup file '{path}' does not exist.", path);
            JsonValue root;
            try { root = JsonParser.ParseFile(path); }
            catch (JsonParseException e)
            {
                throw new WaHardeningException(ErrorIds.BackupInvalid, WaErrorCategory.InvalidData,
                    $"The backup file '{path}' is not valid JSON (line {e.Line}, column {e.Column}: {e.Reason}); nothing was restored.", path, e);
            }
            catch (IOException e) { throw Invalid(path, $"cannot be read: {e.Message}"); }

            if (root is not JsonObject o) throw Invalid(path, "must hold a JSON object");
            if (Str(o, "format", path) != FormatName) throw Invalid(path, $"is not a WaHardening backup (format must be '{FormatName}')");
            if (o["version"] is not JsonNumber vn || !vn.TryGetInt64(out var version)) throw Invalid(path, "has no numeric 'version'");
            if (version != FormatVersion) throw Invalid(path, $"has version {version}; this module reads version {FormatVersion}");
            if (!DateTimeOffset.TryParse(Str(o, "created", path), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var created))
                throw Invalid(path, "has an invalid 'created' time");
            var computer = Str(o, "computer", path);
            var platform = Str(o, "platform", path);
            var rootDir = o["root"] is JsonString rs ? rs.Value : o["root"] is JsonNull || o["root"] == null ? null : throw Invalid(path, "'root' must be a string or null");
            if (rootDir != null && !Path.IsPathRooted(rootDir))
                throw Invalid(path, $"names the relative root '{rootDir}' (a root must be an absolute path)");
            if (o["entries"] is not JsonArray entries) throw Invalid(path, "has no 'entries' list");
            var list = new List<BackupEntry>();
            for (var i = 0; i < entries.Count; i++)
            {
                var where = $"entries[{i}] ({entries[i].Location})";
                if (entries[i] is not JsonObject eo) throw Invalid(path, $"{where} must be an object");
                var type = Str(eo, "type", path, where);
                var existed = eo["existed"] is JsonBoolean eb ? eb.Value : throw Invalid(path, $"{where}.existed must be true or false");
                if (type == "file")
                {
                    var p = Str(eo, "path", path, where);
                    if (!ProviderContext.IsCanonicalAbsolute(p))
                        throw Invalid(path, $"{where}.path '{p}' is not a canonical absolute path (relative, or with '.', '..' or empty segments)");
                    byte[]? content = null;
                    if (existed)
                    {
                        try { content = Convert.FromBase64String(Str(eo, "content", path, where)); }
                        catch (FormatException) { throw Invalid(path, $"{where}.content is not valid base64"); }
                        if (!string.Equals(Sha256(content), Str(eo, "sha256", path, where), StringComparison.OrdinalIgnoreCase))
                            throw Invalid(path, $"{where}: the content of {p} does not match its sha256 (the backup is corrupt)");
                    }
                    var dirs = eo["createdDirectories"] is JsonArray da ? da.Items.Select(d => d is JsonString ds ? ds.Value : throw Invalid(path, $"{where}.createdDirectories must list strings")).ToArray() : Array.Empty<string>();
                    foreach (var d in dirs)
                        if (!ProviderContext.IsCanonicalAbsolute(d) || !IsFolderOf(d, p))
                            throw Invalid(path, $"{where}.createdDirectories names '{d}', which is not a folder of {p} (only folders created for the file may be removed)");
                    FileOwnership? own = null;
                    if (eo["mode"] != null || eo["uid"] != null || eo["gid"] != null)
                    {
                        var modeText = Str(eo, "mode", path, where);
                        int mode;
                        try { mode = modeText.Length >= 3 && modeText.Length <= 5 ? Convert.ToInt32(modeText, 8) : -1; }
                        catch (FormatException) { mode = -1; }
                        if (mode < 0 || mode > 0xFFF) throw Invalid(path, $"{where}.mode '{modeText}' is not an octal file mode");
                        own = new FileOwnership(mode, Id(eo, "uid", path, where), Id(eo, "gid", path, where));
                    }
                    var byPost = eo["byPostAction"] is JsonBoolean bp ? bp.Value : eo["byPostAction"] == null ? false : throw Invalid(path, $"{where}.byPostAction must be true or false");
                    list.Add(new FileBackup(p, existed, content, dirs, own, byPost));
                }
                else if (type == "registry")
                {
                    var hive = Str(eo, "hive", path, where);
                    if (hive != "HKLM" && hive != "HKCU") throw Invalid(path, $"{where}.hive must be HKLM or HKCU");
                    RegistryValue? value = null;
                    if (existed)
                    {
                        RegistryKind kind;
                        try { kind = RegistrySetting.ParseKind(Str(eo, "kind", path, where)); }
                        catch (ArgumentException) { throw Invalid(path, $"{where}.kind is not a registry kind"); }
                        value = new RegistryValue(kind, DataFromJson(kind, eo["data"]) ?? throw Invalid(path, $"{where}.data does not fit its kind"));
                    }
                    var keys = eo["createdKeys"] is JsonArray ka ? ka.Items.Select(k => k is JsonString ks ? ks.Value : throw Invalid(path, $"{where}.createdKeys must list strings")).ToArray() : Array.Empty<string>();
                    list.Add(new RegistryBackup(hive, Str(eo, "key", path, where), Str(eo, "value", path, where), value, keys));
                }
                else if (type == "scheduledTask")
                {
                    var name = Str(eo, "name", path, where);
                    if (!Sessions.SessionCleanup.Triggers.Any(t => t.WindowsTask == name))
                        throw Invalid(path, $"{where}.name '{name}' is not a task this module writes ({string.Join(", ", Sessions.SessionCleanup.Triggers.Select(t => t.WindowsTask))})");
                    list.Add(new ScheduledTaskBackup(name, existed ? Str(eo, "xml", path, where) : null));
                }
                else throw Invalid(path, $"{where}.type '{type}' is not 'file', 'registry' or 'scheduledTask'");
            }
            var post = new List<PostAction>();
            if (o["postActions"] is JsonArray pa)
                foreach (var a in pa.Items)
                {
                    var s = a is JsonString ps ? ps.Value : throw Invalid(path, "postActions must list strings");
                    var colon = s.IndexOf(':');
                    if (colon <= 0) throw Invalid(path, $"post action '{s}' must be 'Provider:action'");
                    post.Add(new PostAction(s.Substring(0, colon), s.Substring(colon + 1)));
                }
            return new BackupDocument(created, computer, platform, rootDir, list, post);
        }

        /// <summary>True when <paramref name="dir"/> is a folder above <paramref name="file"/> (both canonical absolute paths).</summary>
        private static bool IsFolderOf(string dir, string file)
        {
            var d = dir.Replace('\\', '/').TrimEnd('/');
            var f = file.Replace('\\', '/');
            var cmp = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)
                ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return d.Length > 0 && f.Length > d.Length + 1 && f.StartsWith(d + "/", cmp);
        }

        private static long Id(JsonObject o, string name, string path, string where) =>
            o[name] is JsonNumber n && n.TryGetInt64(out var v) && v >= 0 && v <= uint.MaxValue - 1 ? v
            : throw Invalid(path, $"{where}.{name} must be a user or group number");

        private static WaHardeningException Invalid(string path, string what) =>
            new WaHardeningException(ErrorIds.BackupInvalid, WaErrorCategory.InvalidData, $"The backup file '{path}' {what}; nothing was restored.", path);

        private static string Str(JsonObject o, string name, string path, string? where = null) =>
            o[name] is JsonString s ? s.Value : throw Invalid(path, $"{(where == null ? "" : where + ".")}{name} must be a string");

        internal static string Sha256(byte[] data)
        {
            using var sha = SHA256.Create();
            return string.Concat(sha.ComputeHash(data).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }

        private static JsonValue DataToJson(RegistryValue v) => v.Data switch
        {
            uint u => new JsonNumber(u),
            ulong ul => new JsonNumber(ul.ToString(CultureInfo.InvariantCulture)),
            string s => new JsonString(s),
            string[] m => JsonValue.From(m),
            byte[] b => new JsonString(Convert.ToBase64String(b)),
            _ => new JsonString(Convert.ToString(v.Data, CultureInfo.InvariantCulture) ?? ""),
        };

        private static object? DataFromJson(RegistryKind kind, JsonValue? j)
        {
            switch (kind)
            {
                case RegistryKind.DWord:
                case RegistryKind.DWordBigEndian:
                    return j is JsonNumber n && uint.TryParse(n.Raw, NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? u : (object?)null;
                case RegistryKind.QWord:
                    return j is JsonNumber q && ulong.TryParse(q.Raw, NumberStyles.None, CultureInfo.InvariantCulture, out var ul) ? ul : (object?)null;
                case RegistryKind.String:
                case RegistryKind.ExpandString:
                    return (j as JsonString)?.Value;
                case RegistryKind.MultiString:
                    return j is JsonArray a && a.Items.All(x => x is JsonString) ? a.Items.Select(x => ((JsonString)x).Value).ToArray() : null;
                default:
                    try { return j is JsonString b ? Convert.FromBase64String(b.Value) : null; }
                    catch (FormatException) { return null; }
            }
        }
    }
}
