/**
 * Apps still on the previous major of the official Node client (@google-cloud/tasks 6.x, on
 * google-gax 5) keep working: Tasklight's integration tests drive 7.x, this smoke test drives
 * 6.3 (installed under the alias google-cloud-tasks-6) over gRPC and REST, from creating a queue to
 * a task reaching the handler.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { credentials } from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { CloudTasksClient } from 'google-cloud-tasks-6';
import { startServer, type RunningServer } from '../../src/main/server';
import { startHandler, type RecordingHandler } from '../helpers/handler';

// The auth library 6.x itself uses (its REST transport calls methods that 7.x's no longer has).
const requireFromV6 = createRequire(require.resolve('google-cloud-tasks-6'));
const { PassThroughClient } = requireFromV6('google-auth-library') as typeof import('google-auth-library');

const PARENT = 'projects/legacy-app/locations/us-central1';

describe('@google-cloud/tasks 6.x', () => {
  let tl: RunningServer;
  let handler: RecordingHandler;
  before(async () => {
    handler = await startHandler();
    tl = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null });
  });
  after(async () => {
    await tl.close();
    await handler.close();
  });

  const clients = {
    grpc: () =>
      new CloudTasksClient({
        apiEndpoint: '127.0.0.1',
        port: tl.grpcPort,
        sslCreds: credentials.createInsecure(),
        authClient: new PassThroughClient(),
      } as unknown as ConstructorParameters<typeof CloudTasksClient>[0]),
    rest: () =>
      new CloudTasksClient({
        fallback: true,
        apiEndpoint: '127.0.0.1',
        port: tl.httpPort,
        protocol: 'http',
        authClient: new PassThroughClient(),
      } as unknown as ConstructorParameters<typeof CloudTasksClient>[0]),
  };

  for (const transport of ['grpc', 'rest'] as const) {
    it(`over ${transport}: creates a queue and a task, lists and reads it, and the task reaches the handler`, async () => {
      const client = clients[transport]();
      try {
        const [queue] = await client.createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/v6-${transport}` } });
        assert.equal(queue.name, `${PARENT}/queues/v6-${transport}`);
        const [task] = await client.createTask({
          parent: queue.name!,
          task: { httpRequest: { url: `${handler.url}/v6-${transport}`, httpMethod: 'POST', body: Buffer.from('hello from 6.x') } },
        });
        assert.match(task.name!, new RegExp(`^${queue.name}/tasks/`));

        const [arrived] = await handler.waitForRequests(1, `/v6-${transport}`);
        assert.equal(arrived!.body.toString(), 'hello from 6.x');
        assert.equal(arrived!.header('X-CloudTasks-QueueName'), `v6-${transport}`);

        const [queues] = await client.listQueues({ parent: PARENT });
        assert.ok(queues.some((q) => q.name === queue.name));
        const [got] = await client.getQueue({ name: queue.name! });
        assert.equal(got.state, 'RUNNING');
      } finally {
        await client.close();
      }
    });
  }

  it('sees errors in the form 6.x understands: NOT_FOUND over gRPC, 404 over REST', async () => {
    const grpc = clients.grpc();
    const rest = clients.rest();
    try {
      const name = `${PARENT}/queues/missing`;
      await assert.rejects(grpc.getQueue({ name }), (err: { code?: number }) => err.code === 5);
      await assert.rejects(rest.getQueue({ name }), (err: { code?: number; response?: { status?: number } }) => (err.response?.status ?? err.code) === 404);
    } finally {
      await grpc.close();
      await rest.close();
    }
  });
});
