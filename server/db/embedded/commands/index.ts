/** Finds the handler for a command and turns every failure into mongod's { ok: 0 } shape. */
import type { Document } from 'bson';
import { CommandError, toErrorReply } from '../errors';
import { catalogCommands } from './catalog';
import type { CommandContext, CommandHandler } from './context';
import { handshakeCommands } from './handshake';
import { readCommands } from './reads';
import { writeCommands } from './writes';

const handlers: Record<string, CommandHandler> = {
  ...handshakeCommands,
  ...readCommands,
  ...writeCommands,
  ...catalogCommands,
};

/** Fields that start or continue a transaction, which a standalone mongod refuses. */
const TRANSACTION_FIELDS = ['txnNumber', 'startTransaction', 'autocommit'];

export function runCommand(cmd: Document, ctx: Omit<CommandContext, 'db'>): Document {
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
    return handler(cmd, { ...ctx, db: ctx.store.db(dbName) });
  } catch (error) {
    return toErrorReply(error);
  }
}
