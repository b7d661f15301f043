/**
 * One process per data directory: the desktop app and `tasklight serve` share the default one,
 * and two engines over one SQLite store would dispatch every task twice. startServer takes this
 * lock before anything in the directory is read and releases it after the store is closed.
 *
 * The lock is `DIR/tasklight.lock`, JSON naming its holder (pid, start time, a random token and,
 * once the HTTP port is bound, the web UI's URL). It is created whole and atomically: written to a
 * temp file, then hard-linked to its name, which fails if the name exists (O_EXCL 'wx' where the
 * file system has no hard links). A lock whose pid is no longer alive is stale and is taken over;
 * takeovers of one stale lock are serialised by a guard file named after that lock's token, and
 * the stale lock is removed only if it is still that lock, so two racers cannot both win.
 *
 * Plain Node: no Electron here (the desktop host shows its own dialog for DataDirInUseError).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ownerOnlyDir } from './core/store/owner-only';

export const LOCK_FILE = 'tasklight.lock';

/** What the lock file records about its holder. */
export interface LockInfo {
  pid: number;
  /** When the holder took the lock (ISO 8601). */
  startedAt: string;
  /** Identifies this one lock (a takeover or a release checks it is still the same lock). */
  token: string;
  /** Linux: the holder's start time in clock ticks since boot, so a reused pid is not mistaken for it. */
  procStart?: number;
  /** The holder's web UI, once its HTTP port is bound. */
  httpUrl?: string;
}

/** Another live process holds the data directory. */
export class DataDirInUseError extends Error {
  readonly code = 'EDATADIRINUSE';
  constructor(
    readonly dir: string,
    readonly pid: number,
    readonly httpUrl: string | undefined,
  ) {
    super(`data dir ${dir} is in use by PID ${pid} (use --data-dir DIR2 or --in-memory)`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  readonly dir: string;
  readonly file: string;
  readonly info: LockInfo;
  /** Records the web UI's URL in the lock, for a second instance to offer it. */
  setHttpUrl(httpUrl: string): void;
  /** Removes the lock if it is still this one (never a lock another process took over). Idempotent. */
  release(): void;
}

/** Locks held by this process, by lock file: a second start in one process is refused too. */
const heldHere = new Map<string, string>();

/** Rounds of losing a race or waiting out an unreadable lock before giving up (a few seconds). */
const MAX_ROUNDS = 200;
/** A lock file that cannot be parsed is left alone this long: with 'wx' it may still be being written. */
const UNREADABLE_GRACE_MS = 2_000;

/**
 * Takes the data directory's lock (creating the directory, owner-only, if needed). Throws
 * DataDirInUseError if a live process holds it; takes over a lock left by a dead one.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  ownerOnlyDir(dir);
  const file = path.join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
    ...procStartField(process.pid),
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (createExclusive(file, JSON.stringify(info))) {
      heldHere.set(file, info.token);
      return handle(dir, file, info);
    }
    const current = readLock(file);
    if (current === 'missing') continue; // released or taken over meanwhile: try again
    if (current.info && isHeld(file, current.info)) throw new DataDirInUseError(dir, current.info.pid, current.info.httpUrl);
    if (!current.info && Date.now() - current.mtimeMs < UNREADABLE_GRACE_MS) {
      sleepSync(20);
      continue;
    }
    removeIfStill(file, current.identity);
  }
  throw new Error(`could not take the lock ${file}: it kept changing`);
}

function handle(dir: string, file: string, info: LockInfo): DataDirLock {
  let released = false;
  const stillOurs = () => {
    const current = readLock(file);
    return current !== 'missing' && current.info?.token === info.token;
  };
  return {
    dir,
    file,
    info,
    setHttpUrl(httpUrl: string) {
      if (released || !stillOurs()) return;
      info.httpUrl = httpUrl;
      // Replaced whole (rename), so a reader never sees half a file.
      const tmp = tempName(file);
      try {
        fs.writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
        fs.renameSync(tmp, file);
      } catch {
        fs.rmSync(tmp, { force: true });
        // Only the web UI button of a second instance needs it.
      }
    },
    release() {
      if (released) return;
      released = true;
      if (heldHere.get(file) === info.token) heldHere.delete(file);
      if (stillOurs()) fs.rmSync(file, { force: true });
    },
  };
}

/** Creates `file` with `content` if no such name exists; the content is complete when it appears. */
function createExclusive(file: string, content: string): boolean {
  const tmp = tempName(file);
  try {
    // Inside the try: a write that fails half-way (a full disk) must not leave the temp file behind.
    fs.writeFileSync(tmp, content, { mode: 0o600 });
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
      // No hard links here (FAT, some network shares): O_EXCL create, then write.
      try {
        fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
    }
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

interface ReadLock {
  /** Parsed, or undefined if the file is not a lock we can read (truncated, corrupt). */
  info: LockInfo | undefined;
  /** The token, or a hash of the bytes when there is none: names this one lock file. */
  identity: string;
  mtimeMs: number;
}

function readLock(file: string): ReadLock | 'missing' {
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  const info = parseLock(text);
  return { info, identity: info?.token ?? createHash('sha256').update(text).digest('hex').slice(0, 24), mtimeMs };
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (!Number.isSafeInteger(v.pid) || (v.pid as number) <= 0 || typeof v.token !== 'string' || !v.token) return undefined;
    return {
      pid: v.pid as number,
      startedAt: String(v.startedAt ?? ''),
      token: v.token,
      ...(typeof v.procStart === 'number' ? { procStart: v.procStart } : {}),
      ...(typeof v.httpUrl === 'string' ? { httpUrl: v.httpUrl } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder is still alive (and still the process that took it). */
function isHeld(file: string, info: LockInfo): boolean {
  if (info.pid === process.pid) {
    // Our own pid: held if this process took it; otherwise a previous run with the same pid
    // (a container's pid 1 after a restart) left it.
    return heldHere.get(file) === info.token;
  }
  if (!pidAlive(info.pid)) return false;
  if (info.procStart !== undefined) {
    const now = procStartField(info.pid).procStart;
    if (now !== undefined && now !== info.procStart) return false; // the pid was reused
  }
  return true;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, owned by someone else.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the lock file if it is still the one named `identity`. A guard file named after that
 * lock (created exclusively) makes one racer do it; the others find the guard or a new lock.
 */
function removeIfStill(file: string, identity: string, depth = 0): void {
  const guard = `${file}.takeover-${identity}`;
  const guardInfo: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), token: randomBytes(12).toString('hex'), ...procStartField(process.pid) };
  if (!createExclusive(guard, JSON.stringify(guardInfo))) {
    const other = readLock(guard);
    if (other === 'missing') return; // the other racer is done: look at the lock again
    const abandoned = other.info ? !isHeld(guard, other.info) : Date.now() - other.mtimeMs >= UNREADABLE_GRACE_MS;
    // A racer that died holding the guard: its guard is stale the same way, one level down.
    if (abandoned && depth < 3) removeIfStill(guard, other.identity, depth + 1);
    else sleepSync(10);
    return;
  }
  try {
    const current = readLock(file);
    if (current !== 'missing' && current.identity === identity) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Linux: field 22 of /proc/PID/stat (start time since boot, in clock ticks). */
function procStartField(pid: number): { procStart?: number } {
  if (process.platform !== 'linux') return {};
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isSafeInteger(value) ? { procStart: value } : {};
  } catch {
    return {};
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
