using System;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;

namespace WaHardening.Core.Providers
{
    internal static class FileHelpers
    {
        /// <summary>Parses a JSON file; a syntax error becomes <paramref name="errorId"/> naming the file, line and column.
        /// <paramref name="owned"/>: a file the module writes (merged into its new content), so a link there is refused
        /// (<c>PathIsLink</c>) instead of read through.</summary>
        public static JsonValue ParseJson(ProviderContext ctx, string path, string errorId, string role,
            JsonParseOptions options = JsonParseOptions.None, bool owned = false)
        {
            var physical = owned ? ctx.Physical(path) : ctx.Map(path);
            ctx.Verbose($"Reading {physical}");
            try { return ctx.Files.Get(path, physical, bytes => JsonParser.ParseBytes(bytes, physical, options)); }
            catch (JsonParseException e)
            {
                throw new WaHardeningException(errorId, WaErrorCategory.InvalidData,
                    $"{role} '{path}' is not valid JSON: line {e.Line}, column {e.Column}: {e.Reason}. Fix or remove the file; nothing was written.", path, e);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new WaHardeningException(ErrorIds.PolicyFileUnreadable, WaErrorCategory.ReadError, $"{role} '{path}' cannot be read: {e.Message}", path, e);
            }
        }

        public static string ReadText(ProviderContext ctx, string path)
        {
            var physical = ctx.Map(path);
            ctx.Verbose($"Reading {physical}");
            // Bytes decoded as strict UTF-8, without guessing an encoding from a byte order mark (dconf and apt read UTF-8).
            try { return new UTF8Encoding(false, true).GetString(File.ReadAllBytes(physical)); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DecoderFallbackException)
            {
                throw new WaHardeningException(ErrorIds.PolicyFileUnreadable, WaErrorCategory.ReadError, $"'{path}' cannot be read: {e.Message}", path, e);
            }
        }

        public static bool Exists(ProviderContext ctx, string path) => File.Exists(ctx.Map(path));
        public static bool DirExists(ProviderContext ctx, string path) => Directory.Exists(ctx.Map(path));

        /// <summary>Regular files of a folder (real paths), sorted by name in ordinal (byte) order.</summary>
        public static string[] Files(ProviderContext ctx, string dir)
        {
            var physical = ctx.Map(dir);
            if (!Directory.Exists(physical)) return Array.Empty<string>();
            return Directory.GetFiles(physical).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal)
                .Select(n => dir.TrimEnd('/') + "/" + n).ToArray();
        }

        /// <summary>The bytes of a file the module writes (null when absent); a link at it or a folder above it is refused
        /// (<c>PathIsLink</c>): its target's content would be merged into the new file and the backup.</summary>
        public static byte[]? ReadBytes(ProviderContext ctx, string path)
        {
            var physical = ctx.Physical(path);
            return File.Exists(physical) ? File.ReadAllBytes(physical) : null;
        }

        public static bool SameBytes(byte[]? a, byte[] b) => a != null && Bytes.Same(a, b);
    }
}
