/**
 * Database failures, reduced to what the HTTP layer needs to pick a status. The plain
 * `DbErrorInfo` shape crosses thread boundaries (the blocking facade's worker), where
 * driver error classes do not survive.
 */
export type DbErrorKind = 'duplicate' | 'unavailable' | 'timeout' | 'failed';

export interface DbErrorInfo {
  kind: DbErrorKind;
  message: string;
  code?: number;
}

export class DbError extends Error {
  readonly kind: DbErrorKind;
  readonly code: number | undefined;
  constructor(info: DbErrorInfo) {
    super(info.message);
    this.name = 'DbError';
    this.kind = info.kind;
    this.code = info.code;
  }
}

/** Driver errors that mean "the database cannot be reached right now" (503, not 500). */
const UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
]);

/**
 * Socket errors the driver sometimes passes on unwrapped when the database goes away mid-write
 * (e.g. EPIPE, "This socket has been ended by the other party"): unavailable too, not a 500.
 */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTCONN',
  'ETIMEDOUT',
]);

export function describeDbError(error: unknown): DbErrorInfo {
  if (error instanceof DbError) return { kind: error.kind, message: error.message, code: error.code };
  const err = error instanceof Error ? error : new Error(String(error));
  const { code: rawCode } = err as { code?: unknown };
  const code = typeof rawCode === 'number' ? rawCode : undefined;
  if (code === 11000) return { kind: 'duplicate', message: err.message, code };
  if (UNAVAILABLE.has(err.name)) return { kind: 'unavailable', message: err.message, code };
  if (typeof rawCode === 'string' && UNAVAILABLE_SOCKET_CODES.has(rawCode))
    return { kind: 'unavailable', message: err.message };
  return { kind: 'failed', message: err.message, code };
}

export function toDbError(error: unknown): DbError {
  return error instanceof DbError ? error : new DbError(describeDbError(error));
}
