import * as path from 'node:path';
import { defaultDataDir } from './data-dir';

/**
 * How an instance is told where to listen and keep its data: the rules for `tasklight serve`'s
 * flags and the TASKLIGHT_* variables mirroring them. The desktop app reads the same variables
 * (instanceFromEnv), so both hosts accept and refuse exactly the same values.
 */

import { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_HTTP_PORT } from '../shared/endpoints';

export { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_HTTP_PORT };

/** Where a setting came from; error messages name the flag or variable the user actually set. */
export type OptionSource = 'flag' | 'env' | 'default';

/** A value the user gave that cannot be used; the message (one line) names the flag or variable. */
export class UsageError extends Error {}

export interface ParseContext {
  /** Resolves relative `--data-dir` values. */
  cwd?: string;
  /** The data directory used when neither `--data-dir` nor `--in-memory` is given. */
  defaultDataDir?: () => string;
}

/** Each serve option: its flag and the environment variable mirroring it. */
export const SERVE_OPTIONS = {
  host: { flag: '--host', env: 'TASKLIGHT_HOST' },
  grpcPort: { flag: '--grpc-port', env: 'TASKLIGHT_GRPC_PORT' },
  httpPort: { flag: '--http-port', env: 'TASKLIGHT_HTTP_PORT' },
  dataDir: { flag: '--data-dir', env: 'TASKLIGHT_DATA_DIR' },
  inMemory: { flag: '--in-memory', env: 'TASKLIGHT_IN_MEMORY' },
  config: { flag: '--config', env: 'TASKLIGHT_CONFIG' },
  logFormat: { flag: '--log-format', env: 'TASKLIGHT_LOG_FORMAT' },
  importFile: { flag: '--import', env: 'TASKLIGHT_IMPORT' },
  exportOnExit: { flag: '--export-on-exit', env: 'TASKLIGHT_EXPORT_ON_EXIT' },
  allowedHosts: { flag: '--allowed-host', env: 'TASKLIGHT_ALLOWED_HOSTS' },
  liftLimits: { flag: '--lift-limits', env: 'TASKLIGHT_LIFT_LIMITS' },
} as const;

export type ServeOptionKey = keyof typeof SERVE_OPTIONS;

/** The flag or environment variable a setting came from, for messages (`--grpc-port`, `TASKLIGHT_GRPC_PORT`). */
export function optionLabel(key: ServeOptionKey, source: OptionSource): string {
  return source === 'env' ? SERVE_OPTIONS[key].env : SERVE_OPTIONS[key].flag;
}

/** Where an instance listens and keeps its data. */
export interface InstancePlace {
  host: string;
  grpcPort: number;
  httpPort: number;
  /** Absolute path of the data directory, or null with `inMemory`. */
  dataDir: string | null;
  inMemory: boolean;
  /** Lift production caps (rate, concurrency, horizon, size, minimum deadline) for load tests. */
  liftLimits: boolean;
  /** Host names accepted besides loopback ones (docker-compose service names). */
  allowedHosts: string[];
  sources: { host: OptionSource; grpcPort: OptionSource; httpPort: OptionSource; storage: OptionSource };
}

/** The TASKLIGHT_* variables alone, as the desktop app reads them (throws UsageError). */
export function instanceFromEnv(env: NodeJS.ProcessEnv, context: ParseContext = {}): InstancePlace {
  return resolvePlace({}, env, context);
}

/** The options that say where an instance listens; every command that takes them reads them here. */
export type EndpointKey = 'host' | 'grpcPort' | 'httpPort';
export const ENDPOINT_KEYS: readonly EndpointKey[] = ['host', 'grpcPort', 'httpPort'];

export interface Endpoints {
  host: string;
  grpcPort: number;
  httpPort: number;
  sources: Record<EndpointKey, OptionSource>;
}

/**
 * Where an instance listens: each of `keys` from its flag, else its variable, else the default
 * (throws UsageError naming the flag or variable). Keys not asked for keep their defaults.
 */
export function resolveEndpoints(
  flags: Partial<Record<EndpointKey, string>>,
  env: NodeJS.ProcessEnv,
  keys: readonly EndpointKey[] = ENDPOINT_KEYS,
): Endpoints {
  const endpoints: Endpoints = {
    host: DEFAULT_HOST,
    grpcPort: DEFAULT_GRPC_PORT,
    httpPort: DEFAULT_HTTP_PORT,
    sources: { host: 'default', grpcPort: 'default', httpPort: 'default' },
  };
  for (const key of keys) {
    const picked = pick(flags[key], env, key);
    if (!picked) continue;
    const label = optionLabel(key, picked.source);
    if (key === 'host') endpoints.host = parseHost(picked.value, label);
    else endpoints[key] = parsePort(picked.value, label);
    endpoints.sources[key] = picked.source;
  }
  return endpoints;
}

/** Flags first, then their variables, then the defaults (throws UsageError). */
export function resolvePlace(
  flags: Partial<Record<EndpointKey, string>> & { dataDir?: string; inMemory?: boolean; liftLimits?: boolean; allowedHosts?: string[] },
  env: NodeJS.ProcessEnv,
  context: ParseContext,
): InstancePlace {
  const endpoints = resolveEndpoints(flags, env);
  const place: InstancePlace = {
    host: endpoints.host,
    grpcPort: endpoints.grpcPort,
    httpPort: endpoints.httpPort,
    dataDir: null,
    inMemory: false,
    allowedHosts: parseAllowedHosts(flags.allowedHosts, env),
    liftLimits:
      flags.liftLimits === true ||
      (flags.liftLimits === undefined && !!env.TASKLIGHT_LIFT_LIMITS?.trim() && parseBoolean(env.TASKLIGHT_LIFT_LIMITS, 'TASKLIGHT_LIFT_LIMITS')),
    sources: { ...endpoints.sources, storage: 'default' },
  };
  if (place.grpcPort !== 0 && place.grpcPort === place.httpPort) {
    const grpcLabel = optionLabel('grpcPort', place.sources.grpcPort);
    const httpLabel = optionLabel('httpPort', place.sources.httpPort);
    throw new UsageError(`tasklight: ${grpcLabel} and ${httpLabel} are both ${place.grpcPort}; they must differ`);
  }
  resolveStorage(place, flags.dataDir, flags.inMemory === true, env, context);
  return place;
}

export function parseAllowedHosts(flags: string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const fromEnv = env.TASKLIGHT_ALLOWED_HOSTS?.trim();
  const list = flags ?? (fromEnv ? fromEnv.split(',') : []);
  const label = flags ? '--allowed-host' : 'TASKLIGHT_ALLOWED_HOSTS';
  return list.map((raw) => {
    const name = raw.trim().toLowerCase();
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/.test(name)) {
      throw new UsageError(`tasklight: ${label} takes a host name without port or scheme (like tasklight), got '${raw}'`);
    }
    return name;
  });
}

/** The flag's value if given, else the environment variable's (an empty variable counts as unset). */
export function pick(
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv,
  key: ServeOptionKey,
): { value: string; source: OptionSource } | undefined {
  if (flagValue !== undefined) return { value: flagValue, source: 'flag' };
  const envValue = env[SERVE_OPTIONS[key].env]?.trim();
  if (envValue) return { value: envValue, source: 'env' };
  return undefined;
}

function resolveStorage(
  config: Pick<InstancePlace, 'dataDir' | 'inMemory' | 'sources'>,
  dataDirFlag: string | undefined,
  inMemoryFlag: boolean,
  env: NodeJS.ProcessEnv,
  context: ParseContext,
): void {
  const cwd = context.cwd ?? process.cwd();
  if (dataDirFlag !== undefined && inMemoryFlag) {
    throw new UsageError('tasklight: --data-dir and --in-memory cannot be used together');
  }
  if (inMemoryFlag) {
    config.inMemory = true;
    config.sources.storage = 'flag';
    return;
  }
  if (dataDirFlag !== undefined) {
    config.dataDir = parseDataDir(dataDirFlag, '--data-dir', cwd);
    config.sources.storage = 'flag';
    return;
  }
  const envInMemory = env.TASKLIGHT_IN_MEMORY?.trim();
  const inMemory = envInMemory ? parseBoolean(envInMemory, 'TASKLIGHT_IN_MEMORY') : false;
  const envDataDir = env.TASKLIGHT_DATA_DIR?.trim();
  if (inMemory && envDataDir) {
    throw new UsageError('tasklight: TASKLIGHT_DATA_DIR and TASKLIGHT_IN_MEMORY cannot be used together');
  }
  if (inMemory) {
    config.inMemory = true;
    config.sources.storage = 'env';
    return;
  }
  if (envDataDir) {
    config.dataDir = parseDataDir(envDataDir, 'TASKLIGHT_DATA_DIR', cwd);
    config.sources.storage = 'env';
    return;
  }
  config.dataDir = path.resolve(cwd, (context.defaultDataDir ?? defaultDataDir)());
}

export function parsePort(raw: string, label: string): number {
  const value = raw.trim();
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`tasklight: ${label} must be a port number from 0 to 65535, got '${raw}'`);
  }
  const port = Number(value);
  if (port > 65535) {
    throw new UsageError(`tasklight: ${label} must be a port number from 0 to 65535, got ${value}`);
  }
  return port;
}

export function parseHost(raw: string, label: string): string {
  let host = raw.trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1); // [::1]
  if (host === '') throw new UsageError(`tasklight: ${label} needs a host name or IP address`);
  if (/[\s/]/.test(host) || host.includes('://')) {
    throw new UsageError(`tasklight: ${label} takes a host name or IP address (like 127.0.0.1), got '${raw}'`);
  }
  return host;
}

export function parseDataDir(raw: string, label: string, cwd: string): string {
  if (raw.trim() === '') throw new UsageError(`tasklight: ${label} needs a directory`);
  return path.resolve(cwd, raw);
}

export function parseBoolean(raw: string, label: string): boolean {
  const value = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new UsageError(`tasklight: ${label} must be 1/true or 0/false, got '${raw}'`);
}

