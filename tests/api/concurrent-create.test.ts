/**
 * De-duplication under concurrency: CreateTask calls with one task name that arrive together give
 * exactly one task and ALREADY_EXISTS for every other call, never INTERNAL, on both transports and
 * both API versions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachTransport } from '../helpers/tasklight';

const CALLS = 8;

forEachTransport('concurrent CreateTask with one name', (ctx) => {
  for (const version of ['v2', 'v2beta3'] as const) {
    test(`${version}: ${CALLS} calls at once give one task and ${CALLS - 1} ALREADY_EXISTS`, async () => {
      const queue = await ctx.newQueue('race');
      const name = `${queue}/tasks/only-once`;
      const client = version === 'v2' ? ctx.client : ctx.beta;
      const calls = Array.from({ length: CALLS }, (_, i) =>
        client.createTask({ parent: queue, task: { name, httpRequest: { url: `http://127.0.0.1:9/call-${i}` } } }),
      );
      const results = await Promise.allSettled(calls);
      const created = results.filter((r) => r.status === 'fulfilled');
      assert.equal(created.length, 1, `expected exactly one success, got ${created.length}`);
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') continue;
        await ctx.rejects(Promise.reject(result.reason), 'ALREADY_EXISTS', 'Requested entity already exists').catch((err) => {
          throw new Error(`call ${i}: ${(err as Error).message}`);
        });
      }
      const [tasks] = await ctx.client.listTasks({ parent: queue });
      assert.deepEqual(tasks.map((t) => t.name), [name]);
    });
  }
});
