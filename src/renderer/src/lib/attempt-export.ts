import type { AttemptView, HeaderMap, RequestView, TaskDetail } from '../../../shared/contract';
import { redactBearer } from './curl';
import { base64ToBytes, decodeText } from './body';
import { duration } from './time';
import { headerValue } from './headers';

/**
 * A task's attempts as a HAR 1.2 log (what browser devtools, Charles or Insomnia import) or as
 * plain JSON. An attempt the handler never answered still needs a `response` in HAR: it gets
 * status 0 and the error in `_error`, HAR's convention for custom fields.
 */
export interface ExportOptions {
  /** Replaces bearer tokens with `<redacted>`, as "Copy as curl" does. */
  redactToken?: boolean;
  /** Tasklight's version, for HAR's `creator`. */
  version?: string;
}

function redactHeaders(headers: HeaderMap, redact: boolean | undefined): HeaderMap {
  if (!redact) return headers;
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(headers)) out[k] = k.toLowerCase() === 'authorization' ? redactBearer(v) : v;
  return out;
}

function harHeaders(headers: HeaderMap): Array<{ name: string; value: string }> {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}

/** Text bodies as text; anything else as base64, which HAR marks with `encoding`. */
function harContent(bodyBase64: string): { text: string; encoding?: 'base64' } {
  if (!bodyBase64) return { text: '' };
  const text = decodeText(bodyBase64);
  return text === null ? { text: bodyBase64, encoding: 'base64' } : { text };
}

function queryString(url: string): Array<{ name: string; value: string }> {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function harRequest(req: RequestView, redact: boolean | undefined) {
  const headers = redactHeaders(req.headers, redact);
  const body = harContent(req.bodyBase64);
  return {
    method: req.method,
    url: req.url,
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers: harHeaders(headers),
    queryString: queryString(req.url),
    ...(req.bodyBase64 ? { postData: { mimeType: headerValue(headers, 'content-type') ?? 'application/octet-stream', ...body } } : {}),
    headersSize: -1,
    bodySize: req.bodySize,
  };
}

function harEntry(a: AttemptView, opts: ExportOptions) {
  const res = a.response;
  const content = res ? harContent(res.bodyBase64) : { text: '' };
  return {
    startedDateTime: new Date(a.dispatchMs).toISOString(),
    time: a.durationMs ?? 0,
    request: harRequest(a.request, opts.redactToken),
    response: {
      status: res?.status ?? 0,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(res?.headers ?? {}),
      content: {
        size: res ? base64ToBytes(res.bodyBase64).length : 0,
        mimeType: (res && headerValue(res.headers, 'content-type')) ?? 'application/octet-stream',
        ...content,
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      ...(a.error ? { _error: a.error } : {}),
      ...(res?.truncated ? { comment: 'body truncated by Tasklight' } : {}),
    },
    cache: {},
    timings: { send: 0, wait: a.durationMs ?? -1, receive: 0 },
    comment: `attempt #${a.attempt}: ${a.outcome}${a.runTask ? ' (run now)' : ''}`,
  };
}

export function attemptsToHar(task: TaskDetail, opts: ExportOptions = {}) {
  return {
    log: {
      version: '1.2',
      creator: { name: 'Tasklight', version: opts.version ?? '' },
      comment: `Attempts of ${task.name}`,
      entries: task.attempts.map((a) => harEntry(a, opts)),
    },
  };
}

/** The attempts as the UI shows them, one object per attempt, tokens redacted on request. */
export function attemptsToJson(task: TaskDetail, opts: ExportOptions = {}) {
  return {
    task: task.name,
    attempts: task.attempts.map((a) => ({ ...a, request: { ...a.request, headers: redactHeaders(a.request.headers, opts.redactToken) } })),
  };
}

export interface DiffRow {
  /** "request", "response" or "attempt". */
  part: string;
  field: string;
  a: string;
  b: string;
}

function bodyText(b64: string): string {
  if (!b64) return '';
  return decodeText(b64) ?? `(binary, base64) ${b64}`;
}

/** Header names compare case-insensitively; a missing header reads as "". */
function headerRows(part: string, a: HeaderMap, b: HeaderMap): DiffRow[] {
  const names = new Map<string, string>();
  for (const k of [...Object.keys(a), ...Object.keys(b)]) if (!names.has(k.toLowerCase())) names.set(k.toLowerCase(), k);
  const rows: DiffRow[] = [];
  for (const [lower, shown] of [...names].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const va = headerValue(a, lower) ?? '';
    const vb = headerValue(b, lower) ?? '';
    if (va !== vb) rows.push({ part, field: `header ${shown}`, a: va, b: vb });
  }
  return rows;
}

/** What differs between two attempts of a task, request first; equal fields are left out. */
export function diffAttempts(a: AttemptView, b: AttemptView): DiffRow[] {
  const rows: DiffRow[] = [];
  const add = (part: string, field: string, va: string, vb: string) => {
    if (va !== vb) rows.push({ part, field, a: va, b: vb });
  };
  add('request', 'method', a.request.method, b.request.method);
  add('request', 'URL', a.request.url, b.request.url);
  rows.push(...headerRows('request', a.request.headers, b.request.headers));
  add('request', 'body', bodyText(a.request.bodyBase64), bodyText(b.request.bodyBase64));
  add('response', 'status', a.status === null ? `no answer: ${a.error ?? a.outcome}` : String(a.status), b.status === null ? `no answer: ${b.error ?? b.outcome}` : String(b.status));
  rows.push(...headerRows('response', a.response?.headers ?? {}, b.response?.headers ?? {}));
  add('response', 'body', bodyText(a.response?.bodyBase64 ?? ''), bodyText(b.response?.bodyBase64 ?? ''));
  add('attempt', 'latency', a.durationMs === null ? '' : duration(a.durationMs), b.durationMs === null ? '' : duration(b.durationMs));
  return rows;
}
