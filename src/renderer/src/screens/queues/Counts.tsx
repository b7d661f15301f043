import type { QueueSummary, TaskState } from '../../../../shared/contract';

const COUNT_ORDER: TaskState[] = ['scheduled', 'due', 'dispatching', 'backing_off', 'succeeded', 'exhausted'];

const COUNT_LABEL: Record<TaskState, string> = {
  scheduled: 'scheduled',
  due: 'due',
  dispatching: 'dispatching',
  backing_off: 'backing off',
  succeeded: 'succeeded',
  exhausted: 'exhausted',
};

/** A queue's tasks counted by state, in the order a task passes through them. */
export function Counts({ q }: { q: QueueSummary }) {
  return (
    <ul className="counts" aria-label={`Task counts of ${q.id}`}>
      {COUNT_ORDER.map((s) => (
        <li key={s} className={`count count-${s}${q.counts[s] ? '' : ' zero'}`}>
          <span className="count-n">{q.counts[s].toLocaleString()}</span>
          <span className="count-label">{COUNT_LABEL[s]}</span>
        </li>
      ))}
    </ul>
  );
}
