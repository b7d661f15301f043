/** Replays of a task's attempts (plain or edited), each with the request sent and the answer. */
import type { TaskDetail } from '../../../../shared/contract';
import { StatusBadge } from '../../components/Badges';
import { Time } from '../../components/Time';
import { duration } from '../../lib/time';
import { RequestBlock, ResponseBlock } from './HttpMessage';

export function ReplayList({ task }: { task: TaskDetail }) {
  if (task.replays.length === 0) return null;
  return (
    <section aria-labelledby="replays-title" className="replays">
      <h2 id="replays-title">Replays</h2>
      <ol>
        {task.replays.map((r) => (
          <li key={r.id}>
            <details>
              <summary>
                <StatusBadge status={r.response?.status ?? null} cls={r.response ? (r.response.status! < 300 ? '2xx' : r.response.status! < 500 ? '4xx' : '5xx') : 'network'} text={r.error} />{' '}
                {r.edited ? 'edited replay' : 'replay'} of attempt #{task.attempts.find((a) => a.id === r.attemptId)?.attempt ?? '?'} · {duration(r.durationMs)} ·{' '}
                <Time ms={r.atMs} />
              </summary>
              <div className="attempt-body">
                <RequestBlock req={r.request} label="Replay request" />
                <ResponseBlock res={r.response} error={r.error} label="Replay response" />
              </div>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}
