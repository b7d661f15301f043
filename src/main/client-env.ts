import { clientEndpoints } from '../shared/endpoints';

/** The environment that points clients at an instance (`tasklight env`, `serve --exec`). */
export function clientEnv(host: string, grpcPort: number, httpPort: number): Record<string, string> {
  const { grpcEndpoint, httpUrl } = clientEndpoints(host, grpcPort, httpPort);
  return {
    TASKLIGHT_GRPC_ENDPOINT: grpcEndpoint,
    TASKLIGHT_HTTP_URL: httpUrl,
    CLOUD_TASKS_EMULATOR_HOST: new URL(httpUrl).host,
  };
}

/** `export NAME=value` lines, single-quoted where the shell needs it. */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`}\n`)
    .join('');
}
