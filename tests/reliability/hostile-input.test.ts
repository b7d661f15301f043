/**
 * Input that can never be dispatched is refused at CreateTask with INVALID_ARGUMENT naming the
 * field, over gRPC and REST and on v2 and v2beta3, and nothing is stored: ListTasks shows the same
 * tasks after every refusal as before it.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lookupType } from '../../src/main/core/protos';
import {
  assertGoogleErrorBody,
  assertRpcError,
  CODES,
  PARENT,
  startTasklight,
  TRANSPORTS,
  type CodeName,
  type Tasklight,
  type Transport,
} from '../helpers/tasklight';

const QUEUE = `${PARENT}/queues/hostile`;
const SEED = `${QUEUE}/tasks/seed`;
const URL_OK = 'http://127.0.0.1:9/handler';
const VERSIONS = ['v2', 'v2beta3'] as const;
type Version = (typeof VERSIONS)[number];

let tl: Tasklight;

before(async () => {
  tl = await startTasklight();
  const client = tl.client('grpc');
  await client.createQueue({ parent: PARENT, queue: { name: QUEUE } });
  await client.createTask({ parent: QUEUE, task: { name: SEED, httpRequest: { url: URL_OK } } });
});

after(async () => {
  await tl?.close();
});

async function storedTasks(): Promise<string[]> {
  const [tasks] = await tl.client('grpc').listTasks({ parent: QUEUE });
  return tasks.map((t) => t.name!).sort();
}

/** The call is refused with this code and message, and ListTasks shows nothing new afterwards. */
async function refused(call: () => Promise<unknown>, transport: Transport, message: RegExp, code: CodeName = 'INVALID_ARGUMENT') {
  const before = await storedTasks();
  await assertRpcError(call(), transport, code, message);
  assert.deepEqual(await storedTasks(), before, 'the refused call stored something');
}

/** CreateTask through the official client of this transport and API version. */
function createTask(transport: Transport, version: Version, task: Record<string, unknown>): Promise<unknown> {
  const request = { parent: QUEUE, task };
  // The official clients type `task` strictly; these tests send what the types would not allow.
  return version === 'v2' ? tl.client(transport).createTask(request as never) : tl.beta(transport).createTask(request as never);
}

for (const transport of TRANSPORTS) {
  for (const version of VERSIONS) {
    describe(`CreateTask refuses what can never be sent (official ${version} client over ${transport})`, () => {
      const create = (task: Record<string, unknown>) => createTask(transport, version, task);

      test('a header value with characters an HTTP request cannot carry', async () => {
        for (const value of ['日本', 'emoji 🚀', 'a\u007fb', 'tab\u0001']) {
          await refused(() => create({ httpRequest: { url: URL_OK, headers: { 'X-Lang': value } } }), transport, /headers\["X-Lang"\]/);
        }
        await refused(
          () => create({ appEngineHttpRequest: { relativeUri: '/x', headers: { 'X-Lang': '日本' } } }),
          transport,
          /AppEngineHttpRequest\.headers\["X-Lang"\]/,
        );
      });

      test('a header value with CR, LF or NUL', async () => {
        for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\0b']) {
          await refused(() => create({ httpRequest: { url: URL_OK, headers: { 'X-Split': value } } }), transport, /headers\["X-Split"\]/);
        }
      });

      test('a header name that is not an RFC 9110 token', async () => {
        for (const name of ['Bad Name', 'a:b', 'naïve', '(x)', '']) {
          await refused(() => create({ httpRequest: { url: URL_OK, headers: { [name]: 'v' } } }), transport, /headers/);
        }
      });

      test('an http_method number the protos do not define', async () => {
        await refused(() => create({ httpRequest: { url: URL_OK, httpMethod: 99 } }), transport, /http_method/);
        await refused(() => create({ appEngineHttpRequest: { relativeUri: '/x', httpMethod: 42 } }), transport, /http_method/);
      });

      test('a string that is not valid Unicode (a lone surrogate travels as invalid UTF-8)', async () => {
        await refused(() => create({ httpRequest: { url: `${URL_OK}/\ud800` } }), transport, /http_request\.url/);
        await refused(() => create({ httpRequest: { url: URL_OK, headers: { 'X-Id': 'a\udc00b' } } }), transport, /http_request\.headers/);
        await refused(() => create({ appEngineHttpRequest: { relativeUri: '/\udbff' } }), transport, /app_engine_http_request\.relative_uri/);
      });

      if (transport === 'grpc') {
        // The REST client cannot even print these as RFC 3339; raw REST cases below cover that transport.
        test('a schedule_time outside 0001-01-01 .. 9999-12-31', async () => {
          for (const seconds of ['9223372036854775807', '253402300800', '-62135596801', '-9223372036854775808']) {
            await refused(() => create({ httpRequest: { url: URL_OK }, scheduleTime: { seconds } }), transport, /schedule_time/);
          }
        });

        test('a duration outside ±10,000 years, or with nanos out of range', async () => {
          await refused(
            () => create({ httpRequest: { url: URL_OK }, dispatchDeadline: { seconds: '315576000001' } }),
            transport,
            /dispatch_deadline/,
          );
          await refused(
            () => create({ httpRequest: { url: URL_OK }, dispatchDeadline: { seconds: 60, nanos: 1_000_000_000 } }),
            transport,
            /dispatch_deadline/,
          );
          await refused(
            () => create({ httpRequest: { url: URL_OK }, dispatchDeadline: { seconds: 60, nanos: -1 } }),
            transport,
            /dispatch_deadline/,
          );
        });
      }
    });
  }
}

describe('raw gRPC: invalid UTF-8 bytes in a string field', () => {
  let raw: grpc.Client;
  before(() => {
    raw = new grpc.Client(`127.0.0.1:${tl.server.grpcPort}`, grpc.credentials.createInsecure());
  });
  after(() => raw.close());

  /** A CreateTaskRequest whose `marker` text is replaced, byte for byte, by `bytes`. */
  function withBytes(version: Version, task: Record<string, unknown>, marker: string, bytes: number[]): Buffer {
    const type = lookupType(`google.cloud.tasks.${version}.CreateTaskRequest`);
    const encoded = Buffer.from(type.encode(type.fromObject({ parent: QUEUE, task })).finish());
    const at = encoded.indexOf(marker);
    assert.ok(at >= 0 && bytes.length === marker.length);
    Buffer.from(bytes).copy(encoded, at);
    return encoded;
  }

  function call(version: Version, bytes: Buffer): Promise<grpc.ServiceError | null> {
    return new Promise((resolve) => {
      raw.makeUnaryRequest(
        `/google.cloud.tasks.${version}.CloudTasks/CreateTask`,
        () => bytes,
        (b: Buffer) => b,
        {},
        { deadline: Date.now() + 5000 },
        (err) => resolve(err),
      );
    });
  }

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['url', { httpRequest: { url: `${URL_OK}/MARK` } }, /'task\.http_request\.url'/],
    ['header value', { httpRequest: { url: URL_OK, headers: { 'X-Id': 'MARK' } } }, /'task\.http_request\.headers\["X-Id"\]'/],
    ['header name', { httpRequest: { url: URL_OK, headers: { 'X-MARK': 'v' } } }, /'task\.http_request\.headers'/],
    ['task name', { name: `${QUEUE}/tasks/MARK`, httpRequest: { url: URL_OK } }, /'task\.name'/],
    ['relative_uri', { appEngineHttpRequest: { relativeUri: '/MARK' } }, /'task\.app_engine_http_request\.relative_uri'/],
  ];
  for (const version of VERSIONS) {
    for (const [what, task, field] of cases) {
      test(`${version}: ${what} with bytes FF FE is INVALID_ARGUMENT naming the field, nothing stored`, async () => {
        const before = await storedTasks();
        // 0xFF never occurs in UTF-8; C0 80 is an overlong NUL.
        for (const bad of [[0xff, 0xfe, 0x41, 0x41], [0x41, 0xc0, 0x80, 0x41], [0x41, 0x41, 0x41, 0xe2]]) {
          const err = await call(version, withBytes(version, task, 'MARK', bad));
          assert.ok(err, `${what} ${bad}: the call succeeded`);
          assert.equal(err.code, CODES.INVALID_ARGUMENT, `${what}: ${err.code} ${err.details}`);
          assert.match(err.details, field);
          assert.match(err.details, /UTF-8/);
        }
        assert.deepEqual(await storedTasks(), before);
      });
    }
    test(`${version}: valid UTF-8 (日本 in a URL path) still goes through the same raw path`, async () => {
      const name = `${QUEUE}/tasks/raw-ok-${version}`;
      const err = await call(version, withBytes(version, { name, httpRequest: { url: `${URL_OK}/MARK` } }, 'MARK', [0x41, 0x41, 0x41, 0x41]));
      assert.equal(err, null);
      assert.ok((await storedTasks()).includes(name));
      await tl.client('grpc').deleteTask({ name });
    });
  }
});

describe('raw REST: bytes and nesting a JSON parser must not be trusted with', () => {
  async function post(version: Version, body: Buffer | string) {
    const res = await fetch(`${tl.server.httpUrl}/${version}/${QUEUE}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      assert.fail(`HTTP ${res.status}: error body is not JSON: ${text.slice(0, 200)}`);
    }
    assertGoogleErrorBody(json, res.status);
    return { status: res.status, error: json.error };
  }

  async function refusedRaw(version: Version, body: Buffer | string, message: RegExp) {
    const before = await storedTasks();
    const { status, error } = await post(version, body);
    assert.equal(status, 400, error.message);
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.match(error.message, message);
    assert.deepEqual(await storedTasks(), before, 'the refused call stored something');
  }

  /** The JSON text with `MARK` replaced, byte for byte, by `bytes`. */
  function jsonWithBytes(task: Record<string, unknown>, bytes: number[]): Buffer {
    const encoded = Buffer.from(JSON.stringify({ task }), 'utf8');
    const at = encoded.indexOf('MARK');
    Buffer.from(bytes).copy(encoded, at);
    return encoded;
  }

  for (const version of VERSIONS) {
    test(`${version}: invalid UTF-8 in a JSON string is 400 naming the field, not a silent U+FFFD`, async () => {
      for (const bad of [[0xff, 0x41, 0x41, 0x41], [0x41, 0xc0, 0x80, 0x41], [0x41, 0xed, 0xa0, 0x80]]) {
        await refusedRaw(version, jsonWithBytes({ httpRequest: { url: `${URL_OK}/MARK` } }, bad), /'task\.http_request\.url'.*UTF-8/s);
        await refusedRaw(version, jsonWithBytes({ httpRequest: { url: URL_OK, headers: { 'X-Id': 'MARK' } } }, bad), /'task\.http_request\.headers\["X-Id"\]'.*UTF-8/s);
        await refusedRaw(version, jsonWithBytes({ httpRequest: { url: URL_OK, headers: { 'X-MARK': 'v' } } }, bad), /'task\.http_request\.headers'.*UTF-8/s);
      }
    });

    test(`${version}: a lone surrogate escape (\\ud800) in a JSON string is 400 naming the field`, async () => {
      await refusedRaw(version, `{"task":{"httpRequest":{"url":"${URL_OK}/\\ud800"}}}`, /'task\.http_request\.url'/);
    });

    test(`${version}: invalid UTF-8 in a query parameter is 400 naming it`, async () => {
      const before = await storedTasks();
      const url = encodeURIComponent(`${URL_OK}/`);
      const res = await fetch(`${tl.server.httpUrl}/${version}/${QUEUE}/tasks?task.httpRequest.url=${url}%FF%FE`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: {} }),
      });
      const body = (await res.json()) as { error: { status: string; message: string } };
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(body.error.status, 'INVALID_ARGUMENT');
      assert.match(body.error.message, /task\.httpRequest\.url.*UTF-8/);
      assert.deepEqual(await storedTasks(), before);
    });

    test(`${version}: timestamps outside 0001-01-01 .. 9999-12-31 are 400 naming the field`, async () => {
      for (const when of ['10000-01-01T00:00:00Z', '0000-12-31T23:59:59Z', '9999-12-31T23:59:59-01:00']) {
        await refusedRaw(version, JSON.stringify({ task: { httpRequest: { url: URL_OK }, scheduleTime: when } }), /task\.schedule_time/);
      }
      await refusedRaw(
        version,
        JSON.stringify({ task: { httpRequest: { url: URL_OK }, dispatchDeadline: '315576000001s' } }),
        /task\.dispatch_deadline/,
      );
    });

    test(`${version}: JSON nested 100,000 levels deep in a header value is 400, not 500`, async () => {
      const depth = 100_000;
      const body = `{"task":{"httpRequest":{"url":"${URL_OK}","headers":{"X-Deep":${'['.repeat(depth)}${']'.repeat(depth)}}}}}`;
      await refusedRaw(version, body, /nest/i);
      const objects = `{"task":{"httpRequest":{"url":"${URL_OK}","headers":{"X-Deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}}}`;
      await refusedRaw(version, objects, /task\.httpRequest\.headers\.X-Deep/);
    });

    test(`${version}: brackets inside JSON strings are not nesting`, async () => {
      const name = `${QUEUE}/tasks/brackets-${version}`;
      const res = await fetch(`${tl.server.httpUrl}/${version}/${QUEUE}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: { name, httpRequest: { url: URL_OK, headers: { 'X-Text': '['.repeat(5000) + '\\"{'.repeat(5000) } } } }),
      });
      assert.equal(res.status, 200, await res.text());
      await tl.client('grpc').deleteTask({ name });
    });
  }
});

describe('unversioned REST (the path firebase-admin posts to) refuses the same', () => {
  async function refusedUnversioned(body: Buffer | string, message: RegExp) {
    const before = await storedTasks();
    const res = await fetch(`${tl.server.httpUrl}/${QUEUE}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = (await res.json()) as { error: { status: string; message: string } };
    assert.equal(res.status, 400, JSON.stringify(json).slice(0, 300));
    assert.equal(json.error.status, 'INVALID_ARGUMENT');
    assert.match(json.error.message, message);
    assert.deepEqual(await storedTasks(), before, 'the refused call stored something');
  }

  test('JSON nested 100,000 levels deep, in a task without a url (which the compat path fills in)', async () => {
    const depth = 100_000;
    await refusedUnversioned(`{"task":{"httpRequest":{"headers":{"X-Deep":${'['.repeat(depth)}${']'.repeat(depth)}}}}}`, /nest/i);
  });

  test('invalid UTF-8 in a header value of a task without a url', async () => {
    const body = Buffer.from(JSON.stringify({ task: { httpRequest: { headers: { 'X-Id': 'MARK' } } } }), 'utf8');
    Buffer.from([0x41, 0xff, 0xfe, 0x41]).copy(body, body.indexOf('MARK'));
    await refusedUnversioned(body, /'task\.http_request\.headers\["X-Id"\]'.*UTF-8/s);
  });
});
