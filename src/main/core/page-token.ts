import { invalidArgument } from './errors';

/**
 * Opaque page tokens: the key to continue after, bound to the request's filter, valid for
 * two hours as production's are (ListTasks/ListQueues page_token); an older one is INVALID_ARGUMENT.
 */
interface TokenBody {
  k: Array<string | number>;
  f: string;
  e: number;
}

export function encodePageToken(key: Array<string | number>, filter: string, expiresUs: number): string {
  const body: TokenBody = { k: key, f: filter, e: expiresUs };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodePageToken(token: string, filter: string, nowUs: number): Array<string | number> {
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(body.k) || typeof body.f !== 'string' || typeof body.e !== 'number') throw new Error();
  } catch {
    throw invalidArgument(`Invalid page_token "${token}".`);
  }
  if (body.e <= nowUs) throw invalidArgument('The page_token has expired; start the listing again.');
  if (body.f !== filter) throw invalidArgument('The filter changed between pages; page_token belongs to another filter.');
  return body.k;
}

export function pageSizeOf(requested: number | undefined, max: number, field = 'page_size'): number {
  const size = requested ?? 0;
  if (!Number.isInteger(size) || size < 0) throw invalidArgument(`${field} must not be negative, got ${size}.`);
  return size === 0 ? max : Math.min(size, max);
}
