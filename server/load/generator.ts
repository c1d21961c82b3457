/**
 * The load generator, seen from the lab. `createLoadGenerator()` starts its worker thread
 * (server/load/worker.ts) once and runs one job at a time on it; `startLoad` is the
 * one-shot form (its own thread, closed when the run ends).
 */
import { Worker } from 'node:worker_threads';
import { REQUEST_DEADLINE_MS, type RunRequest } from '../../common/config';
import type { TraceEvent } from '../../common/trace';
import type { LongPollJob } from './longPollJob';
import type { LoadCounts, LoadJob, ParentMessage, WorkerMessage } from './protocol';

export interface LoadOptions {
  /** The subject's base URL (from the supervisor, never from a client). */
  baseUrl: string;
  runId: string;
  plan: RunRequest;
  /** Receives the client events in batches, in the order they happened per request. */
  onEvents: (events: TraceEvent[]) => void;
  batchMs?: number;
  /** Every request's deadline, ms (REQUEST_DEADLINE_MS by default). */
  requestTimeoutMs?: number;
  /** Open loop: the most requests in flight (OPEN_LOOP_MAX_IN_FLIGHT by default, never more). */
  maxInFlight?: number;
  /** A long-poll run: what every long-poll asks (server/load/longPollJob.ts). */
  longPoll?: LongPollJob;
}

export interface LoadResult extends LoadCounts {
  cancelled: boolean;
}

export interface LoadHandle {
  /** Resolves when every request has finished (or the run was cancelled); rejects if the worker failed. */
  result: Promise<LoadResult>;
  /** Stops sending; in-flight requests are aborted, and `result` resolves as soon as they have. */
  cancel(): void;
}

export interface LoadGenerator {
  /** Starts a run; only one at a time. */
  start(options: LoadOptions): LoadHandle;
  /** Ends the thread (cancelling a run in progress). */
  close(): Promise<void>;
}

const boot = new URL('./boot.mjs', import.meta.url);
const entry = new URL('./worker.ts', import.meta.url).href;

export function createLoadGenerator(): LoadGenerator {
  const worker = new Worker(boot, { workerData: { entry }, name: 'load generator' });
  // Idle, the thread must never keep the process alive on its own; during a run it must.
  worker.unref();
  let current: { options: LoadOptions; resolve(result: LoadResult): void; reject(error: Error): void } | undefined;
  let dead: Error | undefined;
  const send = (message: ParentMessage) => worker.postMessage(message);

  const fail = (error: Error) => {
    dead = error;
    current?.reject(error);
    current = undefined;
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'ready') return;
    if (!current) return;
    if (message.type === 'events') return current.options.onEvents(message.events);
    worker.unref();
    if (message.type === 'done') {
      const { type: _type, ...result } = message;
      current.resolve(result);
    } else {
      current.reject(new Error(`load generator failed: ${message.message}`));
    }
    current = undefined;
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`the load generator's thread exited (code ${code})`)));

  return {
    start(options) {
      if (dead) return { result: Promise.reject(dead), cancel: () => {} };
      if (current) return { result: Promise.reject(new Error('a run is already in progress')), cancel: () => {} };
      const job: LoadJob = {
        baseUrl: options.baseUrl,
        runId: options.runId,
        plan: options.plan,
        batchMs: options.batchMs ?? 16,
        requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_DEADLINE_MS,
        ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
        ...(options.longPoll ? { longPoll: options.longPoll } : {}),
      };
      const result = new Promise<LoadResult>((resolve, reject) => {
        current = { options, resolve, reject };
      });
      worker.ref();
      send({ type: 'run', job });
      return { result, cancel: () => send({ type: 'cancel' }) };
    },
    async close() {
      if (current) send({ type: 'cancel' });
      await worker.terminate();
    },
  };
}

/** Runs one job on a thread of its own and ends the thread afterwards. */
export function startLoad(options: LoadOptions): LoadHandle {
  const generator = createLoadGenerator();
  const handle = generator.start(options);
  const result = handle.result.finally(() => generator.close());
  return { result, cancel: handle.cancel };
}
