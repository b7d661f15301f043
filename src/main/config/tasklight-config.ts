import * as path from 'node:path';
import type { Node } from 'yaml';
import { decodeJsonMessage, snakeToCamel } from '../core/proto-json';
import { lookupType } from '../core/protos';
import type { EngineSettings } from '../core/settings';
import { ConfigError } from './config-error';
import { durationJson, parseDurationUs } from './durations';
import { parseQueueYaml } from './queue-yaml';
import type { LoadedConfig, QueueSpec } from './types';
import { ConfigSource } from './yaml-source';

/**
 * tasklight.yaml / tasklight.json:
 *
 *   project: my-proj                 # default project for queues given by `id`
 *   location: us-central1            # default location (us-central1 when omitted)
 *   settings: { historyRetention: 7d, dedupWindow: 1h, queueNameTombstone: 0s, liftLimits: true,
 *               functionsEmulatorUrl: ..., autoCreateQueues: true }
 *   appEngine: { baseUrl: http://localhost:8080, routes: { worker: http://localhost:8081 } }
 *   queueYaml: ./queue.yaml          # also load an App Engine queue.yaml (relative to this file)
 *   queues:
 *     - id: emails                   # or name: projects/P/locations/L/queues/emails
 *       rateLimits: { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 2 }
 *       retryConfig: { maxAttempts: 5, minBackoff: 1s, maxBackoff: 1m }
 *       httpTarget: { uriOverride: { host: localhost, port: 8080, scheme: HTTP } }
 *       state: PAUSED
 *       defaultTargetUrl: http://localhost:8080/tasks
 *
 * Queue fields are the API's (proto3 JSON, camelCase or snake_case); durations may also be
 * written "250ms", "5m", "2h", "1d" or a number of seconds.
 */

const TOP_KEYS = ['project', 'location', 'settings', 'appEngine', 'queueYaml', 'queues'];
const QUEUE_META_KEYS = ['name', 'id', 'project', 'location', 'state', 'defaultTargetUrl', 'liftLimits'];
const DURATION_FIELDS = ['minBackoff', 'maxBackoff', 'maxRetryDuration'];

const SETTINGS: Record<string, { key: keyof EngineSettings; kind: 'duration' | 'boolean' | 'url' | 'template' }> = {
  historyRetention: { key: 'historyRetentionMs', kind: 'duration' },
  dedupWindow: { key: 'taskTombstoneTtlMs', kind: 'duration' },
  queueNameTombstone: { key: 'queueTombstoneTtlMs', kind: 'duration' },
  scheduleHorizon: { key: 'scheduleHorizonMs', kind: 'duration' },
  liftLimits: { key: 'liftLimits', kind: 'boolean' },
  dispatch: { key: 'dispatch', kind: 'boolean' },
  autoCreateQueues: { key: 'autoCreateQueues', kind: 'boolean' },
  functionsEmulatorUrl: { key: 'functionsEmulatorUrl', kind: 'template' },
};

export interface ParseOptions {
  /** Project for a bare queue.yaml (GOOGLE_CLOUD_PROJECT). */
  env?: NodeJS.ProcessEnv;
}

export function parseTasklightConfig(src: ConfigSource, options: ParseOptions = {}): LoadedConfig {
  const root = src.root;
  const config: LoadedConfig = { file: src.file, settings: {}, queues: [] };
  if (root === null) return config; // an empty file declares nothing
  let project: string | undefined;
  let location = 'us-central1';
  let queuesNode: Node | null = null;
  let queueYamlNode: Node | null = null;
  for (const { key, keyNode, value } of src.entries(root, 'top level')) {
    switch (key) {
      case 'project':
        project = src.string(value, 'project');
        if (!/^[a-z][a-z0-9-]{4,61}[a-z0-9]$|^[a-z0-9.:-]+$/.test(project)) throw src.error(value, 'project', `'${project}' is not a project ID`);
        break;
      case 'location':
        location = src.string(value, 'location');
        if (!/^[a-z0-9-]+$/.test(location)) throw src.error(value, 'location', `'${location}' is not a location ID (like us-central1)`);
        break;
      case 'settings':
        parseSettings(src, value, config.settings);
        break;
      case 'appEngine':
        parseAppEngine(src, value, config.settings);
        break;
      case 'queues':
        queuesNode = value;
        break;
      case 'queueYaml':
        queueYamlNode = value;
        break;
      default:
        throw src.error(keyNode, key, `unknown key; expected one of ${TOP_KEYS.join(', ')}${key === 'queue' ? ' (an App Engine queue.yaml has only queue: and total_storage_limit:)' : ''}`);
    }
  }
  if (queuesNode !== null && !(src.value(queuesNode) === null)) {
    src.items(queuesNode, 'queues').forEach((node, i) => {
      config.queues.push(parseQueue(src, node, `queues[${i}]`, project, location));
    });
  }
  if (queueYamlNode !== null) {
    const rel = src.string(queueYamlNode, 'queueYaml');
    const file = path.resolve(path.dirname(src.file), rel);
    if (!project) throw src.error(queueYamlNode, 'queueYaml', 'needs a top-level project: for the queues it declares');
    const fromYaml = parseQueueYaml(ConfigSource.read(file, path.relative(process.cwd(), file) || file), project, location);
    config.queues.push(...fromYaml.queues);
  }
  const seen = new Map<string, QueueSpec>();
  for (const q of config.queues) {
    const earlier = seen.get(q.queue.name);
    if (earlier) {
      const w = q.where();
      const e = earlier.where();
      throw new ConfigError(config.file, w.line, w.field, `queue ${q.queue.name} is declared twice (also at line ${e.line})`);
    }
    seen.set(q.queue.name, q);
    if (q.defaultTargetUrl) (config.settings.defaultTargetUrls ??= {})[q.queue.name] = q.defaultTargetUrl;
  }
  void options;
  return config;
}

function parseSettings(src: ConfigSource, node: Node | null, out: Partial<EngineSettings>): void {
  for (const { key, keyNode, value } of src.entries(node, 'settings')) {
    const spec = SETTINGS[key];
    const field = `settings.${key}`;
    if (!spec) throw src.error(keyNode, field, `unknown setting; expected one of ${Object.keys(SETTINGS).join(', ')}`);
    const raw = src.value(value);
    let parsed: unknown;
    switch (spec.kind) {
      case 'duration': {
        const us = parseDurationUs(raw);
        if (us === undefined) throw src.error(value, field, `must be a duration like "30s", "1h" or "7d", got ${JSON.stringify(raw)}`);
        parsed = Math.round(us / 1000);
        break;
      }
      case 'boolean':
        parsed = src.boolean(value, field);
        break;
      case 'url':
      case 'template':
        parsed = httpUrl(src, value, field, spec.kind === 'template');
        break;
    }
    (out as Record<string, unknown>)[spec.key] = parsed;
  }
}

function parseAppEngine(src: ConfigSource, node: Node | null, out: Partial<EngineSettings>): void {
  for (const { key, keyNode, value } of src.entries(node, 'appEngine')) {
    if (key === 'baseUrl') out.appEngineBaseUrl = httpUrl(src, value, 'appEngine.baseUrl').replace(/\/+$/, '');
    else if (key === 'routes') {
      const routes: Record<string, string> = {};
      for (const route of src.entries(value, 'appEngine.routes')) {
        const field = `appEngine.routes.${route.key}`;
        if (!/^[a-z0-9-]+(\.[a-z0-9-]+)?$/.test(route.key)) {
          throw src.error(route.keyNode, field, 'route keys are an App Engine service ("worker") or version.service ("v2.worker")');
        }
        routes[route.key] = httpUrl(src, route.value, field).replace(/\/+$/, '');
      }
      out.appEngineRoutes = routes;
    } else throw src.error(keyNode, `appEngine.${key}`, 'unknown key; expected baseUrl or routes');
  }
}

function httpUrl(src: ConfigSource, node: Node | null, field: string, template = false): string {
  const raw = src.string(node, field);
  const probe = template ? raw.replace(/\{(project|location|queue)\}/g, 'x') : raw;
  let ok: boolean;
  try {
    ok = /^https?:$/.test(new URL(probe).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw src.error(node, field, `must be an http:// or https:// URL, got '${raw}'`);
  return raw;
}

function parseQueue(src: ConfigSource, node: Node, field: string, project: string | undefined, location: string): QueueSpec {
  const json: Record<string, unknown> = {};
  let name: string | undefined;
  let id: string | undefined;
  let state: 'RUNNING' | 'PAUSED' = 'RUNNING';
  let defaultTargetUrl: string | undefined;
  let burstSettable = false;
  let liftLimits = false;
  let qProject = project;
  let qLocation = location;
  for (const { key, value } of src.entries(node, field)) {
    const f = `${field}.${key}`;
    switch (key) {
      case 'name':
        name = src.string(value, f);
        break;
      case 'id':
        id = src.string(value, f);
        break;
      case 'project':
        qProject = src.string(value, f);
        break;
      case 'location':
        qLocation = src.string(value, f);
        break;
      case 'state': {
        const s = src.value(value);
        if (s !== 'RUNNING' && s !== 'PAUSED') throw src.error(value, f, `must be RUNNING or PAUSED, got ${JSON.stringify(s)}`);
        state = s;
        break;
      }
      case 'liftLimits':
      case 'lift_limits': {
        const v = src.value(value);
        if (typeof v !== 'boolean') throw src.error(value, f, `must be true or false, got ${JSON.stringify(v)}`);
        liftLimits = v;
        break;
      }
      case 'defaultTargetUrl':
      case 'default_target_url':
        defaultTargetUrl = httpUrl(src, value, f);
        break;
      default:
        json[key] = normaliseDurations(src, value, f);
        if (/^(rateLimits|rate_limits)$/.test(key) && src.value(value) && typeof src.value(value) === 'object') {
          burstSettable = Object.keys(src.value(value) as object).some((k) => /^max_?burst_?size$/i.test(k));
        }
    }
  }
  const where = (p: string[] = []) => {
    const at = src.locate(node, p);
    return { line: src.lineOf(at ?? node), field: src.fieldName(node, field, p) };
  };
  if (name && id) throw src.error(node, field, 'give either name (projects/P/locations/L/queues/ID) or id, not both');
  if (!name && !id) throw src.error(node, field, 'needs an id (with a top-level project) or a full name');
  if (id) {
    if (!qProject) throw src.error(node, field, `queue '${id}' needs a project: set project: at the top level (or on the queue), or give the full name`);
    name = `projects/${qProject}/locations/${qLocation}/queues/${id}`;
  }
  if (!/^projects\/[^/]+\/locations\/[a-z0-9-]+\/queues\/[A-Za-z0-9-]{1,100}$/.test(name!)) {
    const at = src.locate(node, [id ? 'id' : 'name']);
    throw src.error(at, `${field}.${id ? 'id' : 'name'}`, `'${id ?? name}' is not a queue ${id ? 'ID (letters, digits and hyphens, at most 100)' : 'name (projects/P/locations/L/queues/ID)'}`);
  }
  for (const key of QUEUE_META_KEYS) delete json[key];
  let queue;
  try {
    queue = decodeJsonMessage(lookupType('google.cloud.tasks.v2.Queue'), { ...json, name });
  } catch (err) {
    const message = (err as Error).message.replace(/^Invalid JSON payload received\. /, '');
    const at = /at '([^']+)'/.exec(message)?.[1];
    const unknown = /Unknown name "([^"]+)"/.exec(message)?.[1];
    const p = [...(at ? at.split('.') : []), ...(unknown ? [unknown] : [])];
    const w = where(p);
    throw new ConfigError(src.file, w.line, w.field, describeCodecError(message));
  }
  for (const outputOnly of ['state', 'purgeTime', 'stats']) {
    if (queue[outputOnly] !== undefined && outputOnly !== 'state') {
      const w = where([outputOnly]);
      throw new ConfigError(src.file, w.line, w.field, 'is output-only and cannot be set');
    }
  }
  delete queue.state;
  queue.liftLimits = liftLimits;
  return { queue, state, burstSettable, liftLimits, defaultTargetUrl, where };
}

function describeCodecError(message: string): string {
  if (/Unknown name/.test(message)) return 'unknown field (queue fields are the Cloud Tasks API names: rateLimits, retryConfig, httpTarget, appEngineRoutingOverride, stackdriverLoggingConfig)';
  const invalid = /Invalid value at '[^']+' \(([^)]+)\), (.*)$/.exec(message);
  if (invalid) {
    const type = invalid[1]!.replace(/^type\.googleapis\.com\//, '');
    return `invalid value ${invalid[2]} (expected ${type.replace(/^TYPE_/, '').toLowerCase()})`;
  }
  return message;
}

/** Rewrites friendly durations ("5m", "250ms", 10) in retry_config to proto3 JSON ("300s"). */
function normaliseDurations(src: ConfigSource, node: Node | null, field: string): unknown {
  const value = src.value(node);
  if (!/retry_?config$/i.test(field) || !value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, v] of Object.entries(out)) {
    const camel = snakeToCamel(key);
    if (!DURATION_FIELDS.includes(camel)) continue;
    const us = parseDurationUs(v);
    if (us === undefined) {
      throw src.error(src.locate(node, [key]), `${field}.${key}`, `must be a duration like "10s", "500ms" or "5m", got ${JSON.stringify(v)}`);
    }
    out[key] = durationJson(us);
  }
  return out;
}
