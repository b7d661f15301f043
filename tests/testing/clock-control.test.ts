/**
 * Moving a queue's clock is bounded, and a moved clock can go back to real time: over the HTTP
 * test contract, the UI command (what the desktop app sends over IPC) and tasklight/testing.
 * Refused input is a 400 naming `seconds`, and nothing about the queue changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { startServer, type RunningServer } from '../../src/main/server';
import { connectTasklight, TasklightError, type Tasklight } from '../../src/main/testing';
import { MAX_ADVANCE_CLOCK_SECONDS } from '../../src/shared/testing-contract';

const QUEUE = 'projects/p/locations/us-central1/queues/clock';
const OTHER = 'projects/p/locations/us-central1/queues/other';

describe('clock control', () => {
  let server: RunningServer;
  let clock: FakeClock;
  let tl: Tasklight;
  before(async () => {
    clock = new FakeClock();
    server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, clock, settings: { dispatch: false } });
    await server.ui.call('createQueue', { name: QUEUE });
    await server.ui.call('createQueue', { name: OTHER });
    tl = connectTasklight({ grpcEndpoint: server.grpcEndpoint, httpUrl: server.httpUrl });
  });
  after(async () => {
    await tl.stop();
    await server.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.httpUrl}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as { error?: { code: number; status: string; message: string; details: unknown[] } } & Record<string, unknown> };
  };
  const offsetMs = async (name = QUEUE) => (await server.ui.call('getQueue', { name })).clockOffsetMs;

  it('refuses seconds that are not a finite positive number up to the maximum, over HTTP, changing nothing', async () => {
    await tl.advanceClock(QUEUE, 60);
    // 1e400 is JSON for a number too large for a double: it parses as Infinity.
    for (const seconds of ['0', '-1', '1e308', '1e400', String(MAX_ADVANCE_CLOCK_SECONDS + 1), '"10"', 'null', '"NaN"', '[]', '1e-9']) {
      const r = await post('/api/advance-clock', `{"queue": "${QUEUE}", "seconds": ${seconds}}`);
      assert.equal(r.status, 400, seconds);
      assert.equal(r.json.error?.status, 'INVALID_ARGUMENT', seconds);
      assert.equal(r.json.error?.code, 400, seconds);
      assert.match(r.json.error!.message, /^seconds must be/, seconds);
      assert.match(r.json.error!.message, new RegExp(`${MAX_ADVANCE_CLOCK_SECONDS}`), seconds);
    }
    const missing = await post('/api/advance-clock', { queue: QUEUE });
    assert.equal(missing.status, 400);
    assert.match(missing.json.error!.message, /^seconds must be/);
    assert.equal(await offsetMs(), 60_000);
    // The queue's reads still work (an infinite clock made them answer 500).
    const attempts = await fetch(`${server.httpUrl}/api/attempts?queue=${encodeURIComponent(QUEUE)}`);
    assert.equal(attempts.status, 200);
    const tasks = await fetch(`${server.httpUrl}/api/tasks?queue=${encodeURIComponent(QUEUE)}`);
    assert.equal(tasks.status, 200);
  });

  it('accepts the maximum itself', async () => {
    const r = await post('/api/advance-clock', { queue: OTHER, seconds: MAX_ADVANCE_CLOCK_SECONDS });
    assert.equal(r.status, 200);
    assert.equal(r.json.clockOffsetSeconds, MAX_ADVANCE_CLOCK_SECONDS);
  });

  it('the UI command and the tasklight/testing helper refuse the same input', async () => {
    const before = await offsetMs();
    await assert.rejects(server.ui.call('advanceClock', { queue: QUEUE, seconds: 1e308 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, /^seconds must be/);
      return true;
    });
    await assert.rejects(server.ui.call('advanceClock', { queue: QUEUE, seconds: Number.NaN }), /seconds must be/);
    await assert.rejects(tl.advanceClock(QUEUE, Number.POSITIVE_INFINITY), (err: TasklightError) => {
      assert.ok(err instanceof TasklightError);
      assert.equal(err.status, 400);
      return true;
    });
    assert.equal(await offsetMs(), before);
  });

  it('a moved clock goes back to real time: scheduled tasks are no longer due', async () => {
    await server.ui.call('createTask', { queue: QUEUE, id: 'later', url: 'http://127.0.0.1:9/h', delayS: 3600 });
    await tl.advanceClock(QUEUE, 7200);
    assert.equal((await server.ui.call('getTask', { queue: QUEUE, id: 'later' })).summary.state, 'due');

    const r = await post('/api/reset-clock', { queue: QUEUE });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { queue: QUEUE, clockOffsetSeconds: 0 });
    assert.equal(await offsetMs(), 0);
    const q = await server.ui.call('getQueue', { name: QUEUE });
    assert.equal(q.nowMs, clock.nowUs() / 1000);
    assert.equal((await server.ui.call('getTask', { queue: QUEUE, id: 'later' })).summary.state, 'scheduled');
    // The other queue's clock is its own.
    assert.equal(await offsetMs(OTHER), MAX_ADVANCE_CLOCK_SECONDS * 1000);
  });

  it('reset-clock from the UI command and the helper; an unknown queue is NOT_FOUND', async () => {
    await tl.advanceClock(QUEUE, 30);
    assert.deepEqual(await server.ui.call('resetClock', { queue: QUEUE }), { queue: QUEUE, clockOffsetSeconds: 0 });
    await tl.advanceClock(QUEUE, 30);
    assert.deepEqual(await tl.resetClock(QUEUE), { queue: QUEUE, clockOffsetSeconds: 0 });
    assert.equal(await offsetMs(), 0);
    // Already at real time: nothing to do, same answer.
    assert.deepEqual(await tl.resetClock(QUEUE), { queue: QUEUE, clockOffsetSeconds: 0 });

    const unknown = await post('/api/reset-clock', { queue: `${QUEUE}-nope` });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error?.status, 'NOT_FOUND');
    const noQueue = await post('/api/reset-clock', {});
    assert.equal(noQueue.status, 400);
    assert.match(noQueue.json.error!.message, /^queue is required/);
  });
});
