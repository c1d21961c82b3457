/**
 * One run's requests: sends them to the subject and records the client side of each
 * (client.sent, client.firstByte, client.done) with the shared clock. Runs on the load
 * generator's thread (worker.ts), never on the lab's or the subject's loop.
 */
import { Pool } from 'undici';
import { isLongPollRun, OPEN_LOOP_MAX_IN_FLIGHT, traceEveryOf } from '../../common/config';
import { HEADER_RID, HEADER_RUN, now, type TraceEvent } from '../../common/trace';
import type { LoadCounts, LoadJob } from './protocol';
import { requestFor } from './routes';

export interface RunningJob {
  result: Promise<LoadCounts & { cancelled: boolean }>;
  cancel(): void;
}

export function runJob(job: LoadJob, ship: (events: TraceEvent[]) => void): RunningJob {
  const { plan } = job;
  if (isLongPollRun(plan)) throw new Error('a long-poll run is held by longPollJob.ts, not sent as a loop');
  const route = plan.route ?? 'getUser';
  let buffer: TraceEvent[] = [];
  const counts: LoadCounts = { sent: 0, completed: 0, errors: 0, ...('ratePerSec' in plan ? { notSent: 0 } : {}) };
  // Requests with no events of their own since the last batch (see load.counts in the trace).
  const untold = { notSent: 0, untracedCompleted: 0, untracedErrors: 0 };
  const traceEvery = traceEveryOf(plan);
  let cancelled = false;
  const flush = () => {
    if (untold.notSent || untold.untracedCompleted) {
      buffer.push({ type: 'load.counts', t: now(), ...untold });
      untold.notSent = 0;
      untold.untracedCompleted = 0;
      untold.untracedErrors = 0;
    }
    if (buffer.length === 0) return;
    ship(buffer);
    buffer = [];
  };
  const flusher = setInterval(flush, job.batchMs);

  const closed = 'concurrency' in plan;
  const maxInFlight = closed
    ? plan.concurrency
    : Math.min(job.maxInFlight ?? OPEN_LOOP_MAX_IN_FLIGHT, OPEN_LOOP_MAX_IN_FLIGHT);
  // undici rather than node:http: about 40% less CPU per request, and on a 2-core machine
  // every cycle the generator spends is taken from the subject it measures.
  // One connection per request in flight: the closed loop's `concurrency`, the open loop's
  // cap. Nothing ever queues inside the pool, so each request's deadline is its own.
  const pool = new Pool(job.baseUrl, {
    connections: maxInFlight,
    pipelining: 1,
    headersTimeout: job.requestTimeoutMs,
    bodyTimeout: job.requestTimeoutMs,
  });
  /** The requests in flight, each with how to end it as cancelled, so a cancel ends every one at once. */
  const inFlight = new Map<AbortController, () => void>();
  let onIdle: (() => void) | undefined;

  async function send(index: number, scheduledAt?: number): Promise<void> {
    const rid = `${job.runId}-${index}`;
    const traced = index % traceEvery === 0;
    const { method, path, body } = requestFor(route, index, job.runId);
    const headers: Record<string, string> = { [HEADER_RID]: rid, [HEADER_RUN]: job.runId };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (traced) {
      buffer.push(
        scheduledAt === undefined
          ? { type: 'client.sent', t: now(), rid, route }
          : { type: 'client.sent', t: now(), rid, route, scheduledAt },
      );
    }
    counts.sent += 1;
    const abort = new AbortController();
    let late = false;
    let settled = false;
    /** Records the request's end once: when it finishes, or at once when the run is cancelled. */
    const settle = (status: number, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      inFlight.delete(abort);
      const failed = error !== undefined || status >= 400;
      if (traced) {
        buffer.push(
          error
            ? { type: 'client.done', t: now(), rid, status, error }
            : { type: 'client.done', t: now(), rid, status },
        );
      } else {
        untold.untracedCompleted += 1;
        if (failed) untold.untracedErrors += 1;
      }
      if (failed) counts.errors += 1;
      counts.completed += 1;
      if (inFlight.size === 0) onIdle?.();
    };
    inFlight.set(abort, () => settle(0, 'cancelled'));
    const deadline = setTimeout(() => {
      late = true;
      abort.abort();
    }, job.requestTimeoutMs);
    let status = 0;
    try {
      // request() resolves once the status line and headers are parsed: the first bytes are in.
      const res = await pool.request({ method, path, headers, body, signal: abort.signal });
      if (traced && !settled) buffer.push({ type: 'client.firstByte', t: now(), rid });
      status = res.statusCode;
      await res.body.dump({ limit: Infinity });
      settle(status);
    } catch (caught) {
      settle(
        status,
        cancelled
          ? 'cancelled'
          : late
            ? `no answer within the deadline (${job.requestTimeoutMs} ms)`
            : describe(caught),
      );
    }
  }

  /** undici wraps connection errors; the cause names the real one (ECONNREFUSED, ECONNRESET). */
  function describe(error: unknown): string {
    if (!(error instanceof Error)) return String(error);
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }

  async function closedLoop(requests: number, concurrency: number): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (!cancelled && next < requests) await send(next++);
    };
    // A cancel has recorded every request in flight already: no need to wait for the aborts.
    await Promise.race([Promise.all(Array.from({ length: Math.min(concurrency, requests) }, lane)), stopped]);
  }

  /**
   * Open loop: request i is due at start + i / rate, whatever happened to the earlier ones;
   * one due while `maxInFlight` are in flight is not sent (counted in notSent). Ends once
   * the last is due and every one sent has finished (each within its deadline), or at once
   * on cancel.
   */
  let nextTick: NodeJS.Timeout | undefined;
  function openLoop(ratePerSec: number, durationSec: number): Promise<void> {
    const total = ratePerSec * durationSec;
    const interval = 1000 / ratePerSec;
    const start = now();
    let index = 0;
    return new Promise((resolve) => {
      const finishWhenIdle = () => {
        if (inFlight.size === 0) resolve();
        else onIdle = resolve;
      };
      const tick = () => {
        nextTick = undefined;
        const t = now();
        while (!cancelled && index < total && start + index * interval <= t) {
          if (inFlight.size >= maxInFlight) {
            counts.notSent = (counts.notSent ?? 0) + 1;
            untold.notSent += 1;
          } else {
            void send(index, start + index * interval);
          }
          index += 1;
        }
        if (cancelled || index >= total) return finishWhenIdle();
        nextTick = setTimeout(tick, Math.max(0, start + index * interval - now()));
      };
      stopOpenLoop = () => {
        if (nextTick) clearTimeout(nextTick);
        nextTick = undefined;
        finishWhenIdle();
      };
      tick();
    });
  }
  let stopOpenLoop: (() => void) | undefined;
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));

  const result = (async () => {
    try {
      if ('concurrency' in plan) await closedLoop(plan.requests, plan.concurrency);
      else await openLoop(plan.ratePerSec, plan.durationSec);
    } finally {
      clearInterval(flusher);
      flush();
      // Cancelled: the run has ended already; its sockets are closed once the result is out.
      if (cancelled) setImmediate(() => void pool.destroy().catch(() => undefined));
      else await pool.destroy().catch(() => undefined);
    }
    return { ...counts, cancelled };
  })();
  return {
    result,
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      const aborting = [...inFlight];
      // Each is recorded as cancelled first, so the run ends without waiting for the aborts.
      for (const [, end] of aborting) end();
      stopOpenLoop?.();
      stop();
      // Aborting a thousand sockets takes a while: after the result has gone out.
      setImmediate(() => {
        for (const [abort] of aborting) abort.abort();
      });
    },
  };
}
