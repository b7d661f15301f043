/**
 * Every command of the UI and test contract refuses an argument of the wrong type with 400
 * INVALID_ARGUMENT naming the field (the Google JSON error form over HTTP, the same ApiError over
 * IPC), never a 500, and nothing stored changes. The sweep walks the contract's own route table:
 * for each command, each field of a valid call (nested fields included) is replaced in turn by
 * values of other types, against a server holding a queue and a task.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { ApiError } from '../../src/main/core/errors';
import { ROUTES, type ArgsOf, type CommandName } from '../../src/shared/contract';
import { assertGoogleErrorBody, PARENT, startTasklight, type Tasklight } from '../helpers/tasklight';

const QUEUE = `${PARENT}/queues/hostile-args`;
const TASK_ID = 'held';
const clock = new FakeClock();
let tl: Tasklight;

before(async () => {
  tl = await startTasklight({ clock });
});

/** Each sweep starts from the same store: one queue holding one task. */
async function seed(): Promise<void> {
  await tl.server.ui.engine.reset();
  await tl.client('grpc').createQueue({ parent: PARENT, queue: { name: QUEUE } });
  await tl.client('grpc').createTask({ parent: QUEUE, task: { name: `${QUEUE}/tasks/${TASK_ID}`, httpRequest: { url: 'http://127.0.0.1:9/x' } } });
}

after(async () => {
  await tl?.close();
});

const RETRY = { maxAttempts: 3, maxRetryDurationS: 0, minBackoffS: 0.1, maxBackoffS: 10, maxDoublings: 4 };

/**
 * A well-typed call of each command, every field it reads filled in. Typed against the contract,
 * so a command added to it without an entry here does not compile.
 */
const VALID: { [K in CommandName]: ArgsOf<K> extends void ? Record<string, never> : ArgsOf<K> } = {
  serverInfo: {},
  listQueues: {},
  getQueue: { name: QUEUE },
  createQueue: { project: 'tasklight-test', location: 'us-central1', id: 'hostile-new', rateLimits: { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 2 }, retry: RETRY },
  updateQueue: { name: QUEUE, rateLimits: { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 2 }, retry: RETRY },
  pauseQueue: { name: QUEUE },
  resumeQueue: { name: QUEUE },
  purgeQueue: { name: QUEUE },
  deleteQueue: { name: QUEUE },
  queueBreakdown: { name: QUEUE, limit: 10 },
  reservedNames: { name: QUEUE, limit: 10 },
  listTasks: { queue: QUEUE, states: ['scheduled'], statusClass: '5xx', host: '127.0.0.1', search: 'x', sort: 'created', desc: true, offset: 0, limit: 10 },
  getTask: { queue: QUEUE, id: TASK_ID },
  createTask: {
    queue: QUEUE, id: 'hostile-task', url: 'http://127.0.0.1:9/y', method: 'PUT', headers: { 'x-a': 'b' }, body: 'hi', bodyBase64: 'aGk=',
    delayS: 5, scheduleMs: clock.nowUs() / 1000 + 60_000, oidcServiceAccountEmail: 'sa@tasklight-test.iam.gserviceaccount.com', oidcAudience: 'aud',
  },
  runTask: { queue: QUEUE, id: TASK_ID },
  deleteTask: { queue: QUEUE, id: TASK_ID },
  duplicateTask: { queue: QUEUE, id: TASK_ID },
  replayAttempt: { queue: QUEUE, id: TASK_ID, attemptId: 1, edits: { method: 'GET', url: 'http://127.0.0.1:9/z', headers: { 'x-a': 'b' }, bodyBase64: 'aGk=' } },
  verifyToken: { token: 'not-a-jwt', audience: 'aud', url: 'http://127.0.0.1:9/x' },
  timeline: { queue: QUEUE, fromMs: 0, toMs: 1, limit: 10 },
  retryPlan: { retry: RETRY, limit: 10 },
  advanceToNextDue: { name: QUEUE },
  advanceClock: { queue: QUEUE, seconds: 1 },
  resetClock: { queue: QUEUE },
  reset: {},
  forgetNames: { queue: QUEUE },
  waitIdle: { queue: QUEUE, timeoutMs: 0, untilEmpty: false },
  listAttempts: { queue: QUEUE, task: TASK_ID, status: '5xx', outcome: 'success', limit: 10 },
};

/** Values of every other JSON type than the one a field holds (null as well: the field left out). */
function wrongValues(valid: unknown): unknown[] {
  const all: unknown[] = [[], {}, 12, true, 'x', null];
  if (Array.isArray(valid)) return [{}, 12, true, 'x', null, [12]];
  if (typeof valid === 'object') return all.filter((v) => !(v && typeof v === 'object' && !Array.isArray(v)));
  return all.filter((v) => typeof v !== typeof valid);
}

interface Case {
  command: CommandName;
  field: string;
  value: unknown;
  args: Record<string, unknown>;
}

/** Each leaf of `valid` (objects walked into), replaced in turn by each wrong value. */
function* cases(command: CommandName, valid: Record<string, unknown>, prefix = '', root = valid): Generator<Case> {
  for (const [key, v] of Object.entries(valid)) {
    const field = prefix ? `${prefix}.${key}` : key;
    for (const value of wrongValues(v)) yield { command, field, value, args: replaced(root, field.split('.'), value) };
    if (v && typeof v === 'object' && !Array.isArray(v)) yield* cases(command, v as Record<string, unknown>, field, root);
  }
}

function replaced(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  const copy = { ...obj };
  copy[head] = rest.length ? replaced(obj[head] as Record<string, unknown>, rest, value) : value;
  return copy;
}

function commands(): CommandName[] {
  return Object.keys(ROUTES) as CommandName[];
}

async function stored(): Promise<string> {
  const client = tl.client('grpc');
  const [queues] = await client.listQueues({ parent: PARENT });
  const out: unknown[] = [];
  for (const q of queues.sort((a, b) => a.name!.localeCompare(b.name!))) {
    const [tasks] = await client.listTasks({ parent: q.name! });
    out.push({ ...q, purgeTime: q.purgeTime, tasks: tasks.map((t) => [t.name, t.scheduleTime?.seconds, t.scheduleTime?.nanos]).sort() });
  }
  return JSON.stringify(out);
}

/** Answers other than success that a well-formed call may legitimately get here. */
const LEGITIMATE = new Set(['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'FAILED_PRECONDITION']);

async function overHttp(command: CommandName, args: Record<string, unknown>): Promise<{ status: number; json: unknown }> {
  const route = ROUTES[command];
  const url = new URL(`${tl.server.httpUrl}${route.path}`);
  if (route.method === 'GET') {
    // A query string carries only text: a wrong-typed value arrives as its JSON text.
    for (const [k, v] of Object.entries(args)) {
      if (v === null || v === undefined) continue;
      url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    const res = await fetch(url);
    return { status: res.status, json: await res.json() };
  }
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
  return { status: res.status, json: await res.json() };
}

describe('UI and test contract: arguments of the wrong type', () => {
  test('the sweep covers every command the route table lists', () => {
    assert.deepEqual(Object.keys(VALID).sort(), commands().sort());
  });

  test('over IPC (typed values): each wrong-typed field is INVALID_ARGUMENT naming it, or a legitimate refusal, and nothing stored changes', async () => {
    await seed();
    const failures: string[] = [];
    let before = await stored();
    let tried = 0;
    for (const command of commands()) {
      const valid = VALID[command] as Record<string, unknown>;
      const all = [...cases(command, valid), ...[[], 12, 'x', true].map((value) => ({ command, field: '(arguments)', value, args: value as never }))];
      for (const c of all) {
        tried++;
        const label = `${command} ${c.field}=${JSON.stringify(c.value)}`;
        try {
          await tl.server.ui.call(command, c.args as never);
          // Leaving an optional field out (null) may succeed; any other wrong type must not.
          if (c.value !== null) failures.push(`${label}: accepted`);
          before = await stored();
        } catch (err) {
          if (!(err instanceof ApiError) || !LEGITIMATE.has(err.code)) {
            failures.push(`${label}: ${(err as Error).message}`);
            before = await stored();
            continue;
          }
          if (err.code === 'INVALID_ARGUMENT' && c.value !== null && c.field !== '(arguments)') {
            const leaf = c.field.split('.').at(-1)!;
            if (!err.message.includes(leaf)) failures.push(`${label}: message does not name the field: ${err.message}`);
          }
          const after = await stored();
          if (after !== before) failures.push(`${label}: refused (${err.code}) but the store changed`);
          before = after;
        }
      }
    }
    assert.ok(tried > 300, `only ${tried} cases`);
    assert.deepEqual(failures, []);
  });

  test('over HTTP: no wrong-typed field gets a 5xx; refusals are the Google JSON error form; the server keeps answering', async () => {
    await seed();
    const failures: string[] = [];
    for (const command of commands()) {
      const valid = VALID[command] as Record<string, unknown>;
      for (const c of cases(command, valid)) {
        const label = `${ROUTES[command].method} ${ROUTES[command].path} ${c.field}=${JSON.stringify(c.value)}`;
        const { status, json } = await overHttp(command, c.args);
        if (status >= 500) {
          failures.push(`${label}: ${status} ${JSON.stringify(json)}`);
          continue;
        }
        if (status === 200) {
          // Query strings carry only text, so a GET may legitimately read "12" as a name; a JSON
          // body keeps its types and only a left-out (null) optional field may succeed.
          if (ROUTES[command].method === 'POST' && c.value !== null) failures.push(`${label}: accepted`);
          continue;
        }
        assertGoogleErrorBody(json, status);
        if (!LEGITIMATE.has(json.error.status)) failures.push(`${label}: ${status} ${json.error.status}`);
      }
    }
    assert.deepEqual(failures, []);
    const info = await fetch(`${tl.server.httpUrl}${ROUTES.serverInfo.path}`);
    assert.equal(info.status, 200);
  });

  test('POST /api/queues/create {"name": []} is 400 INVALID_ARGUMENT naming name', async () => {
    await seed();
    const before = await stored();
    const { status, json } = await overHttp('createQueue', { name: [] });
    assert.equal(status, 400, JSON.stringify(json));
    assertGoogleErrorBody(json, 400);
    assert.equal(json.error.status, 'INVALID_ARGUMENT');
    assert.match(json.error.message, /\bname\b/);
    assert.equal(await stored(), before);
  });

  test('the timeline window defaults to an hour either side of the queue clock, not the wall clock', async () => {
    await seed();
    await tl.server.ui.call('advanceClock', { queue: QUEUE, seconds: 90 });
    // The fake clock stands still, so the queue's time is the clock's plus the 90 s advance.
    const nowMs = clock.nowUs() / 1000 + 90_000;
    const t = await tl.server.ui.call('timeline', { queue: QUEUE } as ArgsOf<'timeline'>);
    assert.equal(t.fromMs, nowMs - 3_600_000);
    assert.equal(t.toMs, nowMs + 3_600_000);
  });
});
