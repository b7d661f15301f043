/**
 * Every task RPC (except RunTask: no dispatch in this build) through the official
 * `@google-cloud/tasks` client, over gRPC and over REST (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks), plus the
 * v2beta3 client.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import {
  PARENT,
  QUEUE_STATES,
  VIEWS,
  enumName,
  forEachTransport,
  timestampFromMicros,
  toMicros,
  toSeconds,
} from '../helpers/tasklight';

const QUEUE_MISSING =
  'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.';
const ENTITY_MISSING = 'Requested entity was not found.';
const TASK_EXISTS = 'Requested entity already exists';
const TASK_TOO_RECENT =
  'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.';
const APP_ENGINE_UA = 'AppEngine-Google; (+http://code.google.com/appengine)';
const URL = 'http://localhost:9/handler';

/** Every byte value, so a lossy encoding anywhere (UTF-8, base64url) shows. */
const BINARY_BODY = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7 + 3) % 256));

const bytesOf = (b: unknown): Buffer => (b == null ? Buffer.alloc(0) : Buffer.from(b as Uint8Array));
const viewOf = (t: { view?: unknown }) => enumName(t.view, VIEWS);
const taskId = (name: string | null | undefined) => String(name).split('/').pop()!;

forEachTransport('tasks', (ctx) => {
  test('generates a 19-digit task ID when the name is empty', async () => {
    const parent = await ctx.newQueue('gen');
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const [task] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL } } });
      assert.match(task.name!, new RegExp(`^${parent}/tasks/\\d{19}$`));
      ids.add(taskId(task.name));
    }
    assert.equal(ids.size, 5, 'generated IDs are unique');
    const [tasks] = await ctx.client.listTasks({ parent });
    assert.equal(tasks.length, 5);
  });

  test('creates a task with the caller-chosen name', async () => {
    const parent = await ctx.newQueue('named');
    const name = `${parent}/tasks/Order_42-retry`;
    const [task] = await ctx.client.createTask({ parent, task: { name, httpRequest: { url: URL } } });
    assert.equal(task.name, name);
    const [got] = await ctx.client.getTask({ name });
    assert.equal(got.name, name);
    assert.equal(got.httpRequest?.url, URL);
  });

  test('BASIC view (the default) omits the body but keeps headers, with User-Agent Google-Cloud-Tasks', async () => {
    const parent = await ctx.newQueue('basic');
    const [task] = await ctx.client.createTask({
      parent,
      task: {
        httpRequest: {
          url: URL,
          httpMethod: 'PUT',
          headers: { 'Content-Type': 'application/json', 'X-Mixed-Case': 'v1', 'User-Agent': 'my-app/1.0' },
          body: Buffer.from('{"a":1}'),
        },
      },
    });
    for (const t of [task, (await ctx.client.getTask({ name: task.name! }))[0], (await ctx.client.listTasks({ parent }))[0][0]!]) {
      assert.equal(viewOf(t), 'BASIC');
      assert.equal(bytesOf(t.httpRequest?.body).length, 0, 'no body in BASIC view');
      assert.equal(t.httpRequest?.url, URL);
      assert.equal(enumName(t.httpRequest?.httpMethod, ['HTTP_METHOD_UNSPECIFIED', 'POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']), 'PUT');
      assert.deepEqual({ ...t.httpRequest?.headers }, {
        'Content-Type': 'application/json',
        'X-Mixed-Case': 'v1',
        'User-Agent': 'Google-Cloud-Tasks',
      });
    }
  });

  test('FULL view returns the body bytes intact', async () => {
    const parent = await ctx.newQueue('full');
    const [created] = await ctx.client.createTask({
      parent,
      task: { httpRequest: { url: URL, body: BINARY_BODY } },
      responseView: 'FULL',
    });
    assert.equal(viewOf(created), 'FULL');
    assert.deepEqual(bytesOf(created.httpRequest?.body), BINARY_BODY);
    const [got] = await ctx.client.getTask({ name: created.name!, responseView: 'FULL' });
    assert.equal(viewOf(got), 'FULL');
    assert.deepEqual(bytesOf(got.httpRequest?.body), BINARY_BODY);
    const [listed] = await ctx.client.listTasks({ parent, responseView: 'FULL' });
    assert.deepEqual(bytesOf(listed[0]?.httpRequest?.body), BINARY_BODY);
    const [basic] = await ctx.client.getTask({ name: created.name! });
    assert.equal(bytesOf(basic.httpRequest?.body).length, 0);
  });

  test('keeps schedule_time at microsecond precision', async () => {
    const parent = await ctx.newQueue('sched');
    const us = (Math.floor(Date.now() / 1000) + 3600) * 1_000_000 + 123_456;
    const [task] = await ctx.client.createTask({
      parent,
      task: { httpRequest: { url: URL }, scheduleTime: timestampFromMicros(us) },
    });
    assert.equal(toMicros(task.scheduleTime), us);
    const [got] = await ctx.client.getTask({ name: task.name! });
    assert.equal(toMicros(got.scheduleTime), us);
    assert.equal(Number(got.scheduleTime!.nanos), 123_456_000);
    // create_time is whole seconds, and not after the call.
    assert.equal(Number(got.createTime?.nanos ?? 0), 0);
    assert.ok(Number(got.createTime?.seconds) <= Math.ceil(Date.now() / 1000));
  });

  // Reference §5.1 / task.proto: "`schedule_time` will be truncated to the nearest microsecond",
  // "`dispatch_deadline` will be truncated to the nearest millisecond".
  test(
    'truncates schedule_time to whole microseconds and dispatch_deadline to whole milliseconds',
    async () => {
      const parent = await ctx.newQueue('trunc');
      const seconds = Math.floor(Date.now() / 1000) + 3600;
      const [task] = await ctx.client.createTask({
        parent,
        task: {
          httpRequest: { url: URL },
          scheduleTime: { seconds, nanos: 123_456_789 },
          dispatchDeadline: { seconds: 20, nanos: 999_999 },
        },
      });
      assert.equal(Number(task.scheduleTime!.nanos), 123_456_000);
      assert.equal(Number(task.dispatchDeadline!.seconds), 20);
      assert.equal(Number(task.dispatchDeadline!.nanos ?? 0), 0);
    },
  );

  test('a missing or past schedule_time becomes now', async () => {
    const parent = await ctx.newQueue('past');
    const before = Date.now() * 1000;
    const [past] = await ctx.client.createTask({
      parent,
      task: { httpRequest: { url: URL }, scheduleTime: timestampFromMicros(before - 3_600_000_000) },
    });
    const [unset] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL } } });
    const after = Date.now() * 1000;
    for (const t of [past, unset]) {
      const s = toMicros(t.scheduleTime);
      assert.ok(s >= before - 50_000 && s <= after + 50_000, `schedule_time ${s} is now (${before}..${after})`);
    }
  });

  test('schedule_time more than 30 days ahead is INVALID_ARGUMENT with the 720h message', async () => {
    const parent = await ctx.newQueue('horizon');
    const tooFar = (Date.now() + 31 * 86_400_000) * 1000;
    await ctx.rejects(
      ctx.client.createTask({ parent, task: { httpRequest: { url: URL }, scheduleTime: timestampFromMicros(tooFar) } }),
      'INVALID_ARGUMENT',
      /^The Task\.scheduleTime, \d{4}-\d\d-\d\dT[^,]+, is too far in the future\. Schedule time must be no more than 720h in the future\.$/,
    );
    // 29 days is fine.
    const ok = (Date.now() + 29 * 86_400_000) * 1000;
    const [t] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL }, scheduleTime: timestampFromMicros(ok) } });
    assert.equal(toMicros(t.scheduleTime), ok);
  });

  test('dispatch_deadline defaults to 600s and must lie in [15s, 30min] for HTTP tasks', async () => {
    const parent = await ctx.newQueue('deadline');
    const [def] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL } } });
    assert.equal(toSeconds(def.dispatchDeadline), 600);
    for (const seconds of [15, 1800, 42.5]) {
      const [t] = await ctx.client.createTask({
        parent,
        task: { httpRequest: { url: URL }, dispatchDeadline: { seconds: Math.floor(seconds), nanos: (seconds % 1) * 1e9 } },
      });
      assert.equal(toSeconds(t.dispatchDeadline), seconds);
    }
    for (const seconds of [10, 31 * 60]) {
      await ctx.rejects(
        ctx.client.createTask({ parent, task: { httpRequest: { url: URL }, dispatchDeadline: { seconds } } }),
        'INVALID_ARGUMENT',
      );
    }
  });

  test('a body with GET is INVALID_ARGUMENT', async () => {
    const parent = await ctx.newQueue('getbody');
    await ctx.rejects(
      ctx.client.createTask({ parent, task: { httpRequest: { url: URL, httpMethod: 'GET', body: Buffer.from('x') } } }),
      'INVALID_ARGUMENT',
    );
    const [t] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL, httpMethod: 'GET' } } });
    assert.equal(enumName(t.httpRequest?.httpMethod, ['', 'POST', 'GET']), 'GET');
  });

  test('a missing url or one not starting with http(s):// is rejected with the live messages', async () => {
    const parent = await ctx.newQueue('url');
    await ctx.rejects(
      ctx.client.createTask({ parent, task: { httpRequest: { headers: { a: 'b' } } } }),
      'INVALID_ARGUMENT',
      'HttpRequest.url is required.',
    );
    for (const url of ['ftp://example.com/x', 'localhost:8080/x', '/relative']) {
      await ctx.rejects(
        ctx.client.createTask({ parent, task: { httpRequest: { url } } }),
        'INVALID_ARGUMENT',
        "HttpTarget.url must start with 'http://' or 'https://'.",
      );
    }
    assert.deepEqual((await ctx.client.listTasks({ parent }))[0], [], 'nothing stored');
  });

  test('a task ID with invalid characters is rejected with the live message', async () => {
    const parent = await ctx.newQueue('badid');
    for (const id of ['bad.id', 'has space', 'a'.repeat(501)]) {
      const err = await ctx.rejects(
        ctx.client.createTask({ parent, task: { name: `${parent}/tasks/${id}`, httpRequest: { url: URL } } }),
        'INVALID_ARGUMENT',
        `Task ID "${id}" can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-), or underscores (_). Task ID must between 1 and 500 characters.`,
      );
      assert.ok(err.helpUrls.some((u) => u.includes('Task.FIELDS.name')), JSON.stringify(err.helpUrls));
    }
    const [t] = await ctx.client.createTask({ parent, task: { name: `${parent}/tasks/${'a'.repeat(500)}`, httpRequest: { url: URL } } });
    assert.equal(taskId(t.name), 'a'.repeat(500));
  });

  test('a task name in another queue is rejected with the live message', async () => {
    const parent = await ctx.newQueue('mine');
    const other = await ctx.newQueue('other');
    await ctx.rejects(
      ctx.client.createTask({ parent, task: { name: `${other}/tasks/t1`, httpRequest: { url: URL } } }),
      'INVALID_ARGUMENT',
      `The queue name from request ('${parent}') must be the same as the queue name in the named task ('${other}').`,
    );
  });

  test('a task larger than 1 MiB is INVALID_ARGUMENT; just under is accepted', async () => {
    const parent = await ctx.newQueue('big');
    await ctx.rejects(
      ctx.client.createTask({ parent, task: { httpRequest: { url: URL, body: Buffer.alloc(1024 * 1024 + 1, 1) } } }),
      'INVALID_ARGUMENT',
    );
    const body = Buffer.alloc(1000 * 1024, 7);
    const [t] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL, body } }, responseView: 'FULL' });
    assert.deepEqual(bytesOf(t.httpRequest?.body), body);
  });

  test('CreateTask in a missing queue is NOT_FOUND with the queue text', async () => {
    await ctx.rejects(
      ctx.client.createTask({ parent: ctx.queueName('ghost'), task: { httpRequest: { url: URL } } }),
      'NOT_FOUND',
      QUEUE_MISSING,
    );
  });

  test('a duplicate task name is ALREADY_EXISTS, also after the task was deleted', async () => {
    const parent = await ctx.newQueue('dedup');
    const name = `${parent}/tasks/once`;
    await ctx.client.createTask({ parent, task: { name, httpRequest: { url: URL, body: Buffer.from('first') } } });
    await ctx.rejects(ctx.client.createTask({ parent, task: { name, httpRequest: { url: URL } } }), 'ALREADY_EXISTS', TASK_EXISTS);
    const [empty] = await ctx.client.deleteTask({ name });
    assert.deepEqual({ ...empty }, {});
    await ctx.rejects(ctx.client.createTask({ parent, task: { name, httpRequest: { url: URL } } }), 'ALREADY_EXISTS', TASK_EXISTS);
    // The same ID in another queue is a different task.
    const other = await ctx.newQueue('dedup-other');
    await ctx.client.createTask({ parent: other, task: { name: `${other}/tasks/once`, httpRequest: { url: URL } } });
  });

  test('GetTask of a deleted task is NOT_FOUND with the "existed recently" text', async () => {
    const parent = await ctx.newQueue('gone');
    const name = `${parent}/tasks/gone-1`;
    await ctx.client.createTask({ parent, task: { name, httpRequest: { url: URL } } });
    await ctx.client.deleteTask({ name });
    await ctx.rejects(ctx.client.getTask({ name }), 'NOT_FOUND', TASK_TOO_RECENT);
    await ctx.rejects(ctx.client.deleteTask({ name }), 'NOT_FOUND');
    assert.deepEqual((await ctx.client.listTasks({ parent }))[0], [], 'deleted tasks are not listed');
  });

  test('GetTask and DeleteTask of an unknown task are NOT_FOUND "Requested entity was not found."', async () => {
    const parent = await ctx.newQueue('unknown');
    await ctx.rejects(ctx.client.getTask({ name: `${parent}/tasks/never` }), 'NOT_FOUND', ENTITY_MISSING);
    await ctx.rejects(ctx.client.deleteTask({ name: `${parent}/tasks/never` }), 'NOT_FOUND', ENTITY_MISSING);
  });

  test('ListTasks pages of 2 over 5 tasks: no duplicates, all seen, empty token at the end', async () => {
    const parent = await ctx.newQueue('pages');
    const created = new Set<string>();
    const base = Date.now() + 3_600_000;
    for (let i = 0; i < 5; i++) {
      // Two share a schedule time, so paging must break ties.
      const scheduleTime = timestampFromMicros((base + (i < 2 ? 0 : i) * 1000) * 1000);
      const [t] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL }, scheduleTime } });
      created.add(t.name!);
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let pageToken = '';
    for (let i = 0; i < 10; i++) {
      const [tasks, , raw] = await ctx.client.listTasks({ parent, pageSize: 2, pageToken }, { autoPaginate: false });
      assert.ok(tasks.length <= 2, `page of ${tasks.length}`);
      sizes.push(tasks.length);
      seen.push(...tasks.map((t) => t.name!));
      pageToken = raw?.nextPageToken ?? '';
      if (!pageToken) break;
    }
    assert.equal(pageToken, '');
    assert.equal(new Set(seen).size, seen.length, `no duplicates: ${seen}`);
    assert.deepEqual(new Set(seen), created);
    assert.deepEqual(sizes, [2, 2, 1]);
  });

  test('DeleteTask removes a live task', async () => {
    const parent = await ctx.newQueue('deltask');
    const [a] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL } } });
    const [b] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL } } });
    await ctx.client.deleteTask({ name: a.name! });
    const [tasks] = await ctx.client.listTasks({ parent });
    assert.deepEqual(tasks.map((t) => t.name), [b.name]);
  });

  test('an App Engine task stores the App Engine User-Agent, Content-Type and Content-Length', async () => {
    const parent = await ctx.newQueue('appengine');
    const body = Buffer.from('hello, app engine'); // 17 bytes, as in the live capture
    const [task] = await ctx.client.createTask({
      parent,
      task: { appEngineHttpRequest: { relativeUri: '/tasks/work?x=1', body, headers: { 'X-Custom': 'c' } } },
      responseView: 'FULL',
    });
    const req = task.appEngineHttpRequest!;
    assert.equal(req.relativeUri, '/tasks/work?x=1');
    assert.deepEqual({ ...req.headers }, {
      'X-Custom': 'c',
      'User-Agent': APP_ENGINE_UA,
      'Content-Type': 'application/octet-stream',
      'Content-Length': '17',
    });
    assert.deepEqual(bytesOf(req.body), body);
    const [basic] = await ctx.client.getTask({ name: task.name! });
    assert.equal(basic.appEngineHttpRequest?.headers?.['Content-Length'], '17');
    assert.equal(bytesOf(basic.appEngineHttpRequest?.body).length, 0);

    const [noBody] = await ctx.client.createTask({
      parent,
      task: { appEngineHttpRequest: { relativeUri: '/x', headers: { 'User-Agent': 'my-app' } } },
    });
    const h = { ...noBody.appEngineHttpRequest?.headers };
    assert.equal(h['User-Agent'], `my-app ${APP_ENGINE_UA}`, 'a caller User-Agent gets the App Engine one appended');
    assert.ok(!('Content-Length' in h) && !('Content-Type' in h), JSON.stringify(h));
    // An App Engine task without a deadline keeps 0 (service default).
    assert.ok(!noBody.dispatchDeadline || toSeconds(noBody.dispatchDeadline) === 0);
  });

  test('CreateTask works on a paused queue', async () => {
    const parent = await ctx.newQueue('paused');
    await ctx.client.pauseQueue({ name: parent });
    const [t] = await ctx.client.createTask({ parent, task: { httpRequest: { url: URL } } });
    const [tasks] = await ctx.client.listTasks({ parent });
    assert.deepEqual(tasks.map((x) => x.name), [t.name]);
    assert.equal(enumName((await ctx.client.getQueue({ name: parent }))[0].state, QUEUE_STATES), 'PAUSED');
  });

  test('RunTask of an unknown task is NOT_FOUND "Requested entity was not found."', async () => {
    const parent = await ctx.newQueue('run');
    await ctx.rejects(ctx.client.runTask({ name: `${parent}/tasks/never` }), 'NOT_FOUND', ENTITY_MISSING);
  });

  test('v2beta3 CreateQueue/GetQueue show appEngineHttpQueue and type PUSH', async () => {
    const name = ctx.queueName('beta');
    const [created] = await ctx.beta.createQueue({
      parent: PARENT,
      queue: { name, appEngineHttpQueue: { appEngineRoutingOverride: { service: 'worker' } }, rateLimits: { maxDispatchesPerSecond: 5 } },
    });
    const [got] = await ctx.beta.getQueue({ name });
    for (const q of [created, got]) {
      assert.equal(q.name, name);
      assert.equal(enumName(q.type, ['TYPE_UNSPECIFIED', 'PULL', 'PUSH']), 'PUSH');
      assert.equal(q.appEngineHttpQueue?.appEngineRoutingOverride?.service, 'worker');
      assert.ok(q.appEngineHttpQueue?.appEngineRoutingOverride?.host?.includes('worker'), 'host is computed');
      assert.equal(q.rateLimits?.maxDispatchesPerSecond, 5);
      assert.equal(q.rateLimits?.maxBurstSize, 10);
      assert.equal(enumName(q.state, QUEUE_STATES), 'RUNNING');
    }
    // The v2 view of the same queue has the flat field.
    const [v2] = await ctx.client.getQueue({ name });
    assert.equal(v2.appEngineRoutingOverride?.service, 'worker');
  });

  test('v2beta3 CreateTask/GetTask round-trip a task (FULL view body intact)', async () => {
    const parent = await ctx.newQueue('beta-task');
    const name = `${parent}/tasks/beta-1`;
    const [created] = await ctx.beta.createTask({
      parent,
      task: { name, httpRequest: { url: URL, body: BINARY_BODY, headers: { 'Content-Type': 'application/octet-stream' } } },
      responseView: 'FULL',
    });
    assert.equal(created.name, name);
    assert.deepEqual(bytesOf(created.httpRequest?.body), BINARY_BODY);
    const [got] = await ctx.beta.getTask({ name, responseView: 'FULL' });
    assert.deepEqual(bytesOf(got.httpRequest?.body), BINARY_BODY);
    assert.equal(got.httpRequest?.headers?.['User-Agent'], 'Google-Cloud-Tasks');
    assert.equal(toSeconds(got.dispatchDeadline), 600);
    // Visible through v2 as the same task.
    const [v2] = await ctx.client.getTask({ name, responseView: 'FULL' });
    assert.deepEqual(bytesOf(v2.httpRequest?.body), BINARY_BODY);
    await ctx.rejects(ctx.beta.createTask({ parent, task: { name, httpRequest: { url: URL } } }), 'ALREADY_EXISTS', TASK_EXISTS);
  });
});

forEachTransport(
  'task name tombstones with a fake clock',
  (ctx) => {
    test('a deleted task\'s name is reusable once the tombstone window has passed', async () => {
      const clock = (ctx.tl.server.engine.clock as FakeClock);
      const parent = await ctx.newQueue('tomb');
      const name = `${parent}/tasks/reuse-me`;
      await ctx.client.createTask({ parent, task: { name, httpRequest: { url: URL, body: Buffer.from('v1') } } });
      await ctx.client.deleteTask({ name });
      clock.advanceMs(4_000);
      await ctx.rejects(ctx.client.createTask({ parent, task: { name, httpRequest: { url: URL } } }), 'ALREADY_EXISTS', TASK_EXISTS);
      await ctx.rejects(ctx.client.getTask({ name }), 'NOT_FOUND', TASK_TOO_RECENT);
      clock.advanceMs(1_001);
      await ctx.rejects(ctx.client.getTask({ name }), 'NOT_FOUND', ENTITY_MISSING);
      const [fresh] = await ctx.client.createTask({
        parent,
        task: { name, httpRequest: { url: URL, body: Buffer.from('v2') } },
        responseView: 'FULL',
      });
      assert.equal(fresh.name, name);
      assert.equal(bytesOf(fresh.httpRequest?.body).toString(), 'v2', 'a fresh task');
      assert.equal(toMicros(fresh.scheduleTime), clock.nowUs());
    });
  },
  () => ({ clock: new FakeClock(), settings: { taskTombstoneTtlMs: 5_000 } }),
);
