# Windows closed loop: apply everything a Windows export delivers to a registry stand-in, then run the generated device
# scripts against it. The registry values come from real definitions, not from expectations written here:
#   - settings catalog (Edge, Chrome, Edge Update, Windows): the value each catalog instance carries, put where the module's
#     RegistryRendering says (the mapping the registry provider, Registry.pol export and local GPO use; the catalog's
#     ADMX-backed Edge/Chrome policies are Microsoft's/Google's ADMX, whose registry form RegistryRendering follows);
#   - ADMX-backed OMA-URIs: the policy named by the OMA-URI is looked up in the ADMX that defines it and rendered by the ADMX
#     rules (enabledValue/disabledValue, enum items, list name/value pairs, text/multiText): the ADMX text the same profile
#     ingests (ADMXInstall) for Firefox and Google Update — no other file is on the device — itself checked against
#     Mozilla's firefox.admx and Omaha's template in WindowsDeliveryTests; here Mozilla's firefox.admx from
#     ../shared/oracles/mozilla/windows renders the same values again (Mozilla's OMA-URI of each policy) and must agree;
#   - the remediation script, run against the stand-in.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    function Find-Shared([string] $Relative) {
        $dir = Get-Item $RepoRoot
        while ($dir) {
            $candidate = Join-Path $dir.FullName (Join-Path 'shared' $Relative)
            if (Test-Path $candidate) { return $candidate }
            $dir = $dir.Parent
        }
        throw "shared/$Relative (the vendor oracles beside the repository) was not found; it is needed for the closed loop."
    }
    $script:FirefoxAdmx = [xml](Get-Content -Raw (Find-Shared 'oracles/mozilla/windows/firefox.admx'))

    function Invoke-DeviceScript([string] $Path, [string] $Store) {
        $env:WAHARDENING_REGISTRY_FILE = $Store
        try {
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $Path 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join "`n") }
        } finally { Remove-Item Env:WAHARDENING_REGISTRY_FILE }
    }

    function Set-StoreValue([hashtable] $Store, [string] $Key, [string] $Name, $Value) {
        if (-not $Store.ContainsKey($Key)) { $Store[$Key] = [ordered]@{} }
        $Store[$Key][$Name] = $Value
    }

    # ---- settings catalog: instance -> the setting's JSON value -> RegistryRendering
    function Get-CatalogValue($Instance, $Setting) {
        $choice = $Instance.choiceSettingValue
        if ($Instance.simpleSettingValue) { return $Instance.simpleSettingValue.value }
        if ($Instance.simpleSettingCollectionValue) { return @($Instance.simpleSettingCollectionValue.value) }
        $children = @($choice.children)
        if ($children.Count -eq 0) {
            if ($choice.value -like '*_1') { return $true }
            if ($choice.value -like '*_0') { return $false }
            throw "unexpected option $($choice.value)"
        }
        $child = $children[0]
        if ($child.choiceSettingValue) { return $child.choiceSettingValue.value.Substring($child.settingDefinitionId.Length + 1) }
        return (Get-CatalogValue $child $Setting)
    }
    function ConvertTo-JsonValue($Setting, $Value) {
        $text = if ($Setting.Type -eq 'StringList') { ConvertTo-Json -Compress -InputObject @($Value) }
                elseif ($Setting.Type -eq 'Integer') { [string][long]$Value }
                else { ConvertTo-Json -Compress -InputObject $Value }
        [WaHardening.Core.Json.JsonParser]::Parse($text, 'catalog')
    }
    function Add-Rendered([hashtable] $Store, $Rendered) {
        $key = "$($Rendered.Hive)\$($Rendered.Key)"
        if ($Rendered.IsList) { $i = 0; foreach ($item in $Rendered.ListItems) { $i++; Set-StoreValue $Store $key "$i" $item }; return }
        Set-StoreValue $Store $key $Rendered.ValueName $(if ($Rendered.Data -is [string[]]) { , $Rendered.Data } else { $Rendered.Data })
    }

    # ---- ADMX-backed OMA-URIs rendered by the ADMX's own rules
    function Get-AdmxValue($Node) {
        # <decimal value="1"/> or <string>x</string>
        if ($Node.decimal) { return [long]$Node.decimal.value }
        if ($null -ne $Node.string) { return [string]$Node.string }
        if ($Node.delete) { return $null }
        throw "unsupported ADMX value $($Node.OuterXml)"
    }
    function Invoke-AdmxPolicy([hashtable] $Store, [xml] $Admx, [string] $OmaUri, [string] $Payload) {
        # ./Device/Vendor/MSFT/Policy/Config/App~Policy~cat1~cat2/PolicyName
        $rest = $OmaUri.Substring('./Device/Vendor/MSFT/Policy/Config/'.Length)
        $area, $policyName = $rest.Split('/')
        $categories = @($area.Split('~') | Select-Object -Skip 2)
        $policy = @($Admx.policyDefinitions.policies.policy | Where-Object name -CEQ $policyName)
        $policy.Count | Should -Be 1 -Because "$policyName must be one policy of the ADMX"
        $policy = $policy[0]
        # The category path of the OMA-URI is the policy's category chain in the ADMX (only categories this ADMX defines).
        $chain = @(); $cat = $policy.parentCategory.ref
        while ($cat -and $cat -notmatch ':') {
            $chain = @($cat) + $chain
            $cat = ($Admx.policyDefinitions.categories.category | Where-Object name -CEQ $cat).parentCategory.ref
        }
        ($chain -join '~') | Should -BeExactly ($categories -join '~') -Because "the OMA-URI of $policyName names its ADMX categories"
        $root = "HKLM\" + $policy.key
        $doc = [xml]("<p>" + $Payload + "</p>")
        $enabled = $null -ne $doc.p.enabled
        $valueName = $policy.valueName
        if (-not $enabled) {
            $null -ne $doc.p.disabled | Should -BeTrue
            if ($policy.disabledValue) { Set-StoreValue $Store $root $valueName (Get-AdmxValue $policy.disabledValue) }
            return
        }
        if ($policy.enabledValue) { Set-StoreValue $Store $root $valueName (Get-AdmxValue $policy.enabledValue) }
        elseif ($valueName -and -not $policy.elements) { Set-StoreValue $Store $root $valueName 1 }
        foreach ($data in @($doc.p.data)) {
            if (-not $data) { continue }
            $element = @($policy.elements.ChildNodes | Where-Object { $_.id -ceq $data.id })
            $element.Count | Should -Be 1 -Because "element $($data.id) of $policyName"
            $element = $element[0]
            $key = if ($element.key) { "HKLM\" + $element.key } else { $root }
            switch ($element.LocalName) {
                'list' {
                    # name/value pairs separated by U+F000 (Mozilla's oma-uris.md for lists with valuePrefix="")
                    $parts = $data.value.Split([char]0xF000)
                    for ($i = 0; $i -lt $parts.Count; $i += 2) { Set-StoreValue $Store $key $parts[$i] $parts[$i + 1] }
                }
                'enum' {
                    $item = @($element.item | Where-Object { [string](Get-AdmxValue $_.value) -ceq $data.value })
                    $item.Count | Should -Be 1 -Because "'$($data.value)' must be an item of enum $($data.id)"
                    Set-StoreValue $Store $key $element.valueName (Get-AdmxValue $item[0].value)
                }
                'text' { Set-StoreValue $Store $key $element.valueName $data.value }
                'multiText' { Set-StoreValue $Store $key $element.valueName (, [string[]]($data.value.Split([char]0xF000))) }
                'decimal' { Set-StoreValue $Store $key $element.valueName ([long]$data.value) }
                default { throw "unsupported ADMX element $($element.LocalName)" }
            }
        }
    }

    # Everything the Windows exports a device of $Profile is assigned deliver (the profile's own export and those of the
    # profiles it includes, as manifest.json's "includes" says), applied to a fresh stand-in: catalog, OMA-URIs, then the
    # remediations.
    function New-DeliveredStore([string] $Profile, [string[]] $Outs, [switch] $NoRemediation, [switch] $FirefoxThroughMozilla) {
        $baseline = [WaHardening.Core.Model.BaselineLoader]::Load((Join-Path $ModulePath 'policies/baseline.json'))
        $settings = @($baseline.ControlsFor($Profile) | ForEach-Object { $_.Settings })
        $store = @{}
        foreach ($Out in $Outs) {
        foreach ($file in Get-ChildItem (Join-Path $Out 'windows/settings-catalog') -Filter *.json -ErrorAction SilentlyContinue) {
            foreach ($entry in (Get-Content -Raw $file.FullName | ConvertFrom-Json).settings) {
                $instance = $entry.settingInstance
                $setting = @($settings | Where-Object { $_.Intune -and $_.Intune.SettingDefinitionId -eq $instance.settingDefinitionId })
                $setting.Count | Should -Be 1 -Because $instance.settingDefinitionId
                $rendered = [WaHardening.Core.Rendering.RegistryRendering]::Render($setting[0], (ConvertTo-JsonValue $setting[0] (Get-CatalogValue $instance $setting[0])))
                if ($rendered.Hive -eq 'HKLM') { Add-Rendered $store $rendered }
            }
        }
        $omaFile = Join-Path $Out 'windows/custom-oma-uri.json'
        if (-not (Test-Path $omaFile)) { continue }
        $oma = Get-Content -Raw $omaFile | ConvertFrom-Json
        $ingested = @{}
        foreach ($o in $oma.omaSettings | Where-Object omaUri -like './Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/*') {
            $ingested[$o.omaUri.Split('/')[7]] = [xml]$o.value
        }
        foreach ($o in $oma.omaSettings | Where-Object omaUri -like './Device/Vendor/MSFT/Policy/Config/*') {
            $o.'@odata.type' | Should -Be '#microsoft.graph.omaSettingString' -Because "$($o.omaUri) is ADMX-backed"
            $app = $o.omaUri.Substring('./Device/Vendor/MSFT/Policy/Config/'.Length).Split('~')[0]
            # Every ADMX-backed OMA-URI needs only what the same profile ingests: no file the tenant must add first.
            $ingested.ContainsKey($app) | Should -BeTrue -Because "$($o.omaUri) needs the ADMX of $app, which the profile must ingest"
            $uri = $o.omaUri; $admx = $ingested[$app]
            if ($FirefoxThroughMozilla -and $app -like 'WaHardeningFirefox*') {
                # The same value for Mozilla's OMA-URI of the policy, rendered by Mozilla's firefox.admx.
                $uri = './Device/Vendor/MSFT/Policy/Config/Firefox' + $o.omaUri.Substring('./Device/Vendor/MSFT/Policy/Config/'.Length + $app.Length)
                $admx = $FirefoxAdmx
            }
            # The OMA-URI payload is XML text; &#xF000; separators arrive as U+F000 once parsed.
            Invoke-AdmxPolicy $store $admx $uri $o.value
        }
        }
        $path = Join-Path $TestDrive "$Profile-store-$([guid]::NewGuid()).json"
        $store | ConvertTo-Json -Depth 6 | Set-Content $path
        if ($NoRemediation) { return $path }
        foreach ($Out in $Outs) {
            $script = Join-Path $Out 'windows/remediation/remediate.ps1'
            if (-not (Test-Path $script)) { continue }
            $fix = Invoke-DeviceScript $script $path
            $fix.ExitCode | Should -Be 0 -Because $fix.Output
        }
        $path
    }
    # The custom compliance results of every export the device is assigned (each has its own discovery script and rules;
    # no setting is judged by two of them).
    function Get-Discovery([string[]] $Outs, [string] $Store) {
        $all = @{}
        foreach ($Out in $Outs) {
            $script = Join-Path $Out 'windows/custom-compliance/discovery.ps1'
            if (-not (Test-Path $script)) { continue }
            $r = Invoke-DeviceScript $script $Store
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $one = $r.Output | ConvertFrom-Json -AsHashtable
            foreach ($k in $one.Keys) { $all.ContainsKey($k) | Should -BeFalse -Because "$k is judged by one export only"; $all[$k] = $one[$k] }
        }
        $all
    }
    function Edit-Store([string] $Store, [scriptblock] $Change) {
        # Registry keys are case-insensitive: so is this table (RegistryRendering spells keys as the ADMX files do: Software\Policies).
        $raw = Get-Content -Raw $Store | ConvertFrom-Json -AsHashtable
        $s = @{}; foreach ($k in $raw.Keys) { $s[$k] = $raw[$k] }
        & $Change $s
        $copy = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.json')
        $s | ConvertTo-Json -Depth 6 | Set-Content $copy
        $copy
    }
}

Describe 'Windows closed loop (<_>)' -ForEach 'Standard', 'SharedComputer' {
    BeforeAll {
        $script:Profile = $_
        # A device of this profile is assigned this profile's export and those of the profiles it includes (manifest.json).
        $script:Out = @()
        $pending = [System.Collections.Generic.Queue[string]]::new(); $pending.Enqueue($_)
        while ($pending.Count) {
            $p = $pending.Dequeue()
            $dir = Join-Path $TestDrive "export-$_-$p"
            $null = Export-WaIntuneProfile -Path $dir -Profile $p -Platform Windows -Confirm:$false
            $script:Out += $dir
            foreach ($i in (Get-Content -Raw (Join-Path $dir 'manifest.json') | ConvertFrom-Json).includes) { $pending.Enqueue($i) }
        }
        $script:Store = New-DeliveredStore $_ $Out
        $script:Rules = @(foreach ($dir in $Out) {
            $f = Join-Path $dir 'windows/custom-compliance/rules.json'
            if (Test-Path $f) { (Get-Content -Raw $f | ConvertFrom-Json).Rules }
        })
    }

    It 'every compliance rule is true and detection exits 0 on a device with everything the export delivers' {
        $result = Get-Discovery $Out $Store
        @($result.Keys) | Sort-Object | Should -Be (@($Rules.SettingName) | Sort-Object)
        foreach ($r in $Rules) { $result[$r.SettingName] | Should -Be $true -Because "$($r.SettingName) is delivered" }
        foreach ($dir in $Out) {
            $script = Join-Path $dir 'windows/remediation/detect.ps1'
            if (-not (Test-Path $script)) { continue }
            $detect = Invoke-DeviceScript $script $Store
            $detect.ExitCode | Should -Be 0 -Because $detect.Output
        }
    }

    It 'every compliance rule is met without the remediation (licence-free paths only)' {
        # The same device without the remediation (it needs Windows Enterprise E3/E5-class licences): the settings catalog
        # and the custom OMA-URI profile alone must satisfy every compliance rule.
        $again = New-DeliveredStore $Profile $Out -NoRemediation
        $result = Get-Discovery $Out $again
        foreach ($r in $Rules) { $result[$r.SettingName] | Should -Be $true }
    }

    It 'Firefox is delivered through the ingested ADMX, and Mozilla''s firefox.admx writes the same registry values' {
        $oma = Get-Content -Raw (Join-Path $Out[0] 'windows/custom-oma-uri.json') | ConvertFrom-Json   # this profile's own export
        $firefox = @($oma.omaSettings | Where-Object omaUri -like './Device/Vendor/MSFT/Policy/Config/WaHardeningFirefox*~Policy~*')
        $firefox.Count | Should -BeGreaterOrEqual 7
        @($oma.omaSettings | Where-Object omaUri -like '*/Config/Firefox~Policy~*') | Should -BeNullOrEmpty -Because "Mozilla's AppName needs Mozilla's file on the device"
        $app = $firefox[0].omaUri.Substring('./Device/Vendor/MSFT/Policy/Config/'.Length).Split('~')[0]
        @($oma.omaSettings | Where-Object omaUri -eq "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/$app/Policy/${app}Admx").Count | Should -Be 1
        $mozilla = New-DeliveredStore $Profile $Out -NoRemediation -FirefoxThroughMozilla
        $ours = New-DeliveredStore $Profile $Out -NoRemediation
        $m = Get-Content -Raw $mozilla | ConvertFrom-Json -AsHashtable
        $o = Get-Content -Raw $ours | ConvertFrom-Json -AsHashtable
        $firefoxKeys = @($o.Keys | Where-Object { $_ -like 'HKLM\Software\Policies\Mozilla\Firefox*' } | Sort-Object)
        $firefoxKeys.Count | Should -BeGreaterThan 0
        @($m.Keys | Where-Object { $_ -like 'HKLM\Software\Policies\Mozilla\Firefox*' } | Sort-Object) | Should -Be $firefoxKeys
        foreach ($k in $firefoxKeys) { ($m[$k] | ConvertTo-Json -Depth 4) | Should -BeExactly ($o[$k] | ConvertTo-Json -Depth 4) -Because $k }
    }

    It 'a Firefox value set looser than required is exactly one rule false' {
        if ($Profile -eq 'Standard') {
            $looser = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Mozilla\Firefox']['HttpsOnlyMode'] = 'enabled' }
            $rule = 'WA_PHISH_02_Firefox_HttpsOnlyMode'
        } else {
            $looser = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Mozilla\Firefox\SanitizeOnShutdown']['Cookies'] = 0 }
            $rule = 'WA_SHARED_01_Firefox_SanitizeOnShutdown_Cookies'
        }
        $result = Get-Discovery $Out $looser
        @($result.Keys | Where-Object { -not $result[$_] }) | Should -Be @($rule)
    }

    # Standard's controls: a shared computer gets them from the Standard export it is also assigned.
    It 'a looser value makes exactly that rule false; a stricter one keeps it true' {
        $looser = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Microsoft\Edge']['RelaunchNotificationPeriod'] = 30 * 86400000 }
        $result = Get-Discovery $Out $looser
        @($result.Keys | Where-Object { -not $result[$_] }) | Should -Be @('WA_UPDATE_02_Edge_RelaunchNotificationPeriod')
        $stricter = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Microsoft\Edge']['RelaunchNotificationPeriod'] = 3600000 }
        $result = Get-Discovery $Out $stricter
        @($result.Keys | Where-Object { -not $result[$_] }) | Should -BeNullOrEmpty
    }

    It 'an audit-only value: absent with a satisfying default is true, stricter is true, looser (0 = never) is false' {
        (Get-Content -Raw $Store) | Should -Not -Match 'AutoUpdateCheckPeriodMinutes' -Because 'enforce: false settings are written by nothing in the export'
        $name = 'WA_UPDATE_01_EdgeUpdate_AutoUpdateCheckPeriodMinutes'
        (Get-Discovery $Out $Store)[$name] | Should -BeTrue
        $stricter = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Microsoft\EdgeUpdate']['AutoUpdateCheckPeriodMinutes'] = 60 }
        (Get-Discovery $Out $stricter)[$name] | Should -BeTrue
        $off = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Microsoft\EdgeUpdate']['AutoUpdateCheckPeriodMinutes'] = 0 }
        $result = Get-Discovery $Out $off
        @($result.Keys | Where-Object { -not $result[$_] }) | Should -Be @($name)
        $tooLarge = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Microsoft\EdgeUpdate']['AutoUpdateCheckPeriodMinutes'] = 43201 }
        (Get-Discovery $Out $tooLarge)[$name] | Should -BeFalse -Because 'Edge Update allows 0-43200'
    }

    It 'a Google Update value set looser than required is exactly one rule false' {
        $looser = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Google\Update']['UpdateDefault'] = 0 }
        $result = Get-Discovery $Out $looser
        @($result.Keys | Where-Object { -not $result[$_] }) | Should -Be @('WA_UPDATE_01_GoogleUpdate_UpdateDefault')
        $other = Edit-Store $Store { param($s) $s['HKLM\Software\Policies\Google\Update']['UpdateDefault'] = 3 }
        (Get-Discovery $Out $other)['WA_UPDATE_01_GoogleUpdate_UpdateDefault'] | Should -BeTrue -Because '3 (automatic silent only) is accepted'
    }
}
