/**
 * The flags that say where an instance listens (--host, --grpc-port, --http-port), defined once
 * for every command that takes them: serve and env take all three, healthcheck --host and
 * --http-port. Each is a string, read back by the key its TASKLIGHT_* variable mirrors.
 */
import { SERVE_OPTIONS, type EndpointKey } from '../instance-options';

const flagName = (key: EndpointKey): string => SERVE_OPTIONS[key].flag.slice(2);

/** node:util parseArgs options for the given endpoint flags. */
export function endpointOptions(keys: readonly EndpointKey[]): Record<string, { type: 'string' }> {
  return Object.fromEntries(keys.map((key) => [flagName(key), { type: 'string' as const }]));
}

/** The values parseArgs read for those flags, by key (absent when the flag was not given). */
export function endpointFlags(values: Record<string, unknown>, keys: readonly EndpointKey[]): Partial<Record<EndpointKey, string>> {
  const flags: Partial<Record<EndpointKey, string>> = {};
  for (const key of keys) {
    const value = values[flagName(key)];
    if (typeof value === 'string') flags[key] = value;
  }
  return flags;
}
