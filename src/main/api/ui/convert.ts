import type { ProtoTime } from '../../core/proto-time';
import { toUs } from '../../core/proto-time';
import type { QueueConfig } from '../../core/queue-config';
import type { RateLimits, RetrySettings, StatusClass } from '../../../shared/contract';

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
  let parsed: any;
  try {
    parsed = JSON.parse(lastAttemptJson);
  } catch {
    return { status: null, message: null, cls: null };
  }
  const message: string | undefined = parsed?.responseStatus?.message;
  if (message === undefined) return { status: null, message: null, cls: null };
  const m = /^HTTP status code (\d{3})$/.exec(message);
  const status = m ? Number(m[1]) : null;
  return { status, message, cls: statusClassOf(status) };
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
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
