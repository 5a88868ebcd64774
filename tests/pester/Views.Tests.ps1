# The default tables of the module's output types (WaHardening.Format.ps1xml), as a user sees them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $env:NO_COLOR = '1'
    function Show($o) { $o | Format-Table | Out-String -Width 250 }
    function New-Result([string] $Status, [string] $Reason = 'because') {
        [WaHardening.Core.Evaluation.ComplianceResult]::new('WA-LOCK-01', 'The screen locks', 'ScreenLock', 'High', 'GNOME', $Status,
            '300', '900', $Reason, $null, [WaHardening.Core.Evaluation.SettingResult[]]@(), 'host1', [DateTimeOffset]::Now)
    }
    $script:esc = [char]27
}
AfterAll { Remove-Item Env:NO_COLOR -ErrorAction SilentlyContinue }

Describe 'Default views' {
    It 'compliance results: control, target, status, reason' {
        $t = Show (New-Result NonCompliant 'idle-delay is 900, the baseline allows at most 300')
        $t | Should -Match 'ControlId\s+Target\s+Status\s+Reason'
        $t | Should -Match '(?m)^WA-LOCK-01\s+GNOME\s+NonCompliant\s+idle-delay is 900, the baseline allows at most 300\s*$'
        $t | Should -Not -Match $esc
        # and what Test-WaHardening itself returns uses that view
        $real = Show (Test-WaHardening -Root (Join-Path $TestDrive 'empty') -Id WA-LOCK-01)
        $real | Should -Match 'ControlId\s+Target\s+Status\s+Reason'
        $real | Should -Match 'WA-LOCK-01\s+GNOME\s+NotApplicable\s+\S'
    }
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

Describe 'Colour' {
    BeforeAll {
        $script:rendering = $PSStyle.OutputRendering
        $script:colours = @{ Compliant = 32; NonCompliant = 31; Error = 91; Advisory = 36; NotApplicable = 90 }
    }
    AfterAll {
        $PSStyle.OutputRendering = $rendering
        $env:NO_COLOR = '1' # as the rest of this file expects
    }

    It 'colours each status when colour is on, and not at all when NO_COLOR is set' {
        $PSStyle.OutputRendering = 'Ansi'
        Remove-Item Env:NO_COLOR -ErrorAction SilentlyContinue
        foreach ($status in $colours.Keys) {
            Show (New-Result $status) | Should -Match ([regex]::Escape("$esc[$($colours[$status])m$status$esc[0m")) -Because "$status is coloured"
        }
        $env:NO_COLOR = '1'
        foreach ($status in $colours.Keys) {
            $t = Show (New-Result $status)
            $t | Should -Match "\s$status\s"
            $t | Should -Not -Match ([regex]::Escape("$esc[$($colours[$status])m")) -Because "NO_COLOR turns the colour off for $status"
        }
    }

    It 'colours change records by action the same way' {
        $PSStyle.OutputRendering = 'Ansi'
        Remove-Item Env:NO_COLOR -ErrorAction SilentlyContinue
        $c = [WaHardening.Core.Enforcement.ChangeRecord]::new('WA-LOCK-01', 'GNOME', 'idle-delay', '/etc/dconf/db/local.d/x', '900', '300', 'Changed', 'set', $null)
        Show $c | Should -Match ([regex]::Escape("$esc[32mChanged$esc[0m"))
        $env:NO_COLOR = '1'
        Show $c | Should -Not -Match ([regex]::Escape("$esc[32m"))
    }
}
