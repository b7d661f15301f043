import { useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { parseDuration } from '../../lib/time';
import { api, navigate, run, useStore } from '../../store';

/** The create-task form (ux.md P0 6). */
export function CreateTask({ queue, onClose }: { queue: string; onClose: () => void }) {
  const queues = useStore((s) => s.queues);
  const [target, setTarget] = useState(queue);
  const [url, setUrl] = useState('http://localhost:8080/');
  const [method, setMethod] = useState('POST');
  const [headers, setHeaders] = useState('Content-Type: application/json');
  const [body, setBody] = useState('{}');
  const [delay, setDelay] = useState('');
  const [id, setId] = useState('');
  const [sa, setSa] = useState('');
  const [aud, setAud] = useState('');
  const [busy, setBusy] = useState(false);
  const delayS = delay.trim() ? parseDuration(delay) : 0;
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';

  return (
    <Dialog title="Create task" onClose={onClose} wide>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const map: Record<string, string> = {};
          for (const line of headers.split('\n')) {
            const i = line.indexOf(':');
            if (i > 0) map[line.slice(0, i).trim()] = line.slice(i + 1).trim();
          }
          setBusy(true);
          const t = await run(
            () =>
              api().call('createTask', {
                queue: target,
                id: id.trim() || undefined,
                url,
                method,
                headers: map,
                body: hasBody ? body : undefined,
                delayS: delayS || undefined,
                oidcServiceAccountEmail: sa.trim() || undefined,
                oidcAudience: aud.trim() || undefined,
              }),
            'Task created',
          );
          setBusy(false);
          if (t) {
            onClose();
            navigate({ screen: 'task', queue: target, id: t.id });
          }
        }}
      >
        <div className="form-row">
          <Field label="Queue">
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              {queues.map((q) => (
                <option key={q.name} value={q.name}>
                  {q.id}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Task ID" hint="Empty: generated">
            <input value={id} onChange={(e) => setId(e.target.value)} pattern="[A-Za-z0-9_-]{1,500}" />
          </Field>
          <Field label="Delay" hint="e.g. 30s, 15m, 1h, 1d">
            <input value={delay} onChange={(e) => setDelay(e.target.value)} aria-invalid={delayS === null} placeholder="now" />
          </Field>
        </div>
        <div className="form-row">
          <Field label="Method">
            <select value={method} onChange={(e) => setMethod(e.target.value)}>
              {['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="URL">
            <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} className="mono grow" required />
          </Field>
        </div>
        <Field label="Headers" hint="One “Name: value” per line">
          <textarea value={headers} onChange={(e) => setHeaders(e.target.value)} rows={3} className="mono" />
        </Field>
        {hasBody && (
          <Field label="Body">
            <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={6} className="mono" />
          </Field>
        )}
        <div className="form-row">
          <Field label="OIDC service account" hint="Adds a signed ID token">
            <input type="email" value={sa} onChange={(e) => setSa(e.target.value)} placeholder="tasks@my-project.iam.gserviceaccount.com" />
          </Field>
          <Field label="OIDC audience" hint="Empty: the URL">
            <input value={aud} onChange={(e) => setAud(e.target.value)} />
          </Field>
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={busy || delayS === null}>
            Create task
          </button>
        </div>
      </form>
    </Dialog>
  );
}
