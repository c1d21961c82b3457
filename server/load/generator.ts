/**
 * The load generator, seen from the lab: `startLoad` runs one run's requests on a worker
 * thread (server/load/worker.ts) and hands the client-side trace events back in batches.
 */
import { Worker } from 'node:worker_threads';
import type { RunRequest } from '../../common/config';
import type { TraceEvent } from '../../common/trace';
import type { LoadCounts, LoadJob, ParentMessage, WorkerMessage } from './protocol';

export interface LoadOptions {
  /** The subject's base URL (from the supervisor). */
  baseUrl: string;
  runId: string;
  plan: RunRequest;
  /** Receives the client events in batches, in the order they happened per request. */
  onEvents: (events: TraceEvent[]) => void;
  batchMs?: number;
  requestTimeoutMs?: number;
}

export interface LoadResult extends LoadCounts {
  cancelled: boolean;
}

export interface LoadHandle {
  /** Resolves when every request has finished (or the run was cancelled); rejects if the worker failed. */
  result: Promise<LoadResult>;
  /** Stops sending; in-flight requests are aborted. */
  cancel(): void;
}

const boot = new URL('./boot.mjs', import.meta.url);
const entry = new URL('./worker.ts', import.meta.url).href;

export function startLoad(options: LoadOptions): LoadHandle {
  const job: LoadJob = {
    baseUrl: options.baseUrl,
    runId: options.runId,
    plan: options.plan,
    batchMs: options.batchMs ?? 16,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
  };
  const worker = new Worker(boot, { workerData: { entry, job }, name: `load ${options.runId}` });
  const result = new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'events') options.onEvents(message.events);
      else if (message.type === 'done') {
        settled = true;
        const { type: _type, ...rest } = message;
        resolve(rest);
        void worker.terminate();
      } else {
        settled = true;
        reject(new Error(`load generator failed: ${message.message}`));
        void worker.terminate();
      }
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited early (code ${code})`));
    });
  });
  return {
    result,
    cancel: () => worker.postMessage({ type: 'cancel' } satisfies ParentMessage),
  };
}
