/**
 * How sure a bench's median is. On a shared 2-core VM one round of a side-by-side comparison
 * swings +-15 % (the other core's work slows this one), so a median alone can read a goal met
 * or missed by chance. A percentile bootstrap over the rounds says how far the median itself
 * could move: resample the rounds with replacement, take each resample's median, and read the
 * interval between the resamples' percentiles. Seeded, so a run's figures can be reproduced.
 * (Hand-written: ~20 lines, where a statistics package would bring far more than this.)
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The central `level` (e.g. 0.9) interval of the median of `values`, by `resamples` bootstrap resamples. */
export function medianInterval(values: readonly number[], level = 0.9, resamples = 4000): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  // mulberry32: a small seeded generator, the same every run.
  let seed = 0x2545f491;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians = Array.from({ length: resamples }, () =>
    median(Array.from(values, () => values[Math.floor(random() * values.length)]!)),
  ).sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return [medians[Math.floor(tail * (resamples - 1))]!, medians[Math.ceil((1 - tail) * (resamples - 1))]!];
}
