import type { RequestView } from '../../../shared/contract';
import { decodeText } from './body';

/** Quotes for a POSIX shell: 'it'\''s'. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** "Bearer eyJ…" → "Bearer <redacted>": the token goes, the scheme stays. */
export function redactBearer(value: string): string {
  return value.replace(/^(Bearer\s+).*/i, '$1<redacted>');
}

const SKIP = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);

/**
 * The request as a curl command that reaches the handler the same way. The OIDC/OAuth token is
 * kept or redacted; a binary body is piped in from base64.
 */
export function toCurl(req: RequestView, opts: { redactToken?: boolean } = {}): string {
  const parts = ['curl', '-sS', '-X', req.method || 'POST'];
  for (const [k, v] of Object.entries(req.headers)) {
    if (SKIP.has(k.toLowerCase())) continue;
    const value = opts.redactToken && k.toLowerCase() === 'authorization' ? redactBearer(v) : v;
    parts.push('-H', shellQuote(`${k}: ${value}`));
  }
  let pipe = '';
  if (req.bodyBase64) {
    const text = decodeText(req.bodyBase64);
    if (text !== null) parts.push('--data-binary', shellQuote(text));
    else {
      pipe = `printf %s ${shellQuote(req.bodyBase64)} | base64 -d | `;
      parts.push('--data-binary', '@-');
    }
  }
  parts.push(shellQuote(req.url));
  return pipe + parts.join(' ');
}
