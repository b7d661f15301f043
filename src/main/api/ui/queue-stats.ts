import type { Engine } from '../../core/engine';
import { shortId } from '../../core/resource-names';
import type { QueueRow } from '../../core/store/queue-store';
import type { QueueSummary, TaskState } from '../../../shared/contract';
import { rateLimitsOf, retrySettingsOf, usToMs } from './views';
import { queueWhy } from './wait-reason';

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
      id: shortId(row.name),
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
