# The Graph cmdlets as admins call them, against a loopback stand-in for Graph (FakeGraph, from the xunit test
# assembly that `build.ps1 Test` builds first): WhatIf, create, idempotent re-publish, drift, assembly isolation,
# and no token in any stream.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $testDll = Join-Path $RepoRoot 'tests/WaHardening.Core.Tests/bin/Release/net10.0/WaHardening.Core.Tests.dll'
    if (-not (Test-Path $testDll)) { throw "The loopback Graph lives in $testDll; build it first (build.ps1 Test builds it before Pester)." }
    Add-Type -Path $testDll
    $script:Token = 'eyJ0eXAi.PESTER-SECRET-91c2.sig'
    $script:SecureToken = ConvertTo-SecureString $Token -AsPlainText -Force
    $script:Export = Join-Path $TestDrive 'export'
    $null = Export-WaIntuneProfile -Path $Export -Confirm:$false
    $script:Publishable = @((Get-Content -Raw (Join-Path $Export 'manifest.json') | ConvertFrom-Json).files | Where-Object { $null -ne $_.graph }).Count
    function Get-PwshPath { if ($IsWindows) { Join-Path $PSHOME 'pwsh.exe' } else { Join-Path $PSHOME 'pwsh' } }
}

Describe 'Publish-WaIntuneProfile' {
    BeforeAll {
        $script:Graph = [WaHardening.Core.Tests.FakeGraph]::new()
        $Graph.ExpectedToken = $Token
        $Graph.Groups['11111111-2222-3333-4444-555555555555'] = 'All WaHardening devices'
        $script:Common = @{ AccessToken = $SecureToken; GraphEndpoint = $Graph.Root }
    }
    AfterAll { $Graph.Dispose() }

    It '-WhatIf reads the tenant and shows what would be created, sending no write at all' {
        $r = @(Publish-WaIntuneProfile -Path $Export @Common -AssignTo 'All WaHardening devices' -WhatIf)
        $r.Count | Should -Be $Publishable
        $r.Action | Sort-Object -Unique | Should -Be 'WouldCreate'
        $Graph.Writes | Should -Be 0
    }

    It 'creates every profile, then a second run changes nothing and sends only reads' {
        $first = @(Publish-WaIntuneProfile -Path $Export @Common -AssignTo 'All WaHardening devices' -Confirm:$false)
        $first.Action | Sort-Object -Unique | Should -Be 'Created'
        $first | ForEach-Object { $_.Id | Should -Not -BeNullOrEmpty }
        $Graph.ClearLog()
        $second = @(Publish-WaIntuneProfile -Path $Export @Common -AssignTo 'All WaHardening devices' -Confirm:$false)
        $second.Action | Sort-Object -Unique | Should -Be 'Unchanged'
        $Graph.Writes | Should -Be 0
        (Get-WaIntuneProfile @Common).Marker | Sort-Object | Should -Be ($first.Marker | Sort-Object)
    }

    It 'Compare-WaIntuneProfile shows a profile changed in the tenant, and a re-publish puts it back in place' {
        $edge = $Graph.Collections['deviceManagement/configurationPolicies'].Values | Where-Object { $_['name'].Value -like '* - Windows - Microsoft Edge' } # not '... Microsoft Edge Update'
        $null = $edge.Set('name', 'Edited by hand')
        $drift = Compare-WaIntuneProfile -Path $Export @Common
        ($drift | Where-Object Marker -eq 'wah-standard-windows-edge').State | Should -Be 'Different'
        ($drift | Where-Object Marker -eq 'wah-standard-windows-edge').Differences | Should -Contain 'name'
        @($drift | Where-Object State -eq 'Same').Count | Should -Be ($Publishable - 1)
        $r = Publish-WaIntuneProfile -Path $Export @Common -Confirm:$false | Where-Object Marker -eq 'wah-standard-windows-edge'
        $r.Action | Should -Be 'Updated'
        (Compare-WaIntuneProfile -Path $Export @Common).State | Sort-Object -Unique | Should -Be 'Same'
    }

    It 'a bad export is a typed error naming the file, and nothing is sent' {
        $bad = Join-Path $TestDrive 'bad'
        Copy-Item $Export $bad -Recurse
        Add-Content (Join-Path $bad 'windows/settings-catalog/windows-edge.json') ' '
        $Graph.ClearLog()
        $err = $null
        try { Publish-WaIntuneProfile -Path $bad @Common -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExportInvalid,*'
        $err.Exception.Message | Should -Match 'windows-edge\.json.*changed after the export'
        $Graph.Requests.Count | Should -Be 0
    }

    It 'never shows the token: not in output, verbose, debug, warnings or errors' {
        $all = & { $DebugPreference = 'Continue'; Publish-WaIntuneProfile -Path $Export @Common -Confirm:$false -Verbose 4>&1 5>&1 3>&1 2>&1 } | Out-String
        $wrong = ConvertTo-SecureString ('wrong-' + $Token) -AsPlainText -Force
        try { $all += & { Publish-WaIntuneProfile -Path $Export -AccessToken $wrong -GraphEndpoint $Graph.Root -Confirm:$false -Verbose 4>&1 } | Out-String }
        catch { $all += ($_ | Out-String) + $_.Exception.ToString() }
        $all | Should -Match 'Graph GET'
        $all | Should -Match '401'
        $all | Should -Not -Match 'PESTER-SECRET'
    }
}

Describe 'Loading the Graph assemblies' {
    It 'importing the module and running Test, Set -WhatIf and Export does not load Microsoft.Graph' {
        $probe = @"
Import-Module '$(Join-Path $ModulePath 'WaHardening.psd1')'
`$null = Test-WaHardening; `$null = Set-WaHardening -WhatIf; `$null = Export-WaIntuneProfile -Path '$(Join-Path $TestDrive 'probe')' -Confirm:`$false
'LOADED:' + ([AppDomain]::CurrentDomain.GetAssemblies().GetName().Name | Where-Object { `$_ -match '^(Microsoft\.Graph|Microsoft\.Kiota|Azure\.)' })
'COMMANDS:' + (Get-Module WaHardening).ExportedCmdlets.Count
"@
        $out = & (Get-PwshPath) -NoProfile -NonInteractive -c $probe 2>&1
        $LASTEXITCODE | Should -Be 0
        $out -match '^LOADED:' | Should -Be 'LOADED:'
        [int](($out -match '^COMMANDS:' | Select-Object -First 1) -replace 'COMMANDS:') | Should -BeGreaterThan 10
    }

    It 'on PowerShell 7 the Graph SDK loads in its own context, beside another copy the session already holds' {
        $fake = [WaHardening.Core.Tests.FakeGraph]::new()
        try {
            $fake.ExpectedToken = $Token
            $other = Join-Path $TestDrive 'other-kiota'
            $null = New-Item -ItemType Directory -Force $other
            Copy-Item (Join-Path $ModulePath 'graph/Microsoft.Kiota.Abstractions.dll') $other
            $probe = @"
`$pre = [System.Reflection.Assembly]::LoadFrom('$(Join-Path $other 'Microsoft.Kiota.Abstractions.dll')')
Import-Module '$(Join-Path $ModulePath 'WaHardening.psd1')'
`$r = Get-WaIntuneProfile -AccessToken (ConvertTo-SecureString '$Token' -AsPlainText -Force) -GraphEndpoint '$($fake.Root)'
`$kiota = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Kiota.Abstractions' }
`$graph = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Graph' }
'contexts=' + ((`$kiota | ForEach-Object { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name }) -join ',')
'graph=' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$graph).Name
'preloaded=' + `$pre.Location
"@
            $out = & (Get-PwshPath) -NoProfile -NonInteractive -c $probe 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            ($out -match '^graph=') | Should -Be 'graph=WaHardening.Graph'
            $contexts = (($out -match '^contexts=') -replace '^contexts=') -split ','
            $contexts | Should -Contain 'Default'
            $contexts | Should -Contain 'WaHardening.Graph'
        } finally { $fake.Dispose() }
    }
}
