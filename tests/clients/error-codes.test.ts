/**
 * UNIMPLEMENTED and RESOURCE_EXHAUSTED as the official @google-cloud/tasks client sees them, over
 * gRPC and over REST (`fallback: true`): the batch RPCs Tasklight does not implement, a request
 * over the transport's size limit, and an attempt whose handler answered 429.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHandler, waitFor, type RecordingHandler } from '../helpers/handler';
import { CODES, forEachTransport } from '../helpers/tasklight';

/** Larger than both limits: gRPC's 16 MiB message, and REST's 4 MiB body once base64 makes it 22 MiB. */
const OVERSIZE_BODY = Buffer.alloc(16 * 1024 * 1024 + 1024, 0x61);

forEachTransport('error codes through the official client', (ctx) => {
  test('v2beta3 BatchCreateTasks is UNIMPLEMENTED, and nothing is created', async () => {
    const queue = await ctx.newQueue('batch');
    await ctx.rejects(
      ctx.beta.batchCreateTasks({
        parent: queue,
        requests: [{ parent: queue, task: { name: `${queue}/tasks/in-a-batch`, httpRequest: { url: 'http://127.0.0.1:9/x' } } }],
      } as never),
      'UNIMPLEMENTED',
      /BatchCreateTasks is not supported by Tasklight/,
    );
    const [tasks] = await ctx.client.listTasks({ parent: queue });
    assert.deepEqual(tasks, []);
  });

  test('v2beta3 BatchDeleteTasks is UNIMPLEMENTED, and nothing is deleted', async () => {
    const queue = await ctx.newQueue('batch');
    const name = `${queue}/tasks/kept`;
    await ctx.client.createTask({ parent: queue, task: { name, httpRequest: { url: 'http://127.0.0.1:9/x' } } });
    await ctx.rejects(ctx.beta.batchDeleteTasks({ parent: queue, names: [name] } as never), 'UNIMPLEMENTED', /BatchDeleteTasks is not supported by Tasklight/);
    const [tasks] = await ctx.client.listTasks({ parent: queue });
    assert.deepEqual(tasks.map((t) => t.name), [name]);
  });

  if (ctx.transport === 'grpc') {
    test('a CreateTask message over 16 MiB is RESOURCE_EXHAUSTED, and nothing is created', async () => {
      const queue = await ctx.newQueue('huge');
      await ctx.rejects(
        ctx.client.createTask({ parent: queue, task: { httpRequest: { url: 'http://127.0.0.1:9/x', body: OVERSIZE_BODY } } }),
        'RESOURCE_EXHAUSTED',
        /larger than max/,
      );
      const [tasks] = await ctx.client.listTasks({ parent: queue });
      assert.deepEqual(tasks, []);
    });
  } else {
    // Google's REST front end refuses an oversize body as INVALID_ARGUMENT ("Request payload size
    // exceeds the limit"), not as a quota; Tasklight says so with HTTP 413, read to the end first.
    test('a CreateTask body over 4 MiB is 413 with status INVALID_ARGUMENT, and nothing is created', async () => {
      const queue = await ctx.newQueue('huge');
      let err: { code?: unknown; httpStatusCode?: unknown; message?: string } | undefined;
      try {
        await ctx.client.createTask({ parent: queue, task: { httpRequest: { url: 'http://127.0.0.1:9/x', body: OVERSIZE_BODY } } });
      } catch (e) {
        err = e as typeof err;
      }
      assert.ok(err, 'the oversize call succeeded');
      assert.equal(err.code, CODES.INVALID_ARGUMENT, String(err.message));
      assert.equal(err.httpStatusCode, 413);
      assert.match(String(err.message), /Request payload size exceeds the limit: 4194304 bytes/);
      const [tasks] = await ctx.client.listTasks({ parent: queue });
      assert.deepEqual(tasks, []);
    });
  }
});

forEachTransport(
  'an attempt answered 429 through the official client',
  (ctx) => {
    let h: RecordingHandler;
    before(async () => {
      h = await startHandler({ defaultStep: { status: 429 } });
    });
    after(() => h.close());

    test("GetTask shows the attempt's response_status as RESOURCE_EXHAUSTED", async () => {
      // A one-hour backoff keeps the task, and its last attempt, in the queue.
      const queue = await ctx.newQueue('throttled', { retryConfig: { minBackoff: { seconds: 3600 }, maxBackoff: { seconds: 3600 } } });
      const [task] = await ctx.client.createTask({ parent: queue, task: { httpRequest: { url: `${h.url}/throttled` } } });
      const seen = await waitFor(
        async () => {
          const [t] = await ctx.client.getTask({ name: task.name, responseView: 'FULL' });
          return t.lastAttempt?.responseTime ? t : undefined;
        },
        30_000,
        'the first attempt to be answered',
      );
      assert.equal(seen.lastAttempt!.responseStatus?.code, CODES.RESOURCE_EXHAUSTED);
    });
  },
  { settings: { dispatch: true } },
);
