import type * as grpc from '@grpc/grpc-js';
import type * as http from 'node:http';
import { cloudTasksImplementation } from './api/cloud-tasks-service';
import { bindGrpc, createGrpcServer } from './api/grpc-server';
import { createHttpServer, listen } from './api/http-server';
import { createRestHandler } from './api/rest/rest-handler';
import { createOidcHandler } from './api/oidc-routes';
import { SystemClock, type Clock } from './core/clock';
import { Engine } from './core/engine';
import { resolveSettings, type EngineSettings } from './core/settings';
import { defaultDataDir } from './data-dir';

export { defaultDataDir };

export interface ServerOptions {
  host?: string;
  grpcPort?: number;
  httpPort?: number;
  /** Where the SQLite store lives; ignored with inMemory. Defaults to the platform's user-data dir. */
  dataDir?: string;
  inMemory?: boolean;
  clock?: Clock;
  settings?: Partial<EngineSettings>;
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
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the engine and both API surfaces; the desktop app and `tasklight serve` both call this. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.inMemory ? null : (options.dataDir ?? defaultDataDir());
  const engine = Engine.open(dataDir, options.clock ?? new SystemClock(), resolveSettings(options.settings));
  const impl = cloudTasksImplementation(engine);

  let grpcServer: grpc.Server | undefined;
  let httpServer: http.Server | undefined;
  try {
    grpcServer = createGrpcServer(impl);
    const grpcPort = await bindGrpc(grpcServer, host, options.grpcPort ?? 8123);
    httpServer = createHttpServer({ handlers: [createOidcHandler(engine.tokens), createRestHandler(impl)] });
    const httpPort = await listen(httpServer, host, options.httpPort ?? 8124);
    engine.tokens.issuer = `http://${hostForUrl(host)}:${httpPort}`;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await Promise.all([
          new Promise<void>((resolve) => grpcServer!.tryShutdown(() => resolve())),
          new Promise<void>((resolve) => {
            httpServer!.close(() => resolve());
            httpServer!.closeIdleConnections?.();
          }),
        ]);
        await engine.shutdown();
      })());

    return {
      host,
      grpcPort,
      httpPort,
      grpcEndpoint: `${hostForUrl(host)}:${grpcPort}`,
      httpUrl: `http://${hostForUrl(host)}:${httpPort}`,
      dataDir,
      engine,
      close,
    };
  } catch (err) {
    grpcServer?.forceShutdown();
    httpServer?.close();
    await engine.shutdown();
    throw err;
  }
}
