/** The UI's task commands beyond delete: the task view, create from the form, run now, duplicate, replay an attempt. */
import type { Engine } from '../../core/engine';
import { invalidArgument, notFound } from '../../core/errors';
import { decodeMessage, type ProtoObject } from '../../core/protos';
import { shortId, taskName } from '../../core/resource-names';
import { PAYLOAD_TYPE, type TaskPayload } from '../../core/task-request';
import type { CreateTaskArgs, ReplayArgs, ReplayView, TaskDetail, TaskSummary } from '../../../shared/contract';
import { num, obj, optStr, str, strMap, taskRef } from './command-args';
import type { EventHub } from './event-hub';
import type { Replayer } from './replay';
import { taskDetail } from './task-detail';
import { taskSummary } from './task-list';
import { DEFAULT_RETRY_SETTINGS, msToUs } from './views';

export class TaskCommands {
  constructor(
    private readonly engine: Engine,
    private readonly hub: EventHub,
    private readonly replayer: Replayer,
  ) {}

  /** The task in full, with the replays of its attempts made in this session. */
  detail(a: unknown): TaskDetail {
    const { queue, id } = taskRef(a);
    const detail = taskDetail(this.engine, queue, id, DEFAULT_RETRY_SETTINGS);
    return { ...detail, replays: this.replayer.of(`${queue}\n${id}`) };
  }

  /** An HTTP task from the create-task form. */
  async create(a: unknown): Promise<TaskSummary> {
    const args = obj<CreateTaskArgs>(a);
    const queue = str(args.queue, 'queue');
    const id = optStr(args.id, 'id');
    const url = str(args.url, 'url');
    const method = (optStr(args.method, 'method') || 'POST').toUpperCase();
    const headers = strMap(args.headers, 'headers');
    const text = optStr(args.body, 'body');
    const base64 = optStr(args.bodyBase64, 'bodyBase64');
    const oidcEmail = optStr(args.oidcServiceAccountEmail, 'oidcServiceAccountEmail');
    const oidcAudience = optStr(args.oidcAudience, 'oidcAudience');
    const delayS = num(args.delayS, 'delayS');
    const at = num(args.scheduleMs, 'scheduleMs');
    const httpRequest: ProtoObject = { url, httpMethod: method, headers: { ...headers } };
    const body = base64 ? Buffer.from(base64, 'base64') : text ? Buffer.from(text, 'utf8') : undefined;
    if (body?.length) httpRequest.body = body;
    if (oidcEmail) httpRequest.oidcToken = { serviceAccountEmail: oidcEmail, ...(oidcAudience ? { audience: oidcAudience } : {}) };
    const task: ProtoObject = { httpRequest };
    if (id) task.name = taskName(queue, id);
    if (at !== undefined) task.scheduleTime = protoTimestampUs(msToUs(at));
    else if (delayS) task.scheduleTime = protoTimestampUs(this.engine.queueNowUs(queue) + msToUs(delayS * 1000));
    const created = await this.engine.createTask(queue, task, 'BASIC');
    return taskSummary(this.engine, queue, shortId(String(created.name)));
  }

  /** RunTask from the UI: dispatched now, whatever its schedule. */
  run(a: unknown): TaskSummary {
    const { queue, id } = taskRef(a);
    this.engine.runTask(taskName(queue, id), 'BASIC');
    this.hub.touch(queue, id);
    return taskSummary(this.engine, queue, id);
  }

  /** A new task with the same request (User-Agent and Content-Length are set again at dispatch). */
  async duplicate(a: unknown): Promise<TaskSummary> {
    const ref = taskRef(a);
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
    const id = shortId(String(created.name));
    return taskSummary(this.engine, ref.queue, id);
  }

  /** Sends a recorded attempt's request again, as recorded or with edits; the task is not touched. */
  async replay(input: unknown): Promise<ReplayView> {
    const args = obj<ReplayArgs>(input);
    const { queue, id } = taskRef(args);
    const attemptId = num(args.attemptId, 'attemptId');
    const e = obj<NonNullable<ReplayArgs['edits']>>(args.edits, 'edits');
    const edits = {
      method: optStr(e.method, 'edits.method'),
      url: optStr(e.url, 'edits.url'),
      headers: strMap(e.headers, 'edits.headers'),
      bodyBase64: optStr(e.bodyBase64, 'edits.bodyBase64'),
    };
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
