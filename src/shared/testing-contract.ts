/**
 * The test helpers' HTTP contract, so tests in any language can drive it: reset all state,
 * forget reserved names, wait until a queue is idle, list what was dispatched, advance a queue's
 * clock. Its commands sit in contract.ts's Commands and ROUTES beside the UI's and are served by
 * the same router; `tasklight/testing` (src/main/testing.ts) is a typed client of it.
 * Plain data, no Node imports. Queue names are full: projects/P/locations/L/queues/Q. Times are
 * RFC 3339 strings (UTC, microseconds when not whole milliseconds). Errors use the Google JSON
 * error form {"error": {code, message, status, details}}. State-changing routes are POST.
 *
 *   POST /api/reset           {}                    → ResetResponse
 *   POST /api/forget-names    ForgetNamesRequest    → ForgetNamesResponse
 *   POST /api/wait-idle       WaitIdleRequest       → WaitIdleResponse
 *   GET  /api/attempts?queue=&task=&status=&outcome=&limit=   → AttemptsResponse
 *   POST /api/advance-clock   AdvanceClockRequest   → AdvanceClockResponse
 *   POST /api/reset-clock     ResetClockRequest     → AdvanceClockResponse
 */

import { ROUTES } from './contract';

/** The test contract's paths, as the one route table (contract.ts ROUTES) has them. */
export const TESTING_PATHS = {
  reset: ROUTES.reset.path,
  forgetNames: ROUTES.forgetNames.path,
  waitIdle: ROUTES.waitIdle.path,
  attempts: ROUTES.listAttempts.path,
  advanceClock: ROUTES.advanceClock.path,
  resetClock: ROUTES.resetClock.path,
} as const;

/**
 * The furthest one advance-clock call moves a queue's clock: 366 days, more than any schedule
 * time (at most 30 days ahead) or retry backoff needs.
 */
export const MAX_ADVANCE_CLOCK_SECONDS = 366 * 24 * 60 * 60;

/**
 * Deletes every queue, task, reserved name and all history; then the queues of the config file
 * Tasklight was started with (`serve --config`, `startTasklight({ config })`) are created again,
 * as declared. Answers once both are done.
 */
export type ResetResponse = Record<string, never>;

export interface ForgetNamesRequest {
  /** One queue's reserved task names; when absent, every queue's and every deleted queue's name. */
  queue?: string;
}

export interface ForgetNamesResponse {
  /** How many reserved names were released. */
  released: number;
}

export interface WaitIdleRequest {
  /** One queue; every queue when absent. */
  queue?: string;
  /** Give up after this long (default 10 000, at most 600 000). */
  timeoutMs?: number;
  /**
   * Also wait until no task is left (all succeeded, exhausted or deleted), waiting out retries'
   * backoff. Without it, idle means nothing in flight and nothing due now.
   */
  untilEmpty?: boolean;
}

export interface WaitIdleResponse {
  /** false: the timeout passed first. Idle = nothing in flight and nothing due in a running queue. */
  idle: boolean;
}

export interface AttemptsQuery {
  queue?: string;
  /** Task ID, or full task name. */
  task?: string;
  /** An HTTP status ("503") or a status class ("5xx"). */
  status?: string;
  /** success, http_error (non-2xx), redirect, timeout, refused, reset or network. */
  outcome?: string;
  /** Most recent N attempts (still returned oldest first); default 1 000, at most 10 000. */
  limit?: number;
}

export interface AttemptRequest {
  method: string;
  url: string;
  /** Every header as sent, including X-CloudTasks-* and Authorization. */
  headers: Record<string, string>;
  /** Base64, the first 64 KiB. */
  body?: string;
  bodySize?: number;
}

export interface AttemptResponse {
  headers: Record<string, string>;
  /** Base64 excerpt of the handler's answer. */
  body?: string;
  truncated?: boolean;
}

export interface AttemptRecord {
  id: number;
  queue: string;
  taskId: string;
  /** 1 for the first dispatch. */
  attempt: number;
  scheduleTime: string;
  dispatchTime: string;
  responseTime: string | null;
  durationMs: number | null;
  /** The handler's HTTP status; null when none came (refused, timeout, ...). */
  status: number | null;
  outcome: string;
  error: string | null;
  request: AttemptRequest;
  response: AttemptResponse | null;
  /** Started by RunTask (force-run) rather than by the schedule. */
  runTask: boolean;
}

export interface AttemptsResponse {
  attempts: AttemptRecord[];
}

export interface AdvanceClockRequest {
  queue: string;
  /** How far to move the queue's clock forward: a number from 0.000001 to MAX_ADVANCE_CLOCK_SECONDS. */
  seconds: number;
}

export interface ResetClockRequest {
  /** The queue whose clock goes back to real time; its tasks keep their schedule times. */
  queue: string;
}

export interface AdvanceClockResponse {
  queue: string;
  /** How far the queue's clock now runs ahead of real time. */
  clockOffsetSeconds: number;
}
