import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { createHttpServer, listen } from '../../src/main/api/http-server';
import { createRestHandler } from '../../src/main/api/rest/rest-handler';
import { methodPath, servedServices, type UnaryHandler } from '../../src/main/api/rpc';
import { ApiError } from '../../src/main/core/errors';
import type { ProtoObject } from '../../src/main/core/protos';

const Q = 'projects/p/locations/us-central1/queues/q';

/** Every served RPC records its request; a few answer something shaped like their response. */
function fakeImplementation() {
  const calls: Array<{ method: string; request: ProtoObject }> = [];
  const answers: Record<string, (req: ProtoObject) => ProtoObject> = {
    CreateTask: (req) => ({ ...req.task, name: `${req.parent}/tasks/generated`, view: 'BASIC' }),
    GetQueue: (req) => ({ name: req.name, state: 'RUNNING' }),
    DeleteQueue: () => ({}),
    DeleteTask: () => ({}),
    GetTask: () => {
      throw new ApiError('NOT_FOUND', 'Requested entity was not found.');
    },
    PauseQueue: () => {
      throw new Error('engine exploded');
    },
  };
  const impl = new Map<string, UnaryHandler>();
  for (const service of servedServices()) {
    for (const method of service.methodsArray) {
      if (service.fullName.includes('v2beta3') && method.name === 'RunTask') continue; // left unimplemented on purpose
      impl.set(methodPath(service, method), async (request) => {
        calls.push({ method: methodPath(service, method), request });
        return answers[method.name]?.(request) ?? {};
      });
    }
  }
  return { impl, calls };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

function send(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const fake = fakeImplementation();
const server = createHttpServer({
  handlers: [
    createRestHandler(fake.impl),
    async (req, res) => {
      if (req.url !== '/other') return false;
      res.end('other handler');
      return true;
    },
    async (req) => {
      if (req.url === '/throws') throw new Error('handler bug');
      return false;
    },
  ],
  maxBodyBytes: 64 * 1024,
  allowedHosts: ['tasklight'],
});
let port = 0;

before(async () => {
  port = await listen(server, '127.0.0.1', 0);
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const lastCall = () => fake.calls[fake.calls.length - 1];

describe('http server: health', () => {
  test('GET /healthz and /readyz answer 200 ok', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const r = await send(port, { path });
      assert.equal(r.status, 200);
      assert.equal(r.text, 'ok');
    }
  });
});

describe('http server: Host must be a loopback name (DNS rebinding)', () => {
  for (const host of ['localhost', 'localhost:8124', '127.0.0.1:8124', '127.1.2.3', '[::1]:8124', '[::1]', 'LOCALHOST:1']) {
    test(`Host ${host} is served`, async () => {
      const r = await send(port, { path: '/healthz', headers: { Host: host } });
      assert.equal(r.status, 200);
    });
  }
  for (const host of ['evil.example.com', 'evil.example.com:8124', '127.0.0.1.evil.com', '10.0.0.1:8124', 'localhost.evil.com']) {
    test(`Host ${host} is refused with 403 PERMISSION_DENIED JSON`, async () => {
      const callsBefore = fake.calls.length;
      const r = await send(port, { path: `/v2/${Q}`, headers: { Host: host } });
      assert.equal(r.status, 403);
      assert.equal(r.json.error.status, 'PERMISSION_DENIED');
      assert.equal(r.json.error.code, 403);
      assert.equal(fake.calls.length, callsBefore, 'the refused request reached no RPC');
    });
  }
  test('an extra allowed host (docker-compose service name) is served', async () => {
    const r = await send(port, { path: '/healthz', headers: { Host: 'tasklight:8124' } });
    assert.equal(r.status, 200);
  });
});

describe('http server: cross-origin browser requests may not change state', () => {
  test('POST with a foreign Origin is refused before reaching the engine', async () => {
    const before = fake.calls.length;
    const r = await send(port, {
      method: 'POST',
      path: `/v2/${Q}:pause`,
      headers: { Origin: 'https://evil.example.com', 'Content-Type': 'text/plain' },
      body: '{}',
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.status, 'PERMISSION_DENIED');
    assert.equal(fake.calls.length, before);
  });
  test('DELETE with Origin "null" (sandboxed frame) is refused', async () => {
    const r = await send(port, { method: 'DELETE', path: `/v2/${Q}`, headers: { Origin: 'null' } });
    assert.equal(r.status, 403);
  });
  test('POST from a loopback origin (the web UI) is allowed', async () => {
    const r = await send(port, {
      method: 'POST',
      path: `/v2/${Q}/tasks`,
      headers: { Origin: 'http://127.0.0.1:8124', 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(r.status, 200);
  });
  test('GET with a foreign Origin is not state-changing and is served', async () => {
    const r = await send(port, { path: `/v2/${Q}`, headers: { Origin: 'https://evil.example.com' } });
    assert.equal(r.status, 200);
  });
});

describe('http server: body limits and malformed input', () => {
  test('a declared oversize body is refused with 413 in Google JSON form', async () => {
    // Just over the limit, so the client finishes writing before the server closes the socket.
    const r = await send(port, {
      method: 'POST',
      path: `/v2/${Q}/tasks`,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.alloc(65 * 1024, 0x20),
    });
    assert.equal(r.status, 413);
    assert.equal(r.headers.connection, 'close');
    assert.equal(r.json.error.code, 413);
    assert.match(r.json.error.message, /exceeds the limit: 65536 bytes/);
  });
  test('a chunked oversize body is cut off with 413', async () => {
    const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/v2/${Q}/tasks`, agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 10 && req.write(chunk)) sent++;
        if (sent < 10) req.once('drain', () => { sent++; pump(); });
        else req.end();
      };
      pump();
    });
    assert.equal(reply.status, 413, 'the client gets its answer, not a broken pipe');
    assert.match(reply.text, /exceeds the limit: 65536 bytes/);
  });
  test('a body many times the limit, declared and written at once, still gets its 413', async () => {
    for (let round = 0; round < 5; round++) {
      const r = await send(port, {
        method: 'POST',
        path: `/v2/${Q}/tasks`,
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.alloc(2 * 1024 * 1024, 0x20),
      });
      assert.equal(r.status, 413);
      assert.equal(r.json.error.code, 413);
    }
  });
  test('malformed JSON is 400 INVALID_ARGUMENT "Invalid JSON payload received."', async () => {
    const r = await send(port, { method: 'POST', path: `/v2/${Q}/tasks`, body: '{"task":' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
    assert.match(r.json.error.message, /^Invalid JSON payload received\./);
  });
  test('an unknown field names its path', async () => {
    const r = await send(port, { method: 'POST', path: `/v2/${Q}/tasks`, body: '{"task":{"httpRequest":{"foo":1}}}' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.message, `Invalid JSON payload received. Unknown name "foo" at 'task.http_request': Cannot find field.`);
  });
  test('a raw HTTP garbage line does not crash the server', async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('NOT HTTP\r\n\r\n'));
      socket.on('data', () => {});
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    assert.equal((await send(port, { path: '/healthz' })).status, 200);
  });
});

describe('http server + REST handler: answers', () => {
  test('responses are application/json; charset=UTF-8', async () => {
    const r = await send(port, { path: `/v2/${Q}` });
    assert.equal(r.headers['content-type'], 'application/json; charset=UTF-8');
    assert.deepEqual(r.json, { name: Q, state: 'RUNNING' });
  });
  test('enum-encoding=int turns response enums into numbers', async () => {
    const r = await send(port, { path: `/v2/${Q}?$alt=json%3Benum-encoding=int` });
    assert.deepEqual(r.json, { name: Q, state: 1 });
  });
  test('the engine receives the plain-object request', async () => {
    const r = await send(port, {
      method: 'POST',
      path: `/v2/${Q}/tasks?$alt=json%3Benum-encoding=int`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ task: { httpRequest: { url: 'http://localhost:8080/h', httpMethod: 1 } }, responseView: 1 }),
    });
    assert.equal(r.status, 200);
    assert.deepEqual(lastCall(), {
      method: '/google.cloud.tasks.v2.CloudTasks/CreateTask',
      request: { parent: Q, responseView: 'BASIC', task: { httpRequest: { url: 'http://localhost:8080/h', httpMethod: 'POST' } } },
    });
    assert.deepEqual(r.json, { name: `${Q}/tasks/generated`, httpRequest: { url: 'http://localhost:8080/h', httpMethod: 1 }, view: 1 });
  });
  test('DELETE answers 200 {} (an empty body makes gax throw)', async () => {
    const r = await send(port, { method: 'DELETE', path: `/v2/${Q}`, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 200);
    assert.equal(r.text, '{}');
  });
  test('a project ID with %3A reaches the engine decoded', async () => {
    await send(port, { path: '/v2/projects/example.com%3Ap/locations/l/queues/q' });
    assert.equal(lastCall().request.name, 'projects/example.com:p/locations/l/queues/q');
  });
  test('firebase-admin unversioned enqueue reaches v2 CreateTask', async () => {
    const r = await send(port, {
      method: 'POST',
      path: `/${Q}/tasks`,
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer owner' },
      body: JSON.stringify({ task: { httpRequest: { url: '', body: 'e30=' }, dispatchDeadline: '60s' } }),
    });
    assert.equal(r.status, 200);
    assert.equal(lastCall().method, '/google.cloud.tasks.v2.CloudTasks/CreateTask');
  });
  test('Node REST client locations path /v1/projects/{p}/locations reaches ListLocations', async () => {
    const r = await send(port, { path: '/v1/projects/p/locations?$alt=json%3Benum-encoding=int' });
    assert.equal(r.status, 200);
    assert.deepEqual(lastCall(), { method: '/google.cloud.location.Locations/ListLocations', request: { name: 'projects/p' } });
  });
  test('an ApiError from the engine becomes the Google error body', async () => {
    const r = await send(port, { path: `/v2/${Q}/tasks/t1` });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND', details: [] } });
  });
  test('a non-ApiError from the engine becomes 500 INTERNAL', async () => {
    const r = await send(port, { method: 'POST', path: `/v2/${Q}:pause`, body: '{}' });
    assert.equal(r.status, 500);
    assert.equal(r.json.error.status, 'INTERNAL');
  });
  test('a method without an implementation is 501 UNIMPLEMENTED', async () => {
    const r = await send(port, { method: 'POST', path: `/v2beta3/${Q}/tasks/t:run`, body: '{}' });
    assert.equal(r.status, 501);
    assert.equal(r.json.error.status, 'UNIMPLEMENTED');
  });
  test('a REST-prefixed path with no route is 404 NOT_FOUND JSON', async () => {
    const r = await send(port, { path: '/v2/projects/p/nothing' });
    assert.equal(r.status, 404);
    assert.equal(r.json.error.status, 'NOT_FOUND');
  });
  test('a known path with the wrong HTTP method is 405 with Allow', async () => {
    const r = await send(port, { method: 'PUT', path: `/v2/${Q}`, body: '{}' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, PATCH, DELETE');
    assert.equal(r.json.error.code, 405);
  });
  test('paths outside the REST surface fall through to the next handler', async () => {
    const r = await send(port, { path: '/other' });
    assert.equal(r.text, 'other handler');
  });
  test('no handler: 404 JSON', async () => {
    const r = await send(port, { path: '/nowhere' });
    assert.equal(r.status, 404);
    assert.equal(r.json.error.status, 'NOT_FOUND');
  });
  test('a handler that throws gives 500 JSON and the server keeps serving', async () => {
    const r = await send(port, { path: '/throws' });
    assert.equal(r.status, 500);
    assert.equal(r.json.error.status, 'INTERNAL');
    assert.equal((await send(port, { path: '/healthz' })).status, 200);
  });
});

describe('listen()', () => {
  test('resolves the actual port for port 0', () => {
    assert.ok(port > 0);
  });
  test('rejects with EADDRINUSE when the port is taken', async () => {
    const other = createHttpServer({ handlers: [] });
    await assert.rejects(listen(other, '127.0.0.1', port), (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE');
  });
});

describe('keep-alive', () => {
  test('two requests share one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
      });
    }
    agent.destroy();
    assert.equal(sockets.size, 1);
  });
});
