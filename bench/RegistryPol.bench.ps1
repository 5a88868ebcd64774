<#
Registry.pol: read and write a 100,000-entry file (10,000 in quick mode) with the module's
reader/writer, and parse the same file with Samba's parser (python3-samba, ndr_unpack) in the same
run. Reports MB/s and entries/s, and the ratio against Samba (target: faster than Samba).
Each measurement is the median of several runs inside one process (after a warm-up), so JIT and
interpreter start-up are not counted for either side.
#>
param($Context)
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
Add-Type -Path (Join-Path $Context.ModulePath 'WaHardening.Core.dll')
$count = if ($Context.Quick) { 10000 } else { 100000 }
$runs = if ($Context.Quick) { 3 } else { 5 }
$file = Join-Path $Context.OutputPath "bench-$count.pol"

# A realistic mix: DWORDs, strings, list policies (**delvals. + numbered values), multi-strings.
$entries = [System.Collections.Generic.List[WaHardening.Core.GroupPolicy.PolEntry]]::new($count)
$i = 0
while ($entries.Count -lt $count) {
    $key = "Software\Policies\Vendor$($i % 50)\Product$($i % 7)\Group$i"
    switch ($i % 4) {
        0 { $entries.Add([WaHardening.Core.GroupPolicy.PolEntry]::DWord($key, "Value$i", [uint32]$i)) }
        1 { $entries.Add([WaHardening.Core.GroupPolicy.PolEntry]::String($key, "Name$i", "https://example$i.test/päth")) }
        2 {
            $entries.Add([WaHardening.Core.GroupPolicy.PolEntry]::Create($key, '**delvals.', [WaHardening.Core.Rendering.RegistryKind]::String, ' '))
            $entries.Add([WaHardening.Core.GroupPolicy.PolEntry]::String($key, '1', "[*.]site$i.test"))
        }
        3 { $entries.Add([WaHardening.Core.GroupPolicy.PolEntry]::MultiString($key, "Multi$i", [string[]]@('a', "b$i", 'c'))) }
    }
    $i++
}
while ($entries.Count -gt $count) { $entries.RemoveAt($entries.Count - 1) }
[WaHardening.Core.GroupPolicy.RegistryPolicyFile]::WriteFile($file, $entries)
$bytes = [System.IO.File]::ReadAllBytes($file)
$mb = $bytes.Length / 1MB

function Measure-Median([scriptblock] $Block) {
    # The blocks assign their result to $null: nothing may go through PowerShell's pipeline (it would
    # enumerate every entry and measure PowerShell, not the reader).
    & $Block   # warm-up
    $t = foreach ($r in 1..$runs) { $sw = [System.Diagnostics.Stopwatch]::StartNew(); & $Block; $sw.Elapsed.TotalSeconds }
    Get-Median $t
}
$read = Measure-Median { $null = [WaHardening.Core.GroupPolicy.RegistryPolicyFile]::Read($bytes, $file) }
$parsed = [WaHardening.Core.GroupPolicy.RegistryPolicyFile]::Read($bytes, $file)
if ($parsed -isnot [System.Collections.Generic.List[WaHardening.Core.GroupPolicy.PolEntry]]) { throw 'The entry list was unrolled.' }
$write = Measure-Median { $null = [WaHardening.Core.GroupPolicy.RegistryPolicyFile]::ToBytes($parsed) }

# Samba: the same file, the same measurement method, inside one python process.
$py = @'
import sys, time, statistics
from samba.dcerpc import preg
from samba.ndr import ndr_unpack, ndr_pack
raw = open(sys.argv[1], "rb").read()
runs = int(sys.argv[2])
ndr_unpack(preg.file, raw)
t = []
for _ in range(runs):
    s = time.perf_counter(); f = ndr_unpack(preg.file, raw); t.append(time.perf_counter() - s)
w = []
for _ in range(runs):
    s = time.perf_counter(); ndr_pack(f); w.append(time.perf_counter() - s)
print(statistics.median(t), statistics.median(w), f.num_entries)
'@
$out = $py | & /usr/bin/python3 - $file $runs
if ($LASTEXITCODE -ne 0) { throw "Samba's parser could not run (python3-samba missing? run scripts/install-test-deps.sh)." }
$sambaRead, $sambaWrite, $sambaCount = ($out | Select-Object -Last 1) -split ' '
if ([int]$sambaCount -ne $count) { throw "Samba read $sambaCount entries, expected $count." }
$sambaRead = [double]$sambaRead; $sambaWrite = [double]$sambaWrite

New-BenchRow 'RegistryPol' "read $count entries ($('{0:N1}' -f $mb) MB)" ($mb / $read) 'MB/s' 'Samba ndr_unpack' ($mb / $sambaRead) ($sambaRead / $read) 'faster than Samba' ($read -lt $sambaRead)
New-BenchRow 'RegistryPol' 'read entries/s' ($count / $read) 'entries/s' 'Samba ndr_unpack' ($count / $sambaRead) ($sambaRead / $read) '' $null
New-BenchRow 'RegistryPol' "write $count entries" ($mb / $write) 'MB/s' 'Samba ndr_pack' ($mb / $sambaWrite) ($sambaWrite / $write) 'faster than Samba' ($write -lt $sambaWrite)
New-BenchRow 'RegistryPol' 'write entries/s' ($count / $write) 'entries/s' 'Samba ndr_pack' ($count / $sambaWrite) ($sambaWrite / $write) '' $null
Remove-Item $file
