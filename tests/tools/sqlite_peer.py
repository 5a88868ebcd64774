#!/usr/bin/python3
"""Real SQLite (python3's sqlite3 module) for the Sessions/Formats tests.

  make <db> <utf-8|utf-16le|utf-16be> <pagesize>  many rows, overflow values, deleted rows, ALTER TABLE ADD COLUMN,
                                                  Chromium's cookies/meta, Firefox's moz_cookies, a STRICT table,
                                                  odd quoted names
  wal <db> <copy>          WAL mode: committed frames not checkpointed plus an uncommitted spilled transaction; the
                           files are copied (db and -wal) while the writer is open
  dump <db> <out>          the expectation file of an existing database (e.g. a browser's Cookies), written to <out>
  journal <db> <copy>      rollback journal: a transaction that spilled changed pages into the db file; db and -journal
                           copied while it is open (a hot journal)
Each writes <db or copy>.expected: what SQLite reads (committed state), per table
  '#table <name>' then '#cols <c1>\\t<c2>...' then one line per row (rowid order), cells tab-separated:
  n | i:<int> | r:<IEEE-754 big-endian hex> | t:<UTF-8 hex> | b:<hex>
"""
import os, random, shutil, sqlite3, struct, sys

def cell(v):
    if v is None: return 'n'
    if isinstance(v, int): return 'i:%d' % v
    if isinstance(v, float): return 'r:' + struct.pack('>d', v).hex()
    if isinstance(v, str): return 't:' + v.encode('utf-8', 'surrogatepass').hex()
    return 'b:' + bytes(v).hex()

def expected(con, path):
    with open(path, 'w') as f:
        names = [r[0] for r in con.execute("select name from sqlite_schema where type='table' order by name")]
        for t in names:
            q = '"' + t.replace('"', '""') + '"'
            cols = [r[1] for r in con.execute('pragma table_info(%s)' % q)]
            f.write('#table %s\n#cols %s\n' % (t.encode().hex(), '\t'.join(c.encode().hex() for c in cols)))
            for row in con.execute('select * from %s order by rowid' % q):
                f.write('\t'.join(cell(v) for v in row) + '\n')

INTS = [0, 1, -1, 127, 128, -128, -129, 32767, 32768, -32769, 2**23, -2**23 - 1, 2**31, -2**31 - 1, 2**40, 2**47,
        -2**47 - 1, 2**48, 2**62, -2**63, 2**63 - 1]

def text(rnd, n):
    alphabet = 'abcXYZ \u00e9\u00df\u4e2d\u6587\U0001F600\u0416'
    return ''.join(rnd.choice(alphabet) for _ in range(n))

def fill(con, rnd, rows=3000):
    con.execute('create table t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER, f REAL, b BLOB, z)')
    for i in range(1, rows + 1):
        con.execute('insert into t values(?,?,?,?,?,?)', (i, text(rnd, rnd.randint(0, 60)), INTS[i % len(INTS)],
                    rnd.uniform(-1e12, 1e12) if i % 4 else float(i), rnd.randbytes(rnd.randint(0, 80)) if i % 3 else None,
                    (i * 7919) % 1000 if i % 2 else 'z%d' % i))
    for i in range(20):
        con.execute('insert into t(name, b, n) values(?,?,?)', (text(rnd, rnd.randint(2000, 60000)), rnd.randbytes(rnd.randint(1000, 300000)), i))
    con.execute('delete from t where id % 5 = 0')
    con.execute("update t set name = 'updated ' || id where id % 7 = 0")
    con.execute("alter table t add column added TEXT DEFAULT 'dflt'")
    con.execute('alter table t add column added2 INTEGER DEFAULT -5')
    con.execute('alter table t add column added3 REAL DEFAULT 1.5')
    con.execute('alter table t add column added4')
    con.execute("insert into t(name, added, added2, added4) values('after alter', 'set', 9, x'00ff')")

def make(db, enc, pagesize):
    rnd = random.Random(11)
    if os.path.exists(db): os.remove(db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute('pragma page_size=%d' % pagesize)
    con.execute("pragma encoding='%s'" % enc.upper())
    con.execute('begin')
    fill(con, rnd)
    con.execute('CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)')
    con.execute("insert into meta values('version','24'),('last_compatible_version','24')")
    con.execute('CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,'
                'name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,'
                'is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,'
                'is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,'
                'source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,has_cross_site_ancestor INTEGER NOT NULL)')
    con.execute('CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key, has_cross_site_ancestor, name, path, source_scheme, source_port)')
    for i, host in enumerate(['.whatsapp.com', 'web.whatsapp.com', '.example.org', 'a.example.org'] * 30):
        con.execute('insert into cookies values(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
                    (13350000000000000 + i, host, '', 'c%d' % i, '', b'v10' + rnd.randbytes(40), '/', 13390000000000000 + i,
                     1, i % 2, 13350000000000000 + i, 1, 1, 1, i % 3 - 1, 2, 443, 13350000000000000 + i, 0, 0))
    con.execute('delete from cookies where rowid % 9 = 0')
    con.execute("CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', name TEXT, value TEXT,"
                ' host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER,'
                ' inBrowserElement INTEGER DEFAULT 0, sameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0,'
                ' isPartitionedAttributeSet INTEGER DEFAULT 0, updateTime INTEGER, CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes))')
    for i in range(200):
        con.execute('insert into moz_cookies(originAttributes,name,value,host,path,expiry,lastAccessed,creationTime,isSecure,isHttpOnly,updateTime)'
                    ' values(?,?,?,?,?,?,?,?,?,?,?)', ('^userContextId=%d' % (i % 3) if i % 4 == 0 else '', 'wa%d' % i, text(rnd, i % 50),
                    '.whatsapp.com' if i % 2 else 'web.whatsapp.com', '/', 1790000000 + i, 1750000000000000 + i, 1750000000000000 + i, 1, 0, 1750000000000000 + i))
    con.execute('CREATE TABLE buckets(id INTEGER PRIMARY KEY AUTOINCREMENT, storage_key TEXT NOT NULL, host TEXT NOT NULL, name TEXT NOT NULL,'
                ' use_count INTEGER NOT NULL, last_accessed INTEGER NOT NULL, last_modified INTEGER NOT NULL, expiration INTEGER NOT NULL,'
                ' quota INTEGER NOT NULL, persistent INTEGER NOT NULL, durability INTEGER NOT NULL) STRICT')
    con.execute("insert into buckets(storage_key,host,name,use_count,last_accessed,last_modified,expiration,quota,persistent,durability)"
                " values('https://web.whatsapp.com/','web.whatsapp.com','_default',3,1,2,0,0,0,1)")
    con.execute('CREATE TABLE "we""ird" ([a b] TEXT, `c` INT, "d" -- a comment, with a comma\n , e DEFAULT (1+2), \'f\' VARCHAR(10, 2) NOT NULL DEFAULT -7, g INTEGER PRIMARY KEY DESC)')
    con.execute('insert into "we""ird"("a b", c, d, f, g) values(\'x\', 1, 2.5, 3, 10)')
    con.execute('insert into "we""ird"("a b", c, d, f, g) values(\'y\', 2, null, 4, -3)')
    con.execute('commit')
    expected(con, db + '.expected')
    con.close()

def wal(db, copy):
    rnd = random.Random(12)
    for p in (db, db + '-wal', db + '-shm'):
        if os.path.exists(p): os.remove(p)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute('pragma page_size=1024')
    con.execute('pragma journal_mode=WAL')
    con.execute('begin'); fill(con, rnd, 1500); con.execute('commit')
    con.execute('pragma wal_checkpoint(TRUNCATE)')  # the base lands in the db file ...
    con.execute('pragma wal_autocheckpoint=0')      # ... later commits stay in the WAL only
    for k in range(5):
        con.execute('begin')
        con.execute('delete from t where id % 11 = ?', (k,))
        con.execute("update t set name = ? where id % 13 = ?", ('wal update %d' % k, k))
        for i in range(100):
            con.execute('insert into t(name, b) values(?,?)', ('wal row %d/%d' % (k, i), rnd.randbytes(rnd.randint(0, 3000))))
        con.execute('commit')
    con.execute('create table late(x, y)')
    con.execute("insert into late values(1, 'only in the wal')")
    expected(con, copy + '.expected')
    # An uncommitted transaction whose pages spill into the WAL (frames without a commit record).
    w2 = sqlite3.connect(db, isolation_level=None)
    w2.execute('pragma cache_size=2')
    w2.execute('begin')
    for i in range(300):
        w2.execute('insert into t(name, b) values(?,?)', ('UNCOMMITTED %d' % i, rnd.randbytes(2000)))
    shutil.copyfile(db, copy)
    shutil.copyfile(db + '-wal', copy + '-wal')
    w2.execute('rollback')
    w2.close()
    con.close()

def journal(db, copy):
    rnd = random.Random(13)
    for p in (db, db + '-journal'):
        if os.path.exists(p): os.remove(p)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute('pragma page_size=1024')
    con.execute('pragma journal_mode=DELETE')
    con.execute('begin'); fill(con, rnd, 1500); con.execute('commit')
    expected(con, copy + '.expected')
    con.execute('pragma cache_size=2')
    con.execute('begin')
    con.execute("update t set name = 'HALF WRITTEN', b = randomblob(500) where id % 2 = 0")
    con.execute('delete from t where id % 3 = 0')
    shutil.copyfile(db, copy)
    shutil.copyfile(db + '-journal', copy + '-journal')
    con.execute('rollback')
    con.close()

def small(db, kind):
    """page size 1024, table t first (root page 2): 'rows' = 2000 rows (page 2 is an interior page),
    'blob' = one 20000-byte blob (overflow pages 3..)"""
    if os.path.exists(db): os.remove(db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute('pragma page_size=1024')
    con.execute('create table t(x)')
    if kind == 'rows':
        con.executemany('insert into t values(?)', [('r%04d' % i * 20,) for i in range(2000)])
    else:
        con.execute('insert into t values(?)', (bytes(range(256)) * 78 + b'12345678901234567890',))
    con.close()

def dump(db, out):
    """the expectation file of an existing database (open it on a copy: SQLite may recover a WAL or journal)"""
    con = sqlite3.connect(db)
    expected(con, out)
    con.close()

cmd = sys.argv[1]
if cmd == 'dump': dump(sys.argv[2], sys.argv[3])
elif cmd == 'small': small(sys.argv[2], sys.argv[3])
elif cmd == 'make': make(sys.argv[2], sys.argv[3], int(sys.argv[4]))
elif cmd == 'wal': wal(sys.argv[2], sys.argv[3])
elif cmd == 'journal': journal(sys.argv[2], sys.argv[3])
else: sys.exit('unknown command ' + cmd)
