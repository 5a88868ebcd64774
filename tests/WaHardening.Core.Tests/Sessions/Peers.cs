using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Xunit;

namespace WaHardening.Core.Tests.Sessions
{
    /// <summary>
    /// The real producers and consumers of the session-store formats, run through Debian's /usr/bin/python3:
    /// tests/tools/leveldb_peer.py (python3-plyvel = libleveldb with Snappy), sqlite_peer.py (the sqlite3 module = real
    /// SQLite) and lz4_peer.py (python3-lz4). A missing interpreter or module FAILS the test (scripts/install-test-deps.sh
    /// installs them); it never skips.
    /// </summary>
    internal static class Peers
    {
        private static string Tools => Path.GetDirectoryName(Tool("leveldb_peer.py"))!;

        /// <summary>The path of a script in the repository's tests/tools (found above the test binaries), for every peer
        /// script the tests run (these and Samba's preg_samba.py).</summary>
        public static string Tool(string name)
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "tests", "tools", name))) dir = dir.Parent;
            Assert.True(dir != null, $"tests/tools/{name} not found above " + AppContext.BaseDirectory);
            return Path.Combine(dir!.FullName, "tests", "tools", name);
        }

        public static string Run(string script, params string[] args)
        {
            Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing (scripts/install-test-deps.sh installs it with python3-plyvel and python3-lz4)");
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(Path.Combine(Tools, script));
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            var stdout = stdoutTask.Result;
            Assert.True(p.WaitForExit(300_000), script + " timed out");
            Assert.True(p.ExitCode == 0, $"{script} {string.Join(" ", args)} failed (exit {p.ExitCode}; python3-plyvel / python3-lz4 missing? run scripts/install-test-deps.sh): {stderr}");
            return stdout;
        }

        public static string Hex(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();

        public static string TempDir(string name)
        {
            var d = Path.Combine(Path.GetTempPath(), "wa-formats-" + name + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(d);
            return d;
        }

        /// <summary>True when <paramref name="needle"/> occurs in <paramref name="hay"/>.</summary>
        public static bool Contains(byte[] hay, byte[] needle)
        {
            if (needle.Length == 0) return true;
            for (var i = 0; i + needle.Length <= hay.Length; i++)
            {
                if (hay[i] != needle[0]) continue;
                var k = 1;
                while (k < needle.Length && hay[i + k] == needle[k]) k++;
                if (k == needle.Length) return true;
            }
            return false;
        }

        /// <summary>Every file of the folder holding the bytes, by name.</summary>
        public static List<string> FilesContaining(string dir, byte[] needle)
        {
            var r = new List<string>();
            foreach (var f in Directory.GetFiles(dir)) if (Contains(File.ReadAllBytes(f), needle)) r.Add(Path.GetFileName(f));
            return r;
        }
    }
}
