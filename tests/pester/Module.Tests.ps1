BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:manifestPath = Join-Path $ModulePath 'WaHardening.psd1'
}

Describe 'Module manifest' {
    It 'passes Test-ModuleManifest' {
        $m = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $m.Version | Should -Not -BeNullOrEmpty
        $m.CompatiblePSEditions | Should -Contain 'Desktop'
        $m.CompatiblePSEditions | Should -Contain 'Core'
        $m.PowerShellVersion | Should -Be ([version]'5.1')
        $m.Tags | Should -Contain 'WhatsApp'
        $m.ProjectUri | Should -Not -BeNullOrEmpty
        $m.LicenseUri | Should -Not -BeNullOrEmpty
        $m.ReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'exports exactly the public cmdlets the assembly defines' {
        $asm = [WaHardening.Commands.WaCmdlet].Assembly
        $defined = $asm.GetExportedTypes() |
            Where-Object { -not $_.IsAbstract } |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" } | Sort-Object
        $exported = (Get-Module WaHardening).ExportedCmdlets.Keys | Sort-Object
        $exported | Should -Be $defined
        $declared = (Import-PowerShellDataFile $manifestPath).CmdletsToExport | Sort-Object
        $declared | Should -Be $defined
    }

    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        foreach ($c in (Get-Module WaHardening).ExportedCmdlets.Values) { $approved | Should -Contain $c.Verb }
    }
}

Describe 'Windows PowerShell 5.1 compatibility' {
    BeforeDiscovery {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        # Every assembly in the module, graph/ included (WaHardening.Graph.dll and its dependencies load in 5.1 too),
        # except WaHardening.Graph.Isolation.dll: it is net8.0 on purpose, the AssemblyLoadContext that isolates the Graph
        # dependencies in PowerShell 7; GraphLoader loads it only on .NET (Core), never in Windows PowerShell 5.1.
        $script:assemblies = Get-ChildItem $ModulePath -Recurse -Filter *.dll | Where-Object Name -ne 'WaHardening.Graph.Isolation.dll' |
            ForEach-Object { @{ Name = [IO.Path]::GetRelativePath($ModulePath, $_.FullName); File = $_.FullName; Own = $_.BaseName -like 'WaHardening*' } }
    }

    BeforeAll {
        function Get-AssemblyFacts([string] $Path) {
            # TargetFrameworkAttribute, assembly references and referenced types, read from metadata (nothing is loaded).
            $stream = [System.IO.File]::OpenRead($Path)
            try {
                $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
                try {
                    $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
                    $tfm = $null
                    foreach ($h in $md.GetAssemblyDefinition().GetCustomAttributes()) {
                        $a = $md.GetCustomAttribute($h)
                        if ($a.Constructor.Kind -ne [System.Reflection.Metadata.HandleKind]::MemberReference) { continue }
                        $ctor = $md.GetMemberReference([System.Reflection.Metadata.MemberReferenceHandle]$a.Constructor)
                        if ($ctor.Parent.Kind -ne [System.Reflection.Metadata.HandleKind]::TypeReference) { continue }
                        if ($md.GetString($md.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle]$ctor.Parent).Name) -eq 'TargetFrameworkAttribute') {
                            $blob = $md.GetBlobReader($a.Value); $null = $blob.ReadUInt16(); $tfm = $blob.ReadSerializedString()
                        }
                    }
                    [pscustomobject]@{
                        TargetFramework = $tfm
                        References      = @(foreach ($h in $md.AssemblyReferences) { $r = $md.GetAssemblyReference($h); [pscustomobject]@{ Name = $md.GetString($r.Name); Version = $r.Version } })
                        Types           = @(foreach ($h in $md.TypeReferences) { $t = $md.GetTypeReference($h); "$($md.GetString($t.Namespace)).$($md.GetString($t.Name))" })
                    }
                } finally { $pe.Dispose() }
            } finally { $stream.Dispose() }
        }
        # What a shipped assembly may reference besides netstandard and PowerShell (never the net8.0 load context).
        $script:shipped = @(Get-ChildItem $ModulePath -Recurse -Filter *.dll | Where-Object Name -ne 'WaHardening.Graph.Isolation.dll' | ForEach-Object BaseName)
    }

    It 'checks graph/ as well as the module folder' {
        $assemblies.Name | Should -Contain ([IO.Path]::Combine('graph', 'WaHardening.Graph.dll'))
        $assemblies.Name | Should -Contain 'WaHardening.dll'
        ($assemblies | Where-Object { -not $_.Own }).Count | Should -BeGreaterThan 0
    }

    It 'leaves out only WaHardening.Graph.Isolation.dll, which is the PowerShell 7-only (net8.0) load context' {
        $iso = @(Get-ChildItem $ModulePath -Recurse -Filter WaHardening.Graph.Isolation.dll)
        $iso.Count | Should -Be 1
        (Get-AssemblyFacts $iso[0].FullName).TargetFramework | Should -BeLike '.NETCoreApp,*'
    }

    It '<Name>: our own assembly targets netstandard2.0, references only netstandard, PowerShell and what ships with it, never System.Console' -ForEach ($assemblies | Where-Object Own) {
        $facts = Get-AssemblyFacts $File
        $facts.TargetFramework | Should -Be '.NETStandard,Version=v2.0'
        # Nothing writes to the console behind PowerShell's back: output goes through the streams only.
        $facts.Types | Should -Not -Contain 'System.Console' -Because "$Name must not write to the console directly"
        foreach ($r in $facts.References) {
            $r.Name | Should -BeIn (@('netstandard', 'System.Management.Automation') + $shipped) -Because "$Name references $($r.Name)"
        }
    }

    It '<Name>: dependency is a build Windows PowerShell 5.1 (.NET Framework 4.7.2) loads' -ForEach ($assemblies | Where-Object { -not $_.Own }) {
        $facts = Get-AssemblyFacts $File
        if ($facts.TargetFramework) {
            $facts.TargetFramework | Should -Match '^\.NET(Standard,Version=v(1\.[0-6]|2\.0)|Framework,Version=v4\.([0-6](\.\d)?|7(\.[12])?))$'
        } else {
            # Some older packages carry no TargetFrameworkAttribute: then the core library they were compiled
            # against says it (netstandard 2.0, or mscorlib 4 for .NET Framework; never System.Runtime/System.Private.CoreLib of .NET).
            $core = @($facts.References | Where-Object Name -In 'netstandard', 'mscorlib', 'System.Runtime', 'System.Private.CoreLib')
            $core.Count | Should -BeGreaterThan 0 -Because "$Name must reference a core library"
            foreach ($c in $core) {
                "$($c.Name) $($c.Version)" | Should -Match '^(netstandard 2\.0\.0\.0|mscorlib 4\.0\.0\.0)$' -Because "$Name has no TargetFrameworkAttribute and references $($c.Name) $($c.Version)"
            }
        }
    }
}

Describe 'Import warm-up' {
    It 'preloads the baseline and warms the audit engine in the background without writing anything' {
        # ModuleInitializer audits a scratch root that does not exist: nothing may appear in the temp folder it names.
        $tmp = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'tmp')
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $env:TMPDIR, $env:TEMP, $env:TMP, $saved = $tmp.FullName, $tmp.FullName, $tmp.FullName, @($env:TMPDIR, $env:TEMP, $env:TMP)
        try {
            $out = & $pwsh -NoProfile -NonInteractive -c "Import-Module '$manifestPath'; Start-Sleep -Seconds 2; [IO.Path]::GetTempPath(); (Test-WaHardening -Id WA-LOCK-01 | Measure-Object).Count"
        } finally { $env:TMPDIR, $env:TEMP, $env:TMP = $saved }
        $LASTEXITCODE | Should -Be 0
        $out[0].TrimEnd('/', '\') | Should -Be $tmp.FullName.TrimEnd('/', '\')
        [int]$out[1] | Should -BeGreaterThan 0
        Get-ChildItem -Force $tmp | Should -BeNullOrEmpty
    }
}
