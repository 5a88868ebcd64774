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
    It 'ships assemblies that reference only netstandard and each other, and never System.Console' {
        foreach ($dll in Get-ChildItem $ModulePath -Filter *.dll) {
            $refs = [System.Reflection.Metadata.MetadataReader]
            $stream = [System.IO.File]::OpenRead($dll.FullName)
            try {
                $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
                $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
                $names = foreach ($h in $md.AssemblyReferences) { $md.GetString($md.GetAssemblyReference($h).Name) }
                # Nothing writes to the console behind PowerShell's back: output goes through the streams only.
                $types = foreach ($h in $md.TypeReferences) { $t = $md.GetTypeReference($h); "$($md.GetString($t.Namespace)).$($md.GetString($t.Name))" }
                $types | Should -Not -Contain 'System.Console' -Because "$($dll.Name) must not write to the console directly"
                $tfm = foreach ($h in $md.GetAssemblyDefinition().GetCustomAttributes()) {
                    $a = $md.GetCustomAttribute($h)
                    $ctor = $md.GetMemberReference([System.Reflection.Metadata.MemberReferenceHandle]$a.Constructor)
                    $type = $md.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle]$ctor.Parent)
                    if ($md.GetString($type.Name) -eq 'TargetFrameworkAttribute') {
                        $blob = $md.GetBlobReader($a.Value); $null = $blob.ReadUInt16(); $blob.ReadSerializedString()
                    }
                }
                $pe.Dispose()
            } finally { $stream.Dispose() }
            $tfm | Should -Be '.NETStandard,Version=v2.0' -Because "$($dll.Name) must target netstandard2.0"
            foreach ($n in $names) {
                $n | Should -BeIn @('netstandard', 'System.Management.Automation', 'WaHardening.Core', 'WaHardening') -Because "$($dll.Name) references $n"
            }
        }
    }
}
