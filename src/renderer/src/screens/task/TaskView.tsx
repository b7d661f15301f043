import { useState } from 'react';
import type { RequestView, TaskSummary } from '../../../../shared/contract';
import { shortId } from '../../../../shared/short-id';
import { StateBadge, WhyBadge } from '../../components/Badges';
import { CopyButton } from '../../components/CopyButton';
import { Empty } from '../../components/Empty';
import { Time } from '../../components/Time';
import { useCommand } from '../../hooks/useCommand';
import { confirmAction } from '../../lib/confirm';
import { toCurl } from '../../lib/curl';
import { headerValue } from '../../lib/headers';
import { duration } from '../../lib/time';
import { api, hrefOf, navigate, run, useStore } from '../../store';
import { AttemptList } from './AttemptList';
import { RequestBlock } from './HttpMessage';
import { TokenPanel } from './TokenPanel';
import { taskWaitText } from './wait-text';

/** Why the task waits, with the time left counting down on the store's clock (it ticks each second). */
function WaitText({ summary, serverText, offsetMs }: { summary: TaskSummary; serverText: string; offsetMs: number }) {
  const now = useStore((st) => st.now);
  return <>{taskWaitText(summary, serverText, now + offsetMs)}</>;
}

export function TaskView({ queue, id }: { queue: string; id: string }) {
  const q = useStore((s) => s.queues.find((x) => x.name === queue));
  const { data: task, error, reload } = useCommand('getTask', { queue, id }, { watch: { queue, id } });
  const [redact, setRedact] = useState(false);

  if (error && !task) {
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
        <a href="#/">Queues</a> <span aria-hidden="true">/</span> <a href={hrefOf({ screen: 'queue', queue, tab: 'tasks' })}>{q?.id ?? shortId(queue)}</a>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">{id}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1 className="mono task-title">
            {id} <StateBadge state={s.state} />
          </h1>
          <p className="why-line">
            {live && <WhyBadge why={s.why} />} <WaitText summary={s} serverText={task.whyText} offsetMs={q?.clockOffsetMs ?? 0} />
          </p>
        </div>
        <div className="page-actions">
          {live && (
            <button
              type="button"
              className="btn primary"
              onClick={() => run(() => api().call('runTask', { queue, id }), 'Dispatched now').then(reload)}
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
        <AttemptList task={task} redactToken={redact} offsetMs={q?.clockOffsetMs ?? 0} onReplay={reload} />
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
