/**
 * firebase-admin's TaskQueue (the real npm package) against Tasklight through
 * CLOUD_TASKS_EMULATOR_HOST (https://firebase.google.com/docs/functions/task-functions): enqueue with every option, the empty URL resolved
 * to a per-queue default or the Functions emulator template, unknown queues auto-created on the
 * unversioned path, delete (404 swallowed), duplicate IDs. A recording proxy in front of Tasklight
 * checks the paths and headers the SDK sends.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFunctions } from 'firebase-admin/functions';
import { startServer, type RunningServer } from '../../src/main/server';

const PROJECT = 'fb-proj';
const SA = 'tasks@fb-proj.iam.gserviceaccount.com';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

function listen(server: http.Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

describe('firebase-admin TaskQueue via CLOUD_TASKS_EMULATOR_HOST', () => {
  let tl: RunningServer;
  let app: App;
  let proxy: http.Server;
  let fn: http.Server;
  const sdkRequests: Seen[] = [];
  const dispatched: Seen[] = [];
  let fnPort = 0;
  const savedEnv = process.env.CLOUD_TASKS_EMULATOR_HOST;

  before(async () => {
    // The "Functions emulator": receives the dispatched tasks.
    fn = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => {
        dispatched.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    fnPort = await listen(fn);
    tl = await startServer({
      inMemory: true,
      grpcPort: 0,
      httpPort: 0,
      rendererDir: null,
      settings: {
        functionsEmulatorUrl: `http://127.0.0.1:${fnPort}/{project}/{location}/{queue}`,
        defaultTargetUrls: { [`projects/${PROJECT}/locations/us-central1/queues/with-default`]: `http://127.0.0.1:${fnPort}/custom-path` },
      },
    });
    // Records what the SDK sends, then forwards it to Tasklight unchanged.
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c)).on('end', () => {
        const body = Buffer.concat(chunks);
        sdkRequests.push({ method: req.method!, url: req.url!, headers: req.headers, body: body.toString() });
        const fwd = http.request(`${tl.httpUrl}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(tl.httpUrl).host } }, (r) => {
          res.writeHead(r.statusCode!, r.headers);
          r.pipe(res);
        });
        fwd.end(body);
      });
    });
    const proxyPort = await listen(proxy);
    process.env.CLOUD_TASKS_EMULATOR_HOST = `127.0.0.1:${proxyPort}`;
    app = initializeApp({ projectId: PROJECT, serviceAccountId: SA }, 'tasklight-test');
  });

  after(async () => {
    if (savedEnv === undefined) delete process.env.CLOUD_TASKS_EMULATOR_HOST;
    else process.env.CLOUD_TASKS_EMULATOR_HOST = savedEnv;
    await deleteApp(app);
    proxy.close();
    fn.close();
    await tl.close();
  });

  it('enqueue sends the §13.7 request, auto-creates the queue and dispatches to the Functions emulator URL', async () => {
    const queue = getFunctions(app).taskQueue('sendWelcome');
    const before = Date.now();
    await queue.enqueue({ user: 'ada' }, { id: 'welcome-ada', scheduleDelaySeconds: 0, dispatchDeadlineSeconds: 60, headers: { 'X-Trace': 't1' } });

    const req = sdkRequests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, `/projects/${PROJECT}/locations/us-central1/queues/sendWelcome/tasks`, 'no /v2 prefix');
    assert.equal(req.headers.authorization, 'Bearer owner');
    assert.match(String(req.headers['x-firebase-client']), /^fire-admin-node\//);
    const { task } = JSON.parse(req.body);
    assert.equal(task.name, `projects/${PROJECT}/locations/us-central1/queues/sendWelcome/tasks/welcome-ada`);
    assert.equal(task.httpRequest.url, '', 'the SDK leaves the URL to the emulator');
    assert.equal(Buffer.from(task.httpRequest.body, 'base64').toString(), JSON.stringify({ data: { user: 'ada' } }));
    assert.deepEqual(task.httpRequest.headers, { 'Content-Type': 'application/json', 'X-Trace': 't1' });
    assert.deepEqual(task.httpRequest.oidcToken, { serviceAccountEmail: SA });
    assert.equal(task.dispatchDeadline, '60s');
    assert.ok(Date.parse(task.scheduleTime) >= before - 1000);

    const queueRow = tl.engine.getQueue(`projects/${PROJECT}/locations/us-central1/queues/sendWelcome`);
    assert.equal(queueRow.state, 'RUNNING', 'created on first use');
    assert.ok(await tl.engine.waitUntilIdle(undefined, 10_000));
    const hit = dispatched.find((d) => d.url === `/${PROJECT}/us-central1/sendWelcome`);
    assert.ok(hit, `dispatched to the Functions emulator URL; saw ${dispatched.map((d) => d.url)}`);
    assert.equal(hit.body, JSON.stringify({ data: { user: 'ada' } }));
    assert.equal(hit.headers['x-cloudtasks-taskname'], 'welcome-ada');
    assert.equal(hit.headers['x-cloudtasks-queuename'], 'sendWelcome');
    assert.equal(hit.headers['x-trace'], 't1');
    assert.match(String(hit.headers.authorization), /^Bearer ey/, 'an OIDC token for the handler');
  });

  it('a per-queue default target URL wins; an explicit uri is kept', async () => {
    await getFunctions(app).taskQueue('with-default').enqueue({ n: 1 });
    await getFunctions(app).taskQueue('explicit').enqueue({ n: 2 }, { uri: `http://127.0.0.1:${fnPort}/explicit-uri` });
    assert.ok(await tl.engine.waitUntilIdle(undefined, 10_000));
    assert.ok(dispatched.some((d) => d.url === '/custom-path' && d.body === '{"data":{"n":1}}'));
    assert.ok(dispatched.some((d) => d.url === '/explicit-uri' && d.body === '{"data":{"n":2}}'));
  });

  // (Extension queues, `ext-<id>-<fn>`, make the SDK probe Compute Engine credentials first, which
  // this machine has none of; the path is the same shape as below.)
  it('qualified function names map to their location and queue', async () => {
    await getFunctions(app).taskQueue(`locations/europe-west1/functions/regional`).enqueue({ a: 2 });
    assert.equal(sdkRequests.at(-1)!.url, `/projects/${PROJECT}/locations/europe-west1/queues/regional/tasks`);
    assert.ok(tl.engine.getQueue(`projects/${PROJECT}/locations/europe-west1/queues/regional`));
  });

  it('a duplicate ID is functions/task-already-exists; delete works and a missing task is ignored', async () => {
    const queue = getFunctions(app).taskQueue('later');
    const inAnHour = new Date(Date.now() + 3_600_000);
    await queue.enqueue({ x: 1 }, { id: 'once', scheduleTime: inAnHour });
    await assert.rejects(queue.enqueue({ x: 1 }, { id: 'once' }), (err: any) => err.code === 'functions/task-already-exists');
    const name = `projects/${PROJECT}/locations/us-central1/queues/later/tasks/once`;
    assert.equal(tl.engine.getTask(name, 'BASIC').name, name);
    await queue.delete('once');
    const del = sdkRequests.at(-1)!;
    assert.equal(del.method, 'DELETE');
    assert.equal(del.url, `/projects/${PROJECT}/locations/us-central1/queues/later/tasks/once`);
    assert.throws(() => tl.engine.getTask(name, 'BASIC'), /no longer exists|not found/i);
    await queue.delete('never-existed'); // 404 swallowed by the SDK
  });

  it('with autoCreateQueues off, an unknown queue is an error; /v2 keeps production rules', async () => {
    (tl.engine.settings as { autoCreateQueues: boolean }).autoCreateQueues = false;
    try {
      await assert.rejects(getFunctions(app).taskQueue('nobody-declared').enqueue({}), (err: any) => /not-found|NOT_FOUND/i.test(`${err.code} ${err.message}`));
    } finally {
      (tl.engine.settings as { autoCreateQueues: boolean }).autoCreateQueues = true;
    }
    const res = await fetch(`${tl.httpUrl}/v2/projects/${PROJECT}/locations/us-central1/queues/later/tasks`, {
      method: 'POST',
      body: JSON.stringify({ task: { httpRequest: { url: '' } } }),
    });
    assert.equal(res.status, 400, 'an empty URL is INVALID_ARGUMENT on /v2');
  });
});
