import { useEffect, useMemo, useRef, useState } from 'react';
import { useCommand } from '../../hooks/useCommand';
import { absoluteTime, duration } from '../../lib/time';
import { navigate, useStore } from '../../store';

const ZOOMS = [
  { label: '5 min', ms: 5 * 60_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '6 h', ms: 6 * 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
];

const LANES = { future: 34, attempts: 84, backoff: 124 } as const;
const HEIGHT = 160;
const PAD_L = 86;
const PAD_R = 16;

function ticks(from: number, to: number, count: number): number[] {
  const span = to - from;
  const steps = [1000, 5000, 15000, 60_000, 300_000, 900_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];
  const step = steps.find((s) => span / s <= count) ?? steps[steps.length - 1];
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

function tickLabel(t: number, span: number): string {
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (span > 2 * 86_400_000) return `${d.getMonth() + 1}/${d.getDate()} ${pad(d.getHours())}:00`;
  if (span > 10 * 60_000) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The scheduled-tasks timeline of one queue: a zoomable axis in queue time with a
 * "now" line; future tasks as marks, past attempts as ticks coloured by status, backoff windows
 * shaded. Clicking a mark opens the task.
 */
export function Timeline({ queue }: { queue: string }) {
  const q = useStore((s) => s.queues.find((x) => x.name === queue));
  const now = useStore((s) => s.now);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState(0);
  const [width, setWidth] = useState(900);
  const box = useRef<HTMLDivElement>(null);
  const offset = q?.clockOffsetMs ?? 0;
  const span = ZOOMS[zoom].ms;
  const qnow = now + offset;
  // Window: a quarter in the past, three quarters ahead; panning moves it by half a span.
  const grain = Math.max(1000, span / 120); // the window moves in steps: fewer refetches
  const fromMs = Math.floor((qnow - span * 0.25 + pan * span * 0.5) / grain) * grain;
  const toMs = fromMs + span;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(320, el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Refetched on changes and as time moves (every few seconds at most via `fromMs` rounding).
  const { data } = useCommand('timeline', { queue, fromMs, toMs, limit: 2000 }, { watch: { queue }, delayMs: 150 });

  const x = (t: number) => PAD_L + ((t - fromMs) / (toMs - fromMs)) * (width - PAD_L - PAD_R);
  const axis = useMemo(() => ticks(fromMs, toMs, Math.max(3, Math.floor(width / 110))), [fromMs, toMs, width]);
  const nowX = x(qnow);

  return (
    <section className="timeline" aria-labelledby="timeline-title">
      <div className="section-head">
        <h2 id="timeline-title">Timeline</h2>
        <div className="toolbar" role="group" aria-label="Timeline zoom">
          {ZOOMS.map((z, i) => (
            <button key={z.label} type="button" className={i === zoom ? 'btn small active' : 'btn small'} aria-pressed={i === zoom} onClick={() => setZoom(i)}>
              {z.label}
            </button>
          ))}
          <button type="button" className="btn small" aria-label="Earlier" onClick={() => setPan((p) => p - 1)}>
            ◀
          </button>
          <button type="button" className="btn small" aria-label="Back to now" onClick={() => setPan(0)} disabled={pan === 0}>
            Now
          </button>
          <button type="button" className="btn small" aria-label="Later" onClick={() => setPan((p) => p + 1)}>
            ▶
          </button>
        </div>
      </div>
      <div className="timeline-box" ref={box}>
        <svg width={width} height={HEIGHT} role="img" aria-label={`Timeline of ${data?.futureTotal ?? 0} scheduled tasks and ${data?.attempts.length ?? 0} attempts`}>
          {axis.map((t) => (
            <g key={t}>
              <line x1={x(t)} x2={x(t)} y1={14} y2={HEIGHT - 18} className="grid" />
              <text x={x(t)} y={HEIGHT - 4} className="axis-label" textAnchor="middle">
                {tickLabel(t, span)}
              </text>
            </g>
          ))}
          <text x={8} y={LANES.future + 4} className="lane-label">Scheduled</text>
          <text x={8} y={LANES.attempts + 4} className="lane-label">Attempts</text>
          <text x={8} y={LANES.backoff + 4} className="lane-label">Backoff</text>
          {data?.backoff.map((b, i) => {
            const x1 = Math.max(PAD_L, x(b.fromMs));
            const x2 = Math.min(width - PAD_R, x(b.toMs));
            if (x2 < PAD_L || x1 > width - PAD_R) return null;
            return (
              <rect
                key={`b${i}`}
                x={x1}
                y={LANES.backoff - 8}
                width={Math.max(2, x2 - x1)}
                height={16}
                rx={3}
                className="backoff"
                onClick={() => navigate({ screen: 'task', queue, id: b.id })}
              >
                <title>{`${b.id}: backing off ${duration(b.toMs - b.fromMs)}, until ${absoluteTime(b.toMs)}`}</title>
              </rect>
            );
          })}
          {data?.buckets
            ? data.buckets.map((n, i) => {
                if (!n) return null;
                const max = Math.max(...data.buckets!);
                const w = (width - PAD_L - PAD_R) / data.buckets!.length;
                const h = Math.max(2, (n / max) * 26);
                return (
                  <rect key={`d${i}`} x={PAD_L + i * w} y={LANES.future + 13 - h} width={Math.max(1, w - 1)} height={h} className="density">
                    <title>{`${n} tasks`}</title>
                  </rect>
                );
              })
            : data?.future.map((f) => (
                <a
                  key={`f${f.id}`}
                  href={`#/task/${encodeURIComponent(queue)}/${encodeURIComponent(f.id)}`}
                  aria-label={`Task ${f.id}, ${f.state.replace('_', ' ')} at ${absoluteTime(f.atMs)}`}
                >
                  <circle cx={x(f.atMs)} cy={LANES.future} r={5} className={`mark mark-${f.state}`}>
                    <title>{`${f.id}\n${f.state.replace('_', ' ')} · ${absoluteTime(f.atMs)}`}</title>
                  </circle>
                </a>
              ))}
          {data?.attempts.map((a) => (
            <a key={`a${a.attemptId}`} href={`#/task/${encodeURIComponent(queue)}/${encodeURIComponent(a.id)}`} aria-label={`Attempt of ${a.id}: ${a.status ?? 'no answer'}`}>
              <rect x={x(a.atMs) - 1.5} y={LANES.attempts - 10} width={3} height={20} className={`tick status-${a.statusClass}`}>
                <title>{`${a.id}\n${a.status ?? 'no answer'} · ${absoluteTime(a.atMs)}`}</title>
              </rect>
            </a>
          ))}
          {nowX >= PAD_L && nowX <= width - PAD_R && (
            <g className="now">
              <line x1={nowX} x2={nowX} y1={6} y2={HEIGHT - 18} />
              <text x={nowX + 4} y={12}>
                {offset ? `now (+${duration(offset)})` : 'now'}
              </text>
            </g>
          )}
        </svg>
      </div>
      <p className="muted small">
        {data ? `${data.futureTotal.toLocaleString()} scheduled in view` : '…'}
        {data?.buckets ? ' (density shown; zoom in for single tasks)' : ''} · {data?.attempts.length ?? 0} attempts · {data?.backoff.length ?? 0} backoff windows
        {offset ? ' · times are this queue’s virtual time' : ''}
      </p>
    </section>
  );
}
