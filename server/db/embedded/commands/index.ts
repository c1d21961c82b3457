/** Finds the handler for a command and turns every failure into mongod's { ok: 0 } shape. */
import { Binary, type Document } from 'bson';
import { isPlainObject, withCollator } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError, toErrorReply } from '../errors';
import { aggregateCommands } from './aggregate';
import { bulkWriteCommands } from './bulkWrite';
import { catalogCommands } from './catalog';
import type { CommandContext, CommandHandler } from './context';
import { handshakeCommands } from './handshake';
import { checkCollation } from './options';
import { readCommands } from './reads';
import { touchSession } from './sessions';
import { writeCommands } from './writes';

/** Authentication commands: a clear refusal rather than "no such command", so a URI with a user and password explains itself. */
const refuseAuth: CommandHandler = () => {
  throw new CommandError('AuthenticationFailed', 'authentication is not supported by the embedded server: connect without a username and password');
};

const handlers: Record<string, CommandHandler> = {
  ...handshakeCommands,
  ...readCommands,
  ...aggregateCommands,
  ...writeCommands,
  ...catalogCommands,
  ...bulkWriteCommands,
  saslStart: refuseAuth,
  saslContinue: refuseAuth,
  authenticate: refuseAuth,
};

/** For the server's README: every command it answers (the auth ones with a refusal). */
export const COMMAND_NAMES = Object.keys(handlers);

/** Fields that start or continue a transaction, which a standalone mongod refuses. */
const TRANSACTION_FIELDS = ['txnNumber', 'startTransaction', 'autocommit'];

/** The session a command runs in (its lsid), else its connection: the owner of the cursors it opens. */
function ownerOf(cmd: Document, connectionId: number): string {
  const id = isPlainObject(cmd.lsid) ? cmd.lsid.id : undefined;
  return id instanceof Binary ? `session:${Buffer.from(id.buffer.subarray(0, id.position)).toString('hex')}` : `conn:${connectionId}`;
}

function deadlineOf(cmd: Document): number | undefined {
  const ms = cmd.maxTimeMS;
  if (ms === undefined || ms === null) return undefined;
  if (!isNumeric(ms) || !Number.isInteger(toNumber(ms)) || toNumber(ms) < 0 || toNumber(ms) > 2 ** 31 - 1) {
    throw new CommandError('BadValue', `maxTimeMS must be a non-negative whole number of milliseconds, not ${String(ms)}`);
  }
  return toNumber(ms) === 0 ? undefined : performance.now() + toNumber(ms);
}

export function runCommand(cmd: Document, ctx: Omit<CommandContext, 'db' | 'owner' | 'deadline'>): Document | Promise<Document> {
  try {
    const name = Object.keys(cmd)[0];
    const handler = name !== undefined && Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name ?? ''}'`);
    if (TRANSACTION_FIELDS.some((field) => cmd[field] !== undefined)) {
      throw new CommandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const dbName = cmd.$db ?? 'admin';
    if (typeof dbName !== 'string' || dbName === '' || /[/\\. "$\0]/.test(dbName)) {
      throw new CommandError('InvalidNamespace', `Invalid database name: '${String(dbName)}'`);
    }
    if (name !== 'endSessions') touchSession(cmd.lsid);
    // A command-wide collation applies to everything the handler compares; statements may carry their own.
    const collator = checkCollation(cmd, name!);
    const reply = withCollator(collator, () => handler(cmd, { ...ctx, db: ctx.store.db(dbName), owner: ownerOf(cmd, ctx.connectionId), deadline: deadlineOf(cmd) }));
    return reply instanceof Promise ? reply.catch(toErrorReply) : reply;
  } catch (error) {
    return toErrorReply(error);
  }
}
