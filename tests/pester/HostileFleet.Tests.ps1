# Issue #14 item 8: Merge-WaComplianceReport over hostile folders (a FIFO named *.json, directory symlink loops, a link
# to /dev/zero, a file given twice). Each merge runs in its own runspace with a generous bound, so a hang fails the
# test instead of hanging the run (a correctness guard, not a timing assertion). Linux (mkfifo, ln -s).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')
    $root = New-ScratchRoot -Path (Join-Path $TestDrive 'machine')
    $seed = Test-WaHardening -Path $baseline -Root $root | Export-WaComplianceReport -Path (Join-Path $TestDrive 'seed.json') -Confirm:$false
    $script:Template = Get-Content -Raw $seed
    $script:Fifos = [Collections.Generic.List[string]]::new()

    function New-Report([string] $Path, [string] $Device) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path)
        Set-Content -Path $Path -NoNewline -Value ($Template -replace '"name": "[^"]*"', ('"name": "{0}"' -f $Device))
    }

    # Runs Merge-WaComplianceReport with these parameters in a new runspace; fails when it has not finished in 60 s.
    # ErrorAction Continue: a runspace without a host collects the non-terminating errors in Streams.Error
    # (SilentlyContinue would only add them to $Error, and the typed per-file errors could not be checked).
    function Invoke-BoundedMerge([hashtable] $Parameters) {
        $ps = [powershell]::Create()
        $stuck = $false
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $ModulePath 'WaHardening.psd1')).AddStatement()
            $null = $ps.AddCommand('Merge-WaComplianceReport').AddParameters($Parameters).AddParameter('ErrorAction', 'Continue')
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60))) {
                # Release a reader stuck in open(2) on a FIFO (the defect) so the runspace can end.
                foreach ($f in $Fifos) { try { [IO.File]::Open($f, 'Open', 'ReadWrite').Dispose() } catch { } }   # read-write: never waits (Linux)
                $stuck = $true   # a thread stuck in the file system cannot be waited for: stop, do not dispose
                $null = $ps.BeginStop($null, $null)
                throw 'Merge-WaComplianceReport did not finish within 60 s (it hangs)'
            }
            [pscustomobject]@{ Summary = @($ps.EndInvoke($async))[0]; Errors = @($ps.Streams.Error) }
        }
        finally { if (-not $stuck) { $ps.Dispose() } }
    }
}

Describe 'Merge-WaComplianceReport on hostile folders' {
    BeforeEach {
        $script:Dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $Dir
    }
    AfterEach {
        # Symlink loops and FIFOs must not outlive the test: PowerShell's recursive removal of TestDrive would walk the
        # loops (it grew a test run to 20 GB). rm -rf removes links without following them.
        & /bin/rm -rf -- $Dir
    }

    It 'skips a FIFO named *.json as not a regular file (typed error), and finishes' {
        New-Report (Join-Path $Dir 'a.json') 'PC-A'
        $fifo = Join-Path $Dir 'fifo.json'
        & mkfifo $fifo
        $LASTEXITCODE | Should -Be 0
        $Fifos.Add($fifo)
        $r = Invoke-BoundedMerge @{ Path = $Dir }
        $r.Summary.ReportsRead | Should -Be 1
        $r.Summary.Skipped | Should -Be 1
        $r.Summary.SkippedFiles[0].Code | Should -Be 'NotARegularFile'
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ReportNotARegularFile,*'
        $r.Errors[0].Exception.Message | Should -Match 'fifo\.json.*FIFO'
    }

    It 'follows two directory symlink loops with -Recurse, finishes, and counts each report once' {
        New-Report (Join-Path $Dir 'top.json') 'PC-TOP'
        New-Report (Join-Path $Dir 'a/a.json') 'PC-A'
        New-Report (Join-Path $Dir 'b/b.json') 'PC-B'
        $links = (Join-Path $Dir 'a/up'), (Join-Path $Dir 'b/toA'), (Join-Path $Dir 'self')
        $null = New-Item -ItemType SymbolicLink -Path $links[0] -Target $Dir
        $null = New-Item -ItemType SymbolicLink -Path $links[1] -Target (Join-Path $Dir 'a')
        $null = New-Item -ItemType SymbolicLink -Path $links[2] -Target $Dir
        # The loops are unlinked right after the merge: Pester's TestDrive clean-up would walk into them (and never end).
        try { $r = Invoke-BoundedMerge @{ Path = $Dir; Recurse = $true } }
        finally { & rm -f -- @links }
        $r.Summary.ReportsRead | Should -Be 3
        $r.Summary.Devices | Should -Be 3
        $r.Summary.Skipped | Should -Be 0
        $r.Errors.Count | Should -Be 0
        # Trend is a list of (Day, Reports, Counts) value tuples: PowerShell sees their fields as Item1..Item3.
        ($r.Summary.Trend | Measure-Object Item2 -Sum).Sum | Should -Be 3
    }

    It 'skips zero.json -> /dev/zero as a typed error and merges the rest' {
        New-Report (Join-Path $Dir 'a.json') 'PC-A'
        New-Report (Join-Path $Dir 'b.json') 'PC-B'
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $Dir 'zero.json') -Target '/dev/zero'
        $r = Invoke-BoundedMerge @{ Path = $Dir }
        $r.Summary.ReportsRead | Should -Be 2
        $r.Summary.SkippedFiles.Code | Should -Be 'NotARegularFile'
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ReportNotARegularFile,*'
        $r.Errors[0].Exception.Message | Should -Match 'zero\.json.*character device'
    }

    It 'reads a report given twice (folder twice, and by name) once' {
        New-Report (Join-Path $Dir 'a.json') 'PC-A'
        $r = Invoke-BoundedMerge @{ Path = @($Dir, $Dir, (Join-Path $Dir 'a.json')) }
        $r.Summary.ReportsRead | Should -Be 1
        $r.Errors.Count | Should -Be 0
    }
}
