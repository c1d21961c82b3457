import type { Document } from 'bson';
import type { Cursors } from '../cursors';
import type { FailPoints } from '../failPoints';
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
  /** configureFailPoint's state, and whether test commands are enabled at all. */
  failPoints: FailPoints;
  /** The database named by the command's $db. */
  db: Database;
  /** Who owns the cursors this command opens: its session (lsid), or its connection. */
  owner: string;
  /** performance.now() after which the command fails with MaxTimeMSExpired, from maxTimeMS. */
  deadline?: number;
}

/**
 * Runs one command. Most answer synchronously; a long scan returns a promise and yields to
 * other connections as it goes. Each connection's replies still leave in request order.
 */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document | Promise<Document>;
