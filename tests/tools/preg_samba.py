#!/usr/bin/python3
"""Parses Registry.pol files with Samba's independent PReg parser (Debian python3-samba) and prints, per file,
the header, whether Samba re-packs the parsed structure to the same bytes, and every entry as Samba decoded it, typed by
its registry type (str, int, multi = list of strings, bytes, none; malformed/unexpected when the data does not fit).
Used by the WaHardening tests as a cross-check; exits 3 when python3-samba is missing (the tests then fail)."""
import json
import struct
import sys

try:
    from samba.dcerpc import preg
    from samba.ndr import ndr_pack, ndr_unpack
except ImportError as e:  # the tests must fail loudly, not skip
    print("python3-samba is not installed (%s); run scripts/install-test-deps.sh as root" % e, file=sys.stderr)
    sys.exit(3)


REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_MULTI_SZ, REG_QWORD = 0, 1, 2, 3, 4, 5, 7, 11


def multi_sz(raw):
    """REG_MULTI_SZ as the registry defines it ([MS-GPREG] 2.2.1 keeps the registry's data formats; [MS-RRP] 2.2.5,
    REG_MULTI_SZ: "a sequence of null-terminated strings, terminated by an empty string"): UTF-16LE, every item ends in
    NUL, then one more NUL; a lone NUL is the empty list. Anything else is reported as malformed, never guessed."""
    if len(raw) % 2:
        return {"kind": "malformed", "why": "odd byte count", "v": raw.hex()}
    text = raw.decode("utf-16-le", "surrogatepass")
    if text == "\0":
        return {"kind": "multi", "v": []}
    if not text.endswith("\0\0"):
        return {"kind": "malformed", "why": "not terminated by an empty string", "v": raw.hex()}
    return {"kind": "multi", "v": text[:-1].split("\0")[:-1]}


def value(type_, v):
    """Samba's decoded data, typed by the record's registry type (Samba's NDR decodes REG_SZ/EXPAND_SZ to str and
    REG_DWORD/DWORD_BIG_ENDIAN/QWORD to int itself; REG_MULTI_SZ comes as raw bytes and is decoded here)."""
    if type_ in (REG_SZ, REG_EXPAND_SZ):
        return {"kind": "str", "v": v} if isinstance(v, str) else {"kind": "unexpected", "v": repr(v)}
    if type_ in (REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_QWORD):
        return {"kind": "int", "v": v} if isinstance(v, int) else {"kind": "unexpected", "v": repr(v)}
    if type_ == REG_MULTI_SZ:
        return multi_sz(bytes(v)) if isinstance(v, (bytes, bytearray, list)) else {"kind": "unexpected", "v": repr(v)}
    if v is None:
        return {"kind": "none"}
    if isinstance(v, (bytes, bytearray, list)):
        return {"kind": "bytes", "v": bytes(v).hex()}
    return {"kind": "unexpected", "v": repr(v)}


out = []
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    signature, version = raw[:4].decode("latin-1"), (struct.unpack("<I", raw[4:8])[0] if len(raw) >= 8 else None)
    f = ndr_unpack(preg.file, raw)
    out.append({
        "path": path,
        "signature": signature,
        "version": version,
        "ndrSignature": f.header.signature,
        "ndrVersion": f.header.version,
        "repackEqual": ndr_pack(f) == raw,
        "entries": [{"key": e.keyname, "value": e.valuename, "type": e.type, "data": value(e.type, e.data)} for e in f.entries],
    })
print(json.dumps(out, ensure_ascii=True))
