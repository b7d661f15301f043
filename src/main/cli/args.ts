import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { clientHost, hostForUrl } from '../../shared/endpoints';
import {
  ENDPOINT_KEYS,
  optionLabel,
  pick,
  resolveEndpoints,
  resolvePlace,
  UsageError,
  type InstancePlace,
  type OptionSource,
  type ParseContext,
  type ServeOptionKey,
} from '../instance-options';
import { endpointFlags, endpointOptions } from './endpoint-options';
import { COMMAND_HELP, ENV_HELP, HEALTHCHECK_HELP, MAIN_HELP, SERVE_HELP, VERSION } from './help';

export { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_HTTP_PORT, optionLabel, parsePort, SERVE_OPTIONS, type OptionSource, type ParseContext } from '../instance-options';
export { ENV_HELP, HEALTHCHECK_HELP, MAIN_HELP, SERVE_HELP, VERSION } from './help';

/**
 * Command-line parsing for `tasklight`, kept free of side effects: it reads only the arguments and
 * environment it is given and starts nothing, so tests can check every flag without a server.
 */

export interface ServeConfig extends InstancePlace {
  /** Absolute path of a tasklight.yaml/.json or App Engine queue.yaml, or null. */
  configFile: string | null;
  /** `--exec`: a shell command to run against a fresh instance; its exit code becomes ours. */
  exec: string | null;
  logFormat: LogFormat;
  /** Snapshot to load at start (absolute), and where to write one on a clean exit. */
  importFile: string | null;
  exportOnExit: string | null;
}

export type LogFormat = 'text' | 'json';

/** `tasklight env`: where an instance listens (nothing is started). */
export interface EnvConfig {
  host: string;
  grpcPort: number;
  httpPort: number;
}

/** `tasklight healthcheck`. */
export interface HealthcheckConfig {
  url: string;
  wait: boolean;
  timeoutMs: number;
}

export type CliCommand =
  | { kind: 'serve'; config: ServeConfig }
  | { kind: 'env'; config: EnvConfig }
  | { kind: 'healthcheck'; config: HealthcheckConfig }
  /** Print `text` on stdout and exit 0. */
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  /** Print `message` (one line) on stderr and exit 2; nothing is started. */
  | { kind: 'usage-error'; message: string };

export const USAGE_EXIT_CODE = 2;



export function parseCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  context: ParseContext = {},
): CliCommand {
  try {
    return parseCommand(argv, env, context);
  } catch (err) {
    if (err instanceof UsageError) return { kind: 'usage-error', message: err.message };
    throw err;
  }
}

function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv, context: ParseContext): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined) {
    throw new UsageError('tasklight: missing command; try `tasklight serve` (see tasklight --help)');
  }
  if (first === '--help' || first === '-h') return { kind: 'help', text: MAIN_HELP };
  if (first === '--version' || first === '-v' || first === '-V') return { kind: 'version', text: `${VERSION}\n` };
  if (first === 'help') {
    if (rest.length === 0) return { kind: 'help', text: MAIN_HELP };
    const text = COMMAND_HELP[rest[0]!];
    if (text) return { kind: 'help', text };
    throw new UsageError(`tasklight: unknown command '${rest[0]}' (see tasklight --help)`);
  }
  if (first === 'serve') return parseServe(rest, env, context);
  if (first === 'env') return parseEnvCommand(rest, env);
  if (first === 'healthcheck') return parseHealthcheck(rest, env);
  if (first.startsWith('-')) {
    throw new UsageError(`tasklight: unknown option ${first} before the command (see tasklight --help)`);
  }
  throw new UsageError(`tasklight: unknown command '${first}' (see tasklight --help)`);
}

function parseServe(args: readonly string[], env: NodeJS.ProcessEnv, context: ParseContext): CliCommand {
  let values: {
    'data-dir'?: string;
    'in-memory'?: boolean;
    config?: string;
    exec?: string;
    'log-format'?: string;
    import?: string;
    'export-on-exit'?: string;
    'allowed-host'?: string[];
    'lift-limits'?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        ...endpointOptions(ENDPOINT_KEYS),
        'data-dir': { type: 'string' },
        'in-memory': { type: 'boolean' },
        config: { type: 'string' },
        exec: { type: 'string' },
        'log-format': { type: 'string' },
        import: { type: 'string' },
        'export-on-exit': { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        'lift-limits': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(describeParseArgsError(err, args, 'serve'));
  }
  if (values.help) return { kind: 'help', text: SERVE_HELP };
  const cwd = context.cwd ?? process.cwd();

  if (values.exec !== undefined) {
    if (values.exec.trim() === '') throw new UsageError('tasklight: --exec needs a command, like --exec "npm test"');
    // A test run starts from nothing: in memory unless a data directory is asked for.
    const wantsDir = values['data-dir'] !== undefined || !!env.TASKLIGHT_DATA_DIR?.trim();
    if (!wantsDir && values['in-memory'] === undefined) values['in-memory'] = true;
  }
  const place = resolvePlace(
    {
      ...endpointFlags(values, ENDPOINT_KEYS),
      dataDir: values['data-dir'],
      inMemory: values['in-memory'],
      liftLimits: values['lift-limits'],
      allowedHosts: values['allowed-host'],
    },
    env,
    context,
  );
  const config: ServeConfig = {
    ...place,
    configFile: optionalFile(pick(values.config, env, 'config'), 'config', cwd),
    exec: values.exec ?? null,
    logFormat: parseLogFormat(pick(values['log-format'], env, 'logFormat')),
    importFile: optionalFile(pick(values.import, env, 'importFile'), 'importFile', cwd),
    exportOnExit: optionalFile(pick(values['export-on-exit'], env, 'exportOnExit'), 'exportOnExit', cwd),
  };
  return { kind: 'serve', config };
}

function parseEnvCommand(args: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  let values: { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        ...endpointOptions(ENDPOINT_KEYS),
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(describeParseArgsError(err, args, 'env'));
  }
  if (values.help) return { kind: 'help', text: ENV_HELP };
  const { host, grpcPort, httpPort, sources } = resolveEndpoints(endpointFlags(values, ENDPOINT_KEYS), env);
  const config: EnvConfig = { host, grpcPort, httpPort };
  for (const key of ['grpcPort', 'httpPort'] as const) {
    if (config[key] === 0) {
      throw new UsageError(
        `tasklight: ${optionLabel(key, sources[key])} is 0 (a free port chosen at start); tasklight env needs the actual port, or use tasklight serve --exec`,
      );
    }
  }
  return { kind: 'env', config };
}

/** healthcheck asks one HTTP port; it takes no --grpc-port. */
const HEALTHCHECK_ENDPOINTS = ['host', 'httpPort'] as const;

function parseHealthcheck(args: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  let values: { url?: string; wait?: boolean; timeout?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        ...endpointOptions(HEALTHCHECK_ENDPOINTS),
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(describeParseArgsError(err, args, 'healthcheck'));
  }
  if (values.help) return { kind: 'help', text: HEALTHCHECK_HELP };
  const wait = values.wait === true;
  let timeoutMs = wait ? 30_000 : 5_000;
  if (values.timeout !== undefined) {
    const parsed = parseTimeout(values.timeout);
    if (parsed === undefined) throw new UsageError(`tasklight: --timeout must be a duration like 30s, 500ms or 2m, got '${values.timeout}'`);
    timeoutMs = parsed;
  }
  let url: string;
  if (values.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(values.url);
    } catch {
      throw new UsageError(`tasklight: --url must be an http:// URL like http://127.0.0.1:8124, got '${values.url}'`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError(`tasklight: --url must be an http:// URL like http://127.0.0.1:8124, got '${values.url}'`);
    }
    if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/healthz';
    url = parsed.toString();
  } else {
    const endpoints = resolveEndpoints(endpointFlags(values, HEALTHCHECK_ENDPOINTS), env, HEALTHCHECK_ENDPOINTS);
    const h = clientHost(endpoints.host);
    const port = endpoints.httpPort;
    if (port === 0) throw new UsageError('tasklight: healthcheck needs the actual HTTP port, not 0');
    url = `http://${hostForUrl(h)}:${port}/healthz`;
  }
  return { kind: 'healthcheck', config: { url, wait, timeoutMs } };
}

export { clientHost };

function parseTimeout(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
  if (!m) return undefined;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * factor);
  return ms > 0 ? ms : undefined;
}

function optionalFile(
  picked: { value: string; source: OptionSource } | undefined,
  key: ServeOptionKey,
  cwd: string,
): string | null {
  if (!picked) return null;
  const label = optionLabel(key, picked.source);
  if (picked.value.trim() === '') throw new UsageError(`tasklight: ${label} needs a file path`);
  return path.resolve(cwd, picked.value);
}

function parseLogFormat(picked: { value: string; source: OptionSource } | undefined): LogFormat {
  if (!picked) return 'text';
  const value = picked.value.trim().toLowerCase();
  if (value === 'json' || value === 'text') return value;
  throw new UsageError(`tasklight: ${optionLabel('logFormat', picked.source)} must be text or json, got '${picked.value}'`);
}

/** node:util parseArgs messages are long and multi-line; say the same thing in one line. */
function describeParseArgsError(err: unknown, args: readonly string[], command = 'serve'): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? 'an option';
  const hint = `(see tasklight ${command} --help)`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `tasklight: unknown option ${option} for ${command} ${hint}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const positional = /'([^']*)'/.exec(message)?.[1] ?? '';
      return `tasklight: unexpected argument '${positional}' for ${command} ${hint}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      if (/ambiguous/.test(message)) {
        // `--grpc-port --in-memory` or `--grpc-port -1`: the next word looks like an option.
        const next = args[args.indexOf(option) + 1];
        return `tasklight: ${option} needs a value, got '${next}' (write ${option}=VALUE to pass a value starting with '-')`;
      }
      if (/does not take an argument/.test(message)) return `tasklight: ${option} does not take a value ${hint}`;
      if (/argument missing/.test(message)) return `tasklight: ${option} needs a value ${hint}`;
      return `tasklight: bad value for ${option} ${hint}`;
    }
    default:
      return `tasklight: ${message.split('\n')[0]}`;
  }
}
