import { useState } from 'react';
import type { TaskDetail } from '../../../../shared/contract';
import { shortId } from '../../../../shared/short-id';
import { Dialog } from '../../components/Dialog';
import { attemptsToHar, attemptsToJson, diffAttempts } from '../../lib/attempt-export';
import { downloadText } from '../../lib/download';
import { useStore } from '../../store';

function CompareAttempts({ task, onClose }: { task: TaskDetail; onClose: () => void }) {
  const n = task.attempts.length;
  const [aId, setAId] = useState(task.attempts[n - 2].id);
  const [bId, setBId] = useState(task.attempts[n - 1].id);
  const a = task.attempts.find((x) => x.id === aId)!;
  const b = task.attempts.find((x) => x.id === bId)!;
  const rows = diffAttempts(a, b);
  const picker = (label: string, value: number, set: (id: number) => void) => (
    <label className="inline-field">
      <span>{label}</span>
      <select aria-label={label} value={value} onChange={(e) => set(Number(e.target.value))}>
        {task.attempts.map((x) => (
          <option key={x.id} value={x.id}>
            #{x.attempt} · {x.status ?? x.outcome}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Dialog title="Compare attempts" onClose={onClose} wide>
      <div className="filters">
        {picker('First attempt', aId, setAId)}
        {picker('Second attempt', bId, setBId)}
      </div>
      {rows.length === 0 ? (
        <p className="muted">{a === b ? 'The same attempt.' : 'Request and response are the same.'}</p>
      ) : (
        <table className="diff-table" aria-label="Differences">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">#{a.attempt}</th>
              <th scope="col">#{b.attempt}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.part} ${r.field}`}>
                <th scope="row">
                  <span className="muted small">{r.part}</span> {r.field}
                </th>
                <td className="mono">{r.a || <span className="muted">(none)</span>}</td>
                <td className="mono">{r.b || <span className="muted">(none)</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Dialog>
  );
}

/** Export the attempts (HAR for devtools and proxies, or JSON) and compare two of them. */
export function AttemptTools({ task, redactToken }: { task: TaskDetail; redactToken: boolean }) {
  const version = useStore((s) => s.info?.version);
  const [comparing, setComparing] = useState(false);
  if (task.attempts.length === 0) return null;
  const base = `${shortId(task.summary.queue)}-${task.summary.id}-attempts`;
  return (
    <div className="attempt-tools" role="group" aria-label="Attempt tools">
      <button
        type="button"
        className="btn small"
        onClick={() => downloadText(`${base}.har`, JSON.stringify(attemptsToHar(task, { redactToken, version }), null, 2))}
      >
        Export HAR
      </button>
      <button type="button" className="btn small" onClick={() => downloadText(`${base}.json`, JSON.stringify(attemptsToJson(task, { redactToken }), null, 2))}>
        Export JSON
      </button>
      {task.attempts.length >= 2 && (
        <button type="button" className="btn small" onClick={() => setComparing(true)}>
          Compare attempts
        </button>
      )}
      {comparing && <CompareAttempts task={task} onClose={() => setComparing(false)} />}
    </div>
  );
}
