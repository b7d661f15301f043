/**
 * The UI contract (src/shared/contract.ts) implemented once over the engine. Both transports call
 * it: HTTP + WebSocket (ui/http-routes.ts, ui/event-socket.ts) and Electron IPC (src/main/ipc.ts).
 * Imports no Electron.
 */
import type { Engine } from '../core/engine';
import { invalidArgument, notFound } from '../core/errors';
import { decodeMessage, type ProtoObject } from '../core/protos';
import { parseQueueName, taskName } from '../core/resource-names';
import { QUEUE_DEFAULTS } from '../core/queue-config';
import { PAYLOAD_TYPE, type TaskPayload } from '../core/task-request';
import type {
  AdvanceToNextDueResult,
  ArgsOf,
  CommandName,
  CreateQueueArgs,
  CreateTaskArgs,
  QueueBreakdown,
  ReservedNames,
  QueueSummary,
  ReplayArgs,
  ReplayView,
  ResultOf,
  RetrySettings,
  ServerInfo,
  StatusClass,
  TaskDetail,
  TaskSummary,
  UiUpdate,
  UpdateQueueArgs,
} from '../../shared/contract';
import { isCommandName } from '../../shared/contract';
import { version } from '../../../package.json';
import { msToUs, protoDuration, statusClassOf, usToMs } from './ui/views';
import { EventHub, type Subscriber } from './ui/event-hub';
import { QueueStats } from './ui/queue-stats';
import { Replayer } from './ui/replay';
import { retryPlan } from './ui/retry-plan';
import { taskDetail } from './ui/task-detail';
import { listTasks, taskSummary } from './ui/task-list';
import { timeline } from './ui/timeline';
import { verifyToken } from './ui/token-view';
import { testingOperations, type TestingOperations } from './testing-routes';

export interface UiServiceOptions {
  /** Endpoints, known once the servers listen. */
  info: () => Omit<ServerInfo, 'version' | 'oidc' | 'defaultParent'>;
  defaultParent?: string;
}

type Handler<K extends CommandName> = (args: ArgsOf<K>) => Promise<ResultOf<K>> | ResultOf<K>;
type Handlers = { [K in CommandName]: Handler<K> };

const DEFAULT_RETRY: RetrySettings = {
  maxAttempts: QUEUE_DEFAULTS.maxAttempts,
  maxRetryDurationS: 0,
  minBackoffS: QUEUE_DEFAULTS.minBackoffUs / 1e6,
  maxBackoffS: QUEUE_DEFAULTS.maxBackoffUs / 1e6,
  maxDoublings: QUEUE_DEFAULTS.maxDoublings,
};

function str(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value) throw invalidArgument(`${field} is required (a string).`);
  return value;
}

function num(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw invalidArgument(`${field} must be a number.`);
  return n;
}

function obj<T>(value: unknown): T {
  return (value && typeof value === 'object' ? value : {}) as T;
}

export class UiService {
  readonly stats: QueueStats;
  readonly hub: EventHub;
  private readonly replayer: Replayer;
  private readonly handlers: Handlers;
  private readonly testing: TestingOperations;

  constructor(
    readonly engine: Engine,
    private readonly options: UiServiceOptions,
  ) {
    this.stats = new QueueStats(engine);
    this.hub = new EventHub(engine, () => this.stats.all());
    this.replayer = new Replayer(engine.clock);
    this.testing = testingOperations(engine);
    engine.events.on('store:reset', () => this.replayer.clear());
    this.handlers = {
      serverInfo: () => this.serverInfo(),
      listQueues: () => this.stats.all(),
      getQueue: (a) => this.queue(str(obj<{ name: string }>(a).name, 'name')),
      createQueue: (a) => this.createQueue(obj(a)),
      updateQueue: (a) => this.updateQueue(obj(a)),
      pauseQueue: async (a) => {
        const name = str(obj<{ name: string }>(a).name, 'name');
        await engine.setQueueState(name, 'PAUSED');
        return this.queue(name);
      },
      resumeQueue: async (a) => {
        const name = str(obj<{ name: string }>(a).name, 'name');
        await engine.setQueueState(name, 'RUNNING');
        return this.queue(name);
      },
      purgeQueue: async (a) => {
        const name = str(obj<{ name: string }>(a).name, 'name');
        await engine.purgeQueue(name);
        return this.queue(name);
      },
      deleteQueue: async (a) => {
        await engine.deleteQueue(str(obj<{ name: string }>(a).name, 'name'));
        return { deleted: true as const };
      },
      queueBreakdown: (a) => this.breakdown(str(obj<{ name: string }>(a).name, 'name'), num(obj<{ limit?: number }>(a).limit, 'limit')),
      reservedNames: (a) => this.reservedNames(str(obj<{ name: string }>(a).name, 'name'), num(obj<{ limit?: number }>(a).limit, 'limit')),
      listTasks: (a) => {
        const args = obj<ArgsOf<'listTasks'>>(a);
        str(args.queue, 'queue');
        return listTasks(engine, {
          ...args,
          states: args.states === undefined ? undefined : ([] as string[]).concat(args.states as any) as any,
          offset: num(args.offset, 'offset'),
          limit: num(args.limit, 'limit'),
          desc: args.desc === true || (args.desc as unknown) === 'true',
        });
      },
      getTask: (a) => this.task(obj(a)),
      createTask: (a) => this.createTask(obj(a)),
      runTask: (a) => {
        const { queue, id } = this.ref(a);
        engine.runTask(taskName(queue, id), 'BASIC');
        this.hub.touch(queue, id);
        return this.summary(queue, id);
      },
      deleteTask: async (a) => {
        const { queue, id } = this.ref(a);
        await engine.deleteTask(taskName(queue, id));
        return { deleted: true as const };
      },
      duplicateTask: (a) => this.duplicate(this.ref(a)),
      replayAttempt: (a) => this.replay(obj(a)),
      verifyToken: (a) => verifyToken(engine.tokens, obj(a), usToMs(engine.clock.nowUs())),
      timeline: (a) => {
        const args = obj<ArgsOf<'timeline'>>(a);
        return timeline(engine, {
          queue: str(args.queue, 'queue'),
          fromMs: num(args.fromMs, 'fromMs') ?? Date.now() - 3_600_000,
          toMs: num(args.toMs, 'toMs') ?? Date.now() + 3_600_000,
          limit: num(args.limit, 'limit'),
        });
      },
      retryPlan: (a) => {
        const args = obj<ArgsOf<'retryPlan'>>(a);
        const r = { ...DEFAULT_RETRY, ...obj<Partial<RetrySettings>>(args.retry) };
        for (const k of Object.keys(r) as Array<keyof RetrySettings>) {
          const v = num(r[k], `retry.${k}`);
          if (v === undefined) throw invalidArgument(`retry.${k} is required.`);
          r[k] = v;
        }
        if (r.minBackoffS < 0 || r.maxBackoffS < r.minBackoffS || r.maxDoublings < 0) {
          throw invalidArgument('retry: need 0 ≤ minBackoffS ≤ maxBackoffS and maxDoublings ≥ 0.');
        }
        return retryPlan(r, Math.min(200, num(args.limit, 'limit') ?? 25));
      },
      advanceToNextDue: (a) => this.advanceToNextDue(str(obj<{ name: string }>(a).name, 'name')),
      advanceClock: (a) => this.testing.advanceClock(obj(a)),
      reset: () => this.testing.reset(),
      forgetNames: (a) => this.testing.forgetNames(obj(a)),
      waitIdle: (a) => this.testing.waitIdle(obj(a)),
      listAttempts: (a) => this.testing.listAttempts(obj(a)),
    };
  }

  /** Runs one command; throws ApiError (INVALID_ARGUMENT for an unknown command). */
  async call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
    if (!isCommandName(command)) throw invalidArgument(`Unknown command "${String(command)}".`);
    const handler = this.handlers[command] as Handler<K>;
    return handler(args);
  }

  subscribe(listener: (update: UiUpdate) => void, ready?: () => boolean): () => void {
    const sub: Subscriber = { send: listener, ready };
    return this.hub.subscribe(sub);
  }

  async close(): Promise<void> {
    this.hub.close();
    this.stats.close();
    await this.replayer.close();
  }

  // ---- queues ----

  private serverInfo(): ServerInfo {
    const issuer = this.engine.tokens.issuer;
    return {
      ...this.options.info(),
      version,
      oidc: { issuer, jwksUri: `${issuer}/oauth2/v3/certs`, discoveryUri: `${issuer}/.well-known/openid-configuration` },
      defaultParent: this.options.defaultParent ?? 'projects/my-project/locations/us-central1',
    };
  }

  private requireQueue(name: string): void {
    if (!this.engine.queueRow(name)) throw notFound(`Queue ${name} does not exist.`);
  }

  private queue(name: string): QueueSummary {
    const q = this.stats.one(name);
    if (!q) throw notFound(`Queue ${name} does not exist.`);
    return q;
  }

  private queueFields(args: { rateLimits?: CreateQueueArgs['rateLimits']; retry?: Partial<RetrySettings> }): { body: ProtoObject; paths: string[] } {
    const body: ProtoObject = {};
    const paths: string[] = [];
    const rl = obj<NonNullable<CreateQueueArgs['rateLimits']>>(args.rateLimits);
    const rate = num(rl.maxDispatchesPerSecond, 'rateLimits.maxDispatchesPerSecond');
    const conc = num(rl.maxConcurrentDispatches, 'rateLimits.maxConcurrentDispatches');
    if (rate !== undefined || conc !== undefined) {
      body.rateLimits = {};
      if (rate !== undefined) (body.rateLimits.maxDispatchesPerSecond = rate), paths.push('rateLimits.maxDispatchesPerSecond');
      if (conc !== undefined) (body.rateLimits.maxConcurrentDispatches = conc), paths.push('rateLimits.maxConcurrentDispatches');
    }
    const r = obj<Partial<RetrySettings>>(args.retry);
    const retry: ProtoObject = {};
    const set = (key: string, value: unknown) => {
      retry[key] = value;
      paths.push(`retryConfig.${key}`);
    };
    const v = {
      maxAttempts: num(r.maxAttempts, 'retry.maxAttempts'),
      maxRetryDurationS: num(r.maxRetryDurationS, 'retry.maxRetryDurationS'),
      minBackoffS: num(r.minBackoffS, 'retry.minBackoffS'),
      maxBackoffS: num(r.maxBackoffS, 'retry.maxBackoffS'),
      maxDoublings: num(r.maxDoublings, 'retry.maxDoublings'),
    };
    if (v.maxAttempts !== undefined) set('maxAttempts', v.maxAttempts);
    if (v.maxRetryDurationS !== undefined) set('maxRetryDuration', protoDuration(v.maxRetryDurationS));
    if (v.minBackoffS !== undefined) set('minBackoff', protoDuration(v.minBackoffS));
    if (v.maxBackoffS !== undefined) set('maxBackoff', protoDuration(v.maxBackoffS));
    if (v.maxDoublings !== undefined) set('maxDoublings', v.maxDoublings);
    if (Object.keys(retry).length) body.retryConfig = retry;
    return { body, paths };
  }

  private async createQueue(args: CreateQueueArgs): Promise<QueueSummary> {
    let name = args.name;
    if (!name) {
      const [, project, , location] = (this.options.defaultParent ?? 'projects/my-project/locations/us-central1').split('/');
      name = `projects/${args.project || project}/locations/${args.location || location}/queues/${str(args.id, 'id')}`;
    }
    const parsed = parseQueueName(name);
    const { body } = this.queueFields(args);
    await this.engine.createQueue(`projects/${parsed.project}/locations/${parsed.location}`, { ...body, name: parsed.full });
    return this.queue(parsed.full);
  }

  private async updateQueue(args: UpdateQueueArgs): Promise<QueueSummary> {
    const name = str(args.name, 'name');
    this.requireQueue(name);
    const { body, paths } = this.queueFields(args);
    if (paths.length) await this.engine.updateQueue({ ...body, name }, paths);
    return this.queue(name);
  }

  private reservedNames(name: string, limit = 100): ReservedNames {
    this.requireQueue(name);
    const { total, names } = this.engine.reservedNames(name, Math.max(1, Math.min(1000, limit)));
    return { name, total, names: names.map((r) => ({ id: r.task_id, untilMs: usToMs(r.expires_us) })) };
  }

  private breakdown(name: string, limit = 5000): QueueBreakdown {
    this.requireQueue(name);
    const n = Math.max(1, Math.min(50_000, limit));
    const rows = this.engine.reads.recentAttempts(name, n);
    const byClass: Record<StatusClass, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, network: 0 };
    const byStatus = new Map<string, number>();
    const bounds = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, null];
    const latency = bounds.map((upToMs) => ({ upToMs, count: 0 }));
    const durations: number[] = [];
    const targets = new Map<string, { count: number; errors: number; durations: number[] }>();
    for (const r of rows) {
      const cls = statusClassOf(r.status);
      byClass[cls]++;
      const key = r.status !== null ? String(r.status) : r.outcome;
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
      let host = '';
      try {
        host = r.url ? new URL(r.url).host : '';
      } catch {
        /* keep '' */
      }
      let t = targets.get(host);
      if (!t) targets.set(host, (t = { count: 0, errors: 0, durations: [] }));
      t.count++;
      if (cls !== '2xx') t.errors++;
      if (r.duration_ms !== null) {
        durations.push(r.duration_ms);
        t.durations.push(r.duration_ms);
        const i = bounds.findIndex((b) => b === null || r.duration_ms! <= b);
        latency[i].count++;
      }
    }
    durations.sort((a, b) => a - b);
    const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null);
    return {
      name,
      sample: rows.length,
      byStatusClass: byClass,
      byStatus: [...byStatus].map(([status, count]) => ({ status, count })).sort((a, b) => b.count - a.count),
      latency,
      p50Ms: pct(durations, 0.5),
      p95Ms: pct(durations, 0.95),
      p99Ms: pct(durations, 0.99),
      byTarget: [...targets]
        .map(([host, t]) => ({ host, count: t.count, errors: t.errors, p50Ms: pct(t.durations.sort((a, b) => a - b), 0.5) }))
        .sort((a, b) => b.count - a.count)
        .slice(0, 20),
    };
  }

  private async advanceToNextDue(name: string): Promise<AdvanceToNextDueResult> {
    this.requireQueue(name);
    const nowUs = this.engine.queueNowUs(name);
    const next = this.engine.nextDueUs(name);
    if (next === null) return { advancedMs: 0, nextDueMs: null };
    if (next <= nowUs) return { advancedMs: 0, nextDueMs: usToMs(next) };
    await this.engine.advanceQueueClock(name, next - nowUs);
    return { advancedMs: usToMs(next - nowUs), nextDueMs: usToMs(next) };
  }

  // ---- tasks ----

  private ref(a: unknown): { queue: string; id: string } {
    const r = obj<{ queue: string; id: string }>(a);
    return { queue: str(r.queue, 'queue'), id: str(r.id, 'id') };
  }

  private summary(queue: string, id: string): TaskSummary {
    return taskSummary(this.engine, queue, id);
  }

  private task(a: { queue: string; id: string }): TaskDetail {
    const { queue, id } = this.ref(a);
    const detail = taskDetail(this.engine, queue, id, DEFAULT_RETRY);
    return { ...detail, replays: this.replayer.of(`${queue}\n${id}`) };
  }

  private async createTask(args: CreateTaskArgs): Promise<TaskSummary> {
    const queue = str(args.queue, 'queue');
    const url = str(args.url, 'url');
    const method = (args.method || 'POST').toUpperCase();
    const httpRequest: ProtoObject = { url, httpMethod: method, headers: { ...(args.headers ?? {}) } };
    const body = args.bodyBase64 ? Buffer.from(args.bodyBase64, 'base64') : args.body ? Buffer.from(args.body, 'utf8') : undefined;
    if (body?.length) httpRequest.body = body;
    if (args.oidcServiceAccountEmail) {
      httpRequest.oidcToken = { serviceAccountEmail: args.oidcServiceAccountEmail, ...(args.oidcAudience ? { audience: args.oidcAudience } : {}) };
    }
    const task: ProtoObject = { httpRequest };
    if (args.id) task.name = taskName(queue, args.id);
    const delayS = num(args.delayS, 'delayS');
    const at = num(args.scheduleMs, 'scheduleMs');
    if (at !== undefined) task.scheduleTime = protoTimestampUs(msToUs(at));
    else if (delayS) task.scheduleTime = protoTimestampUs(this.engine.queueNowUs(queue) + msToUs(delayS * 1000));
    const created = await this.engine.createTask(queue, task, 'BASIC');
    const id = String(created.name).slice(String(created.name).lastIndexOf('/') + 1);
    return this.summary(queue, id);
  }

  private async duplicate(ref: { queue: string; id: string }): Promise<TaskSummary> {
    const row = this.engine.reads.findTask(ref.queue, ref.id);
    if (!row) throw notFound(`Task ${ref.id} does not exist in ${ref.queue}.`);
    const payload = decodeMessage(PAYLOAD_TYPE, row.payload) as TaskPayload;
    const task: ProtoObject = {};
    const strip = (headers: Record<string, string> | undefined) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers ?? {})) if (!/^(user-agent|content-length)$/i.test(k)) out[k] = v;
      return out;
    };
    if (payload.httpRequest) task.httpRequest = { ...payload.httpRequest, headers: strip(payload.httpRequest.headers) };
    else task.appEngineHttpRequest = { ...payload.appEngineHttpRequest, headers: strip(payload.appEngineHttpRequest?.headers) };
    if (payload.dispatchDeadline) task.dispatchDeadline = payload.dispatchDeadline;
    const created = await this.engine.createTask(ref.queue, task, 'BASIC');
    const id = String(created.name).slice(String(created.name).lastIndexOf('/') + 1);
    return this.summary(ref.queue, id);
  }

  private async replay(args: ReplayArgs): Promise<ReplayView> {
    const { queue, id } = this.ref(args);
    const attemptId = num(args.attemptId, 'attemptId');
    const a = attemptId === undefined ? undefined : this.engine.reads.attempt(attemptId);
    if (!a || a.queue !== queue || a.task_id !== id) throw notFound(`Attempt ${attemptId} of task ${id} does not exist.`);
    const recorded = JSON.parse(a.request);
    let body: Buffer | undefined = recorded.body ? Buffer.from(recorded.body, 'base64') : undefined;
    if (recorded.bodySize > (body?.length ?? 0)) {
      // The attempt kept a 64 KiB excerpt; the task still has the whole body.
      const row = this.engine.reads.findTask(queue, id);
      const p = row ? (decodeMessage(PAYLOAD_TYPE, row.payload) as TaskPayload) : undefined;
      const full = p?.httpRequest?.body ?? p?.appEngineHttpRequest?.body;
      if (full) body = Buffer.from(full);
    }
    const edits = obj<NonNullable<ReplayArgs['edits']>>(args.edits);
    const edited = !!(edits.method || edits.url || edits.headers || edits.bodyBase64 !== undefined);
    if (edits.bodyBase64 !== undefined) body = Buffer.from(edits.bodyBase64, 'base64');
    const url = edits.url || recorded.url;
    try {
      new URL(url);
    } catch {
      throw invalidArgument(`"${url}" is not a URL.`);
    }
    const view = await this.replayer.send(
      `${queue}\n${id}`,
      a.id,
      { method: edits.method || recorded.method, url, headers: edits.headers ?? recorded.headers ?? {}, body },
      edited,
    );
    this.hub.touch(queue, id);
    return view;
  }
}

function protoTimestampUs(us: number): ProtoObject {
  const seconds = Math.floor(us / 1e6);
  return { seconds, nanos: (us - seconds * 1e6) * 1000 };
}
