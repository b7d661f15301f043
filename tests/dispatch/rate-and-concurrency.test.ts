/**
 * Rate limiting (https://cloud.google.com/tasks/docs/configuring-queues#rate): the token bucket holds max_dispatches_per_second after a burst of
 * max_burst_size, max_concurrent_dispatches is never exceeded, and UpdateQueue takes effect at once.
 *
 * Tasklight runs on a FakeClock and the handler stamps arrivals with the same clock, so every
 * dispatch time is exact: the tests move time by hand and count what went out at each instant,
 * however fast or slow the machine is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { PARENT, startTasklight, type Tasklight } from '../helpers/tasklight';
import { durationMs, startHandler, waitFor, type RecordingHandler } from '../helpers/handler';

/** Only a hang can exceed this; the machine's speed never decides a result. */
const HANG_MS = 30_000;

describe('dispatch: rate and concurrency', () => {
  const clock = new FakeClock();
  let tl: Tasklight;
  let h: RecordingHandler;
  let n = 0;
  const client = () => tl.client('grpc');
  const engine = () => tl.server.engine;

  before(async () => {
    h = await startHandler({ now: () => clock.nowUs() });
    tl = await startTasklight({ clock, settings: { dispatch: true, liftLimits: true } });
  });
  after(async () => {
    await tl?.close();
    await h?.close();
  });

  /** A paused queue holding due tasks to `path` (a count, or one given the burst size); returns its name and burst size. */
  async function loadedQueue(
    queue: Record<string, unknown>,
    tasks: number | ((burst: number) => number),
    path: string,
    task: Record<string, unknown> = {},
  ) {
    const name = `${PARENT}/queues/rate-${++n}`;
    const [q] = await client().createQueue({ parent: PARENT, queue: { name, ...queue } });
    await client().pauseQueue({ name });
    const burst = Number(q.rateLimits!.maxBurstSize);
    const count = typeof tasks === 'number' ? tasks : tasks(burst);
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, () =>
          client().createTask({ parent: name, task: { httpRequest: { url: `${h.url}${path}` }, ...task } }),
        ),
      );
    }
    return { name, burst };
  }

  /**
   * Waits until the dispatcher is at rest at the current (fake) instant: every request it sent has
   * reached the handler and every answer is recorded, with nothing in flight. Whatever it sends at
   * this instant has then been sent; the count returned is final until the clock moves.
   */
  async function sentNow(queue: string, path: string): Promise<number> {
    const atRest = () => {
      const rt = engine().runtime(queue);
      const answered = h.to(path).filter((r) => r.answered !== undefined || r.aborted).length;
      return rt?.inFlight === 0 && answered === h.to(path).length && engine().attempts({ queue }).length === answered;
    };
    for (;;) {
      await waitFor(atRest, HANG_MS, () => `the dispatcher of ${queue} to come to rest (${h.to(path).length} sent)`, 2);
      // A finished attempt schedules the next pump on the event loop; let it run, then look again.
      await new Promise((resolve) => setImmediate(resolve));
      if (atRest()) return h.to(path).length;
    }
  }

  /** Arrival times, as offsets from `t0` in µs, and how many came at each. */
  function arrivals(path: string, t0: number): Array<[number, number]> {
    const counts = new Map<number, number>();
    for (const r of h.to(path)) counts.set(r.atUs - t0, (counts.get(r.atUs - t0) ?? 0) + 1);
    return [...counts];
  }

  for (const rate of [5, 50]) {
    test(`holds ${rate} dispatches/s exactly after a burst of max_burst_size`, async () => {
      const steady = 12;
      const path = `/rate/steady-${rate}`;
      const periodUs = 1e6 / rate;
      const { name, burst } = await loadedQueue({ rateLimits: { maxDispatchesPerSecond: rate } }, (b) => b + steady, path);
      assert.ok(burst >= 1, `max_burst_size is ${burst}`);
      const t0 = clock.nowUs();
      await client().resumeQueue({ name });
      // The bucket starts full: max_burst_size go out at once, and no more.
      assert.equal(await sentNow(name, path), burst, 'dispatches at the resume');
      for (let k = 1; k <= steady; k++) {
        // One token takes 1/rate to earn: none a microsecond early, one at the moment.
        clock.advanceUs(periodUs - 1);
        assert.equal(await sentNow(name, path), burst + k - 1, `dispatches ${periodUs * k - 1} µs after the resume`);
        clock.advanceUs(1);
        assert.equal(await sentNow(name, path), burst + k, `dispatches ${periodUs * k} µs after the resume`);
      }
      assert.deepEqual(
        arrivals(path, t0),
        [[0, burst], ...Array.from({ length: steady }, (_, i): [number, number] => [periodUs * (i + 1), 1])],
      );
    });
  }

  test('never exceeds max_concurrent_dispatches, and reaches it', async () => {
    // The handler never answers; each attempt ends at its 15 s dispatch deadline, on the FakeClock.
    const path = '/rate/concurrent';
    h.script(path, [{ hang: true }]);
    const deadlineUs = 15_000_000;
    const { name } = await loadedQueue(
      { rateLimits: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 3 }, retryConfig: { maxAttempts: 1 } },
      15,
      path,
      { dispatchDeadline: durationMs(deadlineUs / 1000) },
    );
    const t0 = clock.nowUs();
    await client().resumeQueue({ name });
    // Three go out and are held; the other twelve wait, however long the handler takes.
    await h.waitForRequests(3, path, HANG_MS);
    assert.deepEqual(h.to(path).map((r) => r.concurrent), [1, 2, 3]);
    assert.equal(engine().runtime(name)?.inFlight, 3);
    clock.advanceUs(deadlineUs - 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(engine().runtime(name)?.inFlight, 3, 'still three in flight a microsecond before their deadline');
    assert.equal(h.to(path).length, 3);
    clock.advanceUs(1);
    // Each deadline frees a slot, and the next three go out at that very moment: five rounds of three.
    for (let round = 1; round < 5; round++) {
      await h.waitForRequests(3 * (round + 1), path, HANG_MS);
      await waitFor(() => engine().runtime(name)?.inFlight === 3 && engine().attempts({ queue: name }).length === 3 * round, HANG_MS, `round ${round + 1}`, 2);
      clock.advanceUs(deadlineUs);
    }
    await sentNow(name, path);
    assert.deepEqual(arrivals(path, t0), [0, 1, 2, 3, 4].map((round) => [round * deadlineUs, 3]));
    const outcomes = engine().attempts({ queue: name }).map((a) => a.outcome);
    assert.deepEqual(outcomes, Array(15).fill('timeout'));
  });

  test('UpdateQueue changes the rate at once; tokens earned before it accrue at the old rate', async () => {
    const path = '/rate/update';
    const { name, burst } = await loadedQueue({ rateLimits: { maxDispatchesPerSecond: 2 } }, (b) => b + 12, path);
    const t0 = clock.nowUs();
    await client().resumeQueue({ name });
    assert.equal(await sentNow(name, path), burst);
    // Two at 2/s, then half a token's worth of time.
    clock.advanceMs(500);
    assert.equal(await sentNow(name, path), burst + 1);
    clock.advanceMs(500);
    assert.equal(await sentNow(name, path), burst + 2);
    // (Nothing is looked at here: reading the bucket's level would bring its books up to date.)
    clock.advanceMs(250);
    const [updated] = await client().updateQueue({
      queue: { name, rateLimits: { maxDispatchesPerSecond: 20 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    assert.equal(updated.rateLimits!.maxDispatchesPerSecond, 20);
    // Half a token is there; the other half takes 25 ms at 20/s (not 250 ms at 2/s), and the update
    // hands out no new burst.
    assert.equal(await sentNow(name, path), burst + 2, 'dispatches at the update');
    clock.advanceUs(25_000 - 1);
    assert.equal(await sentNow(name, path), burst + 2);
    clock.advanceUs(1);
    assert.equal(await sentNow(name, path), burst + 3);
    for (let k = 1; k <= 9; k++) {
      clock.advanceMs(50);
      assert.equal(await sentNow(name, path), burst + 3 + k);
    }
    const changed = 1_250_000;
    assert.deepEqual(arrivals(path, t0), [
      [0, burst],
      [500_000, 1],
      [1_000_000, 1],
      ...Array.from({ length: 10 }, (_, i): [number, number] => [changed + 25_000 + i * 50_000, 1]),
    ]);
  });
});
