/** `tasklight healthcheck`'s options: which /healthz to ask, and how long to wait. */
import { parseArgs } from 'node:util';
import { clientHost, hostForUrl } from '../../shared/endpoints';
import { resolveEndpoints, UsageError } from '../instance-options';
import type { CliCommand } from './args';
import { endpointFlags, endpointOptions } from './endpoint-options';
import { HEALTHCHECK_HELP } from './help';
import { describeParseArgsError } from './parse-error';

/** `tasklight healthcheck`. */
export interface HealthcheckConfig {
  url: string;
  wait: boolean;
  timeoutMs: number;
}

/** healthcheck asks one HTTP port; it takes no --grpc-port. */
const HEALTHCHECK_ENDPOINTS = ['host', 'httpPort'] as const;

export function parseHealthcheck(args: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
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

function parseTimeout(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
  if (!m) return undefined;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * factor);
  return ms > 0 ? ms : undefined;
}
