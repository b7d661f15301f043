import type { QueueSummary } from '../../../../shared/contract';
import { useCommand } from '../../hooks/useCommand';
import { duration } from '../../lib/time';

/** Handler latency histogram and status breakdown over recent attempts. */
export function Breakdown({ q }: { q: QueueSummary }) {
  // Heavy (5,000 attempts): read again when the queue's version crosses a multiple of 10, not on every change.
  const { data } = useCommand('queueBreakdown', { name: q.name, limit: 5000 }, { watch: { queue: q.name }, versionStep: 10, delayMs: 300 });
  if (!data) return <p className="muted">Loading…</p>;
  if (!data.sample) return <p className="muted">No attempts yet.</p>;
  const maxLat = Math.max(1, ...data.latency.map((b) => b.count));
  const classes = Object.entries(data.byStatusClass) as Array<[string, number]>;
  return (
    <section className="breakdown" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">Handler responses</h2>
      <p className="muted small">The newest {data.sample.toLocaleString()} attempts.</p>
      <div className="breakdown-grid">
        <div>
          <h3>Status</h3>
          <div className="stack" role="img" aria-label={classes.map(([c, n]) => `${c}: ${n}`).join(', ')}>
            {classes.map(([c, n]) => (n ? <div key={c} className={`stack-part status-${c}`} style={{ flexGrow: n }} title={`${c}: ${n}`} /> : null))}
          </div>
          <ul className="legend">
            {data.byStatus.slice(0, 8).map((s) => (
              <li key={s.status}>
                <span className="mono">{s.status}</span> <span className="num">{s.count.toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Latency</h3>
          <p className="small">
            p50 <b>{duration(data.p50Ms)}</b> · p95 <b>{duration(data.p95Ms)}</b> · p99 <b>{duration(data.p99Ms)}</b>
          </p>
          <div className="histogram" role="img" aria-label="Latency histogram">
            {data.latency.map((b) => (
              <div key={String(b.upToMs)} className="hist-col" title={`${b.upToMs === null ? '> 10 s' : `≤ ${duration(b.upToMs)}`}: ${b.count}`}>
                <div className="hist-bar" style={{ height: `${(b.count / maxLat) * 100}%` }} />
                <span className="hist-label">{b.upToMs === null ? '>10s' : b.upToMs >= 1000 ? `${b.upToMs / 1000}s` : `${b.upToMs}`}</span>
              </div>
            ))}
          </div>
        </div>
        <div>
          <h3>By target</h3>
          <table className="plain">
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Attempts</th>
                <th scope="col">Errors</th>
                <th scope="col">p50</th>
              </tr>
            </thead>
            <tbody>
              {data.byTarget.map((t) => (
                <tr key={t.host}>
                  <td className="mono">{t.host || '—'}</td>
                  <td className="num">{t.count.toLocaleString()}</td>
                  <td className="num">{t.errors.toLocaleString()}</td>
                  <td className="num">{duration(t.p50Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
