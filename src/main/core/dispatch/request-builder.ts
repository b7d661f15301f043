import type { ProtoObject } from '../protos';
import type { QueueConfig } from '../queue-config';
import type { EngineSettings } from '../settings';
import { dispatchDeadlineUs, HTTP_USER_AGENT, type TaskPayload } from '../task-request';
import type { OutgoingRequest } from './http-sender';
import type { TokenIssuer } from '../oidc/token-issuer';

/** Counters and times the X-CloudTasks-* / X-AppEngine-* headers report for one attempt. */
export interface AttemptContext {
  queueId: string;
  taskId: string;
  /** Attempts dispatched before this one. */
  retryCount: number;
  executionCount: number;
  /** The attempt's schedule time (µs). */
  etaUs: number;
  /** Status of the previous attempt; null on the first. */
  previousResponse: number | null;
  /** The previous attempt failed without an answer (App Engine reports "Instance Unavailable"). */
  previousUnanswered: boolean;
}

const RESERVED_HTTP = /^(x-google-|x-appengine-|x-cloudtasks-)/i;
const COMPUTED = new Set(['host', 'content-length']);

function eta(us: number): string {
  return (us / 1e6).toFixed(6);
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  headers[name] = value;
}

/** Applies the queue's uri_override to a task URL (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#UriOverride). */
export function applyUriOverride(taskUrl: string, override: ProtoObject | undefined): string {
  if (!override) return taskUrl;
  const onlyMissing = override.uriOverrideEnforceMode === 'IF_NOT_EXISTS';
  const url = new URL(taskUrl || 'https://placeholder.invalid/');
  const blank = !taskUrl;
  const replace = (present: boolean) => !onlyMissing || !present || blank;
  if (override.scheme && override.scheme !== 'SCHEME_UNSPECIFIED' && replace(!blank)) {
    url.protocol = override.scheme === 'HTTP' ? 'http:' : 'https:';
  } else if (blank) url.protocol = 'https:';
  if (override.host && replace(!blank)) url.hostname = override.host;
  if (override.port !== undefined && replace(url.port !== '')) url.port = override.port ? String(override.port) : '';
  if (override.pathOverride && replace(url.pathname !== '/' && url.pathname !== '')) url.pathname = override.pathOverride.path ?? '';
  if (override.queryOverride && replace(url.search !== '')) {
    const q = override.queryOverride.queryParams ?? '';
    url.search = q ? `?${q}` : '';
  }
  return url.toString();
}

export async function buildHttpTargetRequest(
  payload: TaskPayload,
  queue: QueueConfig,
  ctx: AttemptContext,
  tokens: TokenIssuer,
): Promise<OutgoingRequest> {
  const req = payload.httpRequest!;
  const target = queue.httpTarget;
  const method = target?.httpMethod && target.httpMethod !== 'HTTP_METHOD_UNSPECIFIED' ? target.httpMethod : req.httpMethod ?? 'POST';
  const url = target?.uriOverride ? applyUriOverride(req.url ?? '', target.uriOverride) : req.url;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.headers ?? {}) as Record<string, string>)) {
    if (!RESERVED_HTTP.test(k) && !COMPUTED.has(k.toLowerCase())) headers[k] = v;
  }
  for (const override of target?.headerOverrides ?? []) {
    if (override?.header?.key) setHeader(headers, override.header.key, override.header.value ?? '');
  }
  const oidc = target?.oidcToken ?? (target?.oauthToken ? undefined : req.oidcToken);
  const oauth = target?.oauthToken ?? (target?.oidcToken ? undefined : req.oauthToken);
  if (oidc?.serviceAccountEmail) {
    setHeader(headers, 'Authorization', `Bearer ${await tokens.idToken(oidc.serviceAccountEmail, oidc.audience || url)}`);
  } else if (oauth?.serviceAccountEmail) {
    setHeader(headers, 'Authorization', `Bearer ${tokens.accessToken()}`);
  }
  setHeader(headers, 'User-Agent', HTTP_USER_AGENT);
  headers['X-CloudTasks-QueueName'] = ctx.queueId;
  headers['X-CloudTasks-TaskName'] = ctx.taskId;
  headers['X-CloudTasks-TaskRetryCount'] = String(ctx.retryCount);
  headers['X-CloudTasks-TaskExecutionCount'] = String(ctx.executionCount);
  headers['X-CloudTasks-TaskETA'] = eta(ctx.etaUs);
  if (ctx.previousResponse !== null) {
    headers['X-CloudTasks-TaskPreviousResponse'] = String(ctx.previousResponse);
    headers['X-CloudTasks-TaskRetryReason'] = '';
  }
  const body = method === 'GET' || method === 'HEAD' ? undefined : req.body && req.body.length ? Buffer.from(req.body) : undefined;
  return { method, url, headers, body, deadlineUs: dispatchDeadlineUs(payload) };
}

export function appEngineBaseUrl(routing: ProtoObject | undefined, settings: EngineSettings): string {
  const service = routing?.service || 'default';
  const version = routing?.version;
  const routes = settings.appEngineRoutes;
  const base = (version && routes[`${version}.${service}`]) || routes[service] || settings.appEngineBaseUrl;
  return base.replace(/\/+$/, '');
}

export function buildAppEngineRequest(
  payload: TaskPayload,
  queue: QueueConfig,
  ctx: AttemptContext,
  settings: EngineSettings,
): OutgoingRequest {
  const req = payload.appEngineHttpRequest!;
  const routing = queue.appEngineRoutingOverride ?? req.appEngineRouting;
  const url = appEngineBaseUrl(routing, settings) + (req.relativeUri || '/');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.headers ?? {}) as Record<string, string>)) {
    if (!COMPUTED.has(k.toLowerCase())) headers[k] = v;
  }
  headers['X-AppEngine-QueueName'] = ctx.queueId;
  headers['X-AppEngine-TaskName'] = ctx.taskId;
  headers['X-AppEngine-TaskRetryCount'] = String(ctx.retryCount);
  headers['X-AppEngine-TaskExecutionCount'] = String(ctx.executionCount);
  headers['X-AppEngine-TaskETA'] = eta(ctx.etaUs);
  if (ctx.previousResponse !== null) {
    headers['X-AppEngine-TaskPreviousResponse'] = String(ctx.previousUnanswered ? 0 : ctx.previousResponse);
    headers['X-AppEngine-TaskRetryReason'] = ctx.previousUnanswered ? 'Instance Unavailable' : 'App Error';
  }
  const method = req.httpMethod ?? 'POST';
  const body = req.body && req.body.length ? Buffer.from(req.body) : undefined;
  return { method, url, headers, body, deadlineUs: dispatchDeadlineUs(payload) };
}
