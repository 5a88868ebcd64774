# Device and fleet reports as users produce them, and the HTML pages as Chromium renders them (text read back over
# the DevTools protocol, screenshots saved under out/test-results/).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    Import-Module (Join-Path $PSScriptRoot '../tools/Cdp.psm1') -Force
    $null = Get-WaChromiumPath   # a missing Chromium fails here, loudly
    $script:Shots = Join-Path $RepoRoot 'out/test-results'
    $null = New-Item -ItemType Directory -Force -Path $Shots

    # A scratch machine where one control is configured and the rest is not: a mix of statuses.
    $script:Baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')
    $root = New-ScratchRoot -Path (Join-Path $TestDrive 'machine')
    $null = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false
    $script:Results = @(Test-WaHardening -Path $Baseline -Root $root)
    $script:Reports = Join-Path $TestDrive 'reports'
    $null = New-Item -ItemType Directory -Path $Reports

    function Get-RenderedText([string] $Path, [string] $Shot) {
        $s = Start-WaChromium -UserDataDir (Join-Path $TestDrive ("chromium-" + [guid]::NewGuid()))
        try {
            Invoke-CdpNavigate $s ([Uri]::new($Path).AbsoluteUri)
            Save-CdpScreenshot $s (Join-Path $Shots $Shot)
            Invoke-CdpEval $s @'
JSON.stringify({
  body: document.body.innerText,
  score: (document.getElementById('score') || {}).innerText || null,
  controls: [...document.querySelectorAll('#controls tbody tr')].map(r => [...r.cells].map(c => c.innerText)),
  advice: [...document.querySelectorAll('#advice li')].map(l => l.innerText),
  fixes: [...document.querySelectorAll('#fixes tbody tr')].map(r => r.cells[4].innerText),
  bars: [...document.querySelectorAll('#chart g.row')].map(g => g.textContent),
  scripts: document.scripts.length,
  external: [...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href'))
})
'@ | ConvertFrom-Json
        } finally { Stop-WaChromium $s }
    }
}

Describe 'Export-WaComplianceReport' {
    It 'writes JSON in the documented schema, with advice never counted as compliant' {
        $file = $Results | Export-WaComplianceReport -Path (Join-Path $Reports 'pc.json') -Confirm:$false
        $file | Should -BeOfType ([IO.FileInfo])
        $j = Get-Content -Raw $file | ConvertFrom-Json
        $j.schema | Should -Be 'WaHardening.DeviceReport'
        $j.schemaVersion | Should -Be 1
        $j.results.Count | Should -Be $Results.Count
        $j.summary.advisory | Should -Be @($Results | Where-Object Status -eq Advisory).Count
        $j.summary.compliant | Should -Be @($Results | Where-Object Status -eq Compliant).Count
        ($j.results | Where-Object status -eq 'NonCompliant' | Select-Object -First 1).fix | Should -Match 'Set-WaHardening -Id'
    }

    It 'writes CSV that Import-Csv reads back, and JUnit XML with failures and skips' {
        $Results | Export-WaComplianceReport -Path (Join-Path $Reports 'pc.csv') -Confirm:$false | Out-Null
        $rows = Import-Csv (Join-Path $Reports 'pc.csv')
        $rows.Count | Should -Be $Results.Count
        ($rows | Where-Object ControlId -eq 'WA-T-01').Status | Should -Be 'Compliant'
        $Results | Export-WaComplianceReport -Path (Join-Path $TestDrive 'junit.xml') -Confirm:$false | Out-Null
        [xml]$x = Get-Content -Raw (Join-Path $TestDrive 'junit.xml')
        [int]$x.testsuites.failures | Should -Be @($Results | Where-Object Status -eq NonCompliant).Count
        [int]$x.testsuites.skipped | Should -Be @($Results | Where-Object Status -in 'NotApplicable', 'Advisory').Count
    }

    It 'an unknown extension without -Format is a typed error and nothing is written' {
        $err = $null
        try { $Results | Export-WaComplianceReport -Path (Join-Path $TestDrive 'r.txt') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ReportFormatUnknown,*'
        Test-Path (Join-Path $TestDrive 'r.txt') | Should -BeFalse
    }

    It 'the HTML page, as Chromium renders it, shows the score, every control, the fixes and the advice apart' {
        $html = Join-Path $TestDrive 'pc.html'
        $Results | Export-WaComplianceReport -Path $html -Confirm:$false | Out-Null
        $page = Get-RenderedText $html 'device-report.png'
        $page.scripts | Should -Be 0
        $page.external | Should -BeNullOrEmpty
        $scored = @($Results | Where-Object Status -in 'Compliant', 'NonCompliant', 'Error')
        $expectedScore = [math]::Round(100.0 * @($scored | Where-Object Status -eq Compliant).Count / $scored.Count, 1)
        $page.score | Should -Be ('{0:0.0}%' -f $expectedScore)
        $page.controls.Count | Should -Be @($Results | Where-Object Status -ne 'Advisory').Count
        ($page.controls | Where-Object { $_[0] -like 'WA-T-01*' })[4] | Should -Be 'Compliant'
        $page.fixes.Count | Should -Be @($Results | Where-Object Status -in 'NonCompliant', 'Error').Count
        $page.advice | Should -HaveCount 1
        $page.advice[0] | Should -Match 'Check linked devices'
        $page.body | Should -Match 'Advice for people \(not enforceable, never counted as compliant\)'
        Test-Path (Join-Path $Shots 'device-report.png') | Should -BeTrue
    }
}

Describe 'Merge-WaComplianceReport' {
    BeforeAll {
        $fleet = Join-Path $TestDrive 'fleet'
        $null = New-Item -ItemType Directory -Path $fleet
        $seed = $Results | Export-WaComplianceReport -Path (Join-Path $TestDrive 'seed.json') -Confirm:$false
        $template = Get-Content -Raw $seed
        foreach ($i in 1..30) {
            $day = '2026-11-{0:00}' -f (20 + ($i % 3))
            $text = $template -replace '"name": "[^"]*"', ('"name": "PC-{0:000}"' -f $i) -replace '"generatedAt": "[^"]*"', ('"generatedAt": "{0}T08:00:00Z"' -f $day)
            if ($i % 5 -eq 0) { $text = $text -replace '"status": "Compliant"', '"status": "NonCompliant"' }
            Set-Content -Path (Join-Path $fleet ('pc{0:000}.json' -f $i)) -Value $text -NoNewline
        }
        Set-Content (Join-Path $fleet 'truncated.json') $template.Substring(0, 200)
        Set-Content (Join-Path $fleet 'foreign.json') '{"policies": {"DisableAppUpdate": true}}'
        Set-Content (Join-Path $fleet 'v9.json') ($template -replace '"schemaVersion": 1', '"schemaVersion": 9')
        $script:Fleet = $fleet
    }

    It 'summarises every readable report, reports each bad file by name, and does not stop' {
        $errors = $null
        $s = Merge-WaComplianceReport -Path $Fleet -ErrorVariable errors -ErrorAction SilentlyContinue
        $s.ReportsRead | Should -Be 30
        $s.Devices | Should -Be 30
        $s.Skipped | Should -Be 3
        $errors.Count | Should -Be 3
        $errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ReportInvalid,*' }
        ($errors.Exception.Message -join "`n") | Should -Match 'truncated\.json.*not valid JSON'
        ($errors.Exception.Message -join "`n") | Should -Match 'v9\.json.*schemaVersion 9'
        $s.WorstOffenders.Count | Should -BeGreaterThan 0
        $s.WorstOffenders[0].Counts.NonCompliant | Should -BeGreaterOrEqual $s.WorstOffenders[-1].Counts.NonCompliant
        $s.Trend.Count | Should -Be 3
        ($s.Controls | Where-Object ControlId -eq 'WA-T-01').Counts.NonCompliant | Should -Be 6
    }

    It 'takes files from the pipeline' {
        $s = Get-ChildItem $Fleet -Filter 'pc00*.json' | Merge-WaComplianceReport
        $s.ReportsRead | Should -Be 9
    }

    It 'the fleet page, as Chromium renders it, has a bar per control with its percentage' {
        $html = Join-Path $TestDrive 'fleet.html'
        $s = Merge-WaComplianceReport -Path $Fleet -HtmlPath $html -ErrorAction SilentlyContinue
        $page = Get-RenderedText $html 'fleet-report.png'
        $page.scripts | Should -Be 0
        $scoredControls = @($s.Controls | Where-Object { $_.Counts.Scored -gt 0 })
        $page.bars.Count | Should -Be $scoredControls.Count
        $t01 = $s.Controls | Where-Object ControlId -eq 'WA-T-01'
        $page.bars | Should -Contain ("WA-T-01 Chromium{0:0.0}%" -f $t01.Score)
        $page.body | Should -Match '30 devices from 30 reports, 3 files skipped'
        $page.body | Should -Match 'Worst offenders'
    }
}
