/**
 * Dispatch and the queue's state and clock (https://cloud.google.com/tasks/docs/configuring-queues): schedule_time is
 * honoured, pause/resume/purge, DeleteTask and RunTask against dispatch, a queue's clock advance.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { assertRpcError, PARENT, startTasklight, timestampFromMicros, toMicros } from '../helpers/tasklight';
import { durationMs, etaHeader, gate, shortId, sleep, startHandler, waitFor } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

/** Only a hang can exceed this; the machine's speed never decides a result. */
const HANG_MS = 30_000;

const FAST_RETRY = { minBackoff: durationMs(100), maxBackoff: durationMs(200) };

describe('dispatch: schedule, pause, purge, delete, run, clock', () => {
  const suite = useDispatchSuite({ arrivalsOnEngineClock: true });
  const { client, engine } = suite;
  let n = 0;
  const nowUs = () => engine().clock.nowUs();

  async function newQueue(queue: Record<string, unknown> = {}): Promise<string> {
    const name = `${PARENT}/queues/state-${++n}`;
    await client().createQueue({ parent: PARENT, queue: { name, retryConfig: FAST_RETRY, ...queue } });
    return name;
  }

  async function createTask(queue: string, path: string, scheduleUs?: number, extra: Record<string, unknown> = {}) {
    const [task] = await client().createTask({
      parent: queue,
      task: {
        httpRequest: { url: `${suite.h.url}${path}` },
        ...(scheduleUs !== undefined ? { scheduleTime: timestampFromMicros(scheduleUs) } : {}),
        ...extra,
      },
    });
    return { name: task.name!, id: shortId(task.name!), scheduleUs: toMicros(task.scheduleTime) };
  }

  test('never dispatches a task before its schedule_time, and stamps the schedule time as its ETA (300 ms ahead)', async (t) => {
    const queue = await newQueue();
    const tasks: Array<{ name: string; id: string; scheduleUs: number }> = [];
    for (let i = 0; i < 5; i++) tasks.push(await createTask(queue, `/state/on-time-${i}`, nowUs() + 300_000 + i * 37_000));
    const lateness: number[] = [];
    for (const [i, task] of tasks.entries()) {
      const [req] = await suite.h.waitForRequests(1, `/state/on-time-${i}`, HANG_MS);
      assert.ok(req.atUs >= task.scheduleUs, `task ${i} arrived ${(task.scheduleUs - req.atUs) / 1000} ms early`);
      assert.equal(req.header('X-CloudTasks-TaskETA'), etaHeader(task.scheduleUs), 'ETA is the schedule time');
      lateness.push(req.atUs - task.scheduleUs);
    }
    lateness.sort((a, b) => a - b);
    // How late is the machine's load as much as Tasklight's: bench/dispatch.ts measures it.
    t.diagnostic(`lateness (ms): ${lateness.map((l) => (l / 1000).toFixed(1)).join(', ')}`);
  });

  test('dispatches tasks that come due together in schedule order', async () => {
    const queue = await newQueue({ rateLimits: { maxConcurrentDispatches: 1 } });
    await client().pauseQueue({ name: queue });
    // An hour ahead, so none is due while they are created, however long that takes (a schedule
    // time already past is clamped to the create time, which would change the order).
    const baseUs = nowUs() + 3_600_000_000;
    // Created in a shuffled order, due within 40 ms of each other.
    const offsets = [7, 2, 15, 0, 11, 4, 19, 9, 1, 13];
    const byOffset = new Map<string, number>();
    for (const o of offsets) {
      const task = await createTask(queue, '/state/order', baseUs + o * 2_000);
      byOffset.set(task.id, o);
    }
    // The queue's clock moves past all of them at once; they go out one at a time when it resumes.
    await engine().advanceQueueClock(queue, 3_600_000_000 + 1_000_000);
    await client().resumeQueue({ name: queue });
    const reqs = await suite.h.waitForRequests(offsets.length, '/state/order', HANG_MS);
    const order = reqs.map((r) => byOffset.get(r.header('X-CloudTasks-TaskName')!));
    assert.deepEqual(order, [...offsets].sort((a, b) => a - b));
  });

  test('pause stops new dispatches while in-flight ones finish; resume restarts them', async () => {
    // The first two answers wait until the queue is paused, however long pausing takes.
    const answers = gate();
    suite.h.script('/state/pause', [{ status: 200, until: answers.opened }]);
    const queue = await newQueue({ rateLimits: { maxConcurrentDispatches: 2 } });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await createTask(queue, '/state/pause')).id);
    await suite.h.waitForRequests(2, '/state/pause', HANG_MS);
    const [paused] = await client().pauseQueue({ name: queue });
    assert.equal(paused.state, 'PAUSED');
    const atPause = suite.h.to('/state/pause').length;
    assert.equal(atPause, 2);
    answers.open();
    // The two in flight finish and are recorded; nothing new goes out.
    await waitFor(
      () => ids.filter((id) => engine().history.finished(queue, id)?.outcome === 'succeeded').length === 2,
      HANG_MS,
      'the in-flight attempts to finish',
    );
    await sleep(400);
    assert.equal(suite.h.to('/state/pause').length, 2, 'a paused queue dispatched');
    const [list] = await client().listTasks({ parent: queue });
    assert.equal(list.length, 4);
    await client().resumeQueue({ name: queue });
    await suite.h.waitForRequests(6, '/state/pause', HANG_MS);
    await waitFor(() => ids.every((id) => engine().history.finished(queue, id)), HANG_MS, 'all six to finish');
  });

  test('purge removes every task, including one backing off after a failure', async () => {
    suite.h.script('/state/purge-fail', [500]);
    // A minute's backoff: the retry is still waiting when the purge comes, however slow the machine.
    const queue = await newQueue({ retryConfig: { minBackoff: durationMs(60_000), maxBackoff: durationMs(60_000) } });
    const failing = await createTask(queue, '/state/purge-fail');
    const later = await createTask(queue, '/state/purge-later', nowUs() + 3_600_000_000);
    await waitFor(() => engine().history.attemptsOf(queue, failing.id).length === 1, HANG_MS, 'the failed attempt');
    const [backingOff] = await client().getTask({ name: failing.name });
    assert.ok(toMicros(backingOff.scheduleTime) > nowUs(), 'the task is waiting for its retry');
    await client().purgeQueue({ name: queue });
    await waitFor(async () => (await client().listTasks({ parent: queue }))[0].length === 0, HANG_MS, 'the purge to take effect');
    await assertRpcError(client().getTask({ name: failing.name }), 'grpc', 'NOT_FOUND');
    await assertRpcError(client().getTask({ name: later.name }), 'grpc', 'NOT_FOUND');
    // Anything still stored would now be due: neither the retry nor the later task goes out.
    await engine().advanceQueueClock(queue, 2 * 3_600_000_000);
    await sleep(1_000);
    assert.equal(suite.h.to('/state/purge-fail').length, 1, 'a purged task was retried');
    assert.equal(suite.h.to('/state/purge-later').length, 0, 'a purged task was dispatched');
  });

  test('DeleteTask of an in-flight task: it is gone at once and its late answer only lands in history', async () => {
    const answer = gate();
    suite.h.script('/state/delete-in-flight', [{ status: 500, until: answer.opened }]);
    const queue = await newQueue();
    const task = await createTask(queue, '/state/delete-in-flight');
    await suite.h.waitForRequests(1, '/state/delete-in-flight', HANG_MS);
    await client().deleteTask({ name: task.name });
    await assertRpcError(client().getTask({ name: task.name }), 'grpc', 'NOT_FOUND');
    answer.open();
    await waitFor(() => engine().history.attemptsOf(queue, task.id).length === 1, HANG_MS, 'the late answer in history');
    const [attempt] = engine().history.attemptsOf(queue, task.id);
    assert.equal(attempt!.status, 500);
    // The failure did not bring it back: no retry, still not found, not listed.
    await sleep(400);
    assert.equal(suite.h.to('/state/delete-in-flight').length, 1, 'a deleted task was retried');
    await assertRpcError(client().getTask({ name: task.name }), 'grpc', 'NOT_FOUND');
    assert.equal((await client().listTasks({ parent: queue }))[0].length, 0);
  });

  test('the late answer of a deleted task never lands on a task created after it', async () => {
    const answer = gate();
    suite.h.script('/state/delete-then-create', [{ status: 200, until: answer.opened }]);
    const queue = await newQueue();
    const doomed = await createTask(queue, '/state/delete-then-create');
    await suite.h.waitForRequests(1, '/state/delete-then-create', HANG_MS);
    await client().deleteTask({ name: doomed.name });
    // Created while the deleted task's attempt is still out; due in an hour.
    const bystander = await createTask(queue, '/state/bystander', nowUs() + 3_600_000_000);
    answer.open();
    await waitFor(() => engine().history.attemptsOf(queue, doomed.id).length === 1, HANG_MS, 'the late answer in history');
    await engine().settle();
    const [still] = await client().getTask({ name: bystander.name });
    assert.equal(toMicros(still.scheduleTime), bystander.scheduleUs, "the bystander's schedule changed");
    assert.equal(Number(still.dispatchCount ?? 0), 0);
    assert.equal(engine().history.finished(queue, bystander.id), undefined, 'the bystander was finished by another task\'s answer');
    assert.equal(engine().history.finished(queue, doomed.id), undefined, 'a deleted task was recorded as finished');
  });

  test('RunTask fires a task scheduled for tomorrow on a paused queue, exactly once', async () => {
    const queue = await newQueue();
    await client().pauseQueue({ name: queue });
    const task = await createTask(queue, '/state/run', nowUs() + 24 * 3_600_000_000);
    const beforeUs = nowUs();
    const [ran] = await client().runTask({ name: task.name });
    assert.equal(Number(ran.dispatchCount), 1, 'dispatch_count includes the attempt RunTask started');
    assert.ok(ran.lastAttempt?.dispatchTime, 'last_attempt.dispatch_time is set');
    assert.ok(toMicros(ran.lastAttempt!.dispatchTime) >= beforeUs);
    const [req] = await suite.h.waitForRequests(1, '/state/run', HANG_MS);
    assert.equal(req.header('X-CloudTasks-TaskName'), task.id);
    assert.equal((await waitFor(() => engine().history.finished(queue, task.id), HANG_MS, 'the run task to finish')).outcome, 'succeeded');
    await sleep(300);
    assert.equal(suite.h.to('/state/run').length, 1, 'RunTask caused more than one delivery');
    await assertRpcError(client().getTask({ name: task.name }), 'grpc', 'NOT_FOUND');
  });

  test('RunTask on a task already in flight makes a second attempt; the first 2xx deletes the task, the other answer only lands in history', async () => {
    // The first attempt's answer waits until the RunTask attempt has succeeded.
    const first = gate();
    suite.h.script('/state/run-twice', [{ status: 200, until: first.opened }, 200]);
    const queue = await newQueue();
    const task = await createTask(queue, '/state/run-twice');
    await suite.h.waitForRequests(1, '/state/run-twice', HANG_MS);
    const [ran] = await client().runTask({ name: task.name });
    assert.equal(Number(ran.dispatchCount), 2, 'both attempts are counted');
    const reqs = await suite.h.waitForRequests(2, '/state/run-twice', HANG_MS);
    assert.equal(reqs[1]!.header('X-CloudTasks-TaskRetryCount'), '1');
    await waitFor(() => engine().history.finished(queue, task.id), HANG_MS, 'the RunTask attempt to succeed');
    await assertRpcError(client().getTask({ name: task.name }), 'grpc', 'NOT_FOUND');
    first.open();
    await waitFor(() => engine().history.attemptsOf(queue, task.id).length === 2, HANG_MS, 'the slow answer in history');
    assert.deepEqual(engine().history.attemptsOf(queue, task.id).map((a) => [a.status, a.run_task]).sort(), [[200, 0], [200, 1]]);
    await sleep(300);
    assert.equal(suite.h.to('/state/run-twice').length, 2);
  });

  test("advancing a queue's clock by 1 h fires a task scheduled 30 min ahead, and only in that queue", async () => {
    const queue = await newQueue();
    const other = await newQueue();
    const scheduleUs = nowUs() + 30 * 60_000_000;
    const task = await createTask(queue, '/state/advance', scheduleUs);
    await createTask(other, '/state/advance-other', scheduleUs);
    await sleep(200);
    assert.equal(suite.h.to('/state/advance').length, 0);
    await engine().advanceQueueClock(queue, 3_600_000_000);
    const [req] = await suite.h.waitForRequests(1, '/state/advance', HANG_MS);
    assert.equal(req.header('X-CloudTasks-TaskETA'), etaHeader(task.scheduleUs));
    await sleep(200);
    assert.equal(suite.h.to('/state/advance-other').length, 0, "another queue's task fired");
  });
});

describe('dispatch: with a fake clock', () => {
  test('a task due in 10 minutes goes out when the clock gets there, not a microsecond before', async () => {
    const clock = new FakeClock();
    const h = await startHandler({ now: () => clock.nowUs() });
    const tl = await startTasklight({ clock, settings: { dispatch: true } });
    try {
      const client = tl.client('grpc');
      const queue = `${PARENT}/queues/fake-clock`;
      await client.createQueue({ parent: PARENT, queue: { name: queue } });
      const dueUs = clock.nowUs() + 600_000_000;
      await client.createTask({ parent: queue, task: { httpRequest: { url: `${h.url}/fake/due` }, scheduleTime: timestampFromMicros(dueUs) } });
      clock.advanceUs(600_000_000 - 1);
      await sleep(300);
      assert.equal(h.to('/fake/due').length, 0, 'dispatched before its schedule time');
      clock.advanceUs(1);
      const [req] = await h.waitForRequests(1, '/fake/due', HANG_MS);
      assert.equal(req.atUs, dueUs);
      assert.equal(req.header('X-CloudTasks-TaskETA'), etaHeader(dueUs));
    } finally {
      await tl.close();
      await h.close();
    }
  });
});
