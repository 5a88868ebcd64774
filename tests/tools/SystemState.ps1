# Dot-sourced by tests that write to real system paths: copy them aside first, put them back exactly
# afterwards (even when a test failed), and prove nothing was left behind.

function Save-WaSystemState {
    <# Copies each path (file or folder, with modes and times) into -Store; remembers the ones that did not exist. #>
    param([Parameter(Mandatory)] [string[]] $Path, [Parameter(Mandatory)] [string] $Store)
    $null = New-Item -ItemType Directory -Force -Path $Store
    $state = foreach ($p in $Path) {
        $copy = Join-Path $Store ([Convert]::ToHexString([Text.Encoding]::UTF8.GetBytes($p)))
        $exists = Test-Path -LiteralPath $p
        if ($exists) {
            & cp -a -- $p $copy
            if ($LASTEXITCODE -ne 0) { throw "Could not save $p to $copy (cp exit $LASTEXITCODE)." }
        }
        [pscustomobject]@{ Path = $p; Existed = $exists; Copy = $copy; Fingerprint = Get-WaTreeFingerprint $p }
    }
    @($state)
}

function Restore-WaSystemState {
    <# Puts every saved path back as it was (removing what did not exist) and checks the fingerprint. #>
    param([Parameter(Mandatory)] [object[]] $State)
    $problems = foreach ($s in $State) {
        if (Test-Path -LiteralPath $s.Path) { & rm -rf -- $s.Path }
        if ($s.Existed) {
            & cp -a -- $s.Copy $s.Path
            if ($LASTEXITCODE -ne 0) { "could not restore $($s.Path)" }
        }
        $now = Get-WaTreeFingerprint $s.Path
        if ($now -ne $s.Fingerprint) { "$($s.Path) differs after restore" }
    }
    if ($problems) { throw "System state not restored: $($problems -join '; ')" }
}

function Get-WaTreeFingerprint {
    <# Relative path, mode and SHA-256 of every file and folder below a path; '' when it does not exist. #>
    param([Parameter(Mandatory)] [string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) { return '' }
    $items = @(Get-Item -LiteralPath $Path -Force) + @(Get-ChildItem -LiteralPath $Path -Recurse -Force -ErrorAction SilentlyContinue)
    ($items | Sort-Object FullName | ForEach-Object {
            $hash = if ($_.PSIsContainer) { 'dir' } else { (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
            "$($_.FullName)|$($_.UnixMode)|$hash"
        }) -join "`n"
}
