/**
 * A graceful stop (issue 13 item 3): Engine.stop({ graceMs }) claims nothing more at once, lets
 * attempts in flight be answered within the grace (on the engine's clock) and recorded, and
 * records the ones cut off as `interrupted`; after the restart such a task is sent again, its
 * interrupted attempt counted as dispatched, so history reads attempt 1 interrupted, attempt 2
 * answered, with nothing missing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { Engine } from '../../src/main/core/engine';
import { resolveSettings } from '../../src/main/core/settings';
import { startServer } from '../../src/main/server';
import { startHandler, waitFor, type RecordingHandler } from '../helpers/handler';
import { makeTempDir, removeTempDir } from '../helpers/tasklight';

const PARENT = 'projects/stop/locations/us-central1';
const QUEUE = `${PARENT}/queues/q`;

describe('a graceful stop', () => {
  let h: RecordingHandler;
  let dir: string;

  before(async () => {
    h = await startHandler();
    dir = makeTempDir('tasklight-stop-');
  });
  after(async () => {
    await h.close();
    removeTempDir(dir);
  });

  test('claims nothing more, records answers that come within the grace, interrupts the rest, and they are sent again after the restart', async () => {
    const clock = new FakeClock();
    const engine = Engine.open(dir, clock, resolveSettings());
    const id = (task: { name?: string | null }) => String(task.name).split('/').pop()!;
    await engine.createQueue(PARENT, { name: QUEUE, retryConfig: { maxAttempts: 2 } });
    h.script('/quick', [{ delayMs: 300 }]);
    h.script('/hang', [{ hang: true }], 200);
    const quick = id(await engine.createTask(QUEUE, { httpRequest: { url: `${h.url}/quick` } }, 'BASIC'));
    const hung = id(await engine.createTask(QUEUE, { httpRequest: { url: `${h.url}/hang` } }, 'BASIC'));
    const later = id(await engine.createTask(QUEUE, { httpRequest: { url: `${h.url}/later` }, scheduleTime: { seconds: clock.nowUs() / 1e6 + 5 } }, 'BASIC'));
    await h.waitForRequests(1, '/quick');
    await h.waitForRequests(1, '/hang');

    const stopping = engine.stop({ graceMs: 10_000 });
    // Due during the grace: not claimed.
    clock.advanceUs(5_000_000);
    await waitFor(() => engine.history.finished(QUEUE, quick), 5_000, 'the quick answer to be recorded within the grace');
    assert.equal(h.to('/later').length, 0, 'nothing is claimed once the stop began');
    let stopped = false;
    void stopping.then(() => (stopped = true));
    assert.equal(stopped, false, 'still waiting for the hung attempt');
    clock.advanceUs(5_000_000); // the grace is over
    await stopping;

    const reopened = Engine.open(dir, clock, resolveSettings(), { startDispatching: false });
    try {
      const [interrupted] = reopened.history.attemptsOf(QUEUE, hung);
      assert.equal(interrupted!.outcome, 'interrupted');
      assert.equal(interrupted!.status, null);
      assert.equal(interrupted!.attempt, 1);
      const row = reopened.tasks.get(QUEUE, hung)!;
      assert.deepEqual({ lease: row.lease_until_us, dispatched: row.dispatch_count, answered: row.response_count }, { lease: null, dispatched: 1, answered: 0 });
      assert.equal(JSON.parse(row.last_attempt!).responseStatus.code, 1, 'CANCELLED: Tasklight stopped before an answer');
      assert.equal(reopened.tasks.get(QUEUE, later)!.dispatch_count, 0);

      reopened.startDispatching();
      const [again] = (await h.waitForRequests(2, '/hang')).slice(1);
      assert.equal(again!.header('X-CloudTasks-TaskRetryCount'), '1', 'the interrupted attempt counts as dispatched');
      await waitFor(() => reopened.history.finished(QUEUE, hung), 5_000, 'the redelivered attempt to finish the task');
      assert.deepEqual(reopened.history.attemptsOf(QUEUE, hung).map((a) => [a.attempt, a.outcome]), [[1, 'interrupted'], [2, 'success']]);
      assert.equal(reopened.history.finished(QUEUE, hung)?.outcome, 'succeeded', 'max_attempts 2: the interrupted attempt did not exhaust it');
    } finally {
      await reopened.shutdown();
    }
  });

  test('server.close({ graceMs }) stops the same way: the port closes, the hung attempt is recorded as interrupted when the grace ends', async () => {
    const serverDir = makeTempDir('tasklight-stop-server-');
    try {
      const clock = new FakeClock();
      const server = await startServer({ dataDir: serverDir, clock, grpcPort: 0, httpPort: 0, rendererDir: null });
      await server.engine.createQueue(PARENT, { name: QUEUE });
      h.script('/hang-server', [{ hang: true }]);
      const task = await server.engine.createTask(QUEUE, { httpRequest: { url: `${h.url}/hang-server` } }, 'BASIC');
      await h.waitForRequests(1, '/hang-server');
      let closed = false;
      const closing = server.close({ graceMs: 2_000 }).then(() => (closed = true));
      await waitFor(async () => !(await fetch(`${server.httpUrl}/healthz`).then(() => true, () => false)), 5_000, 'the HTTP port to close');
      assert.equal(closed, false, 'waiting out the grace for the attempt in flight');
      clock.advanceUs(2_000_000);
      await closing;
      const reopened = Engine.open(serverDir, clock, resolveSettings(), { startDispatching: false });
      try {
        const taskId = String(task.name).split('/').pop()!;
        assert.deepEqual(reopened.history.attemptsOf(QUEUE, taskId).map((a) => a.outcome), ['interrupted']);
        assert.equal(reopened.tasks.get(QUEUE, taskId)!.lease_until_us, null);
      } finally {
        await reopened.shutdown();
      }
    } finally {
      removeTempDir(serverDir);
    }
  });
});
