/**
 * Builds the handlers' `users` object over one "invoke an operation" function, so the
 * blocking and promise versions expose exactly the same method names.
 */
import type { Document } from 'mongodb';
import type { OperationName } from './operations';
import type { AsyncUsers, BlockingUsers, Callback, CallbackUsers, NewUser, User } from './types';

export function blockingUsers(invoke: (op: OperationName, args: unknown[]) => unknown): BlockingUsers {
  return {
    findOne: (filter) => invoke('findOne', [filter]) as User | null,
    insertOne: (user) => invoke('insertOne', [user]) as { insertedId: string },
    find: (filter, options) => invoke('find', [filter, options]) as User[],
    aggregate: (pipeline) => invoke('aggregate', [pipeline]) as Document[],
    waitForNewer: (after, timeoutMs) => invoke('waitForNewer', [after, timeoutMs]) as NewUser[],
  };
}

export function asyncUsers(invoke: (op: OperationName, args: unknown[]) => Promise<unknown>): AsyncUsers {
  return {
    findOne: (filter) => invoke('findOne', [filter]) as Promise<User | null>,
    insertOne: (user) => invoke('insertOne', [user]) as Promise<{ insertedId: string }>,
    find: (filter, options) => invoke('find', [filter, options]) as Promise<User[]>,
    aggregate: (pipeline) => invoke('aggregate', [pipeline]) as Promise<Document[]>,
    waitForNewer: (after, timeoutMs) => invoke('waitForNewer', [after, timeoutMs]) as Promise<NewUser[]>,
  };
}

/**
 * The 2010 callback API over either kind. Over the blocking kind, the callback runs
 * before findOne returns: a callback alone does not make code non-blocking.
 * A throw inside the callback goes to `onThrow` (the request's error response), since
 * nobody up the stack is left to catch it.
 */
export function callbackUsers(users: BlockingUsers | AsyncUsers, onThrow: (error: unknown) => void): CallbackUsers {
  const deliver = <T>(callback: Callback<T>, error: Error | null, result: T | null): void => {
    try {
      callback(error, result);
    } catch (thrown) {
      onThrow(thrown);
    }
  };
  return {
    findOne(filter, callback) {
      let result: User | null | Promise<User | null>;
      try {
        result = users.findOne(filter);
      } catch (error) {
        return deliver(callback, error as Error, null);
      }
      if (result instanceof Promise) {
        result.then(
          (user) => deliver(callback, null, user),
          (error: Error) => deliver(callback, error, null),
        );
      } else {
        deliver(callback, null, result);
      }
    },
  };
}
