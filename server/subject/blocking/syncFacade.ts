/**
 * The synchronous facade: a blocking MongoDB call in Node.
 *
 * Why hand-written: the official driver is async only, and no library offers a
 * synchronous facade over it (the lab needs one to show what a blocking driver does to an
 * event loop, as FriendFeed's MySQL client did to Tornado).
 *
 * How: a worker thread owns a MongoClient and makes the call. The main thread posts the
 * request, then sleeps in Atomics.wait on a SharedArrayBuffer until the thread stores the
 * reply's sequence number there, and takes the reply with receiveMessageOnPort (which
 * reads a port without the event loop). Nothing else runs on the subject's loop meanwhile.
 *
 * A dead database must not freeze the subject: the wait has a deadline (blockingTimeoutMs)
 * after which the call fails with a timeout (503). The abandoned call may still answer
 * later; every request carries a sequence number and stale replies are dropped, so a late
 * answer can never be taken for the next call's.
 *
 * A circuit breaker keeps a dead database from costing every queued request a full
 * timeout in turn: after a call finds the database unreachable (or times out), calls for
 * the next BREAKER_COOLDOWN_MS fail at once with 503; then one call tries again with the
 * full timeout. A slow but working database never trips it.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { DbError } from '../data/errors';
import { waitAllowanceMs } from '../data/newerUsers';
import type { OperationName } from '../data/operations';
import { type DbResponse, type DbThreadData, encodeArgs } from './protocol';
import { type DbThread, startDbThread } from './startThread';

/** How long calls fail fast after the database was found unreachable. */
export const BREAKER_COOLDOWN_MS = 1000;

export interface SyncFacade {
  /** Blocks the calling thread until the reply arrives or the timeout passes. */
  call(op: OperationName, args: unknown[], comment: string): DbResponse;
  /** Pings through the thread's connection without blocking the loop (before a run, say). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export async function createSyncFacade(
  data: Omit<DbThreadData, 'entry' | 'signal'>,
  /** Read on every call, so the timeout can change without a restart. */
  timeoutMs: () => number,
): Promise<SyncFacade> {
  const signalBuffer = new SharedArrayBuffer(4);
  const signal = new Int32Array(signalBuffer);
  const thread: DbThread = await startDbThread({ ...data, signal: signalBuffer });
  let seq = 0;
  /** The newest reply taken off the port, wanted or stale. */
  let lastTaken = 0;
  let openUntil = 0;
  let alive = true;
  thread.worker.once('exit', () => {
    alive = false;
  });

  /** Drains the port; returns the reply for `wanted` if it is there, dropping stale ones. */
  const take = (wanted: number): DbResponse | undefined => {
    for (let received = receiveMessageOnPort(thread.port); received; received = receiveMessageOnPort(thread.port)) {
      const response = received.message as DbResponse;
      lastTaken = Math.max(lastTaken, response.seq);
      if (response.seq === wanted) return response;
    }
    return undefined;
  };

  /** Posts one call and sleeps until its reply arrives or the deadline passes. */
  const waitFor = (op: OperationName, args: unknown[], comment: string): DbResponse => {
    const mine = ++seq;
    let seen = Atomics.load(signal, 0);
    thread.port.postMessage({ seq: mine, op, args: encodeArgs(args), comment });
    const limit = timeoutMs() + waitAllowanceMs(op, args);
    const deadline = performance.now() + limit;
    for (;;) {
      const response = take(mine);
      if (response) return response;
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new DbError({ kind: 'timeout', message: `no answer from the database within ${limit} ms` });
      }
      // Sleeps only while the signal still holds the value we last saw.
      Atomics.wait(signal, 0, seen, remaining);
      seen = Atomics.load(signal, 0);
    }
  };

  return {
    call(op, args, comment) {
      if (!alive) throw new DbError({ kind: 'unavailable', message: 'the database thread has stopped' });
      if (performance.now() < openUntil) {
        throw new DbError({
          kind: 'unavailable',
          message: 'the database was unreachable a moment ago; trying again shortly',
        });
      }
      try {
        const response = waitFor(op, args, comment);
        if (!response.ok && response.error.kind === 'unavailable') openUntil = performance.now() + BREAKER_COOLDOWN_MS;
        return response;
      } catch (error) {
        openUntil = performance.now() + BREAKER_COOLDOWN_MS;
        throw error;
      }
    },
    async warm() {
      const mine = ++seq;
      thread.port.postMessage({ seq: mine, op: 'ping', args: encodeArgs([1]), comment: 'warm' });
      const deadline = performance.now() + timeoutMs();
      // Polled, not waited for: the loop keeps serving meanwhile. A blocking call in between
      // drains the port and drops this reply as stale; then the connection was just used.
      while (lastTaken < mine) {
        if (performance.now() > deadline)
          throw new DbError({ kind: 'timeout', message: 'warming the connection timed out' });
        await new Promise((resolve) => setTimeout(resolve, 5));
        const response = take(mine);
        if (response && !response.ok) throw new DbError(response.error);
      }
    },
    async close() {
      alive = false;
      await thread.terminate();
    },
  };
}
