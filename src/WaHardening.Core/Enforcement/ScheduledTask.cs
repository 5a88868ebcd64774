using System;
using System.IO;
using System.Text;
using System.Xml;

namespace WaHardening.Core.Enforcement
{
    /// <summary>
    /// Windows Task Scheduler through schtasks.exe (learn.microsoft.com/windows-server/administration/windows-commands/schtasks):
    /// <c>/Query /TN name /XML</c> reads a task's definition, <c>/Create /TN name /XML file /F</c> registers (or replaces)
    /// one, <c>/Delete /TN name /F</c> removes it. The XML file is written UTF-16 with a byte order mark, as schtasks reads it.
    /// </summary>
    public static class ScheduledTasks
    {
        public const string Program = "schtasks.exe";

        /// <summary>The registered task's XML; null when there is no such task.</summary>
        public static string? Query(ProviderContext ctx, string name)
        {
            var r = ctx.Commands.Run(Program, new[] { "/Query", "/TN", name, "/XML" });
            if (r.ExitCode != 0) return null; // ERROR: The system cannot find the file specified.
            return r.Output;
        }

        public static void Register(ProviderContext ctx, string name, string xml)
        {
            var file = Path.Combine(Path.GetTempPath(), "wa-hardening-task-" + Guid.NewGuid().ToString("N") + ".xml");
            try
            {
                File.WriteAllBytes(file, Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(xml)));
                var r = ctx.Commands.Run(Program, new[] { "/Create", "/TN", name, "/XML", file, "/F" });
                if (r.ExitCode != 0)
                    throw new WaHardeningException(ErrorIds.ScheduledTaskFailed, WaErrorCategory.WriteError,
                        $"schtasks could not register the task '{name}' (exit {r.ExitCode}): {(r.Error + " " + r.Output).Trim()}", name);
            }
            finally { try { File.Delete(file); } catch (IOException) { } }
        }

        public static void Delete(ProviderContext ctx, string name)
        {
            var r = ctx.Commands.Run(Program, new[] { "/Delete", "/TN", name, "/F" });
            if (r.ExitCode != 0 && Query(ctx, name) != null)
                throw new WaHardeningException(ErrorIds.ScheduledTaskFailed, WaErrorCategory.WriteError,
                    $"schtasks could not delete the task '{name}' (exit {r.ExitCode}): {(r.Error + " " + r.Output).Trim()}", name);
        }

        /// <summary>The program, arguments and trigger kinds of a task definition (what the audit compares: Windows adds its own
        /// registration fields to a stored task, so the whole text never matches). Null when the XML cannot be read.</summary>
        public static (string Command, string Arguments, string Triggers)? Summary(string xml)
        {
            try
            {
                var doc = new XmlDocument { XmlResolver = null };
                using (var reader = XmlReader.Create(new StringReader(xml.TrimStart('\uFEFF')), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1 << 20 }))
                    doc.Load(reader);
                var ns = new XmlNamespaceManager(doc.NameTable);
                ns.AddNamespace("t", "http://schemas.microsoft.com/windows/2004/02/mit/task");
                var command = doc.SelectSingleNode("/t:Task/t:Actions/t:Exec/t:Command", ns)?.InnerText?.Trim() ?? "";
                var args = doc.SelectSingleNode("/t:Task/t:Actions/t:Exec/t:Arguments", ns)?.InnerText?.Trim() ?? "";
                var triggers = doc.SelectSingleNode("/t:Task/t:Triggers", ns);
                var kinds = new StringBuilder();
                if (triggers != null) foreach (XmlNode n in triggers.ChildNodes) if (n.NodeType == XmlNodeType.Element) kinds.Append(n.LocalName).Append(' ');
                return (command, args, kinds.ToString().Trim());
            }
            catch (XmlException) { return null; }
        }

        private static byte[] Concat(this byte[] a, byte[] b)
        {
            var r = new byte[a.Length + b.Length];
            Buffer.BlockCopy(a, 0, r, 0, a.Length);
            Buffer.BlockCopy(b, 0, r, a.Length, b.Length);
            return r;
        }
    }

    /// <summary>Registers (or replaces) a scheduled task; the backup holds the task's prior XML or that there was none.</summary>
    public sealed class ScheduledTaskOperation : WriteOperation
    {
        public ScheduledTaskOperation(string name, string xml, string what) { Name = name; Xml = xml; What = what; }
        public string Name { get; }
        public string Xml { get; }
        public string What { get; }
        public override string Location => "task:" + Name;
        public override string Description => $"register the scheduled task {Name} ({What})";
        public override BackupEntry Capture(ProviderContext ctx) => new ScheduledTaskBackup(Name, ScheduledTasks.Query(ctx, Name));
        public override void Apply(ProviderContext ctx)
        {
            ctx.Verbose($"Registering the scheduled task {Name} ({What})");
            ScheduledTasks.Register(ctx, Name, Xml);
        }
    }

    /// <summary>Deletes a scheduled task (undo of a task that did not exist before).</summary>
    public sealed class ScheduledTaskDeleteOperation : WriteOperation
    {
        public ScheduledTaskDeleteOperation(string name) { Name = name; }
        public string Name { get; }
        public override string Location => "task:" + Name;
        public override string Description => $"delete the scheduled task {Name} (it did not exist before)";
        public override BackupEntry Capture(ProviderContext ctx) => new ScheduledTaskBackup(Name, ScheduledTasks.Query(ctx, Name));
        public override void Apply(ProviderContext ctx)
        {
            ctx.Verbose($"Deleting the scheduled task {Name}");
            ScheduledTasks.Delete(ctx, Name);
        }
    }

    public sealed class ScheduledTaskBackup : BackupEntry
    {
        public ScheduledTaskBackup(string name, string? xml) { Name = name; Xml = xml; }
        public string Name { get; }
        /// <summary>The task's XML before the change; null when there was no task.</summary>
        public string? Xml { get; }
        public override string Location => "task:" + Name;
        public override string? StateText => Xml == null ? null : "registered";
        public override WriteOperation RestoreOperation() => Xml == null
            ? new ScheduledTaskDeleteOperation(Name)
            : new ScheduledTaskOperation(Name, Xml, "restored as it was");
    }
}
