/** `tasklight env`'s options: the endpoints to print export lines for. */
import { parseArgs } from 'node:util';
import { ENDPOINT_KEYS, optionLabel, resolveEndpoints, UsageError } from '../instance-options';
import type { CliCommand } from './args';
import { endpointFlags, endpointOptions } from './endpoint-options';
import { ENV_HELP } from './help';
import { describeParseArgsError } from './parse-error';

/** `tasklight env`: where an instance listens (nothing is started). */
export interface EnvConfig {
  host: string;
  grpcPort: number;
  httpPort: number;
}

export function parseEnvCommand(args: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
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
