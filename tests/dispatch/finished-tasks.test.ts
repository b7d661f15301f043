/**
 * What a task leaves behind once dispatch is done with it (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/create: a name stays reserved after the task is gone): a
 * caller-named task reserves its name, a generated ID reserves nothing but still reads as "existed
 * recently"; and outcomes already answered survive a clean stop, so nothing done is sent again.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRpcError, makeTempDir, PARENT, startTasklight } from '../helpers/tasklight';
import { shortId, startHandler, waitFor } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

const TASK_EXISTS = 'Requested entity already exists';
const TASK_TOO_RECENT =
  'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.';

describe('dispatch: what a finished task leaves behind', () => {
  const suite = useDispatchSuite();
  const { client, engine } = suite;
  let n = 0;

  async function newQueue(): Promise<string> {
    const name = `${PARENT}/queues/finished-${++n}`;
    await client().createQueue({ parent: PARENT, queue: { name } });
    return name;
  }

  test('a caller-named task that succeeded keeps its name reserved: ALREADY_EXISTS', async () => {
    const queue = await newQueue();
    const name = `${queue}/tasks/welcome-mail-42`;
    await client().createTask({ parent: queue, task: { name, httpRequest: { url: `${suite.h.url}/finished/named` } } });
    await waitFor(() => engine().history.finished(queue, 'welcome-mail-42'), 30_000, 'the named task to finish');
    await assertRpcError(client().createTask({ parent: queue, task: { name, httpRequest: { url: `${suite.h.url}/x` } } }), 'grpc', 'ALREADY_EXISTS', TASK_EXISTS);
    await assertRpcError(client().getTask({ name }), 'grpc', 'NOT_FOUND', TASK_TOO_RECENT);
  });

  test('a task with a generated ID reserves no name once it succeeded, yet GetTask says it existed recently', async () => {
    const queue = await newQueue();
    const [task] = await client().createTask({ parent: queue, task: { httpRequest: { url: `${suite.h.url}/finished/generated` } } });
    const id = shortId(task.name!);
    await waitFor(() => engine().history.finished(queue, id), 30_000, 'the generated task to finish');
    assert.equal(engine().tasks.reservedUntil(queue, id), undefined, 'a generated ID left a name reservation');
    await assertRpcError(client().getTask({ name: task.name! }), 'grpc', 'NOT_FOUND', TASK_TOO_RECENT);
  });
});

describe('dispatch: how a task ended, as the engine reports it', () => {
  const suite = useDispatchSuite();
  const { client, engine } = suite;

  test("the attempt that ends a task says 'succeeded' or 'exhausted'; the others say nothing", async () => {
    suite.h.script('/finished/flaky', [{ status: 500 }]);
    const queue = `${PARENT}/queues/finished-report`;
    await client().createQueue({ parent: PARENT, queue: { name: queue, retryConfig: { maxAttempts: 2, minBackoff: { nanos: 10_000_000 } } } });
    const seen: Array<[string | undefined, string | undefined]> = [];
    const listener = (c: { queue: string; taskId: string; finished?: string }) => {
      if (c.queue === queue) seen.push([c.taskId, c.finished]);
    };
    engine().events.on('attempt:finished', listener);
    try {
      const [failing] = await client().createTask({ parent: queue, task: { httpRequest: { url: `${suite.h.url}/finished/flaky` } } });
      const [passing] = await client().createTask({ parent: queue, task: { httpRequest: { url: `${suite.h.url}/finished/fine` } } });
      await waitFor(() => seen.length === 3, 30_000, 'three attempts reported');
      const f = shortId(failing.name!);
      const p = shortId(passing.name!);
      assert.deepEqual(seen.filter(([id]) => id === f).map(([, end]) => end), [undefined, 'exhausted']);
      assert.deepEqual(seen.filter(([id]) => id === p).map(([, end]) => end), ['succeeded']);
    } finally {
      engine().events.off('attempt:finished', listener);
    }
  });
});

describe('dispatch: a clean stop', () => {
  test('records the answers already received, so a restart sends nothing that succeeded', async () => {
    const h = await startHandler();
    const dataDir = makeTempDir();
    const queue = `${PARENT}/queues/clean-stop`;
    let tl = await startTasklight({ dataDir, settings: { dispatch: true, liftLimits: true } });
    try {
      await tl.client('grpc').createQueue({ parent: PARENT, queue: { name: queue } });
      const engine = tl.server.engine;
      engine.dispatcher.completionWindowMs = 60_000; // outcomes wait to be committed in a group
      const [task] = await tl.client('grpc').createTask({ parent: queue, task: { httpRequest: { url: `${h.url}/clean-stop` } } });
      await waitFor(() => engine.dispatcher.queueStats(queue)?.inFlight === 0 && engine.dispatcher.busy(queue), 30_000, 'an answered, unrecorded attempt');
      await tl.close();

      tl = await startTasklight({ dataDir, settings: { dispatch: true, liftLimits: true } });
      const id = shortId(task.name!);
      assert.equal(tl.server.engine.history.finished(queue, id)?.outcome, 'succeeded');
      assert.deepEqual((await tl.client('grpc').listTasks({ parent: queue }))[0], [], 'the succeeded task is back in the queue');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(h.to('/clean-stop').length, 1, 'the succeeded task was delivered again after a clean stop');
    } finally {
      await tl.close();
      await h.close();
    }
  });
});
