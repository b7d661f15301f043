/**
 * The task page's "why is it waiting" sentence: the time left counts down with the page's clock,
 * rather than staying at what it was when the task was read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskSummary } from '../../src/shared/contract';
import { timeLeft } from '../../src/renderer/src/lib/time';
import { taskWaitText } from '../../src/renderer/src/screens/task/wait-text';

const DUE_MS = Date.UTC(2026, 11, 2, 10, 0, 0);

function summary(over: Partial<TaskSummary>): TaskSummary {
  return {
    queue: 'projects/p/locations/l/queues/q',
    id: 't1',
    state: 'backing_off',
    method: 'POST',
    url: 'http://127.0.0.1:8080/work',
    scheduleMs: DUE_MS,
    createMs: DUE_MS - 60_000,
    dispatchCount: 1,
    responseCount: 1,
    lastStatus: 503,
    lastMessage: 'HTTP status code 503',
    lastClass: '5xx',
    finishedMs: null,
    why: 'backing_off',
    ...over,
  };
}

test('the next attempt counts down as the clock moves', () => {
  const s = summary({});
  const text = 'Backing off after 1 failed attempt: next attempt in 47.1 s.';
  assert.equal(taskWaitText(s, text, DUE_MS - 47_100), 'Backing off after 1 failed attempt: next attempt in 47.1 s.');
  assert.equal(taskWaitText(s, text, DUE_MS - 46_100), 'Backing off after 1 failed attempt: next attempt in 46.1 s.');
  assert.equal(taskWaitText(s, text, DUE_MS - 400), 'Backing off after 1 failed attempt: next attempt in 400 ms.');
  assert.equal(taskWaitText(s, text, DUE_MS), 'Backing off after 1 failed attempt: next attempt due now.');
  assert.equal(taskWaitText(s, text, DUE_MS + 5_000), 'Backing off after 1 failed attempt: next attempt due now.');
  assert.equal(taskWaitText(summary({ dispatchCount: 3 }), text, DUE_MS - 125 * 60_000), 'Backing off after 3 failed attempts: next attempt in 2.1 h.');
});

test('a scheduled task counts down to its schedule time', () => {
  const s = summary({ state: 'scheduled', why: 'scheduled', dispatchCount: 0, responseCount: 0, lastStatus: null, lastMessage: null, lastClass: null });
  assert.equal(taskWaitText(s, 'Scheduled: due in 1 d.', DUE_MS - 86_400_000), 'Scheduled: due in 1 d.');
  assert.equal(taskWaitText(s, 'Scheduled: due in 1 d.', DUE_MS - 3 * 60_000), 'Scheduled: due in 3 min.');
});

test('reasons that name no time are the server’s sentence as it is', () => {
  for (const why of ['paused', 'dispatching', 'rate_limited', 'concurrency_limited', 'ready', 'idle'] as const) {
    assert.equal(taskWaitText(summary({ why }), `the server says ${why}`, DUE_MS - 10_000), `the server says ${why}`);
  }
});

test('time left reads as people say it, and never negative', () => {
  assert.deepEqual(
    [850, 12_540, 47_100, 59_940, 180_000, 5_400_000, 2 * 86_400_000, 0, -1_000].map(timeLeft),
    ['in 850 ms', 'in 12.5 s', 'in 47.1 s', 'in 59.9 s', 'in 3 min', 'in 1.5 h', 'in 2 d', 'now', 'now'],
  );
});
