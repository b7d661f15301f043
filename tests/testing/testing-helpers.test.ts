/**
 * tasklight/testing used the way an application's test suite uses it: an app with a task handler,
 * tasks created through the official client, waitForIdle instead of sleeps, assertions on the
 * recorded attempts. Also the raw HTTP test contract (/api/...) and its errors.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectTasklight, startTasklight, type Tasklight } from '../../src/main/testing';

const PARENT = 'projects/shop/locations/us-central1';
const EMAILS = `${PARENT}/queues/emails`;

/** The application under test: /send-email fails the first time per order, then succeeds. */
function startApp(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const failedOnce = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { order } = JSON.parse(body || '{}');
      seen.push(`${req.headers['x-cloudtasks-taskretrycount']}:${order}`);
      if (!failedOnce.has(order)) {
        failedOnce.add(order);
        res.writeHead(503).end('try later');
      } else res.writeHead(200).end('sent');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

describe('tasklight/testing in an app test suite', () => {
  let tl: Tasklight;
  let app: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    app = await startApp();
    tl = await startTasklight({
      config: { project: 'shop', queues: [{ id: 'emails', retryConfig: { minBackoff: '0.05s', maxBackoff: '0.1s' } }] },
    });
  });
  after(async () => {
    await tl.stop();
    await app.close();
  });

  it('asserts on dispatches and retries with no sleeps', async () => {
    const client = tl.client();
    for (const order of ['o-1', 'o-2']) {
      await client.createTask({
        parent: EMAILS,
        task: {
          name: `${EMAILS}/tasks/${order}`,
          httpRequest: { url: `${app.url}/send-email`, httpMethod: 'POST', body: Buffer.from(JSON.stringify({ order })) },
        },
      });
    }
    await tl.waitForDone(EMAILS, 10_000);
    const attempts = await tl.attempts({ queue: EMAILS });
    assert.equal(attempts.length, 4);
    assert.deepEqual(attempts.filter((a) => a.taskId === 'o-1').map((a) => [a.attempt, a.status, a.outcome]), [
      [1, 503, 'http_error'],
      [2, 200, 'success'],
    ]);
    const ok = await tl.attempts({ queue: EMAILS, status: '2xx' });
    assert.deepEqual(ok.map((a) => a.taskId).sort(), ['o-1', 'o-2']);
    const first = attempts[0]!;
    assert.equal(first.request.method, 'POST');
    assert.equal(first.request.url, `${app.url}/send-email`);
    assert.equal(first.request.headers['X-CloudTasks-QueueName'], 'emails');
    assert.match(first.dispatchTime, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.equal(Buffer.from(first.response!.body!, 'base64').toString(), 'try later');
    assert.deepEqual((await tl.attempts({ task: `${EMAILS}/tasks/o-2`, outcome: 'http_error' })).length, 1);
    assert.equal(app.seen.length, 4);
  });

  it('waitForIdle does not wait for tasks scheduled later; waitForDone times out on a paused queue', async () => {
    await tl.restClient().pauseQueue({ name: EMAILS });
    await tl.client().createTask({ parent: EMAILS, task: { httpRequest: { url: `${app.url}/x` } } });
    await tl.waitForIdle(EMAILS, 1000);
    await assert.rejects(tl.waitForDone(EMAILS, 200), /did not all finish within 200 ms/);
    await tl.restClient().resumeQueue({ name: EMAILS });
    await tl.waitForDone(EMAILS, 5000);
  });

  it('reset starts the next test from the config again; forgetNames frees task names', async () => {
    await tl.reset();
    assert.deepEqual(await tl.attempts(), []);
    const [queue] = await tl.restClient().getQueue({ name: EMAILS });
    assert.equal(queue.name, EMAILS, 'the config queue is back after reset');
    const client = tl.client();
    await client.pauseQueue({ name: EMAILS }); // keep the task until it is deleted
    const name = `${EMAILS}/tasks/again`;
    await client.createTask({ parent: EMAILS, task: { name, httpRequest: { url: `${app.url}/x` } } });
    await client.deleteTask({ name });
    await assert.rejects(client.createTask({ parent: EMAILS, task: { name, httpRequest: { url: `${app.url}/x` } } }), {
      code: 6, // ALREADY_EXISTS, exactly: the name is still reserved
      message: /^6 ALREADY_EXISTS: /,
    });
    assert.ok((await tl.forgetNames(EMAILS)) >= 1);
    await client.createTask({ parent: EMAILS, task: { name, httpRequest: { url: `${app.url}/x` } } });
    await client.resumeQueue({ name: EMAILS });
    await tl.waitForDone();
  });

  it('advanceClock fires a task scheduled for tomorrow now', async () => {
    const client = tl.client();
    const tomorrow = Math.floor(Date.now() / 1000) + 86_400;
    await client.createTask({
      parent: EMAILS,
      task: { name: `${EMAILS}/tasks/day-1`, scheduleTime: { seconds: tomorrow }, httpRequest: { url: `${app.url}/remind`, body: Buffer.from('{"order":"r"}') } },
    });
    await tl.waitForIdle(EMAILS);
    assert.deepEqual(await tl.attempts({ task: 'day-1' }), [], 'not due yet');
    const moved = await tl.advanceClock(EMAILS, 86_400 + 60);
    assert.equal(moved.queue, EMAILS);
    assert.ok(moved.clockOffsetSeconds >= 86_400);
    await tl.waitForIdle(EMAILS);
    const attempts = await tl.attempts({ task: 'day-1' });
    assert.ok(attempts.length >= 1);
  });

  it('connectTasklight talks to a running instance by its URLs (as under serve --exec)', async () => {
    const other = connectTasklight({ grpcEndpoint: tl.grpcEndpoint, httpUrl: tl.httpUrl });
    assert.equal(other.env.CLOUD_TASKS_EMULATOR_HOST, new URL(tl.httpUrl).host);
    const [queues] = await other.client().listQueues({ parent: PARENT });
    assert.ok(queues.some((q) => q.name === EMAILS));
    await other.stop();
  });
});

describe('HTTP test contract', () => {
  let tl: Tasklight;
  before(async () => {
    tl = await startTasklight({ config: { project: 'shop', queues: [{ id: 'emails', state: 'PAUSED' }] } });
  });
  after(() => tl.stop());

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${tl.httpUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json() as any };
  };

  it('answers each route with its contract shape', async () => {
    assert.deepEqual(await call('POST', '/api/forget-names', {}), { status: 200, json: { released: 0 } });
    assert.deepEqual(await call('POST', '/api/wait-idle', { queue: EMAILS, timeoutMs: 1000 }), { status: 200, json: { idle: true } });
    assert.deepEqual(await call('GET', `/api/attempts?queue=${encodeURIComponent(EMAILS)}&limit=5`), { status: 200, json: { attempts: [] } });
    const advanced = await call('POST', '/api/advance-clock', { queue: EMAILS, seconds: 30 });
    assert.deepEqual(advanced, { status: 200, json: { queue: EMAILS, clockOffsetSeconds: 30 } });
    assert.deepEqual(await call('POST', '/api/reset'), { status: 200, json: {} });
  });

  it('errors are Google JSON errors; state changes need POST and same origin', async () => {
    const missing = await call('POST', '/api/wait-idle', { queue: `${PARENT}/queues/nope`, timeoutMs: 10 });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.status, 'NOT_FOUND');
    const badName = await call('POST', '/api/advance-clock', { queue: 'emails', seconds: 1 });
    assert.equal(badName.status, 400);
    assert.equal(badName.json.error.status, 'INVALID_ARGUMENT');
    const badSeconds = await call('POST', '/api/advance-clock', { queue: EMAILS, seconds: -1 });
    assert.equal(badSeconds.json.error.status, 'INVALID_ARGUMENT');
    const badJson = await fetch(`${tl.httpUrl}/api/forget-names`, { method: 'POST', body: '{oops' });
    assert.equal(badJson.status, 400);
    assert.equal((await call('GET', '/api/attempts?status=teapot')).status, 400);
    assert.equal((await call('GET', '/api/attempts?limit=0')).status, 400);
    const wrongMethod = await call('GET', '/api/reset');
    assert.equal(wrongMethod.status, 405);
    assert.deepEqual(Object.keys(wrongMethod.json.error).sort(), ['code', 'details', 'message', 'status']);
    const crossOrigin = await call('POST', '/api/reset', {}, { Origin: 'https://evil.example' });
    assert.equal(crossOrigin.status, 403);
  });
});
