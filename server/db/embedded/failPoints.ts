/**
 * mongod's `failCommand` fail point, which drivers' tests use to make the next command fail,
 * close its connection, stall, or report a write concern error. Like mongod, which only knows
 * configureFailPoint when started with `--setParameter enableTestCommands=1`, the server accepts
 * it only when started with `--enable-test-commands` (startEmbeddedServer({ testCommands: true }));
 * otherwise configureFailPoint is CommandNotFound (59) with a message saying how to enable it.
 */
import type { Document } from 'bson';
import { isPlainObject } from './bson/compare';
import { isNumeric, toNumber } from './bson/numbers';
import { CommandError, ErrorCodes } from './errors';

/** The longest a blockConnection may hold a connection: a client cannot park one for hours. */
export const MAX_BLOCK_MS = 60_000;

type Mode =
  | { kind: 'off' }
  | { kind: 'alwaysOn' }
  | { kind: 'times'; left: number }
  | { kind: 'skip'; left: number }
  | { kind: 'probability'; p: number };

interface FailCommand {
  mode: Mode;
  commands: Set<string>;
  errorCode?: number;
  closeConnection: boolean;
  writeConcernError?: Document;
  blockMs: number;
  errorLabels?: string[];
  appName?: string;
  namespace?: string;
}

/** What the fail point does to one command, in mongod's order: block, then close, fail, or add a write concern error. */
export interface FailAction {
  blockMs: number;
  closeConnection: boolean;
  /** The reply instead of running the command. */
  error?: Document;
  /** Added to the command's own reply once it has run. */
  writeConcernError?: Document;
  errorLabels?: string[];
}

const DATA_FIELDS = [
  'failCommands',
  'errorCode',
  'closeConnection',
  'writeConcernError',
  'blockConnection',
  'blockTimeMS',
  'errorLabels',
  'appName',
  'namespace',
  'failInternalCommands',
];

function bad(message: string): CommandError {
  return new CommandError('BadValue', message);
}

function wholeNumber(value: unknown, what: string, min: number, max: number): number {
  if (!isNumeric(value) || !Number.isInteger(toNumber(value)) || toNumber(value) < min || toNumber(value) > max) {
    throw bad(`${what} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  }
  return toNumber(value);
}

function parseMode(mode: unknown): Mode {
  if (mode === 'off') return { kind: 'off' };
  if (mode === 'alwaysOn') return { kind: 'alwaysOn' };
  if (isPlainObject(mode) && Object.keys(mode).length === 1) {
    if ('times' in mode) {
      const left = wholeNumber(mode.times, "mode 'times'", 0, 2 ** 31 - 1);
      return left === 0 ? { kind: 'off' } : { kind: 'times', left };
    }
    if ('skip' in mode) return { kind: 'skip', left: wholeNumber(mode.skip, "mode 'skip'", 0, 2 ** 31 - 1) };
    if ('activationProbability' in mode) {
      const p = isNumeric(mode.activationProbability) ? toNumber(mode.activationProbability) : Number.NaN;
      if (!(p >= 0 && p <= 1))
        throw bad(
          `mode 'activationProbability' must be a number from 0 to 1, not ${String(mode.activationProbability)}`,
        );
      return { kind: 'probability', p };
    }
  }
  throw bad("'mode' must be 'off', 'alwaysOn', { times: n }, { skip: n } or { activationProbability: p }");
}

function parseFailCommand(mode: Mode, data: unknown): FailCommand {
  if (mode.kind === 'off') return { mode, commands: new Set(), closeConnection: false, blockMs: 0 };
  if (!isPlainObject(data)) throw bad("failCommand needs a 'data' object with 'failCommands'");
  for (const key of Object.keys(data)) {
    if (!DATA_FIELDS.includes(key))
      throw bad(
        `failCommand data field '${key}' is not supported by the embedded server (${DATA_FIELDS.join(', ')} are)`,
      );
  }
  const commands = data.failCommands;
  if (!Array.isArray(commands) || commands.length === 0 || !commands.every((c) => typeof c === 'string')) {
    throw bad("failCommand 'failCommands' must be a non-empty array of command names");
  }
  if (commands.includes('configureFailPoint')) throw bad('failCommand cannot fail configureFailPoint itself');
  const labels = data.errorLabels;
  if (labels !== undefined && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string')))
    throw bad("failCommand 'errorLabels' must be an array of strings");
  if (data.writeConcernError !== undefined && !isPlainObject(data.writeConcernError))
    throw bad("failCommand 'writeConcernError' must be an object");
  for (const field of ['appName', 'namespace'] as const) {
    if (data[field] !== undefined && typeof data[field] !== 'string')
      throw bad(`failCommand '${field}' must be a string`);
  }
  const block = data.blockConnection === true;
  if (block && data.blockTimeMS === undefined) throw bad("failCommand 'blockConnection' needs 'blockTimeMS'");
  return {
    mode,
    commands: new Set(commands as string[]),
    errorCode:
      data.errorCode === undefined
        ? undefined
        : wholeNumber(data.errorCode, "failCommand 'errorCode'", -(2 ** 31), 2 ** 31 - 1),
    closeConnection: data.closeConnection === true,
    writeConcernError: data.writeConcernError as Document | undefined,
    blockMs: block ? wholeNumber(data.blockTimeMS, "failCommand 'blockTimeMS'", 0, MAX_BLOCK_MS) : 0,
    errorLabels: labels as string[] | undefined,
    appName: data.appName as string | undefined,
    namespace: data.namespace as string | undefined,
  };
}

/** mongod's names for the codes drivers' tests fail commands with, beside the ones this server answers itself. */
const CODE_NAMES = new Map<number, string>([
  ...Object.entries(ErrorCodes).map(([name, code]): [number, string] => [code, name]),
  [6, 'HostUnreachable'],
  [7, 'HostNotFound'],
  [8, 'UnknownError'],
  [24, 'LockTimeout'],
  [64, 'WriteConcernFailed'],
  [89, 'NetworkTimeout'],
  [91, 'ShutdownInProgress'],
  [100, 'UnsatisfiableWriteConcern'],
  [112, 'WriteConflict'],
  [189, 'PrimarySteppedDown'],
  [251, 'NoSuchTransaction'],
  [262, 'ExceededTimeLimit'],
  [9001, 'SocketException'],
  [10107, 'NotWritablePrimary'],
  [11600, 'InterruptedAtShutdown'],
  [11602, 'InterruptedDueToReplStateChange'],
  [13435, 'NotPrimaryNoSecondaryOk'],
  [13436, 'NotPrimaryOrSecondary'],
]);

export class FailPoints {
  private failCommand: FailCommand | undefined;
  /** How many times failCommand has fired since the server started: configureFailPoint answers it as `count`. */
  private entered = 0;

  constructor(readonly enabled: boolean) {}

  /** The configureFailPoint command. */
  configure(cmd: Document): Document {
    const name = cmd.configureFailPoint;
    if (name !== 'failCommand') {
      throw bad(`fail point '${String(name)}' is not supported by the embedded server (only failCommand is)`);
    }
    for (const key of Object.keys(cmd).slice(1)) {
      if (!['mode', 'data', '$db', 'lsid', '$clusterTime', '$readPreference', 'comment'].includes(key)) {
        throw new CommandError('Location40415', `BSON field 'configureFailPoint.${key}' is an unknown field.`);
      }
    }
    const mode = parseMode(cmd.mode);
    const count = this.entered;
    this.failCommand = parseFailCommand(mode, cmd.data);
    if (mode.kind === 'off') this.failCommand = undefined;
    return { count, ok: 1 };
  }

  /** What failCommand does to `commandName` on a connection whose client named itself `appName`, if anything. */
  check(commandName: string, cmd: Document, appName: string | undefined): FailAction | undefined {
    const fp = this.failCommand;
    if (!fp || !fp.commands.has(commandName)) return undefined;
    if (fp.appName !== undefined && fp.appName !== appName) return undefined;
    if (fp.namespace !== undefined && fp.namespace !== `${String(cmd.$db)}.${String(cmd[commandName])}`)
      return undefined;
    const mode = fp.mode;
    if (mode.kind === 'skip' && mode.left > 0) {
      mode.left--;
      return undefined;
    }
    if (mode.kind === 'probability' && Math.random() >= mode.p) return undefined;
    if (mode.kind === 'times' && --mode.left === 0) this.failCommand = undefined;
    this.entered++;
    const action: FailAction = { blockMs: fp.blockMs, closeConnection: fp.closeConnection };
    if (fp.errorCode !== undefined) {
      action.error = {
        ok: 0,
        errmsg: "Failing command via 'failCommand' failpoint",
        code: fp.errorCode,
        codeName: CODE_NAMES.get(fp.errorCode) ?? `Location${fp.errorCode}`,
        ...(fp.errorLabels ? { errorLabels: fp.errorLabels } : {}),
      };
    } else if (fp.writeConcernError) {
      action.writeConcernError = fp.writeConcernError;
      action.errorLabels = fp.errorLabels;
    }
    return action;
  }
}

/** A command's reply with the fail point's write concern error (and labels) added, as mongod sends it. */
export function withWriteConcernError(reply: Document, action: FailAction): Document {
  if (!action.writeConcernError || reply.ok !== 1) return reply;
  const { ok, ...rest } = reply;
  return {
    ...rest,
    writeConcernError: action.writeConcernError,
    ...(action.errorLabels ? { errorLabels: action.errorLabels } : {}),
    ok,
  };
}
