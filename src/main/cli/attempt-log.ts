import type { Engine } from '../core/engine';
import { attemptRecord } from '../api/ui/views';

export type LogFormat = 'text' | 'json';

/**
 * One record per dispatch attempt, as the UI's attempt log shows it. Follows the attempts table
 * (rows after the last one printed) whenever the engine reports an attempt, so nothing is missed
 * or printed twice, and the dispatch path never waits on logging.
 *   json: {"time","queue","task","attempt","status","outcome","durationMs","method","url","error","runTask"}
 *   text: [dispatch] POST http://localhost:8080/h -> 200 succeeded 12.3ms  q/emails task 123 attempt 1
 */
export function startAttemptLog(engine: Engine, format: LogFormat, write: (line: string) => void): () => void {
  let lastId = engine.attempts({ order: 'desc', limit: 1 })[0]?.id ?? 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (;;) {
      const rows = engine.attempts({ afterId: lastId, limit: 500 });
      for (const row of rows) {
        lastId = row.id;
        write(format === 'json' ? jsonLine(row) : textLine(row));
      }
      if (rows.length < 500) return;
    }
  };
  const onAttempt = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      try {
        flush();
      } catch {
        // the store closed under us (shutdown)
      }
    });
  };
  const onReset = () => {
    lastId = 0;
  };
  engine.events.on('attempt:finished', onAttempt);
  engine.events.on('store:reset', onReset);
  return () => {
    engine.events.off('attempt:finished', onAttempt);
    engine.events.off('store:reset', onReset);
    try {
      flush();
    } catch {
      // already closed
    }
  };
}

function jsonLine(row: Parameters<typeof attemptRecord>[0]): string {
  const a = attemptRecord(row);
  return `${JSON.stringify({
    time: a.responseTime ?? a.dispatchTime,
    level: a.outcome === 'success' ? 'info' : 'warn',
    subsystem: 'dispatch',
    queue: a.queue,
    task: a.taskId,
    attempt: a.attempt,
    status: a.status,
    outcome: a.outcome,
    durationMs: a.durationMs,
    method: a.request.method,
    url: a.request.url,
    error: a.error,
    runTask: a.runTask,
  })}\n`;
}

function textLine(row: Parameters<typeof attemptRecord>[0]): string {
  const a = attemptRecord(row);
  const queue = a.queue.split('/').slice(-1)[0];
  const duration = a.durationMs === null ? '' : ` ${a.durationMs.toFixed(1)}ms`;
  const error = a.error ? ` (${a.error})` : '';
  const run = a.runTask ? ' (run now)' : '';
  return `[dispatch] ${a.request.method} ${a.request.url} -> ${a.status ?? '-'} ${a.outcome}${duration}${error}  queue ${queue} task ${a.taskId} attempt ${a.attempt}${run}\n`;
}
