import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeJsonMessage, encodeJsonMessage } from '../core/proto-json';
import type { Engine } from '../core/engine';
import { lookupType } from '../core/protos';
import { parseQueueName } from '../core/resource-names';

/**
 * A snapshot of queues and live tasks in the API's own JSON (v2 Queue with its state; tasks as
 * v2beta3 Task, which can carry a task-level retry config), for `--import` / `--export-on-exit`:
 *
 *   {"tasklightSnapshot": 1, "exportedAt": "...", "queues": [Queue...], "tasks": [Task...]}
 *
 * Import re-creates queues (upsert, then pause to match) and tasks by name, with their schedule
 * times. Dispatch counts, attempt history and finished tasks are not carried.
 */
export interface Snapshot {
  tasklightSnapshot: 1;
  exportedAt: string;
  queues: Array<Record<string, unknown>>;
  tasks: Array<Record<string, unknown>>;
}

const QUEUE = 'google.cloud.tasks.v2.Queue';
const TASK = 'google.cloud.tasks.v2beta3.Task';
const PAGE = 1000;

export function takeSnapshot(engine: Engine): Snapshot {
  const queueType = lookupType(QUEUE);
  const taskType = lookupType(TASK);
  const snapshot: Snapshot = { tasklightSnapshot: 1, exportedAt: new Date().toISOString(), queues: [], tasks: [] };
  for (const row of engine.queueRows()) {
    const view = engine.queueView(row);
    delete view.purgeTime;
    snapshot.queues.push(JSON.parse(encodeJsonMessage(queueType, view, false)));
    let afterSchedule = -Infinity;
    let afterSeq = -Infinity;
    for (;;) {
      const rows = engine.taskRows(row.name, afterSchedule, afterSeq, PAGE);
      for (const t of rows) {
        const view = engine.taskView(t, 'FULL', row);
        const out: Record<string, unknown> = { name: view.name, scheduleTime: view.scheduleTime };
        for (const k of ['httpRequest', 'appEngineHttpRequest', 'dispatchDeadline', 'retryConfig']) if (view[k]) out[k] = view[k];
        if (out.appEngineHttpRequest) delete (out.appEngineHttpRequest as Record<string, unknown> & { appEngineRouting?: { host?: string } }).appEngineRouting?.host;
        snapshot.tasks.push(JSON.parse(encodeJsonMessage(taskType, out, false)));
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      afterSchedule = last.schedule_us;
      afterSeq = last.seq;
    }
  }
  return snapshot;
}

export function writeSnapshot(engine: Engine, file: string): void {
  const text = `${JSON.stringify(takeSnapshot(engine), null, 1)}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export class SnapshotError extends Error {}

/** Reads and checks a snapshot file; throws SnapshotError with one line naming the file. */
export function readSnapshot(file: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SnapshotError(`${file}: ${code === 'ENOENT' ? 'no such file' : `not a JSON snapshot (${(err as Error).message.split('\n')[0]})`}`);
  }
  if (!isSnapshot(data)) {
    throw new SnapshotError(`${file}: not a Tasklight snapshot (expected {"tasklightSnapshot": 1, "queues": [...], "tasks": [...]})`);
  }
  return data;
}

function isSnapshot(data: unknown): data is Snapshot {
  const d = data as Partial<Snapshot> | null;
  return !!d && typeof d === 'object' && d.tasklightSnapshot === 1 && Array.isArray(d.queues) && Array.isArray(d.tasks);
}

export async function importSnapshot(engine: Engine, snapshot: Snapshot, label = 'snapshot'): Promise<{ queues: number; tasks: number }> {
  const queueType = lookupType(QUEUE);
  const taskType = lookupType(TASK);
  let tasks = 0;
  for (const [i, json] of snapshot.queues.entries()) {
    try {
      const queue = decodeJsonMessage(queueType, json);
      const state = queue.state;
      delete queue.state;
      delete queue.purgeTime;
      await engine.updateQueue(queue, null, true);
      if (state === 'PAUSED') await engine.setQueueState(queue.name, 'PAUSED');
    } catch (err) {
      throw new SnapshotError(`${label}: queues[${i}]: ${(err as Error).message}`);
    }
  }
  for (const [i, json] of snapshot.tasks.entries()) {
    try {
      const task = decodeJsonMessage(taskType, json);
      const parent = String(task.name ?? '').split('/').slice(0, 6).join('/');
      parseQueueName(parent);
      await engine.createTask(parent, task, 'BASIC');
      tasks++;
    } catch (err) {
      throw new SnapshotError(`${label}: tasks[${i}]: ${(err as Error).message}`);
    }
  }
  return { queues: snapshot.queues.length, tasks };
}
