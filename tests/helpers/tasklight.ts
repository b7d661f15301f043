/**
 * A small harness for the API integration tests: a Tasklight server on free ports (in memory or
 * over a temp data dir), the official `@google-cloud/tasks` clients pointed at it over gRPC and
 * over REST (`fallback: true`), and cleanup of all of it. `forEachTransport` runs one block of
 * cases once per transport, each against its own server.
 */
import { CloudTasksClient, v2beta3 } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { PassThroughClient } from 'google-auth-library';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Clock } from '../../src/main/core/clock';
import type { EngineSettings } from '../../src/main/core/settings';
import { startServer, type RunningServer } from '../../src/main/server';

export type Transport = 'grpc' | 'rest';
export const TRANSPORTS: readonly Transport[] = ['grpc', 'rest'];

export const PROJECT = 'tasklight-test';
export const LOCATION = 'us-central1';
export const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;

export type V2Client = CloudTasksClient;
export type V2beta3Client = v2beta3.CloudTasksClient;

export interface StartOptions {
  /** Keep the store on disk in this dir (created and removed by the harness when omitted and `onDisk`). */
  dataDir?: string;
  /** Use a fresh temp data dir instead of memory. */
  onDisk?: boolean;
  clock?: Clock;
  /** Engine settings; the harness turns dispatch off unless `dispatch: true` is given here. */
  settings?: Partial<EngineSettings>;
}

export interface Tasklight {
  server: RunningServer;
  dataDir: string | null;
  client(transport: Transport): V2Client;
  beta(transport: Transport): V2beta3Client;
  close(): Promise<void>;
}

const tempDirs = new Set<string>();

export function makeTempDir(prefix = 'tasklight-api-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Both transports get a PassThroughClient: without an authClient google-gax looks for Google
 * credentials (the GCE metadata server included) before the first call, which prints a
 * MetadataLookupWarning and waits on a lookup that can only fail on a developer machine.
 */
export function clientOptions(transport: Transport, ports: { grpcPort: number; httpPort: number }, host = '127.0.0.1') {
  return transport === 'grpc'
    ? { apiEndpoint: host, port: ports.grpcPort, sslCreds: credentials.createInsecure(), authClient: new PassThroughClient() }
    : { fallback: true as const, apiEndpoint: host, port: ports.httpPort, protocol: 'http', authClient: new PassThroughClient() };
}

export function makeClient(transport: Transport, ports: { grpcPort: number; httpPort: number }): V2Client {
  return new CloudTasksClient(clientOptions(transport, ports) as ConstructorParameters<typeof CloudTasksClient>[0]);
}

export function makeBetaClient(transport: Transport, ports: { grpcPort: number; httpPort: number }): V2beta3Client {
  return new v2beta3.CloudTasksClient(clientOptions(transport, ports) as ConstructorParameters<typeof v2beta3.CloudTasksClient>[0]);
}

export async function startTasklight(options: StartOptions = {}): Promise<Tasklight> {
  let ownDir: string | null = null;
  let dataDir: string | null = options.dataDir ?? null;
  if (!dataDir && options.onDisk) dataDir = ownDir = makeTempDir();
  const server = await startServer({
    host: '127.0.0.1',
    grpcPort: 0,
    httpPort: 0,
    ...(dataDir ? { dataDir } : { inMemory: true }),
    clock: options.clock,
    // These tests pin the API, not dispatch: tasks stay exactly as created unless asked otherwise.
    settings: { dispatch: false, ...options.settings },
  });
  const clients: Array<{ close(): Promise<void> }> = [];
  const cache = new Map<string, V2Client | V2beta3Client>();
  const get = <T extends V2Client | V2beta3Client>(key: string, make: () => T): T => {
    let c = cache.get(key) as T | undefined;
    if (!c) {
      c = make();
      cache.set(key, c);
      clients.push(c);
    }
    return c;
  };
  let closed = false;
  return {
    server,
    dataDir,
    client: (t) => get(`v2:${t}`, () => makeClient(t, server)),
    beta: (t) => get(`v2beta3:${t}`, () => makeBetaClient(t, server)),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(clients.map((c) => c.close()));
      await server.close();
      if (ownDir) removeTempDir(ownDir);
    },
  };
}

export interface TransportContext {
  readonly transport: Transport;
  readonly tl: Tasklight;
  readonly client: V2Client;
  readonly beta: V2beta3Client;
  /** A queue name unique within this server: projects/tasklight-test/locations/us-central1/queues/<prefix>-<n>. */
  queueName(prefix?: string): string;
  /** Creates a queue (default settings unless `queue` says otherwise) and returns its name. */
  newQueue(prefix?: string, queue?: Record<string, unknown>): Promise<string>;
  /** Asserts the promise rejects with this canonical code (and message, when given), transport-aware. */
  rejects(promise: Promise<unknown>, code: CodeName, message?: string | RegExp): Promise<RpcErrorInfo>;
}

/**
 * Runs `body` once per transport (`<title> over grpc`, `<title> over rest`), each against its own
 * server started in `before` and closed in `after`.
 */
export function forEachTransport(
  title: string,
  body: (ctx: TransportContext) => void,
  options: StartOptions | (() => StartOptions) = {},
): void {
  for (const transport of TRANSPORTS) {
    describe(`${title} over ${transport}`, () => {
      let tl: Tasklight | undefined;
      let counter = 0;
      const ctx: TransportContext = {
        transport,
        get tl() {
          assert.ok(tl, 'server not started');
          return tl;
        },
        get client() {
          return ctx.tl.client(transport);
        },
        get beta() {
          return ctx.tl.beta(transport);
        },
        queueName(prefix = 'q') {
          return `${PARENT}/queues/${prefix}-${++counter}`;
        },
        async newQueue(prefix = 'q', queue = {}) {
          const name = ctx.queueName(prefix);
          const [created] = await ctx.client.createQueue({ parent: PARENT, queue: { ...queue, name } });
          assert.equal(created.name, name);
          return name;
        },
        rejects: (promise, code, message) => assertRpcError(promise, transport, code, message),
      };
      before(async () => {
        tl = await startTasklight(typeof options === 'function' ? options() : options);
      });
      after(async () => {
        await tl?.close();
      });
      body(ctx);
    });
  }
}

// ---- errors ----
// Written out from the reference rather than imported from src/, so a wrong mapping in the
// server cannot also be the expectation.

export const CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type CodeName = keyof typeof CODES;

/** Reference §10.1: canonical code → HTTP status. */
export const HTTP_STATUS: Record<CodeName, number> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

export interface RpcErrorInfo {
  code: CodeName;
  message: string;
  /** REST only: the parsed Google JSON error body. */
  body?: GoogleErrorBody;
  /** URLs of google.rpc.Help links (gRPC: decoded from grpc-status-details-bin; REST: from details). */
  helpUrls: string[];
}

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details: unknown[] };
}

/** Checks the exact `{"error":{"code","message","status","details"}}` shape. */
export function assertGoogleErrorBody(body: unknown, httpStatus?: number): asserts body is GoogleErrorBody {
  assert.ok(body && typeof body === 'object', `error body is not an object: ${JSON.stringify(body)}`);
  assert.deepEqual(Object.keys(body), ['error'], `error body has keys ${Object.keys(body)}`);
  const e = (body as GoogleErrorBody).error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'details', 'message', 'status'], `error has keys ${Object.keys(e)}`);
  assert.equal(typeof e.code, 'number');
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0, 'error message is empty');
  assert.ok(Object.hasOwn(CODES, e.status), `status ${e.status} is not a canonical code name`);
  assert.ok(Array.isArray(e.details), 'details is not an array');
  if (httpStatus !== undefined) assert.equal(e.code, httpStatus, 'error.code is the HTTP status');
  // 413 (payload too large, refused before decoding) is the one status outside the §10.1 table.
  if (e.code !== 413) {
    assert.equal(e.code, HTTP_STATUS[e.status as CodeName], `HTTP code ${e.code} does not match status ${e.status}`);
  }
}

function matches(actual: string, expected: string | RegExp | undefined, what: string): void {
  if (expected === undefined) return;
  if (typeof expected === 'string') assert.equal(actual, expected, what);
  else assert.match(actual, expected, what);
}

/**
 * gRPC: `err.code` is the canonical number and `err.details` the message (https://cloud.google.com/apis/design/errors).
 * REST, client 7.x (google-gax 6): a GoogleError parsed from the Google JSON error, with the
 * canonical `code`, the `httpStatusCode` and decoded `statusDetails`.
 * REST, client 6.x (google-gax 5): a GaxiosError whose `code`/`response.status` is the HTTP status
 * and whose `message` is the raw JSON body; both the status and the parsed body are checked.
 */
export async function assertRpcError(
  promise: Promise<unknown>,
  transport: Transport,
  code: CodeName,
  message?: string | RegExp,
): Promise<RpcErrorInfo> {
  let err: any;
  try {
    const value = await promise;
    assert.fail(`expected ${code}${message ? ` (${message})` : ''}, but the call succeeded with ${JSON.stringify(value)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  if (transport === 'grpc') {
    assert.equal(err.code, CODES[code], `expected gRPC code ${code} (${CODES[code]}), got ${err.code}: ${err.message}`);
    matches(err.details, message, 'gRPC status message');
    const helpUrls = helpLinks(err.statusDetails);
    return { code, message: err.details, helpUrls };
  }
  if (typeof err.httpStatusCode === 'number') {
    assert.equal(err.httpStatusCode, HTTP_STATUS[code], `expected HTTP ${HTTP_STATUS[code]} (${code}), got ${err.httpStatusCode}: ${err.message}`);
    assert.equal(err.code, CODES[code], `expected code ${code} (${CODES[code]}) from the JSON error's status, got ${err.code}: ${err.message}`);
    matches(err.message, message, 'REST error message');
    return { code, message: err.message, helpUrls: helpLinks(err.statusDetails) };
  }
  const status = err.response?.status ?? err.code;
  assert.equal(status, HTTP_STATUS[code], `expected HTTP ${HTTP_STATUS[code]} (${code}), got ${status}: ${err.message}`);
  let body: unknown;
  try {
    body = JSON.parse(err.message);
  } catch {
    assert.fail(`REST error message is not the JSON body: ${err.message}`);
  }
  assertGoogleErrorBody(body, HTTP_STATUS[code]);
  assert.equal(body.error.status, code, `expected status ${code}, got ${body.error.status}: ${body.error.message}`);
  matches(body.error.message, message, 'REST error message');
  const helpUrls = (body.error.details as Array<{ '@type'?: string; links?: Array<{ url: string }> }>)
    .filter((d) => d['@type'] === 'type.googleapis.com/google.rpc.Help')
    .flatMap((d) => d.links?.map((l) => l.url) ?? []);
  return { code, message: body.error.message, body, helpUrls };
}

function helpLinks(details: unknown): string[] {
  return ((details ?? []) as Array<{ links?: Array<{ url: string }> }>).flatMap((d) => d.links?.map((l) => l.url) ?? []);
}

// ---- small value helpers ----

/** google.protobuf.Duration / Timestamp as returned by the client (seconds may be a string or Long). */
export function toMicros(t: { seconds?: unknown; nanos?: unknown } | null | undefined): number {
  assert.ok(t, 'timestamp/duration is missing');
  return Number(t.seconds ?? 0) * 1_000_000 + Math.floor(Number(t.nanos ?? 0) / 1000);
}

export function toSeconds(d: { seconds?: unknown; nanos?: unknown } | null | undefined): number {
  assert.ok(d, 'duration is missing');
  return Number(d.seconds ?? 0) + Number(d.nanos ?? 0) / 1e9;
}

export function timestampFromMicros(us: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(us / 1_000_000), nanos: (us % 1_000_000) * 1000 };
}

export function enumName(value: unknown, names: readonly string[]): string {
  return typeof value === 'number' ? names[value]! : String(value);
}

export const QUEUE_STATES = ['STATE_UNSPECIFIED', 'RUNNING', 'PAUSED', 'DISABLED'] as const;
export const VIEWS = ['VIEW_UNSPECIFIED', 'BASIC', 'FULL'] as const;

/** Collects every element of an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
