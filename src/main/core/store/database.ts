import Database from 'better-sqlite3';
import * as path from 'node:path';
import { MIGRATIONS } from './migrations';
import { ownerOnlyDir, ownerOnlyFile, ownerOnlyIfPresent } from './owner-only';

export type Db = Database.Database;

export const DB_FILE = 'tasklight.sqlite';

export interface OpenOptions {
  /**
   * better-sqlite3's compiled module to load instead of the one in node_modules: the desktop app
   * runs under Electron, whose ABI differs from Node's, and is handed a build made for it.
   */
  nativeBinding?: string;
}

/**
 * Opens (or creates) the store, in WAL mode. A created task is on disk before CreateTask returns
 * (write-batcher.ts + wal-sync.ts), and group commit keeps that from capping throughput.
 */
export function openDatabase(dataDir: string | null, options: OpenOptions = {}): Db {
  let file = ':memory:';
  if (dataDir) {
    ownerOnlyDir(dataDir);
    file = path.join(dataDir, DB_FILE);
    // SQLite gives the -wal and -shm files it creates the database file's mode.
    ownerOnlyFile(file);
    ownerOnlyIfPresent([`${file}-wal`, `${file}-shm`]);
  }
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  if (dataDir) {
    db.pragma('journal_mode = WAL');
    // Commits do not fsync; durable writes wait for an fsync of the WAL off the event loop
    // (wal-sync.ts), so durability costs the dispatch and create paths no blocked time.
    db.pragma('synchronous = NORMAL');
    // Checkpoints run in a worker (checkpointer.ts), never inside a dispatch-path commit.
    db.pragma('wal_autocheckpoint = 0');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Deletes every queue, task, reserved name, CMEK config and all history; the schema stays. */
export function clearAll(db: Db): void {
  db.exec(`DELETE FROM tasks; DELETE FROM queues; DELETE FROM queue_tombstones; DELETE FROM task_tombstones;
    DELETE FROM attempts; DELETE FROM finished_tasks; DELETE FROM cmek_configs;`);
}

/** Closes the store; a file store is checkpointed first, so its WAL is left empty. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  if (db.memory === false) db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The data directory was written by a newer Tasklight (schema ${current}, this build knows ${MIGRATIONS.length}).`,
    );
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
