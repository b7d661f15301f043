/**
 * A task's attempts: export and compare tools, the strip of attempts over time, each attempt with
 * the backoff gap before it (labelled by the rule that produced it), the next attempt, and replays.
 */
import { useState } from 'react';
import type { AttemptView, BackoffGap, ReplayView, TaskDetail } from '../../../../shared/contract';
import { StatusBadge } from '../../components/Badges';
import { CopyButton } from '../../components/CopyButton';
import { Time } from '../../components/Time';
import { toCurl } from '../../lib/curl';
import { headerValue } from '../../lib/headers';
import { absoluteTime, duration } from '../../lib/time';
import { api, run, toast } from '../../store';
import { AttemptTools } from './AttemptTools';
import { RequestBlock, ResponseBlock } from './HttpMessage';
import { ReplayEditor } from './ReplayEditor';
import { ReplayList } from './ReplayList';

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

/** `offsetMs`: the queue's clock offset, for the next attempt's time. */
export function AttemptList({ task, redactToken, offsetMs, onReplay }: { task: TaskDetail; redactToken: boolean; offsetMs: number; onReplay: (r: ReplayView) => void }) {
  return (
    <section aria-labelledby="attempts-title" className="attempts-section">
      <div className="section-head">
        <h2 id="attempts-title">Attempts</h2>
        <AttemptTools task={task} redactToken={redactToken} />
      </div>
      <AttemptStrip attempts={task.attempts} next={task.nextAttempt} />
      {task.attempts.length === 0 ? (
        <p className="muted">No attempts yet.</p>
      ) : (
        <ol className="attempts" aria-label="Attempts">
          {task.attempts.map((a) => (
            <AttemptItem key={a.id} a={a} task={task} onReplay={onReplay} />
          ))}
        </ol>
      )}
      {task.nextAttempt && (
        <div className={`gap next rule-${task.nextAttempt.gap.rule}`}>
          <span className="gap-line" aria-hidden="true" />
          <span className="gap-text">
            next attempt <Time ms={task.nextAttempt.atMs} offsetMs={offsetMs} /> (waits {duration(task.nextAttempt.gap.delayMs)} ={' '}
            {task.nextAttempt.gap.formula})
          </span>
        </div>
      )}
      <ReplayList task={task} />
    </section>
  );
}
