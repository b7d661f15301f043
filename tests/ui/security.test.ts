/**
 * Security of the UI contract: Host must be a loopback name (DNS rebinding), cross-origin requests
 * that change state are refused, and the event WebSocket checks Origin (and Host). Also the
 * renderer's HTTP+WS transport against a real server.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createHttpApi } from '../../src/renderer/src/api/http-api';
import { startServer, type RunningServer } from '../../src/main/server';
import type { UiUpdate } from '../../src/shared/contract';

const QUEUE = 'projects/p/locations/us-central1/queues/sec';

function request(server: RunningServer, opts: { method?: string; path: string; headers?: http.OutgoingHttpHeaders; body?: string }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.httpPort, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function openSocket(server: RunningServer, headers: Record<string, string> = {}): Promise<{ ok: boolean; status?: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/api/events`, { headers });
    ws.once('open', () => resolve({ ok: true, ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ ok: false, status: res.statusCode }));
    ws.once('error', () => resolve({ ok: false }));
  });
}

describe('UI contract security', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
  });
  after(() => server.close());

  it('refuses a Host that is not a loopback name, for the API and the page', async () => {
    for (const path of ['/api/queues', '/api/info', '/']) {
      const res = await request(server, { path, headers: { Host: `rebind.example:${server.httpPort}` } });
      assert.equal(res.status, 403, path);
    }
    const post = await request(server, {
      method: 'POST',
      path: '/api/queues/create',
      headers: { Host: 'rebind.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: QUEUE }),
    });
    assert.equal(post.status, 403);
    assert.equal((await request(server, { path: '/api/queues', headers: { Host: `localhost:${server.httpPort}` } })).status, 200);
  });

  it('refuses cross-origin requests that change state, accepts same-origin ones', async () => {
    const body = JSON.stringify({ name: QUEUE });
    const evil = await request(server, {
      method: 'POST',
      path: '/api/queues/create',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      body,
    });
    assert.equal(evil.status, 403);
    for (const path of ['/api/reset', '/api/tasks/run', '/api/attempts/replay']) {
      const res = await request(server, { method: 'POST', path, headers: { Origin: 'http://evil.example' }, body: '{}' });
      assert.equal(res.status, 403, path);
    }
    const own = await request(server, {
      method: 'POST',
      path: '/api/queues/create',
      headers: { Origin: `http://127.0.0.1:${server.httpPort}`, 'Content-Type': 'application/json' },
      body,
    });
    assert.equal(own.status, 200, own.body);
  });

  it('refuses the event WebSocket from a foreign Origin or Host', async () => {
    const foreign = await openSocket(server, { Origin: 'https://evil.example' });
    assert.deepEqual([foreign.ok, foreign.status], [false, 403]);
    const nullOrigin = await openSocket(server, { Origin: 'null' });
    assert.deepEqual([nullOrigin.ok, nullOrigin.status], [false, 403]);
    const rebound = await openSocket(server, { Host: 'rebind.example', Origin: 'http://rebind.example' });
    assert.deepEqual([rebound.ok, rebound.status], [false, 403]);
    const own = await openSocket(server, { Origin: `http://localhost:${server.httpPort}` });
    assert.equal(own.ok, true);
    own.ws!.close();
  });
});

describe('renderer HTTP + WebSocket transport', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
  });
  after(() => server.close());

  it('calls commands and receives coalesced updates', async () => {
    const api = createHttpApi({ baseUrl: server.httpUrl, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    const states: string[] = [];
    api.onConnection?.((s) => states.push(s));
    const updates: UiUpdate[] = [];
    const off = api.subscribe((u) => updates.push(u));
    await api.call('createQueue', { name: QUEUE });
    await api.call('createTask', { queue: QUEUE, url: 'http://127.0.0.1:9/x', delayS: 60 });
    const page = await api.call('listTasks', { queue: QUEUE, states: ['scheduled', 'due'], limit: 10 });
    assert.equal(page.total, 1);
    await assert.rejects(api.call('getTask', { queue: QUEUE, id: 'missing' }), (e: any) => e.status === 'NOT_FOUND' && e.code === 404);
    const deadline = Date.now() + 30_000; // only a hang takes this long
    while (!updates.some((u) => u.queues?.[0]?.counts.scheduled === 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(updates.some((u) => u.queues?.[0]?.counts.scheduled === 1), 'an update carries the new count');
    assert.ok(states.includes('open'));
    off();
  });
});
