/**
 * The retry plan the UI shows for a queue's retry settings (the `retryPlan` command) says what the
 * dispatcher will do with a task that always fails: how many attempts, and when it gives up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UiService } from '../../src/main/api/ui-service';
import { PARENT, startTasklight, type Tasklight } from '../helpers/tasklight';

const DEFAULTS = { maxRetryDurationS: 0, minBackoffS: 0.1, maxBackoffS: 3600, maxDoublings: 16 };

describe('UI contract: the retry plan', () => {
  let tl: Tasklight;
  let ui: UiService;
  before(async () => {
    tl = await startTasklight();
    ui = tl.server.ui;
  });
  after(async () => {
    await tl?.close();
  });

  test(
    'max_attempts 0 plans the default 100 attempts, as the engine stores it and the dispatcher runs it',
    async () => {
      const plan = await ui.call('retryPlan', { retry: { ...DEFAULTS, maxAttempts: 0 } });
      assert.equal(plan.totalAttempts, 100);
      assert.equal(plan.stopRule, 'Stops after 100 attempts.');
      // A queue created with max_attempts 0 keeps 100, and its plan is the same one.
      const queue = await ui.call('createQueue', { name: `${PARENT}/queues/zero-attempts`, retry: { maxAttempts: 0 } });
      assert.equal(queue.retry.maxAttempts, 100);
      assert.deepEqual(await ui.call('retryPlan', { retry: queue.retry }), plan);
    },
  );

  test('max_attempts -1 and no max_retry_duration retry until the task succeeds', async () => {
    const plan = await ui.call('retryPlan', { retry: { ...DEFAULTS, maxAttempts: -1 } });
    assert.deepEqual([plan.totalAttempts, plan.lifetimeMs, plan.truncated], [null, null, true]);
    assert.equal(plan.stopRule, 'Retried until it succeeds (max_attempts -1, no max_retry_duration).');
  });

  test('max_attempts alone stops after that many attempts, each after its backoff', async () => {
    const plan = await ui.call('retryPlan', { retry: { ...DEFAULTS, maxAttempts: 4 } });
    assert.equal(plan.totalAttempts, 4);
    assert.deepEqual(plan.rows.map((r) => [r.attempt, r.delayMs, r.formula]), [
      [1, 0, 'first attempt'], [2, 100, 'min_backoff'], [3, 200, 'min_backoff × 2¹'], [4, 400, 'min_backoff × 2²'],
    ]);
    assert.equal(plan.lifetimeMs, 700);
  });

  test('with both limits, both must be reached', async () => {
    const plan = await ui.call('retryPlan', { retry: { ...DEFAULTS, maxAttempts: 2, maxRetryDurationS: 1 } });
    // 0.1 + 0.2 + 0.4 + 0.8 s: the fifth attempt is the first one a second or more after the first.
    assert.equal(plan.totalAttempts, 5);
    assert.equal(plan.stopRule, 'Stops once both 2 attempts were made and 1 s have passed since the first.');
  });
});
