import { once } from 'node:events';
import * as http from 'node:http';
import type * as net from 'node:net';

/** A handler that holds every request until the test answers it. */
export async function holdingHandler() {
  const held: http.ServerResponse[] = [];
  const arrived: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    req.resume();
    held.push(res);
    for (const wake of arrived.splice(0)) wake();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/work`,
    /** Resolves once a request is being held. */
    async request(): Promise<http.ServerResponse> {
      while (held.length === 0) await new Promise<void>((resolve) => arrived.push(resolve));
      return held[0]!;
    },
    close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}
