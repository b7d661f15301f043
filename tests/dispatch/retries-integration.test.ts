/**
 * Retries end to end (https://cloud.google.com/tasks/docs/configuring-queues#retry): the gaps between attempts follow the backoff, and a
 * failing task leaves the queue once max_attempts and max_retry_duration are both reached.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRpcError, PARENT, toMicros } from '../helpers/tasklight';
import { durationMs, shortId, sleep, waitFor } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

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
    const done = await finished(queue, id, 5_000);
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
    const done = await finished(queue, id, 3_000);
    assert.equal(done.outcome, 'exhausted');
    assert.equal(Number(done.dispatch_count), 1);
    await sleep(300); // longer than min_backoff: a retry would have gone out by now
    assert.equal(suite.h.to('/retries/once').length, 1);
    await assertRpcError(client().getTask({ name }), 'grpc', 'NOT_FOUND');
    const [list] = await client().listTasks({ parent: queue });
    assert.equal(list.length, 0);
  });

  test('max_retry_duration alone: retries until the time since the first attempt reaches it', async () => {
    const limitUs = 500_000;
    const queue = await newQueue({
      minBackoff: durationMs(100),
      maxBackoff: durationMs(100),
      maxAttempts: -1,
      maxRetryDuration: durationMs(limitUs / 1000),
    });
    const { id } = await createFailing(queue, '/retries/duration');
    const done = await finished(queue, id, 5_000);
    assert.equal(done.outcome, 'exhausted');
    const attempts = engine().history.attemptsOf(queue, id);
    const first = attempts[0]!.dispatch_us;
    for (const a of attempts.slice(0, -1)) {
      assert.ok(a.response_us! - first < limitUs, `attempt ${a.attempt} failed after the limit but was retried`);
    }
    assert.ok(attempts.at(-1)!.response_us! - first >= limitUs, 'stopped before max_retry_duration');
    assert.ok(attempts.length >= 4 && attempts.length <= 7, `${attempts.length} attempts in 0.5 s with 0.1 s backoff`);
    assert.equal(suite.h.to('/retries/duration').length, attempts.length);
  });

  test('max_attempts and max_retry_duration together: both must be reached', async () => {
    const queue = await newQueue({
      minBackoff: durationMs(100),
      maxBackoff: durationMs(100),
      maxAttempts: 3,
      maxRetryDuration: durationMs(600),
    });
    const { id } = await createFailing(queue, '/retries/both');
    const done = await finished(queue, id, 5_000);
    assert.equal(done.outcome, 'exhausted');
    const attempts = engine().history.attemptsOf(queue, id);
    assert.ok(attempts.length > 3, `stopped after ${attempts.length} attempts although 0.6 s had not passed`);
    const first = attempts[0]!.dispatch_us;
    assert.ok(attempts.at(-1)!.response_us! - first >= 600_000);
    assert.ok(attempts.at(-2)!.response_us! - first < 600_000, 'retried after both limits were reached');

    // And the other way round: the duration is long past, the attempts decide.
    const queue2 = await newQueue({
      minBackoff: durationMs(100),
      maxBackoff: durationMs(100),
      maxAttempts: 6,
      maxRetryDuration: durationMs(100),
    });
    const t2 = await createFailing(queue2, '/retries/both-2');
    await finished(queue2, t2.id, 5_000);
    assert.equal(engine().history.attemptsOf(queue2, t2.id).length, 6);
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
    await waitFor(() => engine().history.attemptsOf(queue, id).length >= 1, 3_000, 'the RunTask attempt');
    const [after] = await client().getTask({ name: task.name });
    assert.equal(toMicros(after.scheduleTime), dispatchUs + 300_000, 'next attempt = RunTask time + min_backoff');
    assert.equal(Number(after.dispatchCount), 1);
  });
});
