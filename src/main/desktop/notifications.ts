/**
 * Desktop notifications for tasks that ran out of retries (off by default; the desktop app's
 * View menu turns them on). Plain Node: the Electron entry passes in how to show one, so this is
 * tested without Electron.
 */
import type { Clock } from '../core/clock';
import type { EngineEvents, TypedEmitter } from '../core/events';
import { shortId } from '../core/resource-names';

export interface ExhaustionAlert {
  title: string;
  body: string;
  /** The UI route a click opens: the task when the alert is about one, else its queue. */
  route: string;
}


/**
 * A handler that is down exhausts tasks by the hundred; one notification per task would bury the
 * desktop. Exhaustions are gathered for `windowUs` and shown as one alert per queue.
 */
export class ExhaustionAlerts {
  enabled = false;
  private readonly pending = new Map<string, string[]>();
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly show: (alert: ExhaustionAlert) => void,
    private readonly windowUs = 2_000_000,
  ) {}

  /** Listens to the engine's `attempt:finished` events; returns how to stop. */
  listen(events: TypedEmitter<EngineEvents>): () => void {
    events.on('attempt:finished', this.onAttemptFinished);
    return () => events.off('attempt:finished', this.onAttemptFinished);
  }

  private readonly onAttemptFinished = (attempt: EngineEvents['attempt:finished']): void => {
    if (!this.enabled || attempt.finished !== 'exhausted') return;
    const ids = this.pending.get(attempt.queue) ?? [];
    ids.push(attempt.taskId);
    this.pending.set(attempt.queue, ids);
    this.cancelTimer ??= this.clock.setTimer(() => this.flush(), this.windowUs);
  };

  /** Shows what was gathered now. */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    for (const [queue, ids] of this.pending) {
      if (ids.length === 1) {
        this.show({
          title: 'A task ran out of retries',
          body: `Task ${ids[0]} in queue ${shortId(queue)} will not be tried again.`,
          route: `#/task/${encodeURIComponent(queue)}/${encodeURIComponent(ids[0])}`,
        });
      } else {
        this.show({
          title: `${ids.length} tasks ran out of retries`,
          body: `In queue ${shortId(queue)}; they will not be tried again.`,
          route: `#/queue/${encodeURIComponent(queue)}`,
        });
      }
    }
    this.pending.clear();
  }

  /** Drops what was gathered and stops the timer (the app is quitting). */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.pending.clear();
  }
}
