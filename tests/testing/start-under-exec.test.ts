/**
 * startTasklight() under `tasklight serve --exec` (TASKLIGHT_HTTP_URL set): it still starts an
 * instance of its own, and says so once, pointing at connectTasklight().
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startTasklight } from '../../src/main/testing';

describe('startTasklight under serve --exec', () => {
  const saved = process.env.TASKLIGHT_HTTP_URL;
  after(() => {
    if (saved === undefined) delete process.env.TASKLIGHT_HTTP_URL;
    else process.env.TASKLIGHT_HTTP_URL = saved;
  });

  const warningsDuring = async (fn: () => Promise<void>): Promise<Error[]> => {
    const seen: Error[] = [];
    const listener = (w: Error) => seen.push(w);
    process.on('warning', listener);
    try {
      await fn();
      // 'warning' is emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listener);
    }
    return seen.filter((w) => (w as Error & { code?: string }).code === 'TASKLIGHT_SECOND_INSTANCE');
  };

  it('starts its own instance, not the served one, and warns once', async () => {
    delete process.env.TASKLIGHT_HTTP_URL;
    assert.equal((await warningsDuring(async () => (await startTasklight()).stop())).length, 0);

    process.env.TASKLIGHT_HTTP_URL = 'http://127.0.0.1:1';
    const warnings = await warningsDuring(async () => {
      const tl = await startTasklight();
      assert.notEqual(tl.httpUrl, 'http://127.0.0.1:1');
      assert.equal((await fetch(`${tl.httpUrl}/api/queues`)).status, 200);
      await tl.stop();
      await (await startTasklight()).stop();
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /connectTasklight\(\)/);
  });
});
