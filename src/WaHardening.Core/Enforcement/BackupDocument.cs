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

        public JsonObject ToJson()
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
                            fo.Set("content", Convert.ToBase64String(f.Content!)).Set("sha256", Sha256(f.Content!));
                        fo.Set("createdDirectories", f.CreatedDirectories);
                        entries.Add(fo);
                        break;
                    case RegistryBackup r:
                        var ro = new JsonObject().Set("type", "registry").Set("hive", r.Hive).Set("key", r.Key).Set("value", r.Name).Set("existed", r.Value != null);
                        if (r.Value != null) ro.Set("kind", RegistrySetting.KindName(r.Value.Kind)).Set("data", DataToJson(r.Value));
                        ro.Set("createdKeys", r.CreatedKeys.ToArray());
                        entries.Add(ro);
                        break;
                }
            }
            o.Set("entries", entries);
            o.Set("postActions", JsonValue.From(PostActions.Select(p => p.ToString()).ToArray()));
            return o;
        }

        /// <summary>Writes the backup atomically; the folder is created when missing.</summary>
        public void Save(string physicalPath) =>
            AtomicFile.Write(physicalPath, Utf8.NoBom.GetBytes(JsonWriter.Write(ToJson())));

        /// <summary>Reads and validates a backup; anything unexpected is a <c>BackupInvalid</c> error naming the file.</summary>
        public static BackupDocument Load(string path)
        {
            if (!File.Exists(path))
                throw new WaHardeningException("BackupNotFound", WaErrorCategory.ObjectNotFound, $"The backup file '{path}' does not exist.", path);
            JsonValue root;
            try { root = JsonParser.ParseFile(path); }
            catch (JsonParseException e)
            {
                throw new WaHardeningException("BackupInvalid", WaErrorCategory.InvalidData,
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
                    byte[]? content = null;
                    if (existed)
                    {
                        try { content = Convert.FromBase64String(Str(eo, "content", path, where)); }
                        catch (FormatException) { throw Invalid(path, $"{where}.content is not valid base64"); }
                        if (!string.Equals(Sha256(content), Str(eo, "sha256", path, where), StringComparison.OrdinalIgnoreCase))
                            throw Invalid(path, $"{where}: the content of {p} does not match its sha256 (the backup is corrupt)");
                    }
                    var dirs = eo["createdDirectories"] is JsonArray da ? da.Items.Select(d => d is JsonString ds ? ds.Value : throw Invalid(path, $"{where}.createdDirectories must list strings")).ToArray() : Array.Empty<string>();
                    list.Add(new FileBackup(p, existed, content, dirs));
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
                else throw Invalid(path, $"{where}.type '{type}' is not 'file' or 'registry'");
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

        private static WaHardeningException Invalid(string path, string what) =>
            new WaHardeningException("BackupInvalid", WaErrorCategory.InvalidData, $"The backup file '{path}' {what}; nothing was restored.", path);

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
