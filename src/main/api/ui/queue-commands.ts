/**
 * The UI's queue commands beyond pause, resume, purge and delete: create and update from the UI's
 * shapes, reserved names, the handler breakdown, advance to next due.
 */
import type { Engine } from '../../core/engine';
import { notFound } from '../../core/errors';
import type { ProtoObject } from '../../core/protos';
import { parseQueueName } from '../../core/resource-names';
import type {
  AdvanceToNextDueResult,
  CreateQueueArgs,
  QueueBreakdown,
  QueueSummary,
  ReservedNames,
  RetrySettings,
  StatusClass,
  UpdateQueueArgs,
} from '../../../shared/contract';
import { num, obj, optStr, str } from './command-args';
import type { QueueStats } from './queue-stats';
import { protoDuration, statusClassOf, usToMs } from './views';

export class QueueCommands {
  constructor(
    private readonly engine: Engine,
    private readonly stats: QueueStats,
    /** projects/P/locations/L for a queue created by ID alone. */
    private readonly defaultParent: () => string,
  ) {}

  /** Throws NOT_FOUND unless the queue exists. */
  requireQueue(name: string): void {
    if (!this.engine.queueRow(name)) throw notFound(`Queue ${name} does not exist.`);
  }

  /** The queue as the overview shows it; throws NOT_FOUND. */
  summary(name: string): QueueSummary {
    const q = this.stats.one(name);
    if (!q) throw notFound(`Queue ${name} does not exist.`);
    return q;
  }

  async create(a: unknown): Promise<QueueSummary> {
    const args = obj<CreateQueueArgs>(a);
    let name = optStr(args.name, 'name');
    const { body } = queueFields(args);
    if (!name) {
      const [, project, , location] = this.defaultParent().split('/');
      const p = optStr(args.project, 'project') || project;
      const l = optStr(args.location, 'location') || location;
      name = `projects/${p}/locations/${l}/queues/${str(args.id, 'id')}`;
    }
    const parsed = parseQueueName(name);
    await this.engine.createQueue(`projects/${parsed.project}/locations/${parsed.location}`, { ...body, name: parsed.full });
    return this.summary(parsed.full);
  }

  /** Sets only the fields given (an update mask of them). */
  async update(a: unknown): Promise<QueueSummary> {
    const args = obj<UpdateQueueArgs>(a);
    const name = str(args.name, 'name');
    const { body, paths } = queueFields(args);
    this.requireQueue(name);
    if (paths.length) await this.engine.updateQueue({ ...body, name }, paths);
    return this.summary(name);
  }

  /** Task names the queue still refuses (de-duplication), the latest `limit` (at most 1,000). */
  reservedNames(name: string, limit = 100): ReservedNames {
    this.requireQueue(name);
    const { total, names } = this.engine.reservedNames(name, Math.max(1, Math.min(1000, limit)));
    return { name, total, names: names.map((r) => ({ id: r.task_id, untilMs: usToMs(r.expires_us) })) };
  }

  /** Status, latency and target breakdown of the queue's newest `limit` attempts (at most 50,000). */
  breakdown(name: string, limit = 5000): QueueBreakdown {
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

  /** Moves the queue's clock to its next task's schedule time, unless something is due already. */
  async advanceToNextDue(name: string): Promise<AdvanceToNextDueResult> {
    this.requireQueue(name);
    const nowUs = this.engine.queueNowUs(name);
    const next = this.engine.nextDueUs(name);
    if (next === null) return { advancedMs: 0, nextDueMs: null };
    if (next <= nowUs) return { advancedMs: 0, nextDueMs: usToMs(next) };
    await this.engine.advanceQueueClock(name, next - nowUs);
    return { advancedMs: usToMs(next - nowUs), nextDueMs: usToMs(next) };
  }
}

/** The queue fields a create or update sets, as a Queue body and its update mask paths. */
function queueFields(args: { rateLimits?: CreateQueueArgs['rateLimits']; retry?: Partial<RetrySettings> }): { body: ProtoObject; paths: string[] } {
  const body: ProtoObject = {};
  const paths: string[] = [];
  const rl = obj<NonNullable<CreateQueueArgs['rateLimits']>>(args.rateLimits, 'rateLimits');
  const rate = num(rl.maxDispatchesPerSecond, 'rateLimits.maxDispatchesPerSecond');
  const conc = num(rl.maxConcurrentDispatches, 'rateLimits.maxConcurrentDispatches');
  if (rate !== undefined || conc !== undefined) {
    body.rateLimits = {};
    if (rate !== undefined) {
      body.rateLimits.maxDispatchesPerSecond = rate;
      paths.push('rateLimits.maxDispatchesPerSecond');
    }
    if (conc !== undefined) {
      body.rateLimits.maxConcurrentDispatches = conc;
      paths.push('rateLimits.maxConcurrentDispatches');
    }
  }
  const r = obj<RetrySettings>(args.retry, 'retry');
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
