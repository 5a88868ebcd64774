using System;
using System.Collections.Generic;
using System.Linq;
using WaHardening.Core.Json;

namespace WaHardening.Core.Model
{
    public enum Severity { Low, Medium, High, Critical }

    /// <summary>Value types a setting or parameter can take.</summary>
    public enum ValueType { Boolean, Integer, String, StringList }

    /// <summary>
    /// How an actual value is judged against the expected one ("stricter wins"):
    /// Equal — the same value; Superset — a list holding at least the expected items;
    /// AtMost / AtLeast — a number no larger / no smaller (within the setting's Minimum/Maximum);
    /// OneOf — any value in the setting's Accept list (the expected value is what Set writes).
    /// </summary>
    public enum Comparison { Equal, Superset, AtMost, AtLeast, OneOf }

    public sealed class ProfileDefinition
    {
        public ProfileDefinition(string name, string description, IReadOnlyList<string> includes)
        { Name = name; Description = description; Includes = includes; }

        public string Name { get; }
        public string Description { get; }
        /// <summary>Profiles whose controls this profile also applies (SharedComputer includes Standard).</summary>
        public IReadOnlyList<string> Includes { get; }
        public override string ToString() => Name;
    }

    public sealed class ParameterDefinition
    {
        public ParameterDefinition(string name, ValueType type, JsonValue @default, string description,
            long? minimum, long? maximum, int? minItems, string? pattern)
        {
            Name = name; Type = type; Default = @default; Description = description;
            Minimum = minimum; Maximum = maximum; MinItems = minItems; Pattern = pattern;
        }

        public string Name { get; }
        public ValueType Type { get; }
        public JsonValue Default { get; }
        public string Description { get; }
        public long? Minimum { get; }
        public long? Maximum { get; }
        public int? MinItems { get; }
        /// <summary>Regular expression every string (or list item) must match.</summary>
        public string? Pattern { get; }
        public override string ToString() => Name;
    }

    /// <summary>
    /// Where a setting's value comes from: a literal, or a baseline parameter optionally scaled
    /// (multiply, then integer-divide) and rounded down to the largest allowed choice.
    /// </summary>
    public sealed class ValueSpec
    {
        public ValueSpec(JsonValue? literal, string? parameter, long multiply, long divide, IReadOnlyList<long>? floorTo)
        { Literal = literal; Parameter = parameter; Multiply = multiply; Divide = divide; FloorTo = floorTo; }

        public JsonValue? Literal { get; }
        public string? Parameter { get; }
        public long Multiply { get; }
        public long Divide { get; }
        public IReadOnlyList<long>? FloorTo { get; }

        public override string ToString() =>
            Parameter == null ? Literal?.ToString() ?? "" :
            "{" + Parameter + (Multiply != 1 ? $" * {Multiply}" : "") + (Divide != 1 ? $" / {Divide}" : "") + "}";
    }

    /// <summary>One setting of a control, for one target, with what it must be and where it lives.</summary>
    public sealed class SettingDefinition
    {
        internal SettingDefinition(JsonObject raw, string target, string name, ValueType type, ValueSpec value,
            Comparison comparison, long? minimum, long? maximum, IReadOnlyList<JsonValue> accept, string source, bool enforce, string? note,
            JsonValue? @default, IReadOnlyList<string>? platforms = null, string? elsewhere = null)
        {
            Raw = raw; Target = target; Name = name; Type = type; Value = value; Comparison = comparison;
            Minimum = minimum; Maximum = maximum; Accept = accept; Source = source; Enforce = enforce; Note = note; Default = @default;
            Platforms = platforms; Elsewhere = elsewhere;
            Expected = JsonNull.Instance;
        }

        public string Target { get; }
        /// <summary>The name in the target's namespace: Chrome policy name, Firefox policy path (dotted), dconf key path, payload key…</summary>
        public string Name { get; }
        public ValueType Type { get; }
        public ValueSpec Value { get; }
        public Comparison Comparison { get; }
        /// <summary>Lowest value that still counts (e.g. 1 for timeouts where 0 means "never").</summary>
        public long? Minimum { get; }
        public long? Maximum { get; }
        public IReadOnlyList<JsonValue> Accept { get; }
        /// <summary>Primary source (URL) that documents this setting.</summary>
        public string Source { get; }
        /// <summary>False for audit-only settings (Set-WaHardening reports but does not write them).</summary>
        public bool Enforce { get; }
        public string? Note { get; }
        /// <summary>The value the target uses when the setting is not configured (judged in its place); null when absence is not compliant.</summary>
        public JsonValue? Default { get; }

        /// <summary>
        /// The platforms on which the target reads this setting, when fewer than the target's own (e.g. Chrome's
        /// BackgroundModeEnabled: Windows and Linux, per its supported_on); null = every platform of the target.
        /// Audit, enforcement and every export leave the setting out elsewhere.
        /// </summary>
        public IReadOnlyList<string>? Platforms { get; }
        /// <summary>With <see cref="Platforms"/>: why the setting does not exist on the other platforms and what achieves
        /// the control there (shown in reports for those platforms).</summary>
        public string? Elsewhere { get; }

        /// <summary>True when the setting exists for its target on <paramref name="platform"/>.</summary>
        public bool AppliesOn(string platform) =>
            Platforms == null || Platforms.Any(p => string.Equals(p, platform, StringComparison.OrdinalIgnoreCase));

        /// <summary>The value in effect for the bound parameters.</summary>
        public JsonValue Expected { get; private set; }

        /// <summary>The setting's JSON object as written in the baseline (the loader's input; nothing else reads it).</summary>
        internal JsonObject Raw { get; }

        /// <summary>The per-target sections, validated and typed by the loader (Model/Sections.cs).</summary>
        public SettingSections Sections { get; internal set; } = SettingSections.None;
        public RegistrySection? Registry => Sections.Registry;
        public DconfSection? Dconf => Sections.Dconf;
        public MacPayloadSection? MacOS => Sections.MacOS;
        public IntuneSection? Intune => Sections.Intune;
        public ComplianceSection? Compliance => Sections.Compliance;
        public AptSection? Apt => Sections.Apt;
        public FirefoxPreferenceSection? FirefoxPreference => Sections.FirefoxPreference;
        public WebSessionsSection? WebSessions => Sections.WebSessions;
        public string? OmaUri => Sections.OmaUri;
        public string? AdmxData => Sections.AdmxData;

        internal SettingDefinition Bind(JsonValue expected)
        {
            var s = (SettingDefinition)MemberwiseClone();
            s.Expected = expected;
            return s;
        }

        public override string ToString() => $"{Target}:{Name}";
    }

    /// <summary>A hardening control: one recommendation, rendered to every target it names.</summary>
    public sealed class Control
    {
        internal Control(string id, string title, string category, Severity severity, string rationale, string? guidance,
            bool advisory, IReadOnlyList<string> profiles, IReadOnlyList<SettingDefinition> settings,
            IReadOnlyList<string> references, string sourceFile)
        {
            Id = id; Title = title; Category = category; Severity = severity; Rationale = rationale; Guidance = guidance;
            Advisory = advisory; Profiles = profiles; Settings = settings; References = references; SourceFile = sourceFile;
            Targets = settings.Select(s => s.Target).Distinct(StringComparer.Ordinal).ToArray();
            if (Targets.Count == 0 && advisory) Targets = new[] { Model.Targets.Guidance };
            Platforms = Targets.SelectMany(t => Model.Targets.Find(t)?.Platforms ?? Array.Empty<string>())
                .Distinct().OrderBy(p => Model.Platforms.All.ToList().IndexOf(p)).ToArray();
            ParameterNames = settings.Select(s => s.Value.Parameter).Where(p => p != null).Distinct().ToArray()!;
            Parameters = new Dictionary<string, object?>();
        }

        public string Id { get; }
        public string Title { get; }
        public string Category { get; }
        public Severity Severity { get; }
        public string Rationale { get; }
        /// <summary>What a person should do; the only content of an advisory control.</summary>
        public string? Guidance { get; }
        /// <summary>Advisory controls cannot be enforced on an endpoint; they are never reported Compliant.</summary>
        public bool Advisory { get; }
        public IReadOnlyList<string> Profiles { get; }
        public IReadOnlyList<string> Platforms { get; }
        public IReadOnlyList<string> Targets { get; }
        public IReadOnlyList<string> ParameterNames { get; }
        /// <summary>The parameters this control uses, with the values in effect.</summary>
        public IReadOnlyDictionary<string, object?> Parameters { get; private set; }
        public IReadOnlyList<SettingDefinition> Settings { get; private set; }
        public IReadOnlyList<string> References { get; }
        public string SourceFile { get; }

        internal Control Bind(IReadOnlyDictionary<string, object?> parameters, IReadOnlyList<SettingDefinition> settings)
        {
            var c = (Control)MemberwiseClone();
            c.Parameters = parameters;
            c.Settings = settings;
            return c;
        }

        public override string ToString() => Id;
    }

    /// <summary>A loaded, validated baseline with its parameter values bound.</summary>
    public sealed class Baseline
    {
        internal Baseline(string name, string version, int schemaVersion, string sourcePath,
            IReadOnlyList<ProfileDefinition> profiles, IReadOnlyList<ParameterDefinition> parameters,
            IReadOnlyList<Control> controls, IReadOnlyDictionary<string, JsonValue> parameterValues)
        {
            Name = name; Version = version; SchemaVersion = schemaVersion; SourcePath = sourcePath;
            Profiles = profiles; ParameterDefinitions = parameters; Controls = controls; ParameterValues = parameterValues;
        }

        public string Name { get; }
        public string Version { get; }
        public int SchemaVersion { get; }
        public string SourcePath { get; }
        public IReadOnlyList<ProfileDefinition> Profiles { get; }
        public IReadOnlyList<ParameterDefinition> ParameterDefinitions { get; }
        public IReadOnlyList<Control> Controls { get; }
        public IReadOnlyDictionary<string, JsonValue> ParameterValues { get; }

        public ProfileDefinition? FindProfile(string name) =>
            Profiles.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The profile and every profile it includes, transitively.</summary>
        public IReadOnlyCollection<string> ExpandProfile(string name)
        {
            var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var stack = new Stack<string>();
            stack.Push(name);
            while (stack.Count > 0)
            {
                var p = FindProfile(stack.Pop());
                if (p == null || !result.Add(p.Name)) continue;
                foreach (var i in p.Includes) stack.Push(i);
            }
            return result;
        }

        /// <summary>The profile used when none is named: <c>Standard</c> (every cmdlet that selects controls, the warm-up).</summary>
        public const string DefaultProfile = "Standard";

        /// <summary>The profile of that name; ProfileNotFound (naming the baseline and its profiles) when there is none.</summary>
        public ProfileDefinition RequireProfile(string name) =>
            FindProfile(name) ?? throw new WaHardeningException(ErrorIds.ProfileNotFound, WaErrorCategory.ObjectNotFound,
                $"The baseline '{SourcePath}' has no profile '{name}'. Profiles: {string.Join(", ", Profiles.Select(p => p.Name))}.", name);

        /// <summary>The one rule for which profile a command works on: the one named (ProfileNotFound when unknown), or,
        /// when none is named, <see cref="DefaultProfile"/> if the baseline defines it, else null (every control).</summary>
        public ProfileDefinition? SelectProfile(string? name) => name != null ? RequireProfile(name) : FindProfile(DefaultProfile);

        /// <summary>The controls of <see cref="SelectProfile"/>'s profile (every control when it is null).</summary>
        public IReadOnlyList<Control> SelectControls(ProfileDefinition? profile) =>
            profile == null ? Controls : ControlsFor(profile.Name).ToList();

        /// <summary>Controls that apply under a profile (including the profiles it includes).</summary>
        public IEnumerable<Control> ControlsFor(string profile)
        {
            RequireProfile(profile);
            var set = ExpandProfile(profile);
            return Controls.Where(c => c.Profiles.Any(set.Contains));
        }

        /// <summary>Returns the baseline with parameter values overridden (validated against their bounds).</summary>
        public Baseline WithParameters(IReadOnlyDictionary<string, object?>? overrides) =>
            overrides == null || overrides.Count == 0 ? this : BaselineBinder.Bind(this, overrides);
    }
}
