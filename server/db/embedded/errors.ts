/** Command failures answered as { ok: 0, errmsg, code, codeName }, with mongod's codes. */

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  AuthenticationFailed: 18,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  DollarPrefixedFieldName: 52,
  EmptyFieldName: 56,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  InvalidLength: 16,
  NotImplemented: 238,
  Location15947: 15947,
  Location15952: 15952,
  Location15955: 15955,
  Location15958: 15958,
  Location15959: 15959,
  Location15973: 15973,
  Location15981: 15981,
  Location16404: 16404,
  Location17276: 17276,
  Location28745: 28745,
  Location28808: 28808,
  Location31002: 31002,
  Location31250: 31250,
  Location31254: 31254,
  Location31324: 31324,
  Location40156: 40156,
  Location40228: 40228,
  Location40234: 40234,
  Location40235: 40235,
  Location40272: 40272,
  Location40323: 40323,
  Location40324: 40324,
  Location40415: 40415,
  Location40601: 40601,
  Location40602: 40602,
  Location13113: 13113,
  Location51246: 51246,
  Location51272: 51272,
  DocumentValidationFailure: 121,
  CommandNotSupportedOnView: 166,
  ViewDepthLimitExceeded: 182,
  Location10065: 10065,
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

/** Where unexpected failures are reported; the server points it at its log. */
let reportInternal: (error: unknown) => void = (error) =>
  console.error(`internal error: ${error instanceof Error ? error.stack : String(error)}`);

export function onInternalError(report: (error: unknown) => void): void {
  reportInternal = report;
}

/**
 * Turns anything thrown while running a command into mongod's error shape. Anything that is
 * not a CommandError is a fault of this server, not of the request: InternalError, and logged.
 */
export function toErrorReply(error: unknown): Record<string, unknown> {
  if (error instanceof CommandError) {
    return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName, ...error.extra };
  }
  reportInternal(error);
  const message = error instanceof Error ? error.message : String(error);
  return {
    ok: 0,
    errmsg: `internal error in the embedded server: ${message}`,
    code: ErrorCodes.InternalError,
    codeName: 'InternalError',
  };
}
