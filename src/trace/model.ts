/**
 * A small analytic model of what a run should measure, shown beside the measured value
 * so a reader can check the lab against arithmetic.
 *
 * Blocking: the loop does one request at a time, so the batch takes about
 *   n × (round trip + cpu)  (divided by the number of workers).
 * Non-blocking: up to min(concurrency, pool) round trips overlap, but CPU work is still
 * serial on the loop:  ceil(n / min(concurrency, pool)) × round trip + n × cpu.
 * Executor threads turn blocking calls into overlapping ones, limited by the thread count.
 */
import type { LabConfig } from '../../common/config';

/** What the proxy adds is the whole round trip (half each way), plus a little for the database itself. */
export const BASE_ROUND_TRIP_MS = 1;

export interface Prediction {
  batchMs: number;
  throughputPerSec: number;
  /** How many round trips the loop can have in flight at once. */
  overlap: number;
  explanation: string;
}

export interface PlanShape {
  requests: number;
  concurrency: number;
}

export function predict(
  config: Pick<LabConfig, 'mode' | 'dbLatencyMs' | 'cpuMs' | 'poolSize' | 'workers' | 'executorThreads'>,
  plan: PlanShape,
): Prediction {
  const n = Math.max(1, plan.requests);
  const rtt = config.dbLatencyMs + BASE_ROUND_TRIP_MS;
  const cpu = config.cpuMs;
  const workers = Math.max(1, config.workers);
  const perWorker = Math.ceil(n / workers);
  const concurrencyPerWorker = Math.max(1, Math.ceil(plan.concurrency / workers));
  let batchMs: number;
  let overlap: number;
  let explanation: string;
  if (config.mode === 'blocking' && config.executorThreads === 0) {
    overlap = 1;
    batchMs = perWorker * (rtt + cpu);
    explanation = `blocking: ${perWorker} requests one after another × (${rtt} ms round trip + ${cpu} ms cpu)`;
  } else {
    const limit = config.mode === 'blocking' ? Math.min(config.poolSize, config.executorThreads) : config.poolSize;
    overlap = Math.max(1, Math.min(concurrencyPerWorker, limit));
    const waves = Math.ceil(perWorker / overlap);
    batchMs = waves * rtt + perWorker * cpu;
    explanation = `${waves} wave(s) of ${overlap} overlapping round trips × ${rtt} ms + ${perWorker} × ${cpu} ms cpu`;
  }
  if (workers > 1) explanation += `, on each of ${workers} workers`;
  return { batchMs, throughputPerSec: batchMs > 0 ? (n * 1000) / batchMs : 0, overlap, explanation };
}
