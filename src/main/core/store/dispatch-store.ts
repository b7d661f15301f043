import type { Statement } from 'better-sqlite3';
import { NOT_DISPATCHING_SQL, taskStateSql } from '../task-state';
import type { Db } from './database';
import type { FinishOutcome } from './history-store';
import type { WriteFault } from './write-fault';

/** A task as the dispatcher claims it: what the attempt needs, no more. */
export interface ClaimedRow {
  seq: number;
  task_id: string;
  create_us: number;
  schedule_us: number;
  dispatch_count: number;
  execution_count: number;
  previous_response: number | null;
  first_dispatch_us: number | null;
  last_attempt: string | null;
  payload: Buffer;
  named: number;
}

/** What a task looks like now, read back before its outcome is recorded. */
export type TaskProgress = Pick<ClaimedRow, 'task_id' | 'create_us' | 'dispatch_count' | 'first_dispatch_us'>;

/** One lease: the claimed row, its dispatch time (queue time), its last_attempt JSON, the lease's end. */
export type LeaseClaim = [row: ClaimedRow, dispatchUs: number, lastAttemptJson: string, leaseUntilUs: number];

const CLAIMED_COLS =
  'seq, task_id, create_us, schedule_us, dispatch_count, execution_count, previous_response, first_dispatch_us, last_attempt, payload, named';

/**
 * The dispatcher's row operations on live tasks, each one named: claim, lease, read back, retry,
 * finish, reserve the name, release every lease. Statements are prepared once; the dispatch path
 * calls them with positional values and allocates nothing of its own.
 */
export class DispatchStore {
  private readonly claimStmt: Statement<[string, number, number], ClaimedRow>;
  private readonly byNameStmt: Statement<[string, string], ClaimedRow>;
  private readonly leaseStmt: Statement<[number, number, string, number]>;
  private readonly nextDueStmt: Statement<[string], { due: number | null }>;
  private readonly progressStmt: Statement<[number], TaskProgress>;
  private readonly retryStmt: Statement<[number, number, number, number | null, string, number]>;
  private readonly requeueStmt: Statement<[string, number]>;
  private readonly copyFinishedStmt: Statement<[FinishOutcome, number, number, string, number]>;
  private readonly deleteStmt: Statement<[number]>;
  private readonly reserveNameStmt: Statement<[string, string, number]>;
  private readonly releaseAllStmt: Statement<[]>;
  private readonly leaseTx: (claims: LeaseClaim[]) => void;
  private readonly releaseAllTx: () => void;

  /** fault: the tests' full-disk switch (write-fault.ts), checked where these writes commit. */
  constructor(
    private readonly db: Db,
    private readonly fault?: WriteFault,
  ) {
    this.claimStmt = db.prepare(
      `SELECT ${CLAIMED_COLS} FROM tasks WHERE queue = ? AND ${taskStateSql('?').due} ORDER BY schedule_us, seq LIMIT ?`,
    );
    this.byNameStmt = db.prepare(`SELECT ${CLAIMED_COLS} FROM tasks WHERE queue = ? AND task_id = ?`);
    this.leaseStmt = db.prepare(
      `UPDATE tasks SET lease_until_us = ?, dispatch_count = dispatch_count + 1,
         first_dispatch_us = COALESCE(first_dispatch_us, ?), last_attempt = ? WHERE seq = ?`,
    );
    this.nextDueStmt = db.prepare(`SELECT MIN(schedule_us) AS due FROM tasks WHERE queue = ? AND ${NOT_DISPATCHING_SQL}`);
    this.progressStmt = db.prepare('SELECT task_id, create_us, dispatch_count, first_dispatch_us FROM tasks WHERE seq = ?');
    this.retryStmt = db.prepare(
      `UPDATE tasks SET lease_until_us = NULL, schedule_us = ?, response_count = response_count + ?,
         execution_count = execution_count + ?, previous_response = ?, last_attempt = ? WHERE seq = ?`,
    );
    this.requeueStmt = db.prepare('UPDATE tasks SET lease_until_us = NULL, previous_response = 0, last_attempt = ? WHERE seq = ?');
    this.copyFinishedStmt = db.prepare(
      `INSERT INTO finished_tasks (queue, task_id, outcome, finished_us, schedule_us, create_us, dispatch_count, response_count, first_dispatch_us, last_attempt, payload)
       SELECT queue, task_id, ?, ?, schedule_us, create_us, dispatch_count, response_count + ?, first_dispatch_us, ?, payload FROM tasks WHERE seq = ?`,
    );
    this.deleteStmt = db.prepare('DELETE FROM tasks WHERE seq = ?');
    this.reserveNameStmt = db.prepare('INSERT OR REPLACE INTO task_tombstones (queue, task_id, expires_us) VALUES (?, ?, ?)');
    this.releaseAllStmt = db.prepare('UPDATE tasks SET lease_until_us = NULL WHERE lease_until_us IS NOT NULL');
    this.leaseTx = db.transaction((claims: LeaseClaim[]) => {
      for (const [row, dispatchUs, lastAttempt, leaseUntil] of claims) this.leaseStmt.run(leaseUntil, dispatchUs, lastAttempt, row.seq);
      this.fault?.check();
    });
    this.releaseAllTx = db.transaction(() => {
      this.releaseAllStmt.run();
      this.fault?.check();
    });
  }

  /** False once the store is closed: nothing may be claimed any more. */
  get open(): boolean {
    return this.db.open;
  }

  /** Unleased tasks of the queue due at `nowUs` (queue time), in schedule order, at most `limit`. */
  claimDue(queue: string, nowUs: number, limit: number): ClaimedRow[] {
    return this.claimStmt.all(queue, nowUs, limit);
  }

  /** One task by name, whatever its schedule or lease (RunTask). */
  claimByName(queue: string, taskId: string): ClaimedRow | undefined {
    return this.byNameStmt.get(queue, taskId);
  }

  /** Leases the claimed tasks in one transaction: counts the attempt, stamps its first and last dispatch. */
  lease(claims: LeaseClaim[]): void {
    this.leaseTx(claims);
  }

  /** When the queue's next unleased task is due (queue time; it may be past), or null when none is waiting. */
  nextDueUs(queue: string): number | null {
    return this.nextDueStmt.get(queue)?.due ?? null;
  }

  /** The task now in this row, or undefined once it was deleted or purged. */
  progress(seq: number): TaskProgress | undefined {
    return this.progressStmt.get(seq);
  }

  /**
   * Hands the task back to its queue for a retry at `retryAtUs`. `answered` and `executed` are 0 or
   * 1; `previousResponse` is the status for the next attempt's headers (0: no answer).
   */
  retry(seq: number, retryAtUs: number, answered: number, executed: number, previousResponse: number | null, lastAttemptJson: string): void {
    this.retryStmt.run(retryAtUs, answered, executed, previousResponse, lastAttemptJson, seq);
  }

  /**
   * Hands an interrupted attempt's task back as it was scheduled: due again at once, its attempt
   * counted as dispatched with no answer (previous_response 0).
   */
  requeue(seq: number, lastAttemptJson: string): void {
    this.requeueStmt.run(lastAttemptJson, seq);
  }

  /** Copies the task into history with how it ended, then takes it off the queue. */
  finish(seq: number, outcome: FinishOutcome, nowUs: number, answered: boolean, lastAttemptJson: string): void {
    this.copyToFinished(seq, outcome, nowUs, answered, lastAttemptJson);
    this.remove(seq);
  }

  /** finish()'s first half: the finished_tasks row (bench/completion-writes.ts times it alone). */
  copyToFinished(seq: number, outcome: FinishOutcome, nowUs: number, answered: boolean, lastAttemptJson: string): void {
    this.copyFinishedStmt.run(outcome, nowUs, answered ? 1 : 0, lastAttemptJson, seq);
  }

  /** finish()'s second half: the live row goes. */
  remove(seq: number): void {
    this.deleteStmt.run(seq);
  }

  /** Reserves a finished task's name until `untilUs` (de-duplication). */
  reserveName(queue: string, taskId: string, untilUs: number): void {
    this.reserveNameStmt.run(queue, taskId, untilUs);
  }

  /** Hands every lease back (at start: whatever a crash left in flight is sent again). */
  releaseAll(): void {
    this.releaseAllTx();
  }
}
