import { useState } from 'react';
import type { QueueSummary, RetrySettings } from '../../../../shared/contract';
import { Field } from '../../components/Field';
import { useCommand } from '../../hooks/useCommand';
import { duration } from '../../lib/time';
import { api, refreshQueues, run } from '../../store';

/**
 * The retry config as a planned schedule of attempts, with what-if editing. The draft starts from
 * the queue's config; QueueView keys this panel by queue, so another queue starts afresh.
 */
export function RetryExplainer({ q }: { q: QueueSummary }) {
  const [draft, setDraft] = useState<RetrySettings>(q.retry);
  const changed = JSON.stringify(draft) !== JSON.stringify(q.retry);
  const planned = useCommand('retryPlan', { retry: draft, limit: 30 }, { delayMs: 120 });
  const plan = planned.error ? null : planned.data;
  const set = (k: keyof RetrySettings) => (e: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: Number(e.target.value) });
  const maxDelay = Math.max(1, ...(plan?.rows.map((r) => r.delayMs) ?? [1]));
  return (
    <section className="retry" aria-labelledby="retry-title">
      <div className="section-head">
        <h2 id="retry-title">Retry policy</h2>
        <div className="toolbar">
          {changed && (
            <>
              <button type="button" className="btn small" onClick={() => setDraft(q.retry)}>
                Revert
              </button>
              <button
                type="button"
                className="btn small primary"
                onClick={() => run(() => api().call('updateQueue', { name: q.name, retry: draft }), 'Retry config saved').then(refreshQueues)}
              >
                Apply to queue
              </button>
            </>
          )}
        </div>
      </div>
      <div className="form-row what-if" role="group" aria-label="What-if retry config">
        <Field label="Max attempts" hint="-1: unlimited">
          <input type="number" value={draft.maxAttempts} min={-1} onChange={set('maxAttempts')} />
        </Field>
        <Field label="Min backoff (s)">
          <input type="number" step="any" min={0} value={draft.minBackoffS} onChange={set('minBackoffS')} />
        </Field>
        <Field label="Max backoff (s)">
          <input type="number" step="any" min={0} value={draft.maxBackoffS} onChange={set('maxBackoffS')} />
        </Field>
        <Field label="Max doublings">
          <input type="number" min={0} value={draft.maxDoublings} onChange={set('maxDoublings')} />
        </Field>
        <Field label="Max retry duration (s)" hint="0: unlimited">
          <input type="number" step="any" min={0} value={draft.maxRetryDurationS} onChange={set('maxRetryDurationS')} />
        </Field>
      </div>
      {plan && (
        <>
          <p className="plan-summary">
            {plan.stopRule}{' '}
            {plan.lifetimeMs !== null && plan.totalAttempts !== null
              ? `A task that always fails is tried ${plan.totalAttempts} times over ${duration(plan.lifetimeMs)}.`
              : 'A task that always fails is retried forever (until the 31-day retention).'}
          </p>
          <table className="plan">
            <caption className="sr-only">Planned attempts of a task that always fails</caption>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Waits</th>
                <th scope="col">Rule</th>
                <th scope="col">After first</th>
                <th scope="col" className="bar-col">
                  <span className="sr-only">Delay</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {plan.rows.map((r) => (
                <tr key={r.attempt}>
                  <td className="num">#{r.attempt}</td>
                  <td className="num">{r.attempt === 1 ? '—' : duration(r.delayMs)}</td>
                  <td className="mono">{r.formula}</td>
                  <td className="num">{duration(r.atMs)}</td>
                  <td className="bar-col">
                    <div className={`bar rule-${r.rule}`} style={{ width: `${(r.delayMs / maxDelay) * 100}%` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.truncated && <p className="muted small">Showing the first {plan.rows.length} attempts.</p>}
        </>
      )}
    </section>
  );
}
