/**
 * The timeline's non-request lanes, computed from request lifecycles: what each
 * subject loop was doing (busy, blocked, idle) and how many database calls were in
 * flight. Pure functions.
 */
import type { RequestLifecycle } from './lifecycle';

export type LoopState = 'busy' | 'blocked';

export interface LoopSegment {
  state: LoopState;
  start: number;
  end: number;
}

interface Interval {
  start: number;
  end: number;
}

/** Merges overlapping intervals (sorted output). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const next of sorted) {
    const last = out.at(-1);
    if (last && next.start <= last.end) last.end = Math.max(last.end, next.end);
    else out.push({ start: next.start, end: next.end });
  }
  return out;
}

/** Removes `cut` from `from` (both sorted and merged). */
function subtract(from: readonly Interval[], cut: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const interval of from) {
    let pieces: Interval[] = [{ ...interval }];
    for (const c of cut) {
      pieces = pieces.flatMap((p) => {
        if (c.end <= p.start || c.start >= p.end) return [p];
        const parts: Interval[] = [];
        if (c.start > p.start) parts.push({ start: p.start, end: c.start });
        if (c.end < p.end) parts.push({ start: c.end, end: p.end });
        return parts;
      });
    }
    out.push(...pieces);
  }
  return out;
}

/**
 * One loop's lane. Blocked (held by a synchronous database call) wins over busy
 * (running handler code); the gaps are idle. Open segments end at `until`.
 */
export function loopLane(lifecycles: readonly RequestLifecycle[], worker: number, until: number): LoopSegment[] {
  const busy: Interval[] = [];
  const blocked: Interval[] = [];
  for (const life of lifecycles) {
    if ((life.worker ?? 0) !== worker) continue;
    for (const s of life.segments) {
      const interval = { start: s.start, end: Math.min(s.end, until) };
      if (interval.end <= interval.start) continue;
      if (s.holdsLoop) blocked.push(interval);
      else if (s.phase === 'running') busy.push(interval);
    }
  }
  const blockedMerged = mergeIntervals(blocked);
  const busyOnly = subtract(mergeIntervals(busy), blockedMerged);
  return [
    ...blockedMerged.map((i) => ({ state: 'blocked' as const, ...i })),
    ...busyOnly.map((i) => ({ state: 'busy' as const, ...i })),
  ].sort((a, b) => a.start - b.start);
}

/** Workers seen in a run (sorted), at least [0]. */
export function workersOf(lifecycles: readonly RequestLifecycle[]): number[] {
  const set = new Set<number>([0]);
  for (const life of lifecycles) if (life.worker !== undefined) set.add(life.worker);
  return [...set].sort((a, b) => a - b);
}

export interface CountPoint {
  t: number;
  count: number;
}

/** Database calls in flight over time, as a step function (one point per change). */
export function databaseInFlight(lifecycles: readonly RequestLifecycle[], until: number): CountPoint[] {
  const deltas: Array<[number, number]> = [];
  for (const life of lifecycles) {
    for (const s of life.segments) {
      if (s.phase !== 'database') continue;
      deltas.push([s.start, 1]);
      if (Number.isFinite(s.end)) deltas.push([s.end, -1]);
    }
  }
  deltas.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const points: CountPoint[] = [];
  let count = 0;
  for (const [t, d] of deltas) {
    count += d;
    if (points.at(-1)?.t === t) points.at(-1)!.count = count;
    else points.push({ t, count });
  }
  if (points.length > 0) points.push({ t: Math.max(until, points.at(-1)!.t), count });
  return points;
}

/** Fraction of [from, to] that a lane spends in each state (the rest is idle). */
export function laneShares(
  segments: readonly LoopSegment[],
  from: number,
  to: number,
): Record<LoopState | 'idle', number> {
  const span = Math.max(to - from, 1e-9);
  const share = { busy: 0, blocked: 0, idle: 0 };
  for (const s of segments) share[s.state] += Math.max(0, Math.min(s.end, to) - Math.max(s.start, from)) / span;
  share.idle = Math.max(0, 1 - share.busy - share.blocked);
  return share;
}
