import { ApiError, Code, toApiError } from '../core/errors';
import { encodeMessage } from '../core/protos';

/** google.rpc.Code → HTTP status, as Google front ends map it
 * (https://cloud.google.com/apis/design/errors#handling_errors). */
const HTTP_STATUS: Record<keyof typeof Code, number> = {
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

const HELP_TYPE = 'type.googleapis.com/google.rpc.Help';

export function httpStatusOf(err: ApiError): number {
  return HTTP_STATUS[err.code];
}

/** The Google JSON error body: {"error": {"code", "message", "status", "details"}}. */
export function restErrorBody(error: unknown): { status: number; body: object } {
  const err = toApiError(error);
  const status = httpStatusOf(err);
  const details = err.help.length ? [{ '@type': HELP_TYPE, links: err.help }] : [];
  return { status, body: { error: { code: status, message: err.message, status: err.code, details } } };
}

/** A grpc-js ServiceError-like object, with google.rpc.Status in grpc-status-details-bin. */
export function grpcStatusDetails(error: unknown): { code: number; details: string; statusDetailsBin?: Buffer } {
  const err = toApiError(error);
  let statusDetailsBin: Buffer | undefined;
  if (err.help.length) {
    const help = encodeMessage('google.rpc.Help', { links: err.help });
    statusDetailsBin = Buffer.from(
      encodeMessage('google.rpc.Status', {
        code: err.codeNumber,
        message: err.message,
        details: [{ type_url: HELP_TYPE, value: help }],
      }),
    );
  }
  return { code: err.codeNumber, details: err.message, statusDetailsBin };
}
