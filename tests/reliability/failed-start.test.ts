/**
 * A start that fails changes nothing (issue 13 item 2): a server that cannot bind one of its
 * ports must not have claimed, leased or sent any due task of its data directory before it gave up.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { DB_FILE } from '../../src/main/core/store/database';
import { startServer } from '../../src/main/server';
import { startHandler, type RecordingHandler } from '../helpers/handler';
import { makeTempDir, removeTempDir } from '../helpers/tasklight';

const PARENT = 'projects/failed-start/locations/us-central1';
const QUEUE = `${PARENT}/queues/due`;

/** A plain TCP server holding a loopback port, so Tasklight finds it taken. */
async function occupyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The task's row and recorded attempts, read straight from the store file (no engine, no lease release). */
function taskState(dataDir: string, taskName: string) {
  const db = new Database(path.join(dataDir, DB_FILE));
  try {
    const taskId = taskName.slice(taskName.lastIndexOf('/') + 1);
    const row = db
      .prepare('SELECT dispatch_count, response_count, first_dispatch_us, last_attempt, lease_until_us, schedule_us FROM tasks WHERE queue = ? AND task_id = ?')
      .get(QUEUE, taskId);
    const attempts = (db.prepare('SELECT COUNT(*) AS n FROM attempts WHERE queue = ? AND task_id = ?').get(QUEUE, taskId) as { n: number }).n;
    return { row, attempts };
  } finally {
    db.close();
  }
}

for (const busy of ['grpcPort', 'httpPort'] as const) {
  describe(`a start that fails on a busy ${busy === 'grpcPort' ? 'gRPC' : 'HTTP'} port`, () => {
    let dataDir: string;
    let handler: RecordingHandler;
    const clock = new FakeClock();
    let taskName: string;

    before(async () => {
      dataDir = makeTempDir('tasklight-failed-start-');
      handler = await startHandler();
      // A queue and a task due now, written by a server that does not dispatch.
      const seed = await startServer({ dataDir, clock, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
      try {
        await seed.engine.createQueue(PARENT, { name: QUEUE });
        const task = await seed.engine.createTask(QUEUE, { httpRequest: { url: `${handler.url}/work` } }, 'BASIC');
        taskName = String(task.name);
      } finally {
        await seed.close();
      }
    });

    after(async () => {
      await handler.close();
      removeTempDir(dataDir);
    });

    test('rejects with EADDRINUSE and leaves the due task as it was, unsent', async () => {
      const before = taskState(dataDir, taskName);
      assert.ok(before.row, 'the seeded task is in the store');
      assert.deepEqual({ ...(before.row as object), attempts: before.attempts }, {
        dispatch_count: 0, response_count: 0, first_dispatch_us: null, last_attempt: null, lease_until_us: null,
        schedule_us: clock.nowUs(), attempts: 0,
      });

      const taken = await occupyPort();
      try {
        await assert.rejects(
          startServer({ dataDir, clock, grpcPort: 0, httpPort: 0, [busy]: taken.port, rendererDir: null }),
          (err: NodeJS.ErrnoException) => {
            assert.equal(err.code, 'EADDRINUSE', `expected EADDRINUSE, got ${err.code}: ${err.message}`);
            return true;
          },
        );
      } finally {
        await taken.close();
      }
      // Every connection the failed server opened is gone once the handler has closed.
      await handler.close();
      assert.equal(handler.requests.length, 0, 'a request reached the handler from a server that failed to start');
      assert.deepEqual(taskState(dataDir, taskName), before, 'the failed start changed the task');
    });
  });
}
