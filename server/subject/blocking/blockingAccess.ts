/**
 * Blocking mode's two ways to reach MongoDB, in the DataAccess shape (../dataAccess.ts):
 * - the synchronous facade: the loop stops for every call;
 * - executorThreads > 0: blocking calls on a pool of threads, awaited (Tornado's run_in_executor).
 */
import { now } from '../../../common/trace';
import type { AccessOptions, DataAccess } from '../dataAccess';
import type { DbCall, DbCalls } from '../data/dbCalls';
import { DbError, toDbError } from '../data/errors';
import type { Gauges } from '../runtime/sampler';
import { asyncUsers, blockingUsers } from '../data/usersOver';
import { createExecutor } from './executor';
import { type DbResponse, decodeValue } from './protocol';
import { createSyncFacade } from './syncFacade';

/** Turns a thread's reply into a value, or the error it carried. */
function settle(call: DbCall, response: DbResponse): unknown {
  call.sent(response.sentAt);
  if (response.ok) {
    call.succeeded();
    return decodeValue(response.value);
  }
  const error = new DbError(response.error);
  call.failed(error);
  throw error;
}

function threadPool(options: AccessOptions) {
  const poolGauge = new Int32Array(new SharedArrayBuffer(8));
  const data = {
    uri: options.uri,
    dbName: options.dbName,
    client: options.client,
    poolGauge: poolGauge.buffer as SharedArrayBuffer,
  };
  const gauges = (calls: DbCalls): Gauges => ({
    poolInUse: () => Atomics.load(poolGauge, 0),
    poolWaiting: () => Atomics.load(poolGauge, 1),
    dbInFlight: calls.inFlight,
  });
  return { data, gauges };
}

export async function executorAccess(options: AccessOptions, calls: DbCalls): Promise<DataAccess> {
  const { data, gauges } = threadPool(options);
  // A thread stuck in a blocking call holds one connection, no more.
  const perThread = { ...data, client: { ...options.client, poolSize: 1, minPoolSize: 1 } };
  const executor = await createExecutor(perThread, options.executorThreads, options.blockingTimeoutMs, {
    // A long-poll is held while its wait occupies a thread, not while it queues for one.
    started: (op) => {
      if (op === 'waitForNewer') options.held.enter();
    },
    ended: (op) => {
      if (op === 'waitForNewer') options.held.leave();
    },
  });
  return {
    style: 'async',
    users: (trace) =>
      asyncUsers(async (op, args) => {
        const call = calls.begin(trace, op, executor.saturated());
        let response: DbResponse;
        try {
          response = await executor.call(op, args, trace.rid);
        } catch (error) {
          call.failed(toDbError(error));
          throw error;
        }
        return settle(call, response);
      }),
    gauges: gauges(calls),
    warm: async () => {
      await Promise.all(Array.from({ length: options.executorThreads }, () => executor.call('ping', [1], 'warm')));
    },
    close: () => executor.close(),
  };
}

export async function facadeAccess(options: AccessOptions, calls: DbCalls): Promise<DataAccess> {
  const { data, gauges } = threadPool(options);
  // The loop waits for each call, so one connection is all the facade ever uses at a time;
  // the pool may grow only when a timed-out call still holds one.
  const facade = await createSyncFacade(
    { ...data, client: { ...options.client, minPoolSize: 1 } },
    options.blockingTimeoutMs,
  );
  return {
    style: 'sync',
    users: (trace) =>
      blockingUsers((op, args) => {
        const call = calls.begin(trace, op, false);
        const start = now();
        const longPoll = op === 'waitForNewer';
        if (longPoll) options.held.enter();
        let response: DbResponse;
        try {
          response = facade.call(op, args, trace.rid);
        } catch (error) {
          call.failed(toDbError(error));
          throw error;
        } finally {
          if (longPoll) options.held.leave();
          trace.blocked(start, now() - start, 'db');
        }
        return settle(call, response);
      }),
    gauges: gauges(calls),
    warm: () => facade.warm(),
    close: () => facade.close(),
  };
}
