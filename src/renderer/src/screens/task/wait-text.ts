/**
 * The task page's sentence for why a task waits. The server writes it with the time left as of
 * its answer; shown as is, "next attempt in 47.1 s" would stay at 47.1 s while the rest of the page
 * ticks. The sentences that name a time left are therefore written here, from the task's schedule
 * time and the page's clock; the others are the server's as they are.
 */
import type { TaskSummary } from '../../../../shared/contract';
import { timeLeft } from '../../lib/time';

/** `queueNowMs`: the queue's current time (the page's clock plus the queue's clock offset). */
export function taskWaitText(s: TaskSummary, serverText: string, queueNowMs: number): string {
  const left = timeLeft(s.scheduleMs - queueNowMs);
  switch (s.why) {
    case 'scheduled':
      return `Scheduled: due ${left}.`;
    case 'backing_off':
      return `Backing off after ${s.dispatchCount} failed attempt${s.dispatchCount === 1 ? '' : 's'}: next attempt ${left === 'now' ? 'due now' : left}.`;
    default:
      return serverText;
  }
}
