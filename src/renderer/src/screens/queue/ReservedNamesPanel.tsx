import type { QueueSummary } from '../../../../shared/contract';
import { useCommand } from '../../hooks/useCommand';
import { duration } from '../../lib/time';
import { api, run, toast, useStore } from '../../store';

/**
 * Task names the queue still refuses because a task of that name was deleted or finished lately
 * (de-duplication), and a way to forget them.
 */
export function ReservedNamesPanel({ q }: { q: QueueSummary }) {
  const now = useStore((s) => s.now);
  const { data, reload } = useCommand('reservedNames', { name: q.name, limit: 200 }, { watch: { queue: q.name } });
  const forget = async () => {
    const r = await run(() => api().call('forgetNames', { queue: q.name }));
    if (r) toast(`${q.id}: ${r.released.toLocaleString()} reserved name${r.released === 1 ? '' : 's'} forgotten`);
    reload();
  };
  return (
    <section className="reserved-names" aria-labelledby="reserved-title">
      <h2 id="reserved-title">Reserved task names</h2>
      <p className="muted small">
        CreateTask refuses these names (ALREADY_EXISTS) until the time shown: a task of that name was deleted, purged,
        or finished with a caller-chosen name.
      </p>
      {!data ? (
        <p className="muted">Loading…</p>
      ) : data.total === 0 ? (
        <p className="muted">No names are reserved.</p>
      ) : (
        <>
          <p>
            <b>{data.total.toLocaleString()}</b> reserved{' '}
            <button type="button" className="btn small danger-text" onClick={() => void forget()}>
              Forget names
            </button>
          </p>
          <table className="plain">
            <thead>
              <tr>
                <th scope="col">Task ID</th>
                <th scope="col">Reserved until</th>
              </tr>
            </thead>
            <tbody>
              {data.names.map((n) => (
                <tr key={n.id}>
                  <td className="mono">{n.id}</td>
                  <td title={new Date(n.untilMs).toISOString()}>in {duration(n.untilMs - now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.total > data.names.length && <p className="muted small">…and {(data.total - data.names.length).toLocaleString()} more.</p>}
        </>
      )}
    </section>
  );
}
