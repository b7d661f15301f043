/**
 * The banner under the header while the store refuses writes: what, since when and where; it
 * follows the health carried by the live updates, so it clears by itself.
 */
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, test } from 'node:test';
import { HealthNotice } from '../../src/renderer/src/components/HealthBanner';
import { applyUpdate, useStore } from '../../src/renderer/src/store';
import type { UiUpdate } from '../../src/shared/contract';

describe('health banner', () => {
  test('the banner shows while degraded, naming the time and the data directory, and goes with the next ok update', () => {
    // The banner shows what the store holds (server rendering reads state only through props).
    const banner = () => renderToStaticMarkup(createElement(HealthNotice, { health: useStore.getState().health, zone: 'utc' }));
    const update = (health: UiUpdate['health']): UiUpdate => ({ seq: 1, atMs: 0, changedQueues: [], changedTasks: [], tasksTruncated: false, reset: false, health });
    applyUpdate(update({ status: 'degraded', reason: 'disk-full', since: '2026-12-02T10:42:07.000Z', dataDir: '/data/tasklight', detail: 'SQLITE_FULL: database or disk is full' }));
    const shown = banner();
    assert.match(shown, /role="alert"/);
    assert.match(shown, /Disk full since 10:42 UTC — writes are failing in \/data\/tasklight/);

    applyUpdate(update({ status: 'degraded', reason: 'io-error', since: '2026-12-02T10:42:07.000Z', dataDir: '/data/tasklight', detail: 'SQLITE_IOERR' }));
    assert.match(banner(), /Disk errors since 10:42 UTC/);

    applyUpdate(update(undefined));
    assert.match(banner(), /Disk errors/, 'an update without health changes nothing');
    applyUpdate(update({ status: 'ok' }));
    assert.equal(banner(), '');
  });
});
