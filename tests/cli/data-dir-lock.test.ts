/**
 * One process per data directory (issue 11 item 4): the lock module on its own (take, refuse
 * naming the holder, take over from a dead pid, release, racers), then `tasklight serve` end to
 * end (run from source with tsx, like serve.test.ts, so the test does not depend on a fresh build).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { acquireDataDirLock, DataDirInUseError, LOCK_FILE, type DataDirLock } from '../../src/main/data-dir-lock';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'main', 'cli', 'main.ts');
const LOCK_MODULE = path.join(ROOT, 'src', 'main', 'data-dir-lock.ts');
const READY_LINE = /^Tasklight ready: gRPC (\S+):(\d+), HTTP (http:\/\/\S+) \((.+)\)$/m;
const TIMEOUT_MS = 30_000;

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
const held: DataDirLock[] = [];

afterEach(async () => {
  for (const lock of held.splice(0)) lock.release();
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  children.clear();
});
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-lock-'));
  tempDirs.push(dir);
  return dir;
}

function take(dir: string): DataDirLock {
  const lock = acquireDataDirLock(dir);
  held.push(lock);
  return lock;
}

function readLock(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
}

function writeLock(dir: string, content: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(content));
}

/** A process that stays alive until the test ends. */
function liveProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  children.add(child);
  return child;
}

/** The pid of a process that has exited: a real dead pid. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await once(child, 'exit');
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  return pid;
}

describe('data dir lock (module)', () => {
  it('takes a free directory, recording pid, start time and token; release removes the file', () => {
    const dir = path.join(tempDir(), 'fresh'); // created by the lock
    const lock = take(dir);
    const info = readLock(dir);
    assert.equal(info.pid, process.pid);
    assert.equal(typeof info.token, 'string');
    assert.ok(!Number.isNaN(Date.parse(String(info.startedAt))), `startedAt: ${info.startedAt}`);
    assert.equal(info.httpUrl, undefined);

    lock.setHttpUrl('http://127.0.0.1:8124');
    assert.equal(readLock(dir).httpUrl, 'http://127.0.0.1:8124');
    assert.equal(readLock(dir).token, info.token);

    lock.release();
    assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
    assert.deepEqual(fs.readdirSync(dir), [], 'no temp or guard files left behind');
    lock.release(); // idempotent
  });

  it('refuses while a live process holds it, naming that pid and its web UI', async () => {
    const dir = tempDir();
    const holder = liveProcess();
    writeLock(dir, { pid: holder.pid, startedAt: new Date().toISOString(), token: 'other', httpUrl: 'http://127.0.0.1:9999' });
    assert.throws(
      () => take(dir),
      (err: unknown) => {
        assert.ok(err instanceof DataDirInUseError);
        assert.equal(err.dir, dir);
        assert.equal(err.pid, holder.pid);
        assert.equal(err.httpUrl, 'http://127.0.0.1:9999');
        assert.equal(err.message, `data dir ${dir} is in use by PID ${holder.pid} (use --data-dir DIR2 or --in-memory)`);
        return true;
      },
    );
    assert.equal(readLock(dir).token, 'other', 'the holder\'s lock is untouched');
  });

  it('refuses a second take in the same process', () => {
    const dir = tempDir();
    take(dir);
    assert.throws(() => take(dir), (err: unknown) => err instanceof DataDirInUseError && err.pid === process.pid);
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = tempDir();
    const pid = await deadPid();
    writeLock(dir, { pid, startedAt: new Date().toISOString(), token: 'stale' });
    const lock = take(dir);
    assert.equal(readLock(dir).pid, process.pid);
    assert.equal(readLock(dir).token, lock.info.token);
    assert.deepEqual(fs.readdirSync(dir), [LOCK_FILE], 'no guard or temp files left behind');
  });

  it('takes over a lock naming its own pid that this process did not take (a container restarted as pid 1)', () => {
    const dir = tempDir();
    writeLock(dir, { pid: process.pid, startedAt: new Date().toISOString(), token: 'previous-run' });
    const lock = take(dir);
    assert.equal(readLock(dir).token, lock.info.token);
  });

  it('takes over an unreadable lock file once it is old enough not to be mid-write', () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const lock = take(dir);
    assert.equal(readLock(dir).token, lock.info.token);
  });

  it('release does not delete a lock another process took over', () => {
    const dir = tempDir();
    const lock = take(dir);
    // As if this process had been declared dead and another one took the directory.
    const other = liveProcess();
    writeLock(dir, { pid: other.pid, startedAt: new Date().toISOString(), token: 'taken-over' });
    lock.release();
    assert.equal(readLock(dir).token, 'taken-over');
    assert.equal(readLock(dir).pid, other.pid);
    lock.setHttpUrl('http://127.0.0.1:1'); // not ours any more: not written either
    assert.equal(readLock(dir).httpUrl, undefined);
  });

  it('of several processes racing to take over one stale lock, exactly one wins', { timeout: TIMEOUT_MS }, async () => {
    const ROUNDS = 20;
    const RACERS = 6;
    const stalePid = await deadPid();
    const dirs = Array.from({ length: ROUNDS }, () => {
      const dir = tempDir();
      writeLock(dir, { pid: stalePid, startedAt: new Date().toISOString(), token: 'stale' });
      return dir;
    });
    const racer = path.join(tempDir(), 'racer.ts');
    // Every racer tries each directory at one common moment per round and reports; winners keep
    // their locks until they are killed.
    fs.writeFileSync(
      racer,
      `import { acquireDataDirLock, DataDirInUseError } from ${JSON.stringify(LOCK_MODULE)};
const goAt = Number(process.argv[2]);
const dirs = process.argv.slice(3);
const lines = [];
for (const [i, dir] of dirs.entries()) {
  while (Date.now() < goAt + i * 50) {}
  try {
    acquireDataDirLock(dir);
    lines.push('won');
  } catch (err) {
    if (!(err instanceof DataDirInUseError)) throw err;
    lines.push('refused ' + err.pid);
  }
}
process.stdout.write(JSON.stringify(lines) + '\\n');
setInterval(() => {}, 1 << 30);
`,
    );
    const goAt = Date.now() + 3_000; // after every racer has loaded tsx
    const results = await Promise.all(
      Array.from({ length: RACERS }, async () => {
        const child = spawn(process.execPath, ['--import', 'tsx', racer, String(goAt), ...dirs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        children.add(child);
        let out = '';
        child.stdout!.setEncoding('utf8');
        for await (const chunk of child.stdout!) {
          out += chunk;
          if (out.endsWith('\n')) break;
        }
        return { pid: child.pid!, lines: JSON.parse(out) as string[] };
      }),
    );
    for (const [round, dir] of dirs.entries()) {
      const outcome = results.map((r) => ({ pid: r.pid, line: r.lines[round] }));
      const winners = outcome.filter((r) => r.line === 'won');
      assert.equal(winners.length, 1, `round ${round}: exactly one winner: ${JSON.stringify(outcome)}`);
      for (const r of outcome) if (r !== winners[0]) assert.equal(r.line, `refused ${winners[0]!.pid}`, JSON.stringify(outcome));
      assert.equal(readLock(dir).pid, winners[0]!.pid);
    }
  });
});

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  ready: Promise<{ httpUrl: string; storage: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment without any TASKLIGHT_* from the developer's shell, and a throwaway config home. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TASKLIGHT_')) env[key] = value;
  return { ...env, XDG_CONFIG_HOME: tempDir() };
}

function serve(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--grpc-port', '0', '--http-port', '0', ...args], {
    cwd: ROOT,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<{ httpUrl: string; storage: string }>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const match = READY_LINE.exec(out);
      if (match) resolve({ httpUrl: match[3]!, storage: match[4]! });
    });
    void exited.then(({ code, signal }) => reject(new Error(`tasklight exited (code ${code}, signal ${signal}) before it was ready; stderr: ${err}`)));
  });
  ready.catch(() => {});
  return { child, stdout: () => out, stderr: () => err, ready, exited };
}

async function healthy(httpUrl: string): Promise<boolean> {
  const res = await fetch(new URL('/healthz', httpUrl));
  await res.arrayBuffer();
  return res.status === 200;
}

describe('tasklight serve: one process per data dir', { timeout: TIMEOUT_MS * 4 }, () => {
  it('a second serve on the same data dir exits 1 with one line naming the first; the first keeps serving', { timeout: TIMEOUT_MS }, async () => {
    const dir = path.join(tempDir(), 'data');
    const first = serve(['--data-dir', dir]);
    const ready = await first.ready;
    assert.equal(readLock(dir).pid, first.child.pid);
    assert.equal(readLock(dir).httpUrl, ready.httpUrl, 'the lock names the web UI');

    const second = serve(['--data-dir', dir]);
    assert.deepEqual(await second.exited, { code: 1, signal: null });
    assert.equal(second.stderr(), `tasklight: data dir ${dir} is in use by PID ${first.child.pid} (use --data-dir DIR2 or --in-memory)\n`);
    assert.equal(second.stdout(), '');

    assert.ok(await healthy(ready.httpUrl), 'the first server still answers');
    assert.equal(readLock(dir).pid, first.child.pid, 'the refused start left the lock alone');

    first.child.kill('SIGTERM');
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false, 'a clean stop releases the lock');
  });

  it('after kill -9 of a serve, a new serve on the same dir takes over the stale lock', { timeout: TIMEOUT_MS }, async () => {
    const dir = path.join(tempDir(), 'data');
    const first = serve(['--data-dir', dir]);
    await first.ready;
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(readLock(dir).pid, first.child.pid, 'the killed serve left its lock behind');

    const second = serve(['--data-dir', dir]);
    const ready = await second.ready;
    assert.equal(ready.storage, `data: ${dir}`);
    assert.equal(readLock(dir).pid, second.child.pid);
    assert.ok(await healthy(ready.httpUrl));
  });

  it('--in-memory serves beside a running serve and takes no lock', { timeout: TIMEOUT_MS }, async () => {
    const dir = path.join(tempDir(), 'data');
    const first = serve(['--data-dir', dir]);
    const firstReady = await first.ready;
    const memory = serve(['--in-memory']);
    const ready = await memory.ready;
    assert.equal(ready.storage, 'in-memory');
    assert.ok(await healthy(ready.httpUrl));
    assert.ok(await healthy(firstReady.httpUrl));
    assert.equal(readLock(dir).pid, first.child.pid);
  });
});
