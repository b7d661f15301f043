import { useState } from 'react';
import { WhyBadge } from '../../components/Badges';
import { Meter } from '../../components/Meter';
import { plural } from '../../lib/plural';
import { duration } from '../../lib/time';
import { hrefOf, useStore } from '../../store';
import { GettingStarted } from '../start/GettingStarted';
import { Counts } from './Counts';
import { QueueActions } from './QueueActions';
import { QueueForm } from './QueueForm';

export function QueuesOverview() {
  const queues = useStore((s) => s.queues);
  const loaded = useStore((s) => s.queuesLoaded);
  const info = useStore((s) => s.info);
  const [creating, setCreating] = useState(false);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Queues</h1>
        <div className="page-actions">
          <button type="button" className="btn primary" onClick={() => setCreating(true)}>
            + Create queue
          </button>
        </div>
      </div>
      {loaded && queues.length === 0 && <GettingStarted info={info} onCreateQueue={() => setCreating(true)} />}
      {queues.length > 0 && (
        <div className="queue-list" role="list" aria-label="Queues">
          {queues.map((q) => (
            <article key={q.name} className={`queue-card${q.state !== 'RUNNING' ? ' paused' : ''}`} role="listitem" aria-label={q.id}>
              <header className="queue-card-head">
                <div>
                  <h2 className="queue-title">
                    <a href={hrefOf({ screen: 'queue', queue: q.name, tab: 'tasks' })} data-nav-row="">
                      {q.id}
                    </a>
                  </h2>
                  <div className="queue-sub muted">
                    {q.project} · {q.location}
                  </div>
                </div>
                <span className={`state-pill ${q.state.toLowerCase()}`}>{q.state === 'RUNNING' ? 'Running' : q.state === 'PAUSED' ? 'Paused' : 'Disabled'}</span>
                {q.clockOffsetMs > 0 && (
                  <span className="virtual-pill" title="This queue's clock was moved forward">
                    clock +{duration(q.clockOffsetMs)}
                  </span>
                )}
                <QueueActions q={q} />
              </header>
              <Counts q={q} />
              <dl className="queue-stats">
                <div>
                  <dt>Dispatch rate</dt>
                  <dd>
                    <span className="num">{q.dispatchRate.toFixed(q.dispatchRate < 10 ? 1 : 0)}</span>
                    <span className="muted"> / {q.rateLimits.maxDispatchesPerSecond} per s</span>
                    <Meter value={q.dispatchRate} max={q.rateLimits.maxDispatchesPerSecond} label={`Dispatch rate of ${q.id}`} />
                  </dd>
                </div>
                <div>
                  <dt>In flight</dt>
                  <dd>
                    <span className="num">{q.inFlight}</span>
                    <span className="muted"> / {q.rateLimits.maxConcurrentDispatches}</span>
                    <Meter value={q.inFlight} max={q.rateLimits.maxConcurrentDispatches} label={`In flight in ${q.id}`} />
                  </dd>
                </div>
                <div>
                  <dt>Oldest due task</dt>
                  <dd className={q.oldestDueAgeMs !== null && q.oldestDueAgeMs > 60_000 ? 'warn' : ''}>
                    {q.oldestDueAgeMs === null ? <span className="muted">none</span> : `${duration(q.oldestDueAgeMs)} old`}
                  </dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>
                    <WhyBadge why={q.why} /> <span className="why-text">{q.whyText}</span>
                  </dd>
                </div>
              </dl>
              <footer className="queue-card-foot muted">
                {plural(q.counts.scheduled + q.counts.due + q.counts.dispatching + q.counts.backing_off, 'live task')} · retries: {q.retry.maxAttempts === -1 ? 'unlimited' : `${q.retry.maxAttempts} attempts`}, backoff{' '}
                {duration(q.retry.minBackoffS * 1000)}–{duration(q.retry.maxBackoffS * 1000)}
              </footer>
            </article>
          ))}
        </div>
      )}
      {creating && <QueueForm onClose={() => setCreating(false)} />}
    </div>
  );
}
