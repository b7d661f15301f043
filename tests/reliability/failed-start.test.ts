/**
 * A start that fails changes nothing (issue 13 item 2): a server that cannot bind one of its
 * ports must not have claimed, leased or sent any due task of its data directory before it gave up.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { DB_FILE } from '../../src/main/core/store/database';
import { LOCK_FILE } from '../../src/main/data-dir-lock';
import { DataDirInUseError, startServer } from '../../src/main/server';
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

/** A data dir holding one queue and one task due now, written by a server that does not dispatch. */
async function seed(dataDir: string, clock: FakeClock, handlerUrl: string): Promise<string> {
  const server = await startServer({ dataDir, clock, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
  try {
    await server.engine.createQueue(PARENT, { name: QUEUE });
    const task = await server.engine.createTask(QUEUE, { httpRequest: { url: `${handlerUrl}/work` } }, 'BASIC');
    return String(task.name);
  } finally {
    await server.close();
  }
}

/** Inside a describe: a fresh data dir seeded before its tests (one due task) and removed after. */
function seededDataDir() {
  const seeded = { dataDir: '', handler: undefined as unknown as RecordingHandler, clock: new FakeClock(), taskName: '' };
  before(async () => {
    seeded.dataDir = makeTempDir('tasklight-failed-start-');
    seeded.handler = await startHandler();
    seeded.taskName = await seed(seeded.dataDir, seeded.clock, seeded.handler.url);
  });
  after(async () => {
    await seeded.handler.close();
    removeTempDir(seeded.dataDir);
  });
  return seeded;
}

const UNTOUCHED = { dispatch_count: 0, response_count: 0, first_dispatch_us: null, last_attempt: null, lease_until_us: null };

for (const busy of ['grpcPort', 'httpPort'] as const) {
  describe(`a start that fails on a busy ${busy === 'grpcPort' ? 'gRPC' : 'HTTP'} port`, () => {
    const seeded = seededDataDir();

    test('rejects with EADDRINUSE and leaves the due task as it was, unsent', async () => {
      const { dataDir, handler, clock, taskName } = seeded;
      const before = taskState(dataDir, taskName);
      assert.ok(before.row, 'the seeded task is in the store');
      assert.deepEqual({ ...(before.row as object), attempts: before.attempts }, { ...UNTOUCHED, schedule_us: clock.nowUs(), attempts: 0 });

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

describe('a start that fails after binding both ports (--import or --config does not apply), or on a held data dir', () => {
  const seeded = seededDataDir();

  test('rejects with beforeDispatch\'s error, releases the data dir and leaves the due task as it was, unsent', async () => {
    const { dataDir, handler, clock, taskName } = seeded;
    const before = taskState(dataDir, taskName);
    assert.deepEqual({ ...(before.row as object), attempts: before.attempts }, { ...UNTOUCHED, schedule_us: clock.nowUs(), attempts: 0 });
    let runTaskError: unknown;
    await assert.rejects(
      startServer({
        dataDir,
        clock,
        grpcPort: 0,
        httpPort: 0,
        rendererDir: null,
        beforeDispatch: (engine) => {
          // Not dispatching yet: RunTask is refused rather than leasing a task start() would hand back.
          try {
            engine.runTask(taskName, 'BASIC');
          } catch (err) {
            runTaskError = err;
          }
          throw new Error('config.json: queues[0]: no such thing');
        },
      }),
      /no such thing/,
    );
    assert.equal((runTaskError as { code?: string } | undefined)?.code, 'UNAVAILABLE');
    await handler.close();
    assert.equal(handler.requests.length, 0, 'a request reached the handler from a server that failed to start');
    assert.deepEqual(taskState(dataDir, taskName), before, 'the failed start changed the task');
    assert.deepEqual(fs.readdirSync(dataDir).filter((f) => f.startsWith(LOCK_FILE)), [], 'the failed start released the data dir');
  });

  test('a start refused because another server holds the data dir does not open it', async () => {
    const { dataDir, clock, taskName } = seeded;
    const holder = await startServer({ dataDir, clock, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
    try {
      await assert.rejects(startServer({ dataDir, clock, grpcPort: 0, httpPort: 0, rendererDir: null }), (err: unknown) => {
        assert.ok(err instanceof DataDirInUseError, String(err));
        assert.equal(err.pid, process.pid);
        assert.equal(err.httpUrl, holder.httpUrl);
        return true;
      });
      assert.equal(holder.engine.getTask(taskName, 'FULL').dispatchCount ?? 0, 0);
    } finally {
      await holder.close();
    }
  });
});
