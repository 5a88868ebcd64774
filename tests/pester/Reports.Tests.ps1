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

    # What the page shows, read back over DevTools. -Print also renders it again at A4 width (210 mm = 794 CSS px)
    # with print media emulated (a second screenshot) and adds that reading as .print.
    $script:PageJs = @'
JSON.stringify({
  body: document.body.innerText,
  score: (document.getElementById('score') || {}).innerText || null,
  controls: [...document.querySelectorAll('#controls tbody tr')].map(r => [...r.cells].map(c => c.innerText)),
  cards: [...document.querySelectorAll('#categories .card')].map(c => [c.querySelector('span').innerText, c.querySelector('b').innerText, c.querySelector('small').innerText]),
  advice: [...document.querySelectorAll('#advice li')].map(l => l.innerText),
  adviceHeading: (() => { const u = document.getElementById('advice'); const h = u && u.previousElementSibling; return h ? h.innerText : null; })(),
  fixes: [...document.querySelectorAll('#fixes tbody tr')].map(r => r.cells[4].innerText),
  fixRows: [...document.querySelectorAll('#fixes tbody tr')].map(r => [...r.cells].map(c => c.innerText)),
  fleetCategories: [...document.querySelectorAll('table#categories tbody tr')].map(r => [...r.cells].map(c => c.innerText)),
  trend: [...document.querySelectorAll('#trend tbody tr')].map(r => [...r.cells].map(c => c.innerText)),
  bars: [...document.querySelectorAll('#chart g.row')].map(g => g.textContent),
  scripts: document.scripts.length,
  external: [...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href')),
  media: {
    print: matchMedia('print').matches,
    bodyMargin: getComputedStyle(document.body).marginLeft,
    fontSize: getComputedStyle(document.body).fontSize,
    rowBreak: getComputedStyle(document.querySelector('tbody tr')).breakInside,
    cardBreak: document.querySelector('.card') ? getComputedStyle(document.querySelector('.card')).breakInside : null,
    width: innerWidth,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth
  }
})
'@
    function Get-RenderedText([string] $Path, [string] $Shot, [switch] $Print) {
        $s = Start-WaChromium -UserDataDir (Join-Path $TestDrive ("chromium-" + [guid]::NewGuid()))
        try {
            Invoke-CdpNavigate $s ([Uri]::new($Path).AbsoluteUri)
            Save-CdpScreenshot $s (Join-Path $Shots $Shot)
            $page = Invoke-CdpEval $s $PageJs | ConvertFrom-Json
            if ($Print) {
                Set-CdpViewport $s -Width 794
                $page | Add-Member screenAtA4 (Invoke-CdpEval $s $PageJs | ConvertFrom-Json).media
                Set-CdpEmulatedMedia $s 'print'
                Save-CdpScreenshot $s (Join-Path $Shots ($Shot -replace '\.png$', '-print.png'))
                $page | Add-Member print (Invoke-CdpEval $s $PageJs | ConvertFrom-Json)
            }
            $page
        } finally { Stop-WaChromium $s }
    }

    # Whitespace as innerText shows it (runs collapsed).
    function Format-Rendered([string] $Text) { ($Text -replace '\s+', ' ').Trim() }

    # The per-status counts and score of a set of results (ConvertFrom-Json objects with .status), as the pages
    # print them: compliant share of compliant + non-compliant + error, one decimal, "n/a" when nothing is scored.
    function Get-Counts($Items) {
        $c = @($Items | Where-Object status -EQ 'Compliant').Count
        $nc = @($Items | Where-Object status -EQ 'NonCompliant').Count
        $e = @($Items | Where-Object status -EQ 'Error').Count
        $scored = $c + $nc + $e
        $score = if ($scored -eq 0) { 'n/a' } else { ('{0:0.0}%' -f [math]::Round(100.0 * $c / $scored, 1)).Replace(',', '.') }
        [pscustomobject]@{ C = $c; NC = $nc; E = $e; NA = @($Items | Where-Object status -EQ 'NotApplicable').Count; Scored = $scored
            Score = $score }
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

    It 'records the profile the results were audited under, not a default' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'profile-machine') -Force
        $shared = @(Test-WaHardening -Profile SharedComputer -Root $empty.FullName)
        @($shared.Profile | Sort-Object -Unique) | Should -Be 'SharedComputer'
        $json = $shared | Export-WaComplianceReport -Path (Join-Path $TestDrive 'shared.json') -Confirm:$false
        (Get-Content -Raw $json | ConvertFrom-Json).baseline.profile | Should -Be 'SharedComputer'
        # Results of two profiles in one report need the caller to say which profile the report is of.
        $standard = @(Test-WaHardening -Profile Standard -Root $empty.FullName)
        $err = $null
        try { @($standard) + @($shared) | Export-WaComplianceReport -Path (Join-Path $TestDrive 'mixed.json') -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ReportProfileMixed,*'
        Test-Path (Join-Path $TestDrive 'mixed.json') | Should -BeFalse
        $named = @($standard) + @($shared) | Export-WaComplianceReport -Path (Join-Path $TestDrive 'named.json') -Profile SharedComputer -Confirm:$false
        (Get-Content -Raw $named | ConvertFrom-Json).baseline.profile | Should -Be 'SharedComputer'
    }

    It 'a category with nothing scored shows "n/a" on its card and as the score, never 100 % for "0 of 0"' {
        # The default baseline's phone/compliance-only control on an empty machine: every result is NotApplicable.
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty-machine') -Force
        $na = @(Test-WaHardening -Id WA-LOCK-03 -Root $empty.FullName)
        $na.Count | Should -BeGreaterThan 0
        @($na | Where-Object Status -NE 'NotApplicable').Count | Should -Be 0
        $html = Join-Path $TestDrive 'na-card.html'
        $na | Export-WaComplianceReport -Path $html -Confirm:$false | Out-Null
        $page = Get-RenderedText $html 'device-report-na.png'
        $page.score | Should -Be 'n/a'
        $card = @($page.cards | Where-Object { $_[0] -eq $na[0].Category })
        $card.Count | Should -Be 1
        $card[0][1] | Should -Be 'n/a'
        $card[0][2] | Should -Be '0 of 0 compliant'
    }

    It 'the HTML page, as Chromium renders it, shows the score, every control, the fixes and the advice apart' {
        $html = Join-Path $TestDrive 'pc.html'
        $Results | Export-WaComplianceReport -Path $html -Confirm:$false | Out-Null
        $json = $Results | Export-WaComplianceReport -Path (Join-Path $TestDrive 'pc-same.json') -Confirm:$false
        $items = @((Get-Content -Raw $json | ConvertFrom-Json).results)
        $page = Get-RenderedText $html 'device-report.png'
        $page.scripts | Should -Be 0
        $page.external | Should -BeNullOrEmpty
        $scored = @($Results | Where-Object Status -in 'Compliant', 'NonCompliant', 'Error')
        $expectedScore = [math]::Round(100.0 * @($scored | Where-Object Status -eq Compliant).Count / $scored.Count, 1)
        $page.score | Should -Be ('{0:0.0}%' -f $expectedScore)
        $page.controls.Count | Should -Be @($Results | Where-Object Status -ne 'Advisory').Count
        ($page.controls | Where-Object { $_[0] -like 'WA-T-01*' })[4] | Should -Be 'Compliant'
        $page.fixes.Count | Should -Be @($Results | Where-Object Status -in 'NonCompliant', 'Error').Count
        Test-Path (Join-Path $Shots 'device-report.png') | Should -BeTrue

        # A card per category that has applicable or not-applicable results: name, score, "c of n compliant".
        $expectedCards = $items | Group-Object category | ForEach-Object {
            $k = Get-Counts $_.Group
            if ($k.Scored -gt 0 -or $k.NA -gt 0) { '{0}|{1}|{2} of {3} compliant' -f $_.Name, $k.Score, $k.C, $k.Scored }
        }
        @($expectedCards).Count | Should -BeGreaterThan 1
        @($page.cards | ForEach-Object { $_ -join '|' } | Sort-Object) | Should -Be @($expectedCards | Sort-Object)

        # A failing control: its expected and actual values and its fix, in "What to fix" and in "All controls".
        $failing = @($items | Where-Object status -EQ 'NonCompliant')
        $failing.Count | Should -BeGreaterThan 0
        foreach ($f in $failing) {
            $row = @($page.fixRows | Where-Object { $_[0] -eq (Format-Rendered "$($f.controlId) $($f.title)") -and $_[1] -eq $f.target })
            $row.Count | Should -Be 1 -Because "$($f.controlId) $($f.target) is listed once under What to fix"
            $actual = if ($null -eq $f.actual) { '(not set)' } else { $f.actual }
            Format-Rendered $row[0][2] | Should -Be (Format-Rendered $f.expected)
            Format-Rendered $row[0][3] | Should -Be (Format-Rendered $actual)
            Format-Rendered $row[0][4] | Should -Be (Format-Rendered $f.fix)
            $row[0][4] | Should -Match "Set-WaHardening -Id $([regex]::Escape($f.controlId))"
            $all = @($page.controls | Where-Object { $_[0] -eq (Format-Rendered "$($f.controlId) $($f.title)") -and $_[3] -eq $f.target })
            $all[0][4] | Should -Be 'NonCompliant'
            Format-Rendered $all[0][5] | Should -Be (Format-Rendered $f.expected)
            Format-Rendered $all[0][6] | Should -Be (Format-Rendered $actual)
        }

        # Advice in its own section, never among the controls.
        $advisory = @($items | Where-Object status -EQ 'Advisory')
        $advisory.Count | Should -Be 1
        $page.adviceHeading | Should -Be 'Advice for people (not enforceable, never counted as compliant)'
        $page.advice | Should -Be @($advisory | ForEach-Object { Format-Rendered "$($_.controlId) $($_.title). $($_.guidance)" })
        $page.advice[0] | Should -Match 'Check linked devices'
        $page.controls | Where-Object { $_[0] -like "$($advisory[0].controlId) *" } | Should -BeNullOrEmpty
    }

    It 'the HTML page printed (print media, A4 width) drops the screen margins, keeps rows and cards whole and fits the width' {
        $html = Join-Path $TestDrive 'pc-print.html'
        $Results | Export-WaComplianceReport -Path $html -Confirm:$false | Out-Null
        $page = Get-RenderedText $html 'device-report.png' -Print
        # On screen at the same width the screen rules apply ...
        $page.screenAtA4.print | Should -BeFalse
        $page.screenAtA4.width | Should -Be 794
        $page.screenAtA4.bodyMargin | Should -Be '32px'
        $page.screenAtA4.rowBreak | Should -Be 'auto'
        # Long unbroken values (site lists, policy file paths) wrap instead of pushing the table out of the window.
        $page.media.overflow | Should -BeLessOrEqual 0 -Because "the page fits the browser window ($($page.media.width) px)"
        $page.screenAtA4.overflow | Should -BeLessOrEqual 0 -Because 'the page fits a narrow (794 px) window'
        # ... and in print the @media print ones: no page margin of its own, 10 pt text, nothing split across pages.
        $p = $page.print.media
        $p.print | Should -BeTrue
        $p.bodyMargin | Should -Be '0px'
        [math]::Round([double]($p.fontSize -replace 'px$'), 1) | Should -Be 13.3
        $p.rowBreak | Should -Be 'avoid'
        $p.cardBreak | Should -Be 'avoid'
        $p.overflow | Should -BeLessOrEqual 0
        $page.print.body | Should -Be $page.body
        Test-Path (Join-Path $Shots 'device-report-print.png') | Should -BeTrue
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

    It 'takes files from the pipeline, and wildcards in -Path' {
        $s = Get-ChildItem $Fleet -Filter 'pc00*.json' | Merge-WaComplianceReport
        $s.ReportsRead | Should -Be 9
        $w = Merge-WaComplianceReport -Path (Join-Path $Fleet 'PC00*.json')   # matched as the provider does: case-insensitive
        $w.ReportsRead | Should -Be 9
        ($w.DeviceList.File | Sort-Object) | Should -Be (Get-ChildItem $Fleet -Filter 'pc00*.json').FullName
    }

    It 'writes progress records while it merges: files counted as they are found, then of the total' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $ModulePath 'WaHardening.psd1')).AddStatement()
            $null = $ps.AddCommand('Merge-WaComplianceReport').AddParameter('Path', $Fleet).AddParameter('ErrorAction', 'SilentlyContinue')
            $out = @($ps.Invoke())
            $out[0].ReportsRead | Should -Be 30
            $files = @(Get-ChildItem $Fleet -Filter *.json).Count
            $p = @($ps.Streams.Progress)
            $p.Count | Should -BeGreaterThan 1
            $p.Activity | Sort-Object -Unique | Should -Be 'Merging device reports'
            $p[0].RecordType | Should -Be 'Processing'
            $p[0].StatusDescription | Should -Match '^\d+ files read'   # before the total is known: no percentage
            $p[0].PercentComplete | Should -Be -1
            $final = @($p | Where-Object StatusDescription -EQ "$files of $files files read")
            $final.Count | Should -BeGreaterThan 0
            $final[-1].PercentComplete | Should -Be 100
            $p[-1].RecordType | Should -Be 'Completed'
        } finally { $ps.Dispose() }
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
        # A control/target with nothing to score (not applicable everywhere) shows no percentage (xunit covers a fleet with one).
        $unscored = @($s.Controls | Where-Object { $_.Counts.Scored -eq 0 -and $_.Counts.Advisory -eq 0 })
        foreach ($u in $unscored) {
            $row = @($page.controls | Where-Object { $_[0] -like "$($u.ControlId) *" -and $_[1] -eq $u.Target })
            $row.Count | Should -Be 1
            $row[0][7] | Should -Be 'n/a'
        }
        @($page.controls | Where-Object { $_[7] -ne 'n/a' }).Count | Should -Be @($s.Controls | Where-Object { $_.Counts.Scored -gt 0 -and $_.Counts.Advisory -eq 0 }).Count
        $page.body | Should -Match 'Worst offenders'

        # Per category and per day, computed from the generated reports themselves (one per device, so all count).
        $inputs = Get-ChildItem $Fleet -Filter 'pc*.json' | ForEach-Object {
            $raw = Get-Content -Raw $_
            [pscustomobject]@{ Day = [regex]::Match($raw, '"generatedAt": "(\d{4}-\d\d-\d\d)T').Groups[1].Value; Results = @(($raw | ConvertFrom-Json).results) }
        }
        @($inputs).Count | Should -Be 30
        $expectedCategories = $inputs.Results | Group-Object category | ForEach-Object {
            $k = Get-Counts $_.Group
            if ($k.Scored -gt 0) { '{0}|{1}|{2}|{3}|{4}' -f $_.Name, $k.C, $k.NC, $k.E, $k.Score }
        }
        @($expectedCategories).Count | Should -BeGreaterThan 1
        @($page.fleetCategories | ForEach-Object { $_ -join '|' } | Sort-Object) | Should -Be @($expectedCategories | Sort-Object)
        $expectedTrend = $inputs | Group-Object Day | Sort-Object Name | ForEach-Object {
            '{0}|{1}|{2}' -f $_.Name, $_.Count, (Get-Counts $_.Group.Results).Score
        }
        @($expectedTrend).Count | Should -Be 3
        @($page.trend | ForEach-Object { $_ -join '|' }) | Should -Be @($expectedTrend)
    }

    It 'the fleet page printed at A4 width fits it (the chart included) with the print rules applied' {
        $html = Join-Path $TestDrive 'fleet-print.html'
        $null = Merge-WaComplianceReport -Path $Fleet -HtmlPath $html -ErrorAction SilentlyContinue
        $page = Get-RenderedText $html 'fleet-report.png' -Print
        $page.print.media.print | Should -BeTrue
        $page.print.media.bodyMargin | Should -Be '0px'
        $page.print.media.rowBreak | Should -Be 'avoid'
        $page.print.media.overflow | Should -BeLessOrEqual 0
        $page.print.bars.Count | Should -Be $page.bars.Count
    }
}
