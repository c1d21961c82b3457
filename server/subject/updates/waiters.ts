/**
 * The non-blocking long poll, as Tornado's chat demo does it: a waiting request is a
 * record in a list (its socket stays open in the kernel), no thread and no query. A new
 * user created through this process (POST /users) is a publish: it wakes every waiter at
 * once with ONE database read of the newer users, shared by all of them, each keeping the
 * ones newer than its own cursor.
 *
 * The process learns of new users from its own inserts only: a cursor older than the
 * newest user it has seen published is answered at once (it missed one); a cursor it
 * cannot judge waits for the next publish.
 */
import type { NewUser } from '../data/types';
import type { HeldCount } from './heldCount';

/** Reads the users newer than an id (one database round trip, traced on the request that makes it). */
export type ReadNewer = (after: string) => Promise<NewUser[]>;

interface Waiter {
  after: string;
  read: ReadNewer;
  timer: NodeJS.Timeout;
  resolve(users: NewUser[]): void;
  reject(error: unknown): void;
}

export interface Waiters {
  /** Resolves with the users newer than `after`: at the next publish, or [] after timeoutMs. */
  wait(after: string, timeoutMs: number, read: ReadNewer): Promise<NewUser[]>;
  /** A user with this id was just inserted: answer every waiter. */
  publish(insertedId: string): void;
}

/** Ids are 24 lowercase hex digits, so string order is ObjectId order (time first). */
const newer = (id: string, than: string): boolean => id > than;

export function createWaiters(held: HeldCount): Waiters {
  const waiting = new Set<Waiter>();
  let newestPublished = '';

  const release = (waiter: Waiter): void => {
    clearTimeout(waiter.timer);
    waiting.delete(waiter);
    held.leave();
  };

  return {
    wait(after, timeoutMs, read) {
      if (newer(newestPublished, after)) return read(after);
      return new Promise<NewUser[]>((resolve, reject) => {
        const waiter: Waiter = {
          after,
          read,
          resolve,
          reject,
          timer: setTimeout(() => {
            release(waiter);
            resolve([]);
          }, timeoutMs),
        };
        waiting.add(waiter);
        held.enter();
      });
    },
    publish(insertedId) {
      if (newer(insertedId, newestPublished)) newestPublished = insertedId;
      if (waiting.size === 0) return;
      const woken = [...waiting];
      for (const waiter of woken) release(waiter);
      // One read from the oldest cursor covers every waiter; the first waiter makes it (its trace shows the query).
      const oldest = woken.reduce((min, waiter) => (waiter.after < min ? waiter.after : min), woken[0]!.after);
      const shared = woken[0]!.read(oldest);
      for (const waiter of woken) {
        shared.then(
          (users) => waiter.resolve(users.filter((user) => newer(user.id, waiter.after))),
          (error: unknown) => waiter.reject(error),
        );
      }
    },
  };
}
