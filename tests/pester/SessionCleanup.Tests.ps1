# WA-SESSION-05 (issue #16): Set-WaHardening -Profile SharedComputer installs a clean-up of stored web sessions at boot and
# at each logon — on Linux a system unit and a user unit, each wanted by its target through a drop-in — that Test audits
# and Undo removes. The units are checked by systemd itself (systemd-analyze verify, the system and the user manager's
# parser); the command they run is run directly.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')

    $script:SystemdAnalyze = (Get-Command systemd-analyze -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    if (-not $SystemdAnalyze) { throw 'systemd-analyze (Debian package systemd) is required by these tests; run scripts/install-test-deps.sh' }

    function New-SystemdRoot([string] $Name) {
        $root = Join-Path $TestDrive ($Name + '-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Force -Path (Join-Path $root 'etc/systemd'), (Join-Path $root 'usr/bin') | Out-Null
        New-Item -ItemType File -Force -Path (Join-Path $root 'usr/bin/systemctl') | Out-Null
        $root
    }
    $script:Units = @(
        @{ Setting = 'AtBoot'; Unit = 'etc/systemd/system/wa-hardening-session-cleanup.service'; DropIn = 'etc/systemd/system/multi-user.target.d/wa-hardening-session-cleanup.conf'; User = $false }
        @{ Setting = 'AtLogon'; Unit = 'etc/systemd/user/wa-hardening-session-cleanup.service'; DropIn = 'etc/systemd/user/default.target.d/wa-hardening-session-cleanup.conf'; User = $true }
    )
    $script:Select = @{ Profile = 'SharedComputer'; Id = 'WA-SESSION-05' }

    . (Join-Path $PSScriptRoot '../tools/Systemd.ps1')
}

Describe 'WA-SESSION-05: the boot and logon clean-up (Linux, systemd)' {
    It 'is part of SharedComputer only' {
        (Get-WaBaseline -Profile SharedComputer).Id | Should -Contain 'WA-SESSION-05'
        (Get-WaBaseline -Profile Standard).Id | Should -Not -Contain 'WA-SESSION-05'
    }

    It 'Set installs both units and their drop-ins (0644, root), Test is compliant, Undo removes every file and folder it created' {
        $root = New-SystemdRoot 'cycle'
        $before = Get-TreeState -Root $root
        (Test-WaHardening -Root $root @Select).Status | Should -Be 'NonCompliant'
        $changes = @(Set-WaHardening -Root $root @Select -Confirm:$false)
        @($changes | Where-Object Action -eq 'Changed').Count | Should -Be 2
        foreach ($u in $Units) {
            foreach ($f in $u.Unit, $u.DropIn) {
                $item = Get-Item -LiteralPath (Join-Path $root $f)
                $item.UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
                $item.User | Should -Be 'root'
            }
            Get-Content -Raw (Join-Path $root $u.DropIn) | Should -Match '(?m)^\[Unit\]\s*^Wants=wa-hardening-session-cleanup\.service$'
        }
        $r = Test-WaHardening -Root $root @Select
        $r.Status | Should -Be 'Compliant'
        # Idempotent: a second Set changes nothing.
        @(Set-WaHardening -Root $root @Select -Confirm:$false | Where-Object Action -eq 'Changed').Count | Should -Be 0
        $backup = @(Get-ChildItem -LiteralPath (Join-Path $root 'var/lib/wa-hardening/backups') -Filter 'backup-*.json' | Sort-Object Name)[0]
        Undo-WaHardening -Root $root -BackupPath $backup.FullName -Confirm:$false | Out-Null
        Get-TreeState -Root $root | Should -Be $before
        Test-Path (Join-Path $root 'etc/systemd/system/multi-user.target.d') | Should -BeFalse
        Test-Path (Join-Path $root 'etc/systemd/user') | Should -BeFalse
        (Test-WaHardening -Root $root @Select).Status | Should -Be 'NonCompliant'
    }

    It 'systemd itself accepts the units it installs (systemd-analyze verify, system and user manager)' {
        $root = New-SystemdRoot 'verify'
        $null = Set-WaHardening -Root $root @Select -Confirm:$false
        $runtime = Join-Path $TestDrive ('rt-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $runtime | Out-Null
        foreach ($u in $Units) {
            $unit = Join-Path $root $u.Unit
            if ($u.User) { $env:XDG_RUNTIME_DIR = $runtime; $out = & $SystemdAnalyze --user verify $unit 2>&1; $rc = $LASTEXITCODE; Remove-Item Env:XDG_RUNTIME_DIR }
            else { $out = & $SystemdAnalyze verify $unit 2>&1; $rc = $LASTEXITCODE }
            $rc | Should -Be 0 -Because ($out | Out-String)
            ($out | Out-String) | Should -Not -Match 'Unbalanced quoting|bad unit file setting|Unknown key' -Because $u.Unit
        }
        # The verifier is not lenient: the same unit with one quote removed is refused.
        $broken = Join-Path $TestDrive 'broken.service'
        (Get-Content -Raw (Join-Path $root $Units[0].Unit)) -replace '"-NoProfile"', '"-NoProfile' | Set-Content -LiteralPath $broken -NoNewline
        $null = & $SystemdAnalyze verify $broken 2>&1
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'the unit runs, as systemd splits it, exactly the clean-up command with this PowerShell and module' {
        $root = New-SystemdRoot 'argv'
        $null = Set-WaHardening -Root $root @Select -Confirm:$false
        foreach ($u in $Units) {
            $line = (Get-Content (Join-Path $root $u.Unit) | Where-Object { $_ -like 'ExecStart=*' }).Substring('ExecStart='.Length)
            $argv = Split-ExecStart $line
            Test-Path -LiteralPath $argv[0] -PathType Leaf | Should -BeTrue
            $argv[-2] | Should -Be '-EncodedCommand'
            $command = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($argv[-1]))
            $command | Should -BeLike "*Import-Module '$(Join-Path $ModulePath 'WaHardening.psd1')'*"
            $command | Should -Match ($u.User ? 'Get-WaWebSession \| Clear-WaWebSession -Confirm:\$false' : 'Get-WaWebSession -AllUsers \| Clear-WaWebSession -Confirm:\$false')
            # Run with the command replaced by a probe: the same program and arguments reach PowerShell with the module.
            $probe = "`$PSStyle.OutputRendering = 'PlainText'; Import-Module '$(Join-Path $ModulePath 'WaHardening.psd1')' -ErrorAction Stop; (Get-Command Clear-WaWebSession, Get-WaWebSession).Name -join ','"
            $args2 = @($argv[1..($argv.Count - 2)]) + [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($probe))
            $out = & $argv[0] @args2 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out | Out-String)
            ($out | Out-String).Trim() | Should -Be 'Clear-WaWebSession,Get-WaWebSession'
        }
    }

    It 'an edited unit is NonCompliant and named; Set rewrites it; Undo puts the edited one back' {
        $root = New-SystemdRoot 'edited'
        $null = Set-WaHardening -Root $root @Select -Confirm:$false
        $unit = Join-Path $root $Units[0].Unit
        $edited = (Get-Content -Raw $unit) + "# an admin's edit`n"
        [IO.File]::WriteAllText($unit, $edited)
        $r = Test-WaHardening -Root $root @Select
        $r.Status | Should -Be 'NonCompliant'
        $r.Reason | Should -Match 'differs from the unit this module writes'
        $changes = @(Set-WaHardening -Root $root @Select -Confirm:$false | Where-Object Action -eq 'Changed')
        $changes.Count | Should -Be 1
        (Test-WaHardening -Root $root @Select).Status | Should -Be 'Compliant'
        $backup = Get-ChildItem -LiteralPath (Join-Path $root 'var/lib/wa-hardening/backups') -Filter 'backup-*.json' | Sort-Object Name | Select-Object -Last 1
        Undo-WaHardening -Root $root -BackupPath $backup.FullName -Confirm:$false | Out-Null
        [IO.File]::ReadAllText($unit) | Should -Be $edited
    }

    It 'refuses (SessionCleanupUnavailable, nothing written) to install a module that others can write: it would run as root at boot' {
        $copy = Join-Path ([IO.Path]::GetTempPath()) ('wa-open-' + [guid]::NewGuid().ToString('N'))
        try {
            Copy-Item -Recurse -LiteralPath $ModulePath -Destination $copy
            & chmod 0777 $copy
            $root = New-SystemdRoot 'open'
            $before = Get-TreeState -Root $root
            $script = "Import-Module '$copy/WaHardening.psd1'; try { Set-WaHardening -Root '$root' -Profile SharedComputer -Id WA-SESSION-05 -Confirm:`$false -ErrorAction Stop; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
            $out = & (Get-PwshCommand) -NoProfile -NonInteractive -Command ('$PSStyle.OutputRendering = ''PlainText''; ' + $script) 2>&1 | Out-String
            $out | Should -Match 'SessionCleanupUnavailable'
            $out | Should -Match ([regex]::Escape($copy) + '.*writable by its group or others')
            Get-TreeState -Root $root | Should -Be $before
        } finally { Remove-Item -Recurse -Force -LiteralPath $copy -ErrorAction SilentlyContinue }
    }

    It 'without systemd the clean-up is NotApplicable, never compliant' {
        $root = Join-Path $TestDrive ('nosystemd-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $root | Out-Null
        $r = Test-WaHardening -Root $root @Select
        $r.Status | Should -Not -Be 'Compliant'
        $r.Reason | Should -Match 'systemd'
    }
}

Describe 'WA-SESSION-05 in Intune: the session clean-up remediation (Windows PowerShell 5.1, standalone)' {
    BeforeAll {
        $script:Export = Join-Path $TestDrive 'export'
        $null = Export-WaIntuneProfile -Path $Export -Profile SharedComputer -Confirm:$false
        $script:Detect = Join-Path $Export 'windows/session-cleanup/detect.ps1'
        $script:Remediate = Join-Path $Export 'windows/session-cleanup/remediate.ps1'
        # The module found through PSModulePath, as an all-users install on a device would be.
        $script:SavedPath = $env:PSModulePath
        $env:PSModulePath = (Split-Path (Split-Path $ModulePath.TrimEnd('/', '\'))) + [IO.Path]::PathSeparator + $env:PSModulePath

        # schtasks.exe stands in as a function (a function is found before an application): tasks in memory, the XML file
        # read as schtasks reads it (UTF-16 with a byte order mark). The real Task Scheduler is not exercised here.
        $global:WaTestTasks = @{}
        function global:schtasks.exe {
            $a = @($args)
            $name = $a[2]
            switch ($a[0]) {
                '/Query' { if ($global:WaTestTasks.ContainsKey($name)) { $global:LASTEXITCODE = 0; $global:WaTestTasks[$name] -split "`r?`n" } else { $global:LASTEXITCODE = 1 } }
                '/Create' {
                    $bytes = [IO.File]::ReadAllBytes($a[4])
                    if ($bytes[0] -ne 0xFF -or $bytes[1] -ne 0xFE) { $global:LASTEXITCODE = 1; return 'ERROR: not UTF-16' }
                    $text = [Text.Encoding]::Unicode.GetString($bytes, 2, $bytes.Length - 2)
                    [xml] $null = $text
                    $global:WaTestTasks[$name] = $text.Replace('<RegistrationInfo>', "<RegistrationInfo>`r`n    <URI>$name</URI>")
                    $global:LASTEXITCODE = 0; 'SUCCESS'
                }
            }
        }
        # The same stand-in for the module's own reading (the SessionCleanup provider through ICommandRunner).
        if (-not ('WaTest.TaskStandIn' -as [type])) {
            $runtime = [Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
            Add-Type -ReferencedAssemblies ([WaHardening.Core.Enforcement.ICommandRunner].Assembly.Location), (Join-Path $runtime 'netstandard.dll'), 'System.Collections', 'System.Runtime' -TypeDefinition @'
namespace WaTest {
    public sealed class TaskStandIn : WaHardening.Core.Enforcement.ICommandRunner {
        private readonly System.Collections.Hashtable _tasks;
        public TaskStandIn(System.Collections.Hashtable tasks) { _tasks = tasks; }
        public bool Exists(string program) { return program == "schtasks.exe"; }
        public WaHardening.Core.Enforcement.CommandResult Run(string program, System.Collections.Generic.IReadOnlyList<string> a) {
            if (a[0] == "/Query" && _tasks.ContainsKey(a[2])) return new WaHardening.Core.Enforcement.CommandResult(0, (string)_tasks[a[2]], "");
            return new WaHardening.Core.Enforcement.CommandResult(1, "", "ERROR: The system cannot find the file specified.");
        }
    }
}
'@
        }
        function Invoke-DeviceScript([string] $Path) {
            $out = & $Path
            [pscustomobject]@{ Exit = $LASTEXITCODE; Output = ($out -join "`n") }
        }
    }
    AfterAll {
        $env:PSModulePath = $SavedPath
        Remove-Item Function:\schtasks.exe -ErrorAction SilentlyContinue
        Remove-Variable -Scope Global -Name WaTestTasks -ErrorAction SilentlyContinue
    }
    BeforeEach { $global:WaTestTasks.Clear() }

    It 'is exported for SharedComputer only, as a deviceHealthScript carrying both scripts' {
        $body = Get-Content -Raw (Join-Path $Export 'windows/session-cleanup/deviceHealthScript.json') | ConvertFrom-Json
        $body.'@odata.type' | Should -Be '#microsoft.graph.deviceHealthScript'
        [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($body.detectionScriptContent)).TrimStart([char]0xFEFF) | Should -Be ((Get-Content -Raw $Detect).TrimStart([char]0xFEFF))
        $standard = Join-Path $TestDrive 'standard'
        $null = Export-WaIntuneProfile -Path $standard -Profile Standard -Confirm:$false
        Test-Path (Join-Path $standard 'windows/session-cleanup') | Should -BeFalse
    }

    It 'uses only Windows PowerShell 5.1 syntax (parsed by the language of 5.1: no ternary, no ??, no pipeline chains)' {
        foreach ($f in $Detect, $Remediate) {
            $tokens = $errors = $null
            $ast = [Management.Automation.Language.Parser]::ParseFile($f, [ref]$tokens, [ref]$errors)
            $errors | Should -BeNullOrEmpty
            $ast.FindAll({ param($n) $n -is [Management.Automation.Language.TernaryExpressionAst] -or $n -is [Management.Automation.Language.PipelineChainAst] -or
                ($n -is [Management.Automation.Language.BinaryExpressionAst] -and $n.Operator -eq 'QuestionQuestion') }, $true) | Should -BeNullOrEmpty
        }
    }

    It 'detection fails on a fresh device, the remediation registers both tasks, detection passes' {
        $d = Invoke-DeviceScript $Detect
        $d.Exit | Should -Be 1
        # The versioned line every WaHardening detection prints, as Get-WaIntuneCompliance parses it.
        $parsed = [WaHardening.Core.Reporting.DetectionOutput]::Parse($d.Output)
        $parsed.Checked | Should -Be 2
        $parsed.Failed | Should -Be 2
        $parsed.Listed | Should -Be @('WA_SESSION_05_SessionCleanup_AtBoot', 'WA_SESSION_05_SessionCleanup_AtLogon')
        $r = Invoke-DeviceScript $Remediate
        $r.Exit | Should -Be 0 -Because $r.Output
        $global:WaTestTasks.Keys | Sort-Object | Should -Be @('\WaHardening\SessionCleanupAtBoot', '\WaHardening\SessionCleanupAtLogon')
        $d = Invoke-DeviceScript $Detect
        $d.Exit | Should -Be 0
        [WaHardening.Core.Reporting.DetectionOutput]::Parse($d.Output).Failed | Should -Be 0
    }

    It 'without the module every task fails detection (the tasks could do nothing)' {
        $null = Invoke-DeviceScript $Remediate
        $saved = $env:PSModulePath
        try {
            $env:PSModulePath = $SavedPath
            $d = Invoke-DeviceScript $Detect
        } finally { $env:PSModulePath = $saved }
        $d.Exit | Should -Be 1
        [WaHardening.Core.Reporting.DetectionOutput]::Parse($d.Output).Failed | Should -Be 2
    }

    It 'Get-WaIntuneCompliance reads it back: the fleet plan has the remediation with one row per task setting' {
        $baseline = [WaHardening.Core.Model.BaselineLoader]::Load((Join-Path $ModulePath 'policies/baseline.json'))
        $plan = [WaHardening.Core.Reporting.IntuneFleetPlan]::Load($Export, $baseline)
        $source = @($plan.Sources | Where-Object Marker -eq 'wah-sharedcomputer-windows-session-cleanup')
        $source.Count | Should -Be 1
        $source[0].Kind | Should -Be 'Remediation'
        # (a remediation is a source only when its script has rows; these are the rows it has)
        @([WaHardening.Core.Reporting.IntuneFleetPlan]::ScriptRows((Get-Content -Raw $Detect)) | ForEach-Object { $_.Item1 + '|' + $_.Item2 + '|' + $_.Item3 }) |
            Should -Be @('WA_SESSION_05_SessionCleanup_AtBoot|WA-SESSION-05|SessionCleanup', 'WA_SESSION_05_SessionCleanup_AtLogon|WA-SESSION-05|SessionCleanup')
    }

    It 'detection judges a task exactly as Test-WaHardening does on Windows (<Case>)' -ForEach @(
        @{ Case = 'ours'; Edit = { param($x) $x } }
        @{ Case = 'another program'; Edit = { param($x) $x -replace '<Command>[^<]*</Command>', '<Command>C:\evil.exe</Command>' } }
        @{ Case = 'other arguments'; Edit = { param($x) $x -replace '-EncodedCommand [A-Za-z0-9+/=]+', '-EncodedCommand AAAA' } }
        @{ Case = 'another trigger'; Edit = { param($x) $x -replace 'BootTrigger', 'TimeTrigger' -replace 'LogonTrigger', 'TimeTrigger' } }
        @{ Case = 'unreadable XML'; Edit = { param($x) '<Task' } }
    ) {
        $null = Invoke-DeviceScript $Remediate
        foreach ($k in @($global:WaTestTasks.Keys)) { $global:WaTestTasks[$k] = & $Edit $global:WaTestTasks[$k] }
        # The module's own judgement: the SessionCleanup provider on Windows, reading through the same stand-in.
        $runner = [WaTest.TaskStandIn]::new($global:WaTestTasks)
        $ctx = [WaHardening.Core.Enforcement.ProviderContext]::new($TestDrive, 'Windows', $runner, $null)
        $ctx.PowerShell = [WaHardening.Core.Sessions.PowerShellHost]::Installed('%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe')
        $controls = @(Get-WaBaseline -Profile SharedComputer | Where-Object Id -eq 'WA-SESSION-05')
        $status = @([WaHardening.Core.Enforcement.Engine]::new($ctx, $null).Test([WaHardening.Core.Model.Control[]] $controls))[0].Status.ToString()
        $d = Invoke-DeviceScript $Detect
        ($d.Exit -eq 0) | Should -Be ($status -eq 'Compliant') -Because "$Case : detection said '$($d.Output)', Test said $status"
    }
}

