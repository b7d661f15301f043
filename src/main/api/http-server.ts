import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../core/errors';
import type { StoreHealthReport } from '../core/store-health';
import { NO_STORE, sendError, sendJson } from './json-response';

export type HttpHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined) => Promise<boolean>;

export interface HttpServerOptions {
  /** Tried in order; the first that resolves true has answered. */
  handlers: HttpHandler[];
  /** Request bodies above this are refused with 413. Default 4 MiB (a task is at most 1 MiB, base64 inflates it). */
  maxBodyBytes?: number;
  /**
   * Host names accepted besides loopback ones, e.g. a docker-compose service name when serving on
   * 0.0.0.0. Every other Host is refused: a DNS-rebinding page would arrive with its own name.
   */
  allowedHosts?: string[];
  /** The store's health: while degraded, /healthz and /readyz answer it as JSON instead of "ok". */
  health?: () => StoreHealthReport;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Methods a browser may send cross-origin without a preflight-free way to change state. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createHttpServer(opts: HttpServerOptions): http.Server {
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const extraHosts = new Set((opts.allowedHosts ?? []).map((h) => h.toLowerCase()));
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((err) => {
      // Last resort: a handler threw after the body was read.
      if (!res.headersSent) sendError(res, err);
      else res.destroy();
    });
  });
  // Longer than the idle timeouts of client keep-alive pools, so a reused socket is not closed under them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host;
    if (host !== undefined && !isLoopbackHost(host) && !extraHosts.has(hostName(host))) {
      return refuse(req, res, new ApiError('PERMISSION_DENIED', `Host "${host}" is not allowed; Tasklight answers only loopback names.`));
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    if (origin !== undefined && !SAFE_METHODS.has(method) && !isLoopbackOrigin(origin)) {
      return refuse(req, res, new ApiError('PERMISSION_DENIED', `Cross-origin ${method} from "${origin}" is not allowed.`));
    }
    const path = (req.url ?? '/').split('?')[0];
    if ((method === 'GET' || method === 'HEAD') && (path === '/healthz' || path === '/readyz')) {
      req.resume();
      const health = opts.health?.();
      if (health && health.status !== 'ok') {
        // Alive (a restart would not free the disk) but not ready to take writes.
        sendJson(res, path === '/readyz' ? 503 : 200, health, NO_STORE);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
      res.end(method === 'HEAD' ? undefined : 'ok');
      return;
    }

    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      // The body was read (and dropped) up to DRAIN_BYTES; past that the socket closes after the answer.
      res.setHeader('Connection', 'close');
      sendError(res, new ApiError('INVALID_ARGUMENT', `Request payload size exceeds the limit: ${maxBodyBytes} bytes.`), {}, 413);
      return;
    }
    for (const handler of opts.handlers) {
      if (await handler(req, res, body)) return;
    }
    sendError(res, new ApiError('NOT_FOUND', `The requested URL ${path} was not found on this server.`));
  }

  return server;
}

/** Resolves the bound port (useful with port 0); rejects with the listen error, e.g. EADDRINUSE. */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * A client that sends its whole body before it reads the answer sees a broken pipe if the server
 * answers 413 and closes mid-body; so up to this many bytes past the limit are read and dropped
 * before answering. A body beyond even that is answered at once and its connection closed.
 */
export const DRAIN_BYTES = 64 * 1024 * 1024;

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | undefined | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max + DRAIN_BYTES) {
    req.pause();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (size > max + DRAIN_BYTES) {
        cleanup();
        req.pause();
        resolve('too-large');
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(size > max ? 'too-large' : size === 0 ? undefined : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function refuse(req: http.IncomingMessage, res: http.ServerResponse, err: ApiError): void {
  res.setHeader('Connection', 'close');
  req.resume();
  sendError(res, err);
}

/** The name part of a Host header: `[::1]:8124` → `[::1]`, `localhost:8124` → `localhost`. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    return close < 0 ? h : h.slice(0, close + 1);
  }
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

export function isLoopbackHost(host: string): boolean {
  const name = hostName(host).replace(/\.$/, '');
  if (name === 'localhost' || name === '[::1]') return true;
  const octets = name.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
  );
}

export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.host);
  } catch {
    return false; // includes the opaque origin "null" (sandboxed frames, file:)
  }
}
