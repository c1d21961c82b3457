/**
 * The lab's one percentile: nearest rank. p99 of 10 requests is the slowest one, a value
 * some request really had, never an interpolation between two. The Numbers tab, the Runs
 * list, run summaries and the lessons' model all use this, so one run shows one p99.
 */
export const PERCENTILE_DEFINITION = 'nearest rank';

/** Nearest-rank percentile of an ascending array (q in 0..1); 0 for an empty one. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
