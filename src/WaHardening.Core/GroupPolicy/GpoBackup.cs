using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace WaHardening.Core.GroupPolicy
{
    /// <summary>Client-side extension (CSE) and tool GUID pairs that make Windows apply a GPO's files
    /// ([MS-GPREG] 1.9 / [MS-GPSB] 1.9; the same pairs GPMC writes into gPCMachineExtensionNames).</summary>
    public static class GpoExtensions
    {
        public const string RegistryCse = "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}";
        public const string RegistryMachineTool = "{D02B1F72-3407-48AE-BA88-E8213C6761F1}";
        public const string RegistryUserTool = "{D02B1F73-3407-48AE-BA88-E8213C6761F1}";
        public const string SecurityCse = "{827D319E-6EAC-11D2-A4EA-00C04F79F83A}";
        public const string SecurityTool = "{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}";
        /// <summary>The extension id GPMC files folder entries under in Backup.xml ("Unknown Extension").</summary>
        public const string FolderEntries = "{F15C46CD-82A0-4C2D-A210-5D0D3182A418}";

        /// <summary>Formats pairs as <c>[{CSE}{tool}…]…</c>, CSEs sorted, tools sorted within their CSE.</summary>
        public static string Format(IEnumerable<KeyValuePair<string, string>> pairs)
        {
            var sb = new StringBuilder();
            foreach (var g in pairs.GroupBy(p => p.Key.ToUpperInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                sb.Append('[').Append(g.Key);
                foreach (var t in g.Select(p => p.Value.ToUpperInvariant()).Distinct().OrderBy(t => t, StringComparer.Ordinal)) sb.Append(t);
                sb.Append(']');
            }
            return sb.ToString();
        }

        /// <summary>Parses <c>[{CSE}{tool}…]…</c>; text that is not in that shape yields what could be read.</summary>
        public static List<KeyValuePair<string, string>> Parse(string? value)
        {
            var list = new List<KeyValuePair<string, string>>();
            if (string.IsNullOrEmpty(value)) return list;
            foreach (var group in value!.Split(new[] { '[' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var guids = group.TrimEnd(']').Split(new[] { '}' }, StringSplitOptions.RemoveEmptyEntries)
                    .Select(g => g.Trim()).Where(g => g.StartsWith("{", StringComparison.Ordinal)).Select(g => g + "}").ToList();
                if (guids.Count == 0) continue;
                if (guids.Count == 1) list.Add(new KeyValuePair<string, string>(guids[0], ""));
                for (var i = 1; i < guids.Count; i++) list.Add(new KeyValuePair<string, string>(guids[0], guids[i]));
            }
            return list;
        }

        public static IEnumerable<KeyValuePair<string, string>> ForMachine(bool registry, bool security)
        {
            if (registry) yield return new KeyValuePair<string, string>(RegistryCse, RegistryMachineTool);
            if (security) yield return new KeyValuePair<string, string>(SecurityCse, SecurityTool);
        }

        public static IEnumerable<KeyValuePair<string, string>> ForUser(bool registry)
        {
            if (registry) yield return new KeyValuePair<string, string>(RegistryCse, RegistryUserTool);
        }
    }

    /// <summary>What <see cref="GpoBackup.Write"/> produced.</summary>
    public sealed class GpoBackupResult
    {
        public GpoBackupResult(Guid backupId, Guid gpoGuid, string displayName, string path, DateTime backupTime, IReadOnlyList<string> files,
            int machineEntries, int userEntries, int securityOptions)
        {
            BackupId = backupId; GpoGuid = gpoGuid; DisplayName = displayName; Path = path; BackupTime = backupTime; Files = files;
            MachineEntryCount = machineEntries; UserEntryCount = userEntries; SecurityOptionCount = securityOptions;
        }

        /// <summary>The backup's id: its folder name and what <c>Import-GPO -BackupId</c> takes.</summary>
        public Guid BackupId { get; }
        /// <summary>The GPO's own id inside the backup (stable for a baseline and profile).</summary>
        public Guid GpoGuid { get; }
        /// <summary>What <c>Import-GPO -BackupGpoName</c> takes.</summary>
        public string DisplayName { get; }
        /// <summary>The <c>{BackupId}</c> folder (or, for <c>-AsRegistryPol</c>, the output folder).</summary>
        public string Path { get; }
        public DateTime BackupTime { get; }
        public IReadOnlyList<string> Files { get; }
        public int MachineEntryCount { get; }
        public int UserEntryCount { get; }
        public int SecurityOptionCount { get; }
    }

    /// <summary>
    /// Writes a GPMC-style GPO backup folder that <c>Import-GPO -Path DIR -BackupId|-BackupGpoName</c> and
    /// <c>LGPO.exe /g DIR</c> read:
    /// <code>
    /// DIR\manifest.xml                      (list of the backups in DIR, rebuilt from their bkupInfo.xml)
    /// DIR\{BackupId}\Backup.xml             (GPO core settings, extension GUIDs, one GroupPolicyExtension per CSE)
    /// DIR\{BackupId}\bkupInfo.xml           (GPOGuid, GPODisplayName, ID, BackupTime)
    /// DIR\{BackupId}\DomainSysvol\GPO\Machine\registry.pol
    /// DIR\{BackupId}\DomainSysvol\GPO\User\registry.pol
    /// DIR\{BackupId}\DomainSysvol\GPO\Machine\microsoft\windows nt\SecEdit\GptTmpl.inf
    /// </code>
    /// The layout and element names follow a GPMC backup (Backup.xml namespace
    /// http://www.microsoft.com/GroupPolicy/GPOOperations, bkupInfo.xml namespace …/GPOOperations/Manifest).
    /// Output is deterministic: the GUIDs are name-based (UUID v5) from the baseline and the content, and the
    /// backup time is given by the caller — two exports of the same input are byte-identical.
    /// </summary>
    public static class GpoBackup
    {
        /// <summary>Namespace of the module's name-based GUIDs (fixed; changing it changes every exported id).</summary>
        public static readonly Guid IdNamespace = new Guid("6f1d3c2e-8a4b-4e55-9b0a-57a1d2c3e4f5");

        /// <summary>Placeholder domain written where a GPMC backup names the source domain (Import-GPO ignores it).</summary>
        public const string PlaceholderDomain = "wahardening.invalid";

        public static Guid GpoGuidFor(string baselineName, string? profile) =>
            NameGuid("gpo|" + baselineName + "|" + (profile ?? "*"));

        public static GpoBackupResult Write(string directory, GpoContent content, string displayName, string baselineName, string? profile,
            DateTime backupTime, string? comment = null)
        {
            if (string.IsNullOrWhiteSpace(displayName))
                throw new WaHardeningException(ErrorIds.GpoDisplayNameInvalid, WaErrorCategory.InvalidArgument, "The GPO display name is empty.", displayName);
            var machinePol = content.Machine.Count > 0 ? RegistryPolicyFile.ToBytes(content.Machine) : null;
            var userPol = content.User.Count > 0 ? RegistryPolicyFile.ToBytes(content.User) : null;
            var inf = content.SecurityOptions.Count > 0 ? GpoContent.GptTmpl(content.SecurityOptions) : null;
            var time = new DateTime(backupTime.Year, backupTime.Month, backupTime.Day, backupTime.Hour, backupTime.Minute, backupTime.Second, DateTimeKind.Unspecified);

            var gpoGuid = GpoGuidFor(baselineName, profile);
            var machineVersion = machinePol != null || inf != null ? 1 : 0;
            var userVersion = userPol != null ? 1 : 0;
            var backupXml = BackupXml(gpoGuid, displayName, machineVersion, userVersion, machinePol != null, userPol != null, inf != null);

            using (var sha = SHA256.Create())
            {
                var all = new List<byte>();
                foreach (var part in new[] { machinePol, userPol, inf, Encoding.UTF8.GetBytes(backupXml), Encoding.UTF8.GetBytes(time.ToString("s", CultureInfo.InvariantCulture) + "|" + comment) })
                {
                    all.AddRange(BitConverter.GetBytes(part?.Length ?? -1));
                    if (part != null) all.AddRange(part);
                }
                var hash = PolEntry.Hex(sha.ComputeHash(all.ToArray()));
                var backupId = NameGuid("backup|" + gpoGuid.ToString("B") + "|" + hash);
                var folderName = backupId.ToString("B").ToUpperInvariant();
                var bkupInfo = BkupInfoXml(gpoGuid, backupId, displayName, time, comment);
                var target = Path.Combine(Path.GetFullPath(directory), folderName);
                var files = new List<string>();

                void Put(string root, string relative, byte[] bytes)
                {
                    var path = Path.Combine(root, relative.Replace('\\', Path.DirectorySeparatorChar));
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllBytes(path, bytes);
                    files.Add(Path.Combine(target, relative.Replace('\\', Path.DirectorySeparatorChar)));
                }

                Enforcement.AtomicFile.WriteDirectory(target, stage =>
                {
                    Put(stage, "Backup.xml", Utf8(backupXml));
                    Put(stage, "bkupInfo.xml", Utf8(bkupInfo));
                    Directory.CreateDirectory(Path.Combine(stage, "DomainSysvol", "GPO", "Machine"));
                    Directory.CreateDirectory(Path.Combine(stage, "DomainSysvol", "GPO", "User"));
                    if (machinePol != null) Put(stage, @"DomainSysvol\GPO\Machine\registry.pol", machinePol);
                    if (userPol != null) Put(stage, @"DomainSysvol\GPO\User\registry.pol", userPol);
                    if (inf != null) Put(stage, @"DomainSysvol\GPO\Machine\microsoft\windows nt\SecEdit\GptTmpl.inf", inf);
                });
                var manifest = WriteManifest(Path.GetFullPath(directory));
                files.Add(manifest);
                return new GpoBackupResult(backupId, gpoGuid, displayName, target, time, files,
                    content.Machine.Count, content.User.Count, content.SecurityOptions.Count);
            }
        }

        /// <summary>Writes just the two Registry.pol files: DIR/Machine/registry.pol and DIR/User/registry.pol (each
        /// atomically; a half without records gets a valid zero-record file).</summary>
        public static IReadOnlyList<string> WriteRegistryPolFiles(string directory, GpoContent content)
        {
            var dir = Path.GetFullPath(directory);
            var machine = Path.Combine(dir, "Machine", "registry.pol");
            var user = Path.Combine(dir, "User", "registry.pol");
            var m = RegistryPolicyFile.ToBytes(content.Machine);
            var u = RegistryPolicyFile.ToBytes(content.User);
            Enforcement.AtomicFile.WriteExport(machine, m);
            Enforcement.AtomicFile.WriteExport(user, u);
            return new[] { machine, user };
        }

        /// <summary>
        /// Rebuilds DIR/manifest.xml (the list of backups GPMC keeps at the root of a backup folder) from the
        /// bkupInfo.xml of every {id} subfolder, sorted by folder name. Unreadable bkupInfo.xml files are skipped.
        /// </summary>
        public static string WriteManifest(string directory)
        {
            const string ns = "http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest";
            var doc = new XmlDocument();
            var root = doc.CreateElement("Backups", ns);
            root.SetAttribute("mfstVersion", "1.0");
            doc.AppendChild(root);
            foreach (var sub in Directory.GetDirectories(directory).OrderBy(d => Path.GetFileName(d), StringComparer.OrdinalIgnoreCase))
            {
                var info = Path.Combine(sub, "bkupInfo.xml");
                if (!Path.GetFileName(sub).StartsWith("{", StringComparison.Ordinal) || !File.Exists(info)) continue;
                try
                {
                    var d = new XmlDocument { XmlResolver = null };
                    using (var reader = XmlReader.Create(info, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
                        d.Load(reader);
                    if (d.DocumentElement?.LocalName == "BackupInst" && d.DocumentElement.NamespaceURI == ns)
                        root.AppendChild(doc.ImportNode(d.DocumentElement, true));
                }
                catch (XmlException) { }
            }
            var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, NewLineChars = "\r\n" };
            using (var ms = new MemoryStream())
            {
                using (var w = XmlWriter.Create(ms, settings)) doc.Save(w);
                var path = Path.Combine(directory, "manifest.xml");
                Enforcement.AtomicFile.WriteExport(path, ms.ToArray());
                return path;
            }
        }

        private static byte[] Utf8(string s) => new UTF8Encoding(false).GetBytes(s);

        internal static Guid NameGuid(string name)
        {
            // RFC 4122 section 4.3, version 5 (SHA-1).
            var ns = IdNamespace.ToByteArray();
            SwapToNetworkOrder(ns);
            var nameBytes = Encoding.UTF8.GetBytes(name);
            byte[] hash;
            using (var sha1 = SHA1.Create())
            {
                var input = new byte[ns.Length + nameBytes.Length];
                Buffer.BlockCopy(ns, 0, input, 0, ns.Length);
                Buffer.BlockCopy(nameBytes, 0, input, ns.Length, nameBytes.Length);
                hash = sha1.ComputeHash(input);
            }
            var g = new byte[16];
            Array.Copy(hash, g, 16);
            g[6] = (byte)((g[6] & 0x0F) | 0x50);
            g[8] = (byte)((g[8] & 0x3F) | 0x80);
            SwapToNetworkOrder(g);
            return new Guid(g);
        }

        private static void SwapToNetworkOrder(byte[] g)
        {
            void Swap(int a, int b) { var t = g[a]; g[a] = g[b]; g[b] = t; }
            Swap(0, 3); Swap(1, 2); Swap(4, 5); Swap(6, 7);
        }

        private static string Cdata(string s) => "<![CDATA[" + s.Replace("]]>", "]]]]><![CDATA[>") + "]]>";

        private static string Attr(string s) => s.Replace("&", "&amp;").Replace("\"", "&quot;").Replace("<", "&lt;").Replace(">", "&gt;");

        private static string BackupXml(Guid gpoGuid, string displayName, int machineVersion, int userVersion, bool machinePol, bool userPol, bool inf)
        {
            var id = gpoGuid.ToString("B").ToUpperInvariant();
            var sysvol = @"\\" + PlaceholderDomain + @"\sysvol\" + PlaceholderDomain + @"\Policies\" + id;
            string File(string fsPath, string machineOrUser, string relative, string? extra = null) =>
                $"<FSObjectFile bkp:Path=\"{Attr(fsPath)}\" bkp:SourceExpandedPath=\"{Attr(sysvol + "\\" + machineOrUser + "\\" + relative)}\"{extra} bkp:Location=\"{Attr(@"DomainSysvol\GPO\" + machineOrUser + "\\" + relative)}\"/>";
            string Dir(string relative) =>
                $"<FSObjectDir bkp:Path=\"%GPO_MACH_FSPATH%\\{Attr(relative)}\" bkp:SourceExpandedPath=\"{Attr(sysvol + @"\Machine\" + relative)}\" bkp:Location=\"{Attr(@"DomainSysvol\GPO\Machine\" + relative)}\"/>";

            var sb = new StringBuilder();
            sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            sb.Append("<GroupPolicyBackupScheme bkp:version=\"1.0\" bkp:type=\"GroupPolicyBackupTemplate\" xmlns:bkp=\"http://www.microsoft.com/GroupPolicy/GPOOperations\" xmlns=\"http://www.microsoft.com/GroupPolicy/GPOOperations\">\r\n");
            sb.Append("    <GroupPolicyObject><SecurityGroups/><FilePaths/><GroupPolicyCoreSettings>");
            sb.Append("<ID>").Append(Cdata(id)).Append("</ID>");
            sb.Append("<Domain>").Append(Cdata(PlaceholderDomain)).Append("</Domain>");
            sb.Append("<DisplayName>").Append(Cdata(displayName)).Append("</DisplayName>");
            sb.Append("<Options>").Append(Cdata("0")).Append("</Options>");
            // Per side: (sysvol version << 16) | directory version, as in GPMC backups (e.g. 131074 = 2.2).
            sb.Append("<UserVersionNumber>").Append(Cdata(((userVersion << 16) | userVersion).ToString(CultureInfo.InvariantCulture))).Append("</UserVersionNumber>");
            sb.Append("<MachineVersionNumber>").Append(Cdata(((machineVersion << 16) | machineVersion).ToString(CultureInfo.InvariantCulture))).Append("</MachineVersionNumber>");
            var mext = GpoExtensions.Format(GpoExtensions.ForMachine(machinePol, inf));
            var uext = GpoExtensions.Format(GpoExtensions.ForUser(userPol));
            sb.Append(mext.Length > 0 ? "<MachineExtensionGuids>" + Cdata(mext) + "</MachineExtensionGuids>" : "<MachineExtensionGuids/>");
            sb.Append(uext.Length > 0 ? "<UserExtensionGuids>" + Cdata(uext) + "</UserExtensionGuids>" : "<UserExtensionGuids/>");
            sb.Append("<WMIFilter/></GroupPolicyCoreSettings>\r\n");
            if (machinePol || userPol)
            {
                sb.Append("        <GroupPolicyExtension bkp:ID=\"").Append(GpoExtensions.RegistryCse).Append("\" bkp:DescName=\"Registry\">\r\n");
                if (machinePol) sb.Append("            ").Append(File(@"%GPO_MACH_FSPATH%\registry.pol", "Machine", "registry.pol")).Append("\r\n");
                if (userPol) sb.Append("            ").Append(File(@"%GPO_USER_FSPATH%\registry.pol", "User", "registry.pol")).Append("\r\n");
                sb.Append("        </GroupPolicyExtension>\r\n");
            }
            if (inf)
            {
                const string rel = @"microsoft\windows nt\SecEdit\GptTmpl.inf";
                sb.Append("        <GroupPolicyExtension bkp:ID=\"").Append(GpoExtensions.SecurityCse).Append("\" bkp:DescName=\"Security\">\r\n");
                sb.Append("            ").Append(File(@"%GPO_MACH_FSPATH%\" + rel, "Machine", rel, " bkp:ReEvaluateFunction=\"SecurityValidateSettings\"")).Append("\r\n");
                sb.Append("        </GroupPolicyExtension>\r\n");
                sb.Append("        <GroupPolicyExtension bkp:ID=\"").Append(GpoExtensions.FolderEntries).Append("\" bkp:DescName=\"Unknown Extension\">");
                sb.Append(Dir("microsoft")).Append(Dir(@"microsoft\windows nt")).Append(Dir(@"microsoft\windows nt\SecEdit"));
                sb.Append("</GroupPolicyExtension>\r\n");
            }
            sb.Append("    </GroupPolicyObject>\r\n</GroupPolicyBackupScheme>\r\n");
            return sb.ToString();
        }

        private static string BkupInfoXml(Guid gpoGuid, Guid backupId, string displayName, DateTime time, string? comment)
        {
            var sb = new StringBuilder();
            sb.Append("<BackupInst xmlns=\"http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest\">\r\n");
            sb.Append("  <GPOGuid>").Append(Cdata(gpoGuid.ToString("B").ToUpperInvariant())).Append("</GPOGuid>\r\n");
            sb.Append("  <GPODomain>").Append(Cdata(PlaceholderDomain)).Append("</GPODomain>\r\n");
            sb.Append("  <GPODomainGuid>").Append(Cdata(NameGuid("domain|" + PlaceholderDomain).ToString("B"))).Append("</GPODomainGuid>\r\n");
            sb.Append("  <GPODomainController>").Append(Cdata("dc." + PlaceholderDomain)).Append("</GPODomainController>\r\n");
            sb.Append("  <BackupTime>").Append(Cdata(time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture))).Append("</BackupTime>\r\n");
            sb.Append("  <ID>").Append(Cdata(backupId.ToString("B"))).Append("</ID>\r\n");
            sb.Append("  <Comment>").Append(Cdata(comment ?? "")).Append("</Comment>\r\n");
            sb.Append("  <GPODisplayName>").Append(Cdata(displayName)).Append("</GPODisplayName>\r\n");
            sb.Append("</BackupInst>\r\n");
            return sb.ToString();
        }
    }
}
