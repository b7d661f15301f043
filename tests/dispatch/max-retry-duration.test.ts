/**
 * max_retry_duration is "the time limit for retrying a failed task, measured from when the task
 * was first attempted" (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RetryConfig),
 * and the stop rule is checked when an attempt fails, i.e. when its answer arrives. On a FakeClock
 * whose time the handler moves on by 0.3 s while it answers, every time is exact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { durationMs, shortId, startHandler, waitFor, type RecordingHandler } from '../helpers/handler';
import { PARENT, startTasklight, type Tasklight } from '../helpers/tasklight';

/** Only a hang can exceed this; the machine's speed never decides a result. */
const HANG_MS = 30_000;
const ANSWER_US = 300_000;
const BACKOFF_US = 100_000;

describe('dispatch: max_retry_duration counts from the first attempt to the failing answer (FakeClock)', () => {
  const clock = new FakeClock();
  let tl: Tasklight;
  let h: RecordingHandler;
  before(async () => {
    h = await startHandler({ now: () => clock.nowUs() });
    // Each attempt takes 0.3 s of Tasklight's time, then fails.
    h.respond(() => {
      clock.advanceUs(ANSWER_US);
      return 500;
    });
    tl = await startTasklight({ clock, settings: { dispatch: true, liftLimits: true } });
  });
  after(async () => {
    await tl?.close();
    await h?.close();
  });

  test('a 1 s limit with 0.3 s answers and 0.1 s backoff: attempts at 0, 0.4 and 0.8 s, then exhausted at the 1.1 s answer', async () => {
    const queue = `${PARENT}/queues/duration-from-first`;
    await tl.client('grpc').createQueue({
      parent: PARENT,
      queue: {
        name: queue,
        retryConfig: { maxAttempts: -1, maxRetryDuration: durationMs(1000), minBackoff: durationMs(100), maxBackoff: durationMs(100) },
      },
    });
    const [task] = await tl.client('grpc').createTask({ parent: queue, task: { httpRequest: { url: `${h.url}/duration/first` } } });
    const id = shortId(task.name!);
    const history = tl.server.engine.history;
    for (let recorded = 1; ; recorded++) {
      await waitFor(() => history.attemptsOf(queue, id).length >= recorded, HANG_MS, `attempt ${recorded}`, 2);
      if (history.finished(queue, id)) break;
      assert.ok(recorded < 20, 'the task never stops retrying');
      clock.advanceUs(BACKOFF_US);
    }
    const attempts = history.attemptsOf(queue, id);
    const first = attempts[0]!.dispatch_us;
    assert.deepEqual(
      attempts.map((a) => [a.dispatch_us - first, a.response_us! - first]),
      [
        [0, 300_000],
        [400_000, 700_000],
        [800_000, 1_100_000],
      ],
      '(dispatch, answer) of each attempt, from the first dispatch',
    );
    assert.equal(history.finished(queue, id)?.outcome, 'exhausted');
  });
});
