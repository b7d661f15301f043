import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelayUs, backoffRule } from '../../src/main/core/dispatch/backoff';
import { retriesExhausted } from '../../src/main/core/dispatch/retry-policy';

const s = (seconds: number) => seconds * 1e6;

describe('retry backoff', () => {
  test("reproduces the docs' worked example: min 10 s, max 300 s, 3 doublings", () => {
    const config = { minBackoffUs: s(10), maxBackoffUs: s(300), maxDoublings: 3 };
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffDelayUs(n, config) / 1e6);
    assert.deepEqual(delays, [10, 20, 40, 80, 160, 240, 300, 300, 300]);
  });

  test('doubles the interval max_doublings times, then grows linearly', () => {
    const config = { minBackoffUs: s(1), maxBackoffUs: s(1000), maxDoublings: 2 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelayUs(n, config) / 1e6), [1, 2, 4, 8, 12, 16]);
    assert.deepEqual([1, 3, 4].map((n) => backoffRule(n, config)), ['doubling', 'doubling', 'linear']);
  });

  test('the defaults go 0.1 s, 0.2 s, … 3276.8 s, then 3600 s for every later retry', () => {
    const config = { minBackoffUs: 100_000, maxBackoffUs: s(3600), maxDoublings: 16 };
    assert.equal(backoffDelayUs(1, config), 100_000);
    assert.equal(backoffDelayUs(2, config), 200_000);
    assert.equal(backoffDelayUs(16, config), 3_276_800_000);
    assert.equal(backoffDelayUs(17, config), s(3600));
    assert.equal(backoffDelayUs(99, config), s(3600));
    assert.equal(backoffRule(17, config), 'max_backoff');
  });

  test('never goes below min_backoff, even with zero doublings', () => {
    const config = { minBackoffUs: s(5), maxBackoffUs: s(5), maxDoublings: 0 };
    assert.deepEqual([1, 2, 3].map((n) => backoffDelayUs(n, config) / 1e6), [5, 5, 5]);
  });
});

describe('when retries stop', () => {
  test('max_attempts alone: stops once dispatch_count reaches it', () => {
    const config = { maxAttempts: 3, maxRetryDurationUs: 0 };
    assert.equal(retriesExhausted(2, 0, s(1e6), config), false);
    assert.equal(retriesExhausted(3, 0, 0, config), true);
  });

  test('max_retry_duration alone: stops once the time since the first attempt reaches it', () => {
    const config = { maxAttempts: -1, maxRetryDurationUs: s(60) };
    assert.equal(retriesExhausted(500, 0, s(59), config), false);
    assert.equal(retriesExhausted(2, 0, s(60), config), true);
  });

  test('both limits must be reached when both are set', () => {
    const config = { maxAttempts: 3, maxRetryDurationUs: s(60) };
    assert.equal(retriesExhausted(3, 0, s(10), config), false);
    assert.equal(retriesExhausted(2, 0, s(100), config), false);
    assert.equal(retriesExhausted(3, 0, s(60), config), true);
  });

  test('unlimited on both never stops', () => {
    assert.equal(retriesExhausted(1e6, 0, s(1e7), { maxAttempts: -1, maxRetryDurationUs: 0 }), false);
  });
});
