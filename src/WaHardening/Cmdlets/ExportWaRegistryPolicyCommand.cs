using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.GroupPolicy;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes entries to a Registry.pol (PReg) file.</para>
    /// <para type="description">Collects the entries from the pipeline (entries from Get-WaRegistryPolicy or
    /// New-WaRegistryPolicyEntry, or any object or hashtable with Key, ValueName, Type and Data) and writes them in that
    /// order as a Registry.pol file. Entries read from a file are written byte for byte as they were, so
    /// Get-WaRegistryPolicy x.pol | Export-WaRegistryPolicy y.pol gives an identical file. The file is written
    /// atomically (temporary file, then rename): on error the previous file stays and no partial file is left.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-WaRegistryPolicy in.pol | Where-Object Key -notlike 'Software\Policies\Old*' | Export-WaRegistryPolicy out.pol</code>
    ///   <para>Copies a policy file without the records of one key.</para>
    /// </example>
    [Cmdlet(VerbsData.Export, "WaRegistryPolicy", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportWaRegistryPolicyCommand : WaCmdlet
    {
        private readonly List<PolEntry> _entries = new List<PolEntry>();
        private bool _failed;

        /// <summary><para type="description">The Registry.pol file to write.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary><para type="description">Entries to write, in order.</para></summary>
        [Parameter(ValueFromPipeline = true, Position = 1)]
        [AllowEmptyCollection]
        public object[]? InputObject { get; set; }

        /// <summary><para type="description">Do not overwrite an existing file.</para></summary>
        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        /// <summary><para type="description">Write the file's FileInfo to the pipeline.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void Process()
        {
            if (InputObject == null) return;
            foreach (var o in InputObject)
            {
                try { _entries.Add(RegistryPolicyInput.ToEntry(o)); }
                catch (WaHardeningException e) { _failed = true; Report(e); }
            }
        }

        protected override void End()
        {
            var file = GetUnresolvedProviderPathFromPSPath(Path);
            if (_failed)
                throw new WaHardeningException(ErrorIds.RegistryPolicyNotWritten, WaErrorCategory.InvalidData,
                    $"'{file}' was not written because some input was not a valid entry (see the errors above).", file);
            if (NoClobber && File.Exists(file))
                throw new WaHardeningException(ErrorIds.FileExists, WaErrorCategory.ResourceUnavailable, $"'{file}' exists and -NoClobber was given.", file);
            if (!ShouldProcess(file, $"Write Registry.pol with {_entries.Count} records")) return;
            WriteVerbose($"Writing Registry.pol {file} ({_entries.Count} records)");
            RegistryPolicyFile.WriteFile(file, _entries);
            if (PassThru) WriteObject(new FileInfo(file));
        }
    }
}
