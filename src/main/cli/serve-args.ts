/** `tasklight serve`'s options: where it listens and keeps data, and the test-workflow flags. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ENDPOINT_KEYS,
  optionLabel,
  pick,
  resolvePlace,
  UsageError,
  type InstancePlace,
  type OptionSource,
  type ParseContext,
  type ServeOptionKey,
} from '../instance-options';
import type { CliCommand } from './args';
import type { LogFormat } from './attempt-log';
import { endpointFlags, endpointOptions } from './endpoint-options';
import { SERVE_HELP } from './help';
import { describeParseArgsError } from './parse-error';

export type { LogFormat };

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

export function parseServe(args: readonly string[], env: NodeJS.ProcessEnv, context: ParseContext): CliCommand {
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
