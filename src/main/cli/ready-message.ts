/**
 * What `tasklight serve` prints once it listens. As text: exactly one line starting
 * "Tasklight ready:", then a few indented hints. With --log-format json: one JSON object on one
 * line, like the attempt records, with the endpoints and the client environment as fields, so a
 * script reading stdout as NDJSON never meets a line it cannot parse.
 */
import { clientEnv } from '../client-env';
import type { RunningServer } from '../server';
import type { LogFormat } from './attempt-log';

type ReadyServer = Pick<RunningServer, 'host' | 'grpcPort' | 'httpPort' | 'grpcEndpoint' | 'httpUrl' | 'dataDir'>;

export function readyMessage(server: ReadyServer, format: LogFormat, now: Date = new Date()): string {
  return format === 'json' ? readyJson(server, now) : readyText(server);
}

function readyText(server: ReadyServer): string {
  const storage = server.dataDir === null ? 'in-memory' : `data: ${server.dataDir}`;
  const restHost = new URL(server.httpUrl).host;
  const grpcHost = new URL(`http://${server.grpcEndpoint}`).hostname;
  return [
    `Tasklight ready: gRPC ${server.grpcEndpoint}, HTTP ${server.httpUrl} (${storage})`,
    `  web UI:         ${server.httpUrl}/`,
    `  firebase-admin: export CLOUD_TASKS_EMULATOR_HOST=${restHost}`,
    `  Node client:    new CloudTasksClient({ apiEndpoint: '${grpcHost}', port: ${server.grpcPort}, sslCreds: credentials.createInsecure() })`,
    '',
  ].join('\n');
}

/** {"time","level","subsystem":"server","message":"Tasklight ready","grpcEndpoint","grpcPort","httpUrl","httpPort","webUi","storage","dataDir","env"} */
function readyJson(server: ReadyServer, now: Date): string {
  return `${JSON.stringify({
    time: now.toISOString(),
    level: 'info',
    subsystem: 'server',
    message: 'Tasklight ready',
    grpcEndpoint: server.grpcEndpoint,
    grpcPort: server.grpcPort,
    httpUrl: server.httpUrl,
    httpPort: server.httpPort,
    webUi: `${server.httpUrl}/`,
    storage: server.dataDir === null ? 'in-memory' : 'data-dir',
    dataDir: server.dataDir,
    env: clientEnv(server.host, server.grpcPort, server.httpPort),
  })}\n`;
}
