import { isUtf8 } from 'node:buffer';
import { invalidArgument } from '../core/errors';

/**
 * A REST body's bytes to a JSON value, refusing before JSON.parse what would make later steps
 * recurse without bound, and keeping invalid UTF-8 visible instead of letting it become U+FFFD.
 */

/** Deeper than any Cloud Tasks message nests; the protobuf JSON parsers' own recursion limit. */
export const MAX_JSON_DEPTH = 100;

/** How much of a too-deep path the error message shows. */
const PATH_PREVIEW = 12;

export interface JsonTextOptions {
  /** What the body was sent to, named in every refusal ("Invalid JSON payload received for /api/x."). */
  source?: string;
  /**
   * `keep` (the default) hands invalid UTF-8 on as lone surrogates, for a caller whose message walk
   * refuses them naming the field; `refuse` refuses the body at its first invalid byte, for a caller
   * with no such walk.
   */
  invalidUtf8?: 'keep' | 'refuse';
}

export function parseJsonText(body: Buffer, options: JsonTextOptions = {}): unknown {
  const refusal = `Invalid JSON payload received${options.source ? ` for ${options.source}` : ''}.`;
  checkDepth(body, refusal);
  if (options.invalidUtf8 === 'refuse') {
    const at = firstInvalidByte(body);
    if (at >= 0) throw invalidArgument(`${refusal} The body is not valid UTF-8 at byte ${at}.`);
  }
  let text = decodeKeepingInvalidBytes(body);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`${refusal} ${(err as Error).message}`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * Counts `{` and `[` outside strings. Each open container remembers where its latest key is in the
 * bytes (objects) or -1 (arrays), so the refusal can say where the nesting went too deep.
 */
function checkDepth(bytes: Buffer, refusal: string): void {
  const open: Array<[number, number] | null> = [];
  let lastString: [number, number] | null = null;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      // Jump to the closing quote natively: a task body is mostly one long base64 string.
      const end = closingQuote(bytes, i);
      if (end < 0) return; // unterminated: JSON.parse reports it
      lastString = [i, end + 1];
      i = end;
    } else if (b === COLON) {
      if (open.length && lastString) open[open.length - 1] = lastString;
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      open.push(b === OPEN_ARRAY ? [-1, -1] : null);
      if (open.length > MAX_JSON_DEPTH) {
        throw invalidArgument(`${refusal} Nesting deeper than ${MAX_JSON_DEPTH} levels at '${pathOf(bytes, open)}'.`);
      }
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      open.pop();
    }
  }
}

/** The index of the quote that closes the string opening at `start`, or -1. */
function closingQuote(bytes: Buffer, start: number): number {
  let at = start;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

function pathOf(bytes: Buffer, open: Array<[number, number] | null>): string {
  let path = '';
  for (const level of open.slice(0, PATH_PREVIEW)) {
    if (level === null) continue;
    if (level[0] < 0) {
      path += '[]';
      continue;
    }
    let key: string;
    try {
      key = String(JSON.parse(bytes.toString('utf8', level[0], level[1])));
    } catch {
      key = '?';
    }
    path += path ? `.${key}` : key;
  }
  return open.length > PATH_PREVIEW ? `${path}…` : path;
}

/**
 * UTF-8 to text where each byte that is not part of a valid sequence becomes the lone surrogate
 * U+DC00 + byte. Inside a JSON string it survives JSON.parse, and the message walk then refuses
 * that string naming its field; outside a string it is a syntax error anyway.
 */
function decodeKeepingInvalidBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += bytes.toString('utf8', runStart, i) + String.fromCharCode(0xdc00 + bytes[i]);
    i += 1;
    runStart = i;
  }
  return out + bytes.toString('utf8', runStart);
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence, or -1. */
function firstInvalidByte(bytes: Buffer): number {
  if (isUtf8(bytes)) return -1;
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceLength(bytes, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

/** The length of the valid UTF-8 sequence at `i`, or 0 (https://www.rfc-editor.org/rfc/rfc3629#section-4). */
function sequenceLength(b: Buffer, i: number): number {
  const lead = b[i];
  if (lead < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const second = b[i + 1];
    if (lead === 0xe0 && second < 0xa0) return 0; // overlong
    if (lead === 0xed && second >= 0xa0) return 0; // a UTF-16 surrogate
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const second = b[i + 1];
    if (lead === 0xf0 && second < 0x90) return 0; // overlong
    if (lead === 0xf4 && second >= 0x90) return 0; // beyond U+10FFFF
    return 4;
  }
  return 0;
}
