import { useState } from 'react';
import { WhyBadge } from '../../components/Badges';
import { Empty } from '../../components/Empty';
import { Meter } from '../../components/Meter';
import { duration } from '../../lib/time';
import { hrefOf, QUEUE_TABS, useStore, type QueueTab } from '../../store';
import { Counts } from '../queues/Counts';
import { QueueActions } from '../queues/QueueActions';
import { Breakdown } from './Breakdown';
import { ClockControls } from './ClockControls';
import { FilterBar } from './FilterBar';
import { ReservedNamesPanel } from './ReservedNamesPanel';
import { RetryExplainer } from './RetryExplainer';
import { DEFAULT_FILTERS, type TaskFilters } from './task-filters';
import { TaskTable } from './TaskTable';
import { Timeline } from './Timeline';

const filtersByQueue = new Map<string, TaskFilters>();

export function QueueView({ queue, tab }: { queue: string; tab: QueueTab }) {
  const q = useStore((s) => s.queues.find((x) => x.name === queue));
  const loaded = useStore((s) => s.queuesLoaded);
  const [filters, setFiltersState] = useState<TaskFilters>(filtersByQueue.get(queue) ?? DEFAULT_FILTERS);
  const setFilters = (f: TaskFilters) => {
    filtersByQueue.set(queue, f);
    setFiltersState(f);
  };
  if (!q) {
    return (
      <div className="page">
        {loaded ? (
          <Empty title="This queue does not exist (any more).">
            <a href="#/">Back to queues</a>
          </Empty>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    );
  }
  return (
    <div className="page queue-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href="#/">Queues</a> <span aria-hidden="true">/</span> <span aria-current="page">{q.id}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>
            {q.id}{' '}
            <span className={`state-pill ${q.state.toLowerCase()}`}>{q.state === 'RUNNING' ? 'Running' : q.state === 'PAUSED' ? 'Paused' : 'Disabled'}</span>
          </h1>
          <div className="muted mono small">{q.name}</div>
        </div>
        <div className="page-actions">
          <button type="button" className="btn primary" onClick={() => useStore.setState({ createTaskFor: q.name })}>
            + Create task
          </button>
          <QueueActions q={q} />
        </div>
      </div>
      <div className="queue-summary">
        <div className="queue-summary-main">
          <Counts q={q} />
          <div className="queue-why" aria-live="polite">
            <WhyBadge why={q.why} /> {q.whyText}
          </div>
          <dl className="queue-stats inline">
            <div>
              <dt>Dispatch rate</dt>
              <dd>
                {q.dispatchRate.toFixed(1)} / {q.rateLimits.maxDispatchesPerSecond} per s
                <Meter value={q.dispatchRate} max={q.rateLimits.maxDispatchesPerSecond} label="Dispatch rate" />
              </dd>
            </div>
            <div>
              <dt>In flight</dt>
              <dd>
                {q.inFlight} / {q.rateLimits.maxConcurrentDispatches}
                <Meter value={q.inFlight} max={q.rateLimits.maxConcurrentDispatches} label="In flight" />
              </dd>
            </div>
            <div>
              <dt>Tokens</dt>
              <dd>
                {q.tokens.toFixed(1)} / {q.rateLimits.maxBurstSize}
                <Meter value={q.tokens} max={q.rateLimits.maxBurstSize} label="Token bucket" />
              </dd>
            </div>
            <div>
              <dt>Oldest due</dt>
              <dd>{q.oldestDueAgeMs === null ? '—' : duration(q.oldestDueAgeMs)}</dd>
            </div>
          </dl>
        </div>
        <ClockControls q={q} />
      </div>
      <div className="tabs page-tabs" role="tablist" aria-label="Queue sections">
        {QUEUE_TABS.map(([id, label]) => (
          <a
            key={id}
            role="tab"
            aria-selected={tab === id}
            className={tab === id ? 'tab active' : 'tab'}
            href={hrefOf({ screen: 'queue', queue, tab: id })}
          >
            {label}
          </a>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" aria-label={QUEUE_TABS.find(([id]) => id === tab)?.[1]}>
        {tab === 'tasks' && (
          <>
            <FilterBar filters={filters} onChange={setFilters} />
            <TaskTable queue={queue} filters={filters} offsetMs={q.clockOffsetMs} />
          </>
        )}
        {tab === 'timeline' && <Timeline queue={queue} />}
        {tab === 'retry' && <RetryExplainer key={q.name} q={q} />}
        {tab === 'stats' && <Breakdown q={q} />}
        {tab === 'names' && <ReservedNamesPanel q={q} />}
      </div>
    </div>
  );
}
