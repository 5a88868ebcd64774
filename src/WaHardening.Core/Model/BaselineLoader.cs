using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using WaHardening.Core.Json;

namespace WaHardening.Core.Model
{
    /// <summary>One thing wrong with a baseline file, with where it is.</summary>
    public sealed class BaselineProblem
    {
        public BaselineProblem(string file, int line, int column, string? controlId, string field, string message)
        { File = file; Line = line; Column = column; ControlId = controlId; Field = field; Message = message; }

        public string File { get; }
        public int Line { get; }
        public int Column { get; }
        public string? ControlId { get; }
        /// <summary>Path of the field in the document, e.g. <c>controls[2].settings[0].compare</c>.</summary>
        public string Field { get; }
        public string Message { get; }

        public override string ToString() =>
            $"{File}:{Line}:{Column}: " + (ControlId != null ? $"control '{ControlId}', " : "") + $"{Field}: {Message}";
    }

    /// <summary>A baseline that cannot be used; <see cref="Problems"/> lists every problem found, not just the first.</summary>
    public sealed class BaselineValidationException : WaHardeningException
    {
        public BaselineValidationException(string file, IReadOnlyList<BaselineProblem> problems)
            : base(ErrorIds.BaselineInvalid, WaErrorCategory.InvalidData, BuildMessage(file, problems), file)
        { Problems = problems; }

        public IReadOnlyList<BaselineProblem> Problems { get; }

        private static string BuildMessage(string file, IReadOnlyList<BaselineProblem> problems)
        {
            var sb = new StringBuilder();
            sb.Append($"The baseline '{file}' is not valid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):");
            foreach (var p in problems) sb.Append("\n  - ").Append(p);
            return sb.ToString();
        }
    }

    /// <summary>
    /// Loads and validates a baseline file (schema in docs/baseline-schema.md). Validation collects
    /// every problem with its file, line, column, control and field before failing once.
    /// </summary>
    public static class BaselineLoader
    {
        public const int SupportedSchemaVersion = 1;

        private static readonly Regex s_controlId = SafeRegex.Create(@"\A[A-Z][A-Z0-9]*(-[A-Z0-9]+)+\z");
        private static readonly Regex s_name = SafeRegex.Create(@"\A[A-Za-z][A-Za-z0-9]*\z");
        private static readonly string[] s_registryKinds = { "REG_SZ", "REG_EXPAND_SZ", "REG_DWORD", "REG_QWORD", "REG_MULTI_SZ" };
        private static readonly ConcurrentDictionary<string, (DateTime Stamp, long Length, Baseline Baseline)> s_cache =
            new ConcurrentDictionary<string, (DateTime, long, Baseline)>(StringComparer.Ordinal);

        private static readonly ConcurrentDictionary<string, Task> s_preloads =
            new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);

        /// <summary>
        /// Starts loading <paramref name="path"/> on a thread-pool thread (the module does this for its default
        /// baseline when it is imported, so parsing and validation overlap PowerShell's own import work). A
        /// <see cref="Load"/> of the same file waits for it and then hits the cache; a failure is not kept here:
        /// that Load reads the file again and reports the problem itself.
        /// </summary>
        /// <param name="path">The baseline file.</param>
        /// <param name="then">Optional further work on the loaded baseline, run on the same thread after the
        /// baseline is released to waiting loads (so it never delays them); its exceptions are dropped.</param>
        public static void Preload(string path, Action<Baseline>? then = null)
        {
            string full;
            try { full = Path.GetFullPath(path); } catch (Exception) { return; }
            var gate = new TaskCompletionSource<bool>();
            if (!s_preloads.TryAdd(full, gate.Task)) return;
            ThreadPool.QueueUserWorkItem(_ =>
            {
                Baseline? loaded = null;
                try { loaded = LoadFile(full); }
                catch (Exception) { /* reported by the Load that needs it */ }
                finally { s_preloads.TryRemove(full, out Task _); gate.SetResult(true); }
                if (loaded == null || then == null) return;
                try { then(loaded); }
                catch (Exception) { /* best effort only */ }
            });
        }

        /// <summary>Loads a baseline, reusing the parsed result while the file is unchanged.</summary>
        public static Baseline Load(string path)
        {
            var full = Path.GetFullPath(path);
            if (s_preloads.TryGetValue(full, out var preload)) preload.Wait();
            return LoadFile(full);
        }

        private static Baseline LoadFile(string full)
        {
            FileInfo info;
            try { info = new FileInfo(full); } catch (Exception e) { throw NotFound(full, e); }
            if (!info.Exists) throw NotFound(full, null);
            if (s_cache.TryGetValue(full, out var hit) && hit.Stamp == info.LastWriteTimeUtc && hit.Length == info.Length)
                return hit.Baseline;

            string text;
            try { text = File.ReadAllText(full, new UTF8Encoding(false, true)); }
            catch (DecoderFallbackException)
            { throw new BaselineValidationException(full, new[] { new BaselineProblem(full, 1, 1, null, "(file)", "the file is not valid UTF-8 text") }); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            { throw new WaHardeningException(ErrorIds.BaselineUnreadable, WaErrorCategory.ReadError, $"Cannot read the baseline '{full}': {e.Message}", full, e); }

            var baseline = Parse(text, full);
            s_cache[full] = (info.LastWriteTimeUtc, info.Length, baseline);
            return baseline;
        }

        private static WaHardeningException NotFound(string path, Exception? e) =>
            new WaHardeningException(ErrorIds.BaselineNotFound, WaErrorCategory.ObjectNotFound, $"The baseline file '{path}' does not exist.", path, e);

        /// <summary>Parses and validates baseline text; <paramref name="file"/> names it in errors.</summary>
        public static Baseline Parse(string text, string file)
        {
            JsonValue root;
            try { root = JsonParser.Parse(text, file); }
            catch (JsonParseException e)
            { throw new BaselineValidationException(file, new[] { new BaselineProblem(file, e.Line, e.Column, null, "(syntax)", e.Reason) }); }
            return new Reader(file).ReadBaseline(root);
        }

        private sealed class Reader
        {
            private readonly string _file;
            private readonly List<BaselineProblem> _problems = new List<BaselineProblem>();
            private string? _control;

            public Reader(string file) { _file = file; }

            private void Problem(JsonValue at, string field, string message) =>
                _problems.Add(new BaselineProblem(_file, at.Line, at.Column, _control, field, message));

            private void CheckKeys(JsonObject o, string path, params string[] allowed)
            {
                foreach (var p in o.Properties)
                {
                    if (p.Key.StartsWith("$", StringComparison.Ordinal)) continue; // $schema, $comment
                    if (Array.IndexOf(allowed, p.Key) < 0)
                        Problem(p.Value, Join(path, p.Key), $"unknown field '{p.Key}' (allowed: {string.Join(", ", allowed)})");
                }
            }

            private static string Join(string path, string field) => path.Length == 0 ? field : path + "." + field;

            private JsonValue? Required(JsonObject o, string path, string field, JsonKind kind)
            {
                if (!o.TryGet(field, out var v)) { Problem(o, Join(path, field), "is required"); return null; }
                if (v.Kind != kind) { Problem(v, Join(path, field), $"must be {Describe(kind)}, not {Describe(v.Kind)}"); return null; }
                return v;
            }

            private JsonValue? Optional(JsonObject o, string path, string field, JsonKind kind)
            {
                if (!o.TryGet(field, out var v)) return null;
                if (v.Kind != kind) { Problem(v, Join(path, field), $"must be {Describe(kind)}, not {Describe(v.Kind)}"); return null; }
                return v;
            }

            private string? RequiredString(JsonObject o, string path, string field)
            {
                var v = Required(o, path, field, JsonKind.String) as JsonString;
                if (v != null && v.Value.Trim().Length == 0) { Problem(v, Join(path, field), "must not be empty"); return null; }
                return v?.Value;
            }

            private string? OptionalString(JsonObject o, string path, string field) =>
                (Optional(o, path, field, JsonKind.String) as JsonString)?.Value;

            private long? OptionalInteger(JsonObject o, string path, string field)
            {
                if (Optional(o, path, field, JsonKind.Number) is not JsonNumber n) return null;
                if (!n.TryGetInt64(out var l)) { Problem(n, Join(path, field), $"must be a whole number, not {n.Raw}"); return null; }
                return l;
            }

            private List<string> StringList(JsonObject o, string path, string field, bool required)
            {
                var result = new List<string>();
                var v = required ? Required(o, path, field, JsonKind.Array) : Optional(o, path, field, JsonKind.Array);
                if (v is not JsonArray a) return result;
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonString s) result.Add(s.Value);
                    else Problem(a[i], $"{Join(path, field)}[{i}]", $"must be a string, not {Describe(a[i].Kind)}");
                }
                return result;
            }

            private static string Describe(JsonKind k) => k switch
            {
                JsonKind.Object => "an object",
                JsonKind.Array => "an array",
                JsonKind.String => "a string",
                JsonKind.Number => "a number",
                JsonKind.Boolean => "true or false",
                _ => "null",
            };

            private T? ParseEnum<T>(JsonObject o, string path, string field, bool required, T? fallback = null) where T : struct
            {
                var s = required ? RequiredString(o, path, field) : OptionalString(o, path, field);
                if (s == null) return fallback;
                if (Enum.TryParse<T>(s, true, out var e) && !int.TryParse(s, out _)) return e;
                Problem(o[field]!, Join(path, field), $"'{s}' is not one of: {string.Join(", ", Enum.GetNames(typeof(T)).Select(Camel))}");
                return null;
            }

            private static string Camel(string s) => char.ToLowerInvariant(s[0]) + s.Substring(1);

            public Baseline ReadBaseline(JsonValue rootValue)
            {
                if (rootValue is not JsonObject root)
                {
                    Problem(rootValue, "(root)", "the baseline must be a JSON object");
                    throw new BaselineValidationException(_file, _problems);
                }
                CheckKeys(root, "", "schemaVersion", "name", "version", "description", "profiles", "parameters", "controls");
                var schema = OptionalInteger(root, "", "schemaVersion");
                if (schema == null && !root.Contains("schemaVersion")) Problem(root, "schemaVersion", "is required");
                else if (schema != null && schema != SupportedSchemaVersion)
                    Problem(root["schemaVersion"]!, "schemaVersion", $"version {schema} is not supported (this module reads version {SupportedSchemaVersion})");
                var name = RequiredString(root, "", "name") ?? "";
                var version = RequiredString(root, "", "version") ?? "";

                var profiles = ReadProfiles(root);
                var parameters = ReadParameters(root);
                var controls = ReadControls(root, profiles, parameters);
                CheckWebSessionReferences(controls, profiles);

                if (_problems.Count > 0) throw new BaselineValidationException(_file, _problems);

                var values = parameters.ToDictionary(p => p.Name, p => p.Default, StringComparer.OrdinalIgnoreCase);
                var unbound = new Baseline(name, version, (int)(schema ?? SupportedSchemaVersion), _file, profiles, parameters, controls, values);
                return BaselineBinder.Bind(unbound, null); // every default was rendered once in ReadSetting
            }

            /// <summary>A <c>webSessions</c> section names a profile and a control of this baseline (its control: a browser one).</summary>
            private void CheckWebSessionReferences(List<Control> controls, List<ProfileDefinition> profiles)
            {
                // Checked on a baseline without other problems only: a control dropped for another problem is not "unknown".
                if (_problems.Count > 0) return;
                foreach (var c in controls)
                    foreach (var s in c.Settings)
                    {
                        if (s.WebSessions is not WebSessionsSection ws || s.Raw["webSessions"] is not JsonObject node) continue;
                        _control = c.Id;
                        if (!profiles.Any(p => string.Equals(p.Name, ws.StrictProfile, StringComparison.OrdinalIgnoreCase)))
                            Problem(node["strictProfile"]!, "webSessions.strictProfile", $"unknown profile '{ws.StrictProfile}' (defined: {string.Join(", ", profiles.Select(p => p.Name))})");
                        var other = controls.FirstOrDefault(x => string.Equals(x.Id, ws.CleanExitControl, StringComparison.OrdinalIgnoreCase));
                        if (other == null)
                            Problem(node["cleanExitControl"]!, "webSessions.cleanExitControl", $"unknown control '{ws.CleanExitControl}'");
                        else if (!other.Targets.Any(t => Targets.Find(t)?.UserDataLinux.Count > 0))
                            Problem(node["cleanExitControl"]!, "webSessions.cleanExitControl", $"control '{other.Id}' has no browser setting (targets: {string.Join(", ", other.Targets)})");
                    }
                _control = null;
            }

            private List<ProfileDefinition> ReadProfiles(JsonObject root)
            {
                var list = new List<ProfileDefinition>();
                if (Required(root, "", "profiles", JsonKind.Object) is not JsonObject profiles) return list;
                if (profiles.Count == 0) Problem(profiles, "profiles", "at least one profile is required");
                foreach (var p in profiles.Properties)
                {
                    var path = $"profiles.{p.Key}";
                    if (!s_name.IsMatch(p.Key)) Problem(p.Value, path, $"profile name '{p.Key}' must be letters and digits, starting with a letter");
                    if (p.Value is not JsonObject po) { Problem(p.Value, path, "must be an object"); continue; }
                    CheckKeys(po, path, "description", "includes");
                    var description = RequiredString(po, path, "description") ?? "";
                    var includes = StringList(po, path, "includes", required: false);
                    list.Add(new ProfileDefinition(p.Key, description, includes));
                }
                foreach (var p in list)
                    foreach (var inc in p.Includes)
                        if (!list.Any(x => string.Equals(x.Name, inc, StringComparison.OrdinalIgnoreCase)))
                            Problem(((JsonObject)profiles[p.Name]!)["includes"]!, $"profiles.{p.Name}.includes", $"includes unknown profile '{inc}'");
                return list;
            }

            private List<ParameterDefinition> ReadParameters(JsonObject root)
            {
                var list = new List<ParameterDefinition>();
                if (Optional(root, "", "parameters", JsonKind.Object) is not JsonObject parameters) return list;
                foreach (var p in parameters.Properties)
                {
                    var path = $"parameters.{p.Key}";
                    if (!s_name.IsMatch(p.Key)) Problem(p.Value, path, $"parameter name '{p.Key}' must be letters and digits, starting with a letter");
                    if (p.Value is not JsonObject po) { Problem(p.Value, path, "must be an object"); continue; }
                    CheckKeys(po, path, "type", "default", "description", "minimum", "maximum", "minItems", "pattern");
                    var type = ParseEnum<ValueType>(po, path, "type", true);
                    var description = RequiredString(po, path, "description") ?? "";
                    var min = OptionalInteger(po, path, "minimum");
                    var max = OptionalInteger(po, path, "maximum");
                    var minItems = OptionalInteger(po, path, "minItems");
                    var pattern = OptionalString(po, path, "pattern");
                    if (pattern != null)
                    {
                        try { _ = SafeRegex.Create(pattern); }
                        catch (ArgumentException e) { Problem(po["pattern"]!, path + ".pattern", $"is not a valid regular expression: {e.Message}"); pattern = null; }
                    }
                    if (min != null && max != null && min > max) Problem(po, path, $"minimum {min} is greater than maximum {max}");
                    if (!po.TryGet("default", out var def)) { Problem(po, path + ".default", "is required"); continue; }
                    if (type == null) continue;
                    var pd = new ParameterDefinition(p.Key, type.Value, def, description, min, max, (int?)minItems, pattern);
                    var error = ParameterValues.Check(pd, def);
                    if (error != null) Problem(def, path + ".default", error);
                    list.Add(pd);
                }
                return list;
            }

            private List<Control> ReadControls(JsonObject root, List<ProfileDefinition> profiles, List<ParameterDefinition> parameters)
            {
                var list = new List<Control>();
                if (Required(root, "", "controls", JsonKind.Array) is not JsonArray controls) return list;
                var seen = new Dictionary<string, JsonValue>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < controls.Count; i++)
                {
                    var path = $"controls[{i}]";
                    _control = null;
                    if (controls[i] is not JsonObject co) { Problem(controls[i], path, "must be an object"); continue; }
                    var id = RequiredString(co, path, "id");
                    _control = id;
                    if (id != null)
                    {
                        if (!s_controlId.IsMatch(id)) Problem(co["id"]!, path + ".id", $"'{id}' must be upper-case words joined by '-', e.g. WA-SESSION-01");
                        if (seen.TryGetValue(id, out var first)) Problem(co["id"]!, path + ".id", $"duplicate id (first used at line {first.Line})");
                        else seen[id] = co["id"]!;
                    }
                    var c = ReadControl(co, path, id ?? $"#{i}", profiles, parameters);
                    if (c != null) list.Add(c);
                }
                _control = null;
                return list;
            }

            private Control? ReadControl(JsonObject co, string path, string id, List<ProfileDefinition> profiles, List<ParameterDefinition> parameters)
            {
                CheckKeys(co, path, "id", "title", "category", "severity", "rationale", "guidance", "advisory", "profiles", "settings", "references");
                var title = RequiredString(co, path, "title");
                var category = RequiredString(co, path, "category");
                if (category != null && !s_name.IsMatch(category)) Problem(co["category"]!, path + ".category", $"'{category}' must be one word of letters and digits");
                var severity = ParseEnum<Severity>(co, path, "severity", true);
                var rationale = RequiredString(co, path, "rationale");
                var guidance = OptionalString(co, path, "guidance");
                var advisory = (Optional(co, path, "advisory", JsonKind.Boolean) as JsonBoolean)?.Value ?? false;
                var profileNames = StringList(co, path, "profiles", required: true);
                if (co["profiles"] is JsonArray pa && pa.Count == 0) Problem(pa, path + ".profiles", "must name at least one profile");
                foreach (var pn in profileNames)
                    if (!profiles.Any(p => string.Equals(p.Name, pn, StringComparison.OrdinalIgnoreCase)))
                        Problem(co["profiles"]!, path + ".profiles", $"unknown profile '{pn}' (defined: {string.Join(", ", profiles.Select(p => p.Name))})");
                var references = StringList(co, path, "references", required: false);

                var settings = new List<SettingDefinition>();
                var settingsValue = Optional(co, path, "settings", JsonKind.Array) as JsonArray;
                if (advisory)
                {
                    if (guidance == null) Problem(co, path + ".guidance", "is required for an advisory control");
                    if (settingsValue != null && settingsValue.Count > 0)
                        Problem(settingsValue, path + ".settings", "an advisory control carries guidance only, no settings");
                }
                else if (settingsValue == null)
                {
                    if (!co.Contains("settings")) Problem(co, path + ".settings", "is required (or mark the control \"advisory\": true)");
                }
                else
                {
                    if (settingsValue.Count == 0) Problem(settingsValue, path + ".settings", "must hold at least one setting");
                    for (var j = 0; j < settingsValue.Count; j++)
                    {
                        var s = ReadSetting(settingsValue[j], $"{path}.settings[{j}]", parameters);
                        if (s != null) settings.Add(s);
                    }
                    // One setting per place: a target's setting name, or for a compliance target the Graph type it belongs to
                    // (Android has a work-profile, a corporate-owned and an AOSP policy, each with passwordRequired).
                    var dup = settings.GroupBy(s => s.Target + "|" + (s.Compliance?.ODataType ?? "") + "|" + s.Name,
                        StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
                    if (dup != null) Problem(settingsValue, path + ".settings", $"setting '{dup.First().Name}' for target {dup.First().Target} appears more than once");
                }

                if (title == null || category == null || severity == null || rationale == null) return null;
                return new Control(id, title, category, severity.Value, rationale, guidance, advisory, profileNames, settings, references, _file);
            }

            private SettingDefinition? ReadSetting(JsonValue value, string path, List<ParameterDefinition> parameters)
            {
                if (value is not JsonObject so) { Problem(value, path, "must be an object"); return null; }
                var problemsBefore = _problems.Count;
                CheckKeys(so, path, "target", "name", "type", "value", "compare", "minimum", "maximum", "accept", "default", "source", "enforce", "note",
                    "registry", "dconf", "macos", "intune", "omaUri", "admxData", "compliance", "apt", "firefoxPreference", "platforms", "elsewhere", "webSessions");
                var targetName = RequiredString(so, path, "target");
                TargetInfo? target = null;
                if (targetName != null)
                {
                    target = Targets.Find(targetName);
                    if (target == null || target.Name == Targets.Guidance)
                        Problem(so["target"]!, path + ".target", $"unknown target '{targetName}' (known: {string.Join(", ", Targets.All.Where(t => t.Name != Targets.Guidance).Select(t => t.Name))})");
                }
                var name = RequiredString(so, path, "name");
                var type = ParseEnum<ValueType>(so, path, "type", true);
                var compare = ParseEnum<Comparison>(so, path, "compare", false, Comparison.Equal);
                var minimum = OptionalInteger(so, path, "minimum");
                var maximum = OptionalInteger(so, path, "maximum");
                var source = RequiredString(so, path, "source");
                if (source != null && !(source.StartsWith("https://", StringComparison.Ordinal) || source.StartsWith("http://", StringComparison.Ordinal)))
                    Problem(so["source"]!, path + ".source", $"'{source}' must be the URL of the primary source documenting the setting");
                var enforce = (Optional(so, path, "enforce", JsonKind.Boolean) as JsonBoolean)?.Value ?? true;
                var note = OptionalString(so, path, "note");

                if (target != null)
                    foreach (var req in target.RequiredFields)
                        if (!so.Contains(req)) Problem(so, Join(path, req), $"is required for target {target.Name}");
                var (platforms, elsewhere) = ReadPlatforms(so, path, target);

                if (type != null && compare != null)
                {
                    if (compare == Comparison.Superset && type != ValueType.StringList)
                        Problem(so["compare"]!, path + ".compare", "'superset' applies to stringList settings only");
                    if ((compare == Comparison.AtMost || compare == Comparison.AtLeast) && type != ValueType.Integer)
                        Problem(so["compare"]!, path + ".compare", $"'{Camel(compare.Value.ToString())}' applies to integer settings only");
                }
                var accept = new List<JsonValue>();
                if (Optional(so, path, "accept", JsonKind.Array) is JsonArray acc)
                {
                    if (compare != Comparison.OneOf) Problem(acc, path + ".accept", "is only used with \"compare\": \"oneOf\"");
                    for (var k = 0; k < acc.Count; k++)
                    {
                        if (type != null && ParameterValues.CheckType(type.Value, acc[k]) is string err) Problem(acc[k], $"{path}.accept[{k}]", err);
                        accept.Add(acc[k]);
                    }
                }
                else if (compare == Comparison.OneOf) Problem(so, path + ".accept", "is required with \"compare\": \"oneOf\"");

                JsonValue? defaultValue = null;
                if (so.TryGet("default", out var dv))
                {
                    if (type != null && ParameterValues.CheckType(type.Value, dv) is string derr) Problem(dv, path + ".default", derr);
                    else defaultValue = dv;
                }
                ValidateSections(so, path, target, type);
                if (name != null && target != null && NameGrammar.SettingName(target.Name, name, so.Contains("firefoxPreference")) is string bad)
                    Problem(so["name"]!, path + ".name", bad);
                var spec = ReadValue(so, path, type, parameters);
                if (targetName == null || target == null || name == null || type == null || compare == null || source == null || spec == null) return null;
                if (compare == Comparison.OneOf && spec.Literal != null && !accept.Any(a => a.DeepEquals(spec.Literal)))
                    Problem(so["value"]!, path + ".value", "the value Set writes must itself be in \"accept\"");
                var setting = new SettingDefinition(so, target.Name, name, type.Value, spec, compare.Value, minimum, maximum, accept, source, enforce, note, defaultValue,
                    platforms, elsewhere);
                if (_problems.Count == problemsBefore)
                {
                    setting.Sections = ReadSections(so);
                    RenderDefault(setting, so, path, parameters);
                }
                return setting;
            }

            /// <summary>
            /// A parameter default the setting cannot render (e.g. scaled below every <c>floorTo</c> choice) is a baseline bug:
            /// reported here, at the setting's value, with every other problem. Only a setting without other problems is
            /// rendered, and only from a default that is itself valid (an invalid one is reported at the parameter).
            /// </summary>
            private void RenderDefault(SettingDefinition setting, JsonObject so, string path, List<ParameterDefinition> parameters)
            {
                var pd = setting.Value.Parameter == null ? null
                    : parameters.FirstOrDefault(p => string.Equals(p.Name, setting.Value.Parameter, StringComparison.OrdinalIgnoreCase));
                if (pd == null || ParameterValues.Check(pd, pd.Default) != null) return;
                var values = new Dictionary<string, JsonValue>(StringComparer.OrdinalIgnoreCase) { [pd.Name] = pd.Default };
                try { BaselineBinder.Resolve(setting, values, _control ?? ""); }
                catch (BaselineParameterException e) { Problem(so["value"]!, path + ".value", $"the default cannot be rendered: {e.Message}"); }
            }

            /// <summary>
            /// <c>platforms</c>: the platforms of the target on which the setting exists (a non-empty subset of the target's
            /// own, no repeats, not all of them); <c>elsewhere</c>: required with it, what achieves the control on the others.
            /// </summary>
            private (IReadOnlyList<string>? Platforms, string? Elsewhere) ReadPlatforms(JsonObject so, string path, TargetInfo? target)
            {
                var elsewhere = OptionalString(so, path, "elsewhere");
                if (!so.Contains("platforms"))
                {
                    if (so.Contains("elsewhere")) Problem(so["elsewhere"]!, path + ".elsewhere", "is only used with \"platforms\"");
                    return (null, null);
                }
                StringList(so, path, "platforms", required: true); // reports non-string items
                if (so["platforms"] is not JsonArray arr) return (null, null);
                var list = new List<string>();
                for (var i = 0; i < arr.Count; i++)
                {
                    if (arr[i] is not JsonString name) continue;
                    var p = Platforms.Normalize(name.Value);
                    if (p == null) { Problem(arr[i], $"{path}.platforms[{i}]", $"unknown platform '{name.Value}' (known: {string.Join(", ", Platforms.All)})"); continue; }
                    if (target != null && !target.Platforms.Contains(p))
                    { Problem(arr[i], $"{path}.platforms[{i}]", $"target {target.Name} does not run on {p} (it runs on {string.Join(", ", target.Platforms)})"); continue; }
                    if (list.Contains(p)) { Problem(arr[i], $"{path}.platforms[{i}]", $"'{p}' is listed twice"); continue; }
                    list.Add(p);
                }
                if (arr.Count == 0) Problem(arr, path + ".platforms", "must name at least one platform (leave the setting out instead)");
                else if (target != null && list.Count == target.Platforms.Count)
                    Problem(arr, path + ".platforms", $"names every platform of target {target.Name}: leave \"platforms\" out");
                if (elsewhere == null && !so.Contains("elsewhere"))
                    Problem(so["platforms"]!, path + ".elsewhere", "is required with \"platforms\": say why the setting does not exist on the other platforms and what achieves the control there");
                else if (elsewhere != null && elsewhere.Trim().Length == 0) Problem(so["elsewhere"]!, path + ".elsewhere", "must not be empty");
                return (list, elsewhere);
            }

            private void ValidateSections(JsonObject so, string path, TargetInfo? target, ValueType? type)
            {
                if (Optional(so, path, "registry", JsonKind.Object) is JsonObject reg)
                {
                    var rp = path + ".registry";
                    CheckKeys(reg, rp, "hive", "key", "value", "kind");
                    var hive = RequiredString(reg, rp, "hive");
                    if (hive != null && hive != "HKLM" && hive != "HKCU") Problem(reg["hive"]!, rp + ".hive", $"'{hive}' must be HKLM or HKCU");
                    var key = RequiredString(reg, rp, "key");
                    if (key != null && (key.StartsWith("HK", StringComparison.OrdinalIgnoreCase) || key.StartsWith("\\", StringComparison.Ordinal)))
                        Problem(reg["key"]!, rp + ".key", $"'{key}' must be a path below the hive, without the hive prefix or a leading '\\'");
                    if (key != null && NameGrammar.RegistryKey(key) is string badKey) Problem(reg["key"]!, rp + ".key", badKey);
                    var valueName = RequiredString(reg, rp, "value");
                    if (valueName != null && NameGrammar.RegistryValue(valueName) is string badValue) Problem(reg["value"]!, rp + ".value", badValue);
                    var kind = RequiredString(reg, rp, "kind");
                    if (kind != null && Array.IndexOf(s_registryKinds, kind) < 0)
                        Problem(reg["kind"]!, rp + ".kind", $"'{kind}' is not one of {string.Join(", ", s_registryKinds)}");
                }
                if (Optional(so, path, "dconf", JsonKind.Object) is JsonObject dconf)
                {
                    CheckKeys(dconf, path + ".dconf", "type", "lock");
                    var t = RequiredString(dconf, path + ".dconf", "type");
                    if (t != null && Array.IndexOf(new[] { "boolean", "uint32", "int32", "string", "as" }, t) < 0)
                        Problem(dconf["type"]!, path + ".dconf.type", $"'{t}' is not a GVariant type this module writes (boolean, uint32, int32, string, as)");
                    Optional(dconf, path + ".dconf", "lock", JsonKind.Boolean);
                }
                if (Optional(so, path, "macos", JsonKind.Object) is JsonObject mac)
                {
                    CheckKeys(mac, path + ".macos", "payloadType", "key", "scope");
                    var payloadType = RequiredString(mac, path + ".macos", "payloadType");
                    if (payloadType != null && NameGrammar.PayloadType(payloadType) is string badType) Problem(mac["payloadType"]!, path + ".macos.payloadType", badType);
                    var plistKey = OptionalString(mac, path + ".macos", "key");
                    if (plistKey != null && NameGrammar.PlistKey(plistKey) is string badKey) Problem(mac["key"]!, path + ".macos.key", badKey);
                    // The profile's PayloadScope, i.e. the MDM channel Apple allows the payload on (System = device channel,
                    // User = user channel: the payload's devicechannel/userchannel in apple/device-management).
                    var scope = RequiredString(mac, path + ".macos", "scope");
                    if (scope != null && scope != "System" && scope != "User")
                        Problem(mac["scope"]!, path + ".macos.scope", $"'{scope}' must be System (device channel) or User (user channel)");
                }
                if (Optional(so, path, "intune", JsonKind.Object) is JsonObject intune)
                {
                    var ip = path + ".intune";
                    CheckKeys(intune, ip, "settingDefinitionId", "child", "childKind");
                    var defId = RequiredString(intune, ip, "settingDefinitionId");
                    if (defId != null && NameGrammar.IntuneId(defId) is string badId) Problem(intune["settingDefinitionId"]!, ip + ".settingDefinitionId", badId);
                    var child = OptionalString(intune, ip, "child");
                    if (child != null && NameGrammar.IntuneId(child) is string badChild) Problem(intune["child"]!, ip + ".child", badChild);
                    var childKind = OptionalString(intune, ip, "childKind");
                    if (childKind != null && childKind != "simple" && childKind != "choice")
                        Problem(intune["childKind"]!, ip + ".childKind", $"'{childKind}' is not simple or choice");
                    if (childKind != null && child == null)
                        Problem(intune["childKind"]!, ip + ".childKind", "needs a 'child' definition");
                }
                if (so.Contains("omaUri"))
                {
                    var oma = OptionalString(so, path, "omaUri");
                    if (oma != null && !oma.StartsWith("./", StringComparison.Ordinal))
                        Problem(so["omaUri"]!, path + ".omaUri", $"'{oma}' must start with './' (./Device/… or ./User/…)");
                    else if (oma != null && NameGrammar.OmaUri(oma) is string badOma) Problem(so["omaUri"]!, path + ".omaUri", badOma);
                }
                if (so.Contains("admxData"))
                {
                    var data = OptionalString(so, path, "admxData");
                    // The id of the ADMX element that carries the value: only an ADMX-backed OMA-URI ("App~Policy~Category/Policy") has one.
                    if (data != null && ((so["omaUri"] as JsonString)?.Value.IndexOf("~Policy~", StringComparison.Ordinal) ?? -1) < 0)
                        Problem(so["admxData"]!, path + ".admxData", "needs an ADMX-backed 'omaUri' (./Device/Vendor/MSFT/Policy/Config/App~Policy~Category/Policy)");
                }
                if (Optional(so, path, "compliance", JsonKind.Object) is JsonObject comp)
                {
                    CheckKeys(comp, path + ".compliance", "odataType", "property");
                    var odata = RequiredString(comp, path + ".compliance", "odataType");
                    if (odata != null && !odata.StartsWith("#microsoft.graph.", StringComparison.Ordinal))
                        Problem(comp["odataType"]!, path + ".compliance.odataType", $"'{odata}' must be a Graph type such as #microsoft.graph.iosCompliancePolicy");
                    else if (odata != null && NameGrammar.GraphType(odata) is string badOdata) Problem(comp["odataType"]!, path + ".compliance.odataType", badOdata);
                    var property = OptionalString(comp, path + ".compliance", "property");
                    if (property != null && NameGrammar.GraphProperty(property) is string badProperty) Problem(comp["property"]!, path + ".compliance.property", badProperty);
                }
                if (Optional(so, path, "apt", JsonKind.Object) is JsonObject apt)
                {
                    CheckKeys(apt, path + ".apt", "file");
                    var aptFile = OptionalString(apt, path + ".apt", "file");
                    if (aptFile != null && NameGrammar.AptFile(aptFile) is string badFile) Problem(apt["file"]!, path + ".apt.file", badFile);
                }
                if (Optional(so, path, "firefoxPreference", JsonKind.Object) is JsonObject pref)
                {
                    var pp = path + ".firefoxPreference";
                    CheckKeys(pref, pp, "status");
                    var status = RequiredString(pref, pp, "status");
                    // Only a locked preference is a baseline setting: with "default" or "user" the user can change it again.
                    if (status != null && status != "locked") Problem(pref["status"]!, pp + ".status", $"'{status}' must be \"locked\" (other statuses leave the preference to the user)");
                    if (target != null && target.Name != Targets.Firefox) Problem(pref, pp, $"applies to target Firefox only, not {target.Name}");
                    if (type == ValueType.StringList) Problem(pref, pp, "a Firefox preference is a boolean, integer or string, not a stringList");
                }
                if (Optional(so, path, "webSessions", JsonKind.Object) is JsonObject ws)
                {
                    var wp = path + ".webSessions";
                    CheckKeys(ws, wp, "strictProfile", "cleanExitControl");
                    RequiredString(ws, wp, "strictProfile");
                    RequiredString(ws, wp, "cleanExitControl");
                    if (target != null && target.Name != Targets.WebSessions) Problem(ws, wp, $"applies to target WebSessions only, not {target.Name}");
                }
                _ = target; _ = type;
            }

            /// <summary>The typed sections of a setting that passed <see cref="ValidateSections"/> (the only place that reads
            /// them from JSON; defaults are the records' own).</summary>
            private static SettingSections ReadSections(JsonObject so)
            {
                static string? Str(JsonObject? o, string key) => (o?[key] as JsonString)?.Value;
                var r = new SettingSections();
                if (so["registry"] is JsonObject reg) r.Registry = new RegistrySection(Str(reg, "hive")!, Str(reg, "key")!, Str(reg, "value")!, Str(reg, "kind")!);
                if (so["dconf"] is JsonObject dconf) r.Dconf = new DconfSection(Str(dconf, "type")!, (dconf["lock"] as JsonBoolean)?.Value);
                if (so["macos"] is JsonObject mac) r.MacOS = new MacPayloadSection(Str(mac, "payloadType")!, Str(mac, "key"), Str(mac, "scope")!);
                if (so["intune"] is JsonObject intune) r.Intune = new IntuneSection(Str(intune, "settingDefinitionId")!, Str(intune, "child"), Str(intune, "childKind"));
                if (so["compliance"] is JsonObject comp) r.Compliance = new ComplianceSection(Str(comp, "odataType")!, Str(comp, "property"));
                if (so["apt"] is JsonObject apt) r.Apt = new AptSection(Str(apt, "file"));
                if (so["firefoxPreference"] is JsonObject pref) r.FirefoxPreference = new FirefoxPreferenceSection(Str(pref, "status"));
                if (so["webSessions"] is JsonObject ws) r.WebSessions = new WebSessionsSection(Str(ws, "strictProfile")!, Str(ws, "cleanExitControl")!);
                r.OmaUri = Str(so, "omaUri");
                r.AdmxData = Str(so, "admxData");
                return r;
            }

            private ValueSpec? ReadValue(JsonObject so, string path, ValueType? type, List<ParameterDefinition> parameters)
            {
                if (!so.TryGet("value", out var v)) { Problem(so, path + ".value", "is required"); return null; }
                if (v is JsonObject vo)
                {
                    var vp = path + ".value";
                    CheckKeys(vo, vp, "param", "multiply", "divide", "floorTo");
                    var param = RequiredString(vo, vp, "param");
                    var multiply = OptionalInteger(vo, vp, "multiply") ?? 1;
                    var divide = OptionalInteger(vo, vp, "divide") ?? 1;
                    if (multiply <= 0) Problem(vo["multiply"]!, vp + ".multiply", "must be a positive whole number");
                    if (divide <= 0) Problem(vo["divide"]!, vp + ".divide", "must be a positive whole number");
                    List<long>? floorTo = null;
                    if (Optional(vo, vp, "floorTo", JsonKind.Array) is JsonArray fa)
                    {
                        floorTo = new List<long>();
                        for (var k = 0; k < fa.Count; k++)
                            if (fa[k] is JsonNumber fn && fn.TryGetInt64(out var fl)) floorTo.Add(fl);
                            else Problem(fa[k], $"{vp}.floorTo[{k}]", $"must be a whole number, not {fa[k]}");
                        floorTo.Sort();
                    }
                    if (param == null) return null;
                    var pd = parameters.FirstOrDefault(p => string.Equals(p.Name, param, StringComparison.OrdinalIgnoreCase));
                    if (pd == null) { Problem(vo["param"]!, vp + ".param", $"unknown parameter '{param}' (defined: {string.Join(", ", parameters.Select(p => p.Name))})"); return null; }
                    if (type != null && !ParameterValues.Converts(pd.Type, type.Value))
                        Problem(vo["param"]!, vp + ".param", $"parameter '{pd.Name}' is {Camel(pd.Type.ToString())} and cannot feed a {Camel(type.Value.ToString())} setting");
                    if ((multiply != 1 || divide != 1 || floorTo != null) && pd.Type != ValueType.Integer)
                        Problem(vo, vp, "multiply, divide and floorTo apply to integer parameters only");
                    return new ValueSpec(null, pd.Name, multiply, divide, floorTo);
                }
                if (type != null && ParameterValues.CheckType(type.Value, v) is string error) { Problem(v, path + ".value", error); return null; }
                return new ValueSpec(v, null, 1, 1, null);
            }
        }
    }
}
