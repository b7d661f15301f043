import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenBucket } from '../../src/main/core/dispatch/rate-limiter';

describe('token bucket', () => {
  test('starts full at max_burst_size', () => {
    const bucket = new TokenBucket(5, 10, 0);
    assert.equal(bucket.available(0), 10);
  });

  test('refills at max_dispatches_per_second and never beyond the burst', () => {
    const bucket = new TokenBucket(5, 10, 0);
    bucket.take(10, 0);
    assert.equal(bucket.available(0), 0);
    assert.equal(bucket.available(1_000_000), 5);
    assert.equal(bucket.available(60_000_000), 10);
  });

  test('says how long until the next token', () => {
    const bucket = new TokenBucket(4, 1, 0);
    bucket.take(1, 0);
    assert.equal(bucket.waitUs(0), 250_000);
    assert.equal(bucket.waitUs(250_000), 0);
  });

  test('a new rate applies at once and the level shrinks to a smaller burst', () => {
    const bucket = new TokenBucket(100, 20, 0);
    bucket.reconfigure(1, 10, 0);
    assert.equal(bucket.available(0), 10);
    bucket.take(10, 0);
    assert.equal(bucket.available(1_000_000), 1);
  });
});
