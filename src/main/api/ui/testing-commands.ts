import type { Engine } from '../../core/engine';
import { invalidArgument } from '../../core/errors';
import type {
  AdvanceClockRequest,
  AdvanceClockResponse,
  AttemptRecord,
  AttemptsQuery,
  AttemptsResponse,
  ForgetNamesRequest,
  ForgetNamesResponse,
  ResetResponse,
  WaitIdleRequest,
  WaitIdleResponse,
} from '../../../shared/testing-contract';

export interface TestingCommands {
  reset(): Promise<ResetResponse>;
  forgetNames(args: ForgetNamesRequest): Promise<ForgetNamesResponse>;
  waitIdle(args: WaitIdleRequest): Promise<WaitIdleResponse>;
  listAttempts(args: AttemptsQuery): AttemptsResponse;
  advanceClock(args: AdvanceClockRequest): Promise<AdvanceClockResponse>;
}

const iso = (us: number | null): string | null => (us === null ? null : new Date(us / 1000).toISOString());

/**
 * The test helpers (testing-contract.ts) over the engine, for the IPC transport and the UI. Over
 * HTTP the same commands are answered by testing-routes.ts; both are thin over the same engine
 * calls (reset, forgetReservedNames, waitUntilIdle, advanceQueueClock, the attempts table).
 */
export function testingCommands(engine: Engine): TestingCommands {
  return {
    async reset() {
      await engine.reset();
      return { reset: true };
    },
    async forgetNames(args) {
      return { forgotten: await engine.forgetReservedNames(args.queue || undefined) };
    },
    async waitIdle(args) {
      const timeout = Number(args.timeoutMs ?? 10_000);
      return { idle: await engine.waitUntilIdle(args.queue || undefined, Number.isFinite(timeout) ? timeout : 10_000) };
    },
    listAttempts(args) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (args.queue) (where.push('queue = ?'), params.push(args.queue));
      if (args.task) (where.push('task_id = ?'), params.push(String(args.task).split('/').pop()));
      const status = args.status ? String(args.status) : '';
      if (/^\d{3}$/.test(status)) (where.push('status = ?'), params.push(Number(status)));
      else if (/^[1-5]xx$/i.test(status)) (where.push('status / 100 = ?'), params.push(Number(status[0])));
      else if (status) (where.push('outcome = ?'), params.push(status));
      const limit = Math.max(1, Math.min(10_000, Number(args.limit ?? 1000) || 1000));
      const rows = engine.db
        .prepare(`SELECT * FROM attempts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${limit}`)
        .all(...params) as any[];
      return {
        attempts: rows.map(
          (r): AttemptRecord => ({
            id: r.id,
            queue: r.queue,
            task: r.task_id,
            attempt: r.attempt,
            scheduleTime: iso(r.schedule_us)!,
            dispatchTime: iso(r.dispatch_us)!,
            responseTime: iso(r.response_us),
            durationMs: r.duration_ms,
            status: r.status,
            outcome: r.outcome,
            error: r.error,
            runTask: !!r.run_task,
            request: JSON.parse(r.request),
            response: r.response ? JSON.parse(r.response) : null,
          }),
        ),
      };
    },
    async advanceClock(args) {
      const seconds = Number(args.seconds);
      if (!args.queue || !(seconds > 0)) throw invalidArgument('advance-clock needs {queue, seconds > 0}.');
      await engine.advanceQueueClock(args.queue, Math.round(seconds * 1e6));
      const row = engine.queues.get(args.queue);
      return { queue: args.queue, clockOffsetSeconds: (row?.clockOffsetUs ?? 0) / 1e6 };
    },
  };
}
