/**
 * A real full disk (issue 13 item 1): `tasklight serve` on a small tmpfs that the test fills up.
 * The process stays up, CreateTask answers 503 UNAVAILABLE naming the data directory, /healthz
 * says degraded, an answer that arrives meanwhile is kept, and once the test frees the space the
 * answer is recorded and writes work again; a restart on the still-full disk serves reads. Needs
 * root (mount); skipped with the reason otherwise. tests/reliability/disk-full.test.ts covers the
 * same logic anywhere, through the store's write-fault switch.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { startHandler, waitFor, type RecordingHandler } from '../helpers/handler';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'main', 'cli', 'main.ts');
const READY = /Tasklight ready: gRPC 127\.0\.0\.1:(\d+), HTTP (http:\/\/127\.0\.0\.1:\d+)/;
const PARENT = 'projects/tmpfs/locations/us-central1';
const QUEUE = `${PARENT}/queues/full`;
/** Room for a fresh store and its WAL, and little more. */
const TMPFS_SIZE = '3m';

/** Mounts a small tmpfs, or says why it cannot. */
function mountTmpfs(): { dir: string; parent: string } | string {
  if (process.platform !== 'linux') return 'needs Linux tmpfs';
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs (CI runs as root)';
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-tmpfs-'));
  const dir = path.join(parent, 'data');
  fs.mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    fs.rmSync(parent, { recursive: true, force: true });
    return `mount -t tmpfs is not permitted here: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
  return { dir, parent };
}

const mounted = mountTmpfs();
const skip = typeof mounted === 'string' ? mounted : false;

interface Serve {
  child: ChildProcess;
  httpUrl: string;
  exited: Promise<number | null>;
  output(): string;
}

const children = new Set<ChildProcess>();

async function serve(dataDir: string, configHome: string): Promise<Serve> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TASKLIGHT_')) env[k] = v;
  env.XDG_CONFIG_HOME = configHome;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--grpc-port', '0', '--http-port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const match = await waitFor(
    () => {
      if (gone) assert.fail(`tasklight serve exited before it was ready:\n${out}`);
      return READY.exec(out);
    },
    30_000,
    () => `the ready line; output so far:\n${out}`,
    20,
  );
  return { child, httpUrl: match[2]!, exited, output: () => out };
}

/** Writes zeros into `file` until the file system has no byte left. */
function fillUp(file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 512, 1]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          fs.writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, headers: { 'Content-Type': 'application/json', ...init?.headers } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* plain text (healthz's "ok") */
  }
  return { status: res.status, body };
}

describe('tasklight serve on a tmpfs that fills up', { skip, timeout: 120_000 }, () => {
  const { dir, parent } = typeof mounted === 'string' ? { dir: '', parent: '' } : mounted;
  const filler = path.join(dir, 'filler');
  let h: RecordingHandler | undefined;

  after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    }
    await h?.close();
    if (dir) execFileSync('umount', [dir]);
    if (parent) fs.rmSync(parent, { recursive: true, force: true });
  });

  const createTask = (s: Serve, task: object) =>
    json(`${s.httpUrl}/v2/${QUEUE}/tasks`, { method: 'POST', body: JSON.stringify({ task }) });
  const health = (s: Serve) => json(`${s.httpUrl}/healthz`);

  test('stays up, refuses writes with UNAVAILABLE naming the directory, keeps the answer, recovers when space returns', async () => {
    h = await startHandler();
    // Answers after the disk is full, with a large body: recording it needs more WAL than is left.
    h.script('/slow', [{ delayMs: 1_500, status: 200, body: Buffer.alloc(64 * 1024, 0x61) }]);
    const s = await serve(dir, path.join(parent, 'config'));
    assert.equal((await json(`${s.httpUrl}/v2/${PARENT}/queues`, { method: 'POST', body: JSON.stringify({ name: QUEUE }) })).status, 200);
    const body = Buffer.alloc(100 * 1024, 0x62).toString('base64');
    const created = await createTask(s, { httpRequest: { url: `${h.url}/slow`, body } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const taskName: string = created.body.name;

    await h.waitForRequests(1, '/slow');
    fillUp(filler);

    const refused = await createTask(s, { httpRequest: { url: `${h.url}/never`, body: Buffer.alloc(700 * 1024, 0x63).toString('base64') } });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.error.status, 'UNAVAILABLE');
    assert.ok(refused.body.error.message.includes(dir), refused.body.error.message);

    const degraded = await health(s);
    assert.equal(degraded.status, 200, 'alive: a restart would not free the disk');
    assert.equal(degraded.body.status, 'degraded');
    assert.equal(degraded.body.reason, 'disk-full');
    assert.equal(degraded.body.dataDir, dir);
    assert.ok(!Number.isNaN(Date.parse(degraded.body.since)), degraded.body.since);
    assert.equal((await fetch(`${s.httpUrl}/readyz`)).status, 503, 'not ready for writes');

    // The answer arrives while the disk is full: kept, the task is neither lost nor recorded yet.
    await waitFor(() => h!.requests[0]!.answered, 10_000, 'the handler to answer');
    const during = await json(`${s.httpUrl}/v2/${taskName}`);
    assert.equal(during.status, 200, 'the task is still there (reads work)');
    assert.equal(s.child.exitCode, null, `the process is still running:\n${s.output()}`);

    fs.rmSync(filler);
    await waitFor(async () => (await health(s)).body === 'ok', 20_000, 'healthz to say ok again');
    await waitFor(async () => (await json(`${s.httpUrl}/v2/${taskName}`)).status === 404, 20_000, 'the kept answer to finish the task');
    const attempts = await json(`${s.httpUrl}/api/attempts?queue=${encodeURIComponent(QUEUE)}`);
    assert.deepEqual(attempts.body.attempts.map((a: { status: number }) => a.status), [200], JSON.stringify(attempts.body));
    assert.equal((await createTask(s, { httpRequest: { url: `${h.url}/after` } })).status, 200, 'writes work again');
    await h.waitForRequests(1, '/after');

    // Stopping on a full disk is clean too.
    fillUp(filler);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0, s.output());
    fs.rmSync(filler);

    // A start on a full disk (the last stop removed the WAL's index, which SQLite cannot size now,
    // and the lock file cannot be written): up, reads served, writes refused until space returns.
    const between = await serve(dir, path.join(parent, 'config'));
    between.child.kill('SIGTERM');
    assert.equal(await between.exited, 0, between.output());
    assert.ok(!fs.existsSync(path.join(dir, 'tasklight.sqlite-shm')), 'a clean stop leaves no -shm');
    fillUp(filler);
    const again = await serve(dir, path.join(parent, 'config'));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no half-written lock file is left behind');
    const queue = await json(`${again.httpUrl}/v2/${QUEUE}`);
    assert.equal(queue.status, 200, JSON.stringify(queue.body));
    assert.equal((await health(again)).body.status, 'degraded');
    assert.equal((await createTask(again, { httpRequest: { url: `${h.url}/never` } })).status, 503);
    fs.rmSync(filler);
    await waitFor(async () => (await health(again)).body === 'ok', 20_000, 'the restarted server to recover');
    assert.equal((await createTask(again, { httpRequest: { url: `${h.url}/late` } })).status, 200);
    await h.waitForRequests(1, '/late');
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0, again.output());
  });
});
