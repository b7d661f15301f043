import { invalidArgument } from './errors';
import { headerValueProblem, isHeaderName } from './http-header-rule';
import type { ProtoObject } from './protos';
import { fromUs, isSet, toUs, type ProtoTime } from './proto-time';
import type { EngineSettings } from './settings';

/**
 * A queue's settable configuration in the canonical plain-object shape: the v2 Queue fields plus
 * the v2beta3 extras (taskTtl, tombstoneTtl, type). Defaults and limits are production's
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#Queue and https://cloud.google.com/tasks/docs/quotas).
 */
export interface QueueConfig {
  appEngineRoutingOverride?: ProtoObject;
  rateLimits: { maxDispatchesPerSecond: number; maxBurstSize: number; maxConcurrentDispatches: number };
  retryConfig: {
    maxAttempts: number;
    maxRetryDuration?: ProtoTime;
    minBackoff: ProtoTime;
    maxBackoff: ProtoTime;
    maxDoublings: number;
  };
  stackdriverLoggingConfig?: { samplingRatio?: number };
  httpTarget?: ProtoObject;
  taskTtl?: ProtoTime;
  tombstoneTtl?: ProtoTime;
  type?: string;
  /**
   * Tasklight's own per-queue switch (not in the API): lifts production caps for this queue only.
   * Set from a config file; API updates keep it.
   */
  liftLimits?: boolean;
}

export const QUEUE_DEFAULTS = {
  maxDispatchesPerSecond: 500,
  maxConcurrentDispatches: 1000,
  maxAttempts: 100,
  minBackoffUs: 100_000,
  maxBackoffUs: 3_600_000_000,
  maxDoublings: 16,
} as const;

/** max_attempts as stored and dispatched: 0 (unset) means the default; -1 means unlimited. */
export function maxAttemptsOf(requested: number): number {
  return requested === 0 ? QUEUE_DEFAULTS.maxAttempts : requested;
}

export const PRODUCTION_CAPS = { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 5000, maxBurstSize: 500 } as const;

/**
 * The service picks max_burst_size from the rate by a rule it does not publish; this reproduces the
 * pairs it is seen to choose (500/s → 100, 1/s → 10; https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RateLimits).
 */
export function burstSizeFor(rate: number): number {
  return Math.min(100, Math.max(10, Math.ceil(rate / 5)));
}

/** The fields a caller may set; everything else in a Queue is output-only. */
export const SETTABLE_QUEUE_FIELDS = [
  'appEngineRoutingOverride',
  'rateLimits',
  'retryConfig',
  'stackdriverLoggingConfig',
  'httpTarget',
  'taskTtl',
  'tombstoneTtl',
  'type',
] as const;

/** Paths that name output-only data; an update mask may carry them, and they are ignored. */
const OUTPUT_ONLY_PATHS = new Set(['name', 'state', 'purgeTime', 'stats', 'appEngineRoutingOverride.host']);

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

function getPath(obj: ProtoObject | undefined, path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as ProtoObject)[key];
  }
  return cur;
}

function setPath(obj: ProtoObject, path: string[], value: unknown): void {
  let cur: ProtoObject = obj;
  for (const key of path.slice(0, -1)) {
    if (cur[key] == null || typeof cur[key] !== 'object') cur[key] = {};
    cur = cur[key] as ProtoObject;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = clone(value);
}

/**
 * Builds the stored configuration from a request. With a mask only the named paths change (an
 * absent value clears the field); without one every settable field is replaced.
 * Zero scalars that proto3 cannot tell from "unset" take their defaults unless the mask names them.
 */
export function mergeQueueConfig(
  existing: QueueConfig | undefined,
  request: ProtoObject,
  maskPaths: string[] | null,
  settings: EngineSettings,
  /** v2 computes max_burst_size from the rate on every update; v2beta3 lets the caller set it. */
  burstSettable = false,
): QueueConfig {
  let draft: ProtoObject;
  const explicit = new Set<string>();
  if (!existing || !maskPaths || maskPaths.length === 0) {
    draft = {};
    for (const field of SETTABLE_QUEUE_FIELDS) if (request[field] !== undefined) draft[field] = clone(request[field]);
    if (existing?.type && draft.type === undefined) draft.type = existing.type;
  } else {
    draft = clone(existing) as ProtoObject;
    for (const path of maskPaths) {
      if (OUTPUT_ONLY_PATHS.has(path)) continue;
      explicit.add(path);
      setPath(draft, path.split('.'), getPath(request, path.split('.')));
    }
  }
  if (!burstSettable && draft.rateLimits) delete draft.rateLimits.maxBurstSize;
  const lift = typeof request.liftLimits === 'boolean' ? request.liftLimits : existing?.liftLimits;
  if (lift) draft.liftLimits = true;
  else delete draft.liftLimits;
  return normaliseQueueConfig(draft, explicit, settings);
}

function durationField(value: ProtoTime | undefined, field: string, fallbackUs: number, explicit: boolean): ProtoTime {
  const us = toUs(value);
  if (us < 0 || (value?.nanos ?? 0) < 0 && (value?.seconds ?? 0) > 0) throw invalidArgument(`${field} must not be negative.`);
  if (!isSet(value) && !explicit) return fromUs(fallbackUs);
  return fromUs(us);
}

function isExplicit(explicit: Set<string>, path: string): boolean {
  for (const p of explicit) if (p === path || path.startsWith(p + '.')) return true;
  return false;
}

export function normaliseQueueConfig(draft: ProtoObject, explicit: Set<string>, settings: EngineSettings): QueueConfig {
  const lifted = settings.liftLimits || draft.liftLimits === true;
  const rl = draft.rateLimits ?? {};
  const rate = rl.maxDispatchesPerSecond ?? 0;
  if (!Number.isFinite(rate) || rate < 0) {
    throw invalidArgument(`rate_limits.max_dispatches_per_second must be positive, got ${rate}.`);
  }
  const maxRate = rate === 0 ? QUEUE_DEFAULTS.maxDispatchesPerSecond : rate;
  if (!lifted && maxRate > PRODUCTION_CAPS.maxDispatchesPerSecond) {
    throw invalidArgument(
      `rate_limits.max_dispatches_per_second must be at most ${PRODUCTION_CAPS.maxDispatchesPerSecond}, got ${rate}.`,
    );
  }
  const concurrency = rl.maxConcurrentDispatches ?? 0;
  if (!Number.isInteger(concurrency) || concurrency < 0) {
    throw invalidArgument(`rate_limits.max_concurrent_dispatches must be positive, got ${concurrency}.`);
  }
  const maxConcurrent = concurrency === 0 ? QUEUE_DEFAULTS.maxConcurrentDispatches : concurrency;
  if (!lifted && maxConcurrent > PRODUCTION_CAPS.maxConcurrentDispatches) {
    throw invalidArgument(
      `rate_limits.max_concurrent_dispatches must be at most ${PRODUCTION_CAPS.maxConcurrentDispatches}, got ${concurrency}.`,
    );
  }
  // v2 computes the burst from the rate; v2beta3 (and queue.yaml) may set it.
  const requestedBurst = rl.maxBurstSize ?? 0;
  if (requestedBurst < 0 || (!lifted && requestedBurst > PRODUCTION_CAPS.maxBurstSize)) {
    throw invalidArgument(`rate_limits.max_burst_size must be between 0 and ${PRODUCTION_CAPS.maxBurstSize}, got ${requestedBurst}.`);
  }
  const burst = requestedBurst > 0 ? requestedBurst : burstSizeFor(maxRate);

  const rc = draft.retryConfig ?? {};
  const attempts = rc.maxAttempts ?? 0;
  if (!Number.isInteger(attempts) || attempts < -1) {
    throw invalidArgument(`retry_config.max_attempts must be -1 (unlimited) or positive, got ${attempts}.`);
  }
  const minBackoff = durationField(rc.minBackoff, 'retry_config.min_backoff', QUEUE_DEFAULTS.minBackoffUs, isExplicit(explicit, 'retryConfig.minBackoff'));
  const maxBackoff = durationField(rc.maxBackoff, 'retry_config.max_backoff', QUEUE_DEFAULTS.maxBackoffUs, isExplicit(explicit, 'retryConfig.maxBackoff'));
  if (toUs(minBackoff) > toUs(maxBackoff)) {
    throw invalidArgument('retry_config.min_backoff must be less than or equal to retry_config.max_backoff.');
  }
  const retryDuration = durationField(rc.maxRetryDuration, 'retry_config.max_retry_duration', 0, true);
  const doublings = rc.maxDoublings ?? 0;
  if (!Number.isInteger(doublings) || doublings < 0) {
    throw invalidArgument(`retry_config.max_doublings must not be negative, got ${doublings}.`);
  }

  const config: QueueConfig = {
    rateLimits: { maxDispatchesPerSecond: maxRate, maxBurstSize: burst, maxConcurrentDispatches: maxConcurrent },
    retryConfig: {
      maxAttempts: maxAttemptsOf(attempts),
      minBackoff,
      maxBackoff,
      maxDoublings: doublings === 0 && !isExplicit(explicit, 'retryConfig.maxDoublings') ? QUEUE_DEFAULTS.maxDoublings : doublings,
    },
  };
  if (toUs(retryDuration) > 0) config.retryConfig.maxRetryDuration = retryDuration;
  if (draft.liftLimits === true) config.liftLimits = true;

  const ratio = draft.stackdriverLoggingConfig?.samplingRatio;
  if (ratio !== undefined) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw invalidArgument(`stackdriver_logging_config.sampling_ratio must be between 0.0 and 1.0, got ${ratio}.`);
    }
    config.stackdriverLoggingConfig = { samplingRatio: ratio };
  } else if (draft.stackdriverLoggingConfig) {
    config.stackdriverLoggingConfig = {};
  }

  if (draft.appEngineRoutingOverride && Object.keys(draft.appEngineRoutingOverride).length) {
    const { service, version, instance } = draft.appEngineRoutingOverride;
    config.appEngineRoutingOverride = {
      ...(service ? { service } : {}),
      ...(version ? { version } : {}),
      ...(instance ? { instance } : {}),
    };
  }
  if (draft.httpTarget && Object.keys(draft.httpTarget).length) config.httpTarget = validateHttpTarget(draft.httpTarget);

  for (const field of ['taskTtl', 'tombstoneTtl'] as const) {
    if (isSet(draft[field])) {
      if (toUs(draft[field]) < 0) throw invalidArgument(`${field === 'taskTtl' ? 'task_ttl' : 'tombstone_ttl'} must not be negative.`);
      config[field] = fromUs(toUs(draft[field]));
    }
  }
  if (draft.type && draft.type !== 'TYPE_UNSPECIFIED') {
    if (draft.type === 'PULL') throw invalidArgument('Pull queues are not supported by Tasklight (queue type PULL).');
    config.type = draft.type;
  }
  return config;
}

function validateHttpTarget(target: ProtoObject): ProtoObject {
  const out = structuredClone(target);
  const uri = out.uriOverride;
  if (uri) {
    if (uri.host !== undefined && uri.host === '') throw invalidArgument('http_target.uri_override.host must not be empty.');
    const problem = uri.host ? hostProblem(uri.host) : undefined;
    if (problem) throw invalidArgument(`http_target.uri_override.host ${JSON.stringify(uri.host)} ${problem}.`);
    if (uri.port !== undefined && (!Number.isInteger(uri.port) || uri.port < 0 || uri.port > 65535)) {
      throw invalidArgument(`http_target.uri_override.port must be a positive port number, got ${uri.port}.`);
    }
  }
  if (out.oauthToken && (!out.oauthToken.serviceAccountEmail || !out.oauthToken.scope)) {
    throw invalidArgument('http_target.oauth_token requires both service_account_email and scope.');
  }
  if (out.oidcToken && (!out.oidcToken.serviceAccountEmail || !out.oidcToken.audience)) {
    throw invalidArgument('http_target.oidc_token requires both service_account_email and audience.');
  }
  for (const [i, override] of (out.headerOverrides ?? []).entries()) {
    const field = `http_target.header_overrides[${i}].header`;
    const key: string | undefined = override?.header?.key;
    if (!key) throw invalidArgument(`${field}.key must not be empty.`);
    if (!isHeaderName(key)) {
      throw invalidArgument(`${field}.key ${JSON.stringify(key)} is not a header name: letters, digits and !#$%&'*+-.^_\`|~ only.`);
    }
    const problem = headerValueProblem(override.header.value ?? '');
    if (problem) throw invalidArgument(`${field}.value ${problem}.`);
  }
  return out;
}

/**
 * Why the dispatcher could not put this host into a task's URL as given; undefined when it can.
 * It replaces the URL's hostname, which keeps an unchanged URL when the host does not parse and
 * only the part before a port, path or query otherwise.
 */
function hostProblem(host: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(`http://${host}/`);
  } catch {
    return 'is not a host name';
  }
  const replaced = new URL('http://placeholder.invalid/');
  replaced.hostname = host;
  if (parsed.href !== `http://${parsed.hostname}/` || replaced.hostname !== parsed.hostname) {
    return 'must be a host name alone, without a scheme, user, port, path or query (the port has its own field)';
  }
  return undefined;
}

/** The host App Engine routing resolves to, as describe shows it (`SERVICE.PROJECT.appspot.com`). */
export function appEngineHost(project: string, routing: ProtoObject | undefined): string {
  const parts = [routing?.instance, routing?.version, routing?.service].filter(Boolean);
  return [...parts, `${project.replace(/^.*:/, '')}.appspot.com`].join('.');
}
