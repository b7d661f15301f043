/**
 * The UI contract (src/shared/contract.ts) implemented once over the engine. Both transports call
 * it: HTTP + WebSocket (ui/http-routes.ts, ui/event-socket.ts) and Electron IPC (src/main/ipc.ts).
 * Imports no Electron.
 */
import type { Engine } from '../core/engine';
import { invalidArgument, notFound } from '../core/errors';
import { decodeMessage, type ProtoObject } from '../core/protos';
import { taskName } from '../core/resource-names';
import { QUEUE_DEFAULTS } from '../core/queue-config';
import { PAYLOAD_TYPE, type TaskPayload } from '../core/task-request';
import type {
  ArgsOf,
  CommandName,
  CreateTaskArgs,
  ReplayArgs,
  ReplayView,
  ResultOf,
  RetrySettings,
  ServerInfo,
  TaskDetail,
  TaskSummary,
  UiUpdate,
} from '../../shared/contract';
import { isCommandName } from '../../shared/contract';
import { version } from '../../../package.json';
import { msToUs, usToMs } from './ui/views';
import { num, obj, str } from './ui/command-args';
import { EventHub, type Subscriber } from './ui/event-hub';
import { QueueCommands } from './ui/queue-commands';
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

export class UiService {
  readonly stats: QueueStats;
  readonly hub: EventHub;
  private readonly queues: QueueCommands;
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
    this.queues = new QueueCommands(engine, this.stats, () => this.defaultParent());
    engine.events.on('store:reset', () => this.replayer.clear());
    this.handlers = {
      serverInfo: () => this.serverInfo(),
      listQueues: () => this.stats.all(),
      getQueue: (a) => this.queues.summary(str(obj<{ name: string }>(a).name, 'name')),
      createQueue: (a) => this.queues.create(obj(a)),
      updateQueue: (a) => this.queues.update(obj(a)),
      pauseQueue: async (a) => {
        const name = str(obj<{ name: string }>(a).name, 'name');
        await engine.setQueueState(name, 'PAUSED');
        return this.queues.summary(name);
      },
      resumeQueue: async (a) => {
        const name = str(obj<{ name: string }>(a).name, 'name');
        await engine.setQueueState(name, 'RUNNING');
        return this.queues.summary(name);
      },
      purgeQueue: async (a) => {
        const name = str(obj<{ name: string }>(a).name, 'name');
        await engine.purgeQueue(name);
        return this.queues.summary(name);
      },
      deleteQueue: async (a) => {
        await engine.deleteQueue(str(obj<{ name: string }>(a).name, 'name'));
        return { deleted: true as const };
      },
      queueBreakdown: (a) => this.queues.breakdown(str(obj<{ name: string }>(a).name, 'name'), num(obj<{ limit?: number }>(a).limit, 'limit')),
      reservedNames: (a) => this.queues.reservedNames(str(obj<{ name: string }>(a).name, 'name'), num(obj<{ limit?: number }>(a).limit, 'limit')),
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
      advanceToNextDue: (a) => this.queues.advanceToNextDue(str(obj<{ name: string }>(a).name, 'name')),
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
      defaultParent: this.defaultParent(),
    };
  }

  private defaultParent(): string {
    return this.options.defaultParent ?? 'projects/my-project/locations/us-central1';
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
