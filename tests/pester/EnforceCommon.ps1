# Shared by the Test-/Set-/Undo-WaHardening tests: a small baseline and a scratch root in TestDrive.
function New-EnforceBaseline {
    param([Parameter(Mandatory)] [string] $Path)
    @'
{
  "schemaVersion": 1, "name": "pester", "version": "1",
  "profiles": { "Standard": { "description": "s" } },
  "parameters": {
    "Origins": { "type": "stringList", "default": ["https://web.whatsapp.com"], "minItems": 1, "description": "o" },
    "Idle": { "type": "integer", "default": 300, "minimum": 60, "maximum": 900, "description": "i" }
  },
  "controls": [
    { "id": "WA-T-01", "title": "Chromium session data", "category": "Session", "severity": "High", "profiles": ["Standard"], "rationale": "r",
      "settings": [
        { "target": "Chromium", "name": "CookiesSessionOnlyForUrls", "type": "stringList", "value": { "param": "Origins" }, "compare": "superset", "source": "https://e.org" },
        { "target": "Chromium", "name": "RestoreOnStartup", "type": "integer", "value": 5, "compare": "oneOf", "accept": [4, 5], "source": "https://e.org" } ] },
    { "id": "WA-T-02", "title": "Firefox", "category": "Session", "severity": "High", "profiles": ["Standard"], "rationale": "r",
      "settings": [
        { "target": "Firefox", "name": "SanitizeOnShutdown.Cookies", "type": "boolean", "value": true, "source": "https://e.org" } ] },
    { "id": "WA-T-03", "title": "GNOME lock", "category": "Lock", "severity": "High", "profiles": ["Standard"], "rationale": "r",
      "settings": [
        { "target": "GNOME", "name": "org/gnome/desktop/session/idle-delay", "type": "integer", "value": { "param": "Idle" }, "compare": "atMost", "minimum": 1, "dconf": { "type": "uint32" }, "source": "https://e.org" } ] },
    { "id": "WA-T-04", "title": "Updates", "category": "Updates", "severity": "Medium", "profiles": ["Standard"], "rationale": "r",
      "settings": [
        { "target": "Apt", "name": "APT::Periodic::Unattended-Upgrade", "type": "integer", "value": 1, "compare": "atLeast", "source": "https://e.org" } ] },
    { "id": "WA-T-05", "title": "Phone", "category": "Guidance", "severity": "Low", "profiles": ["Standard"], "rationale": "r", "advisory": true, "guidance": "Check linked devices." }
  ]
}
'@ | Set-Content -Path $Path -Encoding utf8NoBOM
    $Path
}

function New-ScratchRoot {
    # A fake system: Chromium, Firefox, dconf and APT "installed" (empty marker binaries).
    param([Parameter(Mandatory)] [string] $Path, [switch] $Empty)
    New-Item -ItemType Directory -Force -Path $Path | Out-Null
    if (-not $Empty) {
        foreach ($bin in 'usr/bin/chromium', 'usr/bin/firefox', 'usr/bin/apt-get') {
            New-Item -ItemType File -Force -Path (Join-Path $Path $bin) | Out-Null
        }
        New-Item -ItemType Directory -Force -Path (Join-Path $Path 'etc/dconf/db') | Out-Null
    }
    $Path
}

function Get-TreeState {
    # Path -> SHA-256 of every file under a root (backups and the lock file left out), for "nothing changed" checks.
    param([Parameter(Mandatory)] [string] $Root)
    $state = [ordered]@{}
    Get-ChildItem -LiteralPath $Root -Recurse -File -Force | Where-Object { $_.FullName -notmatch 'wa-hardening[\\/](backups|wa-hardening\.lock)' } |
        Sort-Object FullName | ForEach-Object { $state[$_.FullName] = (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
    $state | ConvertTo-Json -Compress
}

function Get-PwshCommand {
    # The PowerShell running the tests, to start child processes with.
    if ($IsWindows) { Join-Path $PSHOME 'pwsh.exe' } else { Join-Path $PSHOME 'pwsh' }
}
