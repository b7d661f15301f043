/**
 * Durability: the real `tasklight serve` in a child process, killed with SIGKILL right after the
 * last CreateTask returned, then started again on the same data dir. Every queue setting, state,
 * purge time and task must be intact, and a deleted task's name must still be reserved
 * (a task is durable once CreateTask returns).
 *
 * Dispatch stays out of the picture: every task in a running queue is scheduled an hour ahead.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  PARENT,
  QUEUE_STATES,
  assertRpcError,
  enumName,
  makeClient,
  makeTempDir,
  removeTempDir,
  timestampFromMicros,
  toMicros,
  type Transport,
  type V2Client,
} from '../helpers/tasklight';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'main', 'cli', 'main.ts');
const READY_LINE = /^Tasklight ready: gRPC (\S+):(\d+), HTTP http:\/\/(\S+):(\d+) \((.+)\)$/m;

interface Child {
  process: ChildProcess;
  grpcPort: number;
  httpPort: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];
const clients: V2Client[] = [];

after(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) removeTempDir(dir);
});

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TASKLIGHT_')) env[key] = value;
  const home = makeTempDir('tasklight-restart-home-');
  dirs.push(home);
  return { ...env, XDG_CONFIG_HOME: home };
}

async function serve(dataDir: string): Promise<Child> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'serve', '--grpc-port', '0', '--http-port', '0', '--data-dir', dataDir],
    { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ports = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tasklight serve not ready after 120 s; stdout: ${out}; stderr: ${err}`)), 120_000); // only a hang: tsx compiles the CLI first, slowly on a busy machine
    proc.stdout!.on('data', () => {
      const m = READY_LINE.exec(out);
      if (m) {
        clearTimeout(timer);
        assert.equal(m[5], `data: ${dataDir}`);
        resolve({ grpcPort: Number(m[2]), httpPort: Number(m[4]) });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tasklight serve exited (code ${code}, signal ${signal}) before it was ready; stderr: ${err}`));
    });
  });
  return { process: proc, ...ports, exited };
}

function client(child: Child, transport: Transport): V2Client {
  const c = makeClient(transport, child);
  clients.push(c);
  return c;
}

/** A client message as plain JSON (gRPC and REST decode to the same message classes). */
const plain = (m: unknown) => JSON.parse(JSON.stringify(m));

describe('restart after SIGKILL', () => {
  test('keeps every queue setting, state, purge time, task and task-name tombstone', async () => {
    const dataDir = makeTempDir('tasklight-restart-');
    dirs.push(dataDir);
    const first = await serve(dataDir);
    const c1 = client(first, 'grpc');
    const later = (Date.now() + 3_600_000) * 1000;

    // Queues with non-default settings.
    const tuned = `${PARENT}/queues/tuned`;
    const paused = `${PARENT}/queues/paused`;
    const purged = `${PARENT}/queues/purged`;
    const masked = `${PARENT}/queues/masked`;
    await c1.createQueue({
      parent: PARENT,
      queue: {
        name: tuned,
        rateLimits: { maxDispatchesPerSecond: 7.5, maxConcurrentDispatches: 3 },
        retryConfig: {
          maxAttempts: 5,
          minBackoff: { seconds: 2, nanos: 250_000_000 },
          maxBackoff: { seconds: 300 },
          maxDoublings: 4,
          maxRetryDuration: { seconds: 600 },
        },
        stackdriverLoggingConfig: { samplingRatio: 0.25 },
        appEngineRoutingOverride: { service: 'worker', version: 'v7' },
      },
    });
    await c1.createQueue({ parent: PARENT, queue: { name: paused, rateLimits: { maxDispatchesPerSecond: 1 } } });
    await c1.pauseQueue({ name: paused });
    await c1.createQueue({ parent: PARENT, queue: { name: purged, retryConfig: { maxAttempts: -1 } } });
    await c1.createTask({ parent: purged, task: { name: `${purged}/tasks/purged-away`, httpRequest: { url: 'http://localhost:9/p' }, scheduleTime: timestampFromMicros(later) } });
    const [purgedQueue] = await c1.purgeQueue({ name: purged });
    assert.ok(purgedQueue.purgeTime, 'purge_time set');
    await c1.createQueue({ parent: PARENT, queue: { name: masked } });
    await c1.updateQueue({
      queue: { name: masked, rateLimits: { maxDispatchesPerSecond: 100 }, retryConfig: { maxAttempts: 9 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second', 'retryConfig.maxAttempts'] },
    });
    await c1.setIamPolicy({ resource: tuned, policy: { bindings: [{ role: 'roles/cloudtasks.enqueuer', members: ['user:dev@example.com'] }] } });

    // A deleted named task: its name must stay reserved.
    const deleted = `${tuned}/tasks/deleted-one`;
    await c1.createTask({ parent: tuned, task: { name: deleted, httpRequest: { url: 'http://localhost:9/d' }, scheduleTime: timestampFromMicros(later) } });
    await c1.deleteTask({ name: deleted });

    // Tasks: named and generated, HTTP and App Engine, bodies, headers, µs schedule times.
    const body = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 31) % 256));
    const requests = [
      {
        parent: tuned,
        task: {
          name: `${tuned}/tasks/http-full`,
          httpRequest: {
            url: 'https://example.com/hook?a=1&b=%20',
            httpMethod: 'PUT' as const,
            headers: { 'Content-Type': 'application/json', 'X-Mixed-Case': 'Yes' },
            body,
            oidcToken: { serviceAccountEmail: 'sa@p.iam.gserviceaccount.com', audience: 'https://aud' },
          },
          scheduleTime: timestampFromMicros(later + 123_457),
          dispatchDeadline: { seconds: 45, nanos: 500_000_000 },
        },
      },
      {
        parent: tuned,
        task: {
          name: `${tuned}/tasks/app_engine-1`,
          appEngineHttpRequest: { relativeUri: '/work?x=y', body: Buffer.from('hello, app engine'), appEngineRouting: { service: 'ignored' } },
          scheduleTime: timestampFromMicros(later + 1),
        },
      },
      { parent: tuned, task: { httpRequest: { url: 'http://localhost:9/gen', body: Buffer.from('{}') }, scheduleTime: timestampFromMicros(later + 2) } },
      { parent: paused, task: { name: `${paused}/tasks/waiting`, httpRequest: { url: 'http://localhost:9/w', body: Buffer.from('paused') } } },
      { parent: purged, task: { name: `${purged}/tasks/after-purge`, httpRequest: { url: 'http://localhost:9/a' }, scheduleTime: timestampFromMicros(later + 3) } },
      { parent: masked, task: { httpRequest: { url: 'http://localhost:9/m', httpMethod: 'GET' as const }, scheduleTime: timestampFromMicros(later + 4) } },
    ];
    const createdTasks: unknown[] = [];
    for (const r of requests) {
      const [t] = await c1.createTask({ ...r, responseView: 'FULL' });
      createdTasks.push(plain(t));
    }
    // SIGKILL right after the last CreateTask returned: no clean shutdown, no checkpoint.
    first.process.kill('SIGKILL');
    const exit = await first.exited;
    assert.equal(exit.signal, 'SIGKILL');

    const second = await serve(dataDir);
    for (const transport of ['grpc', 'rest'] as const) {
      const c2 = client(second, transport);
      const [queues] = await c2.listQueues({ parent: PARENT });
      assert.deepEqual(queues.map((q) => q.name), [masked, paused, purged, tuned]);
      const byName = new Map(queues.map((q) => [q.name, q]));

      const t = byName.get(tuned)!;
      assert.equal(t.rateLimits?.maxDispatchesPerSecond, 7.5);
      assert.equal(t.rateLimits?.maxConcurrentDispatches, 3);
      assert.equal(t.rateLimits?.maxBurstSize, 10);
      assert.equal(t.retryConfig?.maxAttempts, 5);
      assert.equal(toMicros(t.retryConfig?.minBackoff), 2_250_000);
      assert.equal(toMicros(t.retryConfig?.maxBackoff), 300_000_000);
      assert.equal(t.retryConfig?.maxDoublings, 4);
      assert.equal(toMicros(t.retryConfig?.maxRetryDuration), 600_000_000);
      assert.equal(t.stackdriverLoggingConfig?.samplingRatio, 0.25);
      assert.equal(t.appEngineRoutingOverride?.service, 'worker');
      assert.equal(t.appEngineRoutingOverride?.version, 'v7');
      assert.equal(enumName(t.state, QUEUE_STATES), 'RUNNING');

      const p = byName.get(paused)!;
      assert.equal(enumName(p.state, QUEUE_STATES), 'PAUSED');
      assert.equal(p.rateLimits?.maxDispatchesPerSecond, 1);

      const g = byName.get(purged)!;
      assert.equal(toMicros(g.purgeTime), toMicros(purgedQueue.purgeTime));
      assert.equal(g.retryConfig?.maxAttempts, -1);

      const m = byName.get(masked)!;
      assert.equal(m.rateLimits?.maxDispatchesPerSecond, 100);
      assert.equal(m.rateLimits?.maxBurstSize, 20);
      assert.equal(m.retryConfig?.maxAttempts, 9);

      const [policy] = await c2.getIamPolicy({ resource: tuned });
      assert.deepEqual(policy.bindings?.map((b) => [b.role, b.members]), [['roles/cloudtasks.enqueuer', ['user:dev@example.com']]]);

      // Every task, in FULL view, exactly as CreateTask returned it.
      for (const created of createdTasks as Array<{ name: string; scheduleTime: unknown }>) {
        const [got] = await c2.getTask({ name: created.name, responseView: 'FULL' });
        assert.deepEqual(plain(got), created, `task ${created.name}`);
      }
      const [fullTask] = await c2.getTask({ name: `${tuned}/tasks/http-full`, responseView: 'FULL' });
      assert.deepEqual(Buffer.from(fullTask.httpRequest!.body as Uint8Array), body);
      assert.equal(toMicros(fullTask.scheduleTime), later + 123_457);
      assert.deepEqual({ ...fullTask.httpRequest?.headers }, {
        'Content-Type': 'application/json',
        'X-Mixed-Case': 'Yes',
        'User-Agent': 'Google-Cloud-Tasks',
      });
      assert.equal(toMicros(fullTask.dispatchDeadline), 45_500_000);
      assert.equal(fullTask.httpRequest?.oidcToken?.audience, 'https://aud');

      const [tunedTasks] = await c2.listTasks({ parent: tuned });
      assert.equal(tunedTasks.length, 3, 'the deleted task is not listed');
      const [purgedTasks] = await c2.listTasks({ parent: purged });
      assert.deepEqual(purgedTasks.map((x) => x.name), [`${purged}/tasks/after-purge`]);

      // The deleted task's name is still reserved, and so is the purged one's.
      await assertRpcError(
        c2.createTask({ parent: tuned, task: { name: deleted, httpRequest: { url: 'http://localhost:9/d' }, scheduleTime: timestampFromMicros(later) } }),
        transport,
        'ALREADY_EXISTS',
        'Requested entity already exists',
      );
      await assertRpcError(
        c2.getTask({ name: deleted }),
        transport,
        'NOT_FOUND',
        'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.',
      );
      await assertRpcError(
        c2.createTask({ parent: purged, task: { name: `${purged}/tasks/purged-away`, httpRequest: { url: 'http://localhost:9/p' }, scheduleTime: timestampFromMicros(later) } }),
        transport,
        'ALREADY_EXISTS',
      );
    }
    second.process.kill('SIGTERM');
    const stopped = await second.exited;
    assert.equal(stopped.code, 0, 'clean shutdown on SIGTERM');
    assert.ok(fs.existsSync(dataDir));
  });
});
