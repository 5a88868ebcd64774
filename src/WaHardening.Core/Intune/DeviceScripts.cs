using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using WaHardening.Core.Json;
using WaHardening.Core.Model;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Intune
{
    /// <summary>
    /// Windows PowerShell 5.1 scripts that run on the device without the module: a custom-compliance discovery
    /// script (prints compact JSON, one boolean per setting) with its rules JSON, and a remediation pair
    /// (detection exits 1 when something is not compliant, remediation writes what is missing or weaker).
    /// The same "stricter wins" judgement as Test-WaHardening is generated into every script.
    /// Tests point the scripts at a JSON file instead of the registry with WAHARDENING_REGISTRY_FILE
    /// (documented in docs/intune-export.md); on a device the variable is not set.
    /// </summary>
    internal static class DeviceScripts
    {
        /// <summary>One registry setting a script checks, with the rule parameters baked in.</summary>
        private sealed class ScriptSetting
        {
            public string Control = "", Target = "", Setting = "", Hive = "", Key = "", Kind = "", Compare = "";
            public string? ValueName;
            /// <summary>Key and value name of the Firefox boolean form that stands for this item (SanitizeOnShutdown), if any.</summary>
            public string? AllKey, AllName;
            /// <summary>Boolean, Integer, String or List: how a registry value is read back (RegistryRendering.FromRegistry).</summary>
            public string Type = "";
            public object? Value;
            /// <summary>The baseline's default rendered to registry data: what applies when the value is not configured.</summary>
            public object? Default;
            public bool HasDefault;
            public IReadOnlyList<object>? Accept;
            public long? Minimum, Maximum;
            /// <summary>A member of a shared JSON value (Firefox's Preferences): its name, the JSON written for it, the key of the deprecated form.</summary>
            public string? JsonMember, MemberJson, DeprecatedKey;
            /// <summary>Intune's MDM store of a Policy CSP setting (WindowsRegistryProvider.MdmLocation), read when the policy value is absent.</summary>
            public string? MdmKey, MdmName;
            public bool InCatalog;
            /// <summary>enforce: false in the baseline: judged, never written (so not in the remediation pair either).</summary>
            public bool Enforce;
            /// <summary>Written by a settings-catalog or OMA-URI profile of this export (no remediation needed).</summary>
            public bool Delivered;
        }

        // The targets whose HKLM settings the device scripts judge: the rows marked InDeviceScripts (Model/Targets.cs).
        private static readonly HashSet<string> s_targets = new HashSet<string>(Targets.All.Where(t => t.InDeviceScripts).Select(t => t.Name));

        public static IEnumerable<ExportedFile> Build(IntuneExporter.Ctx ctx)
        {
            var all = new List<ScriptSetting>();
            foreach (var (c, s) in ctx.Settings(s => s_targets.Contains(s.Target) && RegistryRendering.Applies(s)))
            {
                var r = RegistryRendering.Render(s);
                // Remediations and custom compliance run as SYSTEM: per-user (HKCU) settings come from the settings catalog only.
                if (r.Hive != "HKLM") continue;
                var compare = r.IsList ? "Superset" : s.Comparison.ToString();
                var booleanForm = RegistryRendering.FirefoxBooleanForm(s);
                var rd = s.Default != null ? RegistryRendering.Render(s, s.Default) : null;
                var mdm = Providers.WindowsRegistryProvider.MdmLocation(s);
                all.Add(new ScriptSetting
                {
                    Control = c.Id, Target = s.Target, Setting = SettingName(c.Id, s),
                    Hive = r.Hive, Key = r.Key, ValueName = r.ValueName, Kind = r.IsList ? "List" : PowerShellKind(r.Kind),
                    Compare = compare, Value = r.JsonMember != null ? MemberValue(s.Expected) : r.IsList ? r.ListItems : r.Data, Type = r.IsList ? "List" : s.Type.ToString(),
                    JsonMember = r.JsonMember, MemberJson = r.JsonMember != null ? JsonWriter.Write(FirefoxPolicy.Render(s, s.Expected), false) : null,
                    DeprecatedKey = RegistryRendering.DeprecatedPreference(s)?.Key,
                    Default = rd == null ? null : rd.IsList ? rd.ListItems : rd.Data, HasDefault = rd != null,
                    MdmKey = mdm?.Key, MdmName = mdm?.Value, Enforce = s.Enforce,
                    Delivered = s.Enforce && (IntuneExporter.CatalogDelivers(s) || IntuneExporter.OmaUriDelivers(s)),
                    // A member of a JSON value (Firefox preference) is compared as its own value, like Value; other settings as registry data.
                    Accept = s.Comparison == Comparison.OneOf ? s.Accept.Select(a => r.JsonMember != null ? MemberValue(a) : RegistryRendering.Render(s, a).Data!).ToList() : null,
                    Minimum = s.Minimum, Maximum = s.Maximum, InCatalog = s.Intune != null,
                    AllKey = booleanForm?.Key, AllName = booleanForm?.Name,
                });
            }
            if (all.Count == 0) yield break;

            // Custom compliance checks the effective state of what a licence-free profile of this export writes (settings
            // catalog, custom OMA-URI), plus audit-only settings whose default satisfies them (absent passes, a looser value
            // fails). It never requires what only the remediation (Windows Enterprise E3/E5-class licences) or nothing at all
            // would write: the compliance policy blocks at once, and such a device could never become compliant.
            var judged = all.Where(a => a.Delivered || (!a.Enforce && a.HasDefault)).ToList();
            if (judged.Count == 0) yield break;
            var discovery = Script(ctx, "Custom compliance discovery", judged, DiscoveryBody);
            var scriptMarker = ctx.Marker("windows-custom-compliance-script");
            var controls = judged.Select(a => a.Control).ToList();
            var rules = new JsonArray(judged.Select(Rule));
            var rulesText = JsonWriter.Write(new JsonObject().Set("Rules", rules));
            yield return new ExportedFile("windows/custom-compliance/discovery.ps1", ExportKinds.CustomComplianceScript, "windows",
                "Custom compliance discovery script", ctx.Marker("windows-custom-compliance-discovery"), controls, IntuneExporter.Text(discovery), null);
            yield return new ExportedFile("windows/custom-compliance/rules.json", ExportKinds.CustomComplianceRules, "windows",
                "Custom compliance rules", ctx.Marker("windows-custom-compliance-rules"), controls, IntuneExporter.Text(rulesText), null);
            var what = "Windows - custom compliance";
            yield return new ExportedFile("windows/custom-compliance/deviceComplianceScript.json", ExportKinds.CustomComplianceScript, "windows",
                ctx.Name(what), scriptMarker, controls, IntuneExporter.Json(ScriptBody(ctx, "#microsoft.graph.deviceComplianceScript", what, scriptMarker,
                    "discovery script for custom compliance (one boolean per setting)", controls, discovery, null)),
                new GraphTarget("beta", "deviceManagement/deviceComplianceScripts", "#microsoft.graph.deviceComplianceScript", false));

            // Remediation (optional, needs an E3/E5-class licence): what the settings catalog cannot set (Firefox and Google
            // Update policies; the catalog's "update~policy~cat_google~cat_googleupdate" ADMX is Microsoft Edge Update's, whose
            // settings it carries). The custom OMA-URI profile delivers the same values without it. Audit-only settings
            // (enforce: false) are never written, so they are not in the remediation pair: detection could never pass.
            var fix = all.Where(a => !a.InCatalog && a.Enforce).ToList();
            if (fix.Count == 0) yield break;
            var detect = Script(ctx, "Remediation detection", fix, DetectionBody);
            var remediate = Script(ctx, "Remediation", fix, RemediationBody);
            var fixControls = fix.Select(a => a.Control).ToList();
            yield return new ExportedFile("windows/remediation/detect.ps1", ExportKinds.RemediationScript, "windows",
                "Remediation detection script", ctx.Marker("windows-remediation-detect"), fixControls, IntuneExporter.Text(detect), null);
            yield return new ExportedFile("windows/remediation/remediate.ps1", ExportKinds.RemediationScript, "windows",
                "Remediation script", ctx.Marker("windows-remediation-remediate"), fixControls, IntuneExporter.Text(remediate), null);
            var rwhat = "Windows - remediation";
            var rmarker = ctx.Marker("windows-remediation");
            yield return new ExportedFile("windows/remediation/deviceHealthScript.json", ExportKinds.Remediation, "windows",
                ctx.Name(rwhat), rmarker, fixControls, IntuneExporter.Json(ScriptBody(ctx, "#microsoft.graph.deviceHealthScript", rwhat, rmarker,
                    "sets the policies the settings catalog has no ids for", fixControls, detect, remediate)),
                new GraphTarget("beta", "deviceManagement/deviceHealthScripts", "#microsoft.graph.deviceHealthScript", true));
        }

        /// <summary>The Graph body of a device script object (deviceComplianceScript or deviceHealthScript).</summary>
        internal static JsonObject ScriptBody(IntuneExporter.Ctx ctx, string odataType, string what, string marker, string purpose,
            IReadOnlyCollection<string> controls, string detection, string? remediation)
        {
            var body = new JsonObject()
                .Set("@odata.type", odataType)
                .Set("displayName", ctx.Name(what))
                .Set("description", ctx.Description($"WaHardening baseline, profile {ctx.Profile}: {purpose}.", ctx.Controls.Where(c => controls.Contains(c.Id)), marker))
                .Set("publisher", "WaHardening")
                .Set("runAsAccount", "system")
                .Set("enforceSignatureCheck", false)
                .Set("runAs32Bit", false)
                .Set("roleScopeTagIds", new[] { "0" })
                .Set("detectionScriptContent", Convert.ToBase64String(IntuneExporter.Text(detection)));
            if (remediation != null) body.Set("remediationScriptContent", Convert.ToBase64String(IntuneExporter.Text(remediation)));
            return body;
        }

        /// <summary>A JSON member's expected value as the script compares it (a boolean as 1/0, as registry data is).</summary>
        private static object MemberValue(JsonValue v) => v switch
        {
            JsonBoolean b => b.Value ? 1u : 0u,
            JsonNumber n when n.TryGetInt64(out var l) => l,
            JsonString s => s.Value,
            _ => v.ToString(),
        };

        /// <summary>"WA-LOCK-01 Windows InactivityTimeoutSecs" as a custom-compliance setting name: letters, digits and '_'.</summary>
        internal static string SettingName(string control, SettingDefinition s)
        {
            var sb = new StringBuilder();
            foreach (var ch in $"{control}_{s.Target}_{s.Name}") sb.Append(char.IsLetterOrDigit(ch) && ch < 128 ? ch : '_');
            return sb.ToString();
        }

        private static string PowerShellKind(RegistryKind k) => k switch
        {
            RegistryKind.String => "String",
            RegistryKind.ExpandString => "ExpandString",
            RegistryKind.DWord => "DWord",
            RegistryKind.QWord => "QWord",
            RegistryKind.MultiString => "MultiString",
            RegistryKind.Binary => "Binary",
            _ => throw new WaHardeningException(ErrorIds.RegistryKindUnsupported, WaErrorCategory.NotImplemented,
                $"A device script cannot write registry values of kind {RegistrySetting.KindName(k)}.", k.ToString()),
        };

        private static JsonObject Rule(ScriptSetting s) => new JsonObject()
            .Set("SettingName", s.Setting)
            .Set("Operator", "IsEquals")
            .Set("DataType", "Boolean")
            .Set("Operand", true)
            .Set("MoreInfoUrl", "https://learn.microsoft.com/en-us/mem/intune/protect/compliance-use-custom-settings")
            .Set("RemediationStrings", new JsonArray(new JsonValue[]
            {
                new JsonObject().Set("Language", "en_US")
                    .Set("Title", $"{s.Control}: {s.Target} policy {ValueLabel(s)} is not as required.")
                    .Set("Description", $"Set {s.Hive}\\{s.Key}{(s.ValueName != null ? "\\" + s.ValueName : "")} to {Describe(s)} (WaHardening control {s.Control}; Set-WaHardening or the WaHardening remediation does it)."),
            }));

        private static string ValueLabel(ScriptSetting s) => s.ValueName ?? s.Key.Substring(s.Key.LastIndexOf('\\') + 1);

        private static string Describe(ScriptSetting s) => s.Compare switch
        {
            "Superset" => "a list holding " + string.Join(", ", ((IEnumerable<string>)s.Value!)),
            "AtMost" => $"at most {s.Value}" + (s.Minimum != null ? $" (and at least {s.Minimum})" : ""),
            "AtLeast" => $"at least {s.Value}" + (s.Maximum != null ? $" (and at most {s.Maximum})" : ""),
            "OneOf" => "one of " + string.Join(", ", s.Accept!),
            _ => Convert.ToString(s.Value, CultureInfo.InvariantCulture) ?? "",
        };

        // ------------------------------------------------------------ script text (Windows PowerShell 5.1 syntax only)

        private static string Script(IntuneExporter.Ctx ctx, string what, IReadOnlyList<ScriptSetting> settings, Func<string> body)
        {
            var sb = new StringBuilder();
            sb.Append("# ").Append(what).Append(" - WaHardening baseline, profile ").Append(ctx.Profile).Append(".\n");
            sb.Append("# Generated by Export-WaIntuneProfile; runs in Windows PowerShell 5.1 as SYSTEM without the module.\n");
            sb.Append("# Controls: ").Append(string.Join(", ", settings.Select(s => s.Control).Distinct())).Append(".\n");
            sb.Append("$ErrorActionPreference = 'Stop'\n\n$WaSettings = @(\n");
            foreach (var s in settings) sb.Append("    ").Append(Row(s)).Append('\n');
            sb.Append(")\n");
            sb.Append(Library);
            sb.Append(body());
            var text = sb.ToString();
            foreach (var ch in text)
                if (ch > 127)
                    throw new WaHardeningException(ErrorIds.ScriptNotAscii, WaErrorCategory.InvalidData,
                        $"A generated device script would hold the non-ASCII character U+{(int)ch:X4}; Windows PowerShell 5.1 reads BOM-less scripts as ANSI.", what);
            return text;
        }

        private static string Row(ScriptSetting s)
        {
            var sb = new StringBuilder("@{ ");
            sb.Append("Setting = ").Append(Q(s.Setting)).Append("; Control = ").Append(Q(s.Control)).Append("; Target = ").Append(Q(s.Target));
            sb.Append("; Hive = ").Append(Q(s.Hive)).Append("; Key = ").Append(Q(s.Key));
            sb.Append("; Name = ").Append(s.ValueName == null ? "$null" : Q(s.ValueName));
            sb.Append("; Kind = ").Append(Q(s.Kind)).Append("; Compare = ").Append(Q(s.Compare));
            sb.Append("; Type = ").Append(Q(s.Type)).Append("; Value = ").Append(Literal(s.Value));
            if (s.HasDefault) sb.Append("; Default = ").Append(Literal(s.Default));
            if (s.JsonMember != null) sb.Append("; JsonMember = ").Append(Q(s.JsonMember)).Append("; MemberJson = ").Append(Q(s.MemberJson!))
                .Append("; DeprecatedKey = ").Append(Q(s.DeprecatedKey!));
            if (s.MdmKey != null) sb.Append("; MdmKey = ").Append(Q(s.MdmKey)).Append("; MdmName = ").Append(Q(s.MdmName!));
            if (s.Accept != null) sb.Append("; Accept = @(").Append(string.Join(", ", s.Accept.Select(Literal))).Append(')');
            if (s.Minimum != null) sb.Append("; Minimum = ").Append(s.Minimum.Value.ToString(CultureInfo.InvariantCulture));
            if (s.Maximum != null) sb.Append("; Maximum = ").Append(s.Maximum.Value.ToString(CultureInfo.InvariantCulture));
            if (s.AllKey != null) sb.Append("; AllKey = ").Append(Q(s.AllKey)).Append("; AllName = ").Append(Q(s.AllName!));
            return sb.Append(" }").ToString();
        }

        private static string Q(string s) => "'" + s.Replace("'", "''") + "'";

        private static string Literal(object? v) => v switch
        {
            null => "$null",
            string s => Q(s),
            uint u => u.ToString(CultureInfo.InvariantCulture),
            ulong ul => ul.ToString(CultureInfo.InvariantCulture),
            int i => i.ToString(CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            IEnumerable<string> items => "@(" + string.Join(", ", items.Select(Q)) + ")",
            _ => Q(Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""),
        };

        /// <summary>Registry access and the "stricter wins" judgement, shared by every script.</summary>
        private const string Library = @"
# Registry access. WAHARDENING_REGISTRY_FILE (tests only) names a JSON file that stands in for the registry:
# { ""HKLM\\Key"": { ""ValueName"": value } }. On a device it is not set and the real registry is used.
function Get-WaRoot([string] $Hive) { if ($Hive -eq 'HKCU') { 'HKEY_CURRENT_USER' } else { 'HKEY_LOCAL_MACHINE' } }

function Read-WaStore {
    $path = $env:WAHARDENING_REGISTRY_FILE
    if ((Test-Path -LiteralPath $path) -and ([IO.File]::ReadAllText($path).Trim().Length -gt 0)) { return (ConvertFrom-Json ([IO.File]::ReadAllText($path))) }
    return (New-Object PSObject)
}

function Get-WaValues([string] $Hive, [string] $Key) {
    $values = @{}
    if ($env:WAHARDENING_REGISTRY_FILE) {
        $entry = (Read-WaStore).PSObject.Properties[$Hive + '\' + $Key]
        if ($entry) { foreach ($p in $entry.Value.PSObject.Properties) { $values[$p.Name] = $p.Value } }
        return $values
    }
    $item = Get-Item -LiteralPath ('Registry::' + (Get-WaRoot $Hive) + '\' + $Key) -ErrorAction SilentlyContinue
    if ($item) { foreach ($n in $item.GetValueNames()) { $values[$n] = $item.GetValue($n) } }
    return $values
}

function Set-WaValue([string] $Hive, [string] $Key, [string] $Name, [string] $Kind, $Value) {
    if ($env:WAHARDENING_REGISTRY_FILE) {
        $store = Read-WaStore
        $id = $Hive + '\' + $Key
        if (-not $store.PSObject.Properties[$id]) { Add-Member -InputObject $store -MemberType NoteProperty -Name $id -Value (New-Object PSObject) }
        Add-Member -InputObject $store.PSObject.Properties[$id].Value -MemberType NoteProperty -Name $Name -Value $Value -Force
        [IO.File]::WriteAllText($env:WAHARDENING_REGISTRY_FILE, (ConvertTo-Json $store -Depth 5))
        return
    }
    $path = 'Registry::' + (Get-WaRoot $Hive) + '\' + $Key
    if (-not (Test-Path -LiteralPath $path)) { New-Item -Path $path -Force | Out-Null }
    New-ItemProperty -LiteralPath $path -Name $Name -PropertyType $Kind -Value $Value -Force | Out-Null
}

function Remove-WaValue([string] $Hive, [string] $Key, [string] $Name) {
    if ($env:WAHARDENING_REGISTRY_FILE) {
        $store = Read-WaStore
        $entry = $store.PSObject.Properties[$Hive + '\' + $Key]
        if ($entry) { $entry.Value.PSObject.Properties.Remove($Name) }
        [IO.File]::WriteAllText($env:WAHARDENING_REGISTRY_FILE, (ConvertTo-Json $store -Depth 5))
        return
    }
    Remove-ItemProperty -LiteralPath ('Registry::' + (Get-WaRoot $Hive) + '\' + $Key) -Name $Name -ErrorAction SilentlyContinue
}

# The Firefox boolean form (SanitizeOnShutdown = 1 clears everything): $null when absent, else whether it is on.
function Get-WaAll($S) {
    if (-not $S.AllKey) { return $null }
    $values = Get-WaValues $S.Hive $S.AllKey
    if (-not $values.ContainsKey($S.AllName)) { return $null }
    return ((Get-WaNumber $values[$S.AllName]) -ne 0)
}

function Get-WaNumber($Value) {
    # A DWORD comes back from the registry as a signed Int32; the policy reads it unsigned.
    if ($Value -is [int]) { return [long][BitConverter]::ToUInt32([BitConverter]::GetBytes([int]$Value), 0) }
    $n = 0L
    if ([long]::TryParse(([string]$Value).Trim(), [Globalization.NumberStyles]::Integer, [Globalization.CultureInfo]::InvariantCulture, [ref]$n)) { return $n }
    return $null
}

# A registry value as the policy's type reads it (as RegistryRendering.FromRegistry): a boolean is any number, non-zero =
# true; an integer any number; what does not convert stays text and never equals a typed value.
function Get-WaTyped($S, $Value) {
    if ($Value -is [bool]) { if ($S.Type -eq 'Boolean') { return ('bool:' + [string]$Value) } return ('json:' + [string]$Value) }
    if ($S.Type -eq 'Boolean' -or $S.Type -eq 'Integer') {
        $n = Get-WaNumber $Value
        if ($null -eq $n) { return ('text:' + [string]$Value) }
        if ($S.Type -eq 'Boolean') { return ('bool:' + [string]($n -ne 0)) }
        return ('int:' + [string]$n)
    }
    return ('text:' + [string]$Value)
}

# Stricter wins, as Test-WaHardening (ValueComparer.Judge) decides for a configured value.
function Test-WaJudge($S, $Actual) {
    switch ($S.Compare) {
        'Superset' {
            $have = @($Actual | ForEach-Object { [string]$_ })
            foreach ($want in $S.Value) { if ($have -notcontains $want) { return $false } }
            return $true
        }
        'Equal' { return ((Get-WaTyped $S $Actual) -ceq (Get-WaTyped $S $S.Value)) }
        'OneOf' {
            $typed = Get-WaTyped $S $Actual
            foreach ($a in $S.Accept) { if ((Get-WaTyped $S $a) -ceq $typed) { return $true } }
            return $false
        }
        'AtMost' {
            $n = Get-WaNumber $Actual
            if ($null -eq $n) { return $false }
            if (($null -ne $S.Minimum) -and ($n -lt $S.Minimum)) { return $false }
            if (($null -ne $S.Maximum) -and ($n -gt $S.Maximum)) { return $false }
            return ($n -le $S.Value)
        }
        'AtLeast' {
            $n = Get-WaNumber $Actual
            if ($null -eq $n) { return $false }
            if (($null -ne $S.Minimum) -and ($n -lt $S.Minimum)) { return $false }
            if (($null -ne $S.Maximum) -and ($n -gt $S.Maximum)) { return $false }
            return ($n -ge $S.Value)
        }
    }
    return $false
}

# Not configured: the default applies when the baseline gives one (e.g. an update check period left to the updater).
function Test-WaAbsent($S) {
    if ($S.ContainsKey('Default')) { return (Test-WaJudge $S $S.Default) }
    return $false
}

# A Firefox preference in the Preferences JSON value (REG_MULTI_SZ or REG_SZ): the parsed object, or $null when absent.
function Get-WaJsonValue($S) {
    $values = Get-WaValues $S.Hive $S.Key
    if (-not $values.ContainsKey($S.Name)) { return $null }
    return (ConvertFrom-Json ((@($values[$S.Name]) | ForEach-Object { [string]$_ }) -join ""`n""))
}

# Its member: locked (Status locked, or the older bare value) and as strict; any value of the deprecated per-preference form
# (DWORDs under ...\Firefox\Preferences) keeps the Preferences policy from working, so it is never compliant then.
function Test-WaMember($S) {
    if ((Get-WaValues $S.Hive $S.DeprecatedKey).Count -gt 0) { return $false }
    $json = Get-WaJsonValue $S
    if ($null -eq $json) { return (Test-WaAbsent $S) }
    $entry = $json.PSObject.Properties[$S.JsonMember]
    if (-not $entry) { return (Test-WaAbsent $S) }
    $node = $entry.Value
    if ($node -is [System.Management.Automation.PSCustomObject]) {
        if ([string]$node.Status -cne 'locked') { return $false }
        if (-not $node.PSObject.Properties['Value']) { return $false }
        $node = $node.Value
    }
    return (Test-WaJudge $S $node)
}

# The setting's state on this device, judged as Test-WaHardening judges it.
function Test-WaSetting($S) {
    if ($S.JsonMember) { return (Test-WaMember $S) }
    $values = Get-WaValues $S.Hive $S.Key
    if ($S.Compare -eq 'Superset') {
        $numbered = @($values.Keys | Where-Object { ([string]$_) -match '^[1-9][0-9]*$' } | Sort-Object { [int]$_ } | ForEach-Object { $values[$_] })
        if ($numbered.Count -eq 0) { return (Test-WaAbsent $S) }
        return (Test-WaJudge $S $numbered)
    }
    if (-not $values.ContainsKey($S.Name)) {
        $all = Get-WaAll $S
        if ($null -ne $all) { return ($all -eq ((Get-WaNumber $S.Value) -ne 0)) }
        if ($S.MdmKey) {
            $mdm = Get-WaValues 'HKLM' $S.MdmKey
            if ($mdm.ContainsKey($S.MdmName)) { return (Test-WaJudge $S $mdm[$S.MdmName]) }
        }
        return (Test-WaAbsent $S)
    }
    return (Test-WaJudge $S $values[$S.Name])
}

function Get-WaLabel($S) { if ($S.Name) { $S.Hive + '\' + $S.Key + '\' + $S.Name } else { $S.Hive + '\' + $S.Key } }
";

        private static string DiscoveryBody() => @"
# Custom compliance: one boolean per setting; the rules JSON requires each to be true.
$result = [ordered]@{}
foreach ($s in $WaSettings) { $result[$s.Setting] = [bool](Test-WaSetting $s) }
return ($result | ConvertTo-Json -Compress)
";

        /// <summary>The detection output: one line in the versioned format <see cref="Reporting.DetectionOutput"/> parses back
        /// (Get-WaIntuneCompliance), at most <see cref="Reporting.DetectionOutput.MaxLength"/> characters (Intune keeps no more).</summary>
        private static string DetectionBody() => @"
# Exit 1 (not compliant: run the remediation) when any setting is missing or weaker than required. The output is one line
# that Get-WaIntuneCompliance reads back: '" + Reporting.DetectionOutput.Prefix + @" checked=N failed=F list=Setting,Setting more=K'
# (the settings that fail, as many as fit in Intune's limit; more= counts the ones left out).
$failed = @($WaSettings | Where-Object { -not (Test-WaSetting $_) })
$line = '" + Reporting.DetectionOutput.Prefix + @" checked=' + $WaSettings.Count + ' failed=' + $failed.Count
if ($failed.Count -gt 0) {
    $line += ' list='
    $shown = 0
    foreach ($f in $failed) {
        $sep = ''
        if ($shown -gt 0) { $sep = ',' }
        $tail = ''
        if ($failed.Count - $shown - 1 -gt 0) { $tail = ' more=' + ($failed.Count - $shown - 1) }
        if (($line.Length + $sep.Length + $f.Setting.Length + $tail.Length) -gt " + Reporting.DetectionOutput.MaxLength.ToString(CultureInfo.InvariantCulture) + @") { break }
        $line += $sep + $f.Setting
        $shown++
    }
    if ($shown -lt $failed.Count) { $line += ' more=' + ($failed.Count - $shown) }
    Write-Output $line
    exit 1
}
Write-Output $line
exit 0
";

        private static string RemediationBody() => @"
# Write only what is missing or weaker (never loosens a stricter value); list policies keep their items.
$changed = 0
foreach ($s in $WaSettings) {
    if (Test-WaSetting $s) { continue }
    if ($s.JsonMember) {
        # The Preferences JSON: this preference set (other members kept), its deprecated per-preference value cleared. A deprecated
        # value of another preference is not ours to clear: it stays, and the final check reports the setting.
        $json = Get-WaJsonValue $s
        if ($null -eq $json) { $json = New-Object PSObject }
        Add-Member -InputObject $json -MemberType NoteProperty -Name $s.JsonMember -Value (ConvertFrom-Json $s.MemberJson) -Force
        Set-WaValue $s.Hive $s.Key $s.Name 'MultiString' ([string[]]@(ConvertTo-Json $json -Compress -Depth 10))
        if ((Get-WaValues $s.Hive $s.DeprecatedKey).ContainsKey($s.JsonMember)) { Remove-WaValue $s.Hive $s.DeprecatedKey $s.JsonMember }
        $changed++
        continue
    }
    if ($s.Compare -eq 'Superset') {
        $values = Get-WaValues $s.Hive $s.Key
        $have = @($values.Values | ForEach-Object { [string]$_ })
        $next = 1
        foreach ($want in $s.Value) {
            if ($have -contains $want) { continue }
            while ($values.ContainsKey([string]$next)) { $next++ }
            Set-WaValue $s.Hive $s.Key ([string]$next) 'String' $want
            $values[[string]$next] = $want
            $changed++
        }
    } else {
        # The boolean form (only when the item itself is not there) off clears nothing: the items replace it. On, it
        # stands for every item: left as it is.
        $all = $null
        if (-not (Get-WaValues $s.Hive $s.Key).ContainsKey($s.Name)) { $all = Get-WaAll $s }
        if ($all -eq $true) { continue }
        if ($all -eq $false) { Remove-WaValue $s.Hive $s.AllKey $s.AllName; $changed++ }
        Set-WaValue $s.Hive $s.Key $s.Name $s.Kind $s.Value
        $changed++
    }
}
$failed = @($WaSettings | Where-Object { -not (Test-WaSetting $_) })
if ($failed.Count -gt 0) {
    Write-Output ('Still not compliant after writing ' + $changed + ' values: ' + (($failed | ForEach-Object { Get-WaLabel $_ }) -join '; '))
    exit 1
}
Write-Output ('Remediated: ' + $changed + ' values written')
exit 0
";
    }
}
