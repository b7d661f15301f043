/** Small coloured labels: a task's state, an attempt's HTTP status (or network error), why a task or queue waits. */
import type { StatusClass, TaskState, WaitReason } from '../../../shared/contract';

const STATE_LABEL: Record<TaskState, string> = {
  scheduled: 'Scheduled',
  due: 'Due',
  dispatching: 'Dispatching',
  backing_off: 'Backing off',
  succeeded: 'Succeeded',
  exhausted: 'Exhausted',
};

export function StateBadge({ state }: { state: TaskState }) {
  return <span className={`badge state-${state}`}>{STATE_LABEL[state]}</span>;
}

export function StatusBadge({ status, cls, text }: { status: number | null; cls: StatusClass | null; text?: string | null }) {
  if (cls === null) return <span className="muted">—</span>;
  return (
    <span className={`badge status-${cls}`} title={text ?? undefined}>
      {status ?? (text ? shortError(text) : 'no answer')}
    </span>
  );
}

function shortError(text: string): string {
  // The attempt's own outcome when Tasklight's stop cut it off (the sender's wording).
  if (/^Tasklight stopped/.test(text)) return 'interrupted';
  if (/ECONNREFUSED/i.test(text)) return 'refused';
  if (/deadline|timeout/i.test(text)) return 'timeout';
  if (/ECONNRESET|socket/i.test(text)) return 'reset';
  return 'network';
}

const WHY_LABEL: Record<WaitReason, string> = {
  paused: 'Paused',
  rate_limited: 'Rate limited',
  concurrency_limited: 'Concurrency limited',
  scheduled: 'Scheduled',
  backing_off: 'Backing off',
  dispatching: 'Dispatching',
  ready: 'Ready',
  idle: 'Idle',
};

export function WhyBadge({ why, title }: { why: WaitReason; title?: string }) {
  return (
    <span className={`why why-${why}`} title={title}>
      {WHY_LABEL[why]}
    </span>
  );
}
