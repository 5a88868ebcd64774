using System;
using System.Collections.Generic;
using System.Linq;
using WaHardening.Core.Enforcement;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Sessions;

namespace WaHardening.Core.Providers
{
    /// <summary>
    /// The read-only audit of target WebSessions (control WA-SESSION-04): every local user's browser profiles are scanned for
    /// data of the setting's origins (its value: the baseline's WhatsAppOrigins) as Get-WaWebSession does, and judged by the
    /// setting's <c>webSessions</c> section:
    /// <list type="bullet">
    /// <item>under the strict profile (SharedComputer): any stored session (Remnants included) in a profile whose browser is
    /// not running is NonCompliant;</item>
    /// <item>otherwise (Standard): a stored session (Remnants not counted: a clean exit leaves them) in a profile whose browser
    /// is not running although the clean-exit control (WA-SESSION-01) is Compliant for that browser shows an unclean exit
    /// (crash, kill, power loss): NonCompliant;</item>
    /// <item>a profile whose browser runs is in use: Compliant, noted in the reason.</item>
    /// </list>
    /// The value reported is the list of profiles found ("user browser profile: kinds"). Nothing is ever written
    /// (<see cref="CanWrite"/> is false; Set-WaHardening reports the control and points to Clear-WaWebSession).
    /// </summary>
    public sealed class WebSessionsProvider : ISettingProvider
    {
        public string Name => "WebSessions";

        public bool Serves(string target, string platform) =>
            target == Targets.WebSessions && platform != Platforms.IOS && platform != Platforms.Android;

        public bool IsPresent(string target, ProviderContext ctx, out string reason)
        {
            reason = "browser profiles of local users";
            return true;
        }

        public bool CanWrite(string target) => false;

        public ReadResult Read(SettingDefinition setting, ProviderContext ctx)
        {
            var section = setting.WebSessions ?? throw new WaHardeningException(ErrorIds.BaselineInvalid, WaErrorCategory.InvalidData,
                $"The {Targets.WebSessions} setting '{setting.Name}' has no webSessions section.", setting.Name);
            if (!(setting.Expected is JsonArray originList))
                throw new WaHardeningException(ErrorIds.BaselineInvalid, WaErrorCategory.InvalidData,
                    $"The {Targets.WebSessions} setting '{setting.Name}' must have a list of origins as its value, not {setting.Expected}.", setting.Name);
            var origins = OriginSet.Parse(originList.Items.OfType<JsonString>().Select(s => s.Value));
            var errors = new List<WaHardeningException>();
            var found = WebSessionScanner.Find(ctx, null, null, origins, errors.Add).ToList();
            var strict = ctx.AuditProfiles?.Contains(section.StrictProfile, StringComparer.OrdinalIgnoreCase) == true;

            var offending = new List<string>();
            var notes = new List<string>();
            foreach (var p in found)
            {
                var who = $"{p.User} {p.Browser} '{p.ProfileName}' ({p.ProfilePath})";
                var session = p.Kinds & ~WebStorageKinds.Remnants;
                if (p.Running)
                {
                    notes.Add($"{who}: {p.Kinds} stored, but the browser is running on it ({p.RunningEvidence}): the session is in use");
                    continue;
                }
                if (strict)
                {
                    offending.Add($"{who}: {p.Kinds} stored while the browser is not running (profile {section.StrictProfile}: nothing may outlive the browser)");
                    continue;
                }
                if (session == WebStorageKinds.None)
                {
                    notes.Add($"{who}: only deleted records still on disk ({p.Kinds})");
                    continue;
                }
                var policy = ctx.ControlStatus?.Invoke(section.CleanExitControl, p.Browser);
                if (policy == ComplianceStatus.Compliant)
                    offending.Add($"{who}: {session} stored although {section.CleanExitControl} clears it at exit and the browser is not running: " +
                        "unclean exit (crash, kill, power loss)");
                else
                    notes.Add($"{who}: {session} stored; {section.CleanExitControl} is {(policy?.ToString() ?? "not audited")} for {p.Browser}, so the browser keeps it by design");
            }
            foreach (var e in errors) offending.Add(e.Message);
            if (offending.Count == errors.Count && errors.Count > 0) throw errors[0];

            var value = new JsonArray(found.Select(p => (JsonValue)new JsonString($"{p.User} {p.Browser} {p.ProfileName}: {p.Kinds}{(p.Running ? " (running)" : "")}")));
            string reason;
            bool ok = offending.Count == 0;
            if (ok)
                reason = found.Count == 0 ? "no profile holds data of the origins"
                    : string.Join("; ", notes);
            else
                reason = string.Join("; ", offending) + (notes.Count > 0 ? "; " + string.Join("; ", notes) : "");
            return new ReadResult(value, "browser profiles of every local user") { Verdict = (ok, reason) };
        }

        public ProviderPlan Plan(IReadOnlyList<PlanItem> items, ProviderContext ctx) =>
            throw new WaHardeningException(ErrorIds.EnforcementFailed, WaErrorCategory.InvalidOperation,
                "Stored web sessions are the state of this computer, not a setting; remove them with Get-WaWebSession | Clear-WaWebSession.", Targets.WebSessions);

        public void RunPostAction(string action, ProviderContext ctx) { }
    }
}
