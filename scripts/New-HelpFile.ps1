<#
.SYNOPSIS
    Generates the module's MAML help (WaHardening.dll-Help.xml) from the project's own sources.
.DESCRIPTION
    PlatyPS is not available here, so the build writes MAML itself: texts come from the C# XML
    documentation of each cmdlet class and parameter property (<para type="synopsis">,
    <para type="description">, <example><code/><para/></example>), parameter metadata (sets,
    position, pipeline input, mandatory, type, wildcards) from the loaded cmdlets. Runs in its own
    process (the build calls it with the freshly built module) and writes
    <ModulePath>/en-US/WaHardening.dll-Help.xml plus about_WaHardening.help.txt.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $XmlDocPath,
    [string] $AboutPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module (Join-Path $ModulePath 'WaHardening.psd1') -PassThru -Force
$doc = [xml](Get-Content -Raw $XmlDocPath)
$members = @{}
foreach ($m in $doc.doc.members.member) { $members[$m.name] = $m }
$common = [System.Collections.Generic.HashSet[string]]::new([string[]]([System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters))

# The type name help shows for a parameter: Nullable<T> as T (e.g. Int32, not Nullable`1), arrays as T[].
function Get-TypeName([type] $t) {
    $u = [Nullable]::GetUnderlyingType($t)
    if ($u) { return $u.Name }
    return $t.Name
}

function Get-TypeFullName([type] $t) {
    $u = [Nullable]::GetUnderlyingType($t)
    if ($u) { return $u.FullName }
    return $t.FullName
}

function Get-Para([System.Xml.XmlNode] $node, [string] $type) {
    if (-not $node) { return @() }
    @($node.SelectNodes(".//para[@type='$type']") | ForEach-Object { ($_.InnerText -replace '\s+', ' ').Trim() } | Where-Object { $_ })
}

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$outDir = New-Item -ItemType Directory -Force -Path (Join-Path $ModulePath 'en-US')
$file = Join-Path $outDir 'WaHardening.dll-Help.xml'
$w = [System.Xml.XmlWriter]::Create($file, $settings)
$missing = [System.Collections.Generic.List[string]]::new()

function Write-Paras([string] $prefix, [string] $name, [string[]] $paras) {
    $w.WriteStartElement($prefix, $name, $ns[$prefix])
    foreach ($p in $paras) { $w.WriteElementString('maml', 'para', $ns.maml, $p) }
    $w.WriteEndElement()
}

function Get-PipelineText($attrs) {
    $kinds = @()
    if ($attrs | Where-Object ValueFromPipeline) { $kinds += 'ByValue' }
    if ($attrs | Where-Object ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($cmd in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $type = $cmd.ImplementingType
    $node = $members["T:$($type.FullName)"]
    $synopsis = @(Get-Para $node 'synopsis')
    $description = @(Get-Para $node 'description')
    if (-not $synopsis) { $missing.Add("$($cmd.Name): synopsis") }
    if (-not $description) { $missing.Add("$($cmd.Name): description") }

    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('command', 'name', $ns.command, $cmd.Name)
    Write-Paras 'maml' 'description' $synopsis
    $w.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
    $w.WriteEndElement()
    Write-Paras 'maml' 'description' $description

    # Parameters: texts from the property docs, metadata from the cmdlet.
    $params = @($cmd.Parameters.Values | Where-Object { -not $common.Contains($_.Name) } | Sort-Object Name)
    $paramText = @{}
    foreach ($p in $params) {
        # The property may be declared on a base cmdlet class: look up the declaring type's docs.
        $pn = $null
        for ($t = $type; $t -and -not $pn; $t = $t.BaseType) { $pn = $members["P:$($t.FullName).$($p.Name)"] }
        $text = @(Get-Para $pn 'description')
        if (-not $text) { $missing.Add("$($cmd.Name) -$($p.Name): description") }
        $paramText[$p.Name] = $text
    }

    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
        foreach ($sp in ($set.Parameters | Where-Object { -not $common.Contains($_.Name) })) {
            $w.WriteStartElement('command', 'parameter', $ns.command)
            $w.WriteAttributeString('required', $sp.IsMandatory.ToString().ToLowerInvariant())
            $w.WriteAttributeString('position', $(if ($sp.Position -ge 0) { "$($sp.Position)" } else { 'named' }))
            $w.WriteElementString('maml', 'name', $ns.maml, $sp.Name)
            if ($sp.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $w.WriteElementString('command', 'parameterValue', $ns.command, (Get-TypeName $sp.ParameterType))
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $params) {
        $attrs = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $w.WriteStartElement('command', 'parameter', $ns.command)
        $w.WriteAttributeString('required', [string][bool]($attrs | Where-Object Mandatory))
        $w.WriteAttributeString('globbing', [string][bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))
        $w.WriteAttributeString('pipelineInput', (Get-PipelineText $attrs))
        $pos = @($attrs | Where-Object { $_.Position -ge 0 } | Select-Object -First 1)
        $w.WriteAttributeString('position', $(if ($pos) { "$($pos[0].Position)" } else { 'named' }))
        # Aliases as PlatyPS writes them (e.g. -Path of -BaselinePath on Get-WaBaseline), 'none' otherwise.
        $w.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
        $w.WriteElementString('maml', 'name', $ns.maml, $p.Name)
        Write-Paras 'maml' 'description' $paramText[$p.Name]
        $w.WriteElementString('command', 'parameterValue', $ns.command, (Get-TypeName $p.ParameterType))
        $w.WriteStartElement('dev', 'type', $ns.dev)
        $w.WriteElementString('maml', 'name', $ns.maml, (Get-TypeFullName $p.ParameterType))
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($t in $cmd.OutputType) {
        $w.WriteStartElement('command', 'returnValue', $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev)
        $w.WriteElementString('maml', 'name', $ns.maml, $t.Name)
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $ns.command)
    $examples = if ($node) { @($node.SelectNodes('example')) } else { @() }
    if (-not $examples) { $missing.Add("$($cmd.Name): example") }
    $i = 0
    foreach ($ex in $examples) {
        $i++
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('maml', 'title', $ns.maml, "-------------------------- Example $i --------------------------")
        $w.WriteElementString('dev', 'code', $ns.dev, ($ex.SelectSingleNode('code').InnerText.Trim()))
        Write-Paras 'dev' 'remarks' @($ex.SelectNodes('para') | ForEach-Object { ($_.InnerText -replace '\s+', ' ').Trim() })
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
    $w.WriteElementString('maml', 'linkText', $ns.maml, 'about_WaHardening')
    $w.WriteEndElement()
    $w.WriteEndElement()

    $w.WriteEndElement() # command
}
$w.WriteEndElement()
$w.Close()

if ($AboutPath -and (Test-Path $AboutPath)) {
    # The ErrorId list comes from the one catalog (WaHardening.Core.ErrorIds), put where the topic says {ErrorIds}.
    $list = ([WaHardening.Core.ErrorIds]::Descriptions.GetEnumerator() | ForEach-Object {
        $words = ($_.Value -split ' '); $lines = @(); $line = ''
        foreach ($word in $words) {
            if (($line + ' ' + $word).Length -gt 88) { $lines += $line; $line = $word } else { $line = ($line + ' ' + $word).Trim() }
        }
        $lines += $line
        "    $($_.Key)`n" + (($lines | ForEach-Object { "        $_" }) -join "`n")
    }) -join "`n"
    $about = (Get-Content -Raw $AboutPath).Replace('    {ErrorIds}', $list)
    [System.IO.File]::WriteAllText((Join-Path $outDir (Split-Path -Leaf $AboutPath)), $about, [System.Text.UTF8Encoding]::new($false))
}
if ($missing.Count) {
    Write-Warning ("Help text missing:`n  " + ($missing -join "`n  "))
}
Write-Host "Help: $file"
