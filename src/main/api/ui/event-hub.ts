import type { Engine } from '../../core/engine';
import type { EngineEvents } from '../../core/events';
import type { QueueSummary, TaskRef, UiUpdate } from '../../../shared/contract';
import { MAX_CHANGED_TASKS, MAX_EVENTS_PER_SECOND } from '../../../shared/contract';

export interface Subscriber {
  send(update: UiUpdate): void;
  /** False while the subscriber cannot take more (a slow WebSocket): its changes keep merging. */
  ready?(): boolean;
}

interface Pending {
  queues: Set<string>;
  tasks: Map<string, TaskRef>;
  truncated: boolean;
  reset: boolean;
  statsDirty: boolean;
}

const TICK_MS = Math.ceil(1000 / MAX_EVENTS_PER_SECOND);
/** Stats are refreshed at least this often while someone listens: due times pass, rates decay. */
const HEARTBEAT_MS = 1000;
/** Stats may use at most this share of the main thread; a big store gets a longer interval. */
const STATS_BUDGET = 0.05;

const newPending = (): Pending => ({ queues: new Set(), tasks: new Map(), truncated: false, reset: false, statsDirty: true });

/**
 * Fans the engine's change events out to UI subscribers, coalesced: at most one update per
 * subscriber per 100 ms (≤ 10/s), whatever the dispatch rate. Queue stats are computed once per
 * tick for all subscribers, and no more often than their cost allows.
 */
export class EventHub {
  private readonly subs = new Map<Subscriber, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private lastStatsAt = 0;
  private statsCostMs = 0;
  private lastSentAt = 0;
  private readonly onQueue = (e: EngineEvents['queue:changed']) => this.record(e.queue);
  private readonly onTask = (e: EngineEvents['task:changed'] | EngineEvents['attempt:finished']) => this.record(e.queue, e.taskId);
  private readonly onReset = () => this.record(undefined, undefined, true);
  private readonly onHealth = () => this.record();

  constructor(
    private readonly engine: Engine,
    private readonly stats: () => QueueSummary[],
  ) {
    engine.events.on('queue:changed', this.onQueue);
    engine.events.on('task:changed', this.onTask);
    engine.events.on('attempt:finished', this.onTask);
    engine.events.on('store:reset', this.onReset);
    engine.health.on('change', this.onHealth);
  }

  close(): void {
    this.engine.events.off('queue:changed', this.onQueue);
    this.engine.events.off('task:changed', this.onTask);
    this.engine.events.off('attempt:finished', this.onTask);
    this.engine.events.off('store:reset', this.onReset);
    this.engine.health.off('change', this.onHealth);
    clearInterval(this.timer);
    this.timer = undefined;
    this.subs.clear();
  }

  get size(): number {
    return this.subs.size;
  }

  subscribe(sub: Subscriber): () => void {
    this.subs.set(sub, newPending());
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref?.();
    }
    // The first update comes at the next tick, with a full snapshot.
    return () => {
      this.subs.delete(sub);
      if (!this.subs.size) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** A change the engine does not announce (a replay, say). */
  touch(queue: string, taskId?: string): void {
    this.record(queue, taskId);
  }

  private record(queue?: string, taskId?: string, reset = false): void {
    for (const p of this.subs.values()) {
      p.statsDirty = true;
      if (reset) {
        p.reset = true;
        continue;
      }
      if (queue) p.queues.add(queue);
      if (queue && taskId && !p.truncated) {
        if (p.tasks.size >= MAX_CHANGED_TASKS) {
          p.truncated = true;
          p.tasks.clear();
        } else p.tasks.set(`${queue}\n${taskId}`, { queue, id: taskId });
      }
    }
  }

  private tick(): void {
    const now = performance.now();
    let anyDirty = false;
    for (const p of this.subs.values()) if (p.statsDirty || p.queues.size || p.reset) anyDirty = true;
    const heartbeat = now - this.lastSentAt >= HEARTBEAT_MS;
    if (!anyDirty && !heartbeat) return;
    const minInterval = Math.max(TICK_MS, this.statsCostMs / STATS_BUDGET);
    if (!heartbeat && now - this.lastStatsAt < minInterval) return;
    let queues: QueueSummary[] | undefined;
    try {
      const t0 = performance.now();
      queues = this.stats();
      this.statsCostMs = performance.now() - t0;
      this.lastStatsAt = now;
    } catch {
      queues = undefined; // the database is closing
    }
    this.lastSentAt = now;
    for (const [sub, p] of this.subs) {
      if (sub.ready && !sub.ready()) continue;
      const update: UiUpdate = {
        seq: ++this.seq,
        atMs: Date.now(),
        queues,
        changedQueues: [...p.queues],
        changedTasks: [...p.tasks.values()],
        tasksTruncated: p.truncated,
        reset: p.reset,
        health: this.engine.health.report(),
      };
      this.subs.set(sub, { ...newPending(), statsDirty: false });
      try {
        sub.send(update);
      } catch {
        /* a subscriber that throws is dropped by its transport */
      }
    }
  }
}
