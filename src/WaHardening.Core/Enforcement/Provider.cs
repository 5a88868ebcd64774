using System.Collections.Generic;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Enforcement
{
    /// <summary>What a provider found for one setting.</summary>
    public sealed class ReadResult
    {
        public ReadResult(JsonValue? value, string location, string? origin = null, string? problem = null)
        { Value = value; Location = location; Origin = origin; Problem = problem; }

        /// <summary>A device-state provider's own judgement (a <see cref="Model.TargetFamily.DeviceState"/> target: the state is not a
        /// value the baseline's comparison can judge); null for settings, which <see cref="Evaluation.ValueComparer"/> judges.</summary>
        public (bool Compliant, string Reason)? Verdict { get; set; }

        /// <summary>The effective value; null when not configured.</summary>
        public JsonValue? Value { get; }
        /// <summary>Where this module writes the setting (file and key, registry path, dconf key).</summary>
        public string Location { get; }
        /// <summary>Where the effective value came from when that is not <see cref="Location"/> (a foreign file, Intune's PolicyManager).</summary>
        public string? Origin { get; }
        /// <summary>A reason the value does not take effect even if it is right (key not locked, dconf profile missing the database).</summary>
        public string? Problem { get; }
    }

    /// <summary>A setting Set-WaHardening must write: what is there and what it will write ("stricter wins").</summary>
    public sealed class PlanItem
    {
        public PlanItem(string controlId, SettingDefinition setting, ReadResult before, JsonValue desired)
        { ControlId = controlId; Setting = setting; Before = before; Desired = desired; }
        public string ControlId { get; }
        public SettingDefinition Setting { get; }
        public ReadResult Before { get; }
        public JsonValue Desired { get; }
    }

    /// <summary>The writes one provider needs for a set of items, and the steps to run after them.</summary>
    public sealed class ProviderPlan
    {
        public List<WriteOperation> Operations { get; } = new List<WriteOperation>();
        public List<PostAction> PostActions { get; } = new List<PostAction>();
    }

    /// <summary>
    /// Reads and plans the settings of some targets on some platforms. Providers never write
    /// themselves: <see cref="Engine"/> applies their planned operations with backup and rollback.
    /// </summary>
    public interface ISettingProvider
    {
        string Name { get; }
        /// <summary>Whether this provider handles the target on the platform.</summary>
        bool Serves(string target, string platform);
        /// <summary>Whether the target is installed here; <paramref name="reason"/> says what was looked for.</summary>
        bool IsPresent(string target, ProviderContext ctx, out string reason);
        /// <summary>False for audit-only targets (Apt): Set reports them instead of writing.</summary>
        bool CanWrite(string target);
        /// <summary>Reads the effective value; throws <see cref="WaHardeningException"/> when the state cannot be read.</summary>
        ReadResult Read(SettingDefinition setting, ProviderContext ctx);
        /// <summary>Plans the writes for the items (all of this provider); throws before anything is written when it cannot.</summary>
        ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx);
        void RunPostAction(string action, ProviderContext ctx);
    }
}
