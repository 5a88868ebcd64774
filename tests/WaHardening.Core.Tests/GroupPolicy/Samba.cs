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
        public static string Script
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir != null && !File.Exists(Path.Combine(dir.FullName, "tests", "tools", "preg_samba.py"))) dir = dir.Parent;
                Assert.True(dir != null, "tests/tools/preg_samba.py not found above " + AppContext.BaseDirectory);
                return Path.Combine(dir!.FullName, "tests", "tools", "preg_samba.py");
            }
        }

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

        /// <summary>Writes <paramref name="bytes"/> to a temp file and asserts Samba reads exactly <paramref name="expected"/>.</summary>
        public static void AssertSame(byte[] bytes, IReadOnlyList<PolEntry> expected)
        {
            var path = Path.Combine(Path.GetTempPath(), "wah-samba-" + Guid.NewGuid().ToString("N") + ".pol");
            File.WriteAllBytes(path, bytes);
            try { AssertFile(path, expected); }
            finally { File.Delete(path); }
        }

        public static void AssertFile(string path, IReadOnlyList<PolEntry> expected) => AssertResult((JsonObject)Parse(path)[0], expected);

        public static void AssertResult(JsonObject r, IReadOnlyList<PolEntry> expected)
        {
            var path = Str(r["path"]);
            Assert.Equal("PReg", Str(r["signature"]));
            Assert.Equal("1", ((JsonNumber)r["version"]!).Raw);
            Assert.True(r["repackEqual"] is JsonBoolean b && b.Value, $"{path}: Samba's ndr_pack(ndr_unpack(raw)) differs from the file");
            var entries = ((JsonArray)r["entries"]!).Items;
            Assert.Equal(expected.Count, entries.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                var e = expected[i];
                var s = (JsonObject)entries[i];
                var where = $"{path} entry {i} [{e.Key};{e.ValueName}]";
                Assert.True(e.Key == Str(s["key"]), where + ": key " + Str(s["key"]));
                Assert.True(e.ValueName == Str(s["value"]), where + ": value name " + Str(s["value"]));
                Assert.True((uint)e.Type == uint.Parse(((JsonNumber)s["type"]!).Raw), where + ": type");
                var d = (JsonObject)s["data"]!;
                var kind = Str(d["kind"]);
                switch (kind)
                {
                    case "int":
                        var n = ulong.Parse(((JsonNumber)d["v"]!).Raw);
                        Assert.True(e.Data is uint u ? u == n : e.Data is ulong ul && ul == n, $"{where}: Samba read {n}, meant {e.Data}");
                        break;
                    case "str":
                        Assert.True(e.Data is string str && str == Str(d["v"]), $"{where}: Samba read '{Str(d["v"])}', meant '{e.Data}'");
                        break;
                    case "bytes":
                        Assert.True(PolEntry.Hex(e.RawData) == Str(d["v"]), $"{where}: Samba read bytes {Str(d["v"])}, meant {PolEntry.Hex(e.RawData)}");
                        break;
                    case "none":
                        Assert.True(e.Size == 0, $"{where}: Samba read no data, meant {e.Size} bytes");
                        break;
                    default:
                        Assert.Fail($"{where}: Samba returned {kind}");
                        break;
                }
            }
        }

        private static string Str(JsonValue? v) => ((JsonString)v!).Value;
    }
}
