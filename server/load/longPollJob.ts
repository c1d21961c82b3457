/**
 * A long-poll run's client side: every long-poll (GET /updates?after=<id>) opened at once,
 * one connection each, held until the subject answers (after the lab's publish) or the
 * long-poll's own timeout. Records client.sent / firstByte / done like any run.
 *
 * No long-poll has a deadline of its own. A blocking subject answers its waiters one at a
 * time, so the last one's wait is the whole queue's length, which depends on the machine
 * (about 15 s for 2,000 on a quiet two-core machine, over two minutes under coverage
 * beside other work); a fixed deadline cut that queue short and recorded the rest as
 * errors. What the client gives up on instead is a subject that has stopped: one that
 * answered none of them for `stallMs`.
 */
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { HEADER_RID, HEADER_RUN, now, type TraceEvent } from '../../common/trace';
import type { RunningJob } from './job';
import type { LoadCounts, LoadJob } from './protocol';

/**
 * Long-polls are opened in ten slices, with a turn of this thread's loop between slices.
 * Opened all in one go, no connection could complete until the last request was made (each
 * connect finishes on a later turn of the loop): lesson 12's 10,000 reached the subject only
 * after 3.0 s (a warm lab) or 5.8 s (the first run after start) on this two-core machine, and
 * the door stayed empty until then. In ten slices the first arrive at 0.65 s and 2.5 s, and
 * the door fills while the rest are opened; all are held 0.2-1 s later than before. More
 * slices cost more: in slices of 100 the 10,000 took twice as long to open.
 */
const OPEN_SLICES = 10;

export interface LongPollJob {
  /** The cursor every long-poll sends: the newest user's id when the run started. */
  after: string;
  /** How long the subject lets each long-poll wait before answering 204, ms. */
  timeoutMs: number;
  /** How many long-polls to hold. */
  connections: number;
  /**
   * How long the subject may go without answering any long-poll before the ones still
   * open are given up and recorded as errors, ms. Longer than `timeoutMs`: before the
   * publish, the first answer may be a long-poll's own timeout.
   */
  stallMs: number;
}

export function runLongPollJob(job: LoadJob, longPoll: LongPollJob, ship: (events: TraceEvent[]) => void): RunningJob {
  let buffer: TraceEvent[] = [];
  const counts: LoadCounts = { sent: 0, completed: 0, errors: 0 };
  let cancelled = false;
  const flush = () => {
    if (buffer.length === 0) return;
    ship(buffer);
    buffer = [];
  };
  const flusher = setInterval(flush, job.batchMs);
  // Connecting may take long too: a blocked loop accepts nobody until it is free again.
  // Waiting for an answer has no limit here: the stall watch below ends a subject that stopped.
  const pool = new Pool(job.baseUrl, {
    connections: longPoll.connections,
    pipelining: 1,
    connectTimeout: job.requestTimeoutMs,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const abort = new AbortController();
  // One signal cancels every waiter: each request listens on it, thousands at once, which is
  // what it is for (Node warns past 10 listeners, as if it were a leak).
  setMaxListeners(0, abort.signal);
  let lastAnswer = now();
  let stalled = false;
  const stallWatch = setInterval(
    () => {
      if (now() - lastAnswer < longPoll.stallMs) return;
      stalled = true;
      abort.abort();
    },
    Math.min(1000, longPoll.stallMs / 4),
  );
  const path = `/updates?after=${longPoll.after}&timeoutMs=${longPoll.timeoutMs}`;

  async function hold(index: number): Promise<void> {
    const rid = `${job.runId}-${index}`;
    buffer.push({ type: 'client.sent', t: now(), rid, route: 'longPoll' });
    counts.sent += 1;
    let status = 0;
    let error: string | undefined;
    try {
      const res = await pool.request({
        method: 'GET',
        path,
        headers: { [HEADER_RID]: rid, [HEADER_RUN]: job.runId },
        signal: abort.signal,
      });
      lastAnswer = now();
      buffer.push({ type: 'client.firstByte', t: lastAnswer, rid });
      status = res.statusCode;
      await res.body.dump({ limit: Infinity });
    } catch (caught) {
      error = cancelled
        ? 'cancelled'
        : stalled
          ? `no long-poll was answered for ${longPoll.stallMs} ms`
          : describe(caught);
    }
    buffer.push(
      error ? { type: 'client.done', t: now(), rid, status, error } : { type: 'client.done', t: now(), rid, status },
    );
    if (error || status >= 400) counts.errors += 1;
    counts.completed += 1;
  }

  const result = (async () => {
    try {
      const holds: Promise<void>[] = [];
      const slice = Math.max(1, Math.ceil(longPoll.connections / OPEN_SLICES));
      for (let i = 0; i < longPoll.connections && !cancelled && !stalled; i++) {
        holds.push(hold(i));
        if ((i + 1) % slice === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(holds);
    } finally {
      clearInterval(stallWatch);
      clearInterval(flusher);
      flush();
      await pool.destroy().catch(() => undefined);
    }
    return { ...counts, cancelled };
  })();
  return {
    result,
    cancel: () => {
      cancelled = true;
      void pool.destroy();
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
