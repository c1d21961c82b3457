/**
 * How the subject reaches MongoDB. A subject process holds both modes' ways at once, open
 * and warm, so switching mode is choosing one for the next request, not a restart:
 * - nonblocking: the driver's async API on the subject's loop (here);
 * - blocking: the synchronous facade, or executor threads (blocking/blockingAccess.ts).
 * Holding the idle one costs the loop nothing: blocking mode still parks the loop on every
 * call, and the async client only has its connections open meanwhile.
 * Each hands every request its own `users`, bound to the request's trace.
 */
import type { Mode } from '../../common/config';
import { executorAccess, facadeAccess } from './blocking/blockingAccess';
import { type ClientSettings, clientOptions } from './data/clientOptions';
import { type DbCalls, type HealthListener, createDbCalls } from './data/dbCalls';
import { describeDbError, toDbError } from './data/errors';
import { monitorClient } from './data/monitor';
import { renewingClient } from './data/renewingClient';
import { runOperation } from './data/operations';
import type { AsyncUsers, BlockingUsers } from './data/types';
import { asyncUsers } from './data/usersOver';
import type { RequestTrace } from './runtime/tracer';
import type { Gauges } from './runtime/sampler';
import type { HeldCount } from './updates/heldCount';
import { withPublishing } from './updates/publishing';
import { createWaiters } from './updates/waiters';

export type DataAccess =
  | (Common & { style: 'sync'; users(trace: RequestTrace): BlockingUsers })
  | (Common & { style: 'async'; users(trace: RequestTrace): AsyncUsers });

interface Common {
  gauges: Gauges;
  /** Opens the connections this way of calling uses (poolSize, one per executor thread, one for the facade). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface AccessOptions {
  executorThreads: number;
  /** Read on every blocking call, so it can change without a restart. */
  blockingTimeoutMs: () => number;
  uri: string;
  dbName: string;
  client: ClientSettings;
  onHealth: HealthListener;
  /** Long-polls held at once, by either mode: waiter records, busy threads, or the loop. */
  held: HeldCount;
  /**
   * Whether the process traces now (it can be turned off at run time); the async client
   * matches operations to their pool checkouts (db.sent) only then. Blocking mode's threads
   * keep the setting they started with.
   */
  tracing?: () => boolean;
}

/** Both modes' data access, side by side. */
export interface ModeAccess {
  /** The mode's data access; only for a mode that `ready` has resolved for. */
  of(mode: Mode): DataAccess;
  /** Resolves when the mode's data access is open and warm (rejects if it cannot open). */
  ready(mode: Mode): Promise<void>;
  /** Opens every pool to its size again, so a run measures the pool, not its ramp. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

function nonblockingAccess(options: AccessOptions, calls: DbCalls): DataAccess {
  const { poolSize } = options.client;
  const pool = { inUse: 0, waiting: 0 };
  const sentListeners = new Map<string, (t: number) => void>();
  const waiters = createWaiters(options.held);
  const client = renewingClient(options.uri, clientOptions(options.client), options.dbName, (made) =>
    monitorClient(made, {
      sent: options.client.monitorCommands ? (comment, t) => sentListeners.get(comment)?.(t) : undefined,
      tracking: options.tracing,
      pool: (inUse, waiting) => {
        pool.inUse += inUse;
        pool.waiting += waiting;
      },
    }),
  );
  return {
    style: 'async',
    users: (trace) =>
      asyncUsers(
        withPublishing(async (op, args) => {
          const call = calls.begin(trace, op, calls.inFlight() >= poolSize);
          sentListeners.set(trace.rid, (t) => call.sent(t));
          try {
            const value = await client.run((db) => runOperation(db, op, args, trace.rid));
            call.succeeded();
            return value;
          } catch (error) {
            const failure = toDbError(error);
            call.failed(failure);
            throw failure;
          } finally {
            sentListeners.delete(trace.rid);
          }
        }, waiters),
      ),
    gauges: { poolInUse: () => pool.inUse, poolWaiting: () => pool.waiting, dbInFlight: calls.inFlight },
    warm: async () => {
      await client.run((db) => runOperation(db, 'ping', [poolSize], 'warm'));
    },
    close: () => client.close(),
  };
}

/**
 * Opens the starting mode's access and warms it; the other mode's opens meanwhile in the
 * background (a database thread takes a while to start), so a process is ready as soon as
 * what it serves first is, and a switch waits only if it comes within that moment.
 */
export async function createDataAccess(options: AccessOptions, first: Mode): Promise<ModeAccess> {
  const openBlocking = async (): Promise<DataAccess> => {
    const calls = createDbCalls(options.onHealth);
    return options.executorThreads > 0 ? executorAccess(options, calls) : facadeAccess(options, calls);
  };
  /**
   * A database that is down now must not keep the subject from starting: it answers 503 until
   * it is back. Any other failure is a fault of ours and is said on stderr, which the lab logs:
   * a warm that failed unseen once left every subject starting with no connection open.
   */
  const warmed = async (access: DataAccess): Promise<DataAccess> => {
    await access.warm().catch((error: unknown) => {
      if (describeDbError(error).kind === 'failed') console.error('subject: warming the pool failed:', error);
    });
    return access;
  };
  const opening: Record<Mode, Promise<DataAccess>> = {
    nonblocking: warmed(nonblockingAccess(options, createDbCalls(options.onHealth))),
    blocking:
      first === 'blocking'
        ? openBlocking().then(warmed)
        : Promise.resolve(undefined).then(async () => {
            // Waits for the serving mode's pool first: both at once would slow the start down.
            await opening.nonblocking;
            return warmed(await openBlocking());
          }),
  };
  const opened: Partial<Record<Mode, DataAccess>> = {};
  for (const mode of ['nonblocking', 'blocking'] as const) {
    opening[mode].then(
      (access) => (opened[mode] = access),
      () => undefined,
    );
  }
  try {
    await opening[first];
  } catch (error) {
    await closeAll(opening);
    throw error;
  }
  return {
    of(mode) {
      const access = opened[mode];
      if (!access) throw new Error(`the ${mode} data access is not open yet`);
      return access;
    },
    ready: async (mode) => {
      await opening[mode];
    },
    warm: async () => {
      await Promise.all(Object.values(opening).map(async (access) => (await access).warm()));
    },
    close: () => closeAll(opening),
  };
}

async function closeAll(opening: Record<Mode, Promise<DataAccess>>): Promise<void> {
  await Promise.all(
    Object.values(opening).map((access) =>
      access.then(
        (a) => a.close(),
        () => undefined,
      ),
    ),
  );
}
