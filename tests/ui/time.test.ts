import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duration } from '../../src/renderer/src/lib/time';

test('durations round once, so no part reads 60', () => {
  assert.equal(duration(59_960), '1 min');
  assert.equal(duration(3_599_700), '1 h');
  assert.equal(duration(3_599_400), '59 min 59 s');
  assert.equal(duration(86_399_000), '1 d');
  assert.equal(duration(90_000), '1 min 30 s');
  assert.equal(duration(5_400_000), '1 h 30 min');
  assert.equal(duration(-90_000), '-1 min 30 s');
  assert.equal(duration(1_500), '1.5 s');
  assert.equal(duration(12_345), '12.3 s');
});
