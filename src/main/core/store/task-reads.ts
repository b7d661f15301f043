import type { Statement } from 'better-sqlite3';
import { LIVE_TASK_STATES, NOT_DISPATCHING_SQL, notYetDueSql, taskStateSql, type LiveTaskState } from '../task-state';
import type { Db } from './database';
import type { AttemptRow } from './history-store';

/** A live task (`src: 'live'`) or a finished one (`'fin'`), in one shape. */
export interface TaskListRow {
  src: 'live' | 'fin';
  /** seq of a live task, id of a finished one. */
  k: number;
  task_id: string;
  schedule_us: number;
  create_us: number;
  dispatch_count: number;
  response_count: number;
  lease_until_us: number | null;
  last_attempt: string | null;
  payload: Buffer;
  outcome: string | null;
  finished_us: number | null;
}

type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'network';

/** Which tasks of one queue to list, and how. */
export interface TaskListFilter {
  queue: string;
  /** The queue's now (queue time): what "due" is measured against. */
  nowUs: number;
  /** Live states to include (every live state when all four are given). */
  live: readonly LiveTaskState[];
  /** Finished outcomes to include. */
  finished: ReadonlyArray<'succeeded' | 'exhausted'>;
  /** Class of the last attempt's outcome. */
  statusClass?: StatusClass;
  /** Matches `://host` in the payload. */
  host?: string;
  /** Matches the task ID (substring) or anything in the payload. */
  search?: string;
  sort?: 'schedule' | 'created' | 'attempts';
  desc?: boolean;
  limit: number;
  offset: number;
}

export interface TimelineRows {
  /** Unleased tasks scheduled in the window, earliest first, up to the limit. */
  future: Array<{ task_id: string; schedule_us: number; dispatch_count: number }>;
  /** How many there are in all. */
  futureTotal: number;
  /** When `future` was cut to the limit: counts per equal slice of the window. */
  buckets: number[] | null;
  /** Attempts dispatched in the window, newest first, up to the limit. */
  attempts: Array<Pick<AttemptRow, 'id' | 'task_id' | 'attempt' | 'schedule_us' | 'dispatch_us' | 'response_us' | 'status' | 'run_task'>>;
  /** Tasks backing off whose retry is at or after the window's start (at most 1,000). */
  waiting: Array<{ task_id: string; schedule_us: number; last_attempt: string | null }>;
}

export interface RecentAttempt {
  status: number | null;
  outcome: string;
  duration_ms: number | null;
  url: string | null;
}

const LIVE_COLS = `'live' AS src, seq AS k, task_id, schedule_us, create_us, dispatch_count, response_count, lease_until_us,
  last_attempt, payload, NULL AS outcome, NULL AS finished_us`;
const FIN_COLS = `'fin' AS src, id AS k, task_id, schedule_us, create_us, dispatch_count, response_count, NULL AS lease_until_us,
  last_attempt, payload, outcome, finished_us`;

const LIVE_STATE_SQL = taskStateSql('@now');
const COUNT_STATE_SQL = taskStateSql('?');

const MESSAGE = "json_extract(last_attempt, '$.responseStatus.message')";
const CLASS_SQL: Record<StatusClass, string> = {
  '2xx': `${MESSAGE} LIKE 'HTTP status code 2__'`,
  '3xx': `${MESSAGE} LIKE 'HTTP status code 3__'`,
  '4xx': `${MESSAGE} LIKE 'HTTP status code 4__'`,
  '5xx': `${MESSAGE} LIKE 'HTTP status code 5__'`,
  network: `(${MESSAGE} IS NOT NULL AND ${MESSAGE} NOT LIKE 'HTTP status code %')`,
};

const TIMELINE_SLICES = 200;

/**
 * The reads behind the UI and the test helpers: counts by state, the task table, one task and its
 * attempts, the timeline, recent attempts for the breakdown, finished-task counts, emptiness.
 * Fixed statements are prepared once; the task table's, built from its filters, are cached.
 */
export class TaskReads {
  private readonly cache = new Map<string, Statement>();
  private readonly totalStmt: Statement<[string], { n: number }>;
  private readonly dueStmt: Statement<[string, number], { n: number }>;
  private readonly futureStmt: Statement<[string, number], { n: number }>;
  private readonly retryingStmt: Statement<[string, number], { n: number }>;
  private readonly finishedSinceStmt: Statement<[number], { queue: string; outcome: string; n: number }>;
  private readonly finishedBoundsStmt: Statement<[], { lo: number | null; hi: number | null }>;
  private readonly liveByName: Statement<[string, string], TaskListRow>;
  private readonly finishedByName: Statement<[string, string], TaskListRow>;
  private readonly attemptById: Statement<[number], AttemptRow>;
  private readonly attemptsSinceStmt: Statement<[string, string, number], AttemptRow>;
  private readonly recentAttemptsStmt: Statement<[string, number], RecentAttempt>;
  private readonly anyInQueue: Statement<[string], { n: number }>;
  private readonly anyAtAll: Statement<[], { n: number }>;

  constructor(private readonly db: Db) {
    this.totalStmt = db.prepare('SELECT COUNT(*) AS n FROM tasks WHERE queue = ?');
    this.dueStmt = db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE queue = ? AND ${COUNT_STATE_SQL.due}`);
    this.futureStmt = db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE queue = ? AND ${notYetDueSql('?')}`);
    this.retryingStmt = db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE queue = ? AND ${COUNT_STATE_SQL.backing_off}`);
    this.finishedSinceStmt = db.prepare(
      'SELECT queue, outcome, COUNT(*) AS n FROM finished_tasks WHERE id > ? GROUP BY queue, outcome',
    );
    this.finishedBoundsStmt = db.prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM finished_tasks');
    this.liveByName = db.prepare(`SELECT ${LIVE_COLS} FROM tasks WHERE queue = ? AND task_id = ?`);
    this.finishedByName = db.prepare(`SELECT ${FIN_COLS} FROM finished_tasks WHERE queue = ? AND task_id = ? ORDER BY id DESC LIMIT 1`);
    this.attemptById = db.prepare('SELECT * FROM attempts WHERE id = ?');
    this.attemptsSinceStmt = db.prepare('SELECT * FROM attempts WHERE queue = ? AND task_id = ? AND dispatch_us >= ? ORDER BY id');
    this.recentAttemptsStmt = db.prepare(
      `SELECT status, outcome, duration_ms, json_extract(request, '$.url') AS url FROM attempts NOT INDEXED
       WHERE queue = ? ORDER BY id DESC LIMIT ?`,
    );
    this.anyInQueue = db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM tasks WHERE queue = ? LIMIT 1)');
    this.anyAtAll = db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM tasks LIMIT 1)');
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.cache.size > 200) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  /**
   * Live tasks of the queue by state at `nowUs` (queue time), from index-only counts (tasks_by_name,
   * tasks_due, tasks_retrying).
   */
  countsByState(queue: string, nowUs: number): Record<LiveTaskState, number> {
    const total = this.totalStmt.get(queue)!.n;
    const due = this.dueStmt.get(queue, nowUs)!.n;
    const future = this.futureStmt.get(queue, nowUs)!.n;
    const backingOff = this.retryingStmt.get(queue, nowUs)!.n;
    return { scheduled: future - backingOff, due, dispatching: Math.max(0, total - due - future), backing_off: backingOff };
  }

  /** Finished tasks recorded after row `afterId`, counted per queue and outcome. */
  finishedCountsSince(afterId: number): Array<{ queue: string; outcome: string; n: number }> {
    return this.finishedSinceStmt.all(afterId);
  }

  /** The lowest and highest finished_tasks row ids (null when there is none). */
  finishedBounds(): { lo: number | null; hi: number | null } {
    return this.finishedBoundsStmt.get()!;
  }

  /** One page of the task table, and how many tasks match in all. */
  listTasks(f: TaskListFilter): { rows: TaskListRow[]; total: number } {
    const params: Record<string, unknown> = { queue: f.queue, now: f.nowUs };
    const common: string[] = [];
    if (f.statusClass) common.push(CLASS_SQL[f.statusClass] ?? '0');
    if (f.host?.trim()) {
      common.push('instr(payload, @host) > 0');
      params.host = Buffer.from(`://${f.host.trim()}`);
    }
    if (f.search?.trim()) {
      const q = f.search.trim();
      common.push("(task_id LIKE @like ESCAPE '\\' OR instr(payload, @needle) > 0)");
      params.like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.needle = Buffer.from(q);
    }
    const parts: string[] = [];
    if (f.live.length) {
      const where = ['queue = @queue', ...common];
      if (f.live.length < LIVE_TASK_STATES.length) where.push(`(${f.live.map((s) => LIVE_STATE_SQL[s]).join(' OR ')})`);
      parts.push(`SELECT ${LIVE_COLS} FROM tasks WHERE ${where.join(' AND ')}`);
    }
    if (f.finished.length) {
      const where = ['queue = @queue', ...common];
      if (f.finished.length === 1) where.push(`outcome = '${f.finished[0]}'`);
      parts.push(`SELECT ${FIN_COLS} FROM finished_tasks WHERE ${where.join(' AND ')}`);
    }
    if (!parts.length) return { rows: [], total: 0 };
    const dir = f.desc ? 'DESC' : 'ASC';
    const finishedOnly = !f.live.length;
    const order =
      f.sort === 'attempts'
        ? `dispatch_count ${dir}, schedule_us ${dir}, k ${dir}`
        : f.sort === 'created' || finishedOnly
          ? parts.length === 1
            ? `k ${dir}`
            : `create_us ${dir}, k ${dir}`
          : `schedule_us ${dir}, k ${dir}`;
    const union = parts.join(' UNION ALL ');
    const rows = this.stmt(`${union} ORDER BY ${order} LIMIT @limit OFFSET @offset`).all({ ...params, limit: f.limit, offset: f.offset }) as TaskListRow[];
    let total: number;
    if (f.live.length === LIVE_TASK_STATES.length && !f.finished.length && !common.length) total = this.totalStmt.get(f.queue)!.n;
    else total = (this.stmt(`SELECT COUNT(*) AS n FROM (${union})`).get(params) as { n: number }).n;
    return { rows, total };
  }

  /** The live task, or else the newest finished one of that name. */
  findTask(queue: string, taskId: string): TaskListRow | undefined {
    return this.liveByName.get(queue, taskId) ?? this.finishedByName.get(queue, taskId);
  }

  attempt(id: number): AttemptRow | undefined {
    return this.attemptById.get(id);
  }

  /** A task's attempts dispatched at or after `sinceUs` (queue time), oldest first. */
  attemptsSince(queue: string, taskId: string, sinceUs: number): AttemptRow[] {
    return this.attemptsSinceStmt.all(queue, taskId, sinceUs);
  }

  /** The queue's newest `limit` attempts: status, outcome, duration and URL (the breakdown). */
  recentAttempts(queue: string, limit: number): RecentAttempt[] {
    return this.recentAttemptsStmt.all(queue, limit);
  }

  /** What the timeline shows in [fromUs, toUs] (queue time), at most `limit` marks of each kind. */
  timelineRows(queue: string, fromUs: number, toUs: number, limit: number): TimelineRows {
    const future = this.stmt(
      `SELECT task_id, schedule_us, dispatch_count FROM tasks WHERE queue = ? AND ${NOT_DISPATCHING_SQL}
       AND schedule_us >= ? AND schedule_us <= ? ORDER BY schedule_us LIMIT ?`,
    ).all(queue, fromUs, toUs, limit) as TimelineRows['future'];
    let futureTotal = future.length;
    let buckets: number[] | null = null;
    if (future.length === limit) {
      futureTotal = (this.stmt(
        `SELECT COUNT(*) AS n FROM tasks WHERE queue = ? AND ${NOT_DISPATCHING_SQL} AND schedule_us >= ? AND schedule_us <= ?`,
      ).get(queue, fromUs, toUs) as { n: number }).n;
      const width = Math.max(1, Math.ceil((toUs - fromUs) / TIMELINE_SLICES));
      buckets = new Array(TIMELINE_SLICES).fill(0);
      const rows = this.stmt(
        `SELECT (schedule_us - @from) / @width AS b, COUNT(*) AS n FROM tasks WHERE queue = @q AND ${NOT_DISPATCHING_SQL}
         AND schedule_us >= @from AND schedule_us <= @to GROUP BY b`,
      ).all({ q: queue, from: fromUs, to: toUs, width }) as Array<{ b: number; n: number }>;
      for (const r of rows) buckets[Math.min(TIMELINE_SLICES - 1, Math.max(0, Math.floor(r.b)))] += r.n;
    }
    const attempts = this.stmt(
      `SELECT id, task_id, attempt, schedule_us, dispatch_us, response_us, status, run_task FROM attempts
       WHERE dispatch_us >= ? AND dispatch_us <= ? AND queue = ? ORDER BY dispatch_us DESC LIMIT ?`,
    ).all(fromUs, toUs, queue, limit) as TimelineRows['attempts'];
    const waiting = this.stmt(
      `SELECT task_id, schedule_us, last_attempt FROM tasks WHERE queue = ? AND dispatch_count > 0 AND ${NOT_DISPATCHING_SQL}
       AND schedule_us >= ? ORDER BY schedule_us LIMIT 1000`,
    ).all(queue, fromUs) as TimelineRows['waiting'];
    return { future, futureTotal, buckets, attempts, waiting };
  }

  /** Whether any live task is left (in one queue, or anywhere). */
  hasTasks(queue?: string): boolean {
    return (queue ? this.anyInQueue.get(queue) : this.anyAtAll.get())!.n > 0;
  }
}
