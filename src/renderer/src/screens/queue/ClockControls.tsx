import { useState } from 'react';
import type { QueueSummary } from '../../../../shared/contract';
import { MAX_ADVANCE_CLOCK_SECONDS } from '../../../../shared/testing-contract';
import { duration, parseDuration } from '../../lib/time';
import { api, refreshQueues, run, toast } from '../../store';

/** Advance a queue's clock by a duration, or to its next due task; or put it back on real time. */
export function ClockControls({ q }: { q: QueueSummary }) {
  const [text, setText] = useState('1h');
  const parsed = parseDuration(text);
  // The server refuses a move beyond its maximum; say so at the field instead.
  const seconds = parsed !== null && parsed > 0 && parsed <= MAX_ADVANCE_CLOCK_SECONDS ? parsed : null;
  const advance = async (s: number) => {
    const r = await run(() => api().call('advanceClock', { queue: q.name, seconds: s }));
    if (r) toast(`${q.id}: clock moved forward ${duration(s * 1000)}`);
    await refreshQueues();
  };
  const resetClock = async () => {
    const r = await run(() => api().call('resetClock', { queue: q.name }));
    if (r) toast(`${q.id}: back on real time`);
    await refreshQueues();
  };
  return (
    <section className="clock" aria-labelledby="clock-title">
      <h2 id="clock-title" className="small-title">
        Clock
      </h2>
      <div className="clock-now">
        {q.clockOffsetMs > 0 ? (
          <>
            <span className="virtual-pill" title="Tasks in this queue run on this virtual time">
              virtual time +{duration(q.clockOffsetMs)}
            </span>{' '}
            <button type="button" className="btn small" onClick={resetClock} title="Tasks keep their schedule times: what the moved clock made due waits again">
              Back to real time
            </button>
          </>
        ) : (
          <span className="muted">real time</span>
        )}
      </div>
      <form
        className="clock-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (seconds) void advance(seconds);
        }}
      >
        <label className="inline-field">
          <span>Advance by</span>
          <input
            aria-label="Advance clock by"
            value={text}
            onChange={(e) => setText(e.target.value)}
            size={6}
            aria-invalid={seconds === null}
            title={`Up to ${MAX_ADVANCE_CLOCK_SECONDS / 86400} days`}
          />
        </label>
        <button type="submit" className="btn small" disabled={seconds === null}>
          Advance clock
        </button>
        {[
          ['+1 min', 60],
          ['+1 h', 3600],
          ['+1 day', 86400],
        ].map(([label, s]) => (
          <button key={label} type="button" className="btn small" aria-label={`Advance clock ${label}`} onClick={() => advance(s as number)}>
            {label}
          </button>
        ))}
        <button
          type="button"
          className="btn small primary"
          onClick={async () => {
            const r = await run(() => api().call('advanceToNextDue', { name: q.name }));
            if (r) toast(r.nextDueMs === null ? 'No task is scheduled' : r.advancedMs ? `Jumped ${duration(r.advancedMs)} to the next due task` : 'A task is already due');
            await refreshQueues();
          }}
        >
          Jump to next due task
        </button>
      </form>
    </section>
  );
}
