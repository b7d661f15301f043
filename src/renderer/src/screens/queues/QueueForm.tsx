import { useState } from 'react';
import type { QueueSummary, RetrySettings } from '../../../../shared/contract';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { api, refreshQueues, run, useStore } from '../../store';

/** Create a queue, or edit an existing queue's rate limits and retry config. */
export function QueueForm({ queue, onClose }: { queue?: QueueSummary; onClose: () => void }) {
  const info = useStore((s) => s.info);
  const parent = info?.defaultParent ?? 'projects/my-project/locations/us-central1';
  const [, dProject, , dLocation] = parent.split('/');
  const [project, setProject] = useState(queue?.project ?? dProject);
  const [location, setLocation] = useState(queue?.location ?? dLocation);
  const [id, setId] = useState(queue?.id ?? '');
  const [rate, setRate] = useState(String(queue?.rateLimits.maxDispatchesPerSecond ?? 500));
  const [conc, setConc] = useState(String(queue?.rateLimits.maxConcurrentDispatches ?? 1000));
  const r: RetrySettings = queue?.retry ?? { maxAttempts: 100, maxRetryDurationS: 0, minBackoffS: 0.1, maxBackoffS: 3600, maxDoublings: 16 };
  const [attempts, setAttempts] = useState(String(r.maxAttempts));
  const [minB, setMinB] = useState(String(r.minBackoffS));
  const [maxB, setMaxB] = useState(String(r.maxBackoffS));
  const [doublings, setDoublings] = useState(String(r.maxDoublings));
  const [maxDur, setMaxDur] = useState(String(r.maxRetryDurationS));
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const body = {
      rateLimits: { maxDispatchesPerSecond: Number(rate), maxConcurrentDispatches: Number(conc) },
      retry: {
        maxAttempts: Number(attempts),
        minBackoffS: Number(minB),
        maxBackoffS: Number(maxB),
        maxDoublings: Number(doublings),
        maxRetryDurationS: Number(maxDur),
      },
    };
    const ok = queue
      ? await run(() => api().call('updateQueue', { name: queue.name, ...body }), `Updated ${queue.id}`)
      : await run(() => api().call('createQueue', { project, location, id, ...body }), `Created ${id}`);
    setBusy(false);
    if (ok) {
      await refreshQueues();
      onClose();
    }
  };

  return (
    <Dialog title={queue ? `Edit ${queue.id}` : 'Create queue'} onClose={onClose}>
      <form onSubmit={submit} className="form">
        {!queue && (
          <div className="form-row">
            <Field label="Project">
              <input value={project} onChange={(e) => setProject(e.target.value)} required />
            </Field>
            <Field label="Location">
              <input value={location} onChange={(e) => setLocation(e.target.value)} required />
            </Field>
            <Field label="Queue ID">
              <input value={id} onChange={(e) => setId(e.target.value)} required pattern="[A-Za-z0-9-]{1,100}" autoFocus />
            </Field>
          </div>
        )}
        <fieldset>
          <legend>Rate limits</legend>
          <div className="form-row">
            <Field label="Max dispatches per second">
              <input type="number" min="0.001" step="any" value={rate} onChange={(e) => setRate(e.target.value)} />
            </Field>
            <Field label="Max concurrent dispatches">
              <input type="number" min="1" step="1" value={conc} onChange={(e) => setConc(e.target.value)} />
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Retry config</legend>
          <div className="form-row">
            <Field label="Max attempts" hint="-1: unlimited">
              <input type="number" min="-1" step="1" value={attempts} onChange={(e) => setAttempts(e.target.value)} />
            </Field>
            <Field label="Max retry duration (s)" hint="0: unlimited">
              <input type="number" min="0" step="any" value={maxDur} onChange={(e) => setMaxDur(e.target.value)} />
            </Field>
          </div>
          <div className="form-row">
            <Field label="Min backoff (s)">
              <input type="number" min="0" step="any" value={minB} onChange={(e) => setMinB(e.target.value)} />
            </Field>
            <Field label="Max backoff (s)">
              <input type="number" min="0" step="any" value={maxB} onChange={(e) => setMaxB(e.target.value)} />
            </Field>
            <Field label="Max doublings">
              <input type="number" min="0" step="1" value={doublings} onChange={(e) => setDoublings(e.target.value)} />
            </Field>
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={busy}>
            {queue ? 'Save' : 'Create queue'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
