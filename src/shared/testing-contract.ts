/**
 * The test helpers' HTTP contract (ux.md "Test helpers over the HTTP contract"): reset all state,
 * forget reserved names, wait until a queue is idle, list what was dispatched, advance a queue's
 * clock. Served by src/main/api/testing-routes.ts; also part of the UI contract (contract.ts).
 * Plain data, no Node imports. Times are RFC 3339 strings; durations seconds.
 *
 *   POST /api/reset                                  → ResetResponse
 *   POST /api/forget-names   ForgetNamesRequest       → ForgetNamesResponse
 *   POST /api/wait-idle      WaitIdleRequest          → WaitIdleResponse
 *   GET  /api/attempts?queue=&task=&status=          → AttemptsResponse
 *   POST /api/advance-clock  AdvanceClockRequest      → AdvanceClockResponse
 */

export interface ResetResponse {
  reset: true;
}

export interface ForgetNamesRequest {
  /** Full queue name; all queues (and deleted queues' names) when absent. */
  queue?: string;
}

export interface ForgetNamesResponse {
  forgotten: number;
}

export interface WaitIdleRequest {
  /** Full queue name; every queue when absent. */
  queue?: string;
  /** Default 10 000. */
  timeoutMs?: number;
}

export interface WaitIdleResponse {
  idle: boolean;
}

export interface AttemptsQuery {
  queue?: string;
  /** Task ID (short) or full task name. */
  task?: string;
  /** An HTTP status ("503"), a class ("5xx"), or an outcome ("timeout", "refused", ...). */
  status?: string;
  limit?: number;
}

export interface AttemptRecord {
  id: number;
  queue: string;
  task: string;
  attempt: number;
  scheduleTime: string;
  dispatchTime: string;
  responseTime: string | null;
  durationMs: number | null;
  status: number | null;
  outcome: string;
  error: string | null;
  runTask: boolean;
  request: { method: string; url: string; headers: Record<string, string>; body?: string; bodySize: number };
  response: { headers?: Record<string, string>; body?: string; truncated?: boolean } | null;
}

export interface AttemptsResponse {
  attempts: AttemptRecord[];
}

export interface AdvanceClockRequest {
  queue: string;
  seconds: number;
}

export interface AdvanceClockResponse {
  queue: string;
  /** How far the queue's clock now runs ahead of real time. */
  clockOffsetSeconds: number;
}
