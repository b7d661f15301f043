/**
 * Durability of dispatch (design: "after a crash, expired leases go back to the queue"): kill -9
 * the real `tasklight serve` while 200 tasks are in flight to a handler that has not answered yet,
 * restart it on the same data dir, and every task still reaches a 2xx at least once.
 */
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { gate, shortId, startHandler, waitFor, type RecordingHandler } from '../helpers/handler';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'main', 'cli', 'main.ts');
const READY = /Tasklight ready: gRPC 127\.0\.0\.1:(\d+), HTTP (http:\/\/127\.0\.0\.1:\d+)/;
const TASKS = 200;

interface Serve {
  child: ChildProcess;
  grpcPort: number;
  httpUrl: string;
  exited: Promise<void>;
  output(): string;
}

const children = new Set<ChildProcess>();

async function serve(dataDir: string, configHome: string): Promise<Serve> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TASKLIGHT_')) env[k] = v;
  env.XDG_CONFIG_HOME = configHome;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'serve', '--grpc-port', '0', '--http-port', '0', '--data-dir', dataDir],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s.length < 100_000 ? s : ''));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const match = await waitFor(
    () => {
      if (gone) assert.fail(`tasklight serve exited before it was ready:\n${out}`);
      return READY.exec(out);
    },
    120_000, // only a hang: tsx compiles the CLI first, slowly on a busy machine
    () => `the ready line; output so far:\n${out}`,
    20,
  );
  return { child, grpcPort: Number(match[1]), httpUrl: match[2]!, exited, output: () => out };
}

function clientFor(s: Serve): CloudTasksClient {
  return new CloudTasksClient({ apiEndpoint: '127.0.0.1', port: s.grpcPort, sslCreds: credentials.createInsecure() });
}

describe('dispatch: crash and restart', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-crash-'));
  const clients: CloudTasksClient[] = [];
  let h: RecordingHandler | undefined;

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    }
    await h?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('kill -9 with 200 tasks in flight, restart on the same data dir: every task is delivered', async (t) => {
    const dataDir = path.join(tmp, 'data');
    const configHome = path.join(tmp, 'config');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(configHome);
    // Nothing is answered until the first server is dead: every request it sent is in flight at the kill.
    const answers = gate();
    h = await startHandler({ defaultStep: { status: 200, until: answers.opened } });
    const handler = h;

    const first = await serve(dataDir, configHome);
    const c1 = clientFor(first);
    clients.push(c1);
    const parent = 'projects/crash-test/locations/us-central1';
    const queue = `${parent}/queues/slow`;
    await c1.createQueue({ parent, queue: { name: queue, rateLimits: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 1000 } } });
    const ids = new Set<string>();
    for (let i = 0; i < TASKS; i += 50) {
      const created = await Promise.all(
        Array.from({ length: 50 }, () => c1.createTask({ parent: queue, task: { httpRequest: { url: `${handler.url}/crash/work` } } })),
      );
      for (const [task] of created) ids.add(shortId(task.name!));
    }
    assert.equal(ids.size, TASKS);

    // Kill once every task has reached the handler, or 2 s after the first did.
    await waitFor(() => handler.requests.length > 0, 30_000, 'the first dispatch');
    const firstAtUs = handler.requests[0]!.atUs;
    await waitFor(
      () => handler.requests.length >= TASKS || handler.requests.at(-1)!.atUs - firstAtUs > 2_000_000 || Date.now() * 1000 - firstAtUs > 2_000_000,
      30_000,
      'dispatches to pile up',
    );
    const inFlightAtKill = handler.inFlight;
    const answeredBeforeKill = handler.requests.filter((r) => r.answered !== undefined).length;
    first.child.kill('SIGKILL');
    await first.exited;
    t.diagnostic(`killed with ${inFlightAtKill} requests in flight, ${answeredBeforeKill} answered, ${handler.requests.length} received`);
    assert.ok(inFlightAtKill > 0, 'nothing was in flight when the server was killed');
    assert.equal(answeredBeforeKill, 0);
    answers.open();
    // The handler sees the connections go away; none of those requests gets an answer.
    await waitFor(() => handler.inFlight === 0, 30_000, 'the killed server\'s connections to close');
    assert.ok(handler.requests.filter((r) => r.aborted).length >= inFlightAtKill - 1);

    const second = await serve(dataDir, configHome);
    const c2 = clientFor(second);
    clients.push(c2);
    const delivered = () => {
      const ok = new Set<string>();
      for (const r of handler.requests) {
        if (r.answered !== undefined && r.answered >= 200 && r.answered < 300 && !r.aborted) ok.add(r.header('X-CloudTasks-TaskName')!);
      }
      return ok;
    };
    await waitFor(
      () => [...ids].every((id) => delivered().has(id)),
      60_000,
      () => `every task to reach a 2xx: ${[...ids].filter((id) => !delivered().has(id)).length} of ${TASKS} still missing`,
      100,
    );
    const ok = delivered();
    assert.equal([...ids].filter((id) => !ok.has(id)).length, 0, 'tasks missing after the restart');
    assert.deepEqual([...ok].filter((id) => !ids.has(id)), [], 'deliveries of tasks nobody created');
    // And the restarted server knows they are done: the queue drains.
    await waitFor(async () => (await c2.listTasks({ parent: queue }))[0].length === 0, 30_000, 'the queue to drain');
    t.diagnostic(`${handler.requests.length} requests for ${TASKS} tasks`);
    second.child.kill('SIGTERM');
    await Promise.race([second.exited, new Promise((r) => setTimeout(r, 10_000))]);
  });
});
