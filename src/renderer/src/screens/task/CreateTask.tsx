import { useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { RequestEditor, type RequestDraft } from '../../components/RequestEditor';
import { parseHeaderLines } from '../../lib/headers';
import { parseDuration } from '../../lib/time';
import { api, navigate, run, useStore } from '../../store';

/** The create-task form: queue, ID, delay, the request, and an optional OIDC token. */
export function CreateTask({ queue, onClose }: { queue: string; onClose: () => void }) {
  const queues = useStore((s) => s.queues);
  const [target, setTarget] = useState(queue);
  const [request, setRequest] = useState<RequestDraft>({ method: 'POST', url: 'http://localhost:8080/', headers: 'Content-Type: application/json', body: '{}' });
  const [delay, setDelay] = useState('');
  const [id, setId] = useState('');
  const [sa, setSa] = useState('');
  const [aud, setAud] = useState('');
  const [busy, setBusy] = useState(false);
  const delayS = delay.trim() ? parseDuration(delay) : 0;
  const hasBody = request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH';

  return (
    <Dialog title="Create task" onClose={onClose} wide>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const t = await run(
            () =>
              api().call('createTask', {
                queue: target,
                id: id.trim() || undefined,
                url: request.url,
                method: request.method,
                headers: parseHeaderLines(request.headers),
                body: hasBody ? request.body : undefined,
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
        <RequestEditor draft={request} onChange={setRequest} urlType="url" headerRows={3} bodyRows={6} showBody={hasBody} />
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
