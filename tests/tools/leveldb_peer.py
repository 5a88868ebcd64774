#!/usr/bin/python3
"""Real LevelDB (python3-plyvel, Debian's libleveldb with Snappy) for the Sessions/Formats tests.

  make <dir> <snappy|none> <keys> <seed>   a database with overwrites, deletions, big values, compacted tables and a live log
  remnants <dir>                           overwritten and deleted values left in the log; prints the tokens
  orphan <dir>                             a table file the MANIFEST no longer lists; prints its token and file names
  bulk <dir> <megabytes>                   about that many MB of data (speed test)
  dump <dir>                               what LevelDB iterates: one 'keyhex valuehex' line per record
  put <dir> <keyhex> <valuehex>            one more write (proves the database is writable after a rewrite)
"""
import os, random, shutil, sys
import plyvel

def opendb(d, **kw):
    return plyvel.DB(d, create_if_missing=True, **kw)

def make(d, comp, n, seed):
    rnd = random.Random(seed)
    db = opendb(d, compression=(None if comp == 'none' else 'snappy'), write_buffer_size=128 * 1024, block_size=2048)
    for i in range(n):
        db.put(b'key:%06d' % i, (b'value-%d-' % i) * rnd.randint(1, 40))
    for i in range(12):  # incompressible values: their blocks stay uncompressed even with Snappy
        db.put(b'big:%02d' % i, rnd.randbytes(rnd.randint(3000, 200000)))
    for i in range(0, n, 3):
        db.put(b'key:%06d' % i, b'over-%d' % i)
    for i in range(0, n, 7):
        db.delete(b'key:%06d' % i)
    db.compact_range(start=b'key:000000', stop=b'key:%06d' % (n // 2))
    for i in range(0, n, 11):
        db.put(b'key:%06d' % i, b'late-%d' % i)
    for i in range(0, n, 13):
        db.delete(b'key:%06d' % i)
    with db.write_batch() as wb:
        for i in range(50):
            wb.put(b'batch:%03d' % i, bytes([i]) * (i * 37))
        wb.delete(b'batch:007')
        wb.put(b'batch:010', b'second write in one batch')
    db.put(b'\x00\xff\x01', b'')
    db.put(b'u:\xc3\xa9\xf0\x9f\x98\x80', 'h\u00e9llo \U0001F600'.encode())
    db.delete(b'big:03')
    db.close()

def remnants(d):
    t1, t2, t3 = ('%032x' % random.getrandbits(128) for _ in range(3))
    db = opendb(d)
    db.put(b'secret', b'OLD-SECRET-' + t1.encode())
    db.put(b'secret', b'NEW')
    db.put(b'gone', b'GONE-' + t2.encode())
    db.delete(b'gone')
    db.put(b'kept', b'KEPT-' + t3.encode())
    db.close()
    print(t1, t2, t3)

def orphan(d):
    tok = '%032x' % random.getrandbits(128)
    db = opendb(d, write_buffer_size=64 * 1024)
    for i in range(2000):
        db.put(b'fill:%05d' % i, b'x' * 50)
    db.put(b'orphan:key', b'ORPHAN-' + tok.encode())
    db.close()
    db = opendb(d, write_buffer_size=64 * 1024)  # the log becomes a level-0 table
    db.compact_range()  # waits for every compaction: the files are quiet while they are copied
    saved = []
    for f in sorted(os.listdir(d)):
        if f.endswith('.ldb') or f.endswith('.sst'):
            with open(os.path.join(d, f), 'rb') as fh:
                data = fh.read()
            if tok.encode() in data:
                saved.append(data)
    db.delete(b'orphan:key')
    for i in range(2000):
        db.put(b'fill:%05d' % i, b'y' * 50)
    db.compact_range()
    db.close()
    # Put the old tables back under numbers no MANIFEST has used: orphans whatever LevelDB did with the originals.
    top = max([int(f.split('.')[0]) for f in os.listdir(d) if f.split('.')[0].isdigit()] + [0])
    restored = []
    for i, data in enumerate(saved):
        name = '%06d.ldb' % (top + 1000 + i)
        with open(os.path.join(d, name), 'wb') as fh:
            fh.write(data)
        restored.append(name)
    print(tok, ' '.join(restored))

def bulk(d, mb):
    rnd = random.Random(7)
    db = opendb(d, compression='snappy')
    total, i = 0, 0
    while total < mb * 1024 * 1024:
        v = (b'%d-' % i) * rnd.randint(10, 400) + rnd.randbytes(rnd.randint(0, 2000))
        db.put(b'bulk:%08d' % (rnd.randrange(mb * 3000)), v)
        total += len(v)
        i += 1
    db.close()

def dump(d):
    db = plyvel.DB(d)
    out = sys.stdout
    for k, v in db:
        out.write(k.hex() + ' ' + v.hex() + '\n')
    db.close()

def put(d, k, v):
    db = plyvel.DB(d)
    db.put(bytes.fromhex(k), bytes.fromhex(v))
    db.close()

cmd = sys.argv[1]
if cmd == 'make': make(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
elif cmd == 'remnants': remnants(sys.argv[2])
elif cmd == 'orphan': orphan(sys.argv[2])
elif cmd == 'bulk': bulk(sys.argv[2], int(sys.argv[3]))
elif cmd == 'dump': dump(sys.argv[2])
elif cmd == 'put': put(sys.argv[2], sys.argv[3], sys.argv[4])
else: sys.exit('unknown command ' + cmd)
