import type { Engine } from '../../core/engine';
import { notFound } from '../../core/errors';
import { decodeMessage } from '../../core/protos';
import { taskName } from '../../core/resource-names';
import type { AttemptRow } from '../../core/store/history-store';
import type { QueueRow } from '../../core/store/queue-store';
import type { TaskListRow } from '../../core/store/task-reads';
import { isFinishedTaskState, isLiveTaskState, liveTaskState, waitingTaskState } from '../../core/task-state';
import { retryOrigin } from '../../core/dispatch/retry-policy';
import { DEFAULT_DISPATCH_DEADLINE_US, dispatchDeadlineUs, PAYLOAD_TYPE, type TaskPayload } from '../../core/task-request';
import type {
  ListTasksArgs,
  RequestView,
  RetrySettings,
  TaskDetail,
  TaskPage,
  TaskState,
  TaskSummary,
  TimelineArgs,
  TimelineData,
} from '../../../shared/contract';
import { LIVE_TASK_STATES } from '../../../shared/contract';
import { attemptView, headersOf, lastOutcome, requestTarget, retrySettingsOf, statusClassOf, toBase64, usToMs } from './views';
import { taskWhy, taskWhyText, whyContext, type WhyContext } from './wait-reason';
import { backoffGap } from './retry-plan';

const MAX_LIMIT = 500;

/** The task table, the task view and the timeline, in the contract's shapes, from the store's reads. */
export class TaskQueries {
  constructor(private readonly engine: Engine) {}

  whyContext(queue: string): WhyContext | null {
    return whyContext(this.engine, queue);
  }

  list(args: ListTasksArgs): TaskPage {
    const queue = this.engine.queueRow(args.queue);
    if (!queue) throw notFound('Queue does not exist.');
    const nowUs = this.engine.queueNowUs(args.queue);
    const states = args.states?.length ? args.states : [...LIVE_TASK_STATES];
    const live = states.filter(isLiveTaskState);
    const fin = states.filter(isFinishedTaskState);
    const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(args.limit ?? 100)));
    const offset = Math.max(0, Math.floor(args.offset ?? 0));
    const { rows, total } = this.engine.reads.listTasks({
      queue: args.queue, nowUs, live, finished: fin, statusClass: args.statusClass, host: args.host, search: args.search,
      sort: args.sort, desc: args.desc, limit, offset,
    });
    const ctx = this.whyContext(args.queue);
    return {
      total,
      totalIsEstimate: false,
      offset,
      tasks: rows.map((r) => this.summarize(args.queue, r, nowUs, ctx, queue)),
      nowMs: usToMs(nowUs),
    };
  }

  summarize(queueName: string, r: TaskListRow, nowUs: number, ctx: WhyContext | null, queue?: QueueRow): TaskSummary {
    const state: TaskState = r.src === 'fin' ? (r.outcome as TaskState) : liveTaskState(r, nowUs);
    const { method, url } = this.target(decodeMessage(PAYLOAD_TYPE, r.payload) as TaskPayload, queue ?? this.engine.queueRow(queueName));
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

  target(payload: TaskPayload, queue: QueueRow | undefined): { method: string; url: string; target: 'http' | 'appengine' } {
    return requestTarget(payload, queue, this.engine.settings);
  }

  /** The live row, or else the newest finished one. */
  findRow(queue: string, id: string): TaskListRow | undefined {
    return this.engine.reads.findTask(queue, id);
  }

  payloadOf(row: TaskListRow): TaskPayload {
    return decodeMessage(PAYLOAD_TYPE, row.payload) as TaskPayload;
  }

  attemptRow(id: number): AttemptRow | undefined {
    return this.engine.reads.attempt(id);
  }

  detail(queueName: string, id: string, retryDefault: RetrySettings): Omit<TaskDetail, 'replays'> {
    const queue = this.engine.queueRow(queueName);
    const row = this.findRow(queueName, id);
    const nowUs = this.engine.queueNowUs(queueName);
    const sinceUs = row ? row.create_us : 0;
    const attemptRows = this.engine.reads.attemptsSince(queueName, id, sinceUs);
    if (!row && !attemptRows.length) throw notFound(`Task ${id} does not exist in ${queueName}.`);
    const retry = queue ? retrySettingsOf(queue.config) : retryDefault;
    const ctx = this.whyContext(queueName);
    const payload = row ? this.payloadOf(row) : undefined;
    const attempts = attemptRows.map((a) => attemptView(a));
    for (let i = 1; i < attempts.length; i++) {
      const prev = attempts[i - 1];
      const cur = attempts[i];
      if (cur.runTask) {
        cur.gapBefore = {
          failures: prev.attempt, waitedMs: cur.dispatchMs - (prev.responseMs ?? prev.dispatchMs), delayMs: 0,
          rule: 'run_task', formula: 'RunTask: dispatched at once',
        };
        continue;
      }
      const gap = backoffGap(prev.attempt, retry);
      const from = retryOrigin(prev.runTask, prev.dispatchMs, prev.responseMs);
      cur.gapBefore = { ...gap, waitedMs: cur.scheduleMs - from };
    }
    let summary: TaskSummary;
    if (row) summary = this.summarize(queueName, row, nowUs, ctx, queue);
    else {
      const last = attempts[attempts.length - 1];
      summary = {
        queue: queueName, id, state: 'exhausted', method: last.request.method, url: last.request.url,
        scheduleMs: last.scheduleMs, createMs: attempts[0].scheduleMs, dispatchCount: attempts.length,
        responseCount: attempts.filter((a) => a.status !== null).length, lastStatus: last.status,
        lastMessage: last.status !== null ? `HTTP status code ${last.status}` : last.error, lastClass: last.statusClass,
        finishedMs: last.responseMs, why: 'idle',
      };
    }
    let request: RequestView;
    let target: 'http' | 'appengine' = 'http';
    let oidc: TaskDetail['oidc'] = null;
    let oauth: TaskDetail['oauth'] = null;
    let deadlineS = DEFAULT_DISPATCH_DEADLINE_US / 1e6;
    if (payload) {
      const t = this.target(payload, queue);
      target = t.target;
      const req = payload.httpRequest ?? payload.appEngineHttpRequest ?? {};
      const body = toBase64(req.body);
      request = { method: t.method, url: t.url, headers: headersOf(req.headers), bodyBase64: body, bodySize: Buffer.from(body, 'base64').length };
      if (payload.httpRequest?.oidcToken?.serviceAccountEmail) {
        oidc = { serviceAccountEmail: payload.httpRequest.oidcToken.serviceAccountEmail, audience: payload.httpRequest.oidcToken.audience ?? '' };
      }
      if (payload.httpRequest?.oauthToken?.serviceAccountEmail) {
        oauth = {
          serviceAccountEmail: payload.httpRequest.oauthToken.serviceAccountEmail,
          scope: payload.httpRequest.oauthToken.scope || 'https://www.googleapis.com/auth/cloud-platform',
        };
      }
      deadlineS = dispatchDeadlineUs(payload) / 1e6;
    } else {
      const first = attempts[0].request;
      request = { ...first };
    }
    let nextAttempt: TaskDetail['nextAttempt'] = null;
    if (row?.src === 'live' && row.dispatch_count > 0 && row.lease_until_us === null) {
      const gap = backoffGap(row.dispatch_count, retry);
      const last = attempts[attempts.length - 1];
      const from = last ? retryOrigin(last.runTask, last.dispatchMs, last.responseMs) : usToMs(row.schedule_us) - gap.delayMs;
      nextAttempt = { atMs: usToMs(row.schedule_us), gap: { ...gap, waitedMs: usToMs(row.schedule_us) - from } };
    }
    const finished = row?.src === 'fin' ? { outcome: row.outcome as 'succeeded' | 'exhausted', atMs: usToMs(row.finished_us!) } : null;
    return {
      summary,
      name: taskName(queueName, id),
      target,
      request,
      oidc,
      oauth,
      dispatchDeadlineS: deadlineS,
      attempts,
      nextAttempt,
      retry,
      finished,
      deleted: !row,
      whyText: taskWhyText(summary, ctx, queue, nowUs),
    };
  }

  timeline(args: TimelineArgs): TimelineData {
    const q = args.queue;
    if (!this.engine.queueRow(q)) throw notFound('Queue does not exist.');
    const nowUs = this.engine.queueNowUs(q);
    const fromUs = Math.round(args.fromMs * 1000);
    const toUsV = Math.round(args.toMs * 1000);
    const limit = Math.max(1, Math.min(10_000, args.limit ?? 2000));
    const { future: futureRows, futureTotal, buckets, attempts: attemptRows, waiting } = this.engine.reads.timelineRows(q, fromUs, toUsV, limit);
    const backoff: TimelineData['backoff'] = [];
    const byTask = new Map<string, typeof attemptRows>();
    for (const a of attemptRows) {
      let list = byTask.get(a.task_id);
      if (!list) byTask.set(a.task_id, (list = []));
      list.push(a);
    }
    for (const [id, list] of byTask) {
      list.sort((x, y) => x.id - y.id);
      for (let i = 1; i < list.length; i++) {
        if (list[i].run_task) continue;
        const prev = list[i - 1];
        backoff.push({ id, fromMs: usToMs(prev.response_us ?? prev.dispatch_us), toMs: usToMs(list[i].schedule_us) });
      }
    }
    for (const w of waiting) {
      let startMs = usToMs(w.schedule_us);
      try {
        const t = JSON.parse(w.last_attempt ?? '{}').responseTime;
        if (t) startMs = (t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
      } catch {
        /* keep */
      }
      if (startMs <= args.toMs) backoff.push({ id: w.task_id, fromMs: startMs, toMs: usToMs(w.schedule_us) });
    }
    return {
      queue: q,
      nowMs: usToMs(nowUs),
      fromMs: args.fromMs,
      toMs: args.toMs,
      future: futureRows.map((r) => ({
        id: r.task_id,
        atMs: usToMs(r.schedule_us),
        state: waitingTaskState(r, nowUs),
      })),
      futureTotal,
      buckets,
      attempts: attemptRows.map((a) => ({
        id: a.task_id,
        attemptId: a.id,
        atMs: usToMs(a.dispatch_us),
        status: a.status,
        statusClass: statusClassOf(a.status),
      })),
      backoff,
    };
  }
}
