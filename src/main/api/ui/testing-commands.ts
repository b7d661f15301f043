import type { Engine } from '../../core/engine';
import { invalidArgument, notFound } from '../../core/errors';
import { parseQueueName, shortId } from '../../core/resource-names';
import type { AttemptFilter } from '../../core/store/history-store';
import type {
  AdvanceClockRequest,
  AdvanceClockResponse,
  AttemptsQuery,
  AttemptsResponse,
  ForgetNamesRequest,
  ForgetNamesResponse,
  ResetClockRequest,
  ResetResponse,
  WaitIdleRequest,
  WaitIdleResponse,
} from '../../../shared/testing-contract';
import { MAX_ADVANCE_CLOCK_SECONDS } from '../../../shared/testing-contract';
import { bool, num, obj, optStr } from './command-args';
import { attemptRecord } from './views';

const DEFAULT_WAIT_MS = 10_000;
const MAX_WAIT_MS = 600_000;
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

/** The test helpers over the engine; the UI service serves them as commands over HTTP and IPC. */
export interface TestingOperations {
  reset(): Promise<ResetResponse>;
  forgetNames(args: unknown): Promise<ForgetNamesResponse>;
  waitIdle(args: unknown): Promise<WaitIdleResponse>;
  listAttempts(args: unknown): AttemptsResponse;
  advanceClock(args: unknown): Promise<AdvanceClockResponse>;
  resetClock(args: unknown): Promise<AdvanceClockResponse>;
}

export function testingOperations(engine: Engine): TestingOperations {
  const existingQueue = (name: unknown, field = 'queue'): string => {
    if (typeof name !== 'string' || name === '') throw invalidArgument(`${field} is required (projects/P/locations/L/queues/Q).`);
    parseQueueName(name);
    if (!engine.queueRow(name)) throw notFound(`Queue ${name} does not exist.`);
    return name;
  };
  const optionalQueue = (name: unknown): string | undefined =>
    name === undefined || name === null || name === '' ? undefined : existingQueue(name);

  return {
    async reset() {
      await engine.reset();
      return {};
    },
    async forgetNames(a) {
      const args = obj<ForgetNamesRequest>(a);
      return { released: await engine.forgetReservedNames(optionalQueue(args.queue)) };
    },
    async waitIdle(a) {
      const args = obj<WaitIdleRequest>(a);
      const queue = optionalQueue(args.queue);
      const untilEmpty = bool(args.untilEmpty, 'untilEmpty') ?? false;
      const timeout = args.timeoutMs ?? DEFAULT_WAIT_MS;
      if (typeof timeout !== 'number' || !(timeout >= 0) || timeout > MAX_WAIT_MS) {
        throw invalidArgument(`timeoutMs must be a number of milliseconds from 0 to ${MAX_WAIT_MS}, got ${JSON.stringify(timeout)}.`);
      }
      if (!untilEmpty) return { idle: await engine.waitUntilIdle(queue, timeout) };
      return { idle: await engine.waitUntilEmpty(queue, timeout) };
    },
    listAttempts(a) {
      const args = obj<AttemptsQuery>(a);
      const limit = num(args.limit, 'limit') ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw invalidArgument(`limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(args.limit)}.`);
      }
      const queue = optStr(args.queue, 'queue');
      const task = optStr(args.task, 'task');
      const outcome = optStr(args.outcome, 'outcome');
      const status = optStr(args.status, 'status');
      const filter: AttemptFilter = { order: 'desc', limit };
      if (queue) {
        parseQueueName(queue);
        filter.queue = queue;
      }
      if (task) {
        const parts = task.split('/');
        if (parts.length === 8) {
          if (filter.queue && filter.queue !== parts.slice(0, 6).join('/')) throw invalidArgument('task is not in queue.');
          filter.queue = parts.slice(0, 6).join('/');
        }
        filter.taskId = shortId(task);
      }
      if (outcome) filter.outcome = outcome;
      let statusClass: number | undefined;
      if (status) {
        if (/^\d{3}$/.test(status)) filter.status = Number(status);
        else if (/^[1-5]xx$/i.test(status)) statusClass = Number(status[0]);
        else throw invalidArgument(`status must be an HTTP status (503) or a class (5xx), got "${status}"; use outcome= for outcomes.`);
      }
      let rows = engine.attempts(statusClass === undefined ? filter : { ...filter, limit: undefined });
      if (statusClass !== undefined) {
        rows = rows.filter((r) => r.status !== null && Math.floor(r.status / 100) === statusClass).slice(0, limit);
      }
      return { attempts: rows.reverse().map(attemptRecord) };
    },
    async advanceClock(a) {
      const args = obj<AdvanceClockRequest>(a);
      const byUs = advanceUs(args.seconds);
      const queue = existingQueue(args.queue);
      await engine.advanceQueueClock(queue, byUs);
      return { queue, clockOffsetSeconds: (engine.queueRow(queue)?.clockOffsetUs ?? 0) / 1e6 };
    },
    async resetClock(a) {
      const args = obj<ResetClockRequest>(a);
      const queue = existingQueue(args.queue);
      await engine.resetQueueClock(queue);
      return { queue, clockOffsetSeconds: (engine.queueRow(queue)?.clockOffsetUs ?? 0) / 1e6 };
    },
  };
}

/**
 * advance-clock's `seconds` in microseconds, refused unless it is a number of at least a
 * microsecond and at most MAX_ADVANCE_CLOCK_SECONDS: a huge or infinite move would leave the queue
 * on a clock no time can be computed from.
 */
function advanceUs(seconds: unknown): number {
  const us = typeof seconds === 'number' ? Math.round(seconds * 1e6) : Number.NaN;
  if (!(us >= 1 && us <= MAX_ADVANCE_CLOCK_SECONDS * 1e6)) {
    const got = typeof seconds === 'number' ? String(seconds) : seconds === undefined ? 'nothing' : JSON.stringify(seconds);
    throw invalidArgument(
      `seconds must be a number from 0.000001 to ${MAX_ADVANCE_CLOCK_SECONDS} (366 days), got ${got}.`,
    );
  }
  return us;
}
