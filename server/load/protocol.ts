/** Messages between the lab's thread and the load generator's worker thread. */
import type { RunRequest } from '../../common/config';
import type { TraceEvent } from '../../common/trace';
import type { LongPollJob } from './longPollJob';

export interface LoadJob {
  /** The subject's base URL, e.g. http://127.0.0.1:41234 (from the supervisor, never from a client). */
  baseUrl: string;
  runId: string;
  plan: RunRequest;
  /** How often buffered client events are shipped to the lab, ms. */
  batchMs: number;
  /** Every request's deadline, waiting included: one not finished after this long is aborted and recorded as an error, ms. */
  requestTimeoutMs: number;
  /** Open loop: the most requests in flight (at most OPEN_LOOP_MAX_IN_FLIGHT, the default). */
  maxInFlight?: number;
  /** Set for a long-poll run (plan.route 'longPoll'): what every long-poll asks. */
  longPoll?: LongPollJob;
}

export interface LoadCounts {
  sent: number;
  completed: number;
  errors: number;
  /** Open loop: arrivals not sent because the generator had its maximum in flight. */
  notSent?: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'events'; events: TraceEvent[] }
  | ({ type: 'done'; cancelled: boolean } & LoadCounts)
  | { type: 'failed'; message: string };

export type ParentMessage = { type: 'run'; job: LoadJob } | { type: 'cancel' };
