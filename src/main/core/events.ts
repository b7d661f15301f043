import type { FinishOutcome } from './store/history-store';

/**
 * What the engine announces, by event name. Every event is emitted after the change it reports
 * is committed (on the turn after its group commit), in the order the changes were made.
 */
export interface EngineEvents {
  /** A queue was created, updated, paused, resumed, purged or deleted, or its clock moved. */
  'queue:changed': { queue: string };
  /** A task was created or deleted, or an attempt of it went out. */
  'task:changed': { queue: string; taskId: string };
  /** An attempt's outcome was recorded; `finished` says how the task ended with it, when it did. */
  'attempt:finished': { queue: string; taskId: string; outcome: string; finished?: FinishOutcome };
  /** Every queue, task, reserved name and all history were deleted. */
  'store:reset': Record<string, never>;
}

export type EngineEventName = keyof EngineEvents;

/** Every event name, for listeners that react to any change (the UI's event hub, wait-until-idle). */
export const ENGINE_EVENT_NAMES: readonly EngineEventName[] = ['queue:changed', 'task:changed', 'attempt:finished', 'store:reset'];

type Listener<T> = (payload: T) => void;

/**
 * A minimal typed emitter. Listeners are kept in arrays replaced on every change, so a listener
 * may add or remove listeners while an event is being delivered (the current delivery is unaffected).
 */
export class TypedEmitter<Events extends { [K in keyof Events]: object }> {
  private readonly listeners = new Map<keyof Events, Array<Listener<never>>>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener as Listener<never>]);
  }

  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    const list = this.listeners.get(name);
    if (!list) return;
    const i = list.indexOf(listener as Listener<never>);
    if (i < 0) return;
    this.listeners.set(name, [...list.slice(0, i), ...list.slice(i + 1)]);
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const list = this.listeners.get(name) as Array<Listener<Events[K]>> | undefined;
    if (list) for (const listener of list) listener(payload);
  }

  listenerCount(name: keyof Events): number {
    return this.listeners.get(name)?.length ?? 0;
  }
}

/**
 * The engine's events. Parts of the engine `announce` a change while making it (inside a group
 * commit); listeners hear of it on the next turn, when the commit has run (write-batcher.ts
 * flushes synchronously, so the next turn sees it committed).
 */
export class EngineEventBus extends TypedEmitter<EngineEvents> {
  private pending: Array<{ [K in EngineEventName]: [K, EngineEvents[K]] }[EngineEventName]> = [];

  announce<K extends EngineEventName>(name: K, payload: EngineEvents[K]): void {
    this.pending.push([name, payload] as { [N in EngineEventName]: [N, EngineEvents[N]] }[EngineEventName]);
    if (this.pending.length > 1) return;
    setImmediate(() => {
      const due = this.pending;
      this.pending = [];
      for (const [event, data] of due) this.emit(event, data as never);
    });
  }

  /** Listens to every event; returns how to stop. */
  onAny(listener: () => void): () => void {
    for (const name of ENGINE_EVENT_NAMES) this.on(name, listener);
    return () => {
      for (const name of ENGINE_EVENT_NAMES) this.off(name, listener);
    };
  }
}
