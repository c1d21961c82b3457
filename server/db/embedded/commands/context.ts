import type { Document } from 'bson';
import type { Cursors } from '../cursors';
import type { Database, Store } from '../store';

/** Server-wide figures that serverStatus reports. */
export interface ServerStats {
  startedAt: number;
  connections: { current: number; totalCreated: number };
  opcounters: { insert: number; query: number; update: number; delete: number; getmore: number; command: number };
}

export interface CommandContext {
  store: Store;
  cursors: Cursors;
  stats: ServerStats;
  connectionId: number;
  /** The database named by the command's $db. */
  db: Database;
}

/** Runs one command synchronously: the server answers in request order without awaiting. */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document;
