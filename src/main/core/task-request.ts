import { invalidArgument } from './errors';
import { headerValueProblem, isHeaderName } from './http-header-rule';
import { encodeMessage, type ProtoObject } from './protos';
import { fromUs, isSet, toUs } from './proto-time';
import type { QueueConfig } from './queue-config';
import type { EngineSettings } from './settings';

/** What CreateTask stores for a task, besides its name and times (the v2beta3 Task shape). */
export interface TaskPayload {
  httpRequest?: ProtoObject;
  appEngineHttpRequest?: ProtoObject;
  dispatchDeadline?: { seconds?: number; nanos?: number };
  retryConfig?: ProtoObject;
}

export const PAYLOAD_TYPE = 'google.cloud.tasks.v2beta3.Task';

export const HTTP_USER_AGENT = 'Google-Cloud-Tasks';
export const APP_ENGINE_USER_AGENT = 'AppEngine-Google; (+http://code.google.com/appengine)';

/** The dispatch deadline of a task that sets none: 10 minutes (HTTP and App Engine targets alike). */
export const DEFAULT_DISPATCH_DEADLINE_US = 600_000_000;

/** How long an attempt of this task may take before it counts as failed. */
export function dispatchDeadlineUs(payload: TaskPayload): number {
  return toUs(payload.dispatchDeadline) || DEFAULT_DISPATCH_DEADLINE_US;
}

const HTTP_BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const APP_ENGINE_BODY_METHODS = new Set(['POST', 'PUT']);
const MAX_URL = 2083;
const MAX_HEADER_BYTES = 80 * 1024;
const MIN_DEADLINE_US = 15_000_000;
const MAX_HTTP_DEADLINE_US = 30 * 60_000_000;
const MAX_APP_ENGINE_DEADLINE_US = (24 * 3600 + 15) * 1_000_000;

function methodOf(method: string | undefined): string {
  return !method || method === 'HTTP_METHOD_UNSPECIFIED' ? 'POST' : method;
}

function withoutHeader(headers: Record<string, string>, name: string): [Record<string, string>, string | undefined] {
  const out: Record<string, string> = {};
  let found: string | undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) found = v;
    else out[k] = v;
  }
  return [out, found];
}

function checkHeaders(headers: Record<string, string>, field: string): void {
  let size = 0;
  for (const [k, v] of Object.entries(headers)) {
    if (!isHeaderName(k)) throw invalidArgument(`${field} has an invalid header name ${JSON.stringify(k)}.`);
    const problem = headerValueProblem(v);
    if (problem) throw invalidArgument(`${field}["${k}"] ${problem}.`);
    size += k.length + v.length + 4;
  }
  if (size >= MAX_HEADER_BYTES) throw invalidArgument(`${field} must be smaller than 80 KB in total, got ${size} bytes.`);
}

function deadline(task: ProtoObject, isHttp: boolean, settings: EngineSettings) {
  const set = isSet(task.dispatchDeadline);
  const us = toUs(task.dispatchDeadline);
  if (!set) return isHttp ? fromUs(DEFAULT_DISPATCH_DEADLINE_US) : undefined;
  const min = settings.liftLimits ? 1 : MIN_DEADLINE_US;
  const max = isHttp ? MAX_HTTP_DEADLINE_US : MAX_APP_ENGINE_DEADLINE_US;
  if (us < min || (!settings.liftLimits && us > max)) {
    throw invalidArgument(
      `Task.dispatch_deadline must be between ${min / 1e6}s and ${max / 1e6}s for ${isHttp ? 'HTTP' : 'App Engine'} tasks, got ${us / 1e6}s.`,
    );
  }
  // Cloud Tasks keeps the deadline at millisecond precision.
  return fromUs(Math.floor(us / 1000) * 1000);
}

function httpPayload(req: ProtoObject, queue: QueueConfig): ProtoObject {
  const url: string = req.url ?? '';
  if (!url) {
    if (!queue.httpTarget?.uriOverride?.host) throw invalidArgument('HttpRequest.url is required.');
  } else {
    if (!/^https?:\/\//i.test(url)) throw invalidArgument("HttpTarget.url must start with 'http://' or 'https://'.");
    if (url.length > MAX_URL) throw invalidArgument(`HttpRequest.url must be at most ${MAX_URL} characters, got ${url.length}.`);
    try {
      new URL(url);
    } catch {
      throw invalidArgument(`HttpRequest.url "${url}" is not a valid URL.`);
    }
  }
  const method = methodOf(req.httpMethod);
  const body: Buffer | undefined = req.body && req.body.length ? req.body : undefined;
  if (body && !HTTP_BODY_METHODS.has(method)) {
    throw invalidArgument(`HttpRequest.body is only allowed with POST, PUT or PATCH, not ${method}.`);
  }
  const [headers] = withoutHeader({ ...(req.headers ?? {}) }, 'user-agent');
  checkHeaders(headers, 'HttpRequest.headers');
  headers['User-Agent'] = HTTP_USER_AGENT;
  if (req.oidcToken && req.oauthToken) throw invalidArgument('HttpRequest may set oidc_token or oauth_token, not both.');
  if (req.oidcToken && !req.oidcToken.serviceAccountEmail) {
    throw invalidArgument('HttpRequest.oidc_token.service_account_email is required.');
  }
  if (req.oauthToken && !req.oauthToken.serviceAccountEmail) {
    throw invalidArgument('HttpRequest.oauth_token.service_account_email is required.');
  }
  const out: ProtoObject = { url, httpMethod: method, headers };
  if (body) out.body = body;
  if (req.oidcToken) out.oidcToken = { ...req.oidcToken };
  if (req.oauthToken) out.oauthToken = { ...req.oauthToken };
  return out;
}

function appEnginePayload(req: ProtoObject): ProtoObject {
  const relativeUri: string = req.relativeUri || '/';
  if (!relativeUri.startsWith('/')) throw invalidArgument('AppEngineHttpRequest.relative_uri must begin with "/".');
  if (/\s/.test(relativeUri)) throw invalidArgument('AppEngineHttpRequest.relative_uri must not contain spaces.');
  if (relativeUri.length > MAX_URL) throw invalidArgument(`AppEngineHttpRequest.relative_uri must be at most ${MAX_URL} characters.`);
  const method = methodOf(req.httpMethod);
  const body: Buffer | undefined = req.body && req.body.length ? req.body : undefined;
  if (body && !APP_ENGINE_BODY_METHODS.has(method)) {
    throw invalidArgument(`AppEngineHttpRequest.body is only allowed with POST or PUT, not ${method}.`);
  }
  let headers: Record<string, string> = { ...(req.headers ?? {}) };
  for (const reserved of ['host', 'content-length']) headers = withoutHeader(headers, reserved)[0];
  for (const k of Object.keys(headers)) {
    if (/^x-(google|appengine)-/i.test(k)) delete headers[k];
  }
  const [rest, ua] = withoutHeader(headers, 'user-agent');
  headers = rest;
  checkHeaders(headers, 'AppEngineHttpRequest.headers');
  // Production stores these three on the task, so GetTask shows them
  // (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task: scheduleTime, createTime, dispatchDeadline).
  headers['User-Agent'] = ua ? `${ua} ${APP_ENGINE_USER_AGENT}` : APP_ENGINE_USER_AGENT;
  if (body) {
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/octet-stream';
    headers['Content-Length'] = String(body.length);
  }
  const out: ProtoObject = { httpMethod: method, relativeUri, headers };
  if (req.appEngineRouting) {
    const { service, version, instance } = req.appEngineRouting;
    out.appEngineRouting = { ...(service ? { service } : {}), ...(version ? { version } : {}), ...(instance ? { instance } : {}) };
  }
  if (body) out.body = body;
  return out;
}

export interface ValidatedTask {
  payload: TaskPayload;
  /** The payload as stored (PAYLOAD_TYPE). */
  encoded: Uint8Array;
  scheduleUs: number;
}

export function validateTaskRequest(
  task: ProtoObject,
  queue: QueueConfig,
  settings: EngineSettings,
  nowUs: number,
): ValidatedTask {
  if (queue.liftLimits && !settings.liftLimits) settings = { ...settings, liftLimits: true };
  if (task.httpRequest && task.appEngineHttpRequest) {
    throw invalidArgument('Task may have an http_request or an app_engine_http_request, not both.');
  }
  if (!task.httpRequest && !task.appEngineHttpRequest) {
    if (task.pullMessage) throw invalidArgument('Pull tasks are not supported by Tasklight.');
    throw invalidArgument('Task must have an http_request or an app_engine_http_request.');
  }
  const isHttp = !!task.httpRequest;
  const payload: TaskPayload = isHttp
    ? { httpRequest: httpPayload(task.httpRequest, queue) }
    : { appEngineHttpRequest: appEnginePayload(task.appEngineHttpRequest) };
  const dl = deadline(task, isHttp, settings);
  if (dl) payload.dispatchDeadline = dl;
  if (task.retryConfig) {
    const attempts = task.retryConfig.maxAttempts ?? 0;
    if (attempts < -1) throw invalidArgument(`Task.retry_config.max_attempts must be -1 or positive, got ${attempts}.`);
    payload.retryConfig = structuredClone(task.retryConfig);
  }

  let scheduleUs = nowUs;
  if (task.scheduleTime) {
    const nanos = task.scheduleTime.nanos ?? 0;
    if (nanos < 0 || nanos > 999_999_999) throw invalidArgument('Task.schedule_time has nanos out of range.');
    scheduleUs = Math.max(nowUs, toUs(task.scheduleTime));
    if (!settings.liftLimits && scheduleUs > nowUs + settings.scheduleHorizonMs * 1000) {
      const when = new Date(scheduleUs / 1000).toISOString();
      throw invalidArgument(
        `The Task.scheduleTime, ${when}, is too far in the future. Schedule time must be no more than ${Math.round(settings.scheduleHorizonMs / 3_600_000)}h in the future.`,
      );
    }
  }

  const encoded = encodeMessage(PAYLOAD_TYPE, payload);
  // The serialized task: the stored payload plus its name field.
  const size = encoded.length + (task.name ? Buffer.byteLength(task.name) + 3 : 0);
  if (!settings.liftLimits && size > settings.maxTaskBytes) {
    throw invalidArgument(`Task size (${size} bytes) exceeds the maximum task size of ${settings.maxTaskBytes} bytes.`);
  }
  return { payload, encoded, scheduleUs };
}
