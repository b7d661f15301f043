/**
 * `tasklight/testing`: start Tasklight inside a test process (in memory, free ports) or connect to
 * one already running (`tasklight serve --exec` sets TASKLIGHT_HTTP_URL), get configured clients,
 * and assert on what was dispatched without sleeping:
 *
 *   import { startTasklight } from 'tasklight/testing';
 *   const tl = await startTasklight({ config: 'tasklight.yaml' });
 *   await tl.client().createTask({ parent, task: { httpRequest: { url: 'http://127.0.0.1:8080/h' } } });
 *   await tl.waitForIdle();
 *   const [attempt] = await tl.attempts({ queue });
 *   await tl.stop();
 *
 * The helpers go through the HTTP test contract (src/shared/testing-contract.ts), the same one
 * CI scripts and other languages use.
 */
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { PassThroughClient } from 'google-auth-library';
import { declareConfig } from './config/apply-config';
import { loadConfig, parseConfigText, type LoadedConfig } from './config/load-config';
import type { EngineSettings } from './core/settings';
import { startServer, type RunningServer } from './server';
import { clientEnv } from './client-env';
import {
  TESTING_PATHS,
  type AdvanceClockResponse,
  type AttemptRecord,
  type AttemptsQuery,
  type AttemptsResponse,
  type ForgetNamesResponse,
  type WaitIdleResponse,
} from '../shared/testing-contract';

export type { AttemptRecord, AttemptsQuery, AdvanceClockResponse } from '../shared/testing-contract';
export { MAX_ADVANCE_CLOCK_SECONDS } from '../shared/testing-contract';
export type { EngineSettings } from './core/settings';

export interface StartOptions {
  /**
   * Queues and settings to start with: a path to a tasklight.yaml/.json or App Engine queue.yaml,
   * or the same content inline as an object (as the YAML would parse).
   */
  config?: string | Record<string, unknown>;
  /** Engine settings (override the config's): e.g. `{ dedupWindow }` as taskTombstoneTtlMs: 0. */
  settings?: Partial<EngineSettings>;
  /** Keep state on disk here instead of in memory. */
  dataDir?: string;
}

export interface Tasklight {
  /** host:port for gRPC clients. */
  grpcEndpoint: string;
  /** Base URL of REST, the test API and the web UI. */
  httpUrl: string;
  /** TASKLIGHT_GRPC_ENDPOINT, TASKLIGHT_HTTP_URL and CLOUD_TASKS_EMULATOR_HOST for this instance. */
  env: Record<string, string>;
  /** A v2 CloudTasksClient over gRPC (one per call; closed by stop()). */
  client(): CloudTasksClient;
  /** A v2 CloudTasksClient over REST (`fallback: true`), no credentials. */
  restClient(): CloudTasksClient;
  /** Deletes every queue, task, reserved name and attempt; the instance's config queues (serve --config, startTasklight({ config })) are created again as declared. */
  reset(): Promise<void>;
  /** Releases task names reserved by de-duplication (one queue, or all). */
  forgetNames(queue?: string): Promise<number>;
  /** Resolves once nothing is in flight or due now (one queue, or all); rejects after `timeoutMs`. */
  waitForIdle(queue?: string, timeoutMs?: number): Promise<void>;
  /**
   * Resolves once every task has finished: succeeded, exhausted its retries, or been deleted,
   * waiting out retry backoffs (keep them short in tests, or use advanceClock); rejects after `timeoutMs`.
   */
  waitForDone(queue?: string, timeoutMs?: number): Promise<void>;
  /** Recorded dispatch attempts, oldest first. */
  attempts(filter?: AttemptsQuery): Promise<AttemptRecord[]>;
  /**
   * Moves a queue's clock forward: what is due within `seconds` becomes due now. `seconds` is at
   * most MAX_ADVANCE_CLOCK_SECONDS (366 days); anything else is refused with a 400.
   */
  advanceClock(queue: string, seconds: number): Promise<AdvanceClockResponse>;
  /** Puts a queue's moved clock back on real time (tasks keep their schedule times). */
  resetClock(queue: string): Promise<AdvanceClockResponse>;
  /** Stops the instance (when this process started it) and closes the clients. */
  stop(): Promise<void>;
}

/** Thrown when a helper's HTTP call fails; `status` and `body` are the Google JSON error. */
export class TasklightError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'TasklightError';
  }
}

let warnedUnderExec = false;

/**
 * Starts Tasklight in this process on free loopback ports, in memory unless `dataDir` is given.
 * Always a new instance of its own: under `tasklight serve --exec` (TASKLIGHT_HTTP_URL set) it
 * does not use the served one, and warns once that connectTasklight() is the way to reach it.
 */
export async function startTasklight(options: StartOptions = {}): Promise<Tasklight> {
  if (process.env.TASKLIGHT_HTTP_URL && !warnedUnderExec) {
    warnedUnderExec = true;
    process.emitWarning(
      `startTasklight() starts a second Tasklight in this process on its own ports; the one at TASKLIGHT_HTTP_URL (${process.env.TASKLIGHT_HTTP_URL}) is left alone. Use connectTasklight() to test against it.`,
      { code: 'TASKLIGHT_SECOND_INSTANCE' },
    );
  }
  const config = loadOptionsConfig(options.config, options.settings);
  const server = await startServer({
    host: '127.0.0.1',
    grpcPort: 0,
    httpPort: 0,
    ...(options.dataDir ? { dataDir: options.dataDir } : { inMemory: true }),
    settings: { ...config?.settings, ...options.settings },
    rendererDir: null,
  });
  try {
    if (config) await declareConfig(server.engine, config);
  } catch (err) {
    await server.close();
    throw err;
  }
  return handle(server.grpcEndpoint, server.httpUrl, server);
}

/**
 * Connects to a running Tasklight, by default the one `tasklight serve --exec` announced in
 * TASKLIGHT_GRPC_ENDPOINT / TASKLIGHT_HTTP_URL. stop() closes the clients only.
 */
export function connectTasklight(
  endpoints: { grpcEndpoint?: string; httpUrl?: string } = {},
): Tasklight {
  const grpcEndpoint = endpoints.grpcEndpoint ?? process.env.TASKLIGHT_GRPC_ENDPOINT ?? '127.0.0.1:8123';
  const httpUrl = (endpoints.httpUrl ?? process.env.TASKLIGHT_HTTP_URL ?? 'http://127.0.0.1:8124').replace(/\/+$/, '');
  return handle(grpcEndpoint, httpUrl);
}

function loadOptionsConfig(config: StartOptions['config'], settings: Partial<EngineSettings> | undefined): LoadedConfig | undefined {
  if (config === undefined) return undefined;
  if (typeof config === 'string') return loadConfig(config, process.env, settings);
  return parseConfigText(JSON.stringify(config), 'config (inline)', process.env, settings);
}

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(endpoint);
  if (!m) throw new Error(`not a host:port gRPC endpoint: ${endpoint}`);
  return { host: m[1]!, port: Number(m[2]) };
}

function handle(grpcEndpoint: string, httpUrl: string, server?: RunningServer): Tasklight {
  const clients: CloudTasksClient[] = [];
  const grpc = splitEndpoint(grpcEndpoint);
  const http = new URL(httpUrl);

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${httpUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const message = errorMessageOf(parsed) ?? `HTTP ${res.status}`;
      throw new TasklightError(`Tasklight ${method} ${path}: ${message}`, res.status, parsed);
    }
    return parsed as T;
  }

  return {
    grpcEndpoint,
    httpUrl,
    env: clientEnv(grpc.host, grpc.port, Number(http.port || 80)),
    client() {
      // No Google credentials to look for: without an auth client the client probes the GCE metadata
      // server and warns in the app's test output.
      const c = new CloudTasksClient({ apiEndpoint: grpc.host, port: grpc.port, sslCreds: credentials.createInsecure(), authClient: new PassThroughClient() });
      clients.push(c);
      return c;
    },
    restClient() {
      const c = new CloudTasksClient({
        fallback: true,
        apiEndpoint: http.hostname.replace(/^\[|\]$/g, ''),
        port: Number(http.port || 80),
        protocol: 'http',
        authClient: new PassThroughClient(),
      } as ConstructorParameters<typeof CloudTasksClient>[0]);
      clients.push(c);
      return c;
    },
    async reset() {
      // The instance restores its config's queues itself, whoever asks for the reset.
      await call('POST', TESTING_PATHS.reset, {});
    },
    async forgetNames(queue) {
      return (await call<ForgetNamesResponse>('POST', TESTING_PATHS.forgetNames, queue ? { queue } : {})).released;
    },
    async waitForIdle(queue, timeoutMs = 10_000) {
      const { idle } = await call<WaitIdleResponse>('POST', TESTING_PATHS.waitIdle, { ...(queue ? { queue } : {}), timeoutMs });
      if (!idle) throw new Error(`Tasklight: ${queue ?? 'the queues'} did not become idle within ${timeoutMs} ms`);
    },
    async waitForDone(queue, timeoutMs = 10_000) {
      const { idle } = await call<WaitIdleResponse>('POST', TESTING_PATHS.waitIdle, { ...(queue ? { queue } : {}), timeoutMs, untilEmpty: true });
      if (!idle) throw new Error(`Tasklight: tasks in ${queue ?? 'the queues'} did not all finish within ${timeoutMs} ms`);
    },
    async attempts(filter = {}) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
      const qs = query.toString();
      return (await call<AttemptsResponse>('GET', `${TESTING_PATHS.attempts}${qs ? `?${qs}` : ''}`)).attempts;
    },
    advanceClock(queue, seconds) {
      // JSON has no Infinity or NaN: send them as text, so the server names the bad value.
      return call<AdvanceClockResponse>('POST', TESTING_PATHS.advanceClock, { queue, seconds: Number.isFinite(seconds) ? seconds : String(seconds) });
    },
    resetClock(queue) {
      return call<AdvanceClockResponse>('POST', TESTING_PATHS.resetClock, { queue });
    },
    async stop() {
      await Promise.allSettled(clients.splice(0).map((c) => c.close()));
      await server?.close();
    },
  };
}

/** The message of a Google JSON error body ({"error": {"message": ...}}), if it is one. */
function errorMessageOf(body: unknown): string | undefined {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : undefined;
}
