/** Replay with edits: the recorded request, editable, sent straight to the handler. */
import { useState } from 'react';
import type { AttemptView, TaskDetail } from '../../../../shared/contract';
import { Dialog } from '../../components/Dialog';
import { RequestEditor, type RequestDraft } from '../../components/RequestEditor';
import { decodeText, textToBase64 } from '../../lib/body';
import { headerLines, parseHeaderLines } from '../../lib/headers';
import { api, run, toast } from '../../store';

export function ReplayEditor({ attempt, task, onClose }: { attempt: AttemptView; task: TaskDetail; onClose: () => void }) {
  const [request, setRequest] = useState<RequestDraft>(() => ({
    method: attempt.request.method,
    url: attempt.request.url,
    headers: headerLines(attempt.request.headers),
    body: decodeText(attempt.request.bodyBase64) ?? '',
  }));
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={`Replay attempt #${attempt.attempt} with edits`} onClose={onClose} wide>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const r = await run(() =>
            api().call('replayAttempt', {
              queue: task.summary.queue,
              id: task.summary.id,
              attemptId: attempt.id,
              edits: { method: request.method, url: request.url, headers: parseHeaderLines(request.headers), bodyBase64: textToBase64(request.body) },
            }),
          );
          setBusy(false);
          if (r) {
            toast(r.response ? `Replayed: HTTP ${r.response.status}` : `Replay failed: ${r.error}`, r.response ? 'info' : 'error');
            onClose();
          }
        }}
      >
        <RequestEditor draft={request} onChange={setRequest} headerRows={8} bodyRows={8} />
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
