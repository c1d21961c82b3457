/**
 * The database side of the long poll (GET /updates): "the users newer than this id".
 * `findNewer` is one read. `waitForNewer` repeats it until there is an answer or the time
 * is up: the thread-per-request way to wait, run on a database thread (the blocking
 * facade's or an executor's), which is therefore held for the whole wait.
 */
import { type Db, ObjectId } from 'mongodb';
import type { NewUser } from './types';

/** The most new users one answer carries (a waiter far behind asks again with the last id). */
export const NEWER_LIMIT = 100;
/** How often a thread-held wait asks the database again, ms. */
export const POLL_EVERY_MS = 50;

const HEX_ID = /^[0-9a-f]{24}$/;

/** Defence in depth behind the HTTP validation: only a 24-digit hex id becomes an ObjectId. */
function objectIdOf(after: unknown): ObjectId {
  if (typeof after !== 'string' || !HEX_ID.test(after)) throw new TypeError('after must be 24 lowercase hex digits');
  return ObjectId.createFromHexString(after);
}

export async function findNewer(db: Db, collection: string, after: unknown, comment: string): Promise<NewUser[]> {
  const docs = await db
    .collection(collection)
    .find(
      { _id: { $gt: objectIdOf(after) } },
      { comment, sort: { _id: 1 }, limit: NEWER_LIMIT, batchSize: NEWER_LIMIT },
    )
    .project<{ _id: ObjectId; username: string; first_name: string }>({ username: 1, first_name: 1 })
    .toArray();
  return docs.map((doc) => ({ id: doc._id.toHexString(), username: doc.username, first_name: doc.first_name }));
}

export async function waitForNewer(db: Db, collection: string, args: unknown[], comment: string): Promise<NewUser[]> {
  const [after, timeoutMs] = args;
  const deadline = performance.now() + (typeof timeoutMs === 'number' ? timeoutMs : 0);
  for (;;) {
    const found = await findNewer(db, collection, after, comment);
    if (found.length > 0 || performance.now() >= deadline) return found;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(POLL_EVERY_MS, Math.max(0, deadline - performance.now()))),
    );
  }
}

/** How much longer than blockingTimeoutMs a call may take: a wait is meant to last. */
export function waitAllowanceMs(op: string, args: unknown[]): number {
  return op === 'waitForNewer' && typeof args[1] === 'number' ? args[1] : 0;
}
