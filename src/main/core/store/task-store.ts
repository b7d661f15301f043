import type { Db } from './database';

export interface TaskRow {
  seq: number;
  queue: string;
  task_id: string;
  schedule_us: number;
  create_us: number;
  dispatch_count: number;
  response_count: number;
  first_dispatch_us: number | null;
  last_attempt: string | null;
  lease_until_us: number | null;
  payload: Buffer;
  /** 1 when the caller chose the name: only such tasks reserve it after they leave. */
  named: number;
}

export interface NewTask {
  queue: string;
  taskId: string;
  scheduleUs: number;
  createUs: number;
  payload: Uint8Array;
  named: boolean;
}

/** SQL for live tasks and the task names reserved after deletion (de-duplication). */
export class TaskStore {
  private readonly insertStmt;
  private readonly byName;
  private readonly page;
  private readonly deleteStmt;
  private readonly tombstoneExpiry;
  private readonly putTombstone;
  private readonly dropTombstone;
  private readonly tombstonePurged;
  private readonly deletePurged;
  private readonly deleteQueueTasks;
  private readonly dropExpired;
  private readonly countStmt;
  private readonly dueStmt;
  private readonly reservedPage;
  private readonly reservedCount;
  private readonly dropQueueTombstones;
  private readonly dropAllTombstones;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO tasks (queue, task_id, schedule_us, create_us, payload, named) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.byName = db.prepare<[string, string], TaskRow>('SELECT * FROM tasks WHERE queue = ? AND task_id = ?');
    this.page = db.prepare<[string, number, number, number, number], TaskRow>(
      `SELECT * FROM tasks WHERE queue = ? AND (schedule_us > ? OR (schedule_us = ? AND seq > ?))
       ORDER BY schedule_us, seq LIMIT ?`,
    );
    this.deleteStmt = db.prepare('DELETE FROM tasks WHERE queue = ? AND task_id = ?');
    this.tombstoneExpiry = db.prepare<[string, string], { expires_us: number }>(
      'SELECT expires_us FROM task_tombstones WHERE queue = ? AND task_id = ?',
    );
    this.putTombstone = db.prepare('INSERT OR REPLACE INTO task_tombstones (queue, task_id, expires_us) VALUES (?, ?, ?)');
    this.dropTombstone = db.prepare('DELETE FROM task_tombstones WHERE queue = ? AND task_id = ?');
    this.tombstonePurged = db.prepare(
      `INSERT OR REPLACE INTO task_tombstones (queue, task_id, expires_us)
       SELECT queue, task_id, ? FROM tasks WHERE queue = ? AND create_us <= ?`,
    );
    this.deletePurged = db.prepare('DELETE FROM tasks WHERE queue = ? AND create_us <= ?');
    this.deleteQueueTasks = db.prepare('DELETE FROM tasks WHERE queue = ?');
    this.dropExpired = db.prepare('DELETE FROM task_tombstones WHERE expires_us <= ?');
    this.countStmt = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE queue = ?');
    this.reservedPage = db.prepare<[string, number, number], { task_id: string; expires_us: number }>(
      'SELECT task_id, expires_us FROM task_tombstones WHERE queue = ? AND expires_us > ? ORDER BY expires_us DESC LIMIT ?',
    );
    this.reservedCount = db.prepare<[string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM task_tombstones WHERE queue = ? AND expires_us > ?',
    );
    this.dropQueueTombstones = db.prepare('DELETE FROM task_tombstones WHERE queue = ?');
    this.dropAllTombstones = db.prepare('DELETE FROM task_tombstones');
    this.dueStmt = db.prepare<[string, number], { n: number }>(
      'SELECT EXISTS (SELECT 1 FROM tasks WHERE queue = ? AND schedule_us <= ?) AS n',
    );
  }

  /** Returns the new task's seq (creation order). */
  insert(task: NewTask): number {
    return Number(this.insertStmt.run(task.queue, task.taskId, task.scheduleUs, task.createUs, task.payload, task.named ? 1 : 0).lastInsertRowid);
  }

  get(queue: string, taskId: string): TaskRow | undefined {
    return this.byName.get(queue, taskId);
  }

  /** Live tasks in schedule order, after the (schedule, seq) key. */
  list(queue: string, afterScheduleUs: number, afterSeq: number, limit: number): TaskRow[] {
    return this.page.all(queue, afterScheduleUs, afterScheduleUs, afterSeq, limit);
  }

  /**
   * Whether any task of the queue is due at `nowUs` (queue time), leased or not: a `due` task, or a
   * `dispatching` one whose schedule time has come (core/task-state.ts). Idleness asks this.
   */
  hasDue(queue: string, nowUs: number): boolean {
    return this.dueStmt.get(queue, nowUs)!.n === 1;
  }

  count(queue: string): number {
    return this.countStmt.get(queue)!.n;
  }

  /** Deletes a live task and reserves its name until `reserveUntilUs`. */
  delete(queue: string, taskId: string, reserveUntilUs: number): boolean {
    const changed = this.deleteStmt.run(queue, taskId).changes > 0;
    if (changed) this.putTombstone.run(queue, taskId, reserveUntilUs);
    return changed;
  }

  /** When the name is reserved by a deleted or finished task, until when. */
  reservedUntil(queue: string, taskId: string): number | undefined {
    return this.tombstoneExpiry.get(queue, taskId)?.expires_us;
  }

  /** Names still reserved at `nowUs`: how many, and the latest `limit` of them. */
  reservedNames(queue: string, nowUs: number, limit: number): { total: number; names: Array<{ task_id: string; expires_us: number }> } {
    return { total: this.reservedCount.get(queue, nowUs)!.n, names: this.reservedPage.all(queue, nowUs, limit) };
  }

  releaseName(queue: string, taskId: string): void {
    this.dropTombstone.run(queue, taskId);
  }

  purge(queue: string, createdUpToUs: number, reserveUntilUs: number): number {
    this.tombstonePurged.run(reserveUntilUs, queue, createdUpToUs);
    return this.deletePurged.run(queue, createdUpToUs).changes;
  }

  deleteAllIn(queue: string): number {
    return this.deleteQueueTasks.run(queue).changes;
  }

  dropExpiredNames(nowUs: number): number {
    return this.dropExpired.run(nowUs).changes;
  }

  /** Releases every reserved task name, in one queue or all (test support); returns how many. */
  forgetNames(queue?: string): number {
    return (queue === undefined ? this.dropAllTombstones.run() : this.dropQueueTombstones.run(queue)).changes;
  }
}
