import { backoffDelayUs, backoffRule, type BackoffConfig } from '../../core/dispatch/backoff';
import { retriesExhausted, type StopConfig } from '../../core/dispatch/retry-policy';
import { maxAttemptsOf } from '../../core/queue-config';
import type { BackoffGap, RetryPlan, RetryPlanRow, RetrySettings } from '../../../shared/contract';

const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};
const sup = (n: number): string => String(n).replace(/\d/g, (d) => SUPERSCRIPT[d]);

export function backoffConfigOf(retry: RetrySettings): BackoffConfig {
  return {
    minBackoffUs: Math.round(retry.minBackoffS * 1e6),
    maxBackoffUs: Math.round(retry.maxBackoffS * 1e6),
    maxDoublings: retry.maxDoublings,
  };
}

/** The delay after `failures` failed attempts and the rule behind it ("min_backoff × 2³"). */
export function backoffGap(failures: number, retry: RetrySettings): Omit<BackoffGap, 'waitedMs'> {
  const config = backoffConfigOf(retry);
  const n = Math.max(1, failures);
  const delayMs = backoffDelayUs(n, config) / 1000;
  const rule = backoffRule(n, config);
  let formula: string;
  if (rule === 'max_backoff') formula = 'max_backoff';
  else if (rule === 'doubling') formula = n === 1 ? 'min_backoff' : `min_backoff × 2${sup(n - 1)}`;
  else formula = `min_backoff × 2${sup(config.maxDoublings)} × ${n - config.maxDoublings}`;
  return { failures: n, delayMs, rule, formula };
}

/**
 * A queue's retry config as the schedule of attempts of a task that always fails,
 * stopped by the dispatcher's own rule (core/dispatch/retry-policy.ts).
 */
export function retryPlan(retry: RetrySettings, limit = 25): RetryPlan {
  const maxAttempts = maxAttemptsOf(retry.maxAttempts);
  const stop: StopConfig = { maxAttempts, maxRetryDurationUs: Math.round(retry.maxRetryDurationS * 1e6) };
  const attemptsLimited = maxAttempts !== -1;
  const durationLimited = stop.maxRetryDurationUs > 0;
  const rows: RetryPlanRow[] = [{ attempt: 1, delayMs: 0, atMs: 0, rule: 'first', formula: 'first attempt' }];
  let atMs = 0;
  let attempt = 1;
  let total: number | null = null;
  // Simulate far enough to find the end (bounded: forever-retrying configs stop at the cap).
  const cap = 200_000;
  while (attempt < cap) {
    if (retriesExhausted(attempt, 0, Math.round(atMs * 1000), stop)) {
      total = attempt;
      break;
    }
    const gap = backoffGap(attempt, retry);
    atMs += gap.delayMs;
    attempt++;
    if (rows.length < limit) rows.push({ attempt, delayMs: gap.delayMs, atMs, rule: gap.rule, formula: gap.formula });
  }
  let stopRule: string;
  if (!attemptsLimited && !durationLimited) stopRule = 'Retried until it succeeds (max_attempts -1, no max_retry_duration).';
  else if (attemptsLimited && !durationLimited) stopRule = `Stops after ${maxAttempts} attempts.`;
  else if (!attemptsLimited) stopRule = `Stops at the first failure ${retry.maxRetryDurationS} s or more after the first attempt.`;
  else stopRule = `Stops once both ${maxAttempts} attempts were made and ${retry.maxRetryDurationS} s have passed since the first.`;
  return {
    rows,
    totalAttempts: total,
    lifetimeMs: total === null ? null : atMs,
    stopRule,
    truncated: total === null || total > rows.length,
  };
}
