/**
 * Command-line parsing for `tasklight`, kept free of side effects: it reads only the arguments and
 * environment it is given and starts nothing, so tests can check every flag without a server.
 * Each command parses its own options (serve-args.ts, env-args.ts, healthcheck-args.ts); the
 * endpoint flags they share are defined once (endpoint-options.ts), the help texts in help.ts.
 */
import { UsageError, type ParseContext } from '../instance-options';
import { parseEnvCommand, type EnvConfig } from './env-args';
import { parseHealthcheck, type HealthcheckConfig } from './healthcheck-args';
import { COMMAND_HELP, MAIN_HELP, VERSION } from './help';
import { parseServe, type ServeConfig } from './serve-args';

export { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_HTTP_PORT, optionLabel, parsePort, SERVE_OPTIONS, type OptionSource, type ParseContext } from '../instance-options';
export { ENV_HELP, HEALTHCHECK_HELP, MAIN_HELP, SERVE_HELP, VERSION } from './help';
export type { EnvConfig, HealthcheckConfig, ServeConfig };
export type { LogFormat } from './serve-args';

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
