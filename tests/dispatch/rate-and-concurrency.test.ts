/**
 * Rate limiting (https://cloud.google.com/tasks/docs/configuring-queues#rate): the token bucket holds max_dispatches_per_second after a burst of
 * max_burst_size, max_concurrent_dispatches is never exceeded, and UpdateQueue takes effect at once.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { PARENT } from '../helpers/tasklight';
import { waitFor, type RecordedRequest } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

describe('dispatch: rate and concurrency', () => {
  const suite = useDispatchSuite({ arrivalsOnEngineClock: true });
  const { client } = suite;
  let n = 0;

  /** A paused queue holding `count` due tasks to `path`; returns its name and burst size. */
  async function loadedQueue(rateLimits: Record<string, unknown>, tasks: number | ((burst: number) => number), path: string) {
    const name = `${PARENT}/queues/rate-${++n}`;
    const [q] = await client().createQueue({ parent: PARENT, queue: { name, rateLimits } });
    await client().pauseQueue({ name });
    const burst = Number(q.rateLimits!.maxBurstSize);
    const count = typeof tasks === 'number' ? tasks : tasks(burst);
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, () =>
          client().createTask({ parent: name, task: { httpRequest: { url: `${suite.h.url}${path}` } } }),
        ),
      );
    }
    return { name, burst };
  }

  /** Dispatches per second between the first and last of these requests. */
  function rateOf(reqs: RecordedRequest[]): number {
    return ((reqs.length - 1) * 1e6) / (reqs.at(-1)!.atUs - reqs[0]!.atUs);
  }

  async function checkSteadyRate(t: TestContext, rate: number, steady: number, path: string) {
    const { name, burst } = await loadedQueue({ maxDispatchesPerSecond: rate }, (b) => b + steady, path);
    assert.ok(burst >= 1, `max_burst_size is ${burst}`);
    const resumedUs = suite.tl.server.engine.clock.nowUs();
    await client().resumeQueue({ name });
    const reqs = await suite.h.waitForRequests(burst + steady, path, ((burst + steady) / rate) * 1000 + 5_000);
    // The burst: max_burst_size tokens are there at once; the next one waits ~1/rate.
    const burstEnd = reqs[burst - 1]!.atUs;
    assert.ok(burstEnd - resumedUs < 250_000, `the burst of ${burst} took ${(burstEnd - resumedUs) / 1000} ms`);
    // ... and no more than that: the next token takes 1/rate to earn, counted from the resume.
    const next = reqs[burst]!.atUs - resumedUs;
    assert.ok(next >= 1e6 / rate - 1_000, `dispatch ${burst + 1} came ${next / 1000} ms after the resume, before a token was earned`);
    // Steady state: from the first dispatch after the burst to the last.
    const measured = rateOf(reqs.slice(burst));
    t.diagnostic(`steady rate ${measured.toFixed(2)}/s at ${rate}/s; dispatch ${burst + 1} after ${next / 1000} ms`);
    assert.ok(
      measured >= rate * 0.9 && measured <= rate * 1.1,
      `steady rate ${measured.toFixed(2)}/s, expected ${rate}/s ± 10%`,
    );
    // And no 1-second window after the burst holds more than rate, +1 for the window's edges and
    // +1 because a token bucket lets a dispatch that came late (a busy event loop, on the handler's
    // side or ours) be followed at once by the next token's.
    const after = reqs.slice(burst);
    for (let i = 0; i < after.length; i++) {
      const inWindow = after.filter((r) => r.atUs >= after[i]!.atUs && r.atUs < after[i]!.atUs + 1e6).length;
      assert.ok(inWindow <= rate + 2, `${inWindow} dispatches within one second at ${rate}/s`);
    }
  }

  test('holds 5 dispatches/s within 10% after a burst of max_burst_size', async (t) => {
    await checkSteadyRate(t, 5, 16, '/rate/five');
  });

  test('holds 50 dispatches/s within 10% after a burst of max_burst_size', async (t) => {
    await checkSteadyRate(t, 50, 100, '/rate/fifty');
  });

  test('never exceeds max_concurrent_dispatches, and reaches it', async (t) => {
    suite.h.script('/rate/concurrent', [{ status: 200, delayMs: 150 }]);
    const { name } = await loadedQueue({ maxDispatchesPerSecond: 500, maxConcurrentDispatches: 3 }, 15, '/rate/concurrent');
    const base = suite.h.maxInFlight;
    assert.equal(suite.h.inFlight, 0);
    await client().resumeQueue({ name });
    const reqs = await suite.h.waitForRequests(15, '/rate/concurrent', 5_000);
    await waitFor(() => suite.h.inFlight === 0, 2_000, 'the last answers');
    const peak = Math.max(...reqs.map((r) => r.concurrent));
    t.diagnostic(`peak concurrency ${peak}`);
    assert.ok(base <= 3, 'no other requests in flight before');
    assert.equal(peak, 3, `peak concurrency ${peak}, max_concurrent_dispatches 3`);
    // 15 tasks, 3 at a time, 150 ms each: about five rounds, not one.
    const span = reqs.at(-1)!.atUs - reqs[0]!.atUs;
    assert.ok(span >= 4 * 150_000, `all 15 went out within ${span / 1000} ms`);
  });

  test('UpdateQueue changes the rate at once', async (t) => {
    const { name, burst } = await loadedQueue({ maxDispatchesPerSecond: 2 }, 40, '/rate/update');
    await client().resumeQueue({ name });
    // The burst, then two at 2/s.
    await suite.h.waitForRequests(burst + 2, '/rate/update', 5_000);
    const [updated] = await client().updateQueue({
      queue: { name, rateLimits: { maxDispatchesPerSecond: 20 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    assert.equal(updated.rateLimits!.maxDispatchesPerSecond, 20);
    const changedUs = suite.tl.server.engine.clock.nowUs();
    const reqs = await suite.h.waitForRequests(40, '/rate/update', 6_000);
    const later = reqs.filter((r) => r.atUs >= changedUs);
    assert.ok(later.length >= 20, `${later.length} dispatches after the update`);
    // At once: the next dispatch comes within ~1/20 s (not the 0.5 s the old rate would wait).
    assert.ok(later[0]!.atUs - changedUs < 150_000, `first dispatch ${(later[0]!.atUs - changedUs) / 1000} ms after the update`);
    const measured = rateOf(later);
    t.diagnostic(`rate after the update ${measured.toFixed(2)}/s; first dispatch after ${(later[0]!.atUs - changedUs) / 1000} ms`);
    assert.ok(measured >= 18 && measured <= 22, `rate after the update ${measured.toFixed(2)}/s, expected 20/s ± 10%`);
  });
});
