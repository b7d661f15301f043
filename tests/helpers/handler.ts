/**
 * A local recording HTTP handler for dispatch tests: listens on a free loopback port, records every
 * request it receives (method, path+query, headers with their case as sent, body, arrival time,
 * how many requests were in flight) and answers as scripted per path: a status, after a delay, a
 * reset mid-response, no answer at all, a huge body, a redirect.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Step {
  /** HTTP status to answer with (default 200). */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer only once this has settled (then after `delayMs`): holds the request for as long as a test needs. */
  until?: Promise<unknown>;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Response body (default: empty). */
  body?: string | Buffer;
  /** Answer with this many bytes of body (streamed in 1 MiB chunks). */
  bodyBytes?: number;
  /** Send the status line and part of the body, then destroy the socket. */
  reset?: boolean;
  /** Close the connection without answering at all. */
  drop?: boolean;
  /** Never answer (the connection stays open until the client gives up or the handler closes). */
  hang?: boolean;
  /** Answer 302 (or `status`, if 3xx) with this Location. */
  redirect?: string;
}

export interface RecordedRequest {
  /** Order of arrival, from 0. */
  index: number;
  method: string;
  /** Path and query exactly as received. */
  url: string;
  path: string;
  /** Header name → value with names in the case they were sent (repeated names joined by ", "). */
  rawHeaders: Record<string, string>;
  /** Header name in lower case → value. */
  headers: Record<string, string>;
  /** The names in the order and case sent. */
  headerNames: string[];
  body: Buffer;
  /** When the request's headers arrived, on the handler's clock (µs). */
  atUs: number;
  /** Requests in flight at this handler when this one arrived (itself included). */
  concurrent: number;
  /** The step used to answer it. */
  step: Step;
  /** Set once the handler has sent its complete answer (status) to a live connection. */
  answered?: number;
  /** Set when the client went away before the answer was complete. */
  aborted?: boolean;
  /** Shortcut for an X-CloudTasks-* / X-AppEngine-* header. */
  header(name: string): string | undefined;
}

export interface HandlerOptions {
  /** The clock arrival times are read from, in µs (default: wall clock with sub-ms precision). */
  now?: () => number;
  /** Answer to paths without a script (default: 200, empty body). */
  defaultStep?: Step;
}

export interface RecordingHandler {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests currently being answered. */
  readonly inFlight: number;
  /** Most requests ever in flight at once. */
  readonly maxInFlight: number;
  /**
   * Scripts the answers for one path (no query): the n-th request to it gets steps[n]; once they
   * are used up, `then` (default: the last step).
   */
  script(path: string, steps: Array<Step | number>, then?: Step | number): void;
  /** Scripts the answer by any rule; checked before the per-path scripts. */
  respond(fn: ((req: RecordedRequest) => Step | number | undefined) | undefined): void;
  /** Requests to this path (no query), in arrival order. */
  to(path: string): RecordedRequest[];
  /** Requests carrying this X-CloudTasks-TaskName (or X-AppEngine-TaskName). */
  forTask(taskId: string): RecordedRequest[];
  /** Resolves once `count` requests to `path` (all paths when undefined) have arrived. */
  waitForRequests(count: number, path?: string, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Forgets recorded requests and the in-flight maximum. */
  clear(): void;
  close(): Promise<void>;
}

export function wallClockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

function toStep(s: Step | number | undefined): Step | undefined {
  return typeof s === 'number' ? { status: s } : s;
}

/** Polls `check` every `everyMs` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  what: string | (() => string),
  everyMs = 10,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await sleep(everyMs);
  }
}

/** A promise a test resolves when it chooses: `{ until: gate.opened }` holds answers until `gate.open()`. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startHandler(options: HandlerOptions = {}): Promise<RecordingHandler> {
  const now = options.now ?? wallClockUs;
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, { steps: Step[]; then: Step | undefined; used: number }>();
  let rule: ((req: RecordedRequest) => Step | number | undefined) | undefined;
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const pickStep = (rec: RecordedRequest): Step => {
    const fromRule = toStep(rule?.(rec));
    if (fromRule) return fromRule;
    const script = scripts.get(rec.path);
    if (script) {
      const step = script.used < script.steps.length ? script.steps[script.used] : (script.then ?? script.steps[script.steps.length - 1]);
      script.used++;
      if (step) return step;
    }
    return options.defaultStep ?? { status: 200 };
  };

  const server = http.createServer((req, res) => {
    const atUs = now();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const concurrent = inFlight;
    let done = false;
    let rec: RecordedRequest | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.on('close', () => {
      if (!res.writableFinished && rec) rec.aborted = true;
      finish();
    });
    res.on('finish', () => {
      if (rec) rec.answered = res.statusCode;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('end', () => {
      const rawHeaders: Record<string, string> = {};
      const headers: Record<string, string> = {};
      const headerNames: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        const value = req.rawHeaders[i + 1]!;
        headerNames.push(name);
        rawHeaders[name] = name in rawHeaders ? `${rawHeaders[name]}, ${value}` : value;
        const lower = name.toLowerCase();
        headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
      }
      const url = req.url ?? '/';
      rec = {
        index: requests.length,
        method: req.method ?? '',
        url,
        path: url.split('?')[0]!,
        rawHeaders,
        headers,
        headerNames,
        body: Buffer.concat(chunks),
        atUs,
        concurrent,
        step: {},
        header(name: string) {
          return headers[name.toLowerCase()];
        },
      };
      rec.step = pickStep(rec);
      requests.push(rec);
      const step = rec.step;
      if (step.hang) return; // the socket stays open; close() or the client ends it
      const answer = () => {
        if (res.destroyed || req.socket.destroyed) {
          rec!.aborted = true;
          finish();
          return;
        }
        if (step.drop) {
          req.socket.destroy();
          return;
        }
        if (step.reset) {
          res.writeHead(step.status ?? 200, { 'content-length': '1000', ...step.headers });
          res.write('partial-answer');
          // Let the status line and the first bytes leave before the connection is torn down.
          setImmediate(() => req.socket.destroy());
          return;
        }
        const headersOut: Record<string, string | number> = { ...step.headers };
        let status = step.status ?? 200;
        if (step.redirect) {
          if (status < 300 || status >= 400) status = 302;
          headersOut.location = step.redirect;
        }
        if (step.bodyBytes !== undefined) {
          res.writeHead(status, { ...headersOut, 'content-length': step.bodyBytes });
          let left = step.bodyBytes;
          const pump = () => {
            while (left > 0) {
              const n = Math.min(left, CHUNK.length);
              left -= n;
              if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
                res.once('drain', pump);
                return;
              }
            }
            res.end();
          };
          pump();
          return;
        }
        res.writeHead(status, headersOut);
        res.end(step.body);
      };
      const afterDelay = () => {
        if (!step.delayMs) return answer();
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, step.delayMs);
        timers.add(t);
      };
      if (step.until) void step.until.then(afterDelay, afterDelay);
      else afterDelay();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const handler: RecordingHandler = {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    script(path, steps, then) {
      scripts.set(path, { steps: steps.map((s) => toStep(s)!), then: toStep(then), used: 0 });
    },
    respond(fn) {
      rule = fn;
    },
    to(path) {
      return requests.filter((r) => r.path === path);
    },
    forTask(taskId) {
      return requests.filter((r) => (r.headers['x-cloudtasks-taskname'] ?? r.headers['x-appengine-taskname']) === taskId);
    },
    async waitForRequests(count, path, timeoutMs = 5_000) {
      const pick = () => (path === undefined ? requests : handler.to(path));
      await waitFor(() => pick().length >= count, timeoutMs, () => `${count} requests${path ? ` to ${path}` : ''} (got ${pick().length})`);
      return pick();
    },
    clear() {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
  return handler;
}

/** A loopback port nothing listens on (bound once, then closed). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- small helpers shared by the dispatch tests ----

/** The last segment of a resource name. */
export function shortId(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** µs since the epoch as X-CloudTasks-TaskETA should print it: seconds with exactly 6 decimals (integer arithmetic). */
export function etaHeader(us: number): string {
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** A google.protobuf.Duration of `ms` milliseconds. */
export function durationMs(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
