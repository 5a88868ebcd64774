@{
    RootModule             = 'WaHardening.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '8d0c69a7-3e74-4d5c-8451-80e303d13e33'
    Author                 = 'WaHardening contributors'
    CompanyName            = 'WaHardening'
    Copyright              = '(c) WaHardening contributors. MIT License.'
    Description            = 'Audits, enforces and exports a hardening baseline that keeps WhatsApp Web and other browser messaging sessions private on endpoints: session data cleared on browser exit, screen lock, browser updates, phishing protection. Renders the same baseline as Intune profiles, GPO backups and macOS profiles.'
    PowerShellVersion      = '5.1'
    CompatiblePSEditions   = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    CmdletsToExport        = @(
        'Get-WaBaseline'
        'Get-WaWebSession'
        'Test-WaHardening'
        'Get-WaRegistryPolicy'
        'New-WaRegistryPolicyEntry'
        'Export-WaRegistryPolicy'
        'Export-WaGpo'
        'Set-WaLocalGpo'
        'Set-WaHardening'
        'Undo-WaHardening'
        'Export-WaIntuneProfile'
        'Export-WaComplianceReport'
        'Merge-WaComplianceReport'
        'Publish-WaIntuneProfile'
        'Get-WaIntuneProfile'
        'Compare-WaIntuneProfile'
        'Get-WaIntuneCompliance'
        'Clear-WaWebSession'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    FormatsToProcess       = @('WaHardening.Format.ps1xml')
    PrivateData            = @{
        PSData = @{
            Tags         = @('Security', 'Hardening', 'WhatsApp', 'Browser', 'Intune', 'GPO', 'Compliance', 'Chrome', 'Edge', 'Firefox', 'Windows', 'Linux', 'MacOS', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/wahardening/WaHardening'
            LicenseUri   = 'https://github.com/wahardening/WaHardening/blob/main/LICENSE'
            ReleaseNotes = 'First release: baseline of 16 controls (WhatsApp Web session data, screen lock, updates, phishing, shared computers, advice); audit/enforce/undo on Linux and Windows; GPO, Intune, macOS and Linux exports; publishing through Microsoft Graph; device and fleet reports. See CHANGELOG.md in the project.'
        }
    }
}
