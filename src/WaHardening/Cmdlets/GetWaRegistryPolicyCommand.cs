using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.GroupPolicy;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Reads a Registry.pol (PReg) file into typed entries.</para>
    /// <para type="description">Parses a Group Policy Registry.pol file ([MS-GPREG]) and writes one entry per record, in file
    /// order with duplicates kept: Key, ValueName, Type, Data (string, UInt32, UInt64, String[] or Byte[]), Size and Action
    /// (SetValue, DeleteValue for **del., DeleteAllValues for **delvals., DeleteValues, DeleteKeys, SecureKey, SoftSetValue).
    /// A file that is not a valid Registry.pol raises RegistryPolicyInvalid naming the file and the byte offset.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-WaRegistryPolicy -Path C:\Windows\System32\GroupPolicy\Machine\Registry.pol | Format-Table Key, ValueName, Type, Data</code>
    ///   <para>Lists the local machine policy records.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "WaRegistryPolicy")]
    [OutputType(typeof(PolEntry))]
    public sealed class GetWaRegistryPolicyCommand : WaCmdlet
    {
        /// <summary><para type="description">Registry.pol files to read; wildcards allowed.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = null!;

        protected override void Process()
        {
            foreach (var p in Path)
            {
                System.Collections.ObjectModel.Collection<string> files;
                try { files = GetResolvedProviderPathFromPSPath(p, out _); }
                catch (ItemNotFoundException e)
                {
                    Report(new Core.WaHardeningException(ErrorIds.RegistryPolicyNotFound, Core.WaErrorCategory.ObjectNotFound, $"Registry.pol file '{p}' does not exist.", p, e));
                    continue;
                }
                foreach (var file in files)
                {
                    WriteVerbose($"Reading Registry.pol {file}");
                    var entries = RegistryPolicyFile.ReadFile(file);
                    WriteVerbose($"{file}: {entries.Count} records");
                    foreach (var e in entries) WriteObject(e);
                }
            }
        }
    }
}
