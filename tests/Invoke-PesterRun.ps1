<#
.SYNOPSIS
    Runs every Pester test against a built module, in a process of its own.
.DESCRIPTION
    Called by `build.ps1 Test`. The module under test is taken from -ModulePath (also exported as
    $env:WAH_MODULE_PATH for the test files); results go to -ResultPath as NUnit XML.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string[]] $Path = @(Join-Path $PSScriptRoot 'pester')
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:WAH_MODULE_PATH = (Resolve-Path $ModulePath).Path
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.Exit = $false
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultPath
$result = Invoke-Pester -Configuration $config
if ($result.FailedCount -gt 0 -or $result.FailedBlocksCount -gt 0 -or $result.FailedContainersCount -gt 0) { exit 1 }
exit 0
