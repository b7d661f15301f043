import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { TypedEmitter, type EngineEvents } from '../../src/main/core/events';
import { loadDesktopSettings, saveDesktopSettings } from '../../src/main/desktop/settings';
import { ExhaustionAlerts, type ExhaustionAlert } from '../../src/main/desktop/notifications';

const Q1 = 'projects/p/locations/l/queues/emails';
const Q2 = 'projects/p/locations/l/queues/billing';
const exhausted = (queue: string, taskId: string) => ({ queue, taskId, outcome: 'http', finished: 'exhausted' as const });

function setup() {
  const clock = new FakeClock();
  const shown: ExhaustionAlert[] = [];
  const alerts = new ExhaustionAlerts(clock, (a) => shown.push(a));
  const events = new TypedEmitter<EngineEvents>();
  alerts.listen(events);
  return { clock, shown, alerts, events };
}

describe('desktop alerts for tasks that ran out of retries', () => {
  test('are off by default', () => {
    const { clock, shown, events } = setup();
    events.emit('attempt:finished', exhausted(Q1, '7'));
    clock.advanceMs(5_000);
    assert.deepEqual(shown, []);
  });

  test('one exhausted task: one alert after the gathering window, opening the task', () => {
    const { clock, shown, alerts, events } = setup();
    alerts.enabled = true;
    events.emit('attempt:finished', exhausted(Q1, '7'));
    clock.advanceMs(1_999);
    assert.equal(shown.length, 0, 'shown before the window closed');
    clock.advanceMs(1);
    assert.deepEqual(shown, [
      { title: 'A task ran out of retries', body: 'Task 7 in queue emails will not be tried again.', route: `#/task/${encodeURIComponent(Q1)}/7` },
    ]);
  });

  test('a burst becomes one alert per queue, opening the queue', () => {
    const { clock, shown, alerts, events } = setup();
    alerts.enabled = true;
    for (let i = 0; i < 50; i++) events.emit('attempt:finished', exhausted(Q1, String(i)));
    events.emit('attempt:finished', exhausted(Q2, 'inv-1'));
    clock.advanceMs(2_000);
    assert.deepEqual(
      shown.map((a) => [a.title, a.route]),
      [
        ['50 tasks ran out of retries', `#/queue/${encodeURIComponent(Q1)}`],
        ['A task ran out of retries', `#/task/${encodeURIComponent(Q2)}/inv-1`],
      ],
    );
    events.emit('attempt:finished', exhausted(Q1, 'later'));
    clock.advanceMs(2_000);
    assert.equal(shown.length, 3, 'a later exhaustion starts a new window');
  });

  test('retries, successes and other changes raise nothing', () => {
    const { clock, shown, alerts, events } = setup();
    alerts.enabled = true;
    events.emit('attempt:finished', { queue: Q1, taskId: '1', outcome: 'http' });
    events.emit('attempt:finished', { queue: Q1, taskId: '2', outcome: 'success', finished: 'succeeded' });
    events.emit('task:changed', { queue: Q1, taskId: '3' });
    clock.advanceMs(5_000);
    assert.deepEqual(shown, []);
    assert.equal(clock.pendingTimers(), 0);
  });
});

describe('the desktop switch for those alerts', () => {
  test('is off until turned on, and stays as set across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-ds-'));
    try {
      const file = join(dir, 'desktop-settings.json');
      assert.deepEqual(loadDesktopSettings(file), { notifyExhausted: false });
      saveDesktopSettings(file, { notifyExhausted: true });
      assert.deepEqual(loadDesktopSettings(file), { notifyExhausted: true });
      writeFileSync(file, '{broken');
      assert.deepEqual(loadDesktopSettings(file), { notifyExhausted: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
