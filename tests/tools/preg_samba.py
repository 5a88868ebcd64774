#!/usr/bin/python3
"""Parses Registry.pol files with Samba's independent PReg parser (Debian python3-samba) and prints, per file,
the header, whether Samba re-packs the parsed structure to the same bytes, and every entry as Samba decoded it.
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


def value(v):
    if v is None:
        return {"kind": "none"}
    if isinstance(v, int):
        return {"kind": "int", "v": v}
    if isinstance(v, str):
        return {"kind": "str", "v": v}
    if isinstance(v, (bytes, bytearray, list)):
        return {"kind": "bytes", "v": bytes(v).hex()}
    return {"kind": "other", "v": repr(v)}


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
        "entries": [{"key": e.keyname, "value": e.valuename, "type": e.type, "data": value(e.data)} for e in f.entries],
    })
print(json.dumps(out, ensure_ascii=True))
