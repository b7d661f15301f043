/**
 * Cloud Tasks' retry delay (reference §7.1): min_backoff doubled max_doublings times, then growing
 * linearly by min_backoff × 2^max_doublings per retry, always within [min_backoff, max_backoff].
 * No jitter, so schedules are deterministic.
 */
export interface BackoffConfig {
  minBackoffUs: number;
  maxBackoffUs: number;
  maxDoublings: number;
}

/** Delay before the next attempt after `failures` failed attempts (failures ≥ 1). */
export function backoffDelayUs(failures: number, config: BackoffConfig): number {
  const n = Math.max(1, failures);
  const { minBackoffUs, maxBackoffUs, maxDoublings } = config;
  const raw =
    n <= maxDoublings + 1
      ? minBackoffUs * 2 ** (n - 1)
      : minBackoffUs * 2 ** maxDoublings * (n - maxDoublings);
  return Math.min(maxBackoffUs, Math.max(minBackoffUs, raw));
}

/** Which rule produced the delay, for the UI's "waited 0.8 s = min_backoff × 2³". */
export function backoffRule(failures: number, config: BackoffConfig): 'doubling' | 'linear' | 'max_backoff' {
  const n = Math.max(1, failures);
  const raw =
    n <= config.maxDoublings + 1
      ? config.minBackoffUs * 2 ** (n - 1)
      : config.minBackoffUs * 2 ** config.maxDoublings * (n - config.maxDoublings);
  if (raw >= config.maxBackoffUs) return 'max_backoff';
  return n <= config.maxDoublings + 1 ? 'doubling' : 'linear';
}
