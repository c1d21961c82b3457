/**
 * The numbers view's statistics, from lifecycles and samples. d3-array bins the histogram;
 * percentiles are the lab's one definition (nearest rank, common/percentile.ts), so this
 * tab and the Runs list show the same p99 for the same run.
 */
import { bin } from 'd3-array';
import { percentile } from '../../common/percentile';
import type { TraceEventOf } from '../../common/trace';
import { latencyOf, type RequestLifecycle } from './lifecycle';

export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latencies(lifecycles: readonly RequestLifecycle[]): number[] {
  const out: number[] = [];
  for (const life of lifecycles) {
    const latency = latencyOf(life);
    if (latency !== undefined) out.push(latency);
  }
  return out.sort((a, b) => a - b);
}

export function latencyStats(sorted: number[]): LatencyStats {
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
  };
}

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

export function latencyHistogram(sorted: number[], bins = 20): HistogramBin[] {
  if (sorted.length === 0) return [];
  return bin()
    .thresholds(bins)(sorted)
    .map((b) => ({ x0: b.x0 ?? 0, x1: b.x1 ?? 0, count: b.length }));
}

export interface SeriesPoint {
  t: number;
  value: number;
}

/** Completed requests per second over time, in fixed-width buckets from `from`. */
export function throughputSeries(
  lifecycles: readonly RequestLifecycle[],
  from: number,
  to: number,
  bucketMs = 250,
): SeriesPoint[] {
  const buckets = Math.max(1, Math.ceil((to - from) / bucketMs));
  if (buckets > 10_000) return throughputSeries(lifecycles, from, to, Math.ceil((to - from) / 10_000));
  const counts = new Array<number>(buckets).fill(0);
  for (const life of lifecycles) {
    if (life.doneAt === undefined || life.doneAt < from || life.doneAt > to) continue;
    counts[Math.min(buckets - 1, Math.floor((life.doneAt - from) / bucketMs))]! += 1;
  }
  return counts.map((count, i) => ({ t: from + (i + 1) * bucketMs, value: (count * 1000) / bucketMs }));
}

export type SampleField = 'loopDelayMaxMs' | 'elu' | 'poolInUse' | 'poolWaiting' | 'dbInFlight';

/** One sample field over time, the max across workers at each instant (samples are per worker). */
export function sampleSeries(samples: readonly TraceEventOf<'sample'>[], field: SampleField): SeriesPoint[] {
  return samples.map((s) => ({ t: s.t, value: s[field] }));
}

/** Overall throughput: completed requests over the span from first send to last completion. */
export function measuredThroughput(lifecycles: readonly RequestLifecycle[]): number {
  let first = Infinity;
  let last = -Infinity;
  let done = 0;
  for (const life of lifecycles) {
    first = Math.min(first, life.sentAt);
    if (life.doneAt !== undefined) {
      last = Math.max(last, life.doneAt);
      done += 1;
    }
  }
  return done > 0 && last > first ? (done * 1000) / (last - first) : 0;
}

/** Wall time of the batch: first send to last completion. */
export function batchDuration(lifecycles: readonly RequestLifecycle[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const life of lifecycles) {
    first = Math.min(first, life.sentAt);
    if (life.doneAt !== undefined) last = Math.max(last, life.doneAt);
  }
  return last > first ? last - first : 0;
}
