import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { Clock } from '../clock';

/** `interrupted`: Tasklight stopped (abortAll) before the handler answered. */
export type AttemptOutcome = 'success' | 'http_error' | 'redirect' | 'timeout' | 'refused' | 'reset' | 'network' | 'interrupted';

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  deadlineUs: number;
}

export interface SendResult {
  outcome: AttemptOutcome;
  /** The handler's HTTP status, when it answered. */
  status: number | null;
  responseHeaders?: Record<string, string>;
  /** The first BODY_EXCERPT bytes of the answer. */
  body?: Buffer;
  bodyTruncated?: boolean;
  error?: string;
  responseUs: number;
}

export const BODY_EXCERPT = 64 * 1024;

/** What undici throws: a Node system error, or an error whose `cause` is one. */
type NetworkError = { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null | undefined;

function classifyError(err: NetworkError): AttemptOutcome {
  const code = err?.code ?? err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'reset';
  return 'network';
}

/**
 * The first BODY_EXCERPT bytes of an answer. Stops reading past them rather than buffer a large
 * answer. Listens for events instead of iterating: most answers are a few bytes, and an async
 * iterator per attempt costs more than the answer itself.
 */
function readExcerpt(stream: Readable): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size + chunk.length > BODY_EXCERPT) {
        chunks.push(chunk.subarray(0, BODY_EXCERPT - size));
        size = BODY_EXCERPT;
        stream.destroy();
        resolve({ body: Buffer.concat(chunks, size), truncated: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    stream.once('end', () => resolve({ body: Buffer.concat(chunks, size), truncated: false }));
    stream.on('error', reject);
  });
}

/**
 * Sends one attempt with undici (keep-alive pools per origin). Redirects are never followed: a
 * 3xx is a failed attempt. The dispatch deadline runs on the injected clock.
 */
export class HttpSender {
  private readonly agent = new Agent({
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { timeout: 10_000 },
  });

  private readonly active = new Set<AbortController>();
  private interrupted = false;

  constructor(private readonly clock: Clock) {}

  async send(req: OutgoingRequest): Promise<SendResult> {
    const controller = new AbortController();
    this.active.add(controller);
    let timedOut = false;
    const cancelTimer = this.clock.setTimer(() => {
      timedOut = true;
      controller.abort();
    }, req.deadlineUs);
    try {
      const res = await request(req.url, {
        dispatcher: this.agent,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: controller.signal,
      });
      const { body, truncated } = await readExcerpt(res.body);
      const headers: Record<string, string> = {};
      for (const k in res.headers) {
        const v = res.headers[k];
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      const status = res.statusCode;
      return {
        outcome: status >= 200 && status < 300 ? 'success' : status >= 300 && status < 400 ? 'redirect' : 'http_error',
        status,
        responseHeaders: headers,
        body,
        bodyTruncated: truncated,
        responseUs: this.clock.nowUs(),
      };
    } catch (caught) {
      const err = caught as NetworkError;
      if (this.interrupted && !timedOut) {
        return { outcome: 'interrupted', status: null, error: 'Tasklight stopped before the handler answered', responseUs: this.clock.nowUs() };
      }
      return {
        outcome: timedOut ? 'timeout' : classifyError(err),
        status: null,
        error: timedOut ? `No response within the dispatch deadline (${req.deadlineUs / 1e6}s)` : String(err?.cause?.message ?? err?.message ?? err),
        responseUs: this.clock.nowUs(),
      };
    } finally {
      cancelTimer();
      this.active.delete(controller);
    }
  }

  /** Cancels every request in flight (shutdown): each ends as `interrupted`. */
  abortAll(): void {
    this.interrupted = true;
    for (const controller of this.active) controller.abort();
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  destroy(): Promise<void> {
    return this.agent.destroy();
  }
}
