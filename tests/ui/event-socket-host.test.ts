/**
 * The UI's event WebSocket checks Host on its own: an upgrade is not a request the HTTP server's
 * Host check sees, so a DNS-rebinding page (foreign Host, and no Origin or a loopback-looking one)
 * must be refused by the socket itself before it can watch a developer's tasks.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/main/server';
import { EVENTS_PATH } from '../../src/shared/contract';

/** Sends a WebSocket upgrade with exactly these headers; resolves with the status it got (101 = accepted). */
function upgrade(server: RunningServer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: server.httpPort,
      path: EVENTS_PATH,
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('event WebSocket: Host is checked by the socket itself', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
  });
  after(() => server.close());

  for (const host of ['rebind.example', 'rebind.example:8124', '10.0.0.1', '192.168.1.2:8124', '127.0.0.1.evil.example', 'localhost.evil.example']) {
    it(`refuses Host ${host} with no Origin`, async () => {
      assert.equal(await upgrade(server, { Host: host }), 403);
    });
    it(`refuses Host ${host} with a loopback Origin`, async () => {
      assert.equal(await upgrade(server, { Host: host, Origin: `http://127.0.0.1:${server.httpPort}` }), 403);
    });
  }

  for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
    it(`accepts Host ${host} (with the port) and no Origin`, async () => {
      assert.equal(await upgrade(server, { Host: `${host}:${server.httpPort}` }), 101);
    });
  }
});
