import { clientEndpoints, DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_HTTP_PORT, isWildcardHost } from '../shared/endpoints';
import type * as grpc from '@grpc/grpc-js';
import type * as http from 'node:http';
import { cloudTasksImplementation } from './api/cloud-tasks-service';
import { bindGrpc, createGrpcServer } from './api/grpc-server';
import { createHttpServer, listen } from './api/http-server';
import { createRestHandler } from './api/rest/rest-handler';
import { createOidcHandler } from './api/oidc-routes';
import { withFirebaseCompat } from './api/firebase-compat';
import { UiService } from './api/ui-service';
import { attachEventSocket } from './api/ui/event-socket';
import { createUiHttpHandler } from './api/ui/http-routes';
import { createStaticHandler, findRendererDir } from './api/ui/static-files';
import { SystemClock, type Clock } from './core/clock';
import { Engine } from './core/engine';
import { resolveSettings, type EngineSettings } from './core/settings';
import { defaultDataDir } from './data-dir';
import { acquireDataDirLock, DataDirInUseError, type DataDirLock } from './data-dir-lock';
import { diskFailureOf } from './core/store-health';

export { defaultDataDir, DataDirInUseError };

export interface ServerOptions {
  host?: string;
  grpcPort?: number;
  httpPort?: number;
  /** Where the SQLite store lives; ignored with inMemory. Defaults to the platform's user-data dir. */
  dataDir?: string;
  inMemory?: boolean;
  clock?: Clock;
  settings?: Partial<EngineSettings>;
  /** The built renderer served at `/` (web UI); found next to the build when omitted, null: none. */
  rendererDir?: string | null;
  /** Who runs the engine, for the UI's server info. */
  mode?: 'desktop' | 'serve';
  /** HTTP Host names accepted besides loopback ones (docker-compose service names). */
  allowedHosts?: string[];
  /**
   * Runs once both ports are bound, before dispatch starts (import a snapshot, apply a config
   * file): if it throws, the start fails like a busy port would, with no task claimed or sent.
   */
  beforeDispatch?: (engine: Engine) => void | Promise<void>;
  /** better-sqlite3's compiled module, when node_modules' build is for another ABI (the desktop app). */
  sqliteBinding?: string;
}

export interface RunningServer {
  host: string;
  grpcPort: number;
  httpPort: number;
  /** host:port for gRPC clients */
  grpcEndpoint: string;
  /** base URL for REST, the UI and OIDC discovery */
  httpUrl: string;
  dataDir: string | null;
  engine: Engine;
  /** The UI contract over this engine (HTTP + WebSocket here; Electron IPC wires to it too). */
  ui: UiService;
  /**
   * Stops: claims nothing more at once, closes both ports, gives attempts in flight `graceMs`
   * (default 0: none) to be answered, records the rest as interrupted, closes the store and
   * releases the data directory. A second call returns the first call's promise.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Starts the engine and both API surfaces; the desktop app and `tasklight serve` both call this.
 *
 * Order matters, so that a start that fails changes nothing: the data dir's lock first (before
 * anything in it is read; DataDirInUseError if another live process has it), then the store is
 * opened without dispatching, both ports are bound, `beforeDispatch` runs, and only then does the
 * dispatcher hand back crash leases and claim due tasks. On any failure everything opened so far
 * is closed, the lock released, and the error rethrown.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const dataDir = options.inMemory ? null : (options.dataDir ?? defaultDataDir());
  const settings = resolveSettings(options.settings);
  let lock: DataDirLock | undefined;
  let lockRefused: unknown;
  try {
    lock = dataDir === null ? undefined : acquireDataDirLock(dataDir);
  } catch (err) {
    // A full disk cannot take the lock file; the store's own exclusive lock stands in for it.
    if (!diskFailureOf(err)) throw err;
    lockRefused = err;
  }
  let engine: Engine;
  try {
    engine = Engine.open(dataDir, options.clock ?? new SystemClock(), settings, {
      startDispatching: false,
      nativeBinding: options.sqliteBinding,
      ...(lockRefused === undefined ? {} : { exclusiveBecause: lockRefused }),
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const impl = cloudTasksImplementation(engine);

  let grpcServer: grpc.Server | undefined;
  let httpServer: http.Server | undefined;
  let endpoints = { grpcEndpoint: '', httpUrl: '' };
  const ui = new UiService(engine, {
    info: () => ({ ...endpoints, dataDir, mode: options.mode ?? 'serve' }),
  });
  let events: { close(): void } | undefined;
  try {
    grpcServer = createGrpcServer(impl);
    const grpcPort = await bindGrpc(grpcServer, host, options.grpcPort ?? DEFAULT_GRPC_PORT);
    // Bound to every interface, the instance is also reached as http://0.0.0.0:PORT (browsers on
    // Linux and macOS connect to it); that name must pass the Host check like a loopback one.
    const allowedHosts = [...(options.allowedHosts ?? []), ...(isWildcardHost(host) ? ['0.0.0.0', '[::]'] : [])];
    const rendererDir = options.rendererDir === undefined ? findRendererDir() : options.rendererDir;
    httpServer = createHttpServer({
      handlers: [createOidcHandler(engine.tokens), withFirebaseCompat(engine, createRestHandler(impl)), createUiHttpHandler(ui), createStaticHandler(rendererDir)],
      allowedHosts,
      health: () => engine.health.report(),
    });
    events = attachEventSocket(httpServer, ui, allowedHosts);
    const httpPort = await listen(httpServer, host, options.httpPort ?? DEFAULT_HTTP_PORT);
    // What a client on this machine connects to: a wildcard listen address is not one.
    endpoints = clientEndpoints(host, grpcPort, httpPort);
    engine.tokens.issuer = endpoints.httpUrl;
    lock?.setHttpUrl(endpoints.httpUrl);
    await options.beforeDispatch?.(engine);
    engine.startDispatching();

    let closing: Promise<void> | undefined;
    const close = (closeOptions: { graceMs?: number } = {}) =>
      (closing ??= (async () => {
        const draining = engine.stopDispatching(closeOptions.graceMs ?? 0);
        events?.close();
        await ui.close();
        await Promise.all([
          new Promise<void>((resolve) => grpcServer!.tryShutdown(() => resolve())),
          new Promise<void>((resolve) => {
            httpServer!.close(() => resolve());
            httpServer!.closeIdleConnections?.();
          }),
        ]);
        try {
          await draining;
          await engine.shutdown();
        } finally {
          lock?.release();
        }
      })());

    return {
      host,
      grpcPort,
      httpPort,
      grpcEndpoint: endpoints.grpcEndpoint,
      httpUrl: endpoints.httpUrl,
      dataDir,
      engine,
      ui,
      close,
    };
  } catch (err) {
    grpcServer?.forceShutdown();
    events?.close();
    await ui.close();
    httpServer?.close();
    try {
      await engine.shutdown();
    } finally {
      lock?.release();
    }
    throw err;
  }
}
