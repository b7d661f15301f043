/** The environment that points clients at an instance (`tasklight env`, `serve --exec`). */
export function clientEnv(host: string, grpcPort: number, httpPort: number): Record<string, string> {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hp = h.includes(':') ? `[${h}]` : h;
  return {
    TASKLIGHT_GRPC_ENDPOINT: `${hp}:${grpcPort}`,
    TASKLIGHT_HTTP_URL: `http://${hp}:${httpPort}`,
    CLOUD_TASKS_EMULATOR_HOST: `${hp}:${httpPort}`,
  };
}

/** `export NAME=value` lines, single-quoted where the shell needs it. */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`}\n`)
    .join('');
}
