/**
 * What the UI reads back from a store holding tasks in every state: the overview's counts and wait
 * reasons, the task table's filters and sorts, a task's detail with its backoff, the timeline, the
 * handler breakdown, reserved names, "advance to next due" and the test helpers. On a fake clock:
 * the only real waiting is for the handler's answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import type { UiService } from '../../src/main/api/ui-service';
import { startHandler, type RecordingHandler } from '../helpers/handler';
import { PARENT, startTasklight, type Tasklight } from '../helpers/tasklight';

const QUEUE = `${PARENT}/queues/ui-reads`;
const PAUSED = `${PARENT}/queues/ui-reads-paused`;
const BUSY = `${PARENT}/queues/ui-reads-busy`;
const SECOND = 1000;
const HOUR = 3_600_000;

describe('UI contract: reads over tasks in every state', () => {
  const clock = new FakeClock();
  const t0 = clock.nowUs() / 1000;
  let h: RecordingHandler;
  let tl: Tasklight;
  let ui: UiService;
  const ids = (page: { tasks: Array<{ id: string }> }) => page.tasks.map((t) => t.id);

  before(async () => {
    h = await startHandler();
    h.script('/fail', [500]);
    h.script('/hang', [{ hang: true }]);
    tl = await startTasklight({ clock, settings: { dispatch: true, liftLimits: true } });
    ui = tl.server.ui;
    // `later` waits an hour, `fine` succeeds, `flaky` fails once and backs off 10 s.
    await ui.call('createQueue', { name: QUEUE, retry: { maxAttempts: 2, minBackoffS: 10, maxBackoffS: 60 } });
    await ui.call('createTask', { queue: QUEUE, id: 'later', url: 'http://example.invalid/later', delayS: 3600 });
    await ui.call('createTask', { queue: QUEUE, id: 'fine', url: `${h.url}/ok`, body: 'hello world' });
    await ui.call('createTask', { queue: QUEUE, id: 'flaky', url: `${h.url}/fail` });
    assert.deepEqual(await ui.call('waitIdle', { queue: QUEUE, timeoutMs: 30_000 }), { idle: true });
    // `held` is due in a paused queue; `stuck` is being dispatched (its handler never answers).
    await ui.call('createQueue', { name: PAUSED });
    await ui.call('pauseQueue', { name: PAUSED });
    await ui.call('createTask', { queue: PAUSED, id: 'held', url: `${h.url}/ok` });
    await ui.call('createQueue', { name: BUSY });
    await ui.call('createTask', { queue: BUSY, id: 'stuck', url: `${h.url}/hang` });
    await h.waitForRequests(1, '/hang', 30_000);
  });

  after(async () => {
    await tl?.close();
    await h?.close();
  });

  test('the overview counts each state and says why each queue waits', async () => {
    const queues = new Map((await ui.call('listQueues', undefined)).map((q) => [q.name, q]));
    const q = queues.get(QUEUE)!;
    assert.deepEqual(q.counts, { scheduled: 1, due: 0, dispatching: 0, backing_off: 1, succeeded: 1, exhausted: 0 });
    assert.equal(q.why, 'scheduled');
    assert.equal(q.whyText, 'Nothing due; next task in 10 s.');
    assert.equal(q.nextDueMs, t0 + 10 * SECOND);
    assert.equal(q.oldestDueAgeMs, null);
    assert.equal(q.nowMs, t0);
    const p = queues.get(PAUSED)!;
    assert.deepEqual(p.counts, { scheduled: 0, due: 1, dispatching: 0, backing_off: 0, succeeded: 0, exhausted: 0 });
    assert.equal(p.why, 'paused');
    assert.equal(p.whyText, 'Paused: 1 task wait for Resume.');
    assert.equal(p.oldestDueAgeMs, 0);
    assert.equal(p.nextDueMs, null);
    const b = queues.get(BUSY)!;
    assert.equal(b.counts.dispatching, 1);
    assert.equal(b.why, 'dispatching');
    assert.equal(b.whyText, '1 in flight.');
    assert.equal(b.inFlight, 1);
  });

  test('the task table lists live tasks by schedule, and finished ones on request', async () => {
    const live = await ui.call('listTasks', { queue: QUEUE });
    assert.deepEqual(ids(live), ['flaky', 'later']);
    assert.equal(live.total, 2);
    assert.deepEqual(live.tasks.map((t) => [t.state, t.why]), [['backing_off', 'backing_off'], ['scheduled', 'scheduled']]);
    assert.equal(live.nowMs, t0);
    const all = await ui.call('listTasks', { queue: QUEUE, states: ['scheduled', 'due', 'dispatching', 'backing_off', 'succeeded', 'exhausted'] });
    assert.deepEqual(ids(all), ['fine', 'flaky', 'later']);
    assert.equal(all.total, 3);
    const done = await ui.call('listTasks', { queue: QUEUE, states: ['succeeded'] });
    assert.deepEqual(ids(done), ['fine']);
    assert.equal(done.tasks[0]!.why, 'idle');
    assert.equal(done.tasks[0]!.lastStatus, 200);
    assert.equal(done.tasks[0]!.finishedMs, t0);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, states: ['exhausted'] })), []);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, states: ['due'] })), []);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: PAUSED, states: ['due'] })), ['held']);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: BUSY, states: ['dispatching'] })), ['stuck']);
  });

  test('the task table filters by last status, host and text, sorts and pages', async () => {
    const every = ['scheduled', 'due', 'dispatching', 'backing_off', 'succeeded', 'exhausted'] as const;
    const failing = await ui.call('listTasks', { queue: QUEUE, statusClass: '5xx' });
    assert.deepEqual(ids(failing), ['flaky']);
    assert.equal(failing.tasks[0]!.lastMessage, 'HTTP status code 500');
    assert.equal(failing.tasks[0]!.lastClass, '5xx');
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, states: [...every], statusClass: '2xx' })), ['fine']);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, host: 'example.invalid' })), ['later']);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, states: [...every], search: 'hello' })), ['fine']);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, search: 'lat' })), ['later']);
    const searched = await ui.call('listTasks', { queue: QUEUE, search: 'nothing-matches' });
    assert.deepEqual([ids(searched), searched.total], [[], 0]);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, sort: 'attempts', desc: true })), ['flaky', 'later']);
    assert.deepEqual(ids(await ui.call('listTasks', { queue: QUEUE, sort: 'created' })), ['later', 'flaky']);
    const second = await ui.call('listTasks', { queue: QUEUE, limit: 1, offset: 1 });
    assert.deepEqual([ids(second), second.total, second.offset], [['later'], 2, 1]);
  });

  test("a task's detail shows its attempts, its next attempt by rule, and why it waits", async () => {
    const flaky = await ui.call('getTask', { queue: QUEUE, id: 'flaky' });
    assert.equal(flaky.name, `${QUEUE}/tasks/flaky`);
    assert.equal(flaky.summary.state, 'backing_off');
    assert.deepEqual(flaky.attempts.map((a) => [a.attempt, a.status, a.statusClass]), [[1, 500, '5xx']]);
    assert.deepEqual(flaky.nextAttempt, {
      atMs: t0 + 10 * SECOND,
      gap: { failures: 1, delayMs: 10 * SECOND, rule: 'doubling', formula: 'min_backoff', waitedMs: 10 * SECOND },
    });
    assert.equal(flaky.whyText, 'Backing off after 1 failed attempt: next attempt in 10 s.');
    assert.deepEqual(flaky.retry, { maxAttempts: 2, maxRetryDurationS: 0, minBackoffS: 10, maxBackoffS: 60, maxDoublings: 16 });
    assert.equal(flaky.dispatchDeadlineS, 600);
    assert.deepEqual([flaky.target, flaky.request.method, flaky.request.url], ['http', 'POST', `${h.url}/fail`]);
    assert.deepEqual([flaky.finished, flaky.deleted], [null, false]);

    const fine = await ui.call('getTask', { queue: QUEUE, id: 'fine' });
    assert.deepEqual(fine.finished, { outcome: 'succeeded', atMs: t0 });
    assert.equal(fine.whyText, 'Succeeded.');
    assert.equal(Buffer.from(fine.request.bodyBase64, 'base64').toString(), 'hello world');
    assert.equal((await ui.call('getTask', { queue: QUEUE, id: 'later' })).whyText, 'Scheduled: due in 1 h.');
    assert.equal((await ui.call('getTask', { queue: PAUSED, id: 'held' })).whyText, 'The queue is paused; Resume it (or Run now) to dispatch.');
    assert.equal((await ui.call('getTask', { queue: BUSY, id: 'stuck' })).whyText, 'Being dispatched: waiting for the handler to answer.');
  });

  test('the timeline shows tasks not being dispatched, attempts, and backoffs', async () => {
    const tl = await ui.call('timeline', { queue: QUEUE, fromMs: t0 - 60 * SECOND, toMs: t0 + 2 * HOUR });
    assert.equal(tl.nowMs, t0);
    assert.deepEqual(tl.future, [
      { id: 'flaky', atMs: t0 + 10 * SECOND, state: 'backing_off' },
      { id: 'later', atMs: t0 + HOUR, state: 'scheduled' },
    ]);
    assert.equal(tl.futureTotal, 2);
    assert.equal(tl.buckets, null);
    assert.deepEqual(tl.attempts.map((a) => [a.id, a.status, a.statusClass]).sort(), [['fine', 200, '2xx'], ['flaky', 500, '5xx']]);
    assert.deepEqual(tl.backoff, [{ id: 'flaky', fromMs: t0, toMs: t0 + 10 * SECOND }]);
    const dense = await ui.call('timeline', { queue: QUEUE, fromMs: t0 - 60 * SECOND, toMs: t0 + 2 * HOUR, limit: 1 });
    assert.deepEqual([dense.future.length, dense.futureTotal, dense.buckets?.reduce((a, n) => a + n, 0)], [1, 2, 2]);
    assert.deepEqual((await ui.call('timeline', { queue: BUSY, fromMs: t0 - HOUR, toMs: t0 + HOUR })).future, []);
  });

  test('the breakdown counts recent attempts by status, latency and target', async () => {
    const b = await ui.call('queueBreakdown', { name: QUEUE });
    assert.equal(b.sample, 2);
    assert.deepEqual(b.byStatusClass, { '2xx': 1, '3xx': 0, '4xx': 0, '5xx': 1, network: 0 });
    assert.deepEqual(b.byStatus.map((s) => [s.status, s.count]).sort(), [['200', 1], ['500', 1]]);
    assert.equal(b.latency[0]!.count, 2, 'both answers took no time on the fake clock');
    assert.deepEqual([b.p50Ms, b.p95Ms, b.p99Ms], [0, 0, 0]);
    assert.deepEqual(b.byTarget, [{ host: new URL(h.url).host, count: 2, errors: 1, p50Ms: 0 }]);
  });

  test('a finished named task keeps its name reserved for an hour', async () => {
    assert.deepEqual(await ui.call('reservedNames', { name: QUEUE }), { name: QUEUE, total: 1, names: [{ id: 'fine', untilMs: t0 + HOUR }] });
  });

  test('advance to next due moves the clock to the backoff end; the retry then exhausts the task', async () => {
    assert.deepEqual(await ui.call('advanceToNextDue', { name: QUEUE }), { advancedMs: 10 * SECOND, nextDueMs: t0 + 10 * SECOND });
    assert.deepEqual(await ui.call('waitIdle', { queue: QUEUE, timeoutMs: 30_000 }), { idle: true });
    const q = await ui.call('getQueue', { name: QUEUE });
    assert.deepEqual(q.counts, { scheduled: 1, due: 0, dispatching: 0, backing_off: 0, succeeded: 1, exhausted: 1 });
    assert.equal(q.clockOffsetMs, 10 * SECOND);
    const flaky = await ui.call('getTask', { queue: QUEUE, id: 'flaky' });
    // Finish times are engine time; the queue's clock offset is not added.
    assert.deepEqual(flaky.finished, { outcome: 'exhausted', atMs: t0 });
    assert.equal(flaky.whyText, 'Retries exhausted.');
    assert.deepEqual(flaky.attempts[1]!.gapBefore, { failures: 1, delayMs: 10 * SECOND, rule: 'doubling', formula: 'min_backoff', waitedMs: 10 * SECOND });
    assert.deepEqual(await ui.call('advanceToNextDue', { name: PAUSED }), { advancedMs: 0, nextDueMs: t0 });
  });

  test('the test helpers: attempts, wait until empty, forget names, reset', async () => {
    const { attempts } = await ui.call('listAttempts', { queue: QUEUE });
    assert.deepEqual(attempts.map((a) => [a.taskId, a.status]).sort(), [['fine', 200], ['flaky', 500], ['flaky', 500]]);
    assert.deepEqual(await ui.call('waitIdle', { queue: QUEUE, untilEmpty: true, timeoutMs: 0 }), { idle: false });
    await ui.call('deleteTask', { queue: QUEUE, id: 'later' });
    assert.deepEqual(await ui.call('waitIdle', { queue: QUEUE, untilEmpty: true, timeoutMs: 30_000 }), { idle: true });
    assert.deepEqual(await ui.call('forgetNames', { queue: QUEUE }), { released: 3 });
    assert.deepEqual(await ui.call('reservedNames', { name: QUEUE }), { name: QUEUE, total: 0, names: [] });
    await ui.call('reset', undefined);
    assert.deepEqual(await ui.call('listQueues', undefined), []);
  });
});
