import { useEffect, useState } from 'react';
import type { AttemptView, BackoffGap, ReplayView, RequestView, TaskDetail } from '../../../shared/contract';
import { StateBadge, StatusBadge, WhyBadge } from '../components/Badges';
import { CopyButton } from '../components/CopyButton';
import { Empty } from '../components/Empty';
import { Time } from '../components/Time';
import { confirmAction } from '../lib/confirm';
import { toCurl } from '../lib/curl';
import { headerValue } from '../lib/headers';
import { absoluteTime, duration } from '../lib/time';
import { api, hrefOf, navigate, run, toast, useStore } from '../store';
import { AttemptTools } from './AttemptTools';
import { RequestBlock, ResponseBlock } from './task/HttpMessage';
import { ReplayEditor } from './task/ReplayEditor';
import { ReplayList } from './task/ReplayList';
import { TokenPanel } from './task/TokenPanel';

function gapText(g: BackoffGap): string {
  if (g.rule === 'run_task') return `run now after ${duration(g.waitedMs)}`;
  const rule = g.formula === 'max_backoff' ? 'max_backoff' : g.formula;
  return `waited ${duration(g.waitedMs)} = ${rule}`;
}

function AttemptStrip({ attempts, next }: { attempts: AttemptView[]; next: TaskDetail['nextAttempt'] }) {
  if (!attempts.length) return null;
  const t0 = attempts[0].dispatchMs;
  const t1 = Math.max(next?.atMs ?? 0, ...attempts.map((a) => a.responseMs ?? a.dispatchMs));
  const span = Math.max(1, t1 - t0);
  const W = 600;
  const x = (t: number) => 12 + ((t - t0) / span) * (W - 24);
  return (
    <svg viewBox={`0 0 ${W} 34`} className="strip" role="img" aria-label={`${attempts.length} attempts over ${duration(span)}`}>
      <line x1={12} x2={W - 12} y1={17} y2={17} className="grid" />
      {attempts.map((a, i) => {
        const prev = attempts[i - 1];
        return (
          <g key={a.id}>
            {prev && a.gapBefore && a.gapBefore.rule !== 'run_task' && (
              <rect x={x(prev.responseMs ?? prev.dispatchMs)} y={11} width={Math.max(1, x(a.scheduleMs) - x(prev.responseMs ?? prev.dispatchMs))} height={12} className="backoff" />
            )}
            <circle cx={x(a.dispatchMs)} cy={17} r={6} className={`dot status-${a.statusClass}`}>
              <title>{`#${a.attempt} ${a.status ?? a.outcome} at ${absoluteTime(a.dispatchMs)}`}</title>
            </circle>
          </g>
        );
      })}
      {next && <circle cx={x(next.atMs)} cy={17} r={6} className="dot next" />}
    </svg>
  );
}

function AttemptItem({ a, task, onReplay }: { a: AttemptView; task: TaskDetail; onReplay: (r: ReplayView) => void }) {
  const [editing, setEditing] = useState(false);
  const [redact, setRedact] = useState(false);
  return (
    <li className="attempt">
      {a.gapBefore && (
        <div className={`gap rule-${a.gapBefore.rule}`} aria-label={`Backoff before attempt ${a.attempt}`}>
          <span className="gap-line" aria-hidden="true" />
          <span className="gap-text">{gapText(a.gapBefore)}</span>
        </div>
      )}
      <details className="attempt-card" open={a.attempt === task.attempts[task.attempts.length - 1].attempt}>
        <summary>
          <span className="attempt-n">#{a.attempt}</span>
          <StatusBadge status={a.status} cls={a.statusClass} text={a.error} />
          <span className="attempt-outcome">{a.status !== null ? `HTTP ${a.status}` : a.outcome}</span>
          {a.runTask && <span className="tag">run now</span>}
          <span className="muted">{duration(a.durationMs)}</span>
          <Time ms={a.dispatchMs} offsetMs={0} className="attempt-time" />
        </summary>
        <div className="attempt-actions" role="group" aria-label={`Attempt ${a.attempt} actions`}>
          <button
            type="button"
            className="btn small"
            aria-label={`Replay attempt ${a.attempt}`}
            onClick={async () => {
              const r = await run(() => api().call('replayAttempt', { queue: task.summary.queue, id: task.summary.id, attemptId: a.id }));
              if (r) {
                toast(r.response ? `Replayed: HTTP ${r.response.status}` : `Replay failed: ${r.error}`, r.response ? 'info' : 'error');
                onReplay(r);
              }
            }}
          >
            Replay
          </button>
          <button type="button" className="btn small" aria-label={`Replay attempt ${a.attempt} with edits`} onClick={() => setEditing(true)}>
            Replay with edits
          </button>
          <CopyButton text={() => toCurl(a.request, { redactToken: redact })} label={`Copy attempt ${a.attempt} as curl`}>
            Copy as curl
          </CopyButton>
          {headerValue(a.request.headers, 'authorization') && (
            <label className="check small">
              <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} /> redact token
            </label>
          )}
        </div>
        <div className="attempt-body">
          <div>
            <h3>Request as sent</h3>
            <RequestBlock req={a.request} label={`Attempt ${a.attempt} request`} />
          </div>
          <div>
            <h3>Response</h3>
            <ResponseBlock res={a.response} error={a.error} label={`Attempt ${a.attempt} response`} />
            <dl className="facts small">
              <dt>Scheduled</dt>
              <dd>{absoluteTime(a.scheduleMs)}</dd>
              <dt>Dispatched</dt>
              <dd>{absoluteTime(a.dispatchMs)}</dd>
              <dt>Latency</dt>
              <dd>{duration(a.durationMs)}</dd>
              <dt>Outcome</dt>
              <dd>{a.outcome}</dd>
            </dl>
          </div>
        </div>
      </details>
      {editing && <ReplayEditor attempt={a} task={task} onClose={() => setEditing(false)} />}
    </li>
  );
}

export function TaskView({ queue, id }: { queue: string; id: string }) {
  const version = useStore((s) => s.taskVersions[`${queue}\n${id}`] ?? 0);
  const qVersion = useStore((s) => s.versions[queue] ?? 0);
  const q = useStore((s) => s.queues.find((x) => x.name === queue));
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [missing, setMissing] = useState(false);
  const [redact, setRedact] = useState(false);
  const [, setReplays] = useState(0);

  const load = () =>
    api()
      .call('getTask', { queue, id })
      .then((t) => {
        setTask(t);
        setMissing(false);
      })
      .catch(() => setMissing(true));

  useEffect(() => {
    setTask(null);
    void load();
  }, [queue, id]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (version) void load();
  }, [version]); // eslint-disable-line react-hooks/exhaustive-deps
  // A purge or reset shows up as a queue change.
  useEffect(() => {
    if (qVersion && task && !version) void load();
  }, [qVersion]); // eslint-disable-line react-hooks/exhaustive-deps

  if (missing && !task) {
    return (
      <div className="page">
        <Empty title={`Task ${id} was not found.`}>
          <a href={hrefOf({ screen: 'queue', queue, tab: 'tasks' })}>Back to the queue</a>
        </Empty>
      </div>
    );
  }
  if (!task) return <div className="page muted">Loading…</div>;
  const s = task.summary;
  const live = !task.finished && !task.deleted;
  const lastWithToken = [...task.attempts].reverse().find((a) => /^Bearer\s+ey/i.test(headerValue(a.request.headers, 'authorization') ?? ''));
  const token = lastWithToken ? headerValue(lastWithToken.request.headers, 'authorization')!.replace(/^Bearer\s+/i, '') : null;
  const curlSource: RequestView = task.attempts.length ? task.attempts[task.attempts.length - 1].request : task.request;

  return (
    <div className="page task-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href="#/">Queues</a> <span aria-hidden="true">/</span> <a href={hrefOf({ screen: 'queue', queue, tab: 'tasks' })}>{q?.id ?? queue.split('/').pop()}</a>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">{id}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1 className="mono task-title">
            {id} <StateBadge state={s.state} />
          </h1>
          <p className="why-line">
            {live && <WhyBadge why={s.why} />} {task.whyText}
          </p>
        </div>
        <div className="page-actions">
          {live && (
            <button
              type="button"
              className="btn primary"
              onClick={() => run(() => api().call('runTask', { queue, id }), 'Dispatched now').then(load)}
            >
              ▶ Run now
            </button>
          )}
          <button
            type="button"
            className="btn"
            onClick={async () => {
              const t = await run(() => api().call('duplicateTask', { queue, id }), 'Duplicated');
              if (t) navigate({ screen: 'task', queue, id: t.id });
            }}
          >
            Duplicate
          </button>
          <CopyButton text={() => toCurl(curlSource, { redactToken: redact })} label="Copy as curl" className="btn">
            Copy as curl
          </CopyButton>
          <label className="check small">
            <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} /> redact token
          </label>
          {live && (
            <button
              type="button"
              className="btn danger-text"
              onClick={async () => {
                if (!confirmAction(`Delete task ${id}?`)) return;
                const ok = await run(() => api().call('deleteTask', { queue, id }), 'Deleted');
                if (ok) navigate({ screen: 'queue', queue, tab: 'tasks' });
              }}
            >
              Delete
            </button>
          )}
        </div>
      </div>

      <dl className="facts task-facts">
        <dt>Created</dt>
        <dd>
          <Time ms={s.createMs} />
        </dd>
        <dt>{task.finished ? 'Finished' : 'Scheduled'}</dt>
        <dd>
          <Time ms={task.finished ? task.finished.atMs : s.scheduleMs} offsetMs={task.finished ? 0 : (q?.clockOffsetMs ?? 0)} />
        </dd>
        <dt>Attempts</dt>
        <dd>
          {s.dispatchCount} ({s.responseCount} answered)
        </dd>
        <dt>Retry policy</dt>
        <dd>
          {task.retry.maxAttempts === -1 ? 'unlimited' : `${task.retry.maxAttempts} attempts`}, backoff {duration(task.retry.minBackoffS * 1000)}–
          {duration(task.retry.maxBackoffS * 1000)}, {task.retry.maxDoublings} doublings
        </dd>
        <dt>Deadline</dt>
        <dd>{duration(task.dispatchDeadlineS * 1000)}</dd>
        {task.oidc && (
          <>
            <dt>OIDC</dt>
            <dd className="mono">
              {task.oidc.serviceAccountEmail}
              {task.oidc.audience ? ` → ${task.oidc.audience}` : ''}
            </dd>
          </>
        )}
      </dl>

      <div className="task-grid">
        <section aria-labelledby="attempts-title" className="attempts-section">
          <div className="section-head">
            <h2 id="attempts-title">Attempts</h2>
            <AttemptTools task={task} redactToken={redact} />
          </div>
          <AttemptStrip attempts={task.attempts} next={task.nextAttempt} />
          {task.attempts.length === 0 ? (
            <p className="muted">No attempts yet.</p>
          ) : (
            <ol className="attempts" aria-label="Attempts">
              {task.attempts.map((a) => (
                <AttemptItem key={a.id} a={a} task={task} onReplay={() => void load().then(() => setReplays((n) => n + 1))} />
              ))}
            </ol>
          )}
          {task.nextAttempt && (
            <div className={`gap next rule-${task.nextAttempt.gap.rule}`}>
              <span className="gap-line" aria-hidden="true" />
              <span className="gap-text">
                next attempt <Time ms={task.nextAttempt.atMs} offsetMs={q?.clockOffsetMs ?? 0} /> (waits {duration(task.nextAttempt.gap.delayMs)} ={' '}
                {task.nextAttempt.gap.formula})
              </span>
            </div>
          )}
          <ReplayList task={task} />
        </section>
        <aside className="side">
          <section aria-labelledby="request-title">
            <h2 id="request-title">Request</h2>
            <RequestBlock req={task.request} label="Task request" />
          </section>
          {token && lastWithToken && <TokenPanel token={token} audience={task.oidc?.audience} url={lastWithToken.request.url} />}
          {!token && task.oidc && <p className="muted small">The OIDC token is minted per attempt; it shows here after the first one.</p>}
        </aside>
      </div>
    </div>
  );
}
