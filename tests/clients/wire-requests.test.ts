/**
 * Clients this machine cannot install (gcloud, Python, Go, Java REST transports): the HTTP requests
 * they send, as the reference records them (§11, §13.3-13.6), and Tasklight's answers. gRPC
 * clients of those languages speak the same protocol as the Node client tested in tests/api.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/main/server';

const PARENT = 'projects/my-proj/locations/us-central1';

describe('requests of gcloud and the Python/Go/Java REST transports', () => {
  let tl: RunningServer;
  before(async () => {
    tl = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
  });
  after(() => tl.close());

  /** gcloud/apitools: base URL from CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDTASKS with its trailing slash + "v2/...". */
  const gcloud = async (method: string, path: string, body?: unknown) => {
    const base = `${tl.httpUrl}/`; // the override ends with '/'
    const res = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}alt=json`, {
      method,
      headers: { 'content-type': 'application/json', 'user-agent': 'google-cloud-sdk gcloud/500.0.0 command/gcloud.tasks', 'accept-encoding': 'gzip, deflate' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  it('gcloud tasks queues create/update/pause/describe/list with names for enums and httpTarget masks', async () => {
    const created = await gcloud('POST', `v2/${PARENT}/queues`, {
      name: `${PARENT}/queues/q1`,
      retryConfig: { maxAttempts: 5, minBackoff: '1s' },
      rateLimits: { maxDispatchesPerSecond: 10 },
    });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    assert.equal(created.json.state, 'RUNNING', 'enum names without enum-encoding=int');
    assert.equal(created.json.retryConfig.minBackoff, '1s');

    const updated = await gcloud('PATCH', `v2/${PARENT}/queues/q1?updateMask=retryConfig.maxAttempts,rateLimits.maxConcurrentDispatches`, {
      retryConfig: { maxAttempts: 9 },
      rateLimits: { maxConcurrentDispatches: 3 },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    assert.equal(updated.json.retryConfig.maxAttempts, 9);
    assert.equal(updated.json.rateLimits.maxConcurrentDispatches, 3);

    const routed = await gcloud('PATCH', `v2/${PARENT}/queues/q1?updateMask=httpTarget.uriOverride,httpTarget.httpMethod,httpTarget.headerOverrides`, {
      httpTarget: {
        uriOverride: { scheme: 'HTTP', host: 'localhost', port: '8080', uriOverrideEnforceMode: 'ALWAYS' },
        httpMethod: 'PUT',
        headerOverrides: [{ header: { key: 'X-Env', value: 'dev' } }],
      },
    });
    assert.equal(routed.status, 200, JSON.stringify(routed.json));
    assert.deepEqual(routed.json.httpTarget.uriOverride, { scheme: 'HTTP', host: 'localhost', port: '8080', uriOverrideEnforceMode: 'ALWAYS' });
    assert.equal(routed.json.httpTarget.httpMethod, 'PUT');

    const cleared = await gcloud('PATCH', `v2/${PARENT}/queues/q1?updateMask=httpTarget`, {});
    assert.equal(cleared.json.httpTarget, undefined);

    assert.equal((await gcloud('POST', `v2/${PARENT}/queues/q1:pause`, {})).json.state, 'PAUSED');
    assert.equal((await gcloud('GET', `v2/${PARENT}/queues/q1`)).json.state, 'PAUSED');
    const listed = await gcloud('GET', `v2/${PARENT}/queues?filter=state%3APAUSED&pageSize=100`);
    assert.deepEqual(listed.json.queues.map((q: any) => q.name), [`${PARENT}/queues/q1`]);
    assert.equal((await gcloud('POST', `v2/${PARENT}/queues/q1:resume`, {})).json.state, 'RUNNING');
  });

  it('gcloud tasks create-http-task, describe (FULL), run and delete', async () => {
    await gcloud('POST', `v2/${PARENT}/queues`, { name: `${PARENT}/queues/q2` });
    const created = await gcloud('POST', `v2/${PARENT}/queues/q2/tasks`, {
      task: {
        name: `${PARENT}/queues/q2/tasks/t1`,
        httpRequest: { url: 'http://localhost:8080/h', httpMethod: 'POST', body: 'eyJhIjoxfQ==', headers: { 'Content-Type': 'application/json' } },
        scheduleTime: '2099-01-01T00:00:00Z',
      },
    });
    assert.ok(created.status === 200 || /too far in the future/.test(created.json.error?.message), JSON.stringify(created.json));
    const now = await gcloud('POST', `v2/${PARENT}/queues/q2/tasks`, {
      task: { name: `${PARENT}/queues/q2/tasks/t2`, httpRequest: { url: 'http://localhost:8080/h', httpMethod: 'POST', body: 'eyJhIjoxfQ==' } },
      responseView: 'FULL',
    });
    assert.equal(now.status, 200, JSON.stringify(now.json));
    assert.equal(now.json.httpRequest.httpMethod, 'POST');
    assert.equal(now.json.httpRequest.body, 'eyJhIjoxfQ==');
    assert.equal(now.json.view, 'FULL');
    const described = await gcloud('GET', `v2/${PARENT}/queues/q2/tasks/t2?responseView=FULL`);
    assert.equal(described.json.httpRequest.body, 'eyJhIjoxfQ==');
    const basic = await gcloud('GET', `v2/${PARENT}/queues/q2/tasks/t2`);
    assert.equal(basic.json.httpRequest.body, undefined, 'BASIC view omits the body');
    assert.equal((await gcloud('DELETE', `v2/${PARENT}/queues/q2/tasks/t2`)).status, 200);
    const gone = await gcloud('GET', `v2/${PARENT}/queues/q2/tasks/t2`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.status, 'NOT_FOUND');
  });

  it('snake_case update masks and field names (Python/Go REST transports), $alt and numeric enums', async () => {
    const path = `/v2/${PARENT}/queues/q3`;
    const create = await fetch(`${tl.httpUrl}/v2/${PARENT}/queues?%24alt=json%3Benum-encoding%3Dint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-client': 'gl-python/3.12 rest/2.0 gapic/2.16.0' },
      body: JSON.stringify({ name: `${PARENT}/queues/q3`, rate_limits: { max_dispatches_per_second: 2 } }),
    });
    const q = (await create.json()) as any;
    assert.equal(create.status, 200, JSON.stringify(q));
    assert.equal(q.state, 1, 'numeric enums when enum-encoding=int');
    assert.equal(q.rateLimits.maxDispatchesPerSecond, 2);
    const patch = await fetch(`${tl.httpUrl}${path}?updateMask=rate_limits.max_dispatches_per_second%2Cretry_config.max_attempts&%24alt=json%3Benum-encoding%3Dint`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-goog-request-params': `queue.name=${encodeURIComponent(`${PARENT}/queues/q3`)}` },
      body: JSON.stringify({ rate_limits: { max_dispatches_per_second: 7 }, retry_config: { max_attempts: 4 } }),
    });
    const patched = (await patch.json()) as any;
    assert.equal(patch.status, 200, JSON.stringify(patched));
    assert.equal(patched.rateLimits.maxDispatchesPerSecond, 7);
    assert.equal(patched.retryConfig.maxAttempts, 4);
    const task = await fetch(`${tl.httpUrl}${path}/tasks?%24alt=json%3Benum-encoding%3Dint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: { http_request: { url: 'http://localhost:8080/go', http_method: 2 } }, response_view: 2 }),
    });
    const t = (await task.json()) as any;
    assert.equal(task.status, 200, JSON.stringify(t));
    assert.equal(t.httpRequest.httpMethod, 2, 'GET as a number');
    const listLocations = await fetch(`${tl.httpUrl}/v1/projects/my-proj/locations?alt=json`);
    assert.equal(listLocations.status, 200);
  });

  it('errors come back in the Google JSON form every client parses', async () => {
    const res = await gcloud('POST', `v2/${PARENT}/queues`, { name: `${PARENT}/queues/bad_name` });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.json.error).sort(), ['code', 'details', 'message', 'status']);
    assert.equal(res.json.error.status, 'INVALID_ARGUMENT');
  });
});
