using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace WaHardening.Core.Reporting
{
    /// <summary>
    /// The remediation detection script's output, version 1: one ASCII line that Intune keeps per device
    /// (preRemediationDetectionScriptOutput / postRemediationDetectionScriptOutput) and Get-WaIntuneCompliance parses back:
    /// <c>WaHardening-Detect/1 checked=N failed=F[ list=Setting,Setting…][ more=K]</c>. <c>list</c> names the settings
    /// that fail (the setting names of the script's table, letters, digits and '_'), as many as fit in
    /// <see cref="MaxLength"/> characters, Intune's limit ("The maximum allowed output size limit is 2048 characters",
    /// learn.microsoft.com/mem/analytics/remediations); <c>more</c> counts the failing settings left
    /// out, so a truncated line is never read as compliant. The script (DeviceScripts.DetectionBody) writes it; this parses it.
    /// </summary>
    public sealed class DetectionOutput
    {
        public const string Prefix = "WaHardening-Detect/1";
        public const int MaxLength = 2048;

        private static readonly Regex s_line = new Regex(@"\AWaHardening-Detect/(?<v>[0-9]+) checked=(?<c>[0-9]{1,9}) failed=(?<f>[0-9]{1,9})(?: list=(?<l>[A-Za-z0-9_]+(?:,[A-Za-z0-9_]+)*)?)?(?: more=(?<m>[0-9]{1,9}))?\z",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        public int Version { get; private set; }
        public int Checked { get; private set; }
        public int Failed { get; private set; }
        /// <summary>The failing settings named in the line.</summary>
        public IReadOnlyList<string> Listed { get; private set; } = new string[0];
        /// <summary>Failing settings that did not fit in the line (not named).</summary>
        public int More { get; private set; }
        public bool Truncated => More > 0;

        /// <summary>The last line of <paramref name="text"/> in this format, or null when there is none (another
        /// script's output, an older export's, text cut by something else: the caller reports that, never "compliant").</summary>
        public static DetectionOutput? Parse(string? text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            var lines = text!.Replace("\r", "").Split('\n');
            for (var i = lines.Length - 1; i >= 0; i--)
            {
                var line = lines[i].Trim();
                if (line.Length == 0) continue;
                var m = s_line.Match(line);
                if (!m.Success || m.Groups["v"].Value != "1") return null;
                var r = new DetectionOutput
                {
                    Version = 1,
                    Checked = int.Parse(m.Groups["c"].Value, CultureInfo.InvariantCulture),
                    Failed = int.Parse(m.Groups["f"].Value, CultureInfo.InvariantCulture),
                    Listed = m.Groups["l"].Success ? m.Groups["l"].Value.Split(',') : new string[0],
                    More = m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : 0,
                };
                // Self-consistent or not ours: every failing setting is either listed or counted in more=.
                if (r.Listed.Count + r.More != r.Failed || r.Failed > r.Checked) return null;
                return r;
            }
            return null;
        }

        /// <summary>The line the detection script writes for these failing settings (the same truncation rule; for tests
        /// and the stand-in's devices).</summary>
        public static string Format(int checkedCount, IReadOnlyList<string> failing, int maxLength = MaxLength)
        {
            var line = Prefix + " checked=" + checkedCount.ToString(CultureInfo.InvariantCulture) + " failed=" + failing.Count.ToString(CultureInfo.InvariantCulture);
            if (failing.Count == 0) return line;
            line += " list=";
            var shown = 0;
            foreach (var f in failing)
            {
                var sep = shown > 0 ? "," : "";
                var rest = failing.Count - shown - 1;
                var tail = rest > 0 ? " more=" + rest.ToString(CultureInfo.InvariantCulture) : "";
                if (line.Length + sep.Length + f.Length + tail.Length > maxLength) break;
                line += sep + f;
                shown++;
            }
            if (shown < failing.Count) line += " more=" + (failing.Count - shown).ToString(CultureInfo.InvariantCulture);
            return line;
        }
    }
}
