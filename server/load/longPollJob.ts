/**
 * A long-poll run's client side: every long-poll (GET /updates?after=<id>) opened at once,
 * one connection each, held until the subject answers (after the lab's publish) or the
 * long-poll's own timeout. Records client.sent / firstByte / done like any run.
 */
import { Pool } from 'undici';
import { HEADER_RID, HEADER_RUN, now, type TraceEvent } from '../../common/trace';
import type { RunningJob } from './job';
import type { LoadCounts, LoadJob } from './protocol';

export interface LongPollJob {
  /** The cursor every long-poll sends: the newest user's id when the run started. */
  after: string;
  /** How long the subject lets each long-poll wait before answering 204, ms. */
  timeoutMs: number;
  /** How many long-polls to hold. */
  connections: number;
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
  const pool = new Pool(job.baseUrl, {
    connections: longPoll.connections,
    pipelining: 1,
    connectTimeout: job.requestTimeoutMs,
    headersTimeout: job.requestTimeoutMs,
    bodyTimeout: job.requestTimeoutMs,
  });
  const path = `/updates?after=${longPoll.after}&timeoutMs=${longPoll.timeoutMs}`;

  async function hold(index: number): Promise<void> {
    const rid = `${job.runId}-${index}`;
    buffer.push({ type: 'client.sent', t: now(), rid, route: 'longPoll' });
    counts.sent += 1;
    let status = 0;
    let error: string | undefined;
    try {
      const res = await pool.request({ method: 'GET', path, headers: { [HEADER_RID]: rid, [HEADER_RUN]: job.runId } });
      buffer.push({ type: 'client.firstByte', t: now(), rid });
      status = res.statusCode;
      await res.body.dump({ limit: Infinity });
    } catch (caught) {
      error = cancelled ? 'cancelled' : describe(caught);
    }
    buffer.push(
      error ? { type: 'client.done', t: now(), rid, status, error } : { type: 'client.done', t: now(), rid, status },
    );
    if (error || status >= 400) counts.errors += 1;
    counts.completed += 1;
  }

  const result = (async () => {
    try {
      await Promise.all(Array.from({ length: longPoll.connections }, (_, i) => hold(i)));
    } finally {
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
