/**
 * Errors are values with a canonical google.rpc.Code; the API layers map them once to a gRPC
 * status (api/rpc-status.ts) and once to the Google JSON error body.
 */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type CodeName = keyof typeof Code;

export interface HelpLink {
  description: string;
  url: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: CodeName,
    message: string,
    readonly help: HelpLink[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get codeNumber(): number {
    return Code[this.code];
  }
}

export const invalidArgument = (message: string, help: HelpLink[] = []) =>
  new ApiError('INVALID_ARGUMENT', message, help);
export const notFound = (message: string) => new ApiError('NOT_FOUND', message);
export const alreadyExists = (message: string) => new ApiError('ALREADY_EXISTS', message);
export const failedPrecondition = (message: string) => new ApiError('FAILED_PRECONDITION', message);
export const unimplemented = (message: string) => new ApiError('UNIMPLEMENTED', message);

/** The live service's own wording of its errors, kept in one place. */
export const Messages = {
  queueMissing:
    'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.',
  entityMissing: 'Requested entity was not found.',
  queueExists: 'Queue already exists',
  queueTooRecent:
    'The queue cannot be created because a queue with this name existed too recently.',
  taskExists: 'Requested entity already exists',
  taskTooRecent:
    'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.',
} as const;

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('INTERNAL', `Internal error: ${message}`);
}
