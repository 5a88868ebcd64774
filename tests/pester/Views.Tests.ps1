# The default tables of the module's output types (WaHardening.Format.ps1xml), as a user sees them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $env:NO_COLOR = '1'
    function Show($o) { $o | Format-Table | Out-String -Width 250 }
}
AfterAll { Remove-Item Env:NO_COLOR -ErrorAction SilentlyContinue }

Describe 'Default views' {
    It 'publish results: action, marker, name, id, error' {
        $r = [WaHardening.Core.Publishing.PublishResult]@{ Marker = 'wah-standard-windows-edge'; DisplayName = 'WaHardening - Standard - Edge'; Action = 'Failed'; Error = '400 BadRequest: no' }
        $t = Show $r
        $t | Should -Match 'Action\s+Marker\s+DisplayName\s+Id\s+Error'
        $t | Should -Match 'Failed\s+wah-standard-windows-edge\s+WaHardening - Standard - Edge\s+400 BadRequest: no'
    }
    It 'drift results and tenant profiles' {
        $d = [WaHardening.Core.Publishing.DriftResult]@{ Marker = 'wah-x'; DisplayName = 'X'; State = 'Different'; Differences = [string[]]@('name', 'settings[0]') }
        Show $d | Should -Match 'Different\s+wah-x\s+X\s+name, settings\[0\]'
        $p = [WaHardening.Core.Publishing.TenantProfile]@{ Marker = 'wah-y'; DisplayName = 'Y'; Collection = 'deviceManagement/deviceHealthScripts'; LastModified = '2026-11-25T00:00:00Z' }
        Show $p | Should -Match 'wah-y\s+Y\s+deviceManagement/deviceHealthScripts\s+2026-11-25'
    }
    It 'export files and the fleet summary' {
        $files = Export-WaIntuneProfile -Path (Join-Path $TestDrive 'e') -Platform iOS -Confirm:$false
        Show $files | Should -Match 'Kind\s+Platform\s+RelativePath\s+Publishable'
        Show $files | Should -Match 'compliancePolicy\s+iOS\s+ios/compliance.json\s+True'
        $report = Join-Path $TestDrive 'r.json'
        $null = Test-WaHardening -Root (Join-Path $TestDrive 'empty') | Export-WaComplianceReport -Path $report -Confirm:$false
        Show (Merge-WaComplianceReport -Path $report) | Should -Match 'Devices\s+ReportsRead\s+Skipped\s+Score\s+Worst'
    }
}
