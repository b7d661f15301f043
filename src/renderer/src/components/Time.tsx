import { absoluteTime, relativeTime } from '../lib/time';
import { useStore } from '../store';

/** A time shown relative to now ("in 5 min"), absolute on hover. `offsetMs`: the queue's clock offset. */
export function Time({ ms, offsetMs = 0, className }: { ms: number | null | undefined; offsetMs?: number; className?: string }) {
  const now = useStore((s) => s.now);
  const zone = useStore((s) => s.prefs.timeZone);
  if (ms === null || ms === undefined) return <span className="muted">—</span>;
  const abs = absoluteTime(ms, zone);
  return (
    <time className={className} dateTime={new Date(ms).toISOString()} title={offsetMs ? `${abs} (queue time, clock +${Math.round(offsetMs / 1000)} s)` : abs}>
      {relativeTime(ms, now + offsetMs)}
    </time>
  );
}
