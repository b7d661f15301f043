/**
 * The UI contract: every command the renderer (and test/CI scripts) can send, with its argument
 * and result types, and the one event stream. Two transports carry it unchanged:
 *   - Electron: the preload exposes `window.tasklight` (ipcRenderer.invoke / webContents.send);
 *   - `tasklight serve`: HTTP `/api/...` (ROUTES below) and a WebSocket at `/api/events`.
 * Plain data only (JSON-safe); no Node or DOM imports. Times are milliseconds since the Unix
 * epoch (fractions allowed); durations are milliseconds unless a name says otherwise.
 * Queue names are full resource names: `projects/P/locations/L/queues/Q`.
 */
import type {
  AdvanceClockRequest,
  AdvanceClockResponse,
  AttemptsQuery,
  AttemptsResponse,
  ForgetNamesRequest,
  ForgetNamesResponse,
  ResetClockRequest,
  ResetResponse,
  WaitIdleRequest,
  WaitIdleResponse,
} from './testing-contract';

export type {
  AdvanceClockRequest,
  AdvanceClockResponse,
  AttemptsQuery,
  AttemptsResponse,
  ForgetNamesRequest,
  ForgetNamesResponse,
  ResetClockRequest,
  ResetResponse,
  WaitIdleRequest,
  WaitIdleResponse,
};

// ---------------------------------------------------------------- queues

export type QueueState = 'RUNNING' | 'PAUSED' | 'DISABLED';

/** Live task states. `succeeded` and `exhausted` are finished tasks kept in history. */
export type TaskState = 'scheduled' | 'due' | 'dispatching' | 'backing_off' | 'succeeded' | 'exhausted';
export const LIVE_TASK_STATES: readonly TaskState[] = ['scheduled', 'due', 'dispatching', 'backing_off'];

/** Why a queue (or a task) is not dispatching right now, in the words the UI shows. */
export type WaitReason =
  | 'paused'
  | 'rate_limited'
  | 'concurrency_limited'
  | 'scheduled'
  | 'backing_off'
  | 'dispatching'
  | 'ready'
  | 'idle';

export interface RateLimits {
  maxDispatchesPerSecond: number;
  maxBurstSize: number;
  maxConcurrentDispatches: number;
}

/** Durations as seconds (numbers), not proto Durations; maxRetryDurationS 0 = unlimited. */
export interface RetrySettings {
  maxAttempts: number;
  maxRetryDurationS: number;
  minBackoffS: number;
  maxBackoffS: number;
  maxDoublings: number;
}

export interface QueueSummary {
  name: string;
  /** The short queue ID. */
  id: string;
  project: string;
  location: string;
  state: QueueState;
  rateLimits: RateLimits;
  retry: RetrySettings;
  counts: Record<TaskState, number>;
  /** Attempts finished per second, over the last 5 s. */
  dispatchRate: number;
  inFlight: number;
  /** Token bucket level (fractional). */
  tokens: number;
  /** Age of the oldest task that is due and not dispatching, in ms; null if none. */
  oldestDueAgeMs: number | null;
  /** Earliest schedule time of a task not yet due (queue time); null if none. */
  nextDueMs: number | null;
  /** How far this queue's clock runs ahead of real time (advance clock). */
  clockOffsetMs: number;
  /** The queue's current time (real now + offset). */
  nowMs: number;
  why: WaitReason;
  /** One sentence for people: "Rate limited: 0.3 tokens in the bucket, refills at 5/s". */
  whyText: string;
}

export interface CreateQueueArgs {
  /** Full name, or `project`/`location`/`id`. */
  name?: string;
  project?: string;
  location?: string;
  id?: string;
  rateLimits?: Partial<Pick<RateLimits, 'maxDispatchesPerSecond' | 'maxConcurrentDispatches'>>;
  retry?: Partial<RetrySettings>;
}

export interface UpdateQueueArgs {
  name: string;
  rateLimits?: Partial<Pick<RateLimits, 'maxDispatchesPerSecond' | 'maxConcurrentDispatches'>>;
  retry?: Partial<RetrySettings>;
}

export interface QueueRef {
  name: string;
}

/** Task names a queue still refuses (de-duplication), soonest to expire last. */
export interface ReservedNames {
  name: string;
  /** Every name reserved now. */
  total: number;
  /** The most recently reserved, up to `limit`: the task ID and when CreateTask may use it again. */
  names: Array<{ id: string; untilMs: number }>;
}

/** Handler latency and status breakdown over a queue's recent attempts. */
export interface QueueBreakdown {
  name: string;
  /** How many recent attempts were looked at (the newest, up to `limit`). */
  sample: number;
  byStatusClass: Record<StatusClass, number>;
  byStatus: Array<{ status: string; count: number }>;
  /** Histogram of handler latency; `upToMs` is the bucket's upper bound (Infinity encoded as null). */
  latency: Array<{ upToMs: number | null; count: number }>;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  byTarget: Array<{ host: string; count: number; errors: number; p50Ms: number | null }>;
}

// ---------------------------------------------------------------- tasks

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'network';
export type TaskSort = 'schedule' | 'created' | 'attempts';

export interface ListTasksArgs {
  queue: string;
  /** Default: every live state. */
  states?: TaskState[];
  /** Class of the last attempt's outcome. */
  statusClass?: StatusClass;
  /** Target host (http tasks): matches `://host` in the URL. */
  host?: string;
  /** Text search over task ID, URL, headers and body. */
  search?: string;
  sort?: TaskSort;
  desc?: boolean;
  offset?: number;
  /** At most 500. Default 100. */
  limit?: number;
}

export interface TaskSummary {
  queue: string;
  id: string;
  state: TaskState;
  method: string;
  url: string;
  /** Queue time the task is (or was last) scheduled for. */
  scheduleMs: number;
  createMs: number;
  dispatchCount: number;
  responseCount: number;
  /** HTTP status of the last attempt, or null (none yet, or no answer). */
  lastStatus: number | null;
  /** "HTTP status code 503", "connect ECONNREFUSED ...", or null before the first attempt. */
  lastMessage: string | null;
  lastClass: StatusClass | null;
  /** When the task finished (history). */
  finishedMs: number | null;
  why: WaitReason;
}

export interface TaskPage {
  total: number;
  /** `total` is a lower bound (counting stopped early, very large filtered results). */
  totalIsEstimate: boolean;
  offset: number;
  tasks: TaskSummary[];
  /** Server time the page was read at (queue time). */
  nowMs: number;
}

export interface TaskRef {
  queue: string;
  id: string;
}

export interface HeaderMap {
  [name: string]: string;
}

export interface RequestView {
  method: string;
  url: string;
  headers: HeaderMap;
  /** Base64 of the body (up to 64 KiB for recorded attempts). */
  bodyBase64: string;
  bodySize: number;
}

export interface ResponseView {
  status: number | null;
  headers: HeaderMap;
  bodyBase64: string;
  truncated: boolean;
}

export interface BackoffGap {
  /** Failed attempts so far when the gap began (n in the reference's formula). */
  failures: number;
  /** Measured: this attempt's schedule time minus the previous attempt's answer. */
  waitedMs: number;
  /** What the queue's retry config prescribes. */
  delayMs: number;
  rule: 'doubling' | 'linear' | 'max_backoff' | 'run_task';
  /** "min_backoff × 2³", "min_backoff × 2¹⁶ × 3", "max_backoff". */
  formula: string;
}

export interface AttemptView {
  id: number;
  attempt: number;
  scheduleMs: number;
  dispatchMs: number;
  responseMs: number | null;
  durationMs: number | null;
  status: number | null;
  outcome: string;
  error: string | null;
  statusClass: StatusClass;
  runTask: boolean;
  request: RequestView;
  response: ResponseView | null;
  /** The backoff before this attempt (absent on the first, and after a RunTask). */
  gapBefore?: BackoffGap;
}

export interface ReplayView {
  id: number;
  attemptId: number | null;
  atMs: number;
  request: RequestView;
  response: ResponseView | null;
  durationMs: number;
  error: string | null;
  edited: boolean;
}

export interface TaskDetail {
  summary: TaskSummary;
  /** The task's full resource name. */
  name: string;
  target: 'http' | 'appengine';
  /** The request as stored (before dispatch-time headers). */
  request: RequestView;
  oidc: { serviceAccountEmail: string; audience: string } | null;
  oauth: { serviceAccountEmail: string; scope: string } | null;
  dispatchDeadlineS: number;
  attempts: AttemptView[];
  replays: ReplayView[];
  /** For a live task that failed: when the next attempt is planned and by which rule. */
  nextAttempt: { atMs: number; gap: BackoffGap } | null;
  retry: RetrySettings;
  finished: { outcome: 'succeeded' | 'exhausted'; atMs: number } | null;
  /** Present when the live task is gone and `finished` is null. */
  deleted: boolean;
  whyText: string;
}

export interface CreateTaskArgs {
  queue: string;
  /** Task ID; generated when empty. */
  id?: string;
  url: string;
  method?: string;
  headers?: HeaderMap;
  /** UTF-8 text body (or bodyBase64). */
  body?: string;
  bodyBase64?: string;
  /** Delay from the queue's now, in seconds; or an absolute time. */
  delayS?: number;
  scheduleMs?: number;
  oidcServiceAccountEmail?: string;
  oidcAudience?: string;
}

export interface ReplayArgs {
  queue: string;
  id: string;
  attemptId: number;
  /** Replay with edits: any of these replace the recorded value. */
  edits?: { method?: string; url?: string; headers?: HeaderMap; bodyBase64?: string };
}

// ---------------------------------------------------------------- OIDC

export interface VerifyTokenArgs {
  token: string;
  /** The audience the handler should expect (the task's audience, or its URL). */
  audience?: string;
  /** The URL the token was sent to; a mismatch with `aud` is warned about. */
  url?: string;
}

export interface TokenView {
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
  verified: boolean;
  /** Why verification failed, if it did. */
  error: string | null;
  warnings: string[];
  issuer: string;
  jwksUri: string;
  discoveryUri: string;
  expiresMs: number | null;
  issuedMs: number | null;
}

// ---------------------------------------------------------------- timeline, clock, retries

export interface TimelineArgs {
  queue: string;
  fromMs: number;
  toMs: number;
  /** Marks returned at most (default 2000); beyond that `buckets` gives the density. */
  limit?: number;
}

export interface TimelineData {
  queue: string;
  nowMs: number;
  fromMs: number;
  toMs: number;
  future: Array<{ id: string; atMs: number; state: 'scheduled' | 'backing_off' | 'due' }>;
  futureTotal: number;
  /** Present when `future` was cut to `limit`: counts per equal slice of [fromMs, toMs]. */
  buckets: number[] | null;
  attempts: Array<{ id: string; attemptId: number; atMs: number; status: number | null; statusClass: StatusClass }>;
  backoff: Array<{ id: string; fromMs: number; toMs: number }>;
}

export interface RetryPlanArgs {
  retry: RetrySettings;
  /** Rows to plan at most (default 25). */
  limit?: number;
}

export interface RetryPlanRow {
  attempt: number;
  /** Delay before this attempt (0 for the first). */
  delayMs: number;
  /** Time since the first attempt, if every attempt failed at once. */
  atMs: number;
  rule: BackoffGap['rule'] | 'first';
  formula: string;
}

export interface RetryPlan {
  rows: RetryPlanRow[];
  /** null: retried forever. */
  totalAttempts: number | null;
  /** How long a task that always fails lives, in ms; null if forever. */
  lifetimeMs: number | null;
  stopRule: string;
  truncated: boolean;
}

export interface AdvanceToNextDueResult {
  /** How far the clock moved (0 when something was already due, or nothing is scheduled). */
  advancedMs: number;
  nextDueMs: number | null;
}

export interface ServerInfo {
  version: string;
  grpcEndpoint: string;
  httpUrl: string;
  dataDir: string | null;
  /** The desktop app or `tasklight serve`. */
  mode: 'desktop' | 'serve';
  oidc: { issuer: string; jwksUri: string; discoveryUri: string };
  /** Default project/location the UI offers when creating a queue. */
  defaultParent: string;
}

// ---------------------------------------------------------------- commands

/** Every command: its argument and result. `void` arguments are sent as `{}`. */
export interface Commands {
  serverInfo: { args: void; result: ServerInfo };
  listQueues: { args: void; result: QueueSummary[] };
  getQueue: { args: QueueRef; result: QueueSummary };
  createQueue: { args: CreateQueueArgs; result: QueueSummary };
  updateQueue: { args: UpdateQueueArgs; result: QueueSummary };
  pauseQueue: { args: QueueRef; result: QueueSummary };
  resumeQueue: { args: QueueRef; result: QueueSummary };
  purgeQueue: { args: QueueRef; result: QueueSummary };
  deleteQueue: { args: QueueRef; result: { deleted: true } };
  queueBreakdown: { args: QueueRef & { limit?: number }; result: QueueBreakdown };
  reservedNames: { args: QueueRef & { limit?: number }; result: ReservedNames };
  listTasks: { args: ListTasksArgs; result: TaskPage };
  getTask: { args: TaskRef; result: TaskDetail };
  createTask: { args: CreateTaskArgs; result: TaskSummary };
  runTask: { args: TaskRef; result: TaskSummary };
  deleteTask: { args: TaskRef; result: { deleted: true } };
  duplicateTask: { args: TaskRef; result: TaskSummary };
  replayAttempt: { args: ReplayArgs; result: ReplayView };
  verifyToken: { args: VerifyTokenArgs; result: TokenView };
  timeline: { args: TimelineArgs; result: TimelineData };
  retryPlan: { args: RetryPlanArgs; result: RetryPlan };
  advanceToNextDue: { args: QueueRef; result: AdvanceToNextDueResult };
  // Test helpers (src/shared/testing-contract.ts).
  advanceClock: { args: AdvanceClockRequest; result: AdvanceClockResponse };
  resetClock: { args: ResetClockRequest; result: AdvanceClockResponse };
  reset: { args: void; result: ResetResponse };
  forgetNames: { args: ForgetNamesRequest; result: ForgetNamesResponse };
  waitIdle: { args: WaitIdleRequest; result: WaitIdleResponse };
  listAttempts: { args: AttemptsQuery; result: AttemptsResponse };
}

export type CommandName = keyof Commands;
export type ArgsOf<K extends CommandName> = Commands[K]['args'];
export type ResultOf<K extends CommandName> = Commands[K]['result'];

/**
 * How each command travels over HTTP. GET commands take their arguments as query parameters
 * (arrays repeated: `states=due&states=scheduled`); POST commands take a JSON body.
 */
export const ROUTES: { readonly [K in CommandName]: { method: 'GET' | 'POST'; path: string } } = {
  serverInfo: { method: 'GET', path: '/api/info' },
  listQueues: { method: 'GET', path: '/api/queues' },
  getQueue: { method: 'GET', path: '/api/queue' },
  createQueue: { method: 'POST', path: '/api/queues/create' },
  updateQueue: { method: 'POST', path: '/api/queues/update' },
  pauseQueue: { method: 'POST', path: '/api/queues/pause' },
  resumeQueue: { method: 'POST', path: '/api/queues/resume' },
  purgeQueue: { method: 'POST', path: '/api/queues/purge' },
  deleteQueue: { method: 'POST', path: '/api/queues/delete' },
  queueBreakdown: { method: 'GET', path: '/api/queue/breakdown' },
  reservedNames: { method: 'GET', path: '/api/queue/reserved-names' },
  listTasks: { method: 'GET', path: '/api/tasks' },
  getTask: { method: 'GET', path: '/api/task' },
  createTask: { method: 'POST', path: '/api/tasks/create' },
  runTask: { method: 'POST', path: '/api/tasks/run' },
  deleteTask: { method: 'POST', path: '/api/tasks/delete' },
  duplicateTask: { method: 'POST', path: '/api/tasks/duplicate' },
  replayAttempt: { method: 'POST', path: '/api/attempts/replay' },
  verifyToken: { method: 'POST', path: '/api/tokens/verify' },
  timeline: { method: 'GET', path: '/api/timeline' },
  retryPlan: { method: 'POST', path: '/api/retry-plan' },
  advanceToNextDue: { method: 'POST', path: '/api/clock/next-due' },
  advanceClock: { method: 'POST', path: '/api/advance-clock' },
  resetClock: { method: 'POST', path: '/api/reset-clock' },
  reset: { method: 'POST', path: '/api/reset' },
  forgetNames: { method: 'POST', path: '/api/forget-names' },
  waitIdle: { method: 'POST', path: '/api/wait-idle' },
  listAttempts: { method: 'GET', path: '/api/attempts' },
};

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ROUTES, value);
}

// ---------------------------------------------------------------- events

/**
 * The one event: sent at most ~10 times a second per subscriber, coalescing everything that
 * happened since the previous one. `queues` is a fresh snapshot of every queue when any queue's
 * numbers changed; `changedTasks` names tasks whose row changed (capped; `tasksTruncated` then
 * says "refetch what you show"); `reset` says all state was wiped.
 */
export interface UiUpdate {
  seq: number;
  atMs: number;
  queues?: QueueSummary[];
  changedQueues: string[];
  changedTasks: TaskRef[];
  tasksTruncated: boolean;
  reset: boolean;
  /** Whether the store takes writes; every update carries it, so a banner shows and clears by itself. */
  health?: StoreHealthView;
}

/** The store's health as /healthz reports it: degraded while the disk refuses writes. */
export type StoreHealthView =
  | { status: 'ok' }
  | { status: 'degraded'; reason: 'disk-full' | 'io-error'; since: string; dataDir: string | null; detail: string };

export const EVENTS_PATH = '/api/events';
export const MAX_EVENTS_PER_SECOND = 10;
export const MAX_CHANGED_TASKS = 200;

/** The error shape every transport reports: HTTP answers it as Google's error JSON. */
export interface ContractError {
  code: number;
  status: string;
  message: string;
}

/** What both renderer transports throw: the contract's code and status, and a readable message. */
export class TasklightError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly status: string,
  ) {
    super(message);
    this.name = 'TasklightError';
  }
}

/** What the renderer talks to; the Electron and HTTP+WS transports both implement it. */
export interface TasklightApi {
  readonly transport: 'ipc' | 'http';
  call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
  /** Calls `listener` for each coalesced update; returns the unsubscribe function. */
  subscribe(listener: (update: UiUpdate) => void): () => void;
  /** 'open' while events flow; 'connecting' while (re)connecting. */
  onConnection?(listener: (state: 'open' | 'connecting') => void): () => void;
}
