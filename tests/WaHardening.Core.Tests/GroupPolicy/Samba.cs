using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Json;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests.GroupPolicy
{
    /// <summary>
    /// Cross-check against Samba's independent PReg parser (Debian python3-samba, through tests/tools/preg_samba.py
    /// and /usr/bin/python3). A missing python3-samba fails the test: it never skips.
    /// </summary>
    internal static class Samba
    {
        public static string Script => Sessions.Peers.Tool("preg_samba.py");

        /// <summary>Parses the files with Samba; fails unless python3-samba runs.</summary>
        public static JsonArray Parse(params string[] files)
        {
            Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing: the Samba cross-check cannot run (scripts/install-test-deps.sh installs python3-samba).");
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(Script);
            foreach (var f in files) psi.ArgumentList.Add(f);
            using var p = Process.Start(psi)!;
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            var stdout = stdoutTask.Result;
            Assert.True(p.WaitForExit(120_000), "Samba parser timed out");
            Assert.True(p.ExitCode == 0, $"Samba's PReg parser failed (exit {p.ExitCode}; python3-samba missing or the file rejected): {stderr}");
            return (JsonArray)JsonParser.Parse(stdout, "samba");
        }

        /// <summary>One record as the test means it: key, value name, registry type and typed data (string for REG_SZ and
        /// REG_EXPAND_SZ, uint/ulong for the numbers, string[] for REG_MULTI_SZ, byte[] or null otherwise). Never taken from the
        /// module's own decoding of the bytes, so the cross-check is not circular.</summary>
        public sealed record Meant(string Key, string Value, RegistryKind Type, object? Data);

        public static Meant M(string key, string value, RegistryKind type, object? data) => new Meant(key, value, type, data);

        /// <summary>The records a rendered setting means: its value, or for a list policy <c>**delvals.</c> (one space) then "1".."n".</summary>
        public static List<Meant> For(IEnumerable<RegistrySetting> settings)
        {
            var list = new List<Meant>();
            foreach (var s in settings)
            {
                if (s.JsonMember != null)
                {
                    // Members of one JSON value (Firefox's Preferences) mean one record holding all of them, where the first is.
                    var member = (WaHardening.Core.Json.JsonObject)WaHardening.Core.Json.JsonParser.Parse(((string[])s.Data!)[0], "member");
                    var at = list.FindIndex(m => m.Key == s.Key && m.Value == s.ValueName);
                    var merged = at < 0 ? new WaHardening.Core.Json.JsonObject()
                        : (WaHardening.Core.Json.JsonObject)WaHardening.Core.Json.JsonParser.Parse(((string[])list[at].Data!)[0], "merged");
                    foreach (var p in member.Properties) merged.Set(p.Key, p.Value);
                    var record = M(s.Key, s.ValueName!, s.Kind, new[] { WaHardening.Core.Json.JsonWriter.Write(merged, false) });
                    if (at < 0) list.Add(record); else list[at] = record;
                    continue;
                }
                if (!s.IsList) { list.Add(M(s.Key, s.ValueName!, s.Kind, s.Data)); continue; }
                list.Add(M(s.Key, "**delvals.", RegistryKind.String, " "));
                for (var i = 0; i < s.ListItems!.Count; i++) list.Add(M(s.Key, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), s.Kind, s.ListItems[i]));
            }
            return list;
        }

        /// <summary>What Machine\registry.pol of <paramref name="c"/> means (HKLM settings not in the security template).</summary>
        public static List<Meant> Machine(GpoContent c) => For(c.Settings.Where(s => s.Hive == "HKLM" && !c.SecurityOptions.Contains(s)));
        public static List<Meant> User(GpoContent c) => For(c.Settings.Where(s => s.Hive == "HKCU"));

        /// <summary>Writes <paramref name="bytes"/> to a temp file and asserts Samba reads exactly <paramref name="expected"/>.</summary>
        public static void AssertSame(byte[] bytes, IReadOnlyList<Meant> expected)
        {
            var path = Path.Combine(Path.GetTempPath(), "wah-samba-" + Guid.NewGuid().ToString("N") + ".pol");
            File.WriteAllBytes(path, bytes);
            try { AssertFile(path, expected); }
            finally { File.Delete(path); }
        }

        public static void AssertFile(string path, IReadOnlyList<Meant> expected) => AssertResult((JsonObject)Parse(path)[0], expected);

        /// <summary>Samba's typed reading of one file equals <paramref name="expected"/>, entry for entry.</summary>
        public static void AssertResult(JsonObject r, IReadOnlyList<Meant> expected)
        {
            var path = Str(r["path"]);
            Assert.Equal("PReg", Str(r["signature"]));
            Assert.Equal("1", ((JsonNumber)r["version"]!).Raw);
            Assert.True(r["repackEqual"] is JsonBoolean b && b.Value, $"{path}: Samba's ndr_pack(ndr_unpack(raw)) differs from the file");
            var entries = ((JsonArray)r["entries"]!).Items;
            Assert.True(expected.Count == entries.Count, $"{path}: Samba read {entries.Count} entries, meant {expected.Count}");
            for (var i = 0; i < expected.Count; i++)
            {
                var e = expected[i];
                var s = (JsonObject)entries[i];
                var where = $"{path} entry {i} [{e.Key};{e.Value}]";
                Assert.True(e.Key == Str(s["key"]), where + ": key " + Str(s["key"]));
                Assert.True(e.Value == Str(s["value"]), where + ": value name " + Str(s["value"]));
                Assert.True((uint)e.Type == uint.Parse(((JsonNumber)s["type"]!).Raw), where + ": type " + ((JsonNumber)s["type"]!).Raw);
                var d = (JsonObject)s["data"]!;
                var kind = Str(d["kind"]);
                switch (e.Type)
                {
                    case RegistryKind.String:
                    case RegistryKind.ExpandString:
                        Assert.True(kind == "str", $"{where}: Samba read {d}, meant the string '{e.Data}'");
                        Assert.True(e.Data is string str && str == Str(d["v"]), $"{where}: Samba read '{Str(d["v"])}', meant '{e.Data}'");
                        break;
                    case RegistryKind.DWord:
                    case RegistryKind.DWordBigEndian:
                    case RegistryKind.QWord:
                        Assert.True(kind == "int", $"{where}: Samba read {d}, meant the number {e.Data}");
                        var n = ulong.Parse(((JsonNumber)d["v"]!).Raw);
                        Assert.True(e.Data is uint u ? u == n : e.Data is ulong ul && ul == n, $"{where}: Samba read {n}, meant {e.Data}");
                        break;
                    case RegistryKind.MultiString:
                        Assert.True(kind == "multi", $"{where}: Samba read {d}, meant a REG_MULTI_SZ list");
                        var items = ((JsonArray)d["v"]!).Items.Select(Str).ToArray();
                        var meant = ((IEnumerable<string>)e.Data!).ToArray();
                        Assert.True(meant.SequenceEqual(items), $"{where}: Samba read [{string.Join("|", items)}], meant [{string.Join("|", meant)}]");
                        break;
                    default:
                        var bytes = e.Data == null ? Array.Empty<byte>() : (byte[])e.Data;
                        if (kind == "none") Assert.True(bytes.Length == 0, $"{where}: Samba read no data, meant {bytes.Length} bytes");
                        else Assert.True(kind == "bytes" && PolEntry.Hex(bytes) == Str(d["v"]), $"{where}: Samba read {d}, meant bytes {PolEntry.Hex(bytes)}");
                        break;
                }
            }
        }

        private static string Str(JsonValue? v) => ((JsonString)v!).Value;
    }
}
