import type { Clock } from './clock';
import { EngineEventBus } from './events';
import { QueueIam } from './iam';
import { Locations } from './locations';
import { TestSupport } from './test-support';
import { Messages, alreadyExists, failedPrecondition, invalidArgument, notFound } from './errors';
import { decodePageToken, encodePageToken, pageSizeOf } from './page-token';
import { decodeMessage, type ProtoObject } from './protos';
import { fromUs } from './proto-time';
import { appEngineHost, mergeQueueConfig } from './queue-config';
import { parseQueueFilter } from './queue-filter';
import {
  parseLocationName,
  parseQueueName,
  parseTaskName,
  taskName,
} from './resource-names';
import type { EngineSettings } from './settings';
import { closeDatabase, isExclusive, openDatabase, startupFailure, type Db, type OpenOptions } from './store/database';
import { QueueStore, type QueueRow } from './store/queue-store';
import { TaskStore, type TaskRow } from './store/task-store';
import { WriteBatcher } from './store/write-batcher';
import { WriteFault } from './store/write-fault';
import { StoreHealth } from './store-health';
import { DispatchStore } from './store/dispatch-store';
import { TaskReads } from './store/task-reads';
import { HistoryStore, type AttemptFilter, type AttemptRow } from './store/history-store';
import { Checkpointer } from './store/checkpointer';
import { Dispatcher } from './dispatch/dispatcher';
import { loadOrCreateSigningKey } from './oidc/signing-key';
import { TokenIssuer } from './oidc/token-issuer';
import { PAYLOAD_TYPE, validateTaskRequest } from './task-request';
import { TaskIdGenerator } from './task-id-generator';

export type TaskView = 'BASIC' | 'FULL';

const MAX_QUEUE_PAGE = 9800;
const MAX_TASK_PAGE = 1000;

function viewOf(view: string | undefined): TaskView {
  return view === 'FULL' ? 'FULL' : 'BASIC';
}

/**
 * Cloud Tasks' queue and task operations over the durable store
 * (https://cloud.google.com/tasks/docs/reference/rpc/google.cloud.tasks.v2). The API layer uses
 * its methods, `reads` (the UI's named reads), `events`, `tokens`, `clock` and `settings`; the stores
 * and the dispatcher are public only for the engine's own tests.
 */
export class Engine {
  /** @internal The engine's parts; for its own tests, not for the API layer. */
  readonly queues: QueueStore;
  /** @internal */
  readonly tasks: TaskStore;
  /** @internal */
  readonly history: HistoryStore;
  /** @internal */
  readonly dispatcher: Dispatcher;
  readonly tokens: TokenIssuer;
  /** The reads behind the UI and the test helpers (counts, task table, timeline, attempts). */
  readonly reads: TaskReads;
  private readonly dispatchStore: DispatchStore;
  private readonly iam: QueueIam;
  private readonly locations: Locations;
  private readonly testSupport: TestSupport;
  private readonly writes: WriteBatcher;
  private readonly taskIds: TaskIdGenerator;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly checkpointer: Checkpointer | undefined;
  /** What changed, after it is committed (core/events.ts). */
  readonly events = new EngineEventBus();
  /** Whether the store takes writes (a full disk degrades it); /healthz and the UI report it. */
  readonly health: StoreHealth;
  /** @internal The tests' full-disk switch at the store's write boundary. */
  readonly writeFault = new WriteFault();

  constructor(
    private readonly db: Db,
    readonly clock: Clock,
    readonly settings: EngineSettings,
    dataDir: string | null = null,
    options: OpenOptions = {},
  ) {
    this.health = new StoreHealth(dataDir, clock);
    this.queues = new QueueStore(db);
    this.tasks = new TaskStore(db);
    this.history = new HistoryStore(db);
    this.reads = new TaskReads(db);
    this.dispatchStore = new DispatchStore(db, this.writeFault);
    this.writes = new WriteBatcher(db, undefined, { health: this.health, fault: this.writeFault });
    this.health.probe = () => this.writes.probe();
    // Opened on a disk that refused a write: degraded from the start, serving reads.
    if (startupFailure(db) !== undefined) this.health.writeFailed(startupFailure(db));
    this.taskIds = new TaskIdGenerator(clock);
    this.iam = new QueueIam(this.queues, this.writes);
    this.locations = new Locations(this.queues, this.writes);
    this.tokens = new TokenIssuer(loadOrCreateSigningKey(dataDir), clock);
    this.dispatcher = new Dispatcher(this.dispatchStore, this.queues, this.history, this.writes, clock, settings, this.tokens, this.events, this.health);
    this.testSupport = new TestSupport({
      db, queues: this.queues, tasks: this.tasks, reads: this.reads, writes: this.writes, dispatcher: this.dispatcher, events: this.events,
    });
    // A store opened in exclusive mode (a full disk at start, database.ts) checkpoints by itself.
    this.checkpointer = db.memory || isExclusive(db) ? undefined : new Checkpointer(db.name, { nativeBinding: options.nativeBinding });
    this.dispatcher.loadQueues();
    // Expired name reservations are only ever compared against now; dropping them is housekeeping.
    this.sweepTimer = setInterval(() => {
      this.writes.run(() => this.tasks.dropExpiredNames(this.clock.nowUs())).catch(() => undefined);
    }, 60_000);
    this.sweepTimer.unref();
  }

  /**
   * Opens the store and, unless `startDispatching: false`, starts dispatching. A host that still
   * has to bind ports (startServer) opens without and calls startDispatching() once it has them, so
   * a start that fails claims nothing.
   */
  static open(dataDir: string | null, clock: Clock, settings: EngineSettings, options: OpenOptions & { startDispatching?: boolean } = {}): Engine {
    const engine = new Engine(openDatabase(dataDir, options), clock, settings, dataDir, { nativeBinding: options.nativeBinding });
    if (options.startDispatching !== false) engine.startDispatching();
    return engine;
  }

  /** Hands back leases a crash left and starts claiming due tasks (idempotent). */
  startDispatching(): void {
    if (this.closed) throw new Error('the engine is closed');
    this.dispatcher.start();
  }

  /**
   * Stops claiming due tasks at once and gives attempts in flight up to `graceMs` (the engine's
   * clock) to be answered; the ones still waiting then are recorded as `interrupted` and sent again
   * after the next start. Resolves once their outcomes are handed to the store; stop() then closes.
   */
  stopDispatching(graceMs = 0): Promise<void> {
    return this.dispatcher.stop(graceMs);
  }

  /**
   * The graceful stop a host calls on Ctrl-C, SIGTERM or window close: stopDispatching(graceMs,
   * default `settings.shutdownGraceMs`), then commits and closes the store.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    await this.dispatcher.stop(options.graceMs ?? this.settings.shutdownGraceMs);
    await this.shutdown();
  }

  /** Stops at once: attempts in flight are recorded as interrupted (stop() with no grace), commits, closes. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.dispatcher.stop();
    await this.checkpointer?.stop();
    // On a full disk the last writes fail; what they held is redelivered after the next start.
    await this.settle().catch(() => undefined);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.health.stop();
    void this.dispatcher.stop();
    void this.checkpointer?.stop();
    this.writes.flush();
    this.writes.wal.close();
    closeDatabase(this.db);
  }

  // ---- what the API layer reads ----

  /** The queue as stored (do not mutate), or undefined. */
  queueRow(name: string): QueueRow | undefined {
    return this.queues.get(name);
  }

  /** Every queue as stored, by name. */
  queueRows(): QueueRow[] {
    return this.queues.all();
  }

  /** The queue's clock: the engine's now plus the queue's offset (advance clock). */
  queueNowUs(name: string): number {
    return this.dispatcher.queueNowUs(name);
  }

  /** Dispatch state held in memory: attempts in flight and the token bucket's level; undefined for an unknown queue. */
  runtime(name: string): { inFlight: number; tokens: number } | undefined {
    return this.dispatcher.queueStats(name);
  }

  /** When the queue's next task not being dispatched is due (queue time; it may be past), or null. */
  nextDueUs(name: string): number | null {
    return this.dispatchStore.nextDueUs(name);
  }

  /** Live tasks in the queue, and the schedule time of the first (v2beta3 Queue.stats). */
  taskStats(name: string): { tasksCount: number; oldestScheduleUs: number | null } {
    const tasksCount = this.tasks.count(name);
    return { tasksCount, oldestScheduleUs: tasksCount ? this.tasks.list(name, -Infinity, -Infinity, 1)[0].schedule_us : null };
  }

  /** One page of live tasks in schedule order, after the (schedule, seq) key. */
  taskRows(queue: string, afterScheduleUs: number, afterSeq: number, limit: number): TaskRow[] {
    return this.tasks.list(queue, afterScheduleUs, afterSeq, limit);
  }

  /** Task names the queue still refuses now: how many, and the latest `limit`. */
  reservedNames(queue: string, limit: number): { total: number; names: Array<{ task_id: string; expires_us: number }> } {
    return this.tasks.reservedNames(queue, this.clock.nowUs(), limit);
  }

  /** Recorded attempts matching every given filter. */
  attempts(filter: AttemptFilter = {}): AttemptRow[] {
    return this.history.list(filter);
  }

  // ---- queues ----

  private requireQueue(name: string, message: string = Messages.queueMissing): QueueRow {
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
      const row: QueueRow = {
        name: name.full, project: name.project, location: name.location, state: 'RUNNING', config,
        purgeTimeUs: null, iamPolicy: null, createTimeUs: now, updateTimeUs: now, clockOffsetUs: 0,
      };
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
        const row: QueueRow = {
          name: name.full, project: name.project, location: name.location, state: 'RUNNING',
          config: mergeQueueConfig(undefined, queue, null, this.settings, burstSettable),
          purgeTimeUs: null, iamPolicy: null, createTimeUs: now, updateTimeUs: now, clockOffsetUs: 0,
        };
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

  // ---- IAM (core/iam.ts) ----

  getIamPolicy(resource: string): ProtoObject {
    return this.iam.getPolicy(resource);
  }

  setIamPolicy(resource: string, policy: ProtoObject | undefined, maskPaths: string[] | null): Promise<ProtoObject> {
    return this.iam.setPolicy(resource, policy, maskPaths);
  }

  testIamPermissions(resource: string, permissions: string[]): string[] {
    return this.iam.testPermissions(resource, permissions);
  }

  // ---- tasks ----

  taskView(row: TaskRow, view: TaskView, queue?: QueueRow, decoded?: ProtoObject): ProtoObject {
    const payload = decoded ?? decodeMessage(PAYLOAD_TYPE, row.payload);
    const task: ProtoObject = { name: taskName(row.queue, row.task_id) };
    if (payload.httpRequest) {
      task.httpRequest = payload.httpRequest;
      if (view === 'BASIC') delete task.httpRequest.body;
    } else if (payload.appEngineHttpRequest) {
      const req = payload.appEngineHttpRequest;
      const q = queue ?? this.queues.get(row.queue);
      const routing = q?.config.appEngineRoutingOverride ?? req.appEngineRouting;
      req.appEngineRouting = { ...(routing ?? {}), host: appEngineHost(parseQueueName(row.queue).project, routing) };
      if (view === 'BASIC') delete req.body;
      task.appEngineHttpRequest = req;
    }
    task.scheduleTime = fromUs(row.schedule_us);
    // Cloud Tasks reports create_time truncated to whole seconds.
    task.createTime = { seconds: Math.floor(row.create_us / 1_000_000) };
    if (payload.dispatchDeadline) task.dispatchDeadline = payload.dispatchDeadline;
    if (row.dispatch_count) task.dispatchCount = row.dispatch_count;
    if (row.response_count) task.responseCount = row.response_count;
    if (row.first_dispatch_us) task.firstAttempt = { dispatchTime: fromUs(row.first_dispatch_us) };
    if (row.last_attempt) task.lastAttempt = JSON.parse(row.last_attempt);
    if (payload.retryConfig) task.retryConfig = payload.retryConfig;
    task.view = view;
    return task;
  }

  listTasks(parent: string, view: string | undefined, pageSize: number | undefined, pageToken: string | undefined) {
    parseQueueName(parent);
    const queue = this.requireQueue(parent);
    const size = pageSizeOf(pageSize, MAX_TASK_PAGE);
    const now = this.clock.nowUs();
    const [afterSchedule, afterSeq] = pageToken
      ? (decodePageToken(pageToken, '', now) as [number, number])
      : [-Infinity, -Infinity];
    const rows = this.tasks.list(parent, Number(afterSchedule), Number(afterSeq), size + 1);
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      tasks: page.map((r) => this.taskView(r, viewOf(view), queue)),
      nextPageToken:
        rows.length > size ? encodePageToken([last.schedule_us, last.seq], '', now + this.settings.pageTokenTtlMs * 1000) : '',
    };
  }

  getTask(name: string, view: string | undefined): ProtoObject {
    const n = parseTaskName(name);
    const row = this.tasks.get(n.full, n.task);
    if (!row) throw notFound(this.existedRecently(n.full, n.task) ? Messages.taskTooRecent : Messages.entityMissing);
    return this.taskView(row, viewOf(view));
  }

  /**
   * Whether a task of this name left the queue within the name-reservation window. A finished
   * task with a generated ID reserves no name (dispatch writes no tombstone for it), so its
   * history row answers instead.
   */
  private existedRecently(queue: string, taskId: string): boolean {
    const now = this.clock.nowUs();
    const until = this.tasks.reservedUntil(queue, taskId);
    if (until !== undefined && until > now) return true;
    const finished = this.history.finished(queue, taskId);
    return !!finished && finished.finished_us + this.settings.taskTombstoneTtlMs * 1000 > now;
  }

  async createTask(parent: string, task: ProtoObject, view: string | undefined): Promise<ProtoObject> {
    const queueName = parseQueueName(parent);
    let taskId: string | undefined;
    if (task?.name) {
      const parts = task.name.split('/');
      if (parts.length === 8 && parts[6] === 'tasks' && parts.slice(0, 6).join('/') !== parent) {
        throw invalidArgument(
          `The queue name from request ('${parent}') must be the same as the queue name in the named task ('${parts.slice(0, 6).join('/')}').`,
        );
      }
      const n = parseTaskName(task.name);
      taskId = n.task;
    }
    if (!task) throw invalidArgument('task is required.');
    const queue = this.requireQueue(queueName.full);
    const { payload, encoded, scheduleUs } = validateTaskRequest(task, queue.config, this.settings, this.clock.nowUs());
    const named = taskId !== undefined;
    return this.writes.run(() => {
      const now = this.clock.nowUs();
      const q = this.requireQueue(queueName.full);
      let id = taskId;
      if (id !== undefined) {
        if (this.tasks.get(q.name, id)) throw alreadyExists(Messages.taskExists);
        const until = this.tasks.reservedUntil(q.name, id);
        if (until !== undefined) {
          if (until > now) throw alreadyExists(Messages.taskExists);
          this.tasks.releaseName(q.name, id);
        }
      } else {
        id = this.taskIds.next();
      }
      const schedule = Math.max(scheduleUs, now);
      const seq = this.tasks.insert({ queue: q.name, taskId: id, scheduleUs: schedule, createUs: now, payload: encoded, named });
      this.dispatcher.taskAdded(q.name, schedule);
      this.events.announce('task:changed', { queue: q.name, taskId: id });
      const row: TaskRow = {
        seq, queue: q.name, task_id: id, schedule_us: schedule, create_us: now, dispatch_count: 0, response_count: 0,
        first_dispatch_us: null, last_attempt: null, lease_until_us: null, named: named ? 1 : 0,
        payload: Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength),
      };
      return this.taskView(row, viewOf(view), q, payload);
    }, { checksFirst: true /* every check runs before the one INSERT: a failure leaves nothing to undo */ }).catch((err) => {
      if (!named && err?.code === 'SQLITE_CONSTRAINT_UNIQUE') return this.createTask(parent, task, view);
      throw err;
    });
  }

  async deleteTask(name: string): Promise<void> {
    const n = parseTaskName(name);
    await this.writes.run(() => {
      const reserveUntil = this.clock.nowUs() + this.settings.taskTombstoneTtlMs * 1000;
      if (!this.tasks.delete(n.full, n.task, reserveUntil)) throw notFound(Messages.entityMissing);
      this.events.announce('task:changed', { queue: n.full, taskId: n.task });
    });
  }

  /** RunTask: dispatches now and returns the task as it is right after dispatch, before any answer. */
  runTask(name: string, view: string | undefined): ProtoObject {
    const n = parseTaskName(name);
    if (!this.tasks.get(n.full, n.task)) throw notFound(Messages.entityMissing);
    this.dispatcher.runNow(n.full, n.task);
    return this.taskView(this.tasks.get(n.full, n.task)!, viewOf(view));
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

  // ---- locations and CMEK config (core/locations.ts) ----

  listLocations(name: string): ProtoObject[] {
    return this.locations.list(name);
  }

  getLocation(name: string): ProtoObject {
    return this.locations.get(name);
  }

  getCmekConfig(name: string): ProtoObject {
    return this.locations.getCmekConfig(name);
  }

  updateCmekConfig(config: ProtoObject): Promise<ProtoObject> {
    return this.locations.updateCmekConfig(config);
  }

  // ---- test support (core/test-support.ts) ----

  /** Deletes every queue, task, reserved name and all history (attempts in flight are ignored), then restores the reset baseline. */
  reset(): Promise<void> {
    return this.testSupport.reset();
  }

  /** What reset builds again after wiping everything (the config file's queues); undefined: nothing. */
  setResetBaseline(restore: (() => Promise<void>) | undefined): void {
    this.testSupport.setResetBaseline(restore);
  }

  /** Puts a queue's moved clock back on real time; its tasks keep their schedule times. */
  resetQueueClock(name: string): Promise<void> {
    return this.testSupport.resetQueueClock(name);
  }

  /** Releases task names reserved by de-duplication (all queues, or one) and deleted queue names. */
  forgetReservedNames(queue?: string): Promise<number> {
    return this.testSupport.forgetReservedNames(queue);
  }

  /** Resolves true once idle (nothing in flight, nothing due now in a running queue), false when `timeoutMs` passes first (real time). */
  waitUntilIdle(queue: string | undefined, timeoutMs: number): Promise<boolean> {
    return this.testSupport.waitUntilIdle(queue, timeoutMs);
  }

  /** Resolves true once idle with no live task left, false when `timeoutMs` passes first (real time). */
  waitUntilEmpty(queue: string | undefined, timeoutMs: number): Promise<boolean> {
    return this.testSupport.waitUntilEmpty(queue, timeoutMs);
  }

  /** Resolves after every write queued so far is committed. */
  settle(): Promise<void> {
    return this.writes.run(() => undefined);
  }
}
