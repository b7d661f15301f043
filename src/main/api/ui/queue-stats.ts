import type { Engine } from '../../core/engine';
import type { QueueRow } from '../../core/store/queue-store';
import type { QueueSummary, TaskState, WaitReason } from '../../../shared/contract';
import { rateLimitsOf, retrySettingsOf, usToMs } from './convert';

const WINDOW_SLOTS = 50;
const SLOT_MS = 100;

/** Attempts finished per second over the last 5 s, in 100 ms slots (real time). */
class RateMeter {
  private readonly slots = new Float64Array(WINDOW_SLOTS);
  private slotAt = 0;

  private roll(now: number): void {
    const slot = Math.floor(now / SLOT_MS);
    if (slot - this.slotAt >= WINDOW_SLOTS) this.slots.fill(0);
    else for (let s = this.slotAt + 1; s <= slot; s++) this.slots[s % WINDOW_SLOTS] = 0;
    this.slotAt = Math.max(this.slotAt, slot);
  }

  add(n = 1): void {
    const now = performance.now();
    this.roll(now);
    this.slots[this.slotAt % WINDOW_SLOTS] += n;
  }

  rate(): number {
    const now = performance.now();
    this.roll(now);
    let sum = 0;
    for (const v of this.slots) sum += v;
    return sum / ((WINDOW_SLOTS * SLOT_MS) / 1000);
  }
}

export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 60_000) return `${+(a / 1000).toFixed(1)} s`;
  if (a < 3_600_000) return `${Math.round(a / 60_000)} min`;
  if (a < 86_400_000) return `${+(a / 3_600_000).toFixed(1)} h`;
  return `${+(a / 86_400_000).toFixed(1)} d`;
}

/**
 * Per-queue numbers for the overview. Live counts come from the store (index-only COUNTs);
 * finished counts are kept incrementally from finished_tasks' rowids; dispatch rates come from
 * the engine's attempt events.
 */
export class QueueStats {
  private readonly rates = new Map<string, RateMeter>();
  private finished = new Map<string, { succeeded: number; exhausted: number }>();
  private watermark = 0;
  private lowId: number | null = null;
  private readonly onAttempt = (e: { queue: string }) => this.meter(e.queue).add();
  private readonly onReset = () => {
    this.rates.clear();
    this.finished.clear();
    this.watermark = 0;
    this.lowId = null;
  };

  constructor(private readonly engine: Engine) {
    engine.events.on('attempt:finished', this.onAttempt);
    engine.events.on('store:reset', this.onReset);
  }

  close(): void {
    this.engine.events.off('attempt:finished', this.onAttempt);
    this.engine.events.off('store:reset', this.onReset);
  }

  private meter(queue: string): RateMeter {
    let m = this.rates.get(queue);
    if (!m) this.rates.set(queue, (m = new RateMeter()));
    return m;
  }

  private refreshFinished(): void {
    const { lo, hi } = this.engine.reads.finishedBounds();
    const swept = hi === null || hi < this.watermark || (this.lowId !== null && lo !== null && lo > this.lowId);
    if (swept) {
      this.finished = new Map();
      this.watermark = 0;
    }
    this.lowId = lo;
    if (hi === null || hi === this.watermark) return;
    for (const r of this.engine.reads.finishedCountsSince(this.watermark)) {
      let c = this.finished.get(r.queue);
      if (!c) this.finished.set(r.queue, (c = { succeeded: 0, exhausted: 0 }));
      if (r.outcome === 'succeeded' || r.outcome === 'exhausted') c[r.outcome] += r.n;
    }
    this.watermark = hi;
  }

  all(): QueueSummary[] {
    this.refreshFinished();
    return this.engine.queueRows().map((row) => this.summarize(row));
  }

  one(name: string): QueueSummary | undefined {
    const row = this.engine.queueRow(name);
    if (!row) return undefined;
    this.refreshFinished();
    return this.summarize(row);
  }

  private summarize(row: QueueRow): QueueSummary {
    const engine = this.engine;
    const nowUs = engine.queueNowUs(row.name);
    const fin = this.finished.get(row.name) ?? { succeeded: 0, exhausted: 0 };
    const counts: Record<TaskState, number> = { ...engine.reads.countsByState(row.name, nowUs), succeeded: fin.succeeded, exhausted: fin.exhausted };
    const rt = engine.runtime(row.name) ?? { inFlight: 0, tokens: row.config.rateLimits.maxBurstSize };
    const min = engine.nextDueUs(row.name);
    const oldestDueAgeMs = min !== null && min <= nowUs ? usToMs(nowUs - min) : null;
    const nextDueMs = min !== null && min > nowUs ? usToMs(min) : null;
    const rl = row.config.rateLimits;
    const { why, whyText } = queueWhy(row, counts, rt, nowUs, nextDueMs);
    return {
      name: row.name,
      id: row.name.slice(row.name.lastIndexOf('/') + 1),
      project: row.project,
      location: row.location,
      state: row.state,
      rateLimits: rateLimitsOf(row.config),
      retry: retrySettingsOf(row.config),
      counts,
      dispatchRate: this.rates.get(row.name)?.rate() ?? 0,
      inFlight: rt.inFlight,
      tokens: Math.min(rt.tokens, rl.maxBurstSize),
      oldestDueAgeMs,
      nextDueMs,
      clockOffsetMs: usToMs(row.clockOffsetUs),
      nowMs: usToMs(nowUs),
      why,
      whyText,
    };
  }
}

function queueWhy(
  row: QueueRow,
  counts: Record<TaskState, number>,
  rt: { inFlight: number; tokens: number },
  nowUs: number,
  nextDueMs: number | null,
): { why: WaitReason; whyText: string } {
  const rl = row.config.rateLimits;
  const waiting = counts.due + counts.scheduled + counts.backing_off;
  if (row.state !== 'RUNNING') {
    return { why: 'paused', whyText: waiting ? `Paused: ${waiting} task${waiting === 1 ? '' : 's'} wait for Resume.` : 'Paused.' };
  }
  if (counts.due > 0) {
    if (rt.inFlight >= rl.maxConcurrentDispatches) {
      return { why: 'concurrency_limited', whyText: `Concurrency limited: ${rt.inFlight} of ${rl.maxConcurrentDispatches} in flight; ${counts.due} due tasks wait for a slot.` };
    }
    if (rt.tokens < 1) {
      return {
        why: 'rate_limited',
        whyText: `Rate limited: ${rt.tokens.toFixed(2)} tokens in the bucket (max ${rl.maxBurstSize}), refilling at ${rl.maxDispatchesPerSecond}/s; ${counts.due} due.`,
      };
    }
    return { why: 'ready', whyText: `${counts.due} due, dispatching.` };
  }
  if (counts.dispatching > 0) return { why: 'dispatching', whyText: `${counts.dispatching} in flight.` };
  if (nextDueMs !== null) {
    const inText = formatDuration(nextDueMs - usToMs(nowUs));
    if (counts.scheduled === 0) return { why: 'backing_off', whyText: `Backing off: next retry in ${inText}.` };
    return { why: 'scheduled', whyText: `Nothing due; next task in ${inText}.` };
  }
  return { why: 'idle', whyText: 'Idle: no tasks.' };
}
