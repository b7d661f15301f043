import type { Clock } from './clock';
import type { Dispatcher } from './dispatch/dispatcher';
import { Messages, alreadyExists, failedPrecondition, invalidArgument, notFound } from './errors';
import type { EngineEventBus } from './events';
import { decodePageToken, encodePageToken, pageSizeOf } from './page-token';
import type { ProtoObject } from './protos';
import { fromUs } from './proto-time';
import { appEngineHost, mergeQueueConfig, type QueueConfig } from './queue-config';
import { parseQueueFilter } from './queue-filter';
import { parseLocationName, parseQueueName, type QueueName } from './resource-names';
import type { EngineSettings } from './settings';
import type { QueueRow, QueueStore } from './store/queue-store';
import type { TaskStore } from './store/task-store';
import type { WriteBatcher } from './store/write-batcher';

const MAX_QUEUE_PAGE = 9800;

/** What a queue operation works with: the stores, the write batcher and the dispatcher it tells. */
export interface QueueOperationParts {
  queues: QueueStore;
  tasks: TaskStore;
  writes: WriteBatcher;
  dispatcher: Dispatcher;
  events: EngineEventBus;
  clock: Clock;
  settings: EngineSettings;
}

/** A queue as CreateQueue (or UpdateQueue's upsert) stores it: running, no purge, no policy, real time. */
function newQueueRow(name: QueueName, config: QueueConfig, nowUs: number): QueueRow {
  return {
    name: name.full, project: name.project, location: name.location, state: 'RUNNING', config,
    purgeTimeUs: null, iamPolicy: null, createTimeUs: nowUs, updateTimeUs: nowUs, clockOffsetUs: 0,
  };
}

/**
 * Cloud Tasks' queue operations (CreateQueue, UpdateQueue, Pause/Resume, Purge, Delete, List/Get)
 * and the queue's moved clock, over the store; each write goes through the batcher and tells the
 * dispatcher and the event bus what changed.
 */
export class QueueOperations {
  private readonly queues: QueueStore;
  private readonly tasks: TaskStore;
  private readonly writes: WriteBatcher;
  private readonly dispatcher: Dispatcher;
  private readonly events: EngineEventBus;
  private readonly clock: Clock;
  private readonly settings: EngineSettings;

  constructor(parts: QueueOperationParts) {
    ({ queues: this.queues, tasks: this.tasks, writes: this.writes, dispatcher: this.dispatcher, events: this.events, clock: this.clock, settings: this.settings } = parts);
  }

  requireQueue(name: string, message: string = Messages.queueMissing): QueueRow {
    const row = this.queues.get(name);
    if (!row) throw notFound(message);
    return row;
  }

  queueView(row: QueueRow): ProtoObject {
    const q: ProtoObject = { name: row.name, ...structuredClone(row.config), state: row.state };
    delete q.liftLimits;
    if (row.config.appEngineRoutingOverride) {
      q.appEngineRoutingOverride = { ...row.config.appEngineRoutingOverride, host: appEngineHost(row.project, row.config.appEngineRoutingOverride) };
    }
    if (row.purgeTimeUs) q.purgeTime = fromUs(row.purgeTimeUs);
    return q;
  }

  listQueues(parent: string, filter: string | undefined, pageSize: number | undefined, pageToken: string | undefined) {
    const { project, location } = parseLocationName(parent);
    const predicate = parseQueueFilter(filter);
    const size = pageSizeOf(pageSize, MAX_QUEUE_PAGE);
    const now = this.clock.nowUs();
    const after = pageToken ? String(decodePageToken(pageToken, filter ?? '', now)[0]) : '';
    const matching = this.queues.listInLocation(project, location, after).filter((q) => predicate(q));
    const page = matching.slice(0, size);
    const more = matching.length > size;
    return {
      queues: page.map((q) => this.queueView(q)),
      nextPageToken: more ? encodePageToken([page[page.length - 1].name], filter ?? '', now + this.settings.pageTokenTtlMs * 1000) : '',
    };
  }

  getQueue(name: string): ProtoObject {
    parseQueueName(name);
    return this.queueView(this.requireQueue(name));
  }

  private checkNotRecentlyDeleted(name: string, now: number): void {
    const deletedUs = this.queues.deletedAt(name);
    if (deletedUs === undefined) return;
    if (now - deletedUs < this.settings.queueTombstoneTtlMs * 1000) throw failedPrecondition(Messages.queueTooRecent);
    this.queues.forgetDeleted(name);
  }

  async createQueue(parent: string, queue: ProtoObject, burstSettable = false): Promise<ProtoObject> {
    const loc = parseLocationName(parent);
    if (!queue?.name) throw invalidArgument('Queue.name is required.');
    const name = parseQueueName(queue.name);
    if (name.project !== loc.project || name.location !== loc.location) {
      throw invalidArgument(`Queue.name "${queue.name}" must be in the parent "${parent}".`);
    }
    const config = mergeQueueConfig(undefined, queue, null, this.settings, burstSettable);
    return this.writes.run(() => {
      const now = this.clock.nowUs();
      if (this.queues.get(name.full)) throw alreadyExists(Messages.queueExists);
      this.checkNotRecentlyDeleted(name.full, now);
      const row = newQueueRow(name, config, now);
      this.queues.put(row);
      this.dispatcher.refreshQueue(row.name);
      this.events.announce('queue:changed', { queue: row.name });
      return this.queueView(row);
    });
  }

  /** An upsert, as in production: a missing queue is created. `maskPaths` are camelCase. */
  async updateQueue(queue: ProtoObject, maskPaths: string[] | null, burstSettable = false): Promise<ProtoObject> {
    if (!queue?.name) throw invalidArgument('Queue.name is required.');
    const name = parseQueueName(queue.name);
    const existing = this.queues.get(name.full);
    // Validate before queuing the write so bad input never reaches the store.
    mergeQueueConfig(existing?.config, queue, maskPaths, this.settings, burstSettable);
    return this.writes.run(() => {
      const now = this.clock.nowUs();
      const current = this.queues.get(name.full);
      if (!current) {
        this.checkNotRecentlyDeleted(name.full, now);
        const row = newQueueRow(name, mergeQueueConfig(undefined, queue, null, this.settings, burstSettable), now);
        this.queues.put(row);
        this.dispatcher.refreshQueue(row.name);
        this.events.announce('queue:changed', { queue: row.name });
        return this.queueView(row);
      }
      const config = mergeQueueConfig(current.config, queue, maskPaths, this.settings, burstSettable);
      const row = { ...current, config, updateTimeUs: now };
      this.queues.put(row);
      this.dispatcher.refreshQueue(row.name);
      this.events.announce('queue:changed', { queue: row.name });
      return this.queueView(row);
    });
  }

  async deleteQueue(name: string): Promise<void> {
    parseQueueName(name);
    await this.writes.run(() => {
      this.requireQueue(name, Messages.entityMissing);
      this.tasks.deleteAllIn(name);
      this.queues.delete(name, this.clock.nowUs());
      this.dispatcher.refreshQueue(name);
      this.events.announce('queue:changed', { queue: name });
    });
  }

  async purgeQueue(name: string): Promise<ProtoObject> {
    parseQueueName(name);
    return this.writes.run(() => {
      this.requireQueue(name);
      const now = this.clock.nowUs();
      this.tasks.purge(name, now, now + this.settings.taskTombstoneTtlMs * 1000);
      this.events.announce('queue:changed', { queue: name });
      this.queues.setPurgeTime(name, now);
      return this.queueView(this.requireQueue(name));
    });
  }

  async setQueueState(name: string, state: 'RUNNING' | 'PAUSED'): Promise<ProtoObject> {
    parseQueueName(name);
    return this.writes.run(() => {
      this.requireQueue(name);
      this.queues.setState(name, state, this.clock.nowUs());
      this.dispatcher.refreshQueue(name);
      this.events.announce('queue:changed', { queue: name });
      return this.queueView(this.requireQueue(name));
    });
  }

  /** Moves a queue's clock forward: everything due within `byUs` (retries included) becomes due now. */
  async advanceQueueClock(name: string, byUs: number): Promise<ProtoObject> {
    parseQueueName(name);
    if (!(byUs > 0)) throw invalidArgument('The clock can only move forward by a positive duration.');
    return this.writes.run(() => {
      this.requireQueue(name);
      this.queues.advanceClock(name, byUs);
      this.dispatcher.refreshQueue(name);
      this.events.announce('queue:changed', { queue: name });
      return this.queueView(this.requireQueue(name));
    });
  }
}
