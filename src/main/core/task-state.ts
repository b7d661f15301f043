/**
 * A task's state, decided once. A live task is `dispatching` while it holds a lease; otherwise it
 * is `due` once its schedule time has come (queue time), else `backing_off` if an attempt already
 * failed, else `scheduled`. A task that left the queue is `succeeded` or `exhausted` (history).
 * The same rule as SQL predicates over a `tasks` row, for the store's reads.
 */
export type LiveTaskState = 'scheduled' | 'due' | 'dispatching' | 'backing_off';
export type FinishedTaskState = 'succeeded' | 'exhausted';
export type TaskState = LiveTaskState | FinishedTaskState;

export const LIVE_TASK_STATES: readonly LiveTaskState[] = ['scheduled', 'due', 'dispatching', 'backing_off'];

export function isLiveTaskState(state: string): state is LiveTaskState {
  return state === 'scheduled' || state === 'due' || state === 'dispatching' || state === 'backing_off';
}

export function isFinishedTaskState(state: string): state is FinishedTaskState {
  return state === 'succeeded' || state === 'exhausted';
}

/** The columns the rule reads. */
export interface TaskStateColumns {
  lease_until_us: number | null;
  schedule_us: number;
  dispatch_count: number;
}

/** The state of a live task at `nowUs` (the queue's clock). */
export function liveTaskState(row: TaskStateColumns, nowUs: number): LiveTaskState {
  return row.lease_until_us !== null ? 'dispatching' : waitingTaskState(row, nowUs);
}

/** The state of a live task known not to be leased. */
export function waitingTaskState(row: Omit<TaskStateColumns, 'lease_until_us'>, nowUs: number): Exclude<LiveTaskState, 'dispatching'> {
  if (row.schedule_us <= nowUs) return 'due';
  return row.dispatch_count > 0 ? 'backing_off' : 'scheduled';
}

/** Not leased: waiting to be dispatched, now or later. */
export const NOT_DISPATCHING_SQL = 'lease_until_us IS NULL';

/**
 * Each live state as a WHERE predicate over `tasks`, with `now` the SQL parameter holding the
 * queue's now (`'?'` or a named `'@now'`).
 */
export function taskStateSql(now: string): Record<LiveTaskState, string> {
  return {
    due: `(${NOT_DISPATCHING_SQL} AND schedule_us <= ${now})`,
    dispatching: `(lease_until_us IS NOT NULL)`,
    scheduled: `(${NOT_DISPATCHING_SQL} AND schedule_us > ${now} AND dispatch_count = 0)`,
    backing_off: `(${NOT_DISPATCHING_SQL} AND schedule_us > ${now} AND dispatch_count > 0)`,
  };
}

/** Scheduled or backing off: not leased and not yet due. */
export function notYetDueSql(now: string): string {
  return `(${NOT_DISPATCHING_SQL} AND schedule_us > ${now})`;
}
