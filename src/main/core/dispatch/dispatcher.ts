import type { Clock } from '../clock';
import type { EngineEventBus } from '../events';
import { ApiError, notFound, Messages } from '../errors';
import { decodeMessage } from '../protos';
import { fromUs, toUs } from '../proto-time';
import type { QueueConfig } from '../queue-config';
import type { EngineSettings } from '../settings';
import { diskFailureOf, type StoreHealth, type StoreHealthReport } from '../store-health';
import type { ClaimedRow, DispatchStore, LeaseClaim } from '../store/dispatch-store';
import type { FinishOutcome, HistoryStore } from '../store/history-store';
import { shortId } from '../resource-names';
import type { QueueRow, QueueStore } from '../store/queue-store';
import type { WriteBatcher } from '../store/write-batcher';
import { dispatchDeadlineUs, PAYLOAD_TYPE, type TaskPayload } from '../task-request';
import type { TokenIssuer } from '../oidc/token-issuer';
import { attemptStatus } from './attempt-status';
import { backoffDelayUs } from './backoff';
import { HttpSender, type OutgoingRequest, type SendResult } from './http-sender';
import { TokenBucket } from './rate-limiter';
import { buildAppEngineRequest, buildHttpTargetRequest, type AttemptContext } from './request-builder';
import { retriesExhausted, retryOrigin } from './retry-policy';

/** The per-queue state dispatch needs in memory; everything else stays in SQLite. */
interface QueueRuntime {
  name: string;
  queueId: string;
  state: QueueRow['state'];
  config: QueueConfig;
  offsetUs: number;
  bucket: TokenBucket;
  inFlight: number;
}

interface Attempt {
  runtime: QueueRuntime;
  row: ClaimedRow;
  payload: TaskPayload;
  /** This attempt's number (dispatch_count after it was leased). */
  number: number;
  scheduleUs: number;
  dispatchUs: number;
  /** The queue's clock when the attempt went out (what backoff counts from). */
  queueDispatchUs: number;
  runTask: boolean;
}

const CLAIM_BATCH = 512;
const COMPLETION_BATCH = 512;
const LEASE_GRACE_US = 30_000_000;

/**
 * Moves due tasks to their handlers: claims them in schedule order within each queue's token
 * bucket and concurrency cap, leases them (so a crash hands them back), sends them, and commits
 * each outcome in groups. History writes ride in the same group commits, never in the send path.
 */
export class Dispatcher {
  private readonly runtimes = new Map<string, QueueRuntime>();
  private readonly sender: HttpSender;
  private pumpScheduled = false;
  private cancelWake: (() => void) | undefined;
  private wakeAtUs = Infinity;
  private started = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private completions: Array<[Attempt, OutgoingRequest, SendResult]> = [];
  /** Answers handed to a group commit that has not settled yet. */
  private readonly recording = new Set<Array<[Attempt, OutgoingRequest, SendResult]>>();
  private completionTimer: NodeJS.Timeout | undefined;
  /** How long an answer may wait for others to share its commit. */
  completionWindowMs = 5;
  /** Leases a crash left could not be handed back at start (the disk refused): done on recovery. */
  private leasesHeld = false;
  private readonly onHealth = (report: StoreHealthReport) => {
    if (report.status === 'ok') this.resume();
  };

  constructor(
    private readonly store: DispatchStore,
    private readonly queues: QueueStore,
    private readonly history: HistoryStore,
    private readonly writes: WriteBatcher,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly tokens: TokenIssuer,
    private readonly events: EngineEventBus,
    private readonly health: StoreHealth,
  ) {
    this.sender = new HttpSender(clock);
    health.on('change', this.onHealth);
  }

  /**
   * Reads every queue's settings and clock offset, so queue time and stats are right before
   * dispatch starts; claims nothing and writes nothing.
   */
  loadQueues(): void {
    for (const row of this.queues.all()) this.refreshQueue(row.name);
  }

  /**
   * Hands every lease left by a crash back to its queue and starts dispatching. Until then nothing
   * is claimed, leased or sent, so a start that fails later (a port in use) leaves every task as
   * it was. Idempotent; not after stop().
   */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.leasesHeld = true;
    this.releaseLeases();
    this.loadQueues();
    this.sweepTimer = setInterval(() => {
      const cutoff = this.clock.nowUs() - this.settings.historyRetentionMs * 1000;
      // Housekeeping: on a full disk it waits for the next round.
      this.writes.run(() => this.history.sweep(cutoff)).catch(() => undefined);
    }, 60_000);
    this.sweepTimer.unref();
    this.schedulePump();
  }

  /**
   * Hands back every lease a crash left. On a disk that refuses the write, nothing is claimed
   * (the store is degraded) and this runs again once it recovers.
   */
  private releaseLeases(): void {
    if (!this.leasesHeld) return;
    try {
      this.store.releaseAll();
      this.leasesHeld = false;
    } catch (err) {
      if (!this.health.writeFailed(err)) throw err;
    }
  }

  /** The disk takes writes again: hand back leases left waiting, record the answers kept meanwhile, claim again. */
  private resume(): void {
    if (!this.started || this.stopped || !this.store.open) return;
    this.releaseLeases();
    if (this.health.degraded) return;
    this.loadQueues();
    this.recordCompletions();
    this.schedulePump();
  }

  /**
   * Stops claiming at once; attempts in flight get `graceMs` (the engine's clock) to be answered
   * and are recorded as usual. Those still waiting then are cancelled and recorded as
   * `interrupted`: the attempt counts as dispatched with no answer, and the task goes back to its
   * queue due at once, so the next start sends it again. Resolves once every outcome is handed
   * to the store (a full disk keeps them in memory: their leases then hand the tasks back at the
   * next start). Idempotent: a second call waits for the first.
   */
  stop(graceMs = 0): Promise<void> {
    return (this.stopping ??= this.drain(graceMs));
  }

  private async drain(graceMs: number): Promise<void> {
    this.stopped = true;
    this.health.off('change', this.onHealth);
    clearInterval(this.sweepTimer);
    this.cancelWake?.();
    if (this.inFlight.size && graceMs > 0) {
      await new Promise<void>((resolve) => {
        const cancel = this.clock.setTimer(resolve, graceMs * 1000);
        void Promise.allSettled([...this.inFlight]).then(() => {
          cancel();
          resolve();
        });
      });
    }
    this.sender.abortAll();
    await Promise.allSettled([...this.inFlight]);
    this.recordCompletions();
    await this.sender.destroy();
  }

  /** Re-reads a queue after it changed (create, update, pause, resume, delete, clock advance). */
  refreshQueue(name: string): void {
    const row = this.queues.get(name);
    if (!row) {
      this.runtimes.delete(name);
      return;
    }
    const now = this.clock.nowUs();
    const rl = row.config.rateLimits;
    const existing = this.runtimes.get(name);
    if (existing) {
      existing.state = row.state;
      existing.config = row.config;
      existing.offsetUs = row.clockOffsetUs;
      existing.bucket.reconfigure(rl.maxDispatchesPerSecond, rl.maxBurstSize, now);
    } else {
      this.runtimes.set(name, {
        name,
        queueId: shortId(name),
        state: row.state,
        config: row.config,
        offsetUs: row.clockOffsetUs,
        bucket: new TokenBucket(rl.maxDispatchesPerSecond, rl.maxBurstSize, now),
        inFlight: 0,
      });
    }
    this.schedulePump();
  }

  /** A task became due at `scheduleUs` (queue time): make sure we wake for it. */
  taskAdded(queue: string, scheduleUs: number): void {
    const rt = this.runtimes.get(queue);
    if (!rt) return;
    const realUs = scheduleUs - rt.offsetUs;
    if (realUs <= this.clock.nowUs()) this.schedulePump();
    else this.wakeAt(realUs);
  }

  /** Attempts of this queue in flight or waiting to be recorded. */
  busy(name: string): boolean {
    const rt = this.runtimes.get(name);
    const of = ([a]: [Attempt, OutgoingRequest, SendResult]) => a.runtime.name === name;
    return (!!rt && rt.inFlight > 0) || this.completions.some(of) || [...this.recording].some((batch) => batch.some(of));
  }

  /** After a reset: no queue is known any more. */
  forgetQueues(): void {
    this.runtimes.clear();
  }

  queueStats(name: string): { inFlight: number; tokens: number } | undefined {
    const rt = this.runtimes.get(name);
    return rt && { inFlight: rt.inFlight, tokens: rt.bucket.level(this.clock.nowUs()) };
  }

  queueNowUs(name: string): number {
    return this.clock.nowUs() + (this.runtimes.get(name)?.offsetUs ?? 0);
  }

  schedulePump(): void {
    if (this.pumpScheduled || !this.started || this.stopped || !this.settings.dispatch) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private wakeAt(realUs: number): void {
    if (!this.started || this.stopped || realUs >= this.wakeAtUs) return;
    this.cancelWake?.();
    this.wakeAtUs = realUs;
    this.cancelWake = this.clock.setTimer(() => {
      this.wakeAtUs = Infinity;
      this.cancelWake = undefined;
      this.pump();
    }, Math.max(0, realUs - this.clock.nowUs()));
  }

  /**
   * Claims what is due. Never throws: it runs from timers, where an exception would end the
   * process. While the store is degraded it claims nothing; recovery pumps again.
   */
  private pump(): void {
    if (!this.started || this.stopped || !this.store.open || this.health.degraded) return;
    try {
      this.claimDue();
    } catch (err) {
      if (!this.health.writeFailed(err)) console.error(`tasklight: dispatch stopped on an unexpected error: ${(err as Error)?.stack ?? err}`);
    }
  }

  private claimDue(): void {
    const now = this.clock.nowUs();
    let next = Infinity;
    for (const rt of this.runtimes.values()) {
      if (rt.state !== 'RUNNING') continue;
      const free = rt.config.rateLimits.maxConcurrentDispatches - rt.inFlight;
      if (free <= 0) continue; // a finishing attempt pumps again
      const tokens = rt.bucket.available(now);
      const qnow = now + rt.offsetUs;
      if (tokens <= 0) {
        const due = this.store.nextDueUs(rt.name);
        if (due !== null) next = Math.min(next, Math.max(due - rt.offsetUs, now + rt.bucket.waitUs(now)));
        continue;
      }
      const limit = Math.min(free, tokens, CLAIM_BATCH);
      const rows = this.store.claimDue(rt.name, qnow, limit);
      if (rows.length && !this.launch(rt, rows, now, false).length) return; // the disk refused the leases
      if (rows.length === limit) {
        next = now;
      } else {
        const due = this.store.nextDueUs(rt.name);
        if (due !== null) next = Math.min(next, due - rt.offsetUs);
      }
    }
    if (next <= now) this.schedulePump();
    else if (next < Infinity) this.wakeAt(next);
  }

  /** Leases the rows and sends them; none when the disk refuses the lease (the store is then degraded). */
  private launch(rt: QueueRuntime, rows: ClaimedRow[], now: number, runTask: boolean): Attempt[] {
    const qnow = now + rt.offsetUs;
    const attempts: Attempt[] = [];
    const claims: LeaseClaim[] = [];
    for (const row of rows) {
      const payload = decodeMessage(PAYLOAD_TYPE, row.payload) as TaskPayload;
      const deadline = dispatchDeadlineUs(payload);
      const lastAttempt = JSON.stringify({ scheduleTime: fromUs(row.schedule_us), dispatchTime: fromUs(qnow) });
      // The lease is informative while we run; after a crash every lease is handed back at start.
      claims.push([row, qnow, lastAttempt, now + deadline + LEASE_GRACE_US]);
      attempts.push({
        runtime: rt, row, payload, number: row.dispatch_count + 1, scheduleUs: row.schedule_us,
        dispatchUs: now, queueDispatchUs: qnow, runTask,
      });
    }
    try {
      this.store.lease(claims);
    } catch (err) {
      if (this.health.writeFailed(err)) return [];
      throw err;
    }
    if (!runTask) rt.bucket.take(rows.length, now);
    rt.inFlight += rows.length;
    for (const attempt of attempts) {
      this.events.announce('task:changed', { queue: rt.name, taskId: attempt.row.task_id });
      const p = this.execute(attempt).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
    return attempts;
  }

  private async execute(attempt: Attempt): Promise<void> {
    const { runtime: rt, row, payload } = attempt;
    const ctx: AttemptContext = {
      queueId: rt.queueId,
      taskId: row.task_id,
      retryCount: row.dispatch_count,
      executionCount: row.execution_count,
      etaUs: attempt.scheduleUs,
      // previous_response 0 = the previous attempt got no answer: HTTP targets report 504, App Engine 0.
      previousResponse: row.previous_response === 0 ? 504 : row.previous_response,
      previousUnanswered: row.previous_response === 0,
    };
    let request: OutgoingRequest;
    let result: SendResult;
    try {
      request = payload.httpRequest
        ? await buildHttpTargetRequest(payload, rt.config, ctx, this.tokens)
        : buildAppEngineRequest(payload, rt.config, ctx, this.settings);
      result = await this.sender.send(request);
    } catch (err) {
      request ??= { method: '', url: '', headers: {}, deadlineUs: 0 };
      result = { outcome: 'network', status: null, error: String((err as Error)?.message ?? err), responseUs: this.clock.nowUs() };
    }
    rt.inFlight--;
    this.schedulePump();
    this.completions.push([attempt, request, result]);
    if (this.completions.length >= COMPLETION_BATCH) this.recordCompletions();
    else if (this.completions.length === 1) {
      this.completionTimer = setTimeout(() => this.recordCompletions(), this.completionWindowMs);
    }
  }

  /**
   * Outcomes go to the store in groups gathered over a few milliseconds: a commit writes out
   * every page it touched, so fewer, larger groups write far fewer bytes. The task's next
   * attempt counts from the answer, not from the commit, and is min_backoff away.
   */
  private recordCompletions(): void {
    clearTimeout(this.completionTimer);
    this.completionTimer = undefined;
    // While the disk refuses writes the answers wait here; recovery records them (resume()).
    if (!this.completions.length || this.health.degraded) return;
    const batch = this.completions;
    this.completions = [];
    this.recording.add(batch);
    this.writes.run(() => this.completeAll(batch), { durable: false, checksFirst: true }).then(
      (finished) => {
        this.recording.delete(batch);
        // Announced once committed: a group the disk refused announces nothing, and its retry once.
        for (const [i, [attempt, , result]] of batch.entries()) {
          this.events.announce('attempt:finished', { queue: attempt.runtime.name, taskId: attempt.row.task_id, outcome: result.outcome, finished: finished[i] });
        }
      },
      () => {
        // The group was rolled back (the disk refused it): no answer is dropped, each waits to be
        // recorded again once the store recovers, so no task is left `dispatching`.
        this.recording.delete(batch);
        this.completions = batch.concat(this.completions);
      },
    );
  }

  /** Records every answer of the batch; returns how each task ended (when it did). */
  private completeAll(batch: Array<[Attempt, OutgoingRequest, SendResult]>): Array<FinishOutcome | undefined> {
    const finished: Array<FinishOutcome | undefined> = new Array(batch.length);
    for (const [i, [attempt, request, result]] of batch.entries()) {
      try {
        finished[i] = this.complete(attempt, request, result);
      } catch (err) {
        if (diskFailureOf(err)) throw err; // the whole group rolls back
        // A task that cannot be moved on keeps its lease until restart, which hands it back.
        console.error(`tasklight: could not record attempt of ${attempt.row.task_id}: ${(err as Error).message}`);
      }
    }
    return finished;
  }

  /**
   * Runs inside a group commit: records the attempt and moves the task on. Everything that can
   * throw (reads, arithmetic, serialising the record) happens before the first write, so the group
   * runs without a savepoint, which tripled the cost of the finished-task copy
   * (bench/completion-writes.ts). Only the disk failing can now stop a task half-way, and its
   * lease then hands it back at the next start.
   */
  private complete(attempt: Attempt, request: OutgoingRequest, result: SendResult): FinishOutcome | undefined {
    const { runtime: rt, row } = attempt;
    // Outcomes are committed in groups a little after they arrive; the task's clock (retry
    // schedule, stop rule, name reservation) runs from the moment the answer came.
    const now = result.responseUs;
    const qnow = now + rt.offsetUs;
    const answered = result.status !== null;
    const lastAttempt = JSON.stringify({
      scheduleTime: fromUs(attempt.scheduleUs),
      dispatchTime: fromUs(attempt.queueDispatchUs),
      responseTime: fromUs(qnow),
      responseStatus: attemptStatus(result),
    });
    const record = this.history.prepareAttempt({
      queue: rt.name,
      taskId: row.task_id,
      attempt: attempt.number,
      scheduleUs: attempt.scheduleUs,
      dispatchUs: attempt.queueDispatchUs,
      responseUs: qnow,
      durationMs: (result.responseUs - attempt.dispatchUs) / 1000,
      status: result.status,
      outcome: result.outcome,
      error: result.error ?? null,
      request: {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body ? request.body.subarray(0, 65536).toString('base64') : undefined,
        bodySize: request.body?.length ?? 0,
      },
      response: answered
        ? { headers: result.responseHeaders, body: result.body?.toString('base64'), truncated: !!result.bodyTruncated }
        : null,
      runTask: attempt.runTask,
    });
    const next = this.nextStep(attempt, result, qnow);

    this.history.insertAttempt(record);
    if (next.kind === 'gone') return;
    if (next.kind === 'requeue') {
      this.store.requeue(row.seq, lastAttempt);
      return;
    }
    if (next.kind === 'finished') {
      this.store.finish(row.seq, next.outcome, now, answered, lastAttempt);
      if (row.named) this.store.reserveName(rt.name, row.task_id, now + this.settings.taskTombstoneTtlMs * 1000);
      return next.outcome;
    }
    // Header ExecutionCount: HTTP targets count answered non-5xx attempts; App Engine every answer.
    const executed = answered && (!attempt.payload.httpRequest || (result.status as number) < 500) ? 1 : 0;
    // 0 marks "no answer", so an app's own 504 stays distinguishable from a timeout.
    const previous = answered ? result.status : 0;
    this.store.retry(row.seq, next.retryAtUs, answered ? 1 : 0, executed, previous, lastAttempt);
    this.taskAdded(rt.name, next.retryAtUs);
    return undefined;
  }

  /** What becomes of the task after this attempt: gone already, finished, or retried when. */
  private nextStep(
    attempt: Attempt,
    result: SendResult,
    qnow: number,
  ): { kind: 'gone' } | { kind: 'requeue' } | { kind: 'finished'; outcome: FinishOutcome } | { kind: 'retry'; retryAtUs: number } {
    const { runtime: rt, row } = attempt;
    const current = this.store.progress(row.seq);
    // Deleted or purged while in flight: history only. SQLite reuses the rowid of a deleted last
    // row, so the seq alone may now name a task created since; it must be the same task.
    if (!current || current.task_id !== row.task_id || current.create_us !== row.create_us) return { kind: 'gone' };
    if (result.outcome === 'success') return { kind: 'finished', outcome: 'succeeded' };
    // Cut off by Tasklight's own stop, not failed by the handler: it stays dispatched (the count
    // is already up) but never ends the task, which is sent again after the restart.
    if (result.outcome === 'interrupted') return { kind: 'requeue' };
    const retry = rt.config.retryConfig;
    const first = current.first_dispatch_us ?? attempt.queueDispatchUs;
    const stop = { maxAttempts: retry.maxAttempts, maxRetryDurationUs: toUs(retry.maxRetryDuration) };
    if (retriesExhausted(current.dispatch_count, first, qnow, stop)) return { kind: 'finished', outcome: 'exhausted' };
    const delay = backoffDelayUs(current.dispatch_count, {
      minBackoffUs: toUs(retry.minBackoff),
      maxBackoffUs: toUs(retry.maxBackoff),
      maxDoublings: retry.maxDoublings,
    });
    return { kind: 'retry', retryAtUs: retryOrigin(attempt.runTask, attempt.queueDispatchUs, qnow) + delay };
  }

  /** RunTask: dispatch now, whatever the schedule, rate limits, concurrency or pause
   * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/run). */
  runNow(queueName: string, taskId: string): void {
    const rt = this.runtimes.get(queueName);
    const row = this.store.claimByName(queueName, taskId);
    if (!rt || !row) throw notFound(Messages.entityMissing);
    // Before start() a lease would be handed back by it (a second delivery); after stop() nobody records the outcome.
    if (!this.started || this.stopped) throw new ApiError('UNAVAILABLE', 'Tasklight is not dispatching yet (starting up or shutting down); try again.');
    if (this.health.degraded || !this.launch(rt, [row], this.clock.nowUs(), true).length) throw this.health.unavailable();
  }
}
