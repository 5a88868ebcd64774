# The Graph cmdlets as admins call them, against a loopback stand-in for Graph (FakeGraph, from the xunit test
# assembly that `build.ps1 Test` builds first): WhatIf, create, idempotent re-publish, drift, a partial failure
# (results, then non-terminating errors), progress, assembly isolation, and no token in any stream.
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

    It 'a failed $batch request fails exactly its profiles: every result is output, then one non-terminating error per failed profile' {
        $g = [WaHardening.Core.Tests.FakeGraph]::new()
        try {
            $p = @{ Path = $Export; AccessToken = $SecureToken; GraphEndpoint = $g.Root; Confirm = $false }
            $beta = @((Get-Content -Raw (Join-Path $Export 'manifest.json') | ConvertFrom-Json).files |
                Where-Object { $_.graph.apiVersion -eq 'beta' -and $_.kind -ne 'customComplianceScript' }).marker | Sort-Object
            # The writes to beta (after the compliance script, alone, and the v1.0 batch) get a 500: not retried.
            $g.Faults.Add([WaHardening.Core.Tests.FakeGraph+Fault]::On('POST', '/beta/$batch', $false, 500, 'InternalServerError', 1))
            $errs = $null
            $out = @(Publish-WaIntuneProfile @p -ErrorAction SilentlyContinue -ErrorVariable errs)
            $out.Count | Should -Be $Publishable
            ($out | Where-Object Action -eq 'Failed').Marker | Sort-Object | Should -Be $beta
            ($out | Where-Object Action -ne 'Failed').Action | Sort-Object -Unique | Should -Be 'Created'
            $errs.Count | Should -Be $beta.Count
            $errs | ForEach-Object {
                $_.FullyQualifiedErrorId | Should -BeLike 'PublishFailed,*'
                $_.Exception.Message | Should -Match '\[wah-standard-[a-z-]+\]: 500 InternalServerError: Injected fault\. \(the \$batch request failed\)$'
            }
            ($errs.TargetObject | Sort-Object) | Should -Be $beta

            # Again with -ErrorAction Stop: the results (the failed ones created now, the rest unchanged) still come
            # out before the first error stops the command.
            $g.Faults.Add([WaHardening.Core.Tests.FakeGraph+Fault]::On('POST', '/beta/$batch', $false, 502, 'BadGateway', 1))
            $seen = [System.Collections.Generic.List[object]]::new()
            $stop = $null
            try { Publish-WaIntuneProfile @p -ErrorAction Stop | ForEach-Object { $seen.Add($_) } } catch { $stop = $_ }
            $stop.FullyQualifiedErrorId | Should -BeLike 'PublishFailed,*'
            $stop.Exception.Message | Should -Match '502 BadGateway'
            $seen.Count | Should -Be $Publishable
            ($seen | Where-Object Action -eq 'Failed').Marker | Sort-Object | Should -Be $beta
            ($seen | Where-Object Action -ne 'Failed').Action | Sort-Object -Unique | Should -Be 'Unchanged'
        } finally { $g.Dispose() }
    }

    It 'writes progress for each phase (read from a PowerShell instance''s progress stream, whatever the caller''s $ProgressPreference)' {
        $g = [WaHardening.Core.Tests.FakeGraph]::new()
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Join-Path $ModulePath 'WaHardening.psd1')).AddStatement().
                AddCommand('Publish-WaIntuneProfile').AddParameters(@{ Path = $Export; AccessToken = $SecureToken; GraphEndpoint = $g.Root; Confirm = $false; Verbose = $true })
            $out = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out.Count | Should -Be $Publishable
            $progress = @($ps.Streams.Progress)
            $progress.Activity | Sort-Object -Unique | Should -Be 'Publishing to Intune'
            $status = $progress.StatusDescription
            $status | Should -Contain 'Reading what the tenant holds'
            $status | Should -Contain 'Reading the existing profiles'
            $status | Should -Contain "$Publishable profiles written"
            @($status -match '^\d+ profiles written$').Count | Should -BeGreaterThan 1
            $progress[-1].StatusDescription | Should -Be 'Done'
            $progress[-1].RecordType | Should -Be 'Completed'
            $pct = $progress.PercentComplete
            for ($i = 1; $i -lt $pct.Count; $i++) { $pct[$i] | Should -BeGreaterOrEqual $pct[$i - 1] }
            # The write phase's messages reach this call's streams too (not only the planning's).
            @($ps.Streams.Verbose.Message) -match '^Graph POST .*/beta/\$batch$' | Should -Not -BeNullOrEmpty
            ($progress.StatusDescription + $ps.Streams.Verbose.Message) -join ' ' | Should -Not -Match 'PESTER-SECRET'
        } finally { $ps.Dispose(); $g.Dispose() }
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

    It 'on PowerShell 7 the Graph SDK loads in its own context, beside another Kiota version the session already holds' {
        # Kiota.Abstractions 1.22.1 (the module ships 2.x), downloaded by the test project's build into its output.
        $otherKiota = Join-Path $RepoRoot 'tests/WaHardening.Core.Tests/bin/Release/net10.0/other-kiota/Microsoft.Kiota.Abstractions.dll'
        Test-Path $otherKiota | Should -BeTrue -Because 'the test project downloads Kiota 1.22.1 (PackageDownload) and copies it to other-kiota/'
        $ours = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $ModulePath 'graph/Microsoft.Kiota.Abstractions.dll')).Version
        $theirs = [System.Reflection.AssemblyName]::GetAssemblyName($otherKiota).Version
        $theirs.Major | Should -Not -Be $ours.Major
        $fake = [WaHardening.Core.Tests.FakeGraph]::new()
        try {
            $fake.ExpectedToken = $Token
            $probe = @"
`$ErrorActionPreference = 'Stop'
`$pre = [System.Reflection.Assembly]::LoadFrom('$otherKiota')
Import-Module '$(Join-Path $ModulePath 'WaHardening.psd1')'
`$r = @(Publish-WaIntuneProfile -Path '$Export' -AccessToken (ConvertTo-SecureString '$Token' -AsPlainText -Force) -GraphEndpoint '$($fake.Root)' -Confirm:`$false)
'published=' + ((`$r.Action | Sort-Object -Unique) -join ',') + ':' + `$r.Count
# The session's own Kiota still works after the publish: a RequestInformation of that version.
`$ri = [Activator]::CreateInstance(`$pre.GetType('Microsoft.Kiota.Abstractions.RequestInformation', `$true))
`$ri.HttpMethod = 'PATCH'
`$ri.Headers.Add('X-Probe', 'other')
'called=' + `$ri.HttpMethod + ',' + (`$ri.Headers['X-Probe'] -join '') + '@' + `$ri.GetType().Assembly.GetName().Version
'kiota=' + ((([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Kiota.Abstractions' }) |
    ForEach-Object { '' + `$_.GetName().Version + '@' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name } | Sort-Object) -join ',')
'graph=' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Graph' })).Name
"@
            $out = & (Get-PwshPath) -NoProfile -NonInteractive -c $probe 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            ($out -match '^published=') | Should -Be "published=Created:$Publishable"
            ($out -match '^called=') | Should -Be "called=PATCH,other@$theirs"
            ($out -match '^graph=') | Should -Be 'graph=WaHardening.Graph'
            $kiota = (($out -match '^kiota=') -replace '^kiota=') -split ','
            $kiota | Should -HaveCount 2
            $kiota | Should -Contain "$theirs@Default"
            $kiota | Should -Contain "$ours@WaHardening.Graph"
        } finally { $fake.Dispose() }
    }
}
