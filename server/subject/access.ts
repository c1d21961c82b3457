/**
 * How the subject reaches MongoDB in the current mode. Three kinds, one shape:
 * - nonblocking: the driver's async API on the subject's loop;
 * - blocking: the synchronous facade (the loop stops for every call);
 * - blocking + executorThreads: blocking calls on a pool of threads, awaited (Tornado's run_in_executor).
 * Each hands every request its own `users`, bound to the request's trace.
 */
import { MongoClient } from 'mongodb';
import { now } from '../../common/trace';
import { createExecutor } from './blocking/executor';
import { type DbResponse, decodeValue } from './blocking/protocol';
import { createSyncFacade } from './blocking/syncFacade';
import { type ClientSettings, clientOptions } from './data/clientOptions';
import { type DbCall, type HealthListener, createDbCalls } from './data/dbCalls';
import { DbError, toDbError } from './data/errors';
import { monitorClient } from './data/monitor';
import { runOperation } from './data/operations';
import type { AsyncUsers, BlockingUsers } from './data/types';
import { asyncUsers, blockingUsers } from './data/usersOver';
import type { RequestTrace } from './runtime/tracer';
import type { Gauges } from './runtime/sampler';

export type DataAccess =
  | (Common & { style: 'sync'; users(trace: RequestTrace): BlockingUsers })
  | (Common & { style: 'async'; users(trace: RequestTrace): AsyncUsers });

interface Common {
  gauges: Gauges;
  /** Opens the pool's connections (poolSize, or one per executor thread). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface AccessOptions {
  mode: 'blocking' | 'nonblocking';
  executorThreads: number;
  blockingTimeoutMs: number;
  uri: string;
  dbName: string;
  client: ClientSettings;
  onHealth: HealthListener;
}

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

export async function createDataAccess(options: AccessOptions): Promise<DataAccess> {
  const calls = createDbCalls(options.onHealth);
  const { poolSize } = options.client;

  if (options.mode === 'nonblocking') {
    const client = new MongoClient(options.uri, clientOptions(options.client));
    const db = client.db(options.dbName);
    const pool = { inUse: 0, waiting: 0 };
    const sentListeners = new Map<string, (t: number) => void>();
    monitorClient(client, {
      sent: options.client.monitorCommands ? (comment, t) => sentListeners.get(comment)?.(t) : undefined,
      pool: (inUse, waiting) => {
        pool.inUse += inUse;
        pool.waiting += waiting;
      },
    });
    return {
      style: 'async',
      users: (trace) =>
        asyncUsers(async (op, args) => {
          const call = calls.begin(trace, op, calls.inFlight() >= poolSize);
          sentListeners.set(trace.rid, (t) => call.sent(t));
          try {
            const value = await runOperation(db, op, args, trace.rid);
            call.succeeded();
            return value;
          } catch (error) {
            const failure = toDbError(error);
            call.failed(failure);
            throw failure;
          } finally {
            sentListeners.delete(trace.rid);
          }
        }),
      gauges: { poolInUse: () => pool.inUse, poolWaiting: () => pool.waiting, dbInFlight: calls.inFlight },
      warm: async () => {
        await runOperation(db, 'ping', [poolSize], 'warm');
      },
      close: () => client.close(true),
    };
  }

  const poolGauge = new Int32Array(new SharedArrayBuffer(8));
  const threadData = { uri: options.uri, dbName: options.dbName, client: options.client, poolGauge: poolGauge.buffer as SharedArrayBuffer };
  const gauges: Gauges = { poolInUse: () => Atomics.load(poolGauge, 0), poolWaiting: () => Atomics.load(poolGauge, 1), dbInFlight: calls.inFlight };

  if (options.executorThreads > 0) {
    // A thread stuck in a blocking call holds one connection, no more.
    const perThread = { ...threadData, client: { ...options.client, poolSize: 1 } };
    const executor = await createExecutor(perThread, options.executorThreads, options.blockingTimeoutMs);
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
      gauges,
      warm: async () => {
        await Promise.all(Array.from({ length: options.executorThreads }, () => executor.call('ping', [1], 'warm')));
      },
      close: () => executor.close(),
    };
  }

  const facade = await createSyncFacade(threadData, options.blockingTimeoutMs);
  return {
    style: 'sync',
    users: (trace) =>
      blockingUsers((op, args) => {
        const call = calls.begin(trace, op, false);
        const start = now();
        let response: DbResponse;
        try {
          response = facade.call(op, args, trace.rid);
        } catch (error) {
          call.failed(toDbError(error));
          throw error;
        } finally {
          trace.emit({ type: 'loop.blocked', t: start, durationMs: now() - start, reason: 'db' });
        }
        return settle(call, response);
      }),
    gauges,
    warm: async () => {
      const response = facade.call('ping', [poolSize], 'warm');
      if (!response.ok) throw new DbError(response.error);
    },
    close: () => facade.close(),
  };
}
