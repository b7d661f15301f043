import type { Clock } from './clock';
import type { Dispatcher } from './dispatch/dispatcher';
import { Messages, alreadyExists, invalidArgument, notFound } from './errors';
import type { EngineEventBus } from './events';
import { decodePageToken, encodePageToken, pageSizeOf } from './page-token';
import { decodeMessage, type ProtoObject } from './protos';
import { fromUs } from './proto-time';
import { appEngineHost } from './queue-config';
import type { QueueOperations } from './queue-operations';
import { parseQueueName, parseTaskName, taskName } from './resource-names';
import type { EngineSettings } from './settings';
import type { HistoryStore } from './store/history-store';
import type { QueueRow, QueueStore } from './store/queue-store';
import type { TaskRow, TaskStore } from './store/task-store';
import type { WriteBatcher } from './store/write-batcher';
import type { TaskIdGenerator } from './task-id-generator';
import { PAYLOAD_TYPE, validateTaskRequest } from './task-request';

export type TaskView = 'BASIC' | 'FULL';

const MAX_TASK_PAGE = 1000;

function viewOf(view: string | undefined): TaskView {
  return view === 'FULL' ? 'FULL' : 'BASIC';
}

/** What a task operation works with. */
export interface TaskOperationParts {
  queueOps: QueueOperations;
  queues: QueueStore;
  tasks: TaskStore;
  history: HistoryStore;
  writes: WriteBatcher;
  dispatcher: Dispatcher;
  events: EngineEventBus;
  clock: Clock;
  settings: EngineSettings;
  taskIds: TaskIdGenerator;
}

/**
 * Cloud Tasks' task operations (CreateTask with de-duplication, Get/List, Delete, RunTask) and
 * the Task message a stored row reads as.
 */
export class TaskOperations {
  private readonly queueOps: QueueOperations;
  private readonly queues: QueueStore;
  private readonly tasks: TaskStore;
  private readonly history: HistoryStore;
  private readonly writes: WriteBatcher;
  private readonly dispatcher: Dispatcher;
  private readonly events: EngineEventBus;
  private readonly clock: Clock;
  private readonly settings: EngineSettings;
  private readonly taskIds: TaskIdGenerator;

  constructor(parts: TaskOperationParts) {
    ({
      queueOps: this.queueOps, queues: this.queues, tasks: this.tasks, history: this.history, writes: this.writes,
      dispatcher: this.dispatcher, events: this.events, clock: this.clock, settings: this.settings, taskIds: this.taskIds,
    } = parts);
  }

  taskView(row: TaskRow, view: TaskView, queue?: QueueRow, decoded?: ProtoObject): ProtoObject {
    const payload = decoded ?? decodeMessage(PAYLOAD_TYPE, row.payload);
    const task: ProtoObject = { name: taskName(row.queue, row.task_id) };
    if (payload.httpRequest) {
      task.httpRequest = payload.httpRequest;
      if (view === 'BASIC') delete task.httpRequest.body;
    } else if (payload.appEngineHttpRequest) {
      const req = payload.appEngineHttpRequest;
      const q = queue ?? this.queues.get(row.queue);
      const routing = q?.config.appEngineRoutingOverride ?? req.appEngineRouting;
      req.appEngineRouting = { ...(routing ?? {}), host: appEngineHost(parseQueueName(row.queue).project, routing) };
      if (view === 'BASIC') delete req.body;
      task.appEngineHttpRequest = req;
    }
    task.scheduleTime = fromUs(row.schedule_us);
    // Cloud Tasks reports create_time truncated to whole seconds.
    task.createTime = { seconds: Math.floor(row.create_us / 1_000_000) };
    if (payload.dispatchDeadline) task.dispatchDeadline = payload.dispatchDeadline;
    if (row.dispatch_count) task.dispatchCount = row.dispatch_count;
    if (row.response_count) task.responseCount = row.response_count;
    if (row.first_dispatch_us) task.firstAttempt = { dispatchTime: fromUs(row.first_dispatch_us) };
    if (row.last_attempt) task.lastAttempt = JSON.parse(row.last_attempt);
    if (payload.retryConfig) task.retryConfig = payload.retryConfig;
    task.view = view;
    return task;
  }

  listTasks(parent: string, view: string | undefined, pageSize: number | undefined, pageToken: string | undefined) {
    parseQueueName(parent);
    const queue = this.queueOps.requireQueue(parent);
    const size = pageSizeOf(pageSize, MAX_TASK_PAGE);
    const now = this.clock.nowUs();
    const [afterSchedule, afterSeq] = pageToken
      ? (decodePageToken(pageToken, '', now) as [number, number])
      : [-Infinity, -Infinity];
    const rows = this.tasks.list(parent, Number(afterSchedule), Number(afterSeq), size + 1);
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      tasks: page.map((r) => this.taskView(r, viewOf(view), queue)),
      nextPageToken:
        rows.length > size ? encodePageToken([last.schedule_us, last.seq], '', now + this.settings.pageTokenTtlMs * 1000) : '',
    };
  }

  getTask(name: string, view: string | undefined): ProtoObject {
    const n = parseTaskName(name);
    const row = this.tasks.get(n.full, n.task);
    if (!row) throw notFound(this.existedRecently(n.full, n.task) ? Messages.taskTooRecent : Messages.entityMissing);
    return this.taskView(row, viewOf(view));
  }

  /**
   * Whether a task of this name left the queue within the name-reservation window. A finished
   * task with a generated ID reserves no name (dispatch writes no tombstone for it), so its
   * history row answers instead.
   */
  private existedRecently(queue: string, taskId: string): boolean {
    const now = this.clock.nowUs();
    const until = this.tasks.reservedUntil(queue, taskId);
    if (until !== undefined && until > now) return true;
    const finished = this.history.finished(queue, taskId);
    return !!finished && finished.finished_us + this.settings.taskTombstoneTtlMs * 1000 > now;
  }

  async createTask(parent: string, task: ProtoObject, view: string | undefined): Promise<ProtoObject> {
    const queueName = parseQueueName(parent);
    let taskId: string | undefined;
    if (task?.name) {
      const parts = task.name.split('/');
      if (parts.length === 8 && parts[6] === 'tasks' && parts.slice(0, 6).join('/') !== parent) {
        throw invalidArgument(
          `The queue name from request ('${parent}') must be the same as the queue name in the named task ('${parts.slice(0, 6).join('/')}').`,
        );
      }
      const n = parseTaskName(task.name);
      taskId = n.task;
    }
    if (!task) throw invalidArgument('task is required.');
    const queue = this.queueOps.requireQueue(queueName.full);
    const { payload, encoded, scheduleUs } = validateTaskRequest(task, queue.config, this.settings, this.clock.nowUs());
    const named = taskId !== undefined;
    return this.writes.run(() => {
      const now = this.clock.nowUs();
      const q = this.queueOps.requireQueue(queueName.full);
      let id = taskId;
      if (id !== undefined) {
        if (this.tasks.get(q.name, id)) throw alreadyExists(Messages.taskExists);
        const until = this.tasks.reservedUntil(q.name, id);
        if (until !== undefined) {
          if (until > now) throw alreadyExists(Messages.taskExists);
          this.tasks.releaseName(q.name, id);
        }
      } else {
        id = this.taskIds.next();
      }
      const schedule = Math.max(scheduleUs, now);
      const seq = this.tasks.insert({ queue: q.name, taskId: id, scheduleUs: schedule, createUs: now, payload: encoded, named });
      this.dispatcher.taskAdded(q.name, schedule);
      this.events.announce('task:changed', { queue: q.name, taskId: id });
      const row: TaskRow = {
        seq, queue: q.name, task_id: id, schedule_us: schedule, create_us: now, dispatch_count: 0, response_count: 0,
        first_dispatch_us: null, last_attempt: null, lease_until_us: null, named: named ? 1 : 0,
        payload: Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength),
      };
      return this.taskView(row, viewOf(view), q, payload);
    }, { checksFirst: true /* every check runs before the one INSERT: a failure leaves nothing to undo */ }).catch((err) => {
      if (!named && err?.code === 'SQLITE_CONSTRAINT_UNIQUE') return this.createTask(parent, task, view);
      throw err;
    });
  }

  async deleteTask(name: string): Promise<void> {
    const n = parseTaskName(name);
    await this.writes.run(() => {
      const reserveUntil = this.clock.nowUs() + this.settings.taskTombstoneTtlMs * 1000;
      if (!this.tasks.delete(n.full, n.task, reserveUntil)) throw notFound(Messages.entityMissing);
      this.events.announce('task:changed', { queue: n.full, taskId: n.task });
    });
  }

  /** RunTask: dispatches now and returns the task as it is right after dispatch, before any answer. */
  runTask(name: string, view: string | undefined): ProtoObject {
    const n = parseTaskName(name);
    if (!this.tasks.get(n.full, n.task)) throw notFound(Messages.entityMissing);
    this.dispatcher.runNow(n.full, n.task);
    return this.taskView(this.tasks.get(n.full, n.task)!, viewOf(view));
  }
}
