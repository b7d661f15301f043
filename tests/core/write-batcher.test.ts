import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WriteBatcher } from '../../src/main/core/store/write-batcher';

function table() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
  return db;
}

describe('group commit', () => {
  test('writes issued in one turn share one transaction', async () => {
    const db = table();
    const batcher = new WriteBatcher(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const seenTx: boolean[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.run(() => {
      seenTx.push(db.inTransaction);
      insert.run(`v${i}`);
    })));
    assert.equal(seenTx.length, 20);
    assert.ok(seenTx.every(Boolean));
    assert.equal((db.prepare('SELECT COUNT(*) n FROM t').get() as any).n, 20);
  });

  test('a burst larger than a group commits in groups, and the first group settles before the next is written', async () => {
    const db = table();
    const batcher = new WriteBatcher(db, 32);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const groups: number[] = [];
    let written = 0;
    let writtenWhenFirstSettled = -1;
    let inGroup = false;
    const writes = Array.from({ length: 80 }, (_, i) =>
      batcher.run(() => {
        if (!inGroup) {
          inGroup = true;
          groups.push(0);
          queueMicrotask(() => (inGroup = false));
        }
        groups[groups.length - 1]++;
        written++;
        insert.run(`v${i}`);
      }),
    );
    void writes[0].then(() => (writtenWhenFirstSettled = written));
    await Promise.all(writes);
    assert.deepEqual(groups, [32, 32, 16]);
    assert.equal(writtenWhenFirstSettled, 32, 'the first answers do not wait for the rest of the burst');
    assert.equal((db.prepare('SELECT COUNT(*) n FROM t').get() as any).n, 80);
  });

  test('flush() writes everything queued at once', () => {
    const db = table();
    const batcher = new WriteBatcher(db, 32);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 70; i++) void batcher.run(() => insert.run(`v${i}`));
    batcher.flush();
    assert.equal((db.prepare('SELECT COUNT(*) n FROM t').get() as any).n, 70);
  });

  test('a failing write is undone alone; the others commit', async () => {
    const db = table();
    const batcher = new WriteBatcher(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      batcher.run(() => insert.run('a')),
      batcher.run(() => {
        insert.run('b');
        insert.run('a');
      }),
      batcher.run(() => insert.run('c')),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY v').all().map((r: any) => r.v), ['a', 'c']);
  });

  test('settles a write only after its transaction committed', async () => {
    const db = table();
    const batcher = new WriteBatcher(db);
    await batcher.run(() => db.prepare("INSERT INTO t (v) VALUES ('x')").run());
    assert.equal(db.inTransaction, false);
    assert.equal((db.prepare('SELECT COUNT(*) n FROM t').get() as any).n, 1);
  });

  test('a write that checks before it writes runs without a savepoint and fails alone', async () => {
    const db = table();
    const batcher = new WriteBatcher(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      batcher.run(() => insert.run('a'), { checksFirst: true }),
      batcher.run(() => {
        throw new Error('refused before writing');
      }, { checksFirst: true }),
      batcher.run(() => insert.run('b'), { checksFirst: true }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY v').all().map((r: any) => r.v), ['a', 'b']);
  });

  test('waits for a WAL sync only when a batch holds a write that must be durable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-batcher-'));
    const db = new Database(path.join(dir, 'db.sqlite'));
    try {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
      const batcher = new WriteBatcher(db);
      assert.equal(db.pragma('synchronous', { simple: true }), 1, 'commits themselves do not fsync');
      let syncs = 0;
      const realSync = batcher.wal.sync.bind(batcher.wal);
      batcher.wal.sync = () => {
        syncs++;
        return realSync();
      };
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      await batcher.run(() => insert.run('outcome'), { durable: false });
      assert.equal(syncs, 0, 'dispatch bookkeeping does not wait for the disk');
      await Promise.all([batcher.run(() => insert.run('o2'), { durable: false }), batcher.run(() => insert.run('created'))]);
      assert.equal(syncs, 1, 'a batch with a created task waits for one sync');
      // Commits made before a sync starts share it.
      const first = realSync();
      assert.equal(realSync(), first);
      await first;
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
