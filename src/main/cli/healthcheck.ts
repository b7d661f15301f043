import * as http from 'node:http';
import * as https from 'node:https';

/** One GET of /healthz; resolves with why it failed, or null when it answered 200. */
function probe(url: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { timeout: timeoutMs, headers: { Host: new URL(url).host } }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? null : `answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'connection refused' : err.message));
  });
}

/** Probes once, or with `wait` every 250 ms until it answers or `timeoutMs` passes. */
export async function healthcheck(url: string, wait: boolean, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.max(1, deadline - Date.now());
    const failure = await probe(url, Math.min(left, 5_000));
    if (failure === null) return { ok: true, message: `ok: ${url}` };
    if (!wait || Date.now() + 250 >= deadline) {
      return { ok: false, message: `tasklight: ${url} is not healthy: ${failure}${wait ? ` (waited ${timeoutMs} ms)` : ''}` };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
