/** Replay with edits: the recorded request, editable, sent straight to the handler. */
import { useState } from 'react';
import type { AttemptView, HeaderMap, TaskDetail } from '../../../../shared/contract';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { decodeText, textToBase64 } from '../../lib/body';
import { api, run, toast } from '../../store';

export function ReplayEditor({ attempt, task, onClose }: { attempt: AttemptView; task: TaskDetail; onClose: () => void }) {
  const [method, setMethod] = useState(attempt.request.method);
  const [url, setUrl] = useState(attempt.request.url);
  const [headers, setHeaders] = useState(
    Object.entries(attempt.request.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  );
  const [body, setBody] = useState(decodeText(attempt.request.bodyBase64) ?? '');
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={`Replay attempt #${attempt.attempt} with edits`} onClose={onClose} wide>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const map: HeaderMap = {};
          for (const line of headers.split('\n')) {
            const i = line.indexOf(':');
            if (i > 0) map[line.slice(0, i).trim()] = line.slice(i + 1).trim();
          }
          setBusy(true);
          const r = await run(() =>
            api().call('replayAttempt', {
              queue: task.summary.queue,
              id: task.summary.id,
              attemptId: attempt.id,
              edits: { method, url, headers: map, bodyBase64: textToBase64(body) },
            }),
          );
          setBusy(false);
          if (r) {
            toast(r.response ? `Replayed: HTTP ${r.response.status}` : `Replay failed: ${r.error}`, r.response ? 'info' : 'error');
            onClose();
          }
        }}
      >
        <div className="form-row">
          <Field label="Method">
            <select value={method} onChange={(e) => setMethod(e.target.value)}>
              {['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="URL">
            <input value={url} onChange={(e) => setUrl(e.target.value)} className="mono grow" required />
          </Field>
        </div>
        <Field label="Headers" hint="One “Name: value” per line">
          <textarea value={headers} onChange={(e) => setHeaders(e.target.value)} rows={8} className="mono" />
        </Field>
        <Field label="Body">
          <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={8} className="mono" />
        </Field>
        <p className="muted small">The request goes straight to the handler; the task’s attempts and retry schedule are not touched.</p>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={busy}>
            Send replay
          </button>
        </div>
      </form>
    </Dialog>
  );
}
