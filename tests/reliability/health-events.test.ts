/**
 * The UI learns that the disk is full from the live updates and forgets it the same way: every
 * update carries the store's health, and a change of health is sent without waiting for other
 * news (tests/renderer/health-banner.test.ts: what the banner then says).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventHub } from '../../src/main/api/ui/event-hub';
import { FakeClock } from '../../src/main/core/clock';
import { Engine } from '../../src/main/core/engine';
import { resolveSettings } from '../../src/main/core/settings';
import { PROBE_INTERVAL_US } from '../../src/main/core/store-health';
import type { UiUpdate } from '../../src/shared/contract';
import { waitFor } from '../helpers/handler';

describe('store health in the live updates', () => {
  test('an update says degraded once a write is refused, and ok again once the probe commits', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 2, 10, 42) * 1000);
    const engine = Engine.open(null, clock, resolveSettings({ dispatch: false }));
    const hub = new EventHub(engine, () => []);
    const updates: UiUpdate[] = [];
    const unsubscribe = hub.subscribe({ send: (u) => updates.push(u) });
    try {
      await waitFor(() => updates.length > 0, 5_000, 'the first update');
      assert.deepEqual(updates.at(-1)!.health, { status: 'ok' });

      engine.writeFault.code = 'SQLITE_FULL';
      await assert.rejects(engine.forgetReservedNames());
      const degraded = await waitFor(() => updates.find((u) => u.health?.status === 'degraded'), 5_000, 'a degraded update');
      assert.equal(degraded.health!.status === 'degraded' && degraded.health!.since, '2026-12-02T10:42:00.000Z');

      engine.writeFault.code = undefined;
      const seen = updates.length;
      clock.advanceUs(PROBE_INTERVAL_US);
      await waitFor(() => updates.slice(seen).find((u) => u.health?.status === 'ok'), 5_000, 'an ok update');
    } finally {
      unsubscribe();
      hub.close();
      await engine.shutdown();
    }
  });
});
