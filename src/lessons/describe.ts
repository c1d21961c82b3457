/** Plain-language labels for experiments and metrics, shared by the player's panels. */
import type { RunSummary } from '../../common/api';
import type { LabConfig } from '../../common/config';
import type { ExpectMetric, Experiment, FocusArea } from '../../common/lesson';
import { presetConfig } from './model';

export const FOCUS_LABELS: Record<FocusArea, string> = {
  queue: 'the queue at the loop’s door',
  loop: 'the loop: busy, blocked or idle',
  database: 'the calls in flight to the database',
  pool: 'the connection pool: in use and waiting',
  timeline: 'the timeline, one lane per request',
  numbers: 'the numbers panel',
  code: 'the highlighted code lines',
};

export const METRIC_LABELS: Record<ExpectMetric, string> = {
  durationMs: 'whole batch',
  latencyMaxMs: 'slowest request',
  latencyP50Ms: 'median request (p50)',
  throughputPerSec: 'throughput',
  loopDelayMaxMs: 'worst event-loop delay',
};

export function formatMetric(metric: ExpectMetric, value: number): string {
  return metric === 'throughputPerSec' ? `${Math.round(value)} req/s` : `${Math.round(value)} ms`;
}

/** The measured value of a metric in a run summary. */
export function measured(summary: RunSummary, metric: ExpectMetric): number {
  switch (metric) {
    case 'durationMs':
      return summary.durationMs;
    case 'latencyMaxMs':
      return summary.latencyMs.max;
    case 'latencyP50Ms':
      return summary.latencyMs.p50;
    case 'throughputPerSec':
      return summary.throughputPerSec;
    case 'loopDelayMaxMs':
      return summary.loop.delayMaxMs;
  }
}

/** "blocking · 100 ms per round trip · pool 10 · 10 requests, 10 at a time · GET /users/:username" */
export function describeExperiment(experiment: Experiment): string {
  const c: LabConfig = presetConfig(experiment.config);
  const parts = [
    c.mode === 'blocking' ? 'blocking driver' : 'non-blocking driver',
    `${c.dbLatencyMs} ms per database round trip`,
    `pool ${c.poolSize}`,
  ];
  if (c.cpuMs) parts.push(`${c.cpuMs} ms CPU per request`);
  if (c.workers > 1) parts.push(`${c.workers} worker processes`);
  if (c.executorThreads) parts.push(`${c.executorThreads} executor threads`);
  const { requests, concurrency, route } = experiment.run;
  const count = new Intl.NumberFormat('en-US');
  parts.push(`${count.format(requests)} request${requests === 1 ? '' : 's'}, ${count.format(concurrency)} at a time`);
  parts.push(ROUTE_LABELS[route ?? 'getUser'] ?? route ?? '');
  return parts.join(' · ');
}

const ROUTE_LABELS: Record<string, string> = {
  getUser: 'GET /users/:username',
  getUserCallback: 'GET /callback/users/:username',
  listByCity: 'GET /users?city=…',
  stats: 'GET /stats',
  createUser: 'POST /users',
  longPoll: 'GET /updates?after=… (long poll)',
};
