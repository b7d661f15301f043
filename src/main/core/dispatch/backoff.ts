/**
 * Cloud Tasks' retry delay (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RetryConfig): min_backoff doubled max_doublings times, then growing
 * linearly by min_backoff × 2^max_doublings per retry, always within [min_backoff, max_backoff].
 * No jitter, so schedules are deterministic.
 */
export interface BackoffConfig {
  minBackoffUs: number;
  maxBackoffUs: number;
  maxDoublings: number;
}

/** The delay before clamping, and whether it is still in the doubling phase. */
function uncapped(failures: number, config: BackoffConfig): { raw: number; doubling: boolean } {
  const n = Math.max(1, failures);
  const doubling = n <= config.maxDoublings + 1;
  const raw = doubling
    ? config.minBackoffUs * 2 ** (n - 1)
    : config.minBackoffUs * 2 ** config.maxDoublings * (n - config.maxDoublings);
  return { raw, doubling };
}

/** Delay before the next attempt after `failures` failed attempts (failures ≥ 1). */
export function backoffDelayUs(failures: number, config: BackoffConfig): number {
  const { raw } = uncapped(failures, config);
  return Math.min(config.maxBackoffUs, Math.max(config.minBackoffUs, raw));
}

/** Which rule produced the delay, for the UI's "waited 0.8 s = min_backoff × 2³". */
export function backoffRule(failures: number, config: BackoffConfig): 'doubling' | 'linear' | 'max_backoff' {
  const { raw, doubling } = uncapped(failures, config);
  if (raw >= config.maxBackoffUs) return 'max_backoff';
  return doubling ? 'doubling' : 'linear';
}
