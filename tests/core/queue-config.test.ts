import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { burstSizeFor, mergeQueueConfig } from '../../src/main/core/queue-config';
import { resolveSettings } from '../../src/main/core/settings';

const settings = resolveSettings();

describe('queue configuration', () => {
  test("fills in Cloud Tasks' defaults when nothing is set", () => {
    const config = mergeQueueConfig(undefined, { name: 'ignored' }, null, settings);
    assert.deepEqual(config, {
      rateLimits: { maxDispatchesPerSecond: 500, maxBurstSize: 100, maxConcurrentDispatches: 1000 },
      retryConfig: { maxAttempts: 100, minBackoff: { seconds: 0, nanos: 100_000_000 }, maxBackoff: { seconds: 3600 }, maxDoublings: 16 },
    });
  });

  test('computes the burst from the rate: clamp(ceil(rate / 5), 10, 100)', () => {
    assert.deepEqual([1, 5, 50, 51, 100, 499, 500].map(burstSizeFor), [10, 10, 10, 11, 20, 100, 100]);
  });

  test('recomputes the burst on every v2 update even when the caller sends one', () => {
    const created = mergeQueueConfig(undefined, { rateLimits: { maxDispatchesPerSecond: 100 } }, null, settings);
    const updated = mergeQueueConfig(created, { rateLimits: { maxDispatchesPerSecond: 5, maxBurstSize: 400 } }, ['rateLimits'], settings);
    assert.equal(updated.rateLimits.maxBurstSize, 10);
  });

  test('lets v2beta3 set the burst up to 500', () => {
    const config = mergeQueueConfig(undefined, { rateLimits: { maxBurstSize: 300 } }, null, settings, true);
    assert.equal(config.rateLimits.maxBurstSize, 300);
    assert.throws(() => mergeQueueConfig(undefined, { rateLimits: { maxBurstSize: 501 } }, null, settings, true), /max_burst_size/);
  });

  test('changes only the masked paths and clears a masked path absent from the request', () => {
    const created = mergeQueueConfig(
      undefined,
      { rateLimits: { maxDispatchesPerSecond: 10, maxConcurrentDispatches: 7 }, retryConfig: { maxAttempts: 5 } },
      null,
      settings,
    );
    const updated = mergeQueueConfig(created, { rateLimits: { maxDispatchesPerSecond: 20, maxConcurrentDispatches: 99 } }, ['rateLimits.maxDispatchesPerSecond', 'retryConfig.maxAttempts'], settings);
    assert.equal(updated.rateLimits.maxDispatchesPerSecond, 20);
    assert.equal(updated.rateLimits.maxConcurrentDispatches, 7);
    assert.equal(updated.retryConfig.maxAttempts, 100, 'a cleared max_attempts takes the default again');
  });

  test('keeps an explicit max_doublings of 0 when the mask names it', () => {
    const created = mergeQueueConfig(undefined, {}, null, settings);
    const updated = mergeQueueConfig(created, { retryConfig: { maxDoublings: 0 } }, ['retryConfig.maxDoublings'], settings);
    assert.equal(updated.retryConfig.maxDoublings, 0);
  });

  test('rejects production-impossible values with a message naming the field', () => {
    const cases: Array<[object, RegExp]> = [
      [{ rateLimits: { maxDispatchesPerSecond: 501 } }, /max_dispatches_per_second/],
      [{ rateLimits: { maxDispatchesPerSecond: -1 } }, /max_dispatches_per_second/],
      [{ rateLimits: { maxConcurrentDispatches: 5001 } }, /max_concurrent_dispatches/],
      [{ retryConfig: { maxAttempts: -2 } }, /max_attempts/],
      [{ retryConfig: { minBackoff: { seconds: 10 }, maxBackoff: { seconds: 5 } } }, /min_backoff/],
      [{ retryConfig: { maxDoublings: -1 } }, /max_doublings/],
      [{ stackdriverLoggingConfig: { samplingRatio: 1.5 } }, /sampling_ratio/],
    ];
    for (const [request, message] of cases) {
      assert.throws(() => mergeQueueConfig(undefined, request, null, settings), (err: any) => err.code === 'INVALID_ARGUMENT' && message.test(err.message));
    }
  });

  test('lifted limits accept rates above 500/s', () => {
    const config = mergeQueueConfig(undefined, { rateLimits: { maxDispatchesPerSecond: 5000, maxConcurrentDispatches: 20000 } }, null, resolveSettings({ liftLimits: true }));
    assert.equal(config.rateLimits.maxDispatchesPerSecond, 5000);
    assert.equal(config.rateLimits.maxConcurrentDispatches, 20000);
  });
});
