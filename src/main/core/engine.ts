import type { Clock } from './clock';
import { EngineEventBus } from './events';
import { QueueIam } from './iam';
import { Locations } from './locations';
import { TestSupport } from './test-support';
import type { ProtoObject } from './protos';
import { QueueOperations } from './queue-operations';
import { TaskOperations, type TaskView } from './task-operations';
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
import { TaskIdGenerator } from './task-id-generator';

export type { TaskView } from './task-operations';

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
  private readonly queueOps: QueueOperations;
  private readonly taskOps: TaskOperations;
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
    const parts = { queues: this.queues, tasks: this.tasks, writes: this.writes, dispatcher: this.dispatcher, events: this.events, clock, settings };
    this.queueOps = new QueueOperations(parts);
    this.taskOps = new TaskOperations({ ...parts, queueOps: this.queueOps, history: this.history, taskIds: this.taskIds });
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

  // ---- queues (core/queue-operations.ts) ----

  queueView(row: QueueRow): ProtoObject {
    return this.queueOps.queueView(row);
  }

  listQueues(parent: string, filter: string | undefined, pageSize: number | undefined, pageToken: string | undefined) {
    return this.queueOps.listQueues(parent, filter, pageSize, pageToken);
  }

  getQueue(name: string): ProtoObject {
    return this.queueOps.getQueue(name);
  }

  createQueue(parent: string, queue: ProtoObject, burstSettable = false): Promise<ProtoObject> {
    return this.queueOps.createQueue(parent, queue, burstSettable);
  }

  /** An upsert, as in production: a missing queue is created. `maskPaths` are camelCase. */
  updateQueue(queue: ProtoObject, maskPaths: string[] | null, burstSettable = false): Promise<ProtoObject> {
    return this.queueOps.updateQueue(queue, maskPaths, burstSettable);
  }

  deleteQueue(name: string): Promise<void> {
    return this.queueOps.deleteQueue(name);
  }

  purgeQueue(name: string): Promise<ProtoObject> {
    return this.queueOps.purgeQueue(name);
  }

  setQueueState(name: string, state: 'RUNNING' | 'PAUSED'): Promise<ProtoObject> {
    return this.queueOps.setQueueState(name, state);
  }

  /** Moves a queue's clock forward: everything due within `byUs` (retries included) becomes due now. */
  advanceQueueClock(name: string, byUs: number): Promise<ProtoObject> {
    return this.queueOps.advanceQueueClock(name, byUs);
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

  // ---- tasks (core/task-operations.ts) ----

  taskView(row: TaskRow, view: TaskView, queue?: QueueRow, decoded?: ProtoObject): ProtoObject {
    return this.taskOps.taskView(row, view, queue, decoded);
  }

  listTasks(parent: string, view: string | undefined, pageSize: number | undefined, pageToken: string | undefined) {
    return this.taskOps.listTasks(parent, view, pageSize, pageToken);
  }

  getTask(name: string, view: string | undefined): ProtoObject {
    return this.taskOps.getTask(name, view);
  }

  createTask(parent: string, task: ProtoObject, view: string | undefined): Promise<ProtoObject> {
    return this.taskOps.createTask(parent, task, view);
  }

  deleteTask(name: string): Promise<void> {
    return this.taskOps.deleteTask(name);
  }

  /** RunTask: dispatches now and returns the task as it is right after dispatch, before any answer. */
  runTask(name: string, view: string | undefined): ProtoObject {
    return this.taskOps.runTask(name, view);
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
