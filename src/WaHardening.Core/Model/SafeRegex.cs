using System;
using System.Text.RegularExpressions;

namespace WaHardening.Core.Model
{
    /// <summary>
    /// Every regular expression of the module: compiled with a match timeout (a pattern from baseline data such as
    /// <c>^(a+)+$</c> backtracks for hours on a hostile value) and matched against the whole string (so <c>$</c>, which also
    /// matches before a final "\n", can never let a trailing newline through).
    /// </summary>
    public static class SafeRegex
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

        public static Regex Create(string pattern) => new Regex(pattern, RegexOptions.CultureInvariant, Timeout);

        /// <summary>True when a match covers all of <paramref name="value"/>; throws <see cref="RegexMatchTimeoutException"/>.</summary>
        public static bool IsFullMatch(Regex regex, string value) =>
            new Regex(@"\A(?:" + regex + @")\z", regex.Options, Timeout).IsMatch(value);
    }
}
