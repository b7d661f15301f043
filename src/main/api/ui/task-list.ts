import type { Engine } from '../../core/engine';
import { notFound } from '../../core/errors';
import { decodeMessage } from '../../core/protos';
import type { QueueRow } from '../../core/store/queue-store';
import type { TaskListRow } from '../../core/store/task-reads';
import { isFinishedTaskState, isLiveTaskState, liveTaskState } from '../../core/task-state';
import { PAYLOAD_TYPE, type TaskPayload } from '../../core/task-request';
import type { ListTasksArgs, TaskPage, TaskState, TaskSummary } from '../../../shared/contract';
import { LIVE_TASK_STATES } from '../../../shared/contract';
import { lastOutcome, requestTarget, usToMs } from './views';
import { taskWhy, whyContext, type WhyContext } from './wait-reason';

const MAX_LIMIT = 500;

/** The task table: one page of a queue's tasks that match the filters, in the order asked for. */
export function listTasks(engine: Engine, args: ListTasksArgs): TaskPage {
  const queue = engine.queueRow(args.queue);
  if (!queue) throw notFound('Queue does not exist.');
  const nowUs = engine.queueNowUs(args.queue);
  const states = args.states?.length ? args.states : [...LIVE_TASK_STATES];
  const live = states.filter(isLiveTaskState);
  const fin = states.filter(isFinishedTaskState);
  const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(args.limit ?? 100)));
  const offset = Math.max(0, Math.floor(args.offset ?? 0));
  const { rows, total } = engine.reads.listTasks({
    queue: args.queue, nowUs, live, finished: fin, statusClass: args.statusClass, host: args.host, search: args.search,
    sort: args.sort, desc: args.desc, limit, offset,
  });
  const ctx = whyContext(engine, args.queue);
  return {
    total,
    totalIsEstimate: false,
    offset,
    tasks: rows.map((r) => summarize(engine, args.queue, r, nowUs, ctx, queue)),
    nowMs: usToMs(nowUs),
  };
}

/** One task as a row of the task table: the live task, or else the newest finished one of that name. */
export function taskSummary(engine: Engine, queue: string, id: string): TaskSummary {
  const row = engine.reads.findTask(queue, id);
  if (!row) throw notFound(`Task ${id} does not exist in ${queue}.`);
  return summarize(engine, queue, row, engine.queueNowUs(queue), whyContext(engine, queue));
}

/** A live or finished task row in the task table's shape. */
export function summarize(engine: Engine, queueName: string, r: TaskListRow, nowUs: number, ctx: WhyContext | null, queue?: QueueRow): TaskSummary {
  const state: TaskState = r.src === 'fin' ? (r.outcome as TaskState) : liveTaskState(r, nowUs);
  const { method, url } = requestTarget(decodeMessage(PAYLOAD_TYPE, r.payload) as TaskPayload, queue ?? engine.queueRow(queueName), engine.settings);
  const last = lastOutcome(r.last_attempt);
  return {
    queue: queueName,
    id: r.task_id,
    state,
    method,
    url,
    scheduleMs: usToMs(r.schedule_us),
    createMs: usToMs(r.create_us),
    dispatchCount: r.dispatch_count,
    responseCount: r.response_count,
    lastStatus: last.status,
    lastMessage: last.message,
    lastClass: last.cls,
    finishedMs: r.finished_us === null ? null : usToMs(r.finished_us),
    why: taskWhy(state, ctx),
  };
}
