# Get-WaIntuneCompliance as an admin calls it, against the loopback Graph stand-in (FakeGraph and IntuneTenantSim from
# the xunit test assembly): publish the export, let the stand-in's devices report what the exported scripts really print
# (run here in a child PowerShell against a JSON registry), read the fleet back from "Intune", and compare it with
# Merge-WaComplianceReport over the devices' equivalent JSON reports: the same fleet page and JSON.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $testDll = Join-Path $RepoRoot 'tests/WaHardening.Core.Tests/bin/Release/net10.0/WaHardening.Core.Tests.dll'
    if (-not (Test-Path $testDll)) { throw "The loopback Graph lives in $testDll; build it first (build.ps1 Test builds it before Pester)." }
    Add-Type -Path $testDll
    $script:Token = 'eyJ0eXAi.PESTER-REPORT-2d4c.sig'
    $script:SecureToken = ConvertTo-SecureString $Token -AsPlainText -Force
    $script:Export = Join-Path $TestDrive 'export'
    $null = Export-WaIntuneProfile -Path $Export -Confirm:$false
    function Get-PwshPath { if ($IsWindows) { Join-Path $PSHOME 'pwsh.exe' } else { Join-Path $PSHOME 'pwsh' } }
    function Invoke-DeviceScript([string] $Path, [string] $Store) {
        $env:WAHARDENING_REGISTRY_FILE = $Store
        try { $output = & (Get-PwshPath) -NoProfile -NonInteractive -File $Path 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join "`n") } }
        finally { Remove-Item Env:WAHARDENING_REGISTRY_FILE }
    }
    # A simulated device whose results are what the exported scripts print for a registry state: the detection line as
    # Intune keeps it, and the settings the custom compliance discovery script reports false.
    function New-Device([string] $Name, [string] $Registry, [datetimeoffset] $Reported) {
        $store = Join-Path $TestDrive "$Name.json"
        Set-Content -Path $store -Value $Registry
        $detect = Invoke-DeviceScript (Join-Path $Export 'windows/remediation/detect.ps1') $store
        $discovery = Invoke-DeviceScript (Join-Path $Export 'windows/custom-compliance/discovery.ps1') $store
        $failing = @(($discovery.Output | ConvertFrom-Json).PSObject.Properties | Where-Object { -not $_.Value } | ForEach-Object Name)
        $parsed = [WaHardening.Core.Reporting.DetectionOutput]::Parse($detect.Output)
        $parsed | Should -Not -BeNullOrEmpty -Because $detect.Output
        $d = [WaHardening.Core.Tests.IntuneTenantSim+Device]::new()
        $d.Name = $Name
        $d.Failing = [string[]]@($failing + $parsed.Listed | Select-Object -Unique)
        $d.DetectionOutput = $detect.Output
        $d.Reported = $Reported
        $d
    }
}

Describe 'Get-WaIntuneCompliance' {
    BeforeAll {
        $script:Graph = [WaHardening.Core.Tests.FakeGraph]::new()
        $Graph.ExpectedToken = $Token
        $Graph.PageSize = 2
        $Graph.PollsToComplete = 2
        $script:Common = @{ AccessToken = $SecureToken; GraphEndpoint = $Graph.Root; PollIntervalSeconds = 0 }
        $null = Publish-WaIntuneProfile -Path $Export -AccessToken $SecureToken -GraphEndpoint $Graph.Root -Confirm:$false
        $script:Sim = [WaHardening.Core.Tests.IntuneTenantSim]::new($Graph)
        $recent = [datetimeoffset]::UtcNow.AddHours(-3)
        # A bare device, a remediated one (the remediation script's writes) and a half-done one.
        $bare = New-Device 'PC-BARE' '{}' $recent
        $fixedStore = Join-Path $TestDrive 'fixed.json'
        '{}' | Set-Content $fixedStore
        $null = Invoke-DeviceScript (Join-Path $Export 'windows/remediation/remediate.ps1') $fixedStore
        $fixed = New-Device 'PC-FIXED' (Get-Content -Raw $fixedStore) $recent.AddHours(-1)
        $half = New-Device 'PC-HALF' '{ "HKLM\\Software\\Policies\\Mozilla\\Firefox\\DisableSecurityBypass": { "SafeBrowsing": 1 } }' $recent
        $script:Devices = [WaHardening.Core.Tests.IntuneTenantSim+Device[]]@($bare, $fixed, $half)
        $Sim.Serve($Devices)
    }
    AfterAll { $Graph.Dispose() }

    It 'gives the same fleet page and JSON as Merge-WaComplianceReport over the devices'' equivalent reports' {
        $html = Join-Path $TestDrive 'intune.html'; $json = Join-Path $TestDrive 'intune.json'
        $s = Get-WaIntuneCompliance -Path $Export @Common -HtmlPath $html -JsonPath $json
        $s.Devices | Should -Be 3
        $s.Partial | Should -BeFalse
        $s.NotReported | Should -Be 0
        ($s.DeviceList | Where-Object Device -eq 'PC-BARE').Counts.NonCompliant | Should -BeGreaterThan 0
        ($s.DeviceList | Where-Object Device -eq 'PC-FIXED').Counts.NonCompliant | Should -BeLessThan ($s.DeviceList | Where-Object Device -eq 'PC-BARE').Counts.NonCompliant

        $reports = Join-Path $TestDrive 'reports'
        $null = New-Item -ItemType Directory $reports
        $baseline = [WaHardening.Core.Model.BaselineLoader]::Load((Join-Path $ModulePath 'policies/baseline.json'))
        foreach ($r in [WaHardening.Core.Tests.IntuneTenantSim]::EquivalentReports($Export, $baseline, $Devices, [datetimeoffset]::UtcNow, 8)) {
            [IO.File]::WriteAllText((Join-Path $reports "$($r.Device).json"), [WaHardening.Core.Json.JsonWriter]::Write($r.ToJson()))
        }
        $mhtml = Join-Path $TestDrive 'merged.html'; $mjson = Join-Path $TestDrive 'merged.json'
        $m = Merge-WaComplianceReport -Path $reports -HtmlPath $mhtml -JsonPath $mjson
        $m.Devices | Should -Be 3
        Get-Content -Raw $json | Should -BeExactly (Get-Content -Raw $mjson)
        Get-Content -Raw $html | Should -BeExactly (Get-Content -Raw $mhtml)
    }

    It 'reads the same fleet through report export jobs (-ExportJobs), polled until completed and downloaded as a zip of CSV' {
        $json = Join-Path $TestDrive 'jobs.json'
        $before = $Graph.Jobs.Count
        $null = Get-WaIntuneCompliance -Path $Export @Common -ExportJobs -JsonPath $json
        $names = @($Graph.Jobs | Select-Object -Skip $before | ForEach-Object { $_['reportName'].Value })
        $names | Should -Contain 'DeviceStatusByCompliacePolicyReport'
        $names | Should -Contain 'DeviceRunStatesByProactiveRemediation'
        Get-Content -Raw $json | Should -BeExactly (Get-Content -Raw (Join-Path $TestDrive 'intune.json'))
    }

    It 'writes progress records and never shows the token' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Join-Path $ModulePath 'WaHardening.psd1')).AddStatement().
                AddCommand('Get-WaIntuneCompliance').AddParameters(@{ Path = $Export; AccessToken = $SecureToken; GraphEndpoint = $Graph.Root; PollIntervalSeconds = 0; Verbose = $true })
            $out = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out.Count | Should -Be 1
            $progress = @($ps.Streams.Progress)
            $progress.Activity | Sort-Object -Unique | Should -Be 'Reading Intune compliance'
            $progress[-1].RecordType | Should -Be 'Completed'
            $pct = $progress.PercentComplete
            for ($i = 1; $i -lt $pct.Count; $i++) { $pct[$i] | Should -BeGreaterOrEqual $pct[$i - 1] }
            ($progress.StatusDescription + $ps.Streams.Verbose.Message + $ps.Streams.Warning.Message) -join ' ' | Should -Not -Match 'PESTER-REPORT'
        } finally { $ps.Dispose() }
    }

    It 'shows a device that has not reported, or reported long ago, as such: Error results, never compliant' {
        $g = [WaHardening.Core.Tests.FakeGraph]::new()
        try {
            $null = Publish-WaIntuneProfile -Path $Export -AccessToken $SecureToken -GraphEndpoint $g.Root -Confirm:$false
            $sim = [WaHardening.Core.Tests.IntuneTenantSim]::new($g)
            $new = [WaHardening.Core.Tests.IntuneTenantSim+Device]::new(); $new.Name = 'PC-NEW'; $new.NotReported = $true
            $old = [WaHardening.Core.Tests.IntuneTenantSim+Device]::new(); $old.Name = 'PC-OLD'; $old.Reported = [datetimeoffset]::UtcNow.AddDays(-20)
            $sim.Serve([WaHardening.Core.Tests.IntuneTenantSim+Device[]]@($new, $old))
            $warnings = $null
            $s = Get-WaIntuneCompliance -Path $Export -AccessToken $SecureToken -GraphEndpoint $g.Root -PollIntervalSeconds 0 -WarningVariable warnings -WarningAction SilentlyContinue
            $s.NotReported | Should -Be 1
            $s.Stale | Should -Be 1
            $s.Counts.Compliant | Should -Be 0
            $s.DeviceList | ForEach-Object { $_.Counts.Error | Should -BeGreaterThan 0 }
            "$warnings" | Should -Match '1 device\(s\) have not reported yet and 1 have stale results'
            # With a longer limit the old device counts again.
            (Get-WaIntuneCompliance -Path $Export -AccessToken $SecureToken -GraphEndpoint $g.Root -PollIntervalSeconds 0 -StaleAfterDays 30 -WarningAction SilentlyContinue).Stale | Should -Be 0
        } finally { $g.Dispose() }
    }

    It 'an export never published stops with IntuneNotPublished naming the missing objects' {
        $g = [WaHardening.Core.Tests.FakeGraph]::new()
        try {
            $err = $null
            try { Get-WaIntuneCompliance -Path $Export -AccessToken $SecureToken -GraphEndpoint $g.Root -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'IntuneNotPublished,*'
            $err.Exception.Message | Should -Match 'wah-standard-windows-remediation'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        } finally { $g.Dispose() }
    }

    It 'a report job that fails or times out: the summary first, labelled partial, then non-terminating typed errors' {
        $Graph.FailingReports.Add('DeviceStatusByCompliancePolicySettingReport')
        $Graph.StuckReports.Add('DeviceStatusesByConfigurationProfile')
        try {
            $errs = $null
            $out = @(Get-WaIntuneCompliance -Path $Export @Common -ReportTimeoutMinutes 1 -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue)
            $out.Count | Should -Be 1
            $out[0].Partial | Should -BeTrue
            $out[0].Failures -join "`n" | Should -Match 'DeviceStatusByCompliancePolicySettingReport'
            $out[0].Devices | Should -Be 3
            $errs.FullyQualifiedErrorId | Should -Contain 'IntuneReportFailed,WaHardening.Commands.GetWaIntuneComplianceCommand'
            $errs.FullyQualifiedErrorId | Should -Contain 'IntuneReportTimeout,WaHardening.Commands.GetWaIntuneComplianceCommand'
        } finally { $Graph.FailingReports.Clear(); $Graph.StuckReports.Clear() }
    }

    It 'Ctrl+C (a stopped pipeline) ends the read at once, while a report job is being polled' {
        $Graph.StuckReports.Add('DeviceStatusByCompliancePolicySettingReport')
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Join-Path $ModulePath 'WaHardening.psd1')).AddStatement().
                AddCommand('Get-WaIntuneCompliance').AddParameters(@{ Path = $Export; AccessToken = $SecureToken; GraphEndpoint = $Graph.Root; PollIntervalSeconds = 30 })
            # Earlier tests polled the same report on this stand-in: only a poll made by this run counts.
            $before = $Graph.Requests.Count
            $polled = { @($Graph.Requests | Select-Object -Skip $before | Where-Object { $_.Path -like "*exportJobs('DeviceStatusByCompliancePolicySettingReport_*" }).Count -gt 0 }
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (& $polled) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            & $polled | Should -BeTrue
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.IsCompleted | Should -BeTrue
        } finally { $ps.Dispose(); $Graph.StuckReports.Clear() }
    }

    It 'a profile edited in the tenant is reported as a warning and still read' {
        $hs = @($Graph.Collections['deviceManagement/deviceHealthScripts'].Values)[0]
        $name = $hs['displayName'].Value
        $null = $hs.Set('displayName', 'Edited by hand')
        try {
            $warnings = $null
            $s = Get-WaIntuneCompliance -Path $Export @Common -WarningVariable warnings -WarningAction SilentlyContinue
            $s.Edited | Should -Be 'wah-standard-windows-remediation'
            "$warnings" | Should -Match 'edited in the tenant'
            $s.Devices | Should -Be 3
        } finally { $null = $hs.Set('displayName', $name) }
    }
}

Describe 'The detection line' {
    It 'is cut by the script exactly as DetectionOutput.Format cuts it, with more= counting what is left out' {
        $store = Join-Path $TestDrive 'cut.json'
        '{}' | Set-Content $store
        $detect = Join-Path $Export 'windows/remediation/detect.ps1'
        $full = Invoke-DeviceScript $detect $store
        $all = [WaHardening.Core.Reporting.DetectionOutput]::Parse($full.Output)
        $all.Truncated | Should -BeFalse
        $all.Failed | Should -BeGreaterThan 3
        $full.Output.Length | Should -BeLessOrEqual ([WaHardening.Core.Reporting.DetectionOutput]::MaxLength)
        # The same script with a limit of 160 characters instead of Intune's 2,048 (the one number the generator writes in).
        $text = Get-Content -Raw $detect
        $text | Should -Match ([regex]::Escape(' -gt ' + [WaHardening.Core.Reporting.DetectionOutput]::MaxLength + ')'))
        $short = Join-Path $TestDrive 'detect-160.ps1'
        [IO.File]::WriteAllText($short, $text.Replace(' -gt ' + [WaHardening.Core.Reporting.DetectionOutput]::MaxLength + ')', ' -gt 160)'))
        $cut = Invoke-DeviceScript $short $store
        $cut.ExitCode | Should -Be 1
        $cut.Output.Length | Should -BeLessOrEqual 160
        $cut.Output | Should -BeExactly ([WaHardening.Core.Reporting.DetectionOutput]::Format($all.Checked, $all.Listed, 160))
        $p = [WaHardening.Core.Reporting.DetectionOutput]::Parse($cut.Output)
        $p.Truncated | Should -BeTrue
        $p.Listed.Count + $p.More | Should -Be $all.Failed
    }
}
