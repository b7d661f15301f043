/**
 * What a handler receives (https://cloud.google.com/tasks/docs/creating-http-target-tasks): method, path, body and headers byte for
 * byte, the X-CloudTasks-* counters across retries, redirects and timeouts as failures, the task's
 * counters through GetTask while it retries, App Engine routing, queue-level http_target.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { assertRpcError, PARENT, startTasklight, toMicros, type Tasklight } from '../helpers/tasklight';
import { durationMs, etaHeader, shortId, sleep, startHandler, waitFor, type RecordingHandler } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

/** Only a hang can exceed this; the machine's speed never decides a result. */
const HANG_MS = 30_000;

const FAST_RETRY = { minBackoff: durationMs(100), maxBackoff: durationMs(200), maxDoublings: 16 };

describe('dispatch: the request a handler receives', () => {
  const suite = useDispatchSuite({
    arrivalsOnEngineClock: true,
    settings: (h) => ({ appEngineBaseUrl: h.url, appEngineRoutes: { worker: `${h.url}/svc-worker` } }),
  });
  const { client, engine } = suite;
  let n = 0;

  async function newQueue(queue: Record<string, unknown> = {}): Promise<string> {
    const name = `${PARENT}/queues/delivery-${++n}`;
    await client().createQueue({ parent: PARENT, queue: { name, retryConfig: FAST_RETRY, ...queue } });
    return name;
  }

  async function finished(queue: string, taskId: string, timeoutMs = HANG_MS) {
    return waitFor(() => engine().history.finished(queue, taskId), timeoutMs, `task ${taskId} to finish`);
  }

  test('delivers method, path and query, body and caller headers byte for byte, case preserved', async () => {
    const queue = await newQueue();
    const body = Buffer.concat([Buffer.from('{"greeting":"grüß dich"}'), Buffer.from([0, 1, 0xfe, 0xff])]);
    const [task] = await client().createTask({
      parent: queue,
      task: {
        httpRequest: {
          url: `${suite.h.url}/deliver/exact?a=1&b=two%20words&c=%2F`,
          httpMethod: 'PUT',
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'X-Mixed-Case': 'Keep-Me',
            'lowercase-name': 'lower value',
            Authorization: 'Bearer caller-token',
          },
          body,
        },
      },
    });
    const [req] = await suite.h.waitForRequests(1, '/deliver/exact');
    assert.equal(req.method, 'PUT');
    assert.equal(req.url, '/deliver/exact?a=1&b=two%20words&c=%2F');
    assert.deepEqual(req.body, body);
    const id = shortId(task.name!);
    const expected: Record<string, string> = {
      Host: `127.0.0.1:${suite.h.port}`,
      'Content-Length': String(body.length),
      'Content-Type': 'application/json; charset=utf-8',
      'X-Mixed-Case': 'Keep-Me',
      'lowercase-name': 'lower value',
      // No token configured: the caller's Authorization passes through unchanged (§5.4).
      Authorization: 'Bearer caller-token',
      'User-Agent': 'Google-Cloud-Tasks',
      'X-CloudTasks-QueueName': shortId(queue),
      'X-CloudTasks-TaskName': id,
      'X-CloudTasks-TaskRetryCount': '0',
      'X-CloudTasks-TaskExecutionCount': '0',
      'X-CloudTasks-TaskETA': etaHeader(toMicros(task.scheduleTime)),
    };
    // Header names compared case-insensitively for the ones HTTP computes (Host, Content-Length),
    // exactly for everything the task or Cloud Tasks sets.
    const got = { ...req.rawHeaders };
    for (const computed of ['Host', 'Content-Length']) {
      const actual = Object.keys(got).find((k) => k.toLowerCase() === computed.toLowerCase());
      assert.ok(actual, `${computed} is missing`);
      got[computed] = got[actual]!;
      if (actual !== computed) delete got[actual];
    }
    delete got.connection; // transport-level keep-alive, if the client sends it
    assert.deepEqual(got, expected);
    assert.ok(!('X-CloudTasks-TaskPreviousResponse' in req.rawHeaders), 'first attempt has no PreviousResponse');
    assert.ok(!('X-CloudTasks-TaskRetryReason' in req.rawHeaders), 'first attempt has no RetryReason');
    const done = await finished(queue, id);
    assert.equal(done.outcome, 'succeeded');
  });

  test('sets no Content-Type the task did not set, forces the User-Agent and replaces spoofed service headers', async () => {
    const queue = await newQueue();
    const [task] = await client().createTask({
      parent: queue,
      task: {
        httpRequest: {
          url: `${suite.h.url}/deliver/plain`,
          body: Buffer.from('raw bytes, no type'),
          headers: { 'User-Agent': 'my-agent/1.0', 'X-CloudTasks-TaskName': 'spoofed', 'X-CloudTasks-TaskRetryCount': '99' },
        },
      },
    });
    const [req] = await suite.h.waitForRequests(1, '/deliver/plain');
    assert.equal(req.method, 'POST', 'POST is the default method');
    assert.equal(req.headers['content-type'], undefined, 'Content-Type must not be invented');
    assert.equal(req.headerNames.filter((k) => k.toLowerCase() === 'user-agent').length, 1);
    assert.equal(req.rawHeaders['User-Agent'], 'Google-Cloud-Tasks');
    assert.equal(req.headerNames.filter((k) => k.toLowerCase() === 'x-cloudtasks-taskname').length, 1);
    assert.equal(req.header('X-CloudTasks-TaskName'), shortId(task.name!));
    assert.equal(req.header('X-CloudTasks-TaskRetryCount'), '0');
    assert.equal(req.body.toString(), 'raw bytes, no type');
  });

  test('counts ExecutionCount only for answered non-5xx attempts (503, 404, 429, 500, 302, 200)', async () => {
    const queue = await newQueue();
    suite.h.script('/deliver/sequence', [
      503,
      404,
      429,
      500,
      { status: 302, redirect: `${suite.h.url}/deliver/sequence-moved` },
      200,
    ]);
    const [task] = await client().createTask({ parent: queue, task: { httpRequest: { url: `${suite.h.url}/deliver/sequence` } } });
    const id = shortId(task.name!);
    const reqs = await suite.h.waitForRequests(6, '/deliver/sequence', HANG_MS);
    const done = await finished(queue, id);
    assert.equal(done.outcome, 'succeeded');
    const rows = reqs.map((r) => ({
      retry: r.header('X-CloudTasks-TaskRetryCount'),
      execution: r.header('X-CloudTasks-TaskExecutionCount'),
      previous: r.header('X-CloudTasks-TaskPreviousResponse'),
      reason: r.header('X-CloudTasks-TaskRetryReason'),
    }));
    assert.deepEqual(rows, [
      { retry: '0', execution: '0', previous: undefined, reason: undefined },
      { retry: '1', execution: '0', previous: '503', reason: '' },
      { retry: '2', execution: '1', previous: '404', reason: '' },
      { retry: '3', execution: '2', previous: '429', reason: '' },
      { retry: '4', execution: '2', previous: '500', reason: '' },
      { retry: '5', execution: '3', previous: '302', reason: '' },
    ]);
    // Every attempt's ETA is that attempt's schedule time, as history recorded it.
    const attempts = engine().history.attemptsOf(queue, id);
    assert.deepEqual(attempts.map((a) => a.status), [503, 404, 429, 500, 302, 200]);
    assert.deepEqual(attempts.map((a) => a.outcome), ['http_error', 'http_error', 'http_error', 'http_error', 'redirect', 'success']);
    assert.deepEqual(reqs.map((r) => r.header('X-CloudTasks-TaskETA')), attempts.map((a) => etaHeader(a.schedule_us)));
    assert.equal(suite.h.to('/deliver/sequence-moved').length, 0, 'the redirect was followed');
    await assertRpcError(client().getTask({ name: task.name }), 'grpc', 'NOT_FOUND');
    await sleep(300);
    assert.equal(suite.h.to('/deliver/sequence').length, 6, 'a succeeded task was dispatched again');
  });

  test('a redirect is a failed attempt and is not followed', async () => {
    const queue = await newQueue({ retryConfig: { ...FAST_RETRY, maxAttempts: 2 } });
    suite.h.script('/deliver/redirect', [{ status: 301, redirect: '/deliver/redirect-target' }]);
    const [task] = await client().createTask({ parent: queue, task: { httpRequest: { url: `${suite.h.url}/deliver/redirect` } } });
    const id = shortId(task.name!);
    const done = await finished(queue, id);
    assert.equal(done.outcome, 'exhausted');
    const attempts = engine().history.attemptsOf(queue, id);
    assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [[301, 'redirect'], [301, 'redirect']]);
    assert.equal(suite.h.to('/deliver/redirect').length, 2);
    assert.equal(suite.h.to('/deliver/redirect-target').length, 0, 'the redirect was followed');
  });

  test('routes App Engine tasks to appEngineBaseUrl with X-AppEngine-* headers', async () => {
    const queue = await newQueue();
    suite.h.script('/ae/work', [503, 200]);
    const [task] = await client().createTask({
      parent: queue,
      task: {
        appEngineHttpRequest: {
          relativeUri: '/ae/work?job=7',
          body: Buffer.from('ae-body'),
          headers: { 'X-Custom': 'yes' },
        },
      },
    });
    const id = shortId(task.name!);
    const reqs = await suite.h.waitForRequests(2, '/ae/work', HANG_MS);
    const [first, second] = reqs as [(typeof reqs)[0], (typeof reqs)[0]];
    assert.equal(first.method, 'POST');
    assert.equal(first.url, '/ae/work?job=7');
    assert.equal(first.body.toString(), 'ae-body');
    assert.equal(first.rawHeaders['X-Custom'], 'yes');
    assert.equal(first.header('content-type'), 'application/octet-stream', 'App Engine defaults the Content-Type');
    assert.match(first.header('user-agent') ?? '', /^AppEngine-Google; \(\+http:\/\/code\.google\.com\/appengine\)/);
    assert.equal(first.rawHeaders['X-AppEngine-QueueName'], shortId(queue));
    assert.equal(first.rawHeaders['X-AppEngine-TaskName'], id);
    assert.equal(first.rawHeaders['X-AppEngine-TaskRetryCount'], '0');
    assert.equal(first.rawHeaders['X-AppEngine-TaskExecutionCount'], '0');
    assert.equal(first.rawHeaders['X-AppEngine-TaskETA'], etaHeader(toMicros(task.scheduleTime)));
    assert.equal(first.header('X-AppEngine-TaskPreviousResponse'), undefined);
    assert.equal(first.header('X-CloudTasks-TaskName'), undefined, 'App Engine tasks carry X-AppEngine-* headers');
    // App Engine counts an app's 503 as an execution and names the reason.
    assert.equal(second.rawHeaders['X-AppEngine-TaskRetryCount'], '1');
    assert.equal(second.rawHeaders['X-AppEngine-TaskExecutionCount'], '1');
    assert.equal(second.rawHeaders['X-AppEngine-TaskPreviousResponse'], '503');
    assert.equal(second.rawHeaders['X-AppEngine-TaskRetryReason'], 'App Error');
    assert.equal((await finished(queue, id)).outcome, 'succeeded');
  });

  test('App Engine retries report an app\'s 504 as "504, App Error" and a timeout as "0, Instance Unavailable"', async () => {
    const queue = await newQueue();
    suite.h.script('/ae/faults', [504, { hang: true }, 200]);
    const [task] = await client().createTask({
      parent: queue,
      task: { appEngineHttpRequest: { relativeUri: '/ae/faults' }, dispatchDeadline: { seconds: 1 } },
    });
    const reqs = await suite.h.waitForRequests(3, '/ae/faults', HANG_MS);
    const rows = reqs.map((r) => [
      r.header('X-AppEngine-TaskRetryCount'),
      r.header('X-AppEngine-TaskExecutionCount'),
      r.header('X-AppEngine-TaskPreviousResponse'),
      r.header('X-AppEngine-TaskRetryReason'),
    ]);
    assert.deepEqual(rows, [
      ['0', '0', undefined, undefined],
      ['1', '1', '504', 'App Error'],
      ['2', '1', '0', 'Instance Unavailable'],
    ]);
    assert.equal((await finished(queue, shortId(task.name!))).outcome, 'succeeded');
  });

  test('routes an App Engine service to its own URL from appEngineRoutes', async () => {
    const queue = await newQueue();
    await client().createTask({
      parent: queue,
      task: { appEngineHttpRequest: { relativeUri: '/ae/routed', httpMethod: 'GET', appEngineRouting: { service: 'worker' } } },
    });
    const [req] = await suite.h.waitForRequests(1, '/svc-worker/ae/routed');
    assert.equal(req.method, 'GET');
    assert.equal(suite.h.to('/ae/routed').length, 0);
  });

  test('applies a queue-level http_target (uri_override, header_overrides, oidc_token) at dispatch, to tasks already queued', async () => {
    const beta = suite.tl.beta('grpc');
    const name = `${PARENT}/queues/delivery-target-${++n}`;
    await beta.createQueue({ parent: PARENT, queue: { name, retryConfig: FAST_RETRY } });
    await beta.pauseQueue({ name });
    const [task] = await client().createTask({
      parent: name,
      task: {
        httpRequest: {
          url: 'http://original.invalid:9/original/path?keep=1',
          headers: { 'X-Env': 'task', 'X-Task-Only': 'kept' },
          oidcToken: { serviceAccountEmail: 'task-sa@tasklight-test.iam.gserviceaccount.com' },
        },
      },
    });
    await beta.updateQueue({
      queue: {
        name,
        httpTarget: {
          uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port: suite.h.port, pathOverride: { path: '/overridden' } },
          headerOverrides: [{ header: { key: 'X-Env', value: 'queue' } }, { header: { key: 'X-Added', value: 'by-queue' } }],
          oidcToken: { serviceAccountEmail: 'queue-sa@tasklight-test.iam.gserviceaccount.com', audience: 'https://queue-audience.example' },
        },
      },
      updateMask: { paths: ['http_target'] },
    });
    await beta.resumeQueue({ name });
    const [req] = await suite.h.waitForRequests(1, '/overridden');
    assert.equal(req.url, '/overridden?keep=1', 'host, port and path replaced; query kept');
    assert.equal(req.header('host'), `127.0.0.1:${suite.h.port}`);
    assert.equal(req.rawHeaders['X-Env'], 'queue', 'header_overrides replace a task header of the same name');
    assert.equal(req.rawHeaders['X-Added'], 'by-queue', 'header_overrides add new headers');
    assert.equal(req.rawHeaders['X-Task-Only'], 'kept');
    assert.equal(req.header('X-CloudTasks-TaskName'), shortId(task.name!));
    const auth = req.header('authorization') ?? '';
    assert.match(auth, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(auth.slice(7).split('.')[1]!, 'base64url').toString());
    assert.equal(claims.email, 'queue-sa@tasklight-test.iam.gserviceaccount.com', 'the queue-level token beats the task-level one');
    assert.equal(claims.aud, 'https://queue-audience.example');
  });

  test('a queue-level http_method GET replaces the method and drops the body at dispatch', async () => {
    const beta = suite.tl.beta('grpc');
    const name = `${PARENT}/queues/delivery-get-${++n}`;
    await beta.createQueue({
      parent: PARENT,
      queue: {
        name,
        retryConfig: FAST_RETRY,
        httpTarget: { httpMethod: 'GET', uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port: suite.h.port } },
      },
    });
    await client().createTask({
      parent: name,
      task: { httpRequest: { url: `http://elsewhere.invalid/deliver/get-override`, httpMethod: 'POST', body: Buffer.from('dropped') } },
    });
    const [req] = await suite.h.waitForRequests(1, '/deliver/get-override');
    assert.equal(req.method, 'GET');
    assert.equal(req.body.length, 0);
    assert.equal(req.header('content-length'), undefined);
  });
});

/**
 * A timeout on a FakeClock: the dispatch deadline and the backoff run on the clock the test moves,
 * so GetTask can look at the task between the steps without racing them.
 */
describe('dispatch: a timed-out attempt, step by step (FakeClock)', () => {
  const clock = new FakeClock();
  let tl: Tasklight;
  let h: RecordingHandler;
  before(async () => {
    h = await startHandler({ now: () => clock.nowUs() });
    tl = await startTasklight({ clock, settings: { dispatch: true, liftLimits: true } });
  });
  after(async () => {
    await tl?.close();
    await h?.close();
  });

  test('a timeout is retried with PreviousResponse 504 and ExecutionCount 0; GetTask shows the counters while it retries', async () => {
    const client = tl.client('grpc');
    const history = tl.server.engine.history;
    const queue = `${PARENT}/queues/timeout`;
    await client.createQueue({ parent: PARENT, queue: { name: queue, retryConfig: { minBackoff: durationMs(1000), maxBackoff: durationMs(1000), maxDoublings: 0 } } });
    h.script('/deliver/slow', [{ hang: true }, 500, 200]);
    const [task] = await client.createTask({
      parent: queue,
      task: { httpRequest: { url: `${h.url}/deliver/slow` }, dispatchDeadline: { seconds: 1 } },
    });
    const id = shortId(task.name!);
    assert.equal(Number(task.dispatchCount ?? 0), 0);

    // In flight: dispatch_count counts the attempt under way; nothing answered yet.
    await h.waitForRequests(1, '/deliver/slow', HANG_MS);
    const [inFlight] = await client.getTask({ name: task.name });
    assert.equal(Number(inFlight.dispatchCount), 1);
    assert.equal(Number(inFlight.responseCount ?? 0), 0);
    assert.ok(inFlight.firstAttempt?.dispatchTime, 'first_attempt.dispatch_time is set');
    assert.ok(inFlight.lastAttempt?.dispatchTime, 'last_attempt.dispatch_time is set');
    assert.equal(inFlight.lastAttempt?.responseTime ?? null, null, 'no response yet');
    const firstDispatch = toMicros(inFlight.firstAttempt!.dispatchTime);

    // The deadline passes.
    clock.advanceUs(1_000_000);
    await waitFor(() => history.attemptsOf(queue, id).length >= 1, HANG_MS, 'the timed-out attempt');

    // Timed out, backing off for 1 s: still dispatch_count 1, response_count 0, status DEADLINE_EXCEEDED.
    const [afterTimeout] = await client.getTask({ name: task.name });
    assert.equal(Number(afterTimeout.dispatchCount), 1);
    assert.equal(Number(afterTimeout.responseCount ?? 0), 0);
    assert.equal(afterTimeout.lastAttempt?.responseStatus?.code, 4, 'DEADLINE_EXCEEDED');
    assert.ok(afterTimeout.lastAttempt?.responseTime, 'last_attempt.response_time is set');
    assert.equal(toMicros(afterTimeout.firstAttempt!.dispatchTime), firstDispatch);
    const timeout = history.attemptsOf(queue, id)[0]!;
    assert.equal(timeout.outcome, 'timeout');
    assert.equal(timeout.status, null);
    assert.equal(timeout.duration_ms, 1000, 'timed out at the 1 s deadline');
    assert.equal(timeout.response_us, firstDispatch + 1_000_000);
    assert.equal(toMicros(afterTimeout.scheduleTime), timeout.response_us! + 1_000_000, 'retry at fail time + min_backoff');

    // The retry: PreviousResponse 504, ExecutionCount 0. It answers 500.
    clock.advanceUs(1_000_000);
    const reqs = await h.waitForRequests(2, '/deliver/slow', HANG_MS);
    assert.equal(reqs[1]!.atUs, timeout.response_us! + 1_000_000);
    assert.equal(reqs[1]!.header('X-CloudTasks-TaskRetryCount'), '1');
    assert.equal(reqs[1]!.header('X-CloudTasks-TaskExecutionCount'), '0');
    assert.equal(reqs[1]!.header('X-CloudTasks-TaskPreviousResponse'), '504');
    await waitFor(() => history.attemptsOf(queue, id).length >= 2, HANG_MS, 'the 500 attempt');
    const [after500] = await client.getTask({ name: task.name });
    assert.equal(Number(after500.dispatchCount), 2);
    assert.equal(Number(after500.responseCount), 1, 'response_count counts every answered attempt');
    assert.equal(after500.lastAttempt?.responseStatus?.code, 13, 'INTERNAL for a 500');
    assert.match(after500.lastAttempt?.responseStatus?.message ?? '', /500/);
    assert.equal(toMicros(after500.firstAttempt!.dispatchTime), firstDispatch, 'first_attempt never moves');

    clock.advanceUs(1_000_000);
    const last = await h.waitForRequests(3, '/deliver/slow', HANG_MS);
    assert.equal(last[2]!.header('X-CloudTasks-TaskExecutionCount'), '0', 'a 5xx is not an execution');
    assert.equal(last[2]!.header('X-CloudTasks-TaskPreviousResponse'), '500');
    const done = await waitFor(() => history.finished(queue, id), HANG_MS, `task ${id} to finish`);
    assert.equal(done.outcome, 'succeeded');
  });
});
