import type { Db } from './database';

export interface AttemptRecord {
  queue: string;
  taskId: string;
  attempt: number;
  scheduleUs: number;
  dispatchUs: number;
  responseUs: number | null;
  durationMs: number | null;
  status: number | null;
  outcome: string;
  error: string | null;
  request: object;
  response: object | null;
  runTask: boolean;
}

export interface AttemptRow {
  id: number;
  queue: string;
  task_id: string;
  attempt: number;
  schedule_us: number;
  dispatch_us: number;
  response_us: number | null;
  duration_ms: number | null;
  status: number | null;
  outcome: string;
  error: string | null;
  request: string;
  response: string | null;
  run_task: number;
}

export type FinishOutcome = 'succeeded' | 'exhausted';

/** A task that left its queue by completing or exhausting its retries, as finished_tasks keeps it. */
export interface FinishedTaskRow {
  id: number;
  queue: string;
  task_id: string;
  outcome: FinishOutcome;
  finished_us: number;
  schedule_us: number;
  create_us: number;
  dispatch_count: number;
  response_count: number;
  first_dispatch_us: number | null;
  last_attempt: string | null;
  payload: Buffer;
}

/** Filters for HistoryStore.list; every given one must match. */
export interface AttemptFilter {
  queue?: string;
  taskId?: string;
  status?: number;
  outcome?: string;
  /** Only attempts recorded after this row id (for followers such as the attempt log). */
  afterId?: number;
  /** Oldest first (default) or newest first. */
  order?: 'asc' | 'desc';
  limit?: number;
}

/** Attempts and finished tasks: the history Tasklight keeps beyond what the API shows. */
export class HistoryStore {
  private readonly insertAttemptStmt;
  private readonly byTask;
  private readonly sweepAttempts;
  private readonly sweepFinished;
  private readonly finishedRow;
  private readonly listCache = new Map<string, { all(...args: unknown[]): unknown[] }>();

  constructor(private readonly db: Db) {
    this.insertAttemptStmt = db.prepare(
      `INSERT INTO attempts (queue, task_id, attempt, schedule_us, dispatch_us, response_us, duration_ms, status, outcome, error, request, response, run_task)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byTask = db.prepare<[string, string], AttemptRow>('SELECT * FROM attempts WHERE queue = ? AND task_id = ? ORDER BY id');
    this.sweepAttempts = db.prepare('DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE dispatch_us < ? LIMIT 5000)');
    this.sweepFinished = db.prepare(
      'DELETE FROM finished_tasks WHERE id IN (SELECT id FROM finished_tasks WHERE finished_us < ? LIMIT 5000)',
    );
    this.finishedRow = db.prepare<[string, string], FinishedTaskRow>(
      'SELECT * FROM finished_tasks WHERE queue = ? AND task_id = ? ORDER BY id DESC LIMIT 1',
    );
  }

  /** The attempt's row values, serialised: what can fail is done before anything is written. */
  prepareAttempt(a: AttemptRecord): unknown[] {
    return [
      a.queue, a.taskId, a.attempt, a.scheduleUs, a.dispatchUs, a.responseUs, a.durationMs, a.status, a.outcome,
      a.error, JSON.stringify(a.request), a.response ? JSON.stringify(a.response) : null, a.runTask ? 1 : 0,
    ];
  }

  insertAttempt(values: unknown[]): void {
    this.insertAttemptStmt.run(...values);
  }

  attemptsOf(queue: string, taskId: string): AttemptRow[] {
    return this.byTask.all(queue, taskId);
  }

  /** Attempts matching every given filter, in recording order (or newest first). */
  list(filter: AttemptFilter = {}): AttemptRow[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('queue = ?', filter.queue);
    add('task_id = ?', filter.taskId);
    add('status = ?', filter.status);
    add('outcome = ?', filter.outcome);
    add('id > ?', filter.afterId);
    const sql = `SELECT * FROM attempts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${filter.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`;
    let stmt = this.listCache.get(sql);
    if (!stmt) this.listCache.set(sql, (stmt = this.db.prepare(sql) as unknown as { all(...args: unknown[]): unknown[] }));
    return stmt.all(...args, filter.limit ?? -1) as AttemptRow[];
  }

  finished(queue: string, taskId: string): FinishedTaskRow | undefined {
    return this.finishedRow.get(queue, taskId);
  }

  /** Drops history older than the retention period; returns how many rows went. */
  sweep(olderThanUs: number): number {
    return this.sweepAttempts.run(olderThanUs).changes + this.sweepFinished.run(olderThanUs).changes;
  }
}
