using System.Management.Automation;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Rendering;

namespace WaHardening.Commands
{
    /// <summary>
    /// <para type="synopsis">Creates a checked Registry.pol entry.</para>
    /// <para type="description">Builds one record for Export-WaRegistryPolicy. The key is below the hive (no HKLM\: the
    /// Machine or User file picks the hive), the value name is at most 259 characters, the data fits the type
    /// (REG_DWORD: a number; REG_MULTI_SZ: a list of strings; REG_BINARY: bytes) and at most 65535 bytes.
    /// Use -DeleteAllValues for the **delvals. record that list policies start with, or a value name such as
    /// **del.NAME for the other control codes.</para>
    /// </summary>
    /// <example>
    ///   <code>New-WaRegistryPolicyEntry -Key 'Software\Policies\Google\Chrome' -ValueName IncognitoModeAvailability -Type DWord -Data 1</code>
    ///   <para>A REG_DWORD record.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "WaRegistryPolicyEntry", DefaultParameterSetName = "Value")]
    [OutputType(typeof(PolEntry))]
    public sealed class NewWaRegistryPolicyEntryCommand : WaCmdlet
    {
        /// <summary><para type="description">Registry key below the hive.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Key { get; set; } = null!;

        /// <summary><para type="description">Value name (empty for the key's default value).</para></summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = "Value")]
        [AllowEmptyString]
        public string ValueName { get; set; } = null!;

        /// <summary><para type="description">Registry type: String, ExpandString, Binary, DWord, DWordBigEndian, MultiString, QWord, None.</para></summary>
        [Parameter(Position = 2, ValueFromPipelineByPropertyName = true, ParameterSetName = "Value")]
        public RegistryKind Type { get; set; } = RegistryKind.String;

        /// <summary><para type="description">The data.</para></summary>
        [Parameter(Position = 3, ValueFromPipelineByPropertyName = true, ParameterSetName = "Value")]
        [AllowNull]
        public object? Data { get; set; }

        /// <summary><para type="description">Create the **delvals. record (delete every value of the key first).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "DeleteAllValues")]
        public SwitchParameter DeleteAllValues { get; set; }

        protected override void Process()
        {
            if (DeleteAllValues) { WriteObject(PolEntry.DeleteAllValues(Key)); return; }
            WriteObject(PolEntry.Create(Key, ValueName, Type, RegistryPolicyInput.Normalize(Type, Unwrap(Data))));
        }
    }
}
