/**
 * The one way an HTTP handler answers in JSON: a value, a Google JSON error
 * ({"error": {code, message, status, details}}), or the 405 for a known path asked with a method it
 * does not serve.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { restErrorBody } from './rpc-status';

export const JSON_TYPE = 'application/json; charset=UTF-8';

/** The contract's answers describe live state: a cache must not replay them. */
export const NO_STORE: OutgoingHttpHeaders = { 'Cache-Control': 'no-store' };

/** Writes `value` as the whole JSON answer; once headers are out (a handler failed mid-answer) the socket is closed instead. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  sendJsonText(res, status, JSON.stringify(value), headers);
}

/** sendJson for text that is JSON already (proto3 JSON, encoded from the message descriptor). */
export function sendJsonText(res: ServerResponse, status: number, json: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = Buffer.from(json, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': payload.length });
  res.end(payload);
}

/**
 * Answers `err` (an ApiError, or anything else as INTERNAL) in the Google JSON error form. With
 * `httpStatus`, that status replaces the one the code maps to (413 for a body over the limit).
 */
export function sendError(res: ServerResponse, err: unknown, headers: OutgoingHttpHeaders = {}, httpStatus?: number): void {
  const { status, body } = restErrorBody(err);
  if (httpStatus === undefined) return sendJson(res, status, body, headers);
  const { error } = body as { error: object };
  sendJson(res, httpStatus, { error: { ...error, code: httpStatus } }, headers);
}

/**
 * 405 with Allow. No canonical code means "wrong HTTP method"; UNIMPLEMENTED is what Google's
 * client libraries make of a 405 anyway.
 */
export function sendMethodNotAllowed(
  res: ServerResponse,
  method: string,
  path: string,
  allowed: readonly string[],
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(
    res,
    405,
    { error: { code: 405, message: `HTTP method ${method} is not supported for ${path}; use ${allowed.join(' or ')}.`, status: 'UNIMPLEMENTED', details: [] } },
    { ...headers, Allow: allowed.join(', ') },
  );
}
