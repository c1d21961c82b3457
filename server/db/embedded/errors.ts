/** Command failures answered as { ok: 0, errmsg, code, codeName }, with mongod's codes. */

export const ErrorCodes = {
  InternalError: 1,
  Unauthorized: 13,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NotImplemented: 238,
  Location40324: 40324,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

export class CommandError extends Error {
  readonly code: number;
  constructor(
    readonly codeName: ErrorCodeName,
    message: string,
    /** Extra fields mongod sends with this error, e.g. keyValue for a duplicate key. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.code = ErrorCodes[codeName];
  }
}

/** Turns anything thrown while running a command into mongod's error shape. */
export function toErrorReply(error: unknown): Record<string, unknown> {
  if (error instanceof CommandError) {
    return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName, ...error.extra };
  }
  // mingo throws plain Errors for bad operators ("unknown operator: $foo"): that is bad input, not a crash.
  const message = error instanceof Error ? error.message : String(error);
  return { ok: 0, errmsg: message, code: ErrorCodes.BadValue, codeName: 'BadValue' };
}
