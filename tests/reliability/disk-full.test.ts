/**
 * A full or failing disk never takes Tasklight down (issue 13 item 1), tested through the store's
 * write-fault switch (the same SqliteError SQLite throws, at the point a write would commit):
 * writes answer UNAVAILABLE naming the data directory, dispatch claims nothing while the disk
 * refuses, answers that arrive meanwhile are kept, and everything resumes by itself once a probe
 * write on the engine's clock succeeds. tests/reliability/disk-full-tmpfs.test.ts does it on a real
 * full file system.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { Engine } from '../../src/main/core/engine';
import { ApiError } from '../../src/main/core/errors';
import { resolveSettings } from '../../src/main/core/settings';
import { PROBE_INTERVAL_US, type StoreHealthReport } from '../../src/main/core/store-health';
import { startHandler, waitFor, type RecordingHandler } from '../helpers/handler';
import { makeTempDir, removeTempDir } from '../helpers/tasklight';

const PARENT = 'projects/disk/locations/us-central1';
const QUEUE = `${PARENT}/queues/q`;

describe('a store whose disk refuses writes', () => {
  let h: RecordingHandler;
  let dir: string;
  let clock: FakeClock;
  let engine: Engine;
  let changes: StoreHealthReport[];

  before(async () => {
    h = await startHandler();
  });
  after(async () => {
    await h.close();
  });

  beforeEach(async () => {
    dir = makeTempDir('tasklight-disk-full-');
    clock = new FakeClock();
    engine = Engine.open(dir, clock, resolveSettings());
    changes = [];
    engine.health.on('change', (r) => changes.push(r));
    await engine.createQueue(PARENT, { name: QUEUE, retryConfig: { minBackoff: { seconds: 1 }, maxBackoff: { seconds: 1 } } });
    h.clear();
  });
  afterEach(async () => {
    await engine.shutdown();
    removeTempDir(dir);
  });

  const taskId = (task: { name?: string | null }) => String(task.name).split('/').pop()!;
  const createAt = (path: string, inSeconds: number) =>
    engine.createTask(QUEUE, { httpRequest: { url: `${h.url}${path}` }, scheduleTime: { seconds: Math.floor(clock.nowUs() / 1e6) + inSeconds } }, 'BASIC');
  /** Frees the disk and lets the next probe (on the engine's clock) find it writable. */
  async function freeSpace(): Promise<void> {
    engine.writeFault.code = undefined;
    clock.advanceUs(PROBE_INTERVAL_US);
    await waitFor(() => !engine.health.degraded, 5_000, 'the probe to find the disk writable');
  }

  test('CreateTask answers UNAVAILABLE naming the data directory, stores nothing, and works again once space returns', async () => {
    engine.writeFault.code = 'SQLITE_FULL';
    const refused = await engine.createTask(QUEUE, { httpRequest: { url: `${h.url}/a` } }, 'BASIC').then(
      () => assert.fail('CreateTask succeeded on a full disk'),
      (err: unknown) => err,
    );
    assert.ok(refused instanceof ApiError, `an ApiError, got ${String(refused)}`);
    assert.equal(refused.code, 'UNAVAILABLE');
    assert.ok(refused.message.includes(dir), refused.message);
    assert.match(refused.message, /disk is full/);
    assert.equal(engine.taskStats(QUEUE).tasksCount, 0, 'nothing was stored');

    const report = engine.health.report();
    assert.deepEqual({ ...report, detail: undefined }, {
      status: 'degraded', reason: 'disk-full', since: new Date(clock.nowUs() / 1000).toISOString(), dataDir: dir, detail: undefined,
    });
    assert.equal(changes.length, 1, 'one change: degraded');

    // Still full at the first probe: still degraded, and `since` keeps the first failure's time.
    clock.advanceUs(PROBE_INTERVAL_US);
    await engine.createTask(QUEUE, { httpRequest: { url: `${h.url}/a` } }, 'BASIC').catch(() => undefined);
    assert.equal(engine.health.report().status, 'degraded');
    assert.equal((engine.health.report() as { since: string }).since, (report as { since: string }).since);

    await freeSpace();
    assert.deepEqual(changes.map((c) => c.status), ['degraded', 'ok']);
    const task = await engine.createTask(QUEUE, { httpRequest: { url: `${h.url}/a` }, scheduleTime: { seconds: Math.floor(clock.nowUs() / 1e6) + 60 } }, 'BASIC');
    assert.ok(task.name);
    assert.equal(engine.taskStats(QUEUE).tasksCount, 1);
  });

  test('an I/O error is reported as such', async () => {
    engine.writeFault.code = 'SQLITE_IOERR';
    await assert.rejects(engine.purgeQueue(QUEUE), (err: ApiError) => err.code === 'UNAVAILABLE' && /I\/O errors/.test(err.message));
    assert.equal(engine.health.report().status, 'degraded');
    assert.equal((engine.health.report() as { reason: string }).reason, 'io-error');
  });

  test('a task that comes due while the disk is full is not claimed, nothing is thrown, and it is sent once space returns', async () => {
    const id = taskId(await createAt('/due', 10));
    engine.writeFault.code = 'SQLITE_FULL';
    assert.doesNotThrow(() => clock.advanceUs(10_000_000), 'the lease write failing must not escape the dispatcher');
    await waitFor(() => engine.health.degraded, 5_000, 'the refused lease to degrade the store');
    assert.equal(h.requests.length, 0, 'nothing was sent without a lease');
    assert.equal(engine.tasks.get(QUEUE, id)!.dispatch_count, 0);

    // Later timers fire without claiming either.
    clock.advanceUs(PROBE_INTERVAL_US * 3);
    assert.equal(h.requests.length, 0);

    await freeSpace();
    await h.waitForRequests(1, '/due');
    await waitFor(() => engine.history.finished(QUEUE, id), 5_000, 'the attempt to be recorded');
    assert.equal(engine.history.finished(QUEUE, id)?.outcome, 'succeeded');
  });

  test('RunTask on a full disk answers UNAVAILABLE and sends nothing', async () => {
    const task = await createAt('/run', 60);
    engine.writeFault.code = 'SQLITE_FULL';
    assert.throws(() => engine.runTask(String(task.name), 'BASIC'), (err: ApiError) => err.code === 'UNAVAILABLE' && err.message.includes(dir));
    assert.equal(h.requests.length, 0);
    assert.equal(engine.tasks.get(QUEUE, taskId(task))!.dispatch_count, 0);
  });

  test('an answer that arrives while writes fail is kept and recorded once they succeed: the task does not stay dispatching', async () => {
    // The handler answers 300 ms after the request arrives; the disk fills up in between.
    h.script('/slow', [{ delayMs: 300, status: 500 }]);
    const finishedEvents: string[] = [];
    engine.events.on('attempt:finished', (e) => finishedEvents.push(e.taskId));
    const id = taskId(await createAt('/slow', 0));
    await h.waitForRequests(1, '/slow');
    engine.writeFault.code = 'SQLITE_FULL';
    await waitFor(() => engine.health.degraded, 5_000, 'recording the answer to fail');
    assert.equal(engine.history.attemptsOf(QUEUE, id).length, 0, 'not recorded yet');
    assert.notEqual(engine.tasks.get(QUEUE, id)!.lease_until_us, null, 'still leased meanwhile');
    assert.equal(engine.dispatcher.busy(QUEUE), true, 'the answer is held, so the queue is not idle');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(finishedEvents, [], 'a refused record announces nothing');

    await freeSpace();
    await waitFor(() => engine.history.attemptsOf(QUEUE, id).length === 1, 5_000, 'the kept answer to be recorded');
    const [attempt] = engine.history.attemptsOf(QUEUE, id);
    assert.equal(attempt!.status, 500);
    await waitFor(() => finishedEvents.length > 0, 5_000, 'the attempt:finished event');
    assert.deepEqual(finishedEvents.slice(0, 1), [id], 'announced once, when it was recorded');
    // Moved on, not stuck `dispatching`: its retry (due 1 s after the answer, already past) goes out and is recorded.
    await h.waitForRequests(2, '/slow');
    await waitFor(() => engine.history.attemptsOf(QUEUE, id).length === 2, 5_000, 'the retry to be recorded');
    assert.equal(engine.tasks.get(QUEUE, id)!.response_count, 2);
  });
});
