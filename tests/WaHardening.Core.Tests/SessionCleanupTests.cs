using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// WA-SESSION-05 on Windows: the two clean-up tasks go through schtasks (/Create /XML, /Query /XML, /Delete). No Windows
    /// here, so schtasks is a stand-in that keeps tasks in memory and reads the XML file the way schtasks needs it (UTF-16
    /// with a byte order mark); the real Task Scheduler is not exercised by these tests (docs/web-sessions.md says so).
    /// </summary>
    public class SessionCleanupTests
    {
        private sealed class SchtasksStandIn : ICommandRunner
        {
            public readonly Dictionary<string, string> Tasks = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            public readonly List<string> Calls = new List<string>();
            public bool FailCreate;
            public bool Exists(string program) => program == ScheduledTasks.Program;
            public CommandResult Run(string program, IReadOnlyList<string> a)
            {
                Assert.Equal(ScheduledTasks.Program, program);
                Calls.Add(string.Join(" ", a.Take(3)));
                var name = a[2];
                switch (a[0])
                {
                    case "/Query":
                        return Tasks.TryGetValue(name, out var xml) ? new CommandResult(0, xml, "") : new CommandResult(1, "", "ERROR: The system cannot find the file specified.");
                    case "/Create":
                        if (FailCreate) return new CommandResult(1, "", "ERROR: Access is denied.");
                        var bytes = File.ReadAllBytes(a[4]);
                        Assert.True(bytes.Length > 2 && bytes[0] == 0xFF && bytes[1] == 0xFE, "schtasks reads the task XML as UTF-16 with a byte order mark");
                        var text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
                        new XmlDocument().LoadXml(text); // schtasks refuses XML that is not well formed
                        // Windows keeps its own registration fields in a stored task: the audit must not compare whole texts.
                        Tasks[name] = text.Replace("<RegistrationInfo>", "<RegistrationInfo>\r\n    <URI>" + name + "</URI>");
                        return new CommandResult(0, "SUCCESS", "");
                    case "/Delete":
                        return Tasks.Remove(name) ? new CommandResult(0, "SUCCESS", "") : new CommandResult(1, "", "ERROR: not found");
                    default: throw new InvalidOperationException(a[0]);
                }
            }
        }

        private static readonly PowerShellHost Host = new PowerShellHost(@"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", Array.Empty<string>(),
            @"C:\Program Files\WindowsPowerShell\Modules\WaHardening\0.1.0\WaHardening.psd1");

        private static IEnumerable<Control> Controls() =>
            BaselineLoader.Load(Path.Combine(AppContext.BaseDirectory, "policies", "baseline.json")).Controls.Where(c => c.Id == "WA-SESSION-05");

        private static Engine Windows(Scratch s, SchtasksStandIn runner) =>
            new Engine(new ProviderContext(s.Root, Platforms.Windows, runner) { PowerShell = Host });

        [Fact]
        public void Set_registers_both_tasks_Test_is_compliant_Undo_deletes_them()
        {
            using var s = new Scratch();
            var runner = new SchtasksStandIn();
            var e = Windows(s, runner);
            Assert.All(e.Test(Controls()), r => Assert.NotEqual(Evaluation.ComplianceStatus.Compliant, r.Status));
            IReadOnlyList<ChangeRecord> changes;
            string? backup;
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30))) changes = e.Apply(e.Plan(Controls()), null, out backup);
            Assert.Equal(new[] { @"\WaHardening\SessionCleanupAtBoot", @"\WaHardening\SessionCleanupAtLogon" }, runner.Tasks.Keys.OrderBy(k => k));
            var boot = runner.Tasks[@"\WaHardening\SessionCleanupAtBoot"];
            Assert.Contains("<BootTrigger>", boot);
            Assert.Contains("<UserId>S-1-5-18</UserId>", boot);
            var logon = runner.Tasks[@"\WaHardening\SessionCleanupAtLogon"];
            Assert.Contains("<LogonTrigger>", logon);
            Assert.Contains("<GroupId>S-1-5-32-545</GroupId>", logon);
            Assert.Contains("<RunLevel>LeastPrivilege</RunLevel>", logon);
            Assert.All(e.Test(Controls()), r => Assert.Equal(Evaluation.ComplianceStatus.Compliant, r.Status));

            var doc = BackupDocument.Load(backup!);
            Assert.All(doc.Entries, en => Assert.IsType<ScheduledTaskBackup>(en));
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30))) e.Restore(doc, backup!);
            Assert.Empty(runner.Tasks);
        }

        [Fact]
        public void A_task_that_was_there_before_is_put_back_as_it_was()
        {
            using var s = new Scratch();
            var runner = new SchtasksStandIn();
            const string old = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\"><Actions><Exec><Command>old.exe</Command></Exec></Actions></Task>";
            runner.Tasks[@"\WaHardening\SessionCleanupAtBoot"] = old;
            var e = Windows(s, runner);
            var r = e.Test(Controls()).Single();
            Assert.Equal(Evaluation.ComplianceStatus.NonCompliant, r.Status);
            Assert.Contains("old.exe", r.Reason);
            string? backup;
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30))) e.Apply(e.Plan(Controls()), null, out backup);
            Assert.DoesNotContain("old.exe", runner.Tasks[@"\WaHardening\SessionCleanupAtBoot"]);
            using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30))) e.Restore(BackupDocument.Load(backup!), backup!);
            Assert.Equal(old, runner.Tasks[@"\WaHardening\SessionCleanupAtBoot"]);
            Assert.False(runner.Tasks.ContainsKey(@"\WaHardening\SessionCleanupAtLogon"));
        }

        [Fact]
        public void A_failing_schtasks_is_a_typed_error_and_the_first_task_is_rolled_back()
        {
            using var s = new Scratch();
            var runner = new SchtasksStandIn();
            var e = Windows(s, runner);
            var plan = e.Plan(Controls());
            var calls = 0;
            e.Context.BeforeApply = op => { if (++calls == 2) runner.FailCreate = true; };
            var ex = Assert.Throws<WaHardeningException>(() =>
            {
                using (EnforcementLock.Acquire(e.Context, TimeSpan.FromSeconds(30))) e.Apply(plan, null, out _);
            });
            Assert.Contains("rolled back", ex.Message + (ex.InnerException?.Message ?? ""), StringComparison.OrdinalIgnoreCase);
            Assert.Empty(runner.Tasks);
        }

        [Fact]
        public void The_task_arguments_split_back_into_the_argument_list_as_CommandLineToArgvW_splits_them()
        {
            // The rules of CommandLineToArgvW (learn.microsoft.com/windows/win32/api/shellapi/nf-shellapi-commandlinetoargvw):
            // 2n backslashes + quote -> n backslashes and a quote toggles; 2n+1 backslashes + quote -> n backslashes and a literal quote.
            var samples = new[] { "plain", "with space", "quote\"inside", @"trailing\", @"C:\Program Files\x\", "a\\\\\"b", "" };
            var line = SessionCleanup.WindowsCommandLine(samples);
            Assert.Equal(samples, SplitLikeWindows(line));
            foreach (var t in SessionCleanup.Triggers)
                Assert.Equal(t.Arguments(Host), SplitLikeWindows(SessionCleanup.WindowsCommandLine(t.Arguments(Host))));
        }

        private static List<string> SplitLikeWindows(string s)
        {
            var result = new List<string>();
            var i = 0;
            while (true)
            {
                while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
                if (i >= s.Length) break;
                var sb = new StringBuilder();
                var inQuotes = false;
                while (i < s.Length && (inQuotes || (s[i] != ' ' && s[i] != '\t')))
                {
                    var n = 0;
                    while (i < s.Length && s[i] == '\\') { n++; i++; }
                    if (i < s.Length && s[i] == '"')
                    {
                        sb.Append('\\', n / 2);
                        if (n % 2 == 1) sb.Append('"'); else inQuotes = !inQuotes;
                        i++;
                    }
                    else { sb.Append('\\', n); if (i < s.Length && (inQuotes || (s[i] != ' ' && s[i] != '\t'))) sb.Append(s[i++]); }
                }
                result.Add(sb.ToString());
            }
            return result;
        }

        [Fact]
        public void The_launchd_property_lists_are_read_by_a_real_plist_parser_with_the_same_arguments()
        {
            var mac = PowerShellHost.Installed(SessionCleanup.MacPwsh);
            foreach (var t in SessionCleanup.Triggers)
            {
                var file = Path.Combine(Path.GetTempPath(), "wah-" + Guid.NewGuid().ToString("N") + ".plist");
                try
                {
                    File.WriteAllText(file, SessionCleanup.LaunchdPlist(t, mac));
                    Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing (scripts/install-test-deps.sh)");
                    var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                    foreach (var a in new[] { "-c", "import plistlib,json,sys; d=plistlib.load(open(sys.argv[1],'rb')); print(json.dumps(d))", file }) psi.ArgumentList.Add(a);
                    using var p = System.Diagnostics.Process.Start(psi)!;
                    var json = p.StandardOutput.ReadToEnd();
                    var err = p.StandardError.ReadToEnd();
                    p.WaitForExit();
                    Assert.True(p.ExitCode == 0, err);
                    var parsed = Json.JsonParser.Parse(json.Trim()) as Json.JsonObject;
                    Assert.Equal(t.LaunchdLabel, ((Json.JsonString)parsed!["Label"]!).Value);
                    Assert.Equal(new[] { SessionCleanup.MacPwsh }.Concat(t.Arguments(mac)), ((Json.JsonArray)parsed["ProgramArguments"]!).Items.Select(v => ((Json.JsonString)v).Value));
                    Assert.True(((Json.JsonBoolean)parsed["RunAtLoad"]!).Value);
                }
                finally { File.Delete(file); }
            }
        }
    }
}
