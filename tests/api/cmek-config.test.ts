/**
 * CMEK config (v2beta3): stored per location and handed back, with no effect on tasks; a reset
 * forgets it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachTransport, PARENT } from '../helpers/tasklight';

const NAME = `${PARENT}/cmekConfig`;
const KEY = 'projects/tasklight-test/locations/us-central1/keyRings/ring/cryptoKeys/key';

forEachTransport('CMEK config', (ctx) => {
  test('a location without one reads back as its name only', async () => {
    const [config] = await ctx.beta.getCmekConfig({ name: `projects/tasklight-test/locations/europe-west1/cmekConfig` });
    assert.equal(config.name, 'projects/tasklight-test/locations/europe-west1/cmekConfig');
    assert.equal(config.kmsKey, '');
  });

  test('an update is kept and read back; a reset forgets it', async () => {
    const [updated] = await ctx.beta.updateCmekConfig({ cmekConfig: { name: NAME, kmsKey: KEY } });
    assert.equal(updated.kmsKey, KEY);
    assert.equal((await ctx.beta.getCmekConfig({ name: NAME }))[0].kmsKey, KEY);
    await ctx.tl.server.ui.call('reset', undefined);
    assert.equal((await ctx.beta.getCmekConfig({ name: NAME }))[0].kmsKey, '');
  });
});
