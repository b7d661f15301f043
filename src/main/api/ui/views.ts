/**
 * Store rows and engine values in the UI contract's shapes: times (µs → ms), durations (proto ↔
 * seconds), a queue's rate limits and retry settings, an attempt (for the UI, and for the test
 * contract and `--log-format json`), the last outcome of a task, the request a task sends.
 */
import { appEngineBaseUrl } from '../../core/dispatch/request-builder';
import type { ProtoTime } from '../../core/proto-time';
import { toUs } from '../../core/proto-time';
import { QUEUE_DEFAULTS, type QueueConfig } from '../../core/queue-config';
import type { EngineSettings } from '../../core/settings';
import type { AttemptRow } from '../../core/store/history-store';
import type { QueueRow } from '../../core/store/queue-store';
import type { TaskPayload } from '../../core/task-request';
import type { AttemptView, RateLimits, RetrySettings, StatusClass } from '../../../shared/contract';
import type { AttemptRecord } from '../../../shared/testing-contract';

export const usToMs = (us: number): number => us / 1000;
export const msToUs = (ms: number): number => Math.round(ms * 1000);

export function durationS(t: ProtoTime | undefined): number {
  return toUs(t) / 1e6;
}

export function protoDuration(seconds: number): ProtoTime {
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  return nanos ? { seconds: whole, nanos } : { seconds: whole };
}

export function retrySettingsOf(config: QueueConfig): RetrySettings {
  const r = config.retryConfig;
  return {
    maxAttempts: r.maxAttempts,
    maxRetryDurationS: durationS(r.maxRetryDuration),
    minBackoffS: durationS(r.minBackoff),
    maxBackoffS: durationS(r.maxBackoff),
    maxDoublings: r.maxDoublings,
  };
}

/** The retry settings of a queue created with none (core/queue-config.ts QUEUE_DEFAULTS). */
export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxAttempts: QUEUE_DEFAULTS.maxAttempts,
  maxRetryDurationS: 0,
  minBackoffS: QUEUE_DEFAULTS.minBackoffUs / 1e6,
  maxBackoffS: QUEUE_DEFAULTS.maxBackoffUs / 1e6,
  maxDoublings: QUEUE_DEFAULTS.maxDoublings,
};

export function rateLimitsOf(config: QueueConfig): RateLimits {
  return { ...config.rateLimits };
}

export function statusClassOf(status: number | null | undefined): StatusClass {
  if (status == null) return 'network';
  if (status < 300) return '2xx';
  if (status < 400) return '3xx';
  if (status < 500) return '4xx';
  return '5xx';
}

/** From a stored last_attempt JSON: the HTTP status and the message (see attempt-status.ts). */
export function lastOutcome(lastAttemptJson: string | null): { status: number | null; message: string | null; cls: StatusClass | null } {
  if (!lastAttemptJson) return { status: null, message: null, cls: null };
  let parsed: { responseStatus?: { message?: string } } | null;
  try {
    parsed = JSON.parse(lastAttemptJson);
  } catch {
    return { status: null, message: null, cls: null };
  }
  const message = parsed?.responseStatus?.message;
  if (message === undefined) return { status: null, message: null, cls: null };
  const m = /^HTTP status code (\d{3})$/.exec(message);
  const status = m ? Number(m[1]) : null;
  return { status, message, cls: statusClassOf(status) };
}

export function headersOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = String(v);
  }
  return out;
}

export function toBase64(body: unknown): string {
  if (!body) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64');
  return '';
}

/** What a task sends, as the task table and task view show it: method, URL, and the kind of target. */
export function requestTarget(
  payload: TaskPayload,
  queue: QueueRow | undefined,
  settings: EngineSettings,
): { method: string; url: string; target: 'http' | 'appengine' } {
  if (payload.httpRequest) {
    return { method: payload.httpRequest.httpMethod ?? 'POST', url: payload.httpRequest.url ?? '', target: 'http' };
  }
  const req = payload.appEngineHttpRequest ?? {};
  const routing = queue?.config.appEngineRoutingOverride ?? req.appEngineRouting;
  return {
    method: req.httpMethod ?? 'POST',
    url: appEngineBaseUrl(routing, settings) + (req.relativeUri || '/'),
    target: 'appengine',
  };
}

/** The request and response of an attempt as recorded (core/dispatch/dispatcher.ts `complete`). */
interface RecordedRequest {
  method?: string;
  url?: string;
  headers?: unknown;
  body?: string;
  bodySize?: number;
}
interface RecordedResponse {
  headers?: unknown;
  body?: string;
  truncated?: boolean;
}

export function attemptView(a: AttemptRow): AttemptView {
  const req = safeJson<RecordedRequest>(a.request) ?? {};
  const res = a.response ? safeJson<RecordedResponse>(a.response) : null;
  return {
    id: a.id,
    attempt: a.attempt,
    scheduleMs: usToMs(a.schedule_us),
    dispatchMs: usToMs(a.dispatch_us),
    responseMs: a.response_us === null ? null : usToMs(a.response_us),
    durationMs: a.duration_ms,
    status: a.status,
    outcome: a.outcome,
    error: a.error,
    statusClass: statusClassOf(a.status),
    runTask: !!a.run_task,
    request: {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: headersOf(req.headers),
      bodyBase64: req.body ?? '',
      bodySize: req.bodySize ?? 0,
    },
    response: res ? { status: a.status, headers: headersOf(res.headers), bodyBase64: res.body ?? '', truncated: !!res.truncated } : null,
  };
}

/** An attempts table row in the test contract's shape (also what `--log-format json` prints). */
export function attemptRecord(r: AttemptRow): AttemptRecord {
  const request = JSON.parse(r.request) as RecordedRequest & Pick<AttemptRecord['request'], 'method' | 'url'>;
  const response = r.response ? (JSON.parse(r.response) as RecordedResponse) : null;
  return {
    id: r.id,
    queue: r.queue,
    taskId: r.task_id,
    attempt: r.attempt,
    scheduleTime: rfc3339(r.schedule_us),
    dispatchTime: rfc3339(r.dispatch_us),
    responseTime: r.response_us === null ? null : rfc3339(r.response_us),
    durationMs: r.duration_ms,
    status: r.status,
    outcome: r.outcome,
    error: r.error,
    request: { method: request.method, url: request.url, headers: (request.headers ?? {}) as Record<string, string>, body: request.body, bodySize: request.bodySize },
    response: response ? { headers: (response.headers ?? {}) as Record<string, string>, body: response.body, truncated: response.truncated } : null,
    runTask: !!r.run_task,
  };
}

/** RFC 3339 UTC with milliseconds, or microseconds when they are not zero. */
export function rfc3339(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  const micros = us - ms * 1000;
  return micros ? iso.replace('Z', `${String(micros).padStart(3, '0')}Z`) : iso;
}

function safeJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
