# Issue #15, proof of the one-row target: Brave is one descriptor row (Model/Targets.cs) plus its baseline settings, and
# every capability serves it through the cmdlets, on the default baseline: audit, enforce, undo, GPO, Intune (custom
# OMA-URIs with an ingested ADMX, device scripts), macOS and Linux exports, reports and docs.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $script:Brave = [WaHardening.Core.Model.Targets]::Get('Brave')
    $script:Owned = $Brave.LinuxOwnedFile.TrimStart('/')
}

Describe 'Brave' {
    It 'has its locations in one row: Linux folder, Windows key, macOS domain (checked against brave-core, docs/research/targets.md)' {
        $Brave.LinuxPolicyFolder | Should -Be '/etc/brave/policies/managed'
        $Brave.WindowsPolicyKey | Should -Be 'Software\Policies\BraveSoftware\Brave'
        $Brave.MacPreferenceDomain | Should -Be 'com.brave.Browser'
        $Brave.Family | Should -Be 'ChromiumBrowser'
    }

    It 'is audited, enforced and undone on Linux by Test-, Set- and Undo-WaHardening' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'brave') -Empty
        New-Item -ItemType File -Force -Path (Join-Path $root 'opt/brave.com/brave/brave') | Out-Null
        $before = Get-TreeState $root
        $audit = @(Test-WaHardening -Root $root | Where-Object Target -eq 'Brave')
        $audit.Count | Should -BeGreaterThan 0
        $audit.Status | Should -Contain 'NonCompliant'
        $changes = Set-WaHardening -Root $root -Confirm:$false
        $policy = Get-Content -Raw (Join-Path $root $Owned) | ConvertFrom-Json
        $policy.CookiesSessionOnlyForUrls | Should -Contain 'https://web.whatsapp.com'
        $policy.SafeBrowsingProtectionLevel | Should -Be 1
        # Policies Brave accepts but ignores are never written for it.
        $policy.PSObject.Properties.Name | Should -Not -Contain 'HttpsOnlyMode'
        @(Test-WaHardening -Root $root | Where-Object Target -eq 'Brave' | Where-Object Status -ne 'Compliant') | Should -BeNullOrEmpty
        $changes | Undo-WaHardening -Root $root -Confirm:$false | Out-Null
        Get-TreeState $root | Should -Be $before
    }

    It 'is in the GPO (Registry.pol under the BraveSoftware key) for SharedComputer too' {
        $pol = Export-WaGpo -Path (Join-Path $TestDrive 'gpo') -Profile SharedComputer -AsRegistryPol
        $m = @(Get-WaRegistryPolicy (Join-Path $pol.Path 'Machine/registry.pol') | Where-Object Key -like 'Software\Policies\BraveSoftware\Brave*')
        $m.ValueName | Should -Contain 'ForceEphemeralProfiles'
        $m.ValueName | Should -Not -Contain 'ClearBrowsingDataOnExitList'
        ($m | Where-Object Key -eq 'Software\Policies\BraveSoftware\Brave\CookiesSessionOnlyForUrls').Data | Should -Contain 'https://web.whatsapp.com'
    }

    It 'is in every export: Linux file, macOS profile, Windows custom OMA-URIs with the ADMX they need, device scripts' {
        $out = Join-Path $TestDrive 'intune'
        $null = Export-WaIntuneProfile -Path $out -Confirm:$false
        (Get-Content -Raw (Join-Path $out 'linux/brave/wa-hardening.json') | ConvertFrom-Json).RestoreOnStartup | Should -Be 5
        Get-Content -Raw (Join-Path $out 'macos/brave.mobileconfig') | Should -Match '<key>com\.brave\.Browser</key>'
        $oma = (Get-Content -Raw (Join-Path $out 'windows/custom-oma-uri.json') | ConvertFrom-Json).omaSettings
        $oma.omaUri | Should -Contain './Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/WaHardeningBrave/Policy/WaHardeningBraveAdmx'
        @($oma | Where-Object omaUri -like './Device/Vendor/MSFT/Policy/Config/WaHardeningBrave~*').Count | Should -BeGreaterOrEqual 6
        Get-Content -Raw (Join-Path $out 'windows/custom-compliance/discovery.ps1') | Should -Match "Setting = 'WA_SESSION_01_Brave_CookiesSessionOnlyForUrls'"
        Get-Content -Raw (Join-Path $out 'windows/remediation/remediate.ps1') | Should -Match 'BraveSoftware'
    }

    It 'appears in reports and in the generated docs' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'report') -Empty
        New-Item -ItemType File -Force -Path (Join-Path $root 'usr/bin/brave-browser') | Out-Null
        $csv = Join-Path $TestDrive 'r.csv'
        Test-WaHardening -Root $root | Export-WaComplianceReport -Path $csv -Confirm:$false | Out-Null
        Get-Content -Raw $csv | Should -Match 'Brave'
        Get-Content -Raw (Join-Path $RepoRoot 'docs/baseline.md') | Should -Match '/etc/brave/policies/managed/wa-hardening\.json'
    }
}
