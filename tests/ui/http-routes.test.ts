/**
 * The UI contract and the test contract over HTTP: one router serves every command at its ROUTES
 * entry, and answers a known path asked with the wrong method with one 405 form (Allow, and the
 * Google JSON error), whichever contract the path belongs to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/main/server';
import { ROUTES, type CommandName } from '../../src/shared/contract';
import { TESTING_PATHS } from '../../src/shared/testing-contract';

describe('UI and test contract routes', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
  });
  after(() => server.close());

  it('a known path with the wrong method is 405 with Allow, in the Google JSON error form', async () => {
    for (const [path, wrong, allow] of [
      ['/api/queues/pause', 'GET', 'POST'],
      ['/api/queues', 'POST', 'GET'],
      ['/api/reset', 'GET', 'POST'],
      ['/api/attempts', 'POST', 'GET'],
    ] as const) {
      const res = await fetch(`${server.httpUrl}${path}`, { method: wrong });
      assert.equal(res.status, 405, `${wrong} ${path}`);
      assert.equal(res.headers.get('allow'), allow, path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
      const { error } = (await res.json()) as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(error).sort(), ['code', 'details', 'message', 'status'], path);
      assert.equal(error.code, 405);
      assert.equal(error.status, 'UNIMPLEMENTED');
      assert.match(String(error.message), new RegExp(`${wrong} .*${path}`));
    }
  });

  it('the test contract paths are the route table entries of its commands', () => {
    const byPath = new Map(Object.entries(ROUTES).map(([command, route]) => [route.path, command as CommandName]));
    assert.deepEqual(
      Object.fromEntries(Object.entries(TESTING_PATHS).map(([key, path]) => [key, byPath.get(path)])),
      { reset: 'reset', forgetNames: 'forgetNames', waitIdle: 'waitIdle', attempts: 'listAttempts', advanceClock: 'advanceClock', resetClock: 'resetClock' },
    );
  });

  it('a POST body that is not a JSON object is 400 INVALID_ARGUMENT naming the path, for both contracts', async () => {
    for (const path of ['/api/queues/create', '/api/forget-names']) {
      for (const body of ['{oops', '[1]']) {
        const res = await fetch(`${server.httpUrl}${path}`, { method: 'POST', body });
        assert.equal(res.status, 400, `${path} ${body}`);
        const { error } = (await res.json()) as { error: { status: string; message: string } };
        assert.equal(error.status, 'INVALID_ARGUMENT');
        assert.match(error.message, new RegExp(path));
      }
    }
  });
});
