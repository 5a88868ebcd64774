#!/usr/bin/python3
"""Real LZ4 (python3-lz4) for the mozLz4 tests.

  encode <in> <out>   writes a mozLz4 file ('mozLz40\\0', uint32 LE size, one LZ4 block) made by lz4.block.compress
  decode <in> <out>   reads a mozLz4 file with lz4.block.decompress (fails on a bad magic, size or block)
"""
import struct, sys
import lz4.block

MAGIC = b'mozLz40\0'
cmd, src, dst = sys.argv[1:4]
data = open(src, 'rb').read()
if cmd == 'encode':
    out = MAGIC + struct.pack('<I', len(data)) + lz4.block.compress(data, store_size=False)
elif cmd == 'decode':
    if data[:8] != MAGIC:
        sys.exit('bad magic')
    size = struct.unpack('<I', data[8:12])[0]
    out = lz4.block.decompress(data[12:], uncompressed_size=size)
    if len(out) != size:
        sys.exit('size mismatch')
else:
    sys.exit('unknown command ' + cmd)
open(dst, 'wb').write(out)
