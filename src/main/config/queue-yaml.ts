import type { Node } from 'yaml';
import type { ProtoObject } from '../core/protos';
import { fromUs } from '../core/proto-time';
import { parseDurationUs } from './durations';
import type { LoadedConfig, QueueSpec } from './types';
import type { ConfigSource } from './yaml-source';
import { snakeToCamel } from '../core/proto-json';

/**
 * App Engine queue.yaml → v2 queues (reference Appendix A). Omitted fields take queue.yaml's
 * documented defaults: bucket_size 5, no concurrency cap (the API default, 1 000), and retries
 * without limit unless task_retry_limit or task_age_limit is given.
 */

const QUEUE_KEYS = ['name', 'rate', 'bucket_size', 'max_concurrent_requests', 'target', 'mode', 'retry_parameters'];
const RETRY_KEYS = ['task_retry_limit', 'task_age_limit', 'min_backoff_seconds', 'max_backoff_seconds', 'max_doublings'];
const RATE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const QUEUE_YAML_BUCKET_DEFAULT = 5;

export function looksLikeQueueYaml(src: ConfigSource): boolean {
  const root = src.root;
  if (!root) return false;
  try {
    const keys = src.entries(root, 'top level').map((e) => e.key);
    return keys.includes('queue') && !keys.includes('queues');
  } catch {
    return false;
  }
}

export function parseQueueYaml(src: ConfigSource, project: string, location: string): LoadedConfig {
  const config: LoadedConfig = { file: src.file, settings: {}, queues: [] };
  let queueList: Node | null = null;
  for (const { key, keyNode, value } of src.entries(src.root, 'top level')) {
    if (key === 'queue') queueList = value;
    else if (key !== 'total_storage_limit') throw src.error(keyNode, key, 'unknown key; a queue.yaml has queue: and total_storage_limit:');
  }
  if (queueList === null || src.value(queueList) === null) return config;
  src.items(queueList, 'queue').forEach((node, i) => config.queues.push(parseEntry(src, node, `queue[${i}]`, project, location)));
  return config;
}

function parseEntry(src: ConfigSource, node: Node, field: string, project: string, location: string): QueueSpec {
  const rateLimits: ProtoObject = { maxBurstSize: QUEUE_YAML_BUCKET_DEFAULT };
  const retryConfig: ProtoObject = {};
  const queue: ProtoObject = { rateLimits, retryConfig };
  let id: string | undefined;
  let state: 'RUNNING' | 'PAUSED' = 'RUNNING';
  let hasRetryLimit = false;
  for (const { key, keyNode, value } of src.entries(node, field)) {
    const f = `${field}.${key}`;
    const raw = src.value(value);
    switch (key) {
      case 'name':
        id = src.string(value, f);
        if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) throw src.error(value, f, `'${id}' is not a queue name (letters, digits and hyphens, at most 100)`);
        break;
      case 'mode':
        if (raw === 'pull') throw src.error(value, f, 'pull queues are not supported by Tasklight (Cloud Tasks serves push queues only)');
        if (raw !== 'push') throw src.error(value, f, `must be push, got ${JSON.stringify(raw)}`);
        break;
      case 'rate': {
        const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*\/\s*([smhd])\s*$/.exec(raw) : null;
        if (!m) throw src.error(value, f, `must be N/s, N/m, N/h or N/d (like 5/s), got ${JSON.stringify(raw)}`);
        const perSecond = Number(m[1]) / RATE_UNITS[m[2]!]!;
        // A rate of 0 stops a queue in App Engine; the API has no zero rate, so the queue starts paused.
        if (perSecond === 0) state = 'PAUSED';
        else rateLimits.maxDispatchesPerSecond = perSecond;
        break;
      }
      case 'bucket_size':
        rateLimits.maxBurstSize = positiveInt(src, value, f);
        break;
      case 'max_concurrent_requests':
        rateLimits.maxConcurrentDispatches = positiveInt(src, value, f);
        break;
      case 'target': {
        const t = src.string(value, f);
        if (!/^[a-z0-9-]+(\.[a-z0-9-]+)?$/.test(t)) throw src.error(value, f, `must be an App Engine service or version.service, got '${t}'`);
        const parts = t.split('.');
        queue.appEngineRoutingOverride = parts.length === 2 ? { version: parts[0], service: parts[1] } : { service: parts[0] };
        break;
      }
      case 'retry_parameters':
        for (const r of src.entries(value, f)) {
          const rf = `${f}.${r.key}`;
          const rv = src.value(r.value);
          switch (r.key) {
            case 'task_retry_limit':
              retryConfig.maxAttempts = nonNegativeInt(src, r.value, rf) || -1;
              hasRetryLimit = true;
              break;
            case 'task_age_limit': {
              const us = parseDurationUs(rv, ['s', 'm', 'h', 'd']);
              if (us === undefined || typeof rv !== 'string') throw src.error(r.value, rf, `must be N followed by s, m, h or d (like 2d), got ${JSON.stringify(rv)}`);
              retryConfig.maxRetryDuration = fromUs(us);
              hasRetryLimit = true;
              break;
            }
            case 'min_backoff_seconds':
            case 'max_backoff_seconds': {
              if (typeof rv !== 'number' || !(rv >= 0)) throw src.error(r.value, rf, `must be a number of seconds, got ${JSON.stringify(rv)}`);
              retryConfig[r.key === 'min_backoff_seconds' ? 'minBackoff' : 'maxBackoff'] = fromUs(Math.round(rv * 1e6));
              break;
            }
            case 'max_doublings':
              retryConfig.maxDoublings = nonNegativeInt(src, r.value, rf);
              break;
            default:
              throw src.error(r.keyNode, rf, `unknown key; expected one of ${RETRY_KEYS.join(', ')}`);
          }
        }
        break;
      default:
        throw src.error(keyNode, f, `unknown key; expected one of ${QUEUE_KEYS.join(', ')}${key === 'acl' ? ' (acl is for pull queues, which Tasklight does not support)' : ''}`);
    }
  }
  if (!id) throw src.error(node, field, 'needs a name');
  // queue.yaml retries without limit unless a limit is given; the API's default is 100 attempts.
  if (!hasRetryLimit) retryConfig.maxAttempts = -1;
  queue.name = `projects/${project}/locations/${location}/queues/${id}`;
  const mapped: Record<string, string> = {
    rateLimits: 'rate', maxDispatchesPerSecond: 'rate', maxBurstSize: 'bucket_size', maxConcurrentDispatches: 'max_concurrent_requests',
    retryConfig: 'retry_parameters', maxAttempts: 'task_retry_limit', maxRetryDuration: 'task_age_limit',
    minBackoff: 'min_backoff_seconds', maxBackoff: 'max_backoff_seconds', maxDoublings: 'max_doublings',
    appEngineRoutingOverride: 'target',
  };
  const where = (p: string[] = []) => {
    // Engine messages name API fields (rate_limits.max_burst_size); point at the queue.yaml key.
    const camel = p.map(snakeToCamel);
    const leaf = camel.length ? mapped[camel[camel.length - 1]!] : undefined;
    const yamlPath = leaf === undefined ? [] : camel[0] === 'retryConfig' && leaf !== 'retry_parameters' ? ['retry_parameters', leaf] : [leaf];
    const at = src.locate(node, yamlPath);
    return { line: src.lineOf(at ?? node), field: [field, ...yamlPath].join('.') };
  };
  return { queue, state, burstSettable: true, liftLimits: false, where };
}

function positiveInt(src: ConfigSource, node: Node | null, field: string): number {
  const v = src.value(node);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw src.error(node, field, `must be a whole number of at least 1, got ${JSON.stringify(v)}`);
  return v;
}

function nonNegativeInt(src: ConfigSource, node: Node | null, field: string): number {
  const v = src.value(node);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw src.error(node, field, `must be a whole number (0 or more), got ${JSON.stringify(v)}`);
  return v;
}
