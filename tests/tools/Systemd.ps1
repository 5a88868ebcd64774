# Dot-sourced by tests that run what a systemd unit of the module runs (SessionCleanup, WebSession).

# The argument vector systemd makes of an ExecStart= line (systemd.service(5), "Command lines"): words split on
# blanks, "double quotes" group, \\ and \" unescape inside them, %% is '%' and $$ is '$'.
function Split-ExecStart([string] $Line) {
    $words = [System.Collections.Generic.List[string]]::new()
    $i = 0
    while ($i -lt $Line.Length) {
        while ($i -lt $Line.Length -and $Line[$i] -eq ' ') { $i++ }
        if ($i -ge $Line.Length) { break }
        $sb = [System.Text.StringBuilder]::new()
        if ($Line[$i] -eq '"') {
            $i++
            while ($Line[$i] -ne '"') { if ($Line[$i] -eq '\') { $i++ }; [void]$sb.Append($Line[$i]); $i++ }
            $i++
        } else { while ($i -lt $Line.Length -and $Line[$i] -ne ' ') { [void]$sb.Append($Line[$i]); $i++ } }
        $words.Add($sb.ToString().Replace('%%', '%').Replace('$$', '$'))
    }
    , $words.ToArray()
}

function Get-WaExecStart([string] $UnitFile) {
    <# The argument vector of a unit file's ExecStart= line, as systemd splits it. #>
    $line = (Get-Content -LiteralPath $UnitFile | Where-Object { $_ -like 'ExecStart=*' } | Select-Object -First 1).Substring('ExecStart='.Length)
    Split-ExecStart $line
}
