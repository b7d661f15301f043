import { Code } from '../errors';
import type { SendResult } from './http-sender';

/** HTTP status → google.rpc.Code, as google-gax maps it (its rpcCodeFromHttpStatusCode). */
export function codeForHttpStatus(status: number): number {
  if (status >= 200 && status < 300) return Code.OK;
  const exact: Record<number, number> = {
    400: Code.INVALID_ARGUMENT, 401: Code.UNAUTHENTICATED, 403: Code.PERMISSION_DENIED, 404: Code.NOT_FOUND,
    409: Code.ABORTED, 416: Code.OUT_OF_RANGE, 429: Code.RESOURCE_EXHAUSTED, 499: Code.CANCELLED,
    501: Code.UNIMPLEMENTED, 503: Code.UNAVAILABLE, 504: Code.DEADLINE_EXCEEDED,
  };
  if (exact[status] !== undefined) return exact[status];
  if (status >= 400 && status < 500) return Code.FAILED_PRECONDITION;
  if (status >= 500) return Code.INTERNAL;
  return Code.UNKNOWN;
}

/** An attempt's response_status (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Attempt): the console shows `INTERNAL(13): HTTP status code 502`. */
export function attemptStatus(result: SendResult): { code: number; message: string } {
  if (result.status !== null) return { code: codeForHttpStatus(result.status), message: `HTTP status code ${result.status}` };
  if (result.outcome === 'interrupted') return { code: Code.CANCELLED, message: result.error ?? 'Interrupted' };
  if (result.outcome === 'timeout') return { code: Code.DEADLINE_EXCEEDED, message: result.error ?? 'Deadline exceeded' };
  return { code: Code.UNAVAILABLE, message: result.error ?? 'Handler unreachable' };
}
