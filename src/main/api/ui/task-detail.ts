import type { Engine } from '../../core/engine';
import { notFound } from '../../core/errors';
import { decodeMessage } from '../../core/protos';
import { taskName } from '../../core/resource-names';
import { retryOrigin } from '../../core/dispatch/retry-policy';
import { DEFAULT_DISPATCH_DEADLINE_US, dispatchDeadlineUs, PAYLOAD_TYPE, type TaskPayload } from '../../core/task-request';
import type { RequestView, RetrySettings, TaskDetail, TaskSummary } from '../../../shared/contract';
import { backoffGap } from './retry-plan';
import { summarize } from './task-list';
import { attemptView, headersOf, requestTarget, retrySettingsOf, toBase64, usToMs } from './views';
import { taskWhyText, whyContext } from './wait-reason';

/**
 * One task in full: its summary, request, attempts with the backoff before each, the next attempt
 * and the rule behind it, and how it ended. A task no longer in the store is shown from its attempts.
 */
export function taskDetail(engine: Engine, queueName: string, id: string, retryDefault: RetrySettings): Omit<TaskDetail, 'replays'> {
  const queue = engine.queueRow(queueName);
  const row = engine.reads.findTask(queueName, id);
  const nowUs = engine.queueNowUs(queueName);
  const sinceUs = row ? row.create_us : 0;
  const attemptRows = engine.reads.attemptsSince(queueName, id, sinceUs);
  if (!row && !attemptRows.length) throw notFound(`Task ${id} does not exist in ${queueName}.`);
  const retry = queue ? retrySettingsOf(queue.config) : retryDefault;
  const ctx = whyContext(engine, queueName);
  const payload = row ? (decodeMessage(PAYLOAD_TYPE, row.payload) as TaskPayload) : undefined;
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
  if (row) summary = summarize(engine, queueName, row, nowUs, ctx, queue);
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
    const t = requestTarget(payload, queue, engine.settings);
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
