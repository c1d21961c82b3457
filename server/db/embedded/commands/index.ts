/** Finds the handler for a command and turns every failure into mongod's { ok: 0 } shape. */
import type { Document } from 'bson';
import { activeCollator, withCollator } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError, toErrorReply } from '../errors';
import { aggregateCommands } from './aggregate';
import { bulkWriteCommands } from './bulkWrite';
import { catalogCommands } from './catalog';
import type { CommandContext, CommandHandler } from './context';
import { handshakeCommands } from './handshake';
import { checkCollation } from './options';
import { readCommands } from './reads';
import { sessionKey, touchSession } from './sessions';
import { writeCommands } from './writes';

/** Authentication commands: a clear refusal rather than "no such command", so a URI with a user and password explains itself. */
const refuseAuth: CommandHandler = () => {
  throw new CommandError(
    'AuthenticationFailed',
    'authentication is not supported by the embedded server: connect without a username and password',
  );
};

/** A test command, as in mongod: only known when the server was started to accept test commands. */
const configureFailPoint: CommandHandler = (cmd, ctx) => {
  if (!ctx.failPoints.enabled) {
    throw new CommandError(
      'CommandNotFound',
      "no such command: 'configureFailPoint' (a test command: start the embedded server with --enable-test-commands to use it)",
    );
  }
  if (ctx.db.name !== 'admin')
    throw new CommandError('Unauthorized', 'configureFailPoint may only be run against the admin database.');
  return ctx.failPoints.configure(cmd);
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
  configureFailPoint,
};

/** For the server's README: every command it answers (the auth ones with a refusal). */
export const COMMAND_NAMES = Object.keys(handlers);

/**
 * Commands that count under their own opcounter (query, getmore, insert, update, delete), not
 * under `command`. As in mongod, every other command it knows counts as one `command`, whether
 * it succeeds or not (ping, hello, serverStatus, a count with a bad filter); an unknown one does
 * not count (jstests/core/opcounters_write_cmd.js).
 */
const OWN_COUNTER = new Set(['find', 'getMore', 'insert', 'update', 'delete']);

/** Fields that start or continue a transaction, which a standalone mongod refuses. */
const TRANSACTION_FIELDS = ['txnNumber', 'startTransaction', 'autocommit'];

function deadlineOf(cmd: Document): number | undefined {
  const ms = cmd.maxTimeMS;
  if (ms === undefined || ms === null) return undefined;
  if (!isNumeric(ms) || !Number.isInteger(toNumber(ms)) || toNumber(ms) < 0 || toNumber(ms) > 2 ** 31 - 1) {
    throw new CommandError(
      'BadValue',
      `maxTimeMS must be a non-negative whole number of milliseconds, not ${String(ms)}`,
    );
  }
  return toNumber(ms) === 0 ? undefined : performance.now() + toNumber(ms);
}

export function runCommand(
  cmd: Document,
  ctx: Omit<CommandContext, 'db' | 'owner' | 'deadline'>,
): Document | Promise<Document> {
  try {
    const name = Object.keys(cmd)[0];
    const handler = name !== undefined && Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name ?? ''}'`);
    if (!OWN_COUNTER.has(name!)) ctx.stats.opcounters.command++;
    if (TRANSACTION_FIELDS.some((field) => cmd[field] !== undefined)) {
      throw new CommandError(
        'IllegalOperation',
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
    }
    const dbName = cmd.$db ?? 'admin';
    if (typeof dbName !== 'string' || dbName === '' || /[/\\. "$\0]/.test(dbName)) {
      throw new CommandError('InvalidNamespace', `Invalid database name: '${String(dbName)}'`);
    }
    const session = sessionKey(cmd.lsid);
    if (session && name !== 'endSessions') touchSession(session);
    // A command-wide collation applies to everything the handler compares; statements may carry their own.
    const collator = checkCollation(cmd, name!);
    // Built field by field: an object spread of the connection's context here cost more than the whole indexed lookup.
    const context: CommandContext = {
      store: ctx.store,
      cursors: ctx.cursors,
      stats: ctx.stats,
      connectionId: ctx.connectionId,
      failPoints: ctx.failPoints,
      db: ctx.store.db(dbName),
      // The session a command runs in, else its connection: the owner of the cursors it opens.
      owner: session ? `session:${session.key}` : `conn:${ctx.connectionId}`,
      deadline: deadlineOf(cmd),
    };
    const reply =
      collator === activeCollator() ? handler(cmd, context) : withCollator(collator, () => handler(cmd, context));
    return reply instanceof Promise ? reply.catch(toErrorReply) : reply;
  } catch (error) {
    return toErrorReply(error);
  }
}
