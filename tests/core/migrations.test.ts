import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DB_FILE, openDatabase, schemaVersion } from '../../src/main/core/store/database';
import { MIGRATIONS } from '../../src/main/core/store/migrations';

test('a store written before task names were flagged keeps every name reserved (migration 4)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-migrate-'));
  try {
    const old = new Database(path.join(dir, DB_FILE));
    for (let v = 1; v <= 3; v++) old.exec(MIGRATIONS[v - 1]);
    old.pragma('user_version = 3');
    old.prepare('INSERT INTO tasks (queue, task_id, schedule_us, create_us, payload) VALUES (?, ?, 1, 1, ?)').run('q', '5177632498362275994', Buffer.alloc(1));
    old.close();

    const db = openDatabase(dir);
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.deepEqual(db.prepare('SELECT task_id, named FROM tasks').all(), [{ task_id: '5177632498362275994', named: 1 }]);
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
