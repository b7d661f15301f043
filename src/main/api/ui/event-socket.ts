import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS_PATH } from '../../../shared/contract';
import { isLoopbackHost, isLoopbackOrigin } from '../http-server';
import type { UiService } from '../ui-service';

/** Above this many unsent bytes a client is skipped; its changes keep merging until it drains. */
const MAX_BUFFERED = 1 << 20;

/**
 * The UI's event stream: a WebSocket at /api/events on the HTTP port. The upgrade is refused
 * unless Host is a loopback name (DNS rebinding) and Origin, when a browser sends one, is a
 * loopback origin (another site's page must not watch a developer's tasks).
 */
export function attachEventSocket(server: Server, service: UiService, allowedHosts: string[] = []): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const extra = new Set(allowedHosts.map((h) => h.toLowerCase()));

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== EVENTS_PATH) return refuse(socket, 404, 'Not Found');
    const host = req.headers.host ?? '';
    const hostName = host.replace(/:\d+$/, '').toLowerCase();
    if (!isLoopbackHost(host) && !extra.has(hostName)) return refuse(socket, 403, 'Forbidden');
    const origin = req.headers.origin;
    if (origin !== undefined && !isLoopbackOrigin(origin)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  };

  const onConnection = (ws: WebSocket) => {
    const unsubscribe = service.subscribe(
      (update) => ws.send(JSON.stringify(update)),
      () => ws.readyState === ws.OPEN && ws.bufferedAmount < MAX_BUFFERED,
    );
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    // Clients only listen; anything they send is ignored.
    ws.on('message', () => undefined);
  };

  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
