import type { Dispatcher } from './dispatch/dispatcher';
import type { EngineEventBus } from './events';
import { notFound } from './errors';
import { parseQueueName } from './resource-names';
import { clearAll, type Db } from './store/database';
import type { QueueStore } from './store/queue-store';
import type { TaskReads } from './store/task-reads';
import type { TaskStore } from './store/task-store';
import type { WriteBatcher } from './store/write-batcher';

/** What test support reaches into: the store, the dispatcher's in-memory state and the events. */
export interface TestSupportParts {
  db: Db;
  queues: QueueStore;
  tasks: TaskStore;
  reads: TaskReads;
  writes: WriteBatcher;
  dispatcher: Dispatcher;
  events: EngineEventBus;
}

/**
 * What tests of an app need from the engine beyond the Cloud Tasks API: start over, release
 * reserved names, and wait until dispatch has nothing left to do now (idle) or at all (empty).
 * Waiting uses real time: it waits on I/O.
 */
export class TestSupport {
  private baseline: (() => Promise<void>) | undefined;

  constructor(private readonly parts: TestSupportParts) {}

  /**
   * What reset builds again after wiping everything: the queues of the config file Tasklight was
   * started with, so a test suite that resets between tests keeps the queues it was promised.
   */
  setResetBaseline(restore: (() => Promise<void>) | undefined): void {
    this.baseline = restore;
  }

  /**
   * Deletes every queue, task, reserved name and all history (attempts in flight are ignored),
   * then restores the baseline; resolves once both are done.
   */
  async reset(): Promise<void> {
    const { db, queues, dispatcher, events } = this.parts;
    await this.parts.writes.run(() => {
      clearAll(db);
      queues.clearCache();
      dispatcher.forgetQueues();
      events.announce('store:reset', {});
    });
    await this.baseline?.();
  }

  /**
   * Puts a queue's clock back on real time. Tasks keep their schedule times, so what the moved
   * clock had made due waits for its time again.
   */
  async resetQueueClock(name: string): Promise<void> {
    parseQueueName(name);
    const { queues, dispatcher, events } = this.parts;
    await this.parts.writes.run(() => {
      const row = queues.get(name);
      if (!row) throw notFound(`Queue ${name} does not exist.`);
      if (row.clockOffsetUs === 0) return;
      // The store keeps the offset as the sum of every move: moving back by it leaves 0.
      queues.advanceClock(name, -row.clockOffsetUs);
      dispatcher.refreshQueue(name);
      events.announce('queue:changed', { queue: name });
    });
  }

  /** Releases task names reserved by de-duplication (all queues, or one) and deleted queue names. */
  async forgetReservedNames(queue?: string): Promise<number> {
    if (queue) parseQueueName(queue);
    const { tasks, queues } = this.parts;
    return this.parts.writes.run(() => {
      if (queue) return tasks.forgetNames(queue);
      return tasks.forgetNames() + queues.forgetAllDeleted();
    });
  }

  /**
   * Idle: nothing in flight, no outcome waiting to be recorded, and no task due now in a running
   * queue (tasks scheduled for later and tasks in paused queues do not count).
   */
  isIdle(queue?: string): boolean {
    const { queues, tasks, dispatcher } = this.parts;
    const names = queue ? [queue] : queues.all().map((q) => q.name);
    for (const name of names) {
      const row = queues.get(name);
      if (!row) continue;
      if (dispatcher.busy(name)) return false;
      if (row.state !== 'RUNNING') continue;
      if (tasks.hasDue(name, dispatcher.queueNowUs(name))) return false;
    }
    return true;
  }

  /** Resolves true once idle (see isIdle), false when `timeoutMs` passes first. */
  waitUntilIdle(queue: string | undefined, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (value: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        stopListening();
        resolve(value);
      };
      const check = () => {
        if (this.isIdle(queue)) finish(true);
      };
      const timer = setTimeout(() => finish(this.isIdle(queue)), timeoutMs);
      // Changes wake it at once; the poll catches tasks that merely became due.
      const poll = setInterval(check, 25);
      const stopListening = this.parts.events.onAny(check);
      setImmediate(check);
    });
  }

  /**
   * Idle and no live task left (every task succeeded, exhausted its retries or was deleted): what a
   * test wants after tasks that fail and retry. Backoffs are waited out in real time; queues with
   * long backoffs need advance-clock, and a paused queue with tasks never empties (timeout).
   */
  async waitUntilEmpty(queue: string | undefined, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const empty = () => !this.parts.reads.hasTasks(queue);
    for (;;) {
      const idle = await this.waitUntilIdle(queue, Math.max(0, deadline - Date.now()));
      if (idle && empty()) return true;
      if (Date.now() >= deadline) return false;
      // Something is backing off or scheduled: wake on the next change, or poll.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stopListening();
          resolve();
        };
        const timer = setTimeout(done, Math.min(25, Math.max(0, deadline - Date.now())));
        const stopListening = this.parts.events.onAny(done);
      });
    }
  }
}
