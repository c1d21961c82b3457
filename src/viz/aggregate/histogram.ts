/**
 * The timeline's histogram lane: how many requests were in each phase over time, for runs
 * with more requests than lanes fit. Pure (the worker in histogram.worker.ts runs it off the
 * main thread; tests run it directly). Requests are kept as packed segments by their index in
 * the run, so a live update sends only the requests that changed.
 */
import type { Phase } from '../../trace/lifecycle';

export const HISTOGRAM_PHASES: readonly Phase[] = ['queued', 'running', 'pool', 'database', 'responding'];
const PHASE_INDEX = new Map(HISTOGRAM_PHASES.map((p, i) => [p, i]));

/** One request's segments, packed: [start, end, phase index, start, end, phase index, …]; end Infinity while open. */
export type PackedSegments = Float64Array;

export function packSegments(segments: readonly { phase: Phase; start: number; end: number }[]): PackedSegments {
  const packed = new Float64Array(segments.length * 3);
  segments.forEach((s, i) => {
    packed[i * 3] = s.start;
    packed[i * 3 + 1] = s.end;
    packed[i * 3 + 2] = PHASE_INDEX.get(s.phase) ?? 0;
  });
  return packed;
}

export interface HistogramQuery {
  start: number;
  end: number;
  bins: number;
  /** Open segments end here (the newest event of the run). */
  until: number;
}

export interface Histogram extends HistogramQuery {
  /**
   * counts[phase * bins + bin]: the average number of requests in that phase during the bin
   * (time-weighted, so a bin's stacked total is the requests in flight on average).
   */
  counts: Float64Array;
  /** The largest stacked total of a bin. */
  peak: number;
  /** Requests that have segments. */
  requests: number;
}

/** Every bin count is bounded: the lane is at most this many bins wide. */
export const MAX_BINS = 2000;

export class HistogramIndex {
  private readonly requests: Array<PackedSegments | undefined> = [];
  private count = 0;

  /** Sets (or replaces) the segments of request `index`. */
  set(index: number, segments: PackedSegments): void {
    if (this.requests[index] === undefined && segments.length > 0) this.count += 1;
    this.requests[index] = segments;
  }

  get size(): number {
    return this.count;
  }

  histogram(query: HistogramQuery): Histogram {
    const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(query.bins)));
    const phases = HISTOGRAM_PHASES.length;
    const span = Math.max(1e-9, query.end - query.start);
    const width = span / bins;
    const counts = new Float64Array(phases * bins);
    // Whole bins covered by a segment go through a difference array: O(1) per segment.
    const whole = new Float64Array(phases * (bins + 1));
    for (const packed of this.requests) {
      if (!packed) continue;
      for (let i = 0; i < packed.length; i += 3) {
        const phase = packed[i + 2]!;
        const from = Math.max(packed[i]!, query.start);
        const to = Math.min(Number.isFinite(packed[i + 1]!) ? packed[i + 1]! : query.until, query.end);
        if (to <= from) continue;
        const row = phase * bins;
        const a = Math.min(bins - 1, Math.floor((from - query.start) / width));
        const b = Math.min(bins - 1, Math.floor((to - query.start) / width));
        if (a === b) {
          counts[row + a]! += (to - from) / width;
          continue;
        }
        counts[row + a]! += (query.start + (a + 1) * width - from) / width;
        counts[row + b]! += (to - (query.start + b * width)) / width;
        if (b > a + 1) {
          whole[phase * (bins + 1) + a + 1]! += 1;
          whole[phase * (bins + 1) + b]! -= 1;
        }
      }
    }
    let peak = 0;
    for (let p = 0; p < phases; p += 1) {
      let running = 0;
      for (let bin = 0; bin < bins; bin += 1) {
        running += whole[p * (bins + 1) + bin]!;
        counts[p * bins + bin]! += running;
      }
    }
    for (let bin = 0; bin < bins; bin += 1) {
      let total = 0;
      for (let p = 0; p < phases; p += 1) total += counts[p * bins + bin]!;
      peak = Math.max(peak, total);
    }
    return { ...query, bins, counts, peak, requests: this.count };
  }
}

/** Messages to the worker: requests that changed, or a histogram to compute. */
export type HistogramRequest =
  | { type: 'reset'; run: string }
  /** Requests `indices[i]` have segments packed[offsets[i] .. offsets[i + 1]] (one buffer for all: one transfer). */
  | { type: 'set'; run: string; indices: Uint32Array; offsets: Uint32Array; packed: Float64Array }
  | ({ type: 'histogram'; run: string; id: number } & HistogramQuery);

/** Packs many requests' segments into one 'set' message. */
export function packRequests(
  run: string,
  requests: ReadonlyArray<readonly [number, readonly { phase: Phase; start: number; end: number }[]]>,
): Extract<HistogramRequest, { type: 'set' }> {
  const offsets = new Uint32Array(requests.length + 1);
  requests.forEach(([, segments], i) => (offsets[i + 1] = offsets[i]! + segments.length * 3));
  const packed = new Float64Array(offsets[requests.length]!);
  requests.forEach(([, segments], i) => packed.set(packSegments(segments), offsets[i]));
  return { type: 'set', run, indices: Uint32Array.from(requests.map(([index]) => index)), offsets, packed };
}

export type HistogramReply = { type: 'histogram'; run: string; id: number; histogram: Histogram };

/** The worker's logic, without the worker: one index per run. */
export function createHistogramService(): (message: HistogramRequest) => HistogramReply | undefined {
  const runs = new Map<string, HistogramIndex>();
  const index = (run: string) => {
    let found = runs.get(run);
    if (!found) runs.set(run, (found = new HistogramIndex()));
    return found;
  };
  return (message) => {
    if (message.type === 'reset') {
      runs.delete(message.run);
      return undefined;
    }
    if (message.type === 'set') {
      const target = index(message.run);
      const { indices, offsets, packed } = message;
      indices.forEach((at, i) => target.set(at, packed.subarray(offsets[i], offsets[i + 1])));
      return undefined;
    }
    const { start, end, bins, until } = message;
    return {
      type: 'histogram',
      run: message.run,
      id: message.id,
      histogram: index(message.run).histogram({ start, end, bins, until }),
    };
  };
}
