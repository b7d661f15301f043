/**
 * Where Tasklight listens by default and how its addresses are written for a client. Plain string
 * code: the server, the CLI, the test helpers and the UI all name endpoints the same way.
 */

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_GRPC_PORT = 8123;
export const DEFAULT_HTTP_PORT = 8124;

/** Every interface (containers): 0.0.0.0 or ::, which a client cannot connect to by that name everywhere. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '' || host === '::' || host === '[::]';
}

/** The address a client on this machine uses for a server listening on `host`: wildcards become loopback. */
export function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

/** A host as it appears in a URL or `host:port`: IPv6 addresses in brackets. */
export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `host:port` and `http://host:port` of an instance, as a client on this machine reaches it. */
export function clientEndpoints(listenHost: string, grpcPort: number, httpPort: number): { grpcEndpoint: string; httpUrl: string } {
  const host = hostForUrl(clientHost(listenHost));
  return { grpcEndpoint: `${host}:${grpcPort}`, httpUrl: `http://${host}:${httpPort}` };
}
