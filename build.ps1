#requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, audits, packages and benchmarks WaHardening.
.DESCRIPTION
    Run through the pinned PowerShell tool: `dotnet tool restore; dotnet pwsh ./build.ps1 <Task>`.
    Tasks:
      Build    compile and lay out the module in out/WaHardening/<version>/
      Test     Build, then every xunit and Pester test; last line "N passed, N failed"
      Audit    Build, then the main job: audit this machine and export every artifact under out/
      Docs     generate docs/baseline.md (and docs/intune-export.md's platform limits) from policies/
      Package  Build, then a .nupkg under out/package/ that Install-PSResource accepts
      Bench    Build, then bench/ (ratios against baselines measured in the same run)
.PARAMETER Quick
    With Bench: the short mode (under a minute).
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Audit', 'Docs', 'Package', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [switch] $Quick
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$Manifest = Import-PowerShellDataFile (Join-Path $Root 'WaHardening.psd1')
$Version = $Manifest.ModuleVersion
$ModuleOut = Join-Path $Out "WaHardening/$Version"
$PesterVersion = '5.7.1'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'src/WaHardening/WaHardening.csproj'), '-c', $Configuration, '-nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    $bin = Join-Path $Root "src/WaHardening/bin/$Configuration/netstandard2.0"
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $ModuleOut -Force | Out-Null
    Copy-Item (Join-Path $bin 'WaHardening.dll'), (Join-Path $bin 'WaHardening.Core.dll') $ModuleOut
    Copy-Item (Join-Path $Root 'WaHardening.psd1') $ModuleOut
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut
    Copy-Item (Join-Path $Root 'policies') (Join-Path $ModuleOut 'policies') -Recurse
    foreach ($extra in Get-ChildItem (Join-Path $Root 'src/WaHardening') -File -Include '*.ps1xml', '*.txt' -Recurse -ErrorAction SilentlyContinue |
            Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]') {
        Copy-Item $extra.FullName $ModuleOut
    }
    $graph = Join-Path $Root 'src/WaHardening.Graph/WaHardening.Graph.csproj'
    if ((Test-Path $graph) -and (Select-String -Path $graph -Pattern 'PackageReference' -Quiet)) {
        # The Graph half lives in its own folder and is loaded only when a Graph cmdlet runs.
        $graphOut = Join-Path $ModuleOut 'graph'
        Invoke-Native dotnet @('publish', $graph, '-c', $Configuration, '-nologo', '-v', 'quiet', '-clp:ErrorsOnly', '-o', $graphOut)
        # The module's own assemblies are shared from the module folder, never duplicated in graph/.
        Remove-Item (Join-Path $graphOut 'WaHardening.Core.*') -ErrorAction SilentlyContinue
        Get-ChildItem $graphOut -Filter *.pdb | Remove-Item
        Get-ChildItem $graphOut -Filter *.deps.json | Remove-Item
        # PowerShell 7: the AssemblyLoadContext that isolates them (net8.0; Windows PowerShell 5.1 never loads it).
        Invoke-Native dotnet @('build', (Join-Path $Root 'src/WaHardening.Graph.Isolation/WaHardening.Graph.Isolation.csproj'), '-c', $Configuration, '-nologo', '-v', 'quiet', '-clp:ErrorsOnly')
        Copy-Item (Join-Path $Root "src/WaHardening.Graph.Isolation/bin/$Configuration/net8.0/WaHardening.Graph.Isolation.dll") $graphOut
    }
    # Offline help (MAML) from the cmdlets' own XML docs, generated in a process of its own.
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'scripts/New-HelpFile.ps1') `
        -ModulePath $ModuleOut -XmlDocPath (Join-Path $bin 'WaHardening.xml') -AboutPath (Join-Path $Root 'docs/about_WaHardening.help.txt')
    if ($LASTEXITCODE -ne 0) { throw 'Generating help failed.' }
    Write-Host "Built $ModuleOut"
}

function Get-PesterModule {
    # Pester comes from NuGet through PSResourceGet; the module lies in the package's tools/ folder.
    $base = Join-Path $Out "tools/pester/$PesterVersion"
    $psd1 = Join-Path $base 'tools/Pester.psd1'
    if (Test-Path $psd1) { return $psd1 }
    # The NuGet v3 source is the one dotnet itself is configured with (no host is written down here).
    $source = (& dotnet nuget list source --format short) |
        Where-Object { $_ -match '^\s*E\w*\s+(\S+/v3/index\.json)\s*$' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
    if (-not $source) { throw 'No enabled NuGet v3 source is configured for dotnet (dotnet nuget list source).' }
    $repo = Get-PSResourceRepository | Where-Object { $_.Uri.AbsoluteUri -eq $source } | Select-Object -First 1
    if (-not $repo) {
        Register-PSResourceRepository -Name 'WaHardeningNuGet' -Uri $source -Trusted
        $repo = Get-PSResourceRepository -Name 'WaHardeningNuGet'
    }
    $dest = Join-Path $Out 'tools'
    New-Item -ItemType Directory -Path $dest -Force | Out-Null
    Save-PSResource -Name Pester -Version $PesterVersion -Repository $repo.Name -Path $dest -TrustRepository -Quiet
    if (-not (Test-Path $psd1)) { throw "Pester $PesterVersion was saved but $psd1 is missing." }
    return $psd1
}

function Install-TestPeer {
    # Real peers (Chromium, Firefox ESR, Samba's Python bindings, dconf) come from Debian packages.
    if (-not $IsLinux) { return }
    & bash (Join-Path $Root 'scripts/install-test-deps.sh')
    if ($LASTEXITCODE -ne 0) { Write-Warning 'Some test peers could not be installed; the tests that need them will fail.' }
}

function Invoke-Test {
    # CI reads only the last line, so it is printed whatever happens: a build or restore that fails is one failure.
    $counts = @{ Passed = 0; Failed = 0 }
    try { Invoke-TestRun $counts }
    catch {
        Write-Host "The test run stopped: $($_.Exception.Message)"
        $counts.Failed++
    }
    Write-Host "$($counts.Passed) passed, $($counts.Failed) failed"
    if ($counts.Failed -gt 0) { exit 1 }
}

function Invoke-TestRun {
    param([hashtable] $Counts)
    Invoke-Build
    try { Install-TestPeer } catch { Write-Warning "Installing the test peers failed: $($_.Exception.Message)" }
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory $results -Force | Out-Null

    Write-Host '== xunit =='
    & dotnet test (Join-Path $Root 'tests/WaHardening.Core.Tests/WaHardening.Core.Tests.csproj') -c $Configuration -nologo `
        --logger "trx;LogFileName=$(Join-Path $results 'xunit.trx')" --logger 'console;verbosity=minimal'
    $xunitExit = $LASTEXITCODE
    $trx = Join-Path $results 'xunit.trx'
    if (Test-Path $trx) {
        $c = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $Counts.Passed += [int]$c.passed; $Counts.Failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
    } else { $Counts.Failed++; Write-Host 'xunit produced no results (build or run failure).' }
    if ($xunitExit -ne 0 -and $Counts.Failed -eq 0) { $Counts.Failed = 1 }

    Write-Host '== Pester =='
    $pester = Get-PesterModule
    $pesterXml = Join-Path $results 'pester.xml'
    $runner = Join-Path $Root 'tests/Invoke-PesterRun.ps1'
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $runner -PesterPath $pester -ModulePath $ModuleOut -ResultPath $pesterXml
    $pesterExit = $LASTEXITCODE
    $failedBefore = $Counts.Failed
    if (Test-Path $pesterXml) {
        # Pester's NUnit 2.5 "total" already leaves out not-run (filtered) tests: total = passed + failures + errors
        # + inconclusive + ignored + skipped.
        $r = ([xml](Get-Content -Raw $pesterXml)).'test-results'
        $Counts.Failed += [int]$r.failures + [int]$r.errors
        $Counts.Passed += [int]$r.total - [int]$r.failures - [int]$r.errors - [int]$r.inconclusive - [int]$r.ignored - [int]$r.skipped
    } else { $Counts.Failed++; Write-Host 'Pester produced no results (run failure).' }
    # A container that fails outside any test (a file that does not parse) has no test case to count.
    if ($pesterExit -ne 0 -and $Counts.Failed -eq $failedBefore) { $Counts.Failed++ }
}

function Invoke-Audit {
    Invoke-Build
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'scripts/Invoke-MainJob.ps1') -ModulePath $ModuleOut -OutputPath $Out
    if ($LASTEXITCODE -ne 0) { throw "The main job failed (exit $LASTEXITCODE)." }
}

function Invoke-Docs {
    Invoke-Build
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'scripts/New-BaselineDoc.ps1') -ModulePath $ModuleOut -OutFile (Join-Path $Root 'docs/baseline.md') -IntuneExportDoc (Join-Path $Root 'docs/intune-export.md')
    if ($LASTEXITCODE -ne 0) { throw 'Generating docs/baseline.md failed.' }
}

function Invoke-Package {
    Invoke-Build
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'scripts/New-Package.ps1') -ModulePath $ModuleOut -OutputPath (Join-Path $Out 'package')
    if ($LASTEXITCODE -ne 0) { throw 'Packaging failed.' }
}

function Invoke-Bench {
    Invoke-Build
    $benchArgs = @('-ModulePath', $ModuleOut, '-OutputPath', (Join-Path $Out 'bench'))
    if ($Quick) { $benchArgs += '-Quick' }
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Invoke-Benchmarks.ps1') @benchArgs
    if ($LASTEXITCODE -ne 0) { throw 'Benchmarks failed.' }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Audit' { Invoke-Audit }
        'Docs' { Invoke-Docs }
        'Package' { Invoke-Package }
        'Bench' { Invoke-Bench }
        'Clean' { if (Test-Path $Out) { Remove-Item $Out -Recurse -Force } }
    }
}
