import Database from 'better-sqlite3';
import * as path from 'node:path';
import { diskFailureOf } from '../store-health';
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
  /**
   * Set when the data directory's lock file could not be written (the disk is full): the store is
   * opened in exclusive mode, whose SQLite lock then keeps a second process out instead.
   */
  exclusiveBecause?: unknown;
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
  const driverOptions = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
  if (dataDir && options.exclusiveBecause !== undefined) return openExclusive(file, dataDir, driverOptions, options.exclusiveBecause);
  const db = new Database(file, driverOptions);
  try {
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
  } catch (err) {
    db.close();
    if (!dataDir || !diskFailureOf(err)) throw err;
    return openExclusive(file, dataDir, driverOptions, err);
  }
}

/** Why the store was opened in exclusive mode (the disk refused a write at start), by connection. */
const startFailures = new WeakMap<Db, unknown>();

/** The disk failure that made openDatabase fall back to exclusive mode, if it did. */
export function startupFailure(db: Db): unknown {
  return startFailures.get(db);
}

/** Whether this connection holds the store exclusively (no checkpointer worker can share it). */
export function isExclusive(db: Db): boolean {
  return !db.memory && db.pragma('locking_mode', { simple: true }) === 'exclusive';
}

/**
 * A full disk at start: a WAL store needs its shared-memory index (-shm), and SQLite cannot size
 * that file when no space is left (SQLITE_IOERR_SHMSIZE), so even reads fail. Exclusive locking
 * keeps the index in this process's memory instead (https://www.sqlite.org/wal.html#noshm), so the
 * store serves reads and takes writes again once space returns. The connection then checkpoints
 * by itself: no second connection (the checkpointer worker) can open the store. A schema upgrade
 * the disk refuses cannot be served around: that start fails, naming the directory.
 */
function openExclusive(file: string, dataDir: string, driverOptions: { nativeBinding?: string }, cause: unknown): Db {
  const db = new Database(file, driverOptions);
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    try {
      migrate(db);
    } catch (err) {
      if (!diskFailureOf(err)) throw err;
      throw new Error(
        `The store in ${dataDir} needs a schema upgrade (version ${schemaVersion(db)} to ${MIGRATIONS.length}) and the disk refused the write ` +
          `(${(err as { code: string }).code}: ${(err as Error).message}); free space there and start again.`,
        { cause: err },
      );
    }
  } catch (err) {
    db.close();
    throw err;
  }
  startFailures.set(db, cause);
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
  try {
    if (db.memory === false) db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    // A disk that refuses the checkpoint keeps the WAL; the next start reads it back.
    if (!diskFailureOf(err)) throw err;
  }
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
