/**
 * What the official clients see of a full disk, on both transports: CreateTask fails with
 * UNAVAILABLE naming the data directory and nothing is stored; an idempotent call (DeleteTask) is
 * retried by the client itself on UNAVAILABLE and succeeds once the disk takes writes again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../helpers/handler';
import { forEachTransport } from '../helpers/tasklight';

forEachTransport(
  'a full disk through the official client',
  (ctx) => {
    test('CreateTask answers UNAVAILABLE naming the data directory, and stores nothing', async () => {
      const queue = await ctx.newQueue('full');
      const engine = ctx.tl.server.engine;
      engine.writeFault.code = 'SQLITE_FULL';
      try {
        const { message } = await ctx.rejects(
          ctx.client.createTask({ parent: queue, task: { name: `${queue}/tasks/refused`, httpRequest: { url: 'http://127.0.0.1:1/x' } } }),
          'UNAVAILABLE',
        );
        assert.ok(message.includes(ctx.tl.dataDir!), message);
      } finally {
        engine.writeFault.code = undefined;
      }
      const [tasks] = await ctx.client.listTasks({ parent: queue });
      assert.deepEqual(tasks, [], 'nothing was stored');
    });

    test('DeleteTask is retried by the client on UNAVAILABLE and succeeds once space returns', async () => {
      const queue = await ctx.newQueue('retry');
      const [task] = await ctx.client.createTask({ parent: queue, task: { httpRequest: { url: 'http://127.0.0.1:1/x' } } });
      const engine = ctx.tl.server.engine;
      // The previous test left the store degraded until its next probe (every 2 s of real time here).
      await waitFor(() => !engine.health.degraded, 10_000, 'the store to recover from the previous test');
      let refusals = 0;
      const freeSpace = () => {
        refusals++;
        engine.writeFault.code = undefined;
      };
      engine.health.on('change', freeSpace);
      engine.writeFault.code = 'SQLITE_FULL';
      try {
        await ctx.client.deleteTask({ name: task.name });
      } finally {
        engine.health.off('change', freeSpace);
        engine.writeFault.code = undefined;
      }
      assert.equal(refusals, 1, 'the first try was refused');
      await ctx.rejects(ctx.client.getTask({ name: task.name }), 'NOT_FOUND');
    });
  },
  { onDisk: true },
);
