# Issue #14 items 4-7, 11, as users call the cmdlets, on scratch roots: policy files in encodings the browsers ignore,
# trailing newlines in parameters, names that would inject into file formats, undo of a backup with an unknown post-action.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EnforceCommon.ps1')
    $script:Baseline = New-EnforceBaseline -Path (Join-Path $TestDrive 'baseline.json')
}

Describe 'Hostile inputs: policy file encodings (#14 item 4)' {
    It 'a foreign UTF-16 zz.json never makes Chromium compliant, and Set writes nothing' -TestCases @(
        @{ Kind = 'UTF-16LE'; Bom = [byte[]](0xFF, 0xFE); Encoding = [Text.Encoding]::Unicode }
        @{ Kind = 'UTF-16BE'; Bom = [byte[]](0xFE, 0xFF); Encoding = [Text.Encoding]::BigEndianUnicode }
        @{ Kind = 'UTF-32LE'; Bom = [byte[]](0xFF, 0xFE, 0, 0); Encoding = [Text.UTF32Encoding]::new($false, $false) }
    ) {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive "enc-$Kind")
        $dir = New-Item -ItemType Directory -Force (Join-Path $root 'etc/chromium/policies/managed')
        $json = '{ "CookiesSessionOnlyForUrls": ["https://web.whatsapp.com"], "RestoreOnStartup": 5 }'
        [IO.File]::WriteAllBytes((Join-Path $dir 'zz.json'), $Bom + $Encoding.GetBytes($json))
        $before = Get-TreeState -Root $root
        $r = Test-WaHardening -Path $Baseline -Root $root -Id WA-T-01
        $r.Status | Should -Be 'Error'
        $r.Reason | Should -BeLike "*ForeignPolicyFileInvalid*zz.json*UTF-*"
        { Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -Confirm:$false } | Should -Throw -ErrorId 'ForeignPolicyFileInvalid*'
        Get-TreeState -Root $root | Should -Be $before
    }

    It 'a policies.json with a UTF-8 byte order mark is refused, as Firefox refuses it' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'enc-ff-bom')
        $dir = New-Item -ItemType Directory -Force (Join-Path $root 'etc/firefox/policies')
        [IO.File]::WriteAllBytes((Join-Path $dir 'policies.json'), [byte[]](0xEF, 0xBB, 0xBF) + [Text.Encoding]::UTF8.GetBytes('{ "policies": { "SanitizeOnShutdown": { "Cookies": true } } }'))
        (Test-WaHardening -Path $Baseline -Root $root -Id WA-T-02).Reason | Should -BeLike '*PolicyFileInvalid*byte order mark*'
    }
}

Describe 'Hostile inputs: parameter values and names (#14 items 5, 6)' {
    It 'a parameter value with a trailing newline is refused: <Name>' -TestCases @(
        @{ Name = 'WhatsAppOrigins'; Value = "https://web.whatsapp.com`n" }
        @{ Name = 'MinimumOsVersionWindows'; Value = "10.0.19045`n" }
    ) {
        { Test-WaHardening -Root (Join-Path $TestDrive 'none') -Parameter @{ $Name = $Value } } | Should -Throw -ErrorId 'ParameterInvalid*'
    }

    It 'a GNOME setting name that injects keyfile lines is a load error with file:line:column' {
        $path = Join-Path $TestDrive 'inject.json'
        (Get-Content -Raw $Baseline).Replace('org/gnome/desktop/session/idle-delay', 'org/gnome/x]\n[evil]\nk=1\n[org/gnome/y/idle-delay') | Set-Content -Path $path -Encoding utf8NoBOM
        $err = { Test-WaHardening -Path $path -Root (Join-Path $TestDrive 'none') } | Should -Throw -ErrorId 'BaselineInvalid*' -PassThru
        $err.Exception.Message | Should -BeLike "*inject.json:*:*: control 'WA-T-03', controls*.name: *dconf key path*"
    }
}

Describe 'Hostile inputs: Undo of a backup with an unknown post-action (#14 item 7)' {
    It 'is refused before anything is restored, without a false rollback message' {
        $root = New-ScratchRoot -Path (Join-Path $TestDrive 'undo')
        $backup = Join-Path $TestDrive 'undo-backup.json'
        $null = Set-WaHardening -Path $Baseline -Root $root -Id WA-T-01 -BackupPath $backup -Confirm:$false
        $doc = Get-Content -Raw $backup | ConvertFrom-Json -AsHashtable
        $doc.postActions = @('Nope:reload')
        $doc | ConvertTo-Json -Depth 10 | Set-Content -Path $backup -Encoding utf8NoBOM
        $before = Get-TreeState -Root $root
        $err = { Undo-WaHardening -BackupPath $backup -Root $root -Confirm:$false } | Should -Throw -ErrorId 'BackupInvalid*' -PassThru
        $err.Exception.Message | Should -BeLike '*Nope:reload*Nothing was restored*'
        Get-TreeState -Root $root | Should -Be $before
    }
}
