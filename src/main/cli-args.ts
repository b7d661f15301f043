import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { version as packageVersion } from '../../package.json';
import { defaultDataDir } from './data-dir';

/**
 * Command-line parsing for `tasklight`, kept free of side effects: it reads only the arguments and
 * environment it is given and starts nothing, so tests can check every flag without a server.
 */

export const VERSION: string = packageVersion;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_GRPC_PORT = 8123;
export const DEFAULT_HTTP_PORT = 8124;

/** Where a setting came from; error messages name the flag or variable the user actually set. */
export type OptionSource = 'flag' | 'env' | 'default';

export interface ServeConfig {
  host: string;
  grpcPort: number;
  httpPort: number;
  /** Absolute path of the data directory, or null with `inMemory`. */
  dataDir: string | null;
  inMemory: boolean;
  sources: { host: OptionSource; grpcPort: OptionSource; httpPort: OptionSource; storage: OptionSource };
}

export type CliCommand =
  | { kind: 'serve'; config: ServeConfig }
  /** Print `text` on stdout and exit 0. */
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  /** Print `message` (one line) on stderr and exit 2; nothing is started. */
  | { kind: 'usage-error'; message: string };

export const USAGE_EXIT_CODE = 2;

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
} as const;

export type ServeOptionKey = keyof typeof SERVE_OPTIONS;

/** The flag or environment variable a setting came from, for messages (`--grpc-port`, `TASKLIGHT_GRPC_PORT`). */
export function optionLabel(key: ServeOptionKey, source: OptionSource): string {
  return source === 'env' ? SERVE_OPTIONS[key].env : SERVE_OPTIONS[key].flag;
}

export const MAIN_HELP = `Tasklight ${VERSION} - a local Google Cloud Tasks emulator

Usage:
  tasklight serve [options]   run the emulator headless: Cloud Tasks gRPC + REST, web UI
  tasklight --help            show this help (tasklight serve --help lists the options)
  tasklight --version         print the version
`;

export const SERVE_HELP = `Usage: tasklight serve [options]

Runs the Tasklight engine without a desktop window. Cloud Tasks clients connect over gRPC
(plaintext) or REST; the HTTP port also serves /healthz, the test API (/api/...) and the web UI.

Options (each also settable by the environment variable shown; a flag wins over its variable):
  --host HOST        interface to listen on (default ${DEFAULT_HOST})          TASKLIGHT_HOST
  --grpc-port PORT   gRPC port; 0 picks a free one (default ${DEFAULT_GRPC_PORT})         TASKLIGHT_GRPC_PORT
  --http-port PORT   HTTP port; 0 picks a free one (default ${DEFAULT_HTTP_PORT})         TASKLIGHT_HTTP_PORT
  --data-dir DIR     where queues, tasks and attempts are stored           TASKLIGHT_DATA_DIR
                     (default: the desktop app's data directory)
  --in-memory        keep nothing on disk; state ends with the process     TASKLIGHT_IN_MEMORY=1
  -h, --help         show this help

Once listening, one line on stdout starts with "Tasklight ready:" and names the actual endpoints.
SIGINT or SIGTERM shuts down cleanly (exit 0). Exit 1: could not start (e.g. a port is taken).
Exit 2: bad arguments.
`;

class UsageError extends Error {}

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
    if (rest[0] === 'serve') return { kind: 'help', text: SERVE_HELP };
    throw new UsageError(`tasklight: unknown command '${rest[0]}' (see tasklight --help)`);
  }
  if (first === 'serve') return parseServe(rest, env, context);
  if (first.startsWith('-')) {
    throw new UsageError(`tasklight: unknown option ${first} before the command (see tasklight --help)`);
  }
  throw new UsageError(`tasklight: unknown command '${first}' (see tasklight --help)`);
}

function parseServe(args: readonly string[], env: NodeJS.ProcessEnv, context: ParseContext): CliCommand {
  let values: {
    host?: string;
    'grpc-port'?: string;
    'http-port'?: string;
    'data-dir'?: string;
    'in-memory'?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        'grpc-port': { type: 'string' },
        'http-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'in-memory': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(describeParseArgsError(err, args));
  }
  if (values.help) return { kind: 'help', text: SERVE_HELP };

  const host = pick(values.host, env, 'host');
  const grpcPort = pick(values['grpc-port'], env, 'grpcPort');
  const httpPort = pick(values['http-port'], env, 'httpPort');

  const config: ServeConfig = {
    host: host ? parseHost(host.value, optionLabel('host', host.source)) : DEFAULT_HOST,
    grpcPort: grpcPort ? parsePort(grpcPort.value, optionLabel('grpcPort', grpcPort.source)) : DEFAULT_GRPC_PORT,
    httpPort: httpPort ? parsePort(httpPort.value, optionLabel('httpPort', httpPort.source)) : DEFAULT_HTTP_PORT,
    dataDir: null,
    inMemory: false,
    sources: {
      host: host?.source ?? 'default',
      grpcPort: grpcPort?.source ?? 'default',
      httpPort: httpPort?.source ?? 'default',
      storage: 'default',
    },
  };

  if (config.grpcPort !== 0 && config.grpcPort === config.httpPort) {
    const grpcLabel = optionLabel('grpcPort', config.sources.grpcPort);
    const httpLabel = optionLabel('httpPort', config.sources.httpPort);
    throw new UsageError(`tasklight: ${grpcLabel} and ${httpLabel} are both ${config.grpcPort}; they must differ`);
  }

  resolveStorage(config, values['data-dir'], values['in-memory'] === true, env, context);
  return { kind: 'serve', config };
}

/** The flag's value if given, else the environment variable's (an empty variable counts as unset). */
function pick(
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
  config: ServeConfig,
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

function parseHost(raw: string, label: string): string {
  let host = raw.trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1); // [::1]
  if (host === '') throw new UsageError(`tasklight: ${label} needs a host name or IP address`);
  if (/[\s/]/.test(host) || host.includes('://')) {
    throw new UsageError(`tasklight: ${label} takes a host name or IP address (like 127.0.0.1), got '${raw}'`);
  }
  return host;
}

function parseDataDir(raw: string, label: string, cwd: string): string {
  if (raw.trim() === '') throw new UsageError(`tasklight: ${label} needs a directory`);
  return path.resolve(cwd, raw);
}

function parseBoolean(raw: string, label: string): boolean {
  const value = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new UsageError(`tasklight: ${label} must be 1/true or 0/false, got '${raw}'`);
}

/** node:util parseArgs messages are long and multi-line; say the same thing in one line. */
function describeParseArgsError(err: unknown, args: readonly string[]): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? 'an option';
  const hint = '(see tasklight serve --help)';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `tasklight: unknown option ${option} for serve ${hint}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const positional = /'([^']*)'/.exec(message)?.[1] ?? '';
      return `tasklight: unexpected argument '${positional}' for serve ${hint}`;
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
