using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace WaHardening.Core.Sessions
{
    /// <summary>
    /// An origin whose stored data Get-/Clear-WaWebSession look for, parsed from an origin (<c>https://web.whatsapp.com</c>)
    /// or a Chromium URL pattern of the baseline's WhatsAppOrigins parameter (<c>[*.]whatsapp.com</c>: the host and every
    /// subdomain, http or https). What matches (docs/web-sessions.md):
    /// <list type="bullet">
    /// <item>storage of an origin: same scheme (either of http/https when none was given), the host (or a subdomain for
    /// <c>[*.]</c>) and the port (the scheme's default when none was given);</item>
    /// <item>a cookie: one set for the host itself (host-only <c>web.whatsapp.com</c> or <c>.web.whatsapp.com</c>), or a
    /// domain cookie of a parent domain with at least two labels (<c>.whatsapp.com</c>) — the browser sends those to the
    /// origin — and for <c>[*.]</c> any cookie of a subdomain.</item>
    /// </list>
    /// </summary>
    public sealed class WatchedOrigin
    {
        private WatchedOrigin(string text, string? scheme, string host, int? port, bool subdomains)
        { Text = text; Scheme = scheme; Host = host; Port = port; IncludesSubdomains = subdomains; }

        /// <summary>As given.</summary>
        public string Text { get; }
        /// <summary>"https", "http", or null for both.</summary>
        public string? Scheme { get; }
        /// <summary>Lower-case host.</summary>
        public string Host { get; }
        public int? Port { get; }
        public bool IncludesSubdomains { get; }

        public override string ToString() => Text;

        /// <summary>Parses an origin or pattern; throws <c>WebSessionOriginInvalid</c> naming it when it is neither.</summary>
        public static WatchedOrigin Parse(string text)
        {
            var t = (text ?? "").Trim();
            string? scheme = null;
            var rest = t;
            var sep = rest.IndexOf("://", StringComparison.Ordinal);
            if (sep >= 0)
            {
                scheme = rest.Substring(0, sep).ToLowerInvariant();
                rest = rest.Substring(sep + 3);
                if (scheme != "https" && scheme != "http") throw Invalid(text, "the scheme must be http or https");
            }
            if (rest.EndsWith("/", StringComparison.Ordinal)) rest = rest.Substring(0, rest.Length - 1);
            var sub = false;
            if (rest.StartsWith("[*.]", StringComparison.Ordinal)) { sub = true; rest = rest.Substring(4); }
            int? port = null;
            var colon = rest.LastIndexOf(':');
            if (colon >= 0)
            {
                if (!int.TryParse(rest.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p < 1 || p > 65535)
                    throw Invalid(text, "the port must be a number from 1 to 65535");
                port = p;
                rest = rest.Substring(0, colon);
            }
            var host = rest.ToLowerInvariant();
            if (host.Length == 0 || host.Length > 253 || host.StartsWith(".", StringComparison.Ordinal) || host.EndsWith(".", StringComparison.Ordinal)
                || host.Contains("..") || host.Any(c => !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' && c != '.'))
                throw Invalid(text, "the host must be a DNS name (letters, digits, '-' and '.')");
            return new WatchedOrigin(t, scheme, host, port, sub);
        }

        private static WaHardeningException Invalid(string? text, string why) => new WaHardeningException(ErrorIds.WebSessionOriginInvalid, WaErrorCategory.InvalidArgument,
            $"'{text}' is not an origin (https://host[:port]) or a host pattern ([*.]host): {why}.", text);

        private static int DefaultPort(string scheme) => scheme == "http" ? 80 : 443;

        private bool HostMatches(string host) =>
            host == Host || (IncludesSubdomains && host.EndsWith("." + Host, StringComparison.Ordinal));

        /// <summary>True when the origin scheme://host:port (port 0 or -1 = the scheme's default) is watched.</summary>
        public bool MatchesOrigin(string scheme, string host, int port)
        {
            scheme = scheme.ToLowerInvariant();
            if (scheme != "https" && scheme != "http") return false;
            if (Scheme != null && Scheme != scheme) return false;
            if (port <= 0) port = DefaultPort(scheme);
            if ((Port ?? DefaultPort(scheme)) != port) return false;
            return HostMatches(host.ToLowerInvariant());
        }

        /// <summary>True when a cookie stored under <paramref name="hostKey"/> (Chromium host_key, Firefox host) belongs to the
        /// watched origin.</summary>
        public bool MatchesCookieHost(string hostKey)
        {
            var key = hostKey.Trim().ToLowerInvariant();
            var domainCookie = key.StartsWith(".", StringComparison.Ordinal);
            var h = key.TrimStart('.');
            if (h.Length == 0) return false;
            if (HostMatches(h)) return true;
            // A domain cookie of a parent domain (at least two labels) is sent to the host.
            return domainCookie && h.IndexOf('.') > 0 && Host.EndsWith("." + h, StringComparison.Ordinal);
        }

        /// <summary>
        /// Parses a serialized origin as browsers store it: <c>https://host[:port][/]</c>, optionally followed by a partition
        /// suffix (<c>^…</c>), a path or other text; null when it is not one.
        /// </summary>
        public static (string Scheme, string Host, int Port)? ParseStoredOrigin(string s)
        {
            var sep = s.IndexOf("://", StringComparison.Ordinal);
            if (sep <= 0) return null;
            var scheme = s.Substring(0, sep).ToLowerInvariant();
            if (scheme != "https" && scheme != "http") return null;
            var i = sep + 3;
            var start = i;
            while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '-' || s[i] == '.') && s[i] < 128) i++;
            var host = s.Substring(start, i - start).ToLowerInvariant();
            if (host.Length == 0) return null;
            var port = -1;
            if (i < s.Length && s[i] == ':')
            {
                var ps = ++i;
                while (i < s.Length && s[i] >= '0' && s[i] <= '9') i++;
                if (!int.TryParse(s.Substring(ps, i - ps), NumberStyles.None, CultureInfo.InvariantCulture, out port)) return null;
            }
            return (scheme, host, port);
        }

        /// <summary>The canonical origin text (scheme://host[:port], no default port).</summary>
        public static string Serialize(string scheme, string host, int port) =>
            port <= 0 || port == DefaultPort(scheme) ? $"{scheme}://{host}" : $"{scheme}://{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>A set of watched origins.</summary>
    public sealed class OriginSet
    {
        public OriginSet(IEnumerable<WatchedOrigin> origins) { Items = origins.ToList(); }
        public static OriginSet Parse(IEnumerable<string> texts) => new OriginSet(texts.Select(WatchedOrigin.Parse));
        public IReadOnlyList<WatchedOrigin> Items { get; }

        /// <summary>The canonical origin when a stored origin string (see <see cref="WatchedOrigin.ParseStoredOrigin"/>) is watched; else null.</summary>
        public string? Match(string stored)
        {
            var o = WatchedOrigin.ParseStoredOrigin(stored);
            if (o == null) return null;
            var (s, h, p) = o.Value;
            return Items.Any(w => w.MatchesOrigin(s, h, p)) ? WatchedOrigin.Serialize(s, h, p) : null;
        }

        public bool MatchesOrigin(string scheme, string host, int port) => Items.Any(w => w.MatchesOrigin(scheme, host, port));

        /// <summary>The origin a matching cookie is reported under (https://host of the cookie), or null.</summary>
        public string? MatchCookie(string hostKey)
        {
            var w = Items.FirstOrDefault(x => x.MatchesCookieHost(hostKey));
            if (w == null) return null;
            var host = hostKey.Trim().TrimStart('.').ToLowerInvariant();
            // The watched origin itself when the cookie is its host's (its scheme and port); else the cookie's host over https.
            return !w.IncludesSubdomains && host == w.Host ? WatchedOrigin.Serialize(w.Scheme ?? "https", w.Host, w.Port ?? -1) : "https://" + host;
        }
    }
}
