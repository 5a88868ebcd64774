BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Out = Join-Path $TestDrive 'standard'
    $script:Files = @(Export-WaIntuneProfile -Path $Out -Confirm:$false)
    $script:Python = '/usr/bin/python3'
    if (-not (Test-Path $Python)) { throw 'python3 is needed to parse the .mobileconfig files with plistlib (scripts/install-test-deps.sh).' }

    function Invoke-DeviceScript([string] $Path, [string] $Store) {
        # Runs a generated script in a child PowerShell against a JSON file standing in for the registry.
        $env:WAHARDENING_REGISTRY_FILE = $Store
        try {
            $output = & (Get-PwshPath) -NoProfile -NonInteractive -File $Path 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join "`n") }
        } finally { Remove-Item Env:WAHARDENING_REGISTRY_FILE }
    }
    function Get-PwshPath { if ($IsWindows) { Join-Path $PSHOME 'pwsh.exe' } else { Join-Path $PSHOME 'pwsh' } }
}

Describe 'Export-WaIntuneProfile' {
    It 'writes every kind of file with manifest.json listing each with its kind, marker and controls' {
        $manifest = Get-Content -Raw (Join-Path $Out 'manifest.json') | ConvertFrom-Json
        $manifest.schemaVersion | Should -Be 1
        $manifest.profile | Should -Be 'Standard'
        $kinds = $manifest.files.kind | Sort-Object -Unique
        foreach ($k in 'settingsCatalog', 'compliancePolicy', 'customComplianceScript', 'customComplianceRules', 'remediationScript', 'remediation', 'mobileconfig', 'linuxPolicy', 'dconfKeyfile') {
            $kinds | Should -Contain $k
        }
        $Files.Count | Should -Be $manifest.files.Count
        foreach ($f in $manifest.files) {
            $path = Join-Path $Out $f.path
            (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $f.sha256
            $f.controls | Should -Not -BeNullOrEmpty
        }
        ($Files | Where-Object Publishable).Count | Should -Be @($manifest.files | Where-Object { $null -ne $_.graph }).Count
    }

    It 'writes a Windows compliance policy that imports as it is: the script binding is publish-time data in manifest.json' {
        $policy = Get-Content -Raw (Join-Path $Out 'windows/compliance.json') | ConvertFrom-Json
        $policy.PSObject.Properties.Name | Should -Not -Contain 'deviceCompliancePolicyScript'
        $manifest = Get-Content -Raw (Join-Path $Out 'manifest.json') | ConvertFrom-Json
        $binding = @(($manifest.files | Where-Object path -EQ 'windows/compliance.json').graph.bindings)
        $binding.Count | Should -Be 1
        $binding[0].property | Should -Be 'deviceCompliancePolicyScript.deviceComplianceScriptId'
        $binding[0].marker | Should -Be ($manifest.files | Where-Object path -EQ 'windows/custom-compliance/deviceComplianceScript.json').marker
        $rules = [IO.File]::ReadAllBytes((Join-Path $Out 'windows/custom-compliance/rules.json'))
        $binding[0].values.'deviceCompliancePolicyScript.rulesContent' | Should -Be ([Convert]::ToBase64String($rules))
    }

    It 'is deterministic: a second export is byte-identical' {
        $again = Join-Path $TestDrive 'again'
        $null = Export-WaIntuneProfile -Path $again -Confirm:$false
        $a = Get-ChildItem $Out -Recurse -File | ForEach-Object { "$($_.FullName.Substring($Out.Length)) $((Get-FileHash $_.FullName).Hash)" }
        $b = Get-ChildItem $again -Recurse -File | ForEach-Object { "$($_.FullName.Substring($again.Length)) $((Get-FileHash $_.FullName).Hash)" }
        $b | Should -Be $a
    }

    It 'generates scripts that Windows PowerShell 5.1 can parse: no PowerShell 7-only syntax' {
        $scripts = Get-ChildItem $Out -Recurse -Filter *.ps1
        $scripts.Count | Should -Be 3
        foreach ($s in $scripts) {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($s.FullName, [ref]$tokens, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because "$($s.Name) must parse"
            # PowerShell 7 operators: ?? ??= ?. ?[] (null-conditional), && || (pipeline chains), ternary ?:
            $bad = $tokens | Where-Object { $_.Kind -in 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr' }
            $bad | Should -BeNullOrEmpty -Because "$($s.Name) must run in Windows PowerShell 5.1"
            $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.TernaryExpressionAst] -or
                        $n -is [System.Management.Automation.Language.PipelineChainAst] }, $true) | Should -BeNullOrEmpty
            $ast.ParamBlock.Attributes.TypeName.Name | Should -Not -Contain 'CmdletBinding' -Because 'Intune runs the scripts without parameters'
        }
    }

    It 'remediation pair: detection exits 1 on a bare device, remediation fixes it, detection then exits 0' {
        $store = Join-Path $TestDrive 'registry.json'
        '{}' | Set-Content $store
        $detect = Join-Path $Out 'windows/remediation/detect.ps1'
        $first = Invoke-DeviceScript $detect $store
        $first.ExitCode | Should -Be 1
        # One line in the versioned format Get-WaIntuneCompliance parses back (DetectionOutput).
        $first.Output | Should -Match '^WaHardening-Detect/1 checked=\d+ failed=[1-9]\d* list=WA_[A-Za-z0-9_,]+$'
        [WaHardening.Core.Reporting.DetectionOutput]::Parse($first.Output).Failed | Should -BeGreaterThan 0
        $fix = Invoke-DeviceScript (Join-Path $Out 'windows/remediation/remediate.ps1') $store
        $fix.ExitCode | Should -Be 0 -Because $fix.Output
        $fix.Output | Should -Match 'Remediated: \d+ values written'
        $after = Invoke-DeviceScript $detect $store
        $after.ExitCode | Should -Be 0 -Because $after.Output
        $state = Get-Content -Raw $store | ConvertFrom-Json -AsHashtable
        $state['HKLM\Software\Policies\Mozilla\Firefox\DisableSecurityBypass']['SafeBrowsing'] | Should -Be 1
        # Firefox preferences: the current Preferences policy, one JSON object (REG_MULTI_SZ).
        $prefs = ConvertFrom-Json (@($state['HKLM\Software\Policies\Mozilla\Firefox']['Preferences']) -join "`n")
        $prefs.'browser.safebrowsing.phishing.enabled'.Status | Should -Be 'locked'
        $prefs.'browser.safebrowsing.phishing.enabled'.Value | Should -BeTrue
        # Unset, AppAutoUpdate's (true) and DisableAppUpdate's (false) defaults already comply: like Set-WaHardening (ValueComparer.NeedsWrite), nothing is written.
        $state['HKLM\Software\Policies\Mozilla\Firefox'].ContainsKey('DisableAppUpdate') | Should -BeFalse
        $state['HKLM\Software\Policies\Mozilla\Firefox\Cookies\AllowSession'].Values | Should -Contain 'https://web.whatsapp.com'
    }

    It 'remediation never loosens a stricter value and keeps foreign list items' {
        $store = Join-Path $TestDrive 'strict.json'
        @{
            'HKLM\Software\Policies\Google\Update'                   = @{ AutoUpdateCheckPeriodMinutes = 60 }
            'HKLM\Software\Policies\Mozilla\Firefox\Cookies\AllowSession' = @{ '1' = 'https://intranet.example' }
        } | ConvertTo-Json | Set-Content $store
        (Invoke-DeviceScript (Join-Path $Out 'windows/remediation/remediate.ps1') $store).ExitCode | Should -Be 0
        $state = Get-Content -Raw $store | ConvertFrom-Json -AsHashtable
        $state['HKLM\Software\Policies\Google\Update']['AutoUpdateCheckPeriodMinutes'] | Should -Be 60
        $list = $state['HKLM\Software\Policies\Mozilla\Firefox\Cookies\AllowSession']
        $list['1'] | Should -Be 'https://intranet.example'
        $list.Values | Should -Contain 'https://web.whatsapp.com'
    }

    It 'remediation honours Firefox SanitizeOnShutdown as one DWORD: 1 is left alone, 0 is replaced by the items' {
        $shared = Join-Path $TestDrive 'shared'
        $null = Export-WaIntuneProfile -Path $shared -Profile SharedComputer -Platform Windows -Confirm:$false
        $detect = Join-Path $shared 'windows/remediation/detect.ps1'
        $remediate = Join-Path $shared 'windows/remediation/remediate.ps1'
        (Get-Content -Raw $detect) | Should -Match "AllName = 'SanitizeOnShutdown'"
        # An item set looser than required is fixed even while the boolean form is on (the item is what counts then).
        $mixed = Join-Path $TestDrive 'sanitize-mixed.json'
        @{ 'HKLM\Software\Policies\Mozilla\Firefox' = @{ SanitizeOnShutdown = 1 }; 'HKLM\Software\Policies\Mozilla\Firefox\SanitizeOnShutdown' = @{ Cookies = 0 } } |
            ConvertTo-Json | Set-Content $mixed
        (Invoke-DeviceScript $remediate $mixed).ExitCode | Should -Be 0
        (Get-Content -Raw $mixed | ConvertFrom-Json -AsHashtable)['HKLM\Software\Policies\Mozilla\Firefox\SanitizeOnShutdown']['Cookies'] | Should -Be 1
        foreach ($flag in 1, 0) {
            $store = Join-Path $TestDrive "sanitize-$flag.json"
            @{ 'HKLM\Software\Policies\Mozilla\Firefox' = @{ SanitizeOnShutdown = $flag } } | ConvertTo-Json | Set-Content $store
            $before = Invoke-DeviceScript $detect $store
            $before.ExitCode | Should -Be 1
            if ($flag) { $before.Output | Should -Not -Match 'SanitizeOnShutdown' -Because 'the boolean form on satisfies every item' }
            else { $before.Output | Should -Match 'list=(.*,)?WA_SHARED_01_Firefox_SanitizeOnShutdown_Cookies(,|$| )' }
            (Invoke-DeviceScript $remediate $store).ExitCode | Should -Be 0
            (Invoke-DeviceScript $detect $store).ExitCode | Should -Be 0
            $state = Get-Content -Raw $store | ConvertFrom-Json -AsHashtable
            if ($flag) {
                $state['HKLM\Software\Policies\Mozilla\Firefox']['SanitizeOnShutdown'] | Should -Be 1
                $state.ContainsKey('HKLM\Software\Policies\Mozilla\Firefox\SanitizeOnShutdown') | Should -BeFalse
            } else {
                $state['HKLM\Software\Policies\Mozilla\Firefox'].ContainsKey('SanitizeOnShutdown') | Should -BeFalse
                $state['HKLM\Software\Policies\Mozilla\Firefox\SanitizeOnShutdown']['Cookies'] | Should -Be 1
            }
        }
    }

    It 'custom compliance: discovery prints compact JSON whose values satisfy the rules only when compliant' {
        $rules = (Get-Content -Raw (Join-Path $Out 'windows/custom-compliance/rules.json') | ConvertFrom-Json).Rules
        $discovery = Join-Path $Out 'windows/custom-compliance/discovery.ps1'
        $store = Join-Path $TestDrive 'cc.json'
        '{}' | Set-Content $store
        $bare = Invoke-DeviceScript $discovery $store
        $bare.ExitCode | Should -Be 0
        $bare.Output | Should -Not -Match "`n" -Because 'Intune reads one line of compact JSON'
        $result = $bare.Output | ConvertFrom-Json -AsHashtable
        @($result.Keys) | Sort-Object | Should -Be (@($rules.SettingName) | Sort-Object)
        # A bare device passes only where the baseline's default satisfies the setting (as Test-WaHardening judges it).
        $table = & ([scriptblock]::Create(((Get-Content -Raw $discovery) -split "`nfunction ")[0] + "`n`$WaSettings"))
        $withDefault = @($table | Where-Object { $_.ContainsKey('Default') } | ForEach-Object { $_.Setting })
        $withDefault | Should -Contain 'WA_UPDATE_01_EdgeUpdate_AutoUpdateCheckPeriodMinutes'
        @($result.Keys | Where-Object { $result[$_] } | Sort-Object) | Should -Be @($withDefault | Sort-Object)

        # A device the remediation and the settings catalog have configured: build it from the script's own table.
        $null = Invoke-DeviceScript (Join-Path $Out 'windows/remediation/remediate.ps1') $store
        $state = Get-Content -Raw $store | ConvertFrom-Json -AsHashtable
        $members = [ordered]@{}
        foreach ($s in $table | Where-Object { $_.Compare -ne 'Superset' }) {
            if (-not $state.ContainsKey("$($s.Hive)\$($s.Key)")) { $state["$($s.Hive)\$($s.Key)"] = @{} }
            if ($s.JsonMember) { $members[$s.JsonMember] = ConvertFrom-Json $s.MemberJson; $state["$($s.Hive)\$($s.Key)"][$s.Name] = @(ConvertTo-Json $members -Compress); continue }
            $state["$($s.Hive)\$($s.Key)"][$s.Name] = $s.Value
        }
        foreach ($s in $table | Where-Object { $_.Compare -eq 'Superset' }) {
            $i = 0; $state["$($s.Hive)\$($s.Key)"] = @{}
            foreach ($v in $s.Value) { $i++; $state["$($s.Hive)\$($s.Key)"]["$i"] = $v }
        }
        $state | ConvertTo-Json -Depth 5 | Set-Content $store
        $good = (Invoke-DeviceScript $discovery $store).Output | ConvertFrom-Json -AsHashtable
        foreach ($r in $rules) {
            $r.Operator | Should -Be 'IsEquals'
            $good[$r.SettingName] | Should -Be $r.Operand -Because "$($r.SettingName) is configured"
        }
    }

    It 'mobileconfig files are property lists that Python plistlib reads, with stable payload UUIDs' {
        $configs = Get-ChildItem (Join-Path $Out 'macos') -Filter *.mobileconfig
        $configs.Count | Should -Be 7   # screen lock per channel (System, User), Chrome, Chromium, Brave, Edge, Firefox (a profile per browser row with a macOS domain)
        $code = @'
import json, plistlib, sys
out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        p = plistlib.load(f)
    def mcx(c):  # com.apple.ManagedClient.preferences: PayloadContent.<domain>.Forced[0].mcx_preference_settings
        return {d: sorted(v["Forced"][0]["mcx_preference_settings"]) for d, v in c.get("PayloadContent", {}).items()} if c["PayloadType"] == "com.apple.ManagedClient.preferences" else {}
    out[path.rsplit("/", 1)[-1]] = {"type": p["PayloadType"], "scope": p["PayloadScope"], "uuid": p["PayloadUUID"], "payloads": [{"type": c["PayloadType"], "uuid": c["PayloadUUID"], "keys": sorted(k for k in c if not k.startswith("Payload")), "mcx": mcx(c)} for c in p["PayloadContent"]]}
print(json.dumps(out))
'@
        $json = & $Python -c $code @($configs.FullName)
        $LASTEXITCODE | Should -Be 0
        $parsed = $json | ConvertFrom-Json -AsHashtable
        $parsed['screen-lock.mobileconfig'].type | Should -Be 'Configuration'
        $parsed['screen-lock.mobileconfig'].payloads.type | Should -Contain 'com.apple.screensaver'
        ($parsed['screen-lock.mobileconfig'].payloads | Where-Object type -eq 'com.apple.screensaver').keys | Should -Be @('askForPassword', 'askForPasswordDelay', 'moduleName')
        $parsed['screen-lock.mobileconfig'].scope | Should -Be 'System'
        $parsed['screen-lock-user.mobileconfig'].scope | Should -Be 'User'
        $parsed['screen-lock-user.mobileconfig'].payloads.type | Should -Be @('com.apple.screensaver.user')
        ($parsed['firefox.mobileconfig'].payloads | Select-Object -First 1).mcx['org.mozilla.firefox'] | Should -Contain 'EnterprisePoliciesEnabled'
        ($parsed['chrome.mobileconfig'].payloads | Select-Object -First 1).type | Should -Be 'com.apple.ManagedClient.preferences'
        ($parsed['chrome.mobileconfig'].payloads | Select-Object -First 1).mcx['com.google.Chrome'] | Should -Not -Contain 'BackgroundModeEnabled'   # Windows and Linux only
        $uuids = @($parsed.Values | ForEach-Object { $_.uuid; $_.payloads.uuid })
        $uuids | Should -Match '^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$'
        ($uuids | Sort-Object -Unique).Count | Should -Be $uuids.Count
    }

    It 'Linux files hold what the enforcement providers write' {
        $root = Join-Path $TestDrive 'linux-root'
        foreach ($bin in 'usr/bin/chromium', 'usr/bin/firefox') { New-Item -ItemType File -Force -Path (Join-Path $root $bin) | Out-Null }
        New-Item -ItemType Directory -Force -Path (Join-Path $root 'etc/dconf/db') | Out-Null
        $null = Set-WaHardening -Root $root -Confirm:$false
        Get-Content -Raw (Join-Path $Out 'linux/chromium/wa-hardening.json') | Should -Be (Get-Content -Raw (Join-Path $root 'etc/chromium/policies/managed/wa-hardening.json'))
        # Every policy Set-WaHardening wrote is in the export with the same value; the export also pins policies whose
        # default is already compliant (Set leaves those alone), so the exported file may hold more.
        $check = 'import json,sys
e=json.load(open(sys.argv[1]))["policies"]; w=json.load(open(sys.argv[2]))["policies"]
def sub(a,b,p):
    for k,v in b.items():
        assert k in a, p+k+" missing from the export"
        if isinstance(v,dict): sub(a[k],v,p+k+".")
        else: assert a[k]==v, p+k
sub(e,w,""); print(len(w))'
        $written = & $Python -c $check (Join-Path $Out 'linux/firefox/policies.json') (Join-Path $root 'etc/firefox/policies/policies.json') 2>&1
        $LASTEXITCODE | Should -Be 0 -Because "$written"
        [int]"$written" | Should -BeGreaterOrEqual 3 -Because "Cookies, DisableSecurityBypass and HttpsOnlyMode are written"
        $exported = (Get-Content (Join-Path $Out 'linux/dconf/local.d/90-wa-hardening') | Where-Object { $_ -notmatch '^#' }) -join "`n"
        $written = (Get-Content (Join-Path $root 'etc/dconf/db/local.d/90-wa-hardening') | Where-Object { $_ -notmatch '^#' }) -join "`n"
        $exported | Should -Be $written
    }

    It '-WhatIf writes nothing; a folder that is not an export is refused with a typed error and left alone' {
        $w = Join-Path $TestDrive 'whatif'
        Export-WaIntuneProfile -Path $w -WhatIf | Should -BeNullOrEmpty
        Test-Path $w | Should -BeFalse
        $foreign = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'foreign')
        'mine' | Set-Content (Join-Path $foreign 'notes.txt')
        $err = $null
        try { Export-WaIntuneProfile -Path $foreign -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExportFolderNotEmpty,*'
        $err.Exception.Message | Should -Match ([regex]::Escape($foreign.FullName))
        Get-Content (Join-Path $foreign 'notes.txt') | Should -Be 'mine'
        @(Get-ChildItem $foreign).Count | Should -Be 1
    }

    It 'rejects a parameter out of bounds naming it, and writes nothing' {
        $p = Join-Path $TestDrive 'bounds'
        $err = $null
        try { Export-WaIntuneProfile -Path $p -Parameter @{ IdleTimeoutSeconds = 5 } -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match 'IdleTimeoutSeconds'
        Test-Path $p | Should -BeFalse
    }
}
