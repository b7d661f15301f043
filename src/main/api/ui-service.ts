/**
 * The UI contract (src/shared/contract.ts) implemented once over the engine. Both transports call
 * it: HTTP + WebSocket (ui/http-routes.ts, ui/event-socket.ts) and Electron IPC (src/main/desktop/ipc.ts).
 * Imports no Electron.
 */
import type { Engine } from '../core/engine';
import { invalidArgument } from '../core/errors';
import { taskName } from '../core/resource-names';
import type { ArgsOf, CommandName, ResultOf, RetrySettings, ServerInfo, StatusClass, TaskSort, TaskState, UiUpdate } from '../../shared/contract';
import { isCommandName } from '../../shared/contract';
import { version } from '../../../package.json';
import { bool, num, obj, optStr, str, strArray, taskRef } from './ui/command-args';
import { EventHub, type Subscriber } from './ui/event-hub';
import { QueueCommands } from './ui/queue-commands';
import { QueueStats } from './ui/queue-stats';
import { Replayer } from './ui/replay';
import { retryPlan } from './ui/retry-plan';
import { TaskCommands } from './ui/task-commands';
import { listTasks } from './ui/task-list';
import { timeline } from './ui/timeline';
import { verifyToken } from './ui/token-view';
import { DEFAULT_RETRY_SETTINGS, usToMs } from './ui/views';
import { testingOperations, type TestingOperations } from './ui/testing-commands';

export interface UiServiceOptions {
  /** Endpoints, known once the servers listen. */
  info: () => Omit<ServerInfo, 'version' | 'oidc' | 'defaultParent'>;
  defaultParent?: string;
}

type Handler<K extends CommandName> = (args: ArgsOf<K>) => Promise<ResultOf<K>> | ResultOf<K>;
type Handlers = { [K in CommandName]: Handler<K> };


const TASK_STATES: readonly TaskState[] = ['scheduled', 'due', 'dispatching', 'backing_off', 'succeeded', 'exhausted'];
const STATUS_CLASSES: readonly StatusClass[] = ['2xx', '3xx', '4xx', '5xx', 'network'];
const TASK_SORTS: readonly TaskSort[] = ['schedule', 'created', 'attempts'];

/** An optional string that must be one of `allowed`. */
function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
  const s = optStr(value, field);
  if (s === undefined || s === '') return undefined;
  if (!allowed.includes(s as T)) throw invalidArgument(`${field} must be one of ${allowed.join(', ')}, got "${s}".`);
  return s as T;
}

/** listTasks' states: a list (a GET query string may carry one state as a plain string). */
function taskStates(value: unknown): TaskState[] | undefined {
  const list = strArray(value, 'states');
  list?.forEach((s, i) => oneOf(s, `states[${i}]`, TASK_STATES));
  return list as TaskState[] | undefined;
}

export class UiService {
  readonly stats: QueueStats;
  readonly hub: EventHub;
  private readonly queues: QueueCommands;
  private readonly tasks: TaskCommands;
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
    this.tasks = new TaskCommands(engine, this.hub, this.replayer);
    engine.events.on('store:reset', () => this.replayer.clear());
    this.handlers = {
      serverInfo: () => this.serverInfo(),
      listQueues: () => this.stats.all(),
      getQueue: (a) => this.queues.summary(str(obj<{ name: string }>(a).name, 'name')),
      createQueue: (a) => this.queues.create(a),
      updateQueue: (a) => this.queues.update(a),
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
        return listTasks(engine, {
          queue: str(args.queue, 'queue'),
          states: taskStates(args.states),
          statusClass: oneOf(args.statusClass, 'statusClass', STATUS_CLASSES),
          host: optStr(args.host, 'host'),
          search: optStr(args.search, 'search'),
          sort: oneOf(args.sort, 'sort', TASK_SORTS),
          desc: bool(args.desc, 'desc') ?? false,
          offset: num(args.offset, 'offset'),
          limit: num(args.limit, 'limit'),
        });
      },
      getTask: (a) => this.tasks.detail(a),
      createTask: (a) => this.tasks.create(a),
      runTask: (a) => this.tasks.run(a),
      deleteTask: async (a) => {
        const { queue, id } = taskRef(a);
        await engine.deleteTask(taskName(queue, id));
        return { deleted: true as const };
      },
      duplicateTask: (a) => this.tasks.duplicate(a),
      replayAttempt: (a) => this.tasks.replay(a),
      verifyToken: (a) => {
        const args = obj<ArgsOf<'verifyToken'>>(a);
        const checked = { token: optStr(args.token, 'token') ?? '', audience: optStr(args.audience, 'audience'), url: optStr(args.url, 'url') };
        return verifyToken(engine.tokens, checked, usToMs(engine.clock.nowUs()));
      },
      timeline: (a) => {
        const args = obj<ArgsOf<'timeline'>>(a);
        const queue = str(args.queue, 'queue');
        const fromMs = num(args.fromMs, 'fromMs');
        const toMs = num(args.toMs, 'toMs');
        const limit = num(args.limit, 'limit');
        // The window is in queue time, so an unasked one is centred on the queue's own clock.
        const nowMs = usToMs(engine.queueRow(queue) ? engine.queueNowUs(queue) : engine.clock.nowUs());
        return timeline(engine, { queue, fromMs: fromMs ?? nowMs - 3_600_000, toMs: toMs ?? nowMs + 3_600_000, limit });
      },
      retryPlan: (a) => {
        const args = obj<ArgsOf<'retryPlan'>>(a);
        const r = { ...DEFAULT_RETRY_SETTINGS, ...obj<RetrySettings>(args.retry, 'retry') };
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
      advanceClock: (a) => this.testing.advanceClock(a),
      resetClock: (a) => this.testing.resetClock(a),
      reset: () => this.testing.reset(),
      forgetNames: (a) => this.testing.forgetNames(a),
      waitIdle: (a) => this.testing.waitIdle(a),
      listAttempts: (a) => this.testing.listAttempts(a),
    };
  }

  /** Runs one command; throws ApiError (INVALID_ARGUMENT for an unknown command). */
  async call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
    if (!isCommandName(command)) throw invalidArgument(`Unknown command "${String(command)}".`);
    const handler = this.handlers[command] as Handler<K>;
    // Every handler reads its arguments as an object; anything else is refused here, once.
    return handler(obj(args) as ArgsOf<K>);
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
}
