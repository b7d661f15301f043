/**
 * The UI contract (src/shared/contract.ts) implemented once over the engine. Both transports call
 * it: HTTP + WebSocket (ui/http-routes.ts, ui/event-socket.ts) and Electron IPC (src/main/desktop/ipc.ts).
 * Imports no Electron.
 */
import type { Engine } from '../core/engine';
import { invalidArgument } from '../core/errors';
import { taskName } from '../core/resource-names';
import type { ArgsOf, CommandName, ResultOf, RetrySettings, ServerInfo, TaskState, UiUpdate } from '../../shared/contract';
import { isCommandName } from '../../shared/contract';
import { version } from '../../../package.json';
import { num, obj, str, taskRef } from './ui/command-args';
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
          // A GET query string may carry one state as a plain string.
          states: args.states === undefined ? undefined : ([] as TaskState[]).concat(args.states),
          offset: num(args.offset, 'offset'),
          limit: num(args.limit, 'limit'),
          desc: args.desc === true || (args.desc as unknown) === 'true',
        });
      },
      getTask: (a) => this.tasks.detail(a),
      createTask: (a) => this.tasks.create(obj(a)),
      runTask: (a) => this.tasks.run(a),
      deleteTask: async (a) => {
        const { queue, id } = taskRef(a);
        await engine.deleteTask(taskName(queue, id));
        return { deleted: true as const };
      },
      duplicateTask: (a) => this.tasks.duplicate(a),
      replayAttempt: (a) => this.tasks.replay(obj(a)),
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
        const r = { ...DEFAULT_RETRY_SETTINGS, ...obj<Partial<RetrySettings>>(args.retry) };
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
      resetClock: (a) => this.testing.resetClock(obj(a)),
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
}
