import { maxAttemptsOf } from '../queue-config';

/**
 * When a failing task stops being retried (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RetryConfig): both limits must be reached; a limit
 * set to "unlimited" (max_attempts -1, max_retry_duration 0) is ignored, and max_attempts 0 means
 * the default (core/queue-config.ts stores it so). Evaluated after each failed attempt.
 */
export interface StopConfig {
  maxAttempts: number;
  maxRetryDurationUs: number;
}

export function retriesExhausted(
  dispatchCount: number,
  firstAttemptUs: number,
  nowUs: number,
  config: StopConfig,
): boolean {
  const maxAttempts = maxAttemptsOf(config.maxAttempts);
  const attemptsLimited = maxAttempts !== -1;
  const durationLimited = config.maxRetryDurationUs > 0;
  if (!attemptsLimited && !durationLimited) return false;
  const attemptsReached = !attemptsLimited || dispatchCount >= maxAttempts;
  const durationReached = !durationLimited || nowUs - firstAttemptUs >= config.maxRetryDurationUs;
  return attemptsReached && durationReached;
}

/**
 * Where a failed attempt's backoff counts from: a RunTask attempt's from the call (when it was
 * dispatched), any other's from the answer, or from its dispatch when no answer came back
 * (the task's scheduleTime after a failure, https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task). Any unit, as long as both times are
 * in it.
 */
export function retryOrigin(runTask: boolean, dispatchedAt: number, answeredAt: number | null): number {
  return runTask ? dispatchedAt : (answeredAt ?? dispatchedAt);
}
