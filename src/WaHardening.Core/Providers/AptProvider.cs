using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Json;
using WaHardening.Core.Model;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// Debian/Ubuntu unattended upgrades, audit only: reads simple keys such as
    /// APT::Periodic::Unattended-Upgrade from the APT configuration. Order (apt.conf(5)): the files of
    /// /etc/apt/apt.conf.d in ascending name order — only names of letters, digits, '-', '_' and '.'
    /// with no extension or ".conf" — then /etc/apt/apt.conf; a later assignment wins. Syntax: scopes
    /// (APT { Periodic { … }; };), "::"-joined names, quoted values, // and /* */ comments, # lines.
    /// </summary>
    public sealed class AptProvider : ISettingProvider
    {
        public static readonly string PartsDir = Targets.Get(Targets.Apt).LinuxPolicyFolder!;
        public const string MainFile = "/etc/apt/apt.conf";
        private static readonly Regex s_partName = SafeRegex.Create(@"\A[A-Za-z0-9_.-]+\z");

        public string Name => "Apt";
        public bool Serves(string target, string platform) => platform == Platforms.Linux && target == Targets.Apt;
        public bool CanWrite(string target) => false;

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            if (Targets.Get(Targets.Apt).LinuxBinaries.FirstOrDefault(b => FileHelpers.Exists(ctx, b)) is string bin) { reason = $"APT is installed ({bin})"; return true; }
            reason = "APT is not installed (no /usr/bin/apt-get)";
            return false;
        }

        public static IEnumerable<string> ConfigFiles(ProviderContext ctx)
        {
            foreach (var f in FileHelpers.Files(ctx, PartsDir))
            {
                var name = f.Substring(f.LastIndexOf('/') + 1);
                var dot = name.LastIndexOf('.');
                if (!s_partName.IsMatch(name)) continue;
                if (dot > 0 && name.Substring(dot) != ".conf") continue;
                yield return f;
            }
            if (FileHelpers.Exists(ctx, MainFile)) yield return MainFile;
        }

        public ReadResult Read(SettingDefinition s, ProviderContext ctx)
        {
            string? value = null, from = null;
            foreach (var f in ConfigFiles(ctx))
                foreach (var (key, v) in Parse(FileHelpers.ReadText(ctx, f), f))
                    if (string.Equals(key, s.Name, StringComparison.OrdinalIgnoreCase)) { value = v; from = f; }
            var location = $"{PartsDir}: {s.Name}";
            if (value == null) return new ReadResult(null, location);
            JsonValue json = s.Type switch
            {
                Model.ValueType.Integer when long.TryParse(value, out var n) => new JsonNumber(n),
                Model.ValueType.Boolean => new JsonBoolean(value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase)),
                _ => new JsonString(value),
            };
            return new ReadResult(json, location, from);
        }

        /// <summary>The (full key, value) assignments of an apt.conf file, in order.</summary>
        public static List<(string Key, string Value)> Parse(string text, string file)
        {
            var result = new List<(string, string)>();
            var scopes = new Stack<string>();
            var i = 0;
            var line = 1;
            string? pendingKey = null;
            WaHardeningException Bad(string what) => new WaHardeningException(ErrorIds.AptConfigInvalid, WaErrorCategory.InvalidData,
                $"The APT configuration file '{file}' is malformed at line {line}: {what}.", file);
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\n') { line++; i++; continue; }
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
                {   // comment (also #include / #clear directives, which these simple keys do not need)
                    while (i < text.Length && text[i] != '\n') i++;
                    continue;
                }
                if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
                {
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    if (end < 0) throw Bad("unterminated /* comment");
                    line += text.Substring(i, end - i).Count(ch => ch == '\n');
                    i = end + 2;
                    continue;
                }
                if (c == '"')
                {
                    var end = text.IndexOf('"', i + 1);
                    if (end < 0) throw Bad("unterminated string");
                    var value = text.Substring(i + 1, end - i - 1);
                    line += value.Count(ch => ch == '\n');
                    i = end + 1;
                    var full = string.Join("::", scopes.Reverse().Concat(pendingKey != null ? new[] { pendingKey } : Array.Empty<string>()));
                    if (full.Length > 0) result.Add((full, value));
                    pendingKey = null;
                    continue;
                }
                if (c == '{')
                {
                    if (pendingKey == null) throw Bad("'{' without a name");
                    scopes.Push(pendingKey); pendingKey = null; i++;
                    continue;
                }
                if (c == '}')
                {
                    if (scopes.Count == 0) throw Bad("unbalanced '}'");
                    scopes.Pop(); i++;
                    continue;
                }
                if (c == ';') { pendingKey = null; i++; continue; }
                var sb = new StringBuilder();
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"' && text[i] != '{' && text[i] != '}' && text[i] != ';')
                    sb.Append(text[i++]);
                pendingKey = sb.ToString();
            }
            if (scopes.Count > 0) throw Bad("a '{' scope is not closed");
            return result;
        }

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx) =>
            throw new WaHardeningException(ErrorIds.NotEnforceable, WaErrorCategory.NotImplemented, "APT settings are audit-only in this module.");

        public void RunPostAction(string action, ProviderContext ctx) { }
    }
}
