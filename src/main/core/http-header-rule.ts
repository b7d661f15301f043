/**
 * What an HTTP/1.1 request can carry in a header. Task headers and a queue's header overrides are
 * checked against it when they are set, because a header the request cannot carry makes every
 * attempt fail before it reaches the handler.
 */

/** A header name is an RFC 9110 token (https://www.rfc-editor.org/rfc/rfc9110#name-field-names). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What a header value can carry (https://www.rfc-editor.org/rfc/rfc9110#name-field-values): tab,
 * space, visible ASCII and the obs-text bytes 0x80-0xFF, one character each. Anything else (CR, LF,
 * NUL, other controls, or a character beyond U+00FF such as 日) cannot be sent.
 */
const HEADER_VALUE_OUTSIDE = /[^\t\x20-\x7e\x80-\xff]/u;

const LINE_BREAK_OR_NUL = /[\r\n\0]/;

export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

/** Why a request cannot carry this header value, as the end of a sentence naming the field; undefined when it can. */
export function headerValueProblem(value: string): string | undefined {
  if (LINE_BREAK_OR_NUL.test(value)) return 'must not contain line breaks or NUL';
  const bad = HEADER_VALUE_OUTSIDE.exec(value);
  if (!bad) return undefined;
  return `contains ${JSON.stringify(bad[0])}, which an HTTP request cannot carry: header values may hold tabs, spaces, visible ASCII and U+0080-U+00FF only`;
}
