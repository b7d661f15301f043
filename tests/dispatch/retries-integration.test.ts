/**
 * Retries end to end (https://cloud.google.com/tasks/docs/configuring-queues#retry): the gaps between attempts follow the backoff, and a
 * failing task leaves the queue once max_attempts and max_retry_duration are both reached.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { assertRpcError, PARENT, startTasklight, toMicros, type Tasklight } from '../helpers/tasklight';
import { durationMs, shortId, sleep, startHandler, waitFor, type RecordingHandler } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

/** Only a hang can exceed this; the machine's speed never decides a result. */
const HANG_MS = 30_000;

describe('dispatch: retries', () => {
  const suite = useDispatchSuite({ arrivalsOnEngineClock: true, handler: { defaultStep: { status: 500 } } });
  const { client, engine } = suite;
  let n = 0;

  async function newQueue(retryConfig: Record<string, unknown>): Promise<string> {
    const name = `${PARENT}/queues/retries-${++n}`;
    await client().createQueue({ parent: PARENT, queue: { name, retryConfig } });
    return name;
  }

  async function createFailing(queue: string, path: string): Promise<{ name: string; id: string }> {
    const [task] = await client().createTask({ parent: queue, task: { httpRequest: { url: `${suite.h.url}${path}` } } });
    return { name: task.name!, id: shortId(task.name!) };
  }

  async function finished(queue: string, taskId: string, timeoutMs: number) {
    return waitFor(() => engine().history.finished(queue, taskId), timeoutMs, `task ${taskId} to finish`);
  }

  test('spaces retries by the backoff: 0.1 s, 0.2 s, 0.4 s after each failure', async () => {
    const queue = await newQueue({ minBackoff: durationMs(100), maxBackoff: durationMs(10_000), maxDoublings: 16, maxAttempts: 4 });
    const { name, id } = await createFailing(queue, '/retries/backoff');
    const done = await finished(queue, id, HANG_MS);
    assert.equal(done.outcome, 'exhausted');
    const reqs = suite.h.to('/retries/backoff');
    assert.equal(reqs.length, 4);
    const attempts = engine().history.attemptsOf(queue, id);
    assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3, 4]);
    const expected = [100_000, 200_000, 400_000];
    for (let i = 1; i < attempts.length; i++) {
      // Exact: each retry is scheduled at the failure's time + delay(n).
      assert.equal(attempts[i]!.schedule_us - attempts[i - 1]!.response_us!, expected[i - 1], `schedule of attempt ${i + 1}`);
      // Observed at the handler: never early. How late depends on the machine's load (bench/dispatch's storm measures it).
      const gap = reqs[i]!.atUs - reqs[i - 1]!.atUs;
      assert.ok(gap >= expected[i - 1]!, `gap ${i} was ${gap / 1000} ms, expected at least ${expected[i - 1]! / 1000} ms`);
      assert.ok(reqs[i]!.atUs >= attempts[i]!.schedule_us, `attempt ${i + 1} went out before its schedule time`);
    }
    await assertRpcError(client().getTask({ name }), 'grpc', 'NOT_FOUND');
  });

  test('max_attempts 1 means a single attempt: the task then leaves the queue as exhausted', async () => {
    const queue = await newQueue({ minBackoff: durationMs(100), maxBackoff: durationMs(100), maxAttempts: 1 });
    const { name, id } = await createFailing(queue, '/retries/once');
    const done = await finished(queue, id, HANG_MS);
    assert.equal(done.outcome, 'exhausted');
    assert.equal(Number(done.dispatch_count), 1);
    await sleep(300); // longer than min_backoff: a retry would have gone out by now
    assert.equal(suite.h.to('/retries/once').length, 1);
    await assertRpcError(client().getTask({ name }), 'grpc', 'NOT_FOUND');
    const [list] = await client().listTasks({ parent: queue });
    assert.equal(list.length, 0);
  });

  test('a failed RunTask re-schedules from the RunTask call by the backoff', async () => {
    const queue = await newQueue({ minBackoff: durationMs(300), maxBackoff: durationMs(300), maxAttempts: 5 });
    await client().pauseQueue({ name: queue });
    const [task] = await client().createTask({
      parent: queue,
      task: { httpRequest: { url: `${suite.h.url}/retries/run` }, scheduleTime: { seconds: Math.floor(Date.now() / 1000) + 3600 } },
    });
    const id = shortId(task.name!);
    const [ran] = await client().runTask({ name: task.name });
    const dispatchUs = toMicros(ran.lastAttempt!.dispatchTime);
    await waitFor(() => engine().history.attemptsOf(queue, id).length >= 1, HANG_MS, 'the RunTask attempt');
    const [rescheduled] = await client().getTask({ name: task.name });
    assert.equal(toMicros(rescheduled.scheduleTime), dispatchUs + 300_000, 'next attempt = RunTask time + min_backoff');
    assert.equal(Number(rescheduled.dispatchCount), 1);
  });
});

/**
 * The stop rule on a FakeClock: every answer comes back at the instant of its dispatch, so how many
 * attempts fit into max_retry_duration is exact, whatever the machine's speed.
 */
describe('dispatch: retries until max_retry_duration (FakeClock)', () => {
  const clock = new FakeClock();
  let tl: Tasklight;
  let h: RecordingHandler;
  let n = 0;
  before(async () => {
    h = await startHandler({ now: () => clock.nowUs(), defaultStep: { status: 500 } });
    tl = await startTasklight({ clock, settings: { dispatch: true, liftLimits: true } });
  });
  after(async () => {
    await tl?.close();
    await h?.close();
  });

  /**
   * A task that always fails, in a new queue with this retry config and a 0.1 s backoff; moves the
   * clock on to each retry until the task finishes. Returns its attempts' dispatch times, from the first.
   */
  async function retryUntilDone(retryConfig: Record<string, unknown>, path: string): Promise<number[]> {
    const queue = `${PARENT}/queues/duration-${++n}`;
    await tl.client('grpc').createQueue({ parent: PARENT, queue: { name: queue, retryConfig: { minBackoff: durationMs(100), maxBackoff: durationMs(100), ...retryConfig } } });
    const [task] = await tl.client('grpc').createTask({ parent: queue, task: { httpRequest: { url: `${h.url}${path}` } } });
    const id = shortId(task.name!);
    const history = tl.server.engine.history;
    for (let recorded = 1; ; recorded++) {
      await waitFor(() => history.attemptsOf(queue, id).length >= recorded, HANG_MS, `attempt ${recorded} of ${id}`, 2);
      if (history.finished(queue, id)) break;
      assert.ok(recorded < 50, 'the task never stops retrying');
      clock.advanceUs(100_000);
    }
    assert.equal(history.finished(queue, id)?.outcome, 'exhausted');
    const attempts = history.attemptsOf(queue, id);
    assert.deepEqual(h.to(path).map((r) => r.atUs), attempts.map((a) => a.dispatch_us), 'every attempt reached the handler, when recorded');
    return attempts.map((a) => a.dispatch_us - attempts[0]!.dispatch_us);
  }

  test('max_retry_duration alone: retries until the time since the first attempt reaches it', async () => {
    // Failures at 0, 0.1 … 0.4 s are retried; the one at 0.5 s has reached the limit.
    const times = await retryUntilDone({ maxAttempts: -1, maxRetryDuration: durationMs(500) }, '/retries/duration');
    assert.deepEqual(times, [0, 100_000, 200_000, 300_000, 400_000, 500_000]);
  });

  test('max_attempts and max_retry_duration together: both must be reached', async () => {
    // Three attempts are done by 0.2 s, but 0.6 s has not passed: retries go on until it has.
    assert.deepEqual(
      await retryUntilDone({ maxAttempts: 3, maxRetryDuration: durationMs(600) }, '/retries/both'),
      [0, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000],
    );
    // And the other way round: the duration is reached at 0.1 s, the attempts decide.
    assert.deepEqual(
      await retryUntilDone({ maxAttempts: 6, maxRetryDuration: durationMs(100) }, '/retries/both-2'),
      [0, 100_000, 200_000, 300_000, 400_000, 500_000],
    );
  });
});
