using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using WaHardening.Core.Evaluation;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Providers;

namespace WaHardening.Core.Enforcement
{
    public enum ChangeAction
    {
        /// <summary>Written and verified by reading it back.</summary>
        Changed,
        /// <summary>Would be written (planned; -WhatIf).</summary>
        Planned,
        /// <summary>Not compliant, but the setting is audit-only (enforce: false) or its target cannot be written.</summary>
        NotEnforced,
        /// <summary>Written, but reading it back does not show the value taking effect (e.g. a foreign file overrides it).</summary>
        NotEffective,
        /// <summary>Put back from a backup by Undo-WaHardening.</summary>
        Restored,
    }

    /// <summary>One change Set-WaHardening made (or would make, or refused to make), or one location Undo restored.</summary>
    public sealed class ChangeRecord
    {
        public ChangeRecord(string? controlId, string? target, string? setting, string location, string? before, string? after,
            ChangeAction action, string reason, string? backupPath)
        {
            ControlId = controlId; Target = target; Setting = setting; Location = location; Before = before; After = after;
            Action = action; Reason = reason; BackupPath = backupPath;
        }

        public string? ControlId { get; }
        public string? Target { get; }
        public string? Setting { get; }
        public string Location { get; }
        /// <summary>The value before, as compact JSON (files in Undo records: their size); null when it was not there.</summary>
        public string? Before { get; }
        /// <summary>The value after (read back from the system after writing); null when not there.</summary>
        public string? After { get; }
        public ChangeAction Action { get; }
        public string Reason { get; }
        /// <summary>The backup that undoes this change (Set) or that it was restored from (Undo).</summary>
        public string? BackupPath { get; internal set; }
        public override string ToString() => $"{Action} {ControlId} {Target}:{Setting} {Before ?? "(not set)"} -> {After ?? "(not set)"}";
    }

    /// <summary>Everything Set-WaHardening is about to do, computed before anything is written.</summary>
    public sealed class EnforcementPlan
    {
        internal EnforcementPlan(List<ChangeRecord> changes, List<ChangeRecord> notEnforced, List<(ISettingProvider Provider, PlanItem Item)> items,
            List<(ISettingProvider Provider, ProviderPlan Plan)> plans)
        { Changes = changes; NotEnforced = notEnforced; Items = items; ProviderPlans = plans; }

        /// <summary>Settings that will be written (Action = Planned; After = the value to write).</summary>
        public IReadOnlyList<ChangeRecord> Changes { get; }
        /// <summary>Non-compliant settings Set will not write (audit-only).</summary>
        public IReadOnlyList<ChangeRecord> NotEnforced { get; }
        internal List<(ISettingProvider Provider, PlanItem Item)> Items { get; }
        internal List<(ISettingProvider Provider, ProviderPlan Plan)> ProviderPlans { get; }
        public IReadOnlyList<WriteOperation> Operations => ProviderPlans.SelectMany(p => p.Plan.Operations).ToList();
    }

    /// <summary>
    /// The audit and enforcement engine: reads every setting through its provider, judges it with
    /// "stricter wins", plans the writes, backs up, applies atomically with rollback, verifies, and undoes.
    /// </summary>
    public sealed class Engine
    {
        public Engine(ProviderContext context, IReadOnlyList<ISettingProvider>? providers = null)
        {
            Context = context;
            Providers = providers ?? DefaultProviders();
        }

        public ProviderContext Context { get; }
        public IReadOnlyList<ISettingProvider> Providers { get; }
        /// <summary>Used for result timestamps; replaceable in tests.</summary>
        public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.Now;

        public static IReadOnlyList<ISettingProvider> DefaultProviders() => new ISettingProvider[]
        {
            new ChromiumFileProvider(), new FirefoxFileProvider(), new DconfProvider(), new AptProvider(), new WindowsRegistryProvider(),
            new MacManagedPreferencesProvider(), new WebSessionsProvider(), new SessionCleanupProvider(),
        };

        /// <summary>The controls of the run's baseline (before any -Id filter), which <see cref="ProviderContext.ControlStatus"/>
        /// looks up during <see cref="Test"/>; null = the controls being tested.</summary>
        public IReadOnlyList<Control>? ReferenceControls { get; set; }

        private int _statusDepth;

        /// <summary>The status of control <paramref name="id"/> for <paramref name="target"/> (audited now), or null.</summary>
        private ComplianceStatus? ControlStatusOf(IReadOnlyList<Control> controls, string id, string target)
        {
            var c = (ReferenceControls ?? controls).FirstOrDefault(x => string.Equals(x.Id, id, StringComparison.OrdinalIgnoreCase));
            if (c == null || c.Advisory || !c.Targets.Contains(target, StringComparer.OrdinalIgnoreCase) || _statusDepth > 0) return null;
            _statusDepth++;
            try { return TestTarget(c, target, c.Settings.Where(s => string.Equals(s.Target, target, StringComparison.OrdinalIgnoreCase)).ToList()).Status; }
            finally { _statusDepth--; }
        }

        /// <summary>The provider's verdict (device state) or the baseline's comparison (settings).</summary>
        private static (bool Compliant, string Reason) Judge(SettingDefinition s, ReadResult r) => r.Verdict ?? ValueComparer.Judge(s, r.Value);

        // ---------------------------------------------------------------- audit

        /// <summary>Where a target stands here: the provider to use, or why it is not applicable.</summary>
        private (ISettingProvider? Provider, ComplianceStatus? Status, string Reason) Resolve(string target) => Resolve(target, out _);

        /// <summary><paramref name="fault"/>: why the target's store cannot be reached at all (then Status is Error).</summary>
        private (ISettingProvider? Provider, ComplianceStatus? Status, string Reason) Resolve(string target, out WaHardeningException? fault)
        {
            fault = null;
            var info = Targets.Find(target);
            if (Targets.IsIntuneComplianceOnly(target))
                return (null, ComplianceStatus.NotApplicable, $"{target} is an Intune compliance policy (Export-WaIntuneProfile / Publish-WaIntuneProfile); nothing to check on this computer");
            if (info != null && !info.Platforms.Contains(Context.Platform))
                return (null, ComplianceStatus.NotApplicable, $"{target} applies to {string.Join(", ", info.Platforms)}; this computer runs {Context.Platform}");
            var provider = Providers.FirstOrDefault(p => p.Serves(target, Context.Platform));
            if (provider == null)
                return (null, ComplianceStatus.Error, $"reading {target} settings on {Context.Platform} is not supported by this version of the module");
            string why;
            try
            {
                if (!provider.IsPresent(target, Context, out why))
                    return (null, ComplianceStatus.NotApplicable, why);
            }
            catch (WaHardeningException e)
            {
                // The store itself cannot be reached (no registry with -Root on Windows): this target only, as an Error.
                fault = e;
                return (null, ComplianceStatus.Error, $"{e.ErrorId}: {e.Message}");
            }
            return (provider, null, "");
        }

        /// <summary>One result per control and target.</summary>
        public IEnumerable<ComplianceResult> Test(IEnumerable<Control> controls)
        {
            var list = controls.ToList();
            Context.ControlStatus = (id, target) => ControlStatusOf(list, id, target);
            foreach (var c in list)
            {
                if (c.Advisory || c.Settings.Count == 0)
                {
                    yield return new ComplianceResult(c.Id, c.Title, c.Category, c.Severity.ToString(), Targets.Guidance, ComplianceStatus.Advisory,
                        "", null, "guidance for people; no device setting can enforce or show it", c.Guidance,
                        Array.Empty<SettingResult>(), Environment.MachineName, Clock());
                    continue;
                }
                foreach (var target in c.Targets)
                    yield return TestTarget(c, target, c.Settings.Where(s => s.Target == target).ToList());
            }
        }

        private ComplianceResult TestTarget(Control c, string target, List<SettingDefinition> all)
        {
            // A setting the target does not have on this platform ("platforms" in the baseline) is not read: it is reported
            // NotApplicable with the baseline's reason and what achieves the control here instead.
            var settings = all.Where(s => s.AppliesOn(Context.Platform)).ToList();
            var absent = all.Where(s => !s.AppliesOn(Context.Platform))
                .Select(s => new SettingResult(target, s.Name, s.Expected.ToString(), null, ComplianceStatus.NotApplicable, Elsewhere(s), null, null)).ToList();
            if (settings.Count == 0)
                return Result(c, target, ComplianceStatus.NotApplicable, all, absent, string.Join("; ", absent.Select(r => r.Reason)));
            var (provider, status, reason) = Resolve(target);
            var results = new List<SettingResult>();
            if (provider == null)
            {
                foreach (var s in settings)
                    results.Add(new SettingResult(target, s.Name, s.Expected.ToString(), null, status!.Value, reason, null, null));
                results.AddRange(absent);
                return Result(c, target, status!.Value, all, results, reason);
            }
            foreach (var s in settings)
            {
                Context.Verbose($"Reading {target} setting {s.Name} ({c.Id})");
                try
                {
                    var r = provider.Read(s, Context);
                    var (ok, why) = Judge(s, r);
                    if (ok && r.Problem != null) { ok = false; why = $"{why}, but {r.Problem}"; }
                    else if (!ok && r.Problem != null) why = $"{why}; also {r.Problem}";
                    if (r.Origin != null && r.Value != null) why += $" (set in {r.Origin})";
                    results.Add(new SettingResult(target, s.Name, s.Expected.ToString(), r.Value?.ToString(),
                        ok ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant, why, r.Location, r.Origin));
                }
                catch (WaHardeningException e)
                {
                    results.Add(new SettingResult(target, s.Name, s.Expected.ToString(), null, ComplianceStatus.Error, $"{e.ErrorId}: {e.Message}", null, null));
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    results.Add(new SettingResult(target, s.Name, s.Expected.ToString(), null, ComplianceStatus.Error, $"SettingReadFailed: {e.Message}", null, null));
                }
            }
            var overall = results.Any(r => r.Status == ComplianceStatus.Error) ? ComplianceStatus.Error
                : results.Any(r => r.Status == ComplianceStatus.NonCompliant) ? ComplianceStatus.NonCompliant
                : ComplianceStatus.Compliant;
            var summary = results.Count == 1 ? results[0].Reason
                : string.Join("; ", results.Where(r => r.Status == overall).Select(r => $"{r.Name}: {r.Reason}"));
            results.AddRange(absent);
            return Result(c, target, overall, all, results, summary);
        }

        private string Elsewhere(SettingDefinition s) =>
            $"{s.Target} reads {s.Name} on {string.Join(", ", s.Platforms!)} only, not on {Context.Platform}: {s.Elsewhere}";

        private ComplianceResult Result(Control c, string target, ComplianceStatus status, List<SettingDefinition> settings, List<SettingResult> results, string reason)
        {
            // Settings that do not exist on this platform are neither expected nor applied here (unless nothing else is left).
            var shown = results.Where(r => r.Status != ComplianceStatus.NotApplicable || status == ComplianceStatus.NotApplicable).ToList();
            string Join(Func<SettingResult, string?> pick) => shown.Count == 1 ? pick(shown[0]) ?? ""
                : string.Join("; ", shown.Select(r => $"{r.Name}={pick(r) ?? "(not set)"}"));
            var expected = Join(r => r.Expected);
            string? actual = shown.All(r => r.Actual == null) ? null : Join(r => r.Actual);
            var guidance = status == ComplianceStatus.NonCompliant || status == ComplianceStatus.Error
                ? c.Guidance ?? $"Run Set-WaHardening -Id {c.Id} (or deploy the Intune/GPO export) to apply: {expected}"
                : c.Guidance;
            var elsewhere = settings.Where(s => !s.AppliesOn(Context.Platform)).Select(Elsewhere).ToList();
            if (elsewhere.Count > 0) guidance = string.Join(" ", new[] { guidance }.Concat(elsewhere).Where(g => !string.IsNullOrEmpty(g)));
            return new ComplianceResult(c.Id, c.Title, c.Category, c.Severity.ToString(), target, status, expected, actual, reason, guidance,
                results, Environment.MachineName, Clock());
        }

        // ---------------------------------------------------------------- enforce

        /// <summary>
        /// Reads everything and plans the writes. Nothing is written. A setting that cannot be read
        /// (malformed file, …) stops the plan with its typed error. <paramref name="approve"/> filters settings (ShouldProcess).
        /// </summary>
        public EnforcementPlan Plan(IEnumerable<Control> controls, Func<string, SettingDefinition, bool>? approve = null)
        {
            var list = controls.ToList();
            controls = list;
            Context.ControlStatus = (id, target) => ControlStatusOf(list, id, target);
            // macOS settings are enforced by configuration profiles (Export-WaIntuneProfile -Platform macOS), never written here.
            if (Context.Platform == Platforms.MacOS)
                throw new WaHardeningException(ErrorIds.MacOSEnforcedByProfiles, WaErrorCategory.InvalidOperation, MacManagedPreferencesProvider.MacOSEnforcedByProfilesMessage);
            var items = new List<(ISettingProvider Provider, PlanItem Item)>();
            var notEnforced = new List<ChangeRecord>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var unreachable = new SortedDictionary<string, WaHardeningException>(StringComparer.OrdinalIgnoreCase);
            Context.Files.Revalidate(); // a plan (the one under the lock above all) sees every file as it is now, never a stale parse
            foreach (var c in controls)
            {
                if (c.Advisory) continue;
                foreach (var target in c.Targets)
                {
                    if (!c.Settings.Any(x => x.Target == target && x.AppliesOn(Context.Platform))) continue;
                    if (Targets.Find(target)?.Family == TargetFamily.DeviceState)
                    {
                        // The computer's state, not a setting: nothing Set could write changes it. Read like an audit-only setting:
                        // a finding is reported NotEnforced with the control's guidance (what removes it); a state that cannot be
                        // read is reported too, and does not stop the settings from being written.
                        var (stateProvider, _, _) = Resolve(target);
                        if (stateProvider == null) continue;
                        foreach (var s in c.Settings.Where(x => x.Target == target && x.AppliesOn(Context.Platform)))
                        {
                            string finding;
                            string? value = null;
                            try
                            {
                                var r = stateProvider.Read(s, Context);
                                var (ok, why) = Judge(s, r);
                                if (ok) continue;
                                finding = why;
                                value = r.Value?.ToString();
                            }
                            catch (WaHardeningException e) { finding = $"{e.ErrorId}: {e.Message}"; }
                            notEnforced.Add(new ChangeRecord(c.Id, target, s.Name, Targets.Get(target).Description, value, value, ChangeAction.NotEnforced,
                                $"{target} is the state of this computer, not a setting: Set-WaHardening does not change it. {c.Guidance} Found: {finding}".Replace("  ", " "), null));
                        }
                        continue;
                    }
                    var (provider, _, _) = Resolve(target, out var fault);
                    if (fault != null) unreachable[target] = fault;
                    if (provider == null) continue;
                    foreach (var s in c.Settings.Where(x => x.Target == target && x.AppliesOn(Context.Platform)))
                    {
                        Context.Verbose($"Reading {target} setting {s.Name} ({c.Id})");
                        var r = provider.Read(s, Context);
                        var (ok, why) = Judge(s, r);
                        if (ok && r.Problem == null) continue;
                        if (!ok && r.Problem != null) why += "; also " + r.Problem;
                        else if (ok) why = r.Problem!;
                        if (!s.Enforce || !provider.CanWrite(target))
                        {
                            notEnforced.Add(new ChangeRecord(c.Id, target, s.Name, r.Location, r.Value?.ToString(), r.Value?.ToString(), ChangeAction.NotEnforced,
                                (s.Enforce ? $"{target} is audit-only in this module" : "the setting is audit-only (enforce: false)") + $": {why}", null));
                            continue;
                        }
                        if (approve != null && !approve(c.Id, s)) continue;
                        if (!seen.Add(provider.Name + "|" + target + "|" + s.Name)) continue; // the same setting in two controls: written once
                        items.Add((provider, new PlanItem(c.Id, s, r, ValueComparer.Desired(s, r.Value))));
                    }
                }
            }
            if (unreachable.Count > 0)
            {
                // Writing the other targets would leave these silently unenforced: stop before anything is written.
                var fault = unreachable.Values.First();
                throw new WaHardeningException(fault.ErrorId, fault.Category,
                    $"Cannot enforce {string.Join(", ", unreachable.Keys)} here: {fault.Message} Nothing was written.", string.Join(", ", unreachable.Keys), fault);
            }
            var plans = new List<(ISettingProvider, ProviderPlan)>();
            foreach (var g in items.GroupBy(i => i.Provider))
                plans.Add((g.Key, g.Key.Plan(g.Select(x => x.Item).ToList(), Context)));
            var changes = items.Select(i => new ChangeRecord(i.Item.ControlId, i.Item.Setting.Target, i.Item.Setting.Name, i.Item.Before.Location,
                i.Item.Before.Value?.ToString(), i.Item.Desired.ToString(), ChangeAction.Planned,
                Judge(i.Item.Setting, i.Item.Before).Reason, null)).ToList();
            return new EnforcementPlan(changes, notEnforced, items, plans);
        }

        /// <summary>
        /// Applies a plan: saves the backup first, applies every operation atomically, rolls back what
        /// was written if one fails, runs the post-actions, then reads every setting back.
        /// </summary>
        public IReadOnlyList<ChangeRecord> Apply(EnforcementPlan plan, string? backupPath, out string? writtenBackup)
        {
            var ops = plan.ProviderPlans.SelectMany(p => p.Plan.Operations).ToList();
            var post = plan.ProviderPlans.SelectMany(p => p.Plan.PostActions).Distinct().ToList();
            writtenBackup = ApplyOperations(ops, post, backupPath);
            var records = new List<ChangeRecord>();
            foreach (var (provider, item) in plan.Items)
            {
                var after = provider.Read(item.Setting, Context);
                var (ok, why) = ValueComparer.Judge(item.Setting, after.Value);
                if (ok && after.Problem != null) { ok = false; why = after.Problem; }
                records.Add(new ChangeRecord(item.ControlId, item.Setting.Target, item.Setting.Name, after.Location, item.Before.Value?.ToString(),
                    after.Value?.ToString(), ok ? ChangeAction.Changed : ChangeAction.NotEffective,
                    ok ? why : $"written, but reading it back: {why}" + (after.Origin != null ? $" (the effective value comes from {after.Origin})" : ""),
                    writtenBackup));
            }
            return records;
        }

        /// <summary>
        /// Writes operations the way <see cref="Apply"/> does: captures what each will replace into a backup (JSON,
        /// <see cref="BackupDocument"/>; <paramref name="backupPath"/> or a new file in the default backup folder) and saves it
        /// first, then applies them in order, rolling back the earlier ones when one fails. Returns the backup's path (null
        /// when there was nothing to do). Used by the plan above and by the local GPO merge.
        /// </summary>
        public string? ApplyOperations(IReadOnlyList<WriteOperation> ops, IReadOnlyList<PostAction>? post, string? backupPath)
        {
            post ??= Array.Empty<PostAction>();
            if (ops.Count == 0 && post.Count == 0) return null;
            var captured = ops.Select(o => o.Capture(Context)).ToList();
            var doc = new BackupDocument(Clock(), Environment.MachineName, Context.Platform, Context.Root, captured, post);
            var written = backupPath ?? Path.Combine(Context.DefaultBackupDirectory,
                BackupDocument.DefaultNamePrefix + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".json");
            // The default folder is the module's own: no link anywhere below the root. A -BackupPath the user named: not at its name.
            if (backupPath == null) Context.CheckNoLinks(written); else ProviderContext.CheckNotLink(written);
            Context.Verbose($"Saving the backup to {written}");
            try { doc.Save(written, ownFolder: backupPath == null); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new WaHardeningException(ErrorIds.BackupWriteFailed, WaErrorCategory.WriteError,
                    $"Cannot write the backup '{written}': {e.Message}. Nothing was changed.", written, e);
            }
            ApplyWithRollback(ops.ToList(), captured, post, $"the backup is at {written}");
            return written;
        }

        /// <summary>
        /// Restores a backup (all entries, or those <paramref name="approve"/> accepts). The backup must have been made for this
        /// run's root (<c>BackupRootMismatch</c>: without a root, a backup made under one is refused, and the reverse) and this
        /// platform (<c>BackupPlatformMismatch</c>); every path is confined to the root (<see cref="ProviderContext.Physical"/>),
        /// checked for every entry before anything is written. Files a post-action writes (the compiled dconf database) are
        /// put back after the post-actions run, so the state is exactly the one recorded.
        /// </summary>
        public IReadOnlyList<ChangeRecord> Restore(BackupDocument backup, string backupPath, Func<BackupEntry, bool>? approve = null)
        {
            CheckBackup(backup, backupPath);
            // Every post-action must have its provider before anything is restored: found missing after the restore, it would
            // roll the restore back and report a rollback failure for a backup that was simply not valid.
            var unknown = backup.PostActions.Where(a => !Providers.Any(p => p.Name == a.Provider)).ToList();
            if (unknown.Count > 0)
                throw new WaHardeningException(ErrorIds.BackupInvalid, WaErrorCategory.InvalidData,
                    $"The backup '{backupPath}' names post-actions no provider runs: {string.Join(", ", unknown)} (known providers: {string.Join(", ", Providers.Select(p => p.Name))}). Nothing was restored.", backupPath);
            var entries = backup.Entries.Where(e => approve == null || approve(e)).ToList();
            var ops = entries.Select(e => e.RestoreOperation()).ToList();
            var captured = ops.Select(o => o.Capture(Context)).ToList();
            if (ops.Count > 0)
                ApplyWithRollback(ops, captured, backup.PostActions, $"restoring from {backupPath}");
            return entries.Select((e, i) => new ChangeRecord(null, null, null, e.Location, captured[i].StateText, e.StateText, ChangeAction.Restored,
                e.StateText == null ? "removed: it did not exist before Set-WaHardening" : "restored as it was before Set-WaHardening", backupPath)).ToList();
        }

        /// <summary>Refuses a backup this run must not restore (other root or platform, a path leaving the root or through a link).
        /// Writes nothing; <see cref="Restore"/> calls it, and Undo-WaHardening before it asks ShouldProcess.</summary>
        public void CheckBackup(BackupDocument backup, string backupPath)
        {
            if (!ProviderContext.SameRoot(backup.Root, Context.Root))
                throw new WaHardeningException(ErrorIds.BackupRootMismatch, WaErrorCategory.InvalidArgument,
                    $"The backup '{backupPath}' was made for {(backup.Root == null ? "the real system" : $"the root '{backup.Root}'")}, " +
                    $"but this run is for {(Context.Root == null ? "the real system (no -Root)" : $"the root '{Context.Root}'")}; " +
                    (backup.Root == null ? "run Undo-WaHardening without -Root. " : $"pass -Root '{backup.Root}' to restore it there. ") + "Nothing was restored.", backupPath);
            if (backup.Platform != Context.Platform)
                throw new WaHardeningException(ErrorIds.BackupPlatformMismatch, WaErrorCategory.InvalidArgument,
                    $"The backup '{backupPath}' was made on {backup.Platform}; this computer runs {Context.Platform}. Nothing was restored.", backupPath);
            foreach (var f in backup.Entries.OfType<FileBackup>())
            {
                Context.Physical(f.Path);
                foreach (var d in f.CreatedDirectories) Context.Physical(d);
            }
        }

        /// <summary>
        /// Applies the operations in order, then the post-actions, then the operations on files a post-action writes. When one
        /// fails, every operation up to it is restored in reverse, the post-actions rerun (only when they had run), and then the
        /// files they write are put back as captured — so a rollback leaves exactly the state before, the compiled dconf
        /// database included.
        /// </summary>
        private void ApplyWithRollback(List<WriteOperation> ops, List<BackupEntry> captured, IReadOnlyList<PostAction> post, string note)
        {
            var order = Enumerable.Range(0, ops.Count).Where(i => !ops[i].AfterPostActions).ToList();
            var after = Enumerable.Range(0, ops.Count).Where(i => ops[i].AfterPostActions).ToList();
            var attempted = new List<int>();
            var postStarted = false;
            string failedAt = "post-actions";
            try
            {
                foreach (var i in order)
                {
                    failedAt = ops[i].Location;
                    attempted.Add(i);
                    Context.BeforeApply?.Invoke(ops[i]);
                    ops[i].Apply(Context);
                }
                failedAt = "post-actions";
                postStarted = post.Count > 0;
                RunPostActions(post);
                foreach (var i in after)
                {
                    failedAt = ops[i].Location;
                    Context.BeforeApply?.Invoke(ops[i]);
                    ops[i].Apply(Context);
                }
            }
            catch (Exception e) when (e is WaHardeningException || e is IOException || e is UnauthorizedAccessException || e is InvalidOperationException)
            {
                var rollbackErrors = new List<string>();
                void Put(BackupEntry entry)
                {
                    try { entry.RestoreOperation().Apply(Context); }
                    catch (Exception re) when (re is IOException || re is UnauthorizedAccessException || re is WaHardeningException)
                    { rollbackErrors.Add($"{entry.Location}: {re.Message}"); }
                }
                for (var k = attempted.Count - 1; k >= 0; k--) Put(captured[attempted[k]]);
                if (postStarted)
                {
                    try { RunPostActions(post); } catch (Exception pe) when (pe is WaHardeningException || pe is IOException) { rollbackErrors.Add(pe.Message); }
                    foreach (var i in after) Put(captured[i]);
                }
                var msg = $"Writing {failedAt} failed: {e.Message}. " + (rollbackErrors.Count == 0
                    ? $"Every earlier write was rolled back ({note})."
                    : $"Rolling back also failed for: {string.Join("; ", rollbackErrors)} ({note}; use Undo-WaHardening).");
                throw new WaHardeningException(ErrorIds.EnforcementFailed, WaErrorCategory.WriteError, msg, failedAt, e);
            }
        }

        private void RunPostActions(IEnumerable<PostAction> post)
        {
            foreach (var a in post)
            {
                var p = Providers.FirstOrDefault(x => x.Name == a.Provider) ?? throw new WaHardeningException(ErrorIds.UnknownPostAction,
                    WaErrorCategory.InvalidData, $"No provider '{a.Provider}' for the post-action '{a}'.", a.ToString());
                Context.Verbose($"Running {a}");
                p.RunPostAction(a.Name, Context);
            }
        }
    }

    /// <summary>
    /// An exclusive lock under the module's data directory, held while Set/Undo read, plan and write,
    /// so two runs never interleave their writes. The second run waits (up to the timeout).
    /// </summary>
    public sealed class EnforcementLock : IDisposable
    {
        private readonly FileStream _stream;
        private EnforcementLock(FileStream s) { _stream = s; }
        public string Path => _stream.Name;

        public static EnforcementLock Acquire(ProviderContext ctx, TimeSpan timeout)
        {
            var path = System.IO.Path.Combine(ctx.DataDirectory, "wa-hardening.lock");
            ctx.CheckNoLinks(path); // a link at the data folder or the lock file would create or lock its target
            UnixFile.CreateDirectories(ctx.DataDirectory);
            var deadline = DateTime.UtcNow + timeout;
            var announced = false;
            while (true)
            {
                try
                {
                    var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    try
                    {
                        ProviderContext.CheckNotLink(path);
                        try { UnixFile.Apply(fs, null, UnixFile.PrivateFileMode); } catch (IOException) { } // best effort: the lock holds no data
                    }
                    catch { fs.Dispose(); throw; }
                    ctx.Verbose($"Holding the lock {path}");
                    return new EnforcementLock(fs);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    if (!announced) { ctx.Verbose($"Waiting for another WaHardening run to release {path}"); announced = true; }
                    Thread.Sleep(100);
                }
                catch (IOException e)
                {
                    throw new WaHardeningException(ErrorIds.LockTimeout, WaErrorCategory.ResourceUnavailable,
                        $"Another WaHardening run holds the lock '{path}' (waited {timeout.TotalSeconds:0} s).", path, e);
                }
            }
        }

        public void Dispose() => _stream.Dispose();
    }
}
