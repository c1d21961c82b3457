/**
 * The database operations, in one table shared by both modes: the non-blocking DAO runs
 * them on the subject's loop, the blocking facade's worker thread runs them off it. One
 * table means the two modes cannot drift apart in what they ask MongoDB.
 */
import type { Db, Document } from 'mongodb';
import { trackOperation } from './monitor';
import { findNewer, waitForNewer } from './newerUsers';

/** The seeded collection (server/db/seed.ts writes it). */
export const USERS_COLLECTION = 'users';

export type OperationName = 'findOne' | 'insertOne' | 'find' | 'aggregate' | 'findNewer' | 'waitForNewer' | 'ping';

/**
 * Defence in depth behind the HTTP validation: a filter's values must be plain strings
 * or numbers and its keys plain field names, so an operator can never reach the driver.
 */
export function assertPlainFilter(filter: unknown): asserts filter is Record<string, string | number> {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw new TypeError('filter must be an object');
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) throw new TypeError(`filter key ${key} is not allowed`);
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new TypeError(`filter value for ${key} must be a string`);
  }
}

/**
 * Runs one operation. `comment` carries the request id: it travels with the command (mongod
 * logs and profiles show it) and ties the operation's pool checkout to its request, which is
 * how `db.sent` is matched back (data/monitor.ts).
 */
export function runOperation(db: Db, op: OperationName, args: unknown[], comment: string): Promise<unknown> {
  // ping [n] asks the pool for n connections at once; everything else for one.
  const checkouts = op === 'ping' && typeof args[0] === 'number' ? args[0] : 1;
  return trackOperation(db.client, comment, checkouts, () => callDriver(db, op, args, comment));
}

async function callDriver(db: Db, op: OperationName, args: unknown[], comment: string): Promise<unknown> {
  const users = db.collection(USERS_COLLECTION);
  switch (op) {
    case 'findOne': {
      const [filter] = args;
      assertPlainFilter(filter);
      return users.findOne(filter, { comment });
    }
    case 'insertOne': {
      const result = await users.insertOne({ ...(args[0] as Document) }, { comment });
      return { insertedId: String(result.insertedId) };
    }
    case 'find': {
      const [filter, options] = args as [unknown, { limit: number }];
      assertPlainFilter(filter);
      // batchSize = limit: the whole answer in the first reply, one round trip.
      return users.find(filter, { comment, limit: options.limit, batchSize: options.limit }).toArray();
    }
    case 'aggregate':
      return users.aggregate(args[0] as Document[], { comment }).toArray();
    case 'findNewer':
      return findNewer(db, USERS_COLLECTION, args[0], comment);
    case 'waitForNewer':
      return waitForNewer(db, USERS_COLLECTION, args, comment);
    case 'ping': {
      // ping [n]: n concurrent pings, which opens up to n pool connections (warming the pool).
      const count = typeof args[0] === 'number' ? args[0] : 1;
      await Promise.all(Array.from({ length: count }, () => db.command({ ping: 1 })));
      return { ok: 1 };
    }
  }
}
