import { useState } from 'react';
import type { QueueSummary } from '../../../../shared/contract';
import { confirmAction } from '../../lib/confirm';
import { api, refreshQueues, run } from '../../store';
import { QueueForm } from './QueueForm';

/** Pause or resume, edit, purge and delete a queue (`compact` leaves Delete out). */
export function QueueActions({ q, compact }: { q: QueueSummary; compact?: boolean }) {
  const [editing, setEditing] = useState(false);
  const paused = q.state !== 'RUNNING';
  return (
    <div className="actions" role="group" aria-label={`Actions for ${q.id}`}>
      {paused ? (
        <button type="button" className="btn small" aria-label={`Resume ${q.id}`} onClick={() => run(() => api().call('resumeQueue', { name: q.name }), `Resumed ${q.id}`).then(refreshQueues)}>
          ▶ Resume
        </button>
      ) : (
        <button type="button" className="btn small" aria-label={`Pause ${q.id}`} onClick={() => run(() => api().call('pauseQueue', { name: q.name }), `Paused ${q.id}`).then(refreshQueues)}>
          ❚❚ Pause
        </button>
      )}
      <button type="button" className="btn small" aria-label={`Edit ${q.id}`} onClick={() => setEditing(true)}>
        Edit
      </button>
      <button
        type="button"
        className="btn small danger-text"
        aria-label={`Purge ${q.id}`}
        onClick={() => {
          if (confirmAction(`Purge every task in ${q.id}?`)) void run(() => api().call('purgeQueue', { name: q.name }), `Purged ${q.id}`).then(refreshQueues);
        }}
      >
        Purge
      </button>
      {!compact && (
        <button
          type="button"
          className="btn small danger-text"
          aria-label={`Delete ${q.id}`}
          onClick={() => {
            if (confirmAction(`Delete queue ${q.id} and its tasks? Its name stays reserved for 7 days.`)) {
              void run(() => api().call('deleteQueue', { name: q.name }), `Deleted ${q.id}`).then(refreshQueues);
            }
          }}
        >
          Delete
        </button>
      )}
      {editing && <QueueForm queue={q} onClose={() => setEditing(false)} />}
    </div>
  );
}
