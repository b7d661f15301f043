/**
 * Hostile and malformed input over raw HTTP (fetch to the REST port) and raw gRPC (grpc-js with a
 * serializer that sends garbage). Every REST error must be the Google JSON error
 * `{"error":{"code","message","status","details"}}` (https://cloud.google.com/apis/design/errors); after every case the
 * server still answers and what was stored before is unchanged.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  CODES,
  PARENT,
  assertGoogleErrorBody,
  startTasklight,
  type GoogleErrorBody,
  type Tasklight,
} from '../helpers/tasklight';

const QUEUE = `${PARENT}/queues/stable`;
const TASK = `${QUEUE}/tasks/keep-me`;

let tl: Tasklight;
let snapshot: { queues: unknown; task: unknown };

async function state() {
  const c = tl.client('grpc');
  const [queues] = await c.listQueues({ parent: PARENT });
  const [task] = await c.getTask({ name: TASK, responseView: 'FULL' });
  const [tasks] = await c.listTasks({ parent: QUEUE });
  return JSON.parse(JSON.stringify({ queues, task, tasks }));
}

before(async () => {
  tl = await startTasklight();
  const c = tl.client('grpc');
  await c.createQueue({ parent: PARENT, queue: { name: QUEUE, rateLimits: { maxDispatchesPerSecond: 3 } } });
  await c.createTask({
    parent: QUEUE,
    task: { name: TASK, httpRequest: { url: 'http://localhost:9/x', body: Buffer.from('precious') } },
  });
  snapshot = await state();
});

afterEach(async () => {
  // The server still answers, over both transports, and nothing changed.
  assert.deepEqual(await state(), snapshot);
  const [q] = await tl.client('rest').getQueue({ name: QUEUE });
  assert.equal(q.rateLimits?.maxDispatchesPerSecond, 3);
});

after(async () => {
  await tl?.close();
});

const url = (p: string) => `${tl.server.httpUrl}${p}`;

/** Sends a raw request and asserts the Google error JSON with this HTTP status / canonical status. */
async function expectRestError(
  method: string,
  path: string,
  body: string | undefined,
  expected: { http: number | number[]; status?: string; message?: RegExp },
): Promise<GoogleErrorBody> {
  const res = await fetch(url(path), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  const allowed = Array.isArray(expected.http) ? expected.http : [expected.http];
  assert.ok(allowed.includes(res.status), `HTTP ${res.status} not in ${allowed}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`error body is not JSON: ${text.slice(0, 200)}`);
  }
  assertGoogleErrorBody(parsed, res.status);
  if (expected.status) assert.equal(parsed.error.status, expected.status, text);
  if (expected.message) assert.match(parsed.error.message, expected.message);
  return parsed;
}

const TASKS_PATH = `/v2/${QUEUE}/tasks`;

describe('REST: malformed requests get Google JSON errors', () => {
  test('malformed JSON is 400 INVALID_ARGUMENT', async () => {
    for (const body of ['{"task": ', '{task: 1}', 'not json at all', '{"task":{}}}']) {
      await expectRestError('POST', TASKS_PATH, body, { http: 400, status: 'INVALID_ARGUMENT', message: /Invalid JSON payload/ });
    }
  });

  test('a JSON root that is not an object is 400 INVALID_ARGUMENT', async () => {
    for (const body of ['[]', '"x"', '42', 'null']) {
      await expectRestError('POST', TASKS_PATH, body, { http: 400, status: 'INVALID_ARGUMENT' });
    }
  });

  test('wrong JSON types (string for pageSize, number for url, object for a string) are 400', async () => {
    await expectRestError('GET', `${TASKS_PATH}?pageSize=abc`, undefined, { http: 400, status: 'INVALID_ARGUMENT' });
    await expectRestError('GET', `/v2/${PARENT}/queues?pageSize=1.5`, undefined, { http: 400, status: 'INVALID_ARGUMENT' });
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: { httpRequest: { url: 123 } } }), {
      http: 400,
      status: 'INVALID_ARGUMENT',
      message: /task\.http_request\.url/,
    });
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: { httpRequest: { url: { a: 1 } } } }), { http: 400, status: 'INVALID_ARGUMENT' });
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: 'a task' }), { http: 400, status: 'INVALID_ARGUMENT' });
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: { httpRequest: { url: 'http://x/', body: '%%%not base64%%%' } } }), {
      http: 400,
      status: 'INVALID_ARGUMENT',
    });
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: { httpRequest: { url: 'http://x/' }, scheduleTime: 'tomorrow' } }), {
      http: 400,
      status: 'INVALID_ARGUMENT',
    });
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: { httpRequest: { url: 'http://x/', httpMethod: 'FETCH' } } }), {
      http: 400,
      status: 'INVALID_ARGUMENT',
    });
    await expectRestError('POST', `/v2/${PARENT}/queues`, JSON.stringify({ name: `${PARENT}/queues/typed`, rateLimits: { maxConcurrentDispatches: 'many' } }), {
      http: 400,
      status: 'INVALID_ARGUMENT',
    });
  });

  test('unknown fields are 400 "Unknown name"', async () => {
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: { httpRequest: { url: 'http://x/' }, bogus: 1 } }), {
      http: 400,
      status: 'INVALID_ARGUMENT',
      message: /Unknown name "bogus"/,
    });
    await expectRestError('POST', `/v2/${PARENT}/queues`, JSON.stringify({ name: `${PARENT}/queues/unknown`, rateLimit: { maxDispatchesPerSecond: 1 } }), {
      http: 400,
      status: 'INVALID_ARGUMENT',
      message: /Unknown name "rateLimit"/,
    });
    await expectRestError('GET', `${TASKS_PATH}?noSuchParam=1`, undefined, { http: 400, status: 'INVALID_ARGUMENT', message: /Unknown name "noSuchParam"/ });
  });

  test('an oversize body is 413 or 400 in Google JSON form', async () => {
    const huge = JSON.stringify({ task: { httpRequest: { url: 'http://x/', body: Buffer.alloc(6 * 1024 * 1024, 1).toString('base64') } } });
    await expectRestError('POST', TASKS_PATH, huge, { http: [413, 400], status: 'INVALID_ARGUMENT' });
    // Within the HTTP limit but over the 1 MiB task limit.
    const big = JSON.stringify({ task: { httpRequest: { url: 'http://x/', body: Buffer.alloc(1024 * 1024 + 10, 1).toString('base64') } } });
    await expectRestError('POST', TASKS_PATH, big, { http: 400, status: 'INVALID_ARGUMENT' });
  });

  test('names with invalid characters in REST paths are 400 INVALID_ARGUMENT', async () => {
    await expectRestError('GET', `/v2/${PARENT}/queues/bad_name`, undefined, {
      http: 400,
      status: 'INVALID_ARGUMENT',
      message: /^Queue name must be formatted: "projects\/<PROJECT_ID>\/locations\/<LOCATION_ID>\/queues\/<QUEUE_ID>"\.$/,
    });
    await expectRestError('GET', `/v2/${QUEUE}/tasks/bad.id`, undefined, {
      http: 400,
      status: 'INVALID_ARGUMENT',
      message: /^Task ID "bad\.id" can contain only letters/,
    });
    await expectRestError('POST', `/v2/${PARENT}/queues/bad%20name:pause`, '{}', { http: 400, status: 'INVALID_ARGUMENT' });
    await expectRestError('GET', `/v2/projects/p%ZZ/locations/us-central1/queues`, undefined, { http: 400, status: 'INVALID_ARGUMENT' });
  });

  test('an unknown route or verb is a Google JSON error, not an HTML page', async () => {
    await expectRestError('GET', '/v2/nothing/here', undefined, { http: [404, 400] });
    await expectRestError('POST', `/v2/${QUEUE}:explode`, '{}', { http: [404, 400] });
  });

  test('a request body on GET/DELETE is rejected', async () => {
    await expectRestError('DELETE', `/v2/${TASK}`, JSON.stringify({ name: 'x' }), { http: 400, status: 'INVALID_ARGUMENT' });
  });

  test('semantically invalid requests keep the Google error shape (404, 409)', async () => {
    const notFound = await expectRestError('GET', `/v2/${PARENT}/queues/absent`, undefined, { http: 404, status: 'NOT_FOUND' });
    assert.match(notFound.error.message, /^Queue does not exist\./);
    await expectRestError('POST', TASKS_PATH, JSON.stringify({ task: { name: TASK, httpRequest: { url: 'http://x/' } } }), {
      http: 409,
      status: 'ALREADY_EXISTS',
      message: /^Requested entity already exists$/,
    });
  });
});

describe('gRPC: garbage messages', () => {
  let raw: grpc.Client;
  before(() => {
    raw = new grpc.Client(`127.0.0.1:${tl.server.grpcPort}`, grpc.credentials.createInsecure());
  });
  after(() => raw.close());

  /** Deterministic pseudo-random bytes (xorshift32). */
  function garbage(seed: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  }

  function call(method: string, bytes: Buffer): Promise<grpc.ServiceError | null> {
    return new Promise((resolve) => {
      raw.makeUnaryRequest(
        method,
        () => bytes,
        (b: Buffer) => b,
        {},
        { deadline: Date.now() + 5000 },
        (err) => resolve(err),
      );
    });
  }

  const payloads: Array<[string, Buffer]> = [
    ['invalid wire type', Buffer.from([0x0f, 0x01, 0x02])],
    ['length beyond the message', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x61])],
    ['truncated varint', Buffer.from([0x08, 0xff, 0xff, 0xff])],
    ['random bytes (seed 1)', garbage(1, 257)],
    ['random bytes (seed 42)', garbage(42, 4096)],
  ];

  for (const method of [
    '/google.cloud.tasks.v2.CloudTasks/CreateTask',
    '/google.cloud.tasks.v2.CloudTasks/CreateQueue',
    '/google.cloud.tasks.v2.CloudTasks/DeleteQueue',
    '/google.cloud.tasks.v2beta3.CloudTasks/UpdateQueue',
  ]) {
    test(`${method.split('/').pop()} with garbage bytes as the message is INVALID_ARGUMENT`, async () => {
      for (const [what, bytes] of payloads) {
        const err = await call(method, bytes);
        assert.ok(err, `${what}: the call succeeded`);
        assert.equal(err.code, CODES.INVALID_ARGUMENT, `${what}: ${err.code} ${err.details}`);
        assert.ok(err.details.length > 0, `${what}: empty message`);
      }
    });
  }

  test('an unknown gRPC method is UNIMPLEMENTED', async () => {
    const err = await call('/google.cloud.tasks.v2.CloudTasks/NoSuchMethod', Buffer.alloc(0));
    assert.equal(err?.code, CODES.UNIMPLEMENTED);
  });
});
