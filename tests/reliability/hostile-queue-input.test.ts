/**
 * A queue's http_target is applied to every attempt of every task in the queue, so a header
 * override or host an HTTP request cannot carry would make all of them fail. CreateQueue and
 * UpdateQueue refuse it with INVALID_ARGUMENT naming the field, over gRPC and REST and on v2 and
 * v2beta3, and nothing stored changes; a config file declaring it is one config error naming the
 * file, line and field.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, parseConfigText } from '../../src/main/config/load-config';
import { lookupType } from '../../src/main/core/protos';
import { assertRpcError, PARENT, startTasklight, TRANSPORTS, type Tasklight, type Transport } from '../helpers/tasklight';

const VERSIONS = ['v2', 'v2beta3'] as const;
type Version = (typeof VERSIONS)[number];

let tl: Tasklight;
let counter = 0;

before(async () => {
  tl = await startTasklight();
});

after(async () => {
  await tl?.close();
});

/** CreateQueue, UpdateQueue and GetQueue on one transport and API version; the tests send what the clients' types would not allow. */
interface QueueClient {
  createQueue(request: { parent: string; queue: Record<string, unknown> }): Promise<Record<string, unknown>>;
  updateQueue(request: { queue: Record<string, unknown>; updateMask?: { paths: string[] } }): Promise<Record<string, unknown>>;
  getQueue(request: { name: string }): Promise<Record<string, unknown>>;
}

/**
 * v2beta3 goes through the official client. The official v2 client's protos have no
 * Queue.http_target (v2 serves it over REST since 2024), so the client would drop the field: v2
 * speaks the wire itself, gRPC with the server's descriptors and REST as plain JSON.
 */
function clientFor(transport: Transport, version: Version): QueueClient {
  if (version === 'v2beta3') {
    const beta = tl.beta(transport) as unknown as Record<keyof QueueClient, (request: unknown) => Promise<[Record<string, unknown>]>>;
    return {
      createQueue: async (r) => (await beta.createQueue(r))[0],
      updateQueue: async (r) => (await beta.updateQueue(r))[0],
      getQueue: async (r) => (await beta.getQueue(r))[0],
    };
  }
  return transport === 'grpc' ? rawGrpcV2() : rawRestV2();
}

function rawGrpcV2(): QueueClient {
  const queueType = lookupType('google.cloud.tasks.v2.Queue');
  const call = (method: string, request: Record<string, unknown>) => {
    const type = lookupType(`google.cloud.tasks.v2.${method}Request`);
    const raw = new grpc.Client(`127.0.0.1:${tl.server.grpcPort}`, grpc.credentials.createInsecure());
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      raw.makeUnaryRequest(
        `/google.cloud.tasks.v2.CloudTasks/${method}`,
        () => Buffer.from(type.encode(type.fromObject(request)).finish()),
        (b: Buffer) => queueType.toObject(queueType.decode(b), { longs: String, enums: String }),
        {},
        { deadline: Date.now() + 5000 },
        (err, value) => {
          raw.close();
          if (err) reject(err);
          else resolve(value as Record<string, unknown>);
        },
      );
    });
  };
  return {
    createQueue: (r) => call('CreateQueue', r),
    updateQueue: (r) => call('UpdateQueue', r),
    getQueue: (r) => call('GetQueue', r),
  };
}

function rawRestV2(): QueueClient {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${tl.server.httpUrl}/v2/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // The shape assertRpcError reads a REST refusal from: the HTTP status and the JSON error text.
    if (!res.ok) throw Object.assign(new Error(text), { code: res.status });
    return JSON.parse(text) as Record<string, unknown>;
  };
  return {
    createQueue: (r) => call('POST', `${r.parent}/queues`, r.queue),
    updateQueue: (r) =>
      call('PATCH', `${String(r.queue.name)}${r.updateMask ? `?updateMask=${r.updateMask.paths.join(',')}` : ''}`, r.queue),
    getQueue: (r) => call('GET', r.name),
  };
}

async function storedQueues(): Promise<string[]> {
  const [queues] = await tl.client('grpc').listQueues({ parent: PARENT });
  return queues.map((q) => q.name!).sort();
}

const override = (key: string, value: string) => ({ header: { key, value } });

for (const transport of TRANSPORTS) {
  for (const version of VERSIONS) {
    describe(`a queue-level http_target that can never be sent is refused (official ${version} client over ${transport})`, () => {
      const client = () => clientFor(transport, version);
      const newName = () => `${PARENT}/queues/hostile-queue-${++counter}`;

      /** CreateQueue is refused with this message, and ListQueues shows no new queue. */
      async function createRefused(httpTarget: Record<string, unknown>, message: RegExp) {
        const before = await storedQueues();
        await assertRpcError(client().createQueue({ parent: PARENT, queue: { name: newName(), httpTarget } }), transport, 'INVALID_ARGUMENT', message);
        assert.deepEqual(await storedQueues(), before, 'the refused CreateQueue stored a queue');
      }

      test('a header override value with characters an HTTP request cannot carry', async () => {
        for (const value of ['日本', 'emoji 🚀', 'a\u007fb', 'tab\u0001']) {
          await createRefused(
            { headerOverrides: [override('X-Ok', 'fine'), override('X-Lang', value)] },
            /http_target\.header_overrides\[1\]\.header\.value .*(cannot carry|line breaks)/,
          );
        }
      });

      test('a header override value with CR, LF or NUL', async () => {
        for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\0b']) {
          await createRefused({ headerOverrides: [override('X-Split', value)] }, /http_target\.header_overrides\[0\]\.header\.value must not contain line breaks or NUL/);
        }
      });

      test('a header override name that is not an RFC 9110 token', async () => {
        for (const key of ['Bad Name', 'a:b', 'naïve', '日本', 'X-Split\r\nX-Injected']) {
          await createRefused({ headerOverrides: [override(key, 'v')] }, /http_target\.header_overrides\[0\]\.header\.key .*not a header name/);
        }
      });

      test('a uri_override host that is not a host name alone', async () => {
        for (const host of ['bad host', 'example.com/path', 'example.com:8080', 'user@example.com', 'http://example.com', 'a?b', 'a#b']) {
          await createRefused({ uriOverride: { host } }, /http_target\.uri_override\.host/);
        }
      });

      test('what an HTTP request can carry is accepted as given', async () => {
        const name = newName();
        const httpTarget = {
          uriOverride: { host: 'handler.localhost', port: 8080 },
          headerOverrides: [override('X-Tab', 'a\tb'), override('X-Latin1', 'café'), override('X-Empty', '')],
        };
        const created = await client().createQueue({ parent: PARENT, queue: { name, httpTarget } });
        const target = created.httpTarget as { uriOverride: { host: string }; headerOverrides: unknown[] };
        assert.equal(target.uriOverride.host, 'handler.localhost');
        // proto3 JSON leaves out an empty string, so REST answers { key: 'X-Empty' } alone.
        assert.deepEqual(
          target.headerOverrides.map((o) => {
            const { key, value } = (o as { header: { key: string; value?: string } }).header;
            return { key, value: value ?? '' };
          }),
          httpTarget.headerOverrides.map((o) => o.header),
        );
      });

      test('UpdateQueue refuses them too, and GetQueue shows the queue unchanged', async () => {
        const name = newName();
        await client().createQueue({ parent: PARENT, queue: { name, httpTarget: { headerOverrides: [override('X-Env', 'dev')] } } });
        const before = await client().getQueue({ name });
        const updates: Array<[Record<string, unknown>, RegExp]> = [
          [{ headerOverrides: [override('X-Env', '日本')] }, /http_target\.header_overrides\[0\]\.header\.value/],
          [{ headerOverrides: [override('X-Env', 'dev'), override('X Env', 'v')] }, /http_target\.header_overrides\[1\]\.header\.key/],
          [{ uriOverride: { host: 'two words' } }, /http_target\.uri_override\.host/],
        ];
        for (const [httpTarget, message] of updates) {
          for (const updateMask of [{ paths: ['http_target'] }, undefined]) {
            await assertRpcError(
              client().updateQueue({ queue: { name, httpTarget }, ...(updateMask ? { updateMask } : {}) }),
              transport,
              'INVALID_ARGUMENT',
              message,
            );
            const after = await client().getQueue({ name });
            assert.deepEqual(after, before, 'the refused UpdateQueue changed the queue');
          }
        }
      });
    });
  }
}

describe('a config file declaring such a queue', () => {
  function configError(text: string): ConfigError {
    try {
      parseConfigText(text, 'tasklight.yaml', {});
    } catch (err) {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
      assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
      return err;
    }
    assert.fail('expected a config error');
  }

  const queue = (httpTarget: string) => `project: p-one\nqueues:\n  - id: a\n    httpTarget:\n${httpTarget}`;

  test('a header override value is one error naming its line and field', () => {
    const text = queue('      headerOverrides:\n        - header: { key: X-Ok, value: fine }\n        - header: { key: X-Lang, value: 日本 }\n');
    assert.match(
      configError(text).message,
      /^tasklight\.yaml:7: queues\[0\]\.httpTarget\.headerOverrides\[1\]\.header\.value: contains "日", which an HTTP request cannot carry/,
    );
  });

  test('a header override name is one error naming its line and field', () => {
    const text = queue('      headerOverrides:\n        - header:\n            key: X Lang\n            value: v\n');
    assert.match(configError(text).message, /^tasklight\.yaml:\d+: queues\[0\]\.httpTarget\.headerOverrides\[0\]\.header\.key: "X Lang" is not a header name/);
  });

  test('a uri_override host is one error naming its line and field', () => {
    const text = queue('      uriOverride:\n        host: localhost:8080\n');
    assert.match(configError(text).message, /^tasklight\.yaml:6: queues\[0\]\.httpTarget\.uriOverride\.host: .*host name alone/);
  });
});
