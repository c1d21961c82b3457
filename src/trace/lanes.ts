/**
 * The timeline's non-request lanes, computed from request lifecycles: what each
 * subject loop was doing (busy, blocked, idle) and how many database calls were in
 * flight. Pure functions.
 */
import { bisector } from 'd3-array';
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

/** Removes `cut` from `from` (both sorted and merged), in one sweep. */
function subtract(from: readonly Interval[], cut: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let c = 0;
  for (const interval of from) {
    let start = interval.start;
    while (c < cut.length && cut[c]!.end <= start) c += 1;
    for (let k = c; k < cut.length && cut[k]!.start < interval.end; k += 1) {
      if (cut[k]!.start > start) out.push({ start, end: cut[k]!.start });
      start = Math.max(start, cut[k]!.end);
    }
    if (start < interval.end) out.push({ start, end: interval.end });
  }
  return out;
}

/** Merges an interval list that is already merged with a few new ones (sorted output, one sweep). */
function mergeInto(merged: readonly Interval[], more: readonly Interval[]): Interval[] {
  if (more.length === 0) return merged as Interval[];
  const extra = [...more].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < merged.length || j < extra.length) {
    const next =
      j >= extra.length || (i < merged.length && merged[i]!.start <= extra[j]!.start) ? merged[i++]! : extra[j++]!;
    const last = out.at(-1);
    if (last && next.start <= last.end) last.end = Math.max(last.end, next.end);
    else out.push({ start: next.start, end: next.end });
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
  for (const life of lifecycles) databaseDeltas(life, deltas);
  return countPoints(deltas.sort(byTimeThenDelta), until);
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

/** A finished request's loop intervals and database deltas, which never change again. */
function loopIntervals(life: RequestLifecycle, until: number, busy: Interval[], blocked: Interval[]) {
  for (const s of life.segments) {
    const interval = { start: s.start, end: Math.min(s.end, until) };
    if (interval.end <= interval.start) continue;
    if (s.holdsLoop) blocked.push(interval);
    else if (s.phase === 'running') busy.push(interval);
  }
}

function databaseDeltas(life: RequestLifecycle, deltas: Array<[number, number]>) {
  for (const s of life.segments) {
    if (s.phase !== 'database') continue;
    deltas.push([s.start, 1]);
    if (Number.isFinite(s.end)) deltas.push([s.end, -1]);
  }
}

const byTimeThenDelta = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

/** The first index whose interval ends at or after t (a merged list: starts and ends both ascend). */
const firstEndingFrom = bisector((interval: { end: number }) => interval.end).left;
/** The first index whose time is at or after t, in sorted [time, delta] pairs and in count points. */
const firstDeltaFrom = bisector((delta: readonly [number, number]) => delta[0]).left;
const firstPointFrom = bisector((point: CountPoint) => point.t).left;

/**
 * mergeInto for a list that only changes near its end: the intervals that end before the new
 * ones start are kept as they are (the same objects), the rest merged again. A live run's new
 * requests are late in time, so a step costs what is new, not the whole run.
 */
function mergeIntoTail(merged: readonly Interval[], more: readonly Interval[]): Interval[] {
  if (more.length === 0) return merged as Interval[];
  let from = Infinity;
  for (const interval of more) from = Math.min(from, interval.start);
  const k = firstEndingFrom(merged, from);
  return merged.slice(0, k).concat(mergeInto(merged.slice(k), more));
}

/** mergeSorted, keeping the deltas before the new ones' first as they are. */
function mergeSortedTail(
  a: ReadonlyArray<[number, number]>,
  b: ReadonlyArray<[number, number]>,
): Array<[number, number]> {
  if (b.length === 0) return a as Array<[number, number]>;
  const k = firstDeltaFrom(a, b[0]![0]);
  return a.slice(0, k).concat(mergeSorted(a.slice(k), b));
}

/** A worker's loop lane as last given, and from where it may have changed since. */
interface KeptLoop {
  until: number;
  segments: LoopSegment[];
  /** The earliest start of the requests open then: their part of the lane was provisional. */
  openFrom: number;
}

/** The database lane as last given. */
interface KeptDatabase {
  until: number;
  points: CountPoint[];
  openFrom: number;
}

/**
 * The loop and database lanes of a run that grows live, kept incrementally: a finished
 * request is merged in once; only the open ones are looked at again, and a lane is worked out
 * again only from the earliest time anything in it changed (the lanes are local in time: what
 * happened before that is as it was). Gives what loopLane and databaseInFlight give for the
 * same requests. A finished request folded again (a late event) starts the index over.
 */
export class LaneIndex {
  private seen: Array<RequestLifecycle | undefined> = [];
  private busy = new Map<number, Interval[]>();
  private blocked = new Map<number, Interval[]>();
  private deltas: Array<[number, number]> = [];
  private workers = new Set<number>([0]);
  /** Per worker, the earliest start of a finished interval merged in since its lane was last given. */
  private changedFrom = new Map<number, number>();
  private deltasChangedFrom = Infinity;
  private keptLoops = new Map<number, KeptLoop>();
  private keptDatabase: KeptDatabase | undefined;
  /** The latest end of any finished interval or delta: an `until` before it clips them. */
  private finishedEnd = -Infinity;

  /** Takes in the requests that finished since the last call; returns the ones still open. */
  private update(lifecycles: readonly RequestLifecycle[]): RequestLifecycle[] {
    const open: RequestLifecycle[] = [];
    const busy = new Map<number, Interval[]>();
    const blocked = new Map<number, Interval[]>();
    const deltas: Array<[number, number]> = [];
    // Grown densely: written out of order (open requests are skipped), the array would turn holey and slow to read.
    while (this.seen.length < lifecycles.length) this.seen.push(undefined);
    for (let i = 0; i < lifecycles.length; i += 1) {
      const life = lifecycles[i]!;
      const before = this.seen[i];
      if (before === life) continue;
      if (before !== undefined) return this.restart(lifecycles);
      if (life.worker !== undefined) this.workers.add(life.worker);
      if (life.doneAt === undefined) {
        open.push(life);
        continue;
      }
      this.seen[i] = life;
      const worker = life.worker ?? 0;
      if (!busy.has(worker)) busy.set(worker, []);
      if (!blocked.has(worker)) blocked.set(worker, []);
      loopIntervals(life, Infinity, busy.get(worker)!, blocked.get(worker)!);
      databaseDeltas(life, deltas);
    }
    const note = (worker: number, list: readonly Interval[]) => {
      for (const interval of list) {
        this.changedFrom.set(worker, Math.min(this.changedFrom.get(worker) ?? Infinity, interval.start));
        this.finishedEnd = Math.max(this.finishedEnd, interval.end);
      }
    };
    for (const [worker, list] of busy) {
      note(worker, list);
      this.busy.set(worker, mergeIntoTail(this.busy.get(worker) ?? [], list));
    }
    for (const [worker, list] of blocked) {
      note(worker, list);
      this.blocked.set(worker, mergeIntoTail(this.blocked.get(worker) ?? [], list));
    }
    if (deltas.length > 0) {
      deltas.sort(byTimeThenDelta);
      this.deltasChangedFrom = Math.min(this.deltasChangedFrom, deltas[0]![0]);
      this.finishedEnd = Math.max(this.finishedEnd, deltas.at(-1)![0]);
      this.deltas = mergeSortedTail(this.deltas, deltas);
    }
    return open;
  }

  private restart(lifecycles: readonly RequestLifecycle[]): RequestLifecycle[] {
    this.seen = [];
    this.busy = new Map();
    this.blocked = new Map();
    this.deltas = [];
    this.workers = new Set([0]);
    this.changedFrom = new Map();
    this.deltasChangedFrom = Infinity;
    this.keptLoops = new Map();
    this.keptDatabase = undefined;
    this.finishedEnd = -Infinity;
    return this.update(lifecycles);
  }

  /** Every worker's loop lane and the database lane, open segments ending at `until`. */
  lanes(
    lifecycles: readonly RequestLifecycle[],
    until: number,
  ): { workers: number[]; loops: LoopSegment[][]; database: CountPoint[] } {
    const open = this.update(lifecycles);
    const workers = [...this.workers].sort((a, b) => a - b);
    const loops = workers.map((worker) => this.loop(worker, open, until));
    return { workers, loops, database: this.database(open, until) };
  }

  private loop(worker: number, open: readonly RequestLifecycle[], until: number): LoopSegment[] {
    const busy: Interval[] = [];
    const blocked: Interval[] = [];
    for (const life of open) if ((life.worker ?? 0) === worker) loopIntervals(life, until, busy, blocked);
    let openFrom = Infinity;
    for (const interval of busy) openFrom = Math.min(openFrom, interval.start);
    for (const interval of blocked) openFrom = Math.min(openFrom, interval.start);
    const finishedBusy = this.busy.get(worker) ?? [];
    const finishedBlocked = this.blocked.get(worker) ?? [];
    const kept = this.keptLoops.get(worker);
    // Where the lane may differ from the one last given: new finished intervals, the requests open now and those open then.
    let from = Math.min(this.changedFrom.get(worker) ?? Infinity, openFrom, kept?.openFrom ?? Infinity);
    let prefix: LoopSegment[] = [];
    if (kept && until >= kept.until && until >= this.finishedEnd) {
      // Move `from` back until no finished interval straddles it: before it, every input is as it was.
      for (;;) {
        const a = finishedBusy[firstEndingFrom(finishedBusy, from)]?.start ?? Infinity;
        const b = finishedBlocked[firstEndingFrom(finishedBlocked, from)]?.start ?? Infinity;
        const earlier = Math.min(from, a, b);
        if (earlier === from) break;
        from = earlier;
      }
      const cut = firstEndingFrom(kept.segments, from);
      // Nothing changed (and nothing open to end at `until`): the same array, so what is drawn from it is reused.
      if (from === Infinity) {
        kept.until = until;
        return kept.segments;
      }
      prefix = kept.segments.slice(0, cut);
    } else from = -Infinity;
    const clip = (list: readonly Interval[]) =>
      list
        .slice(firstEndingFrom(list, from))
        .flatMap((i) => (Math.min(i.end, until) > i.start ? [{ start: i.start, end: Math.min(i.end, until) }] : []));
    const blockedMerged = mergeInto(clip(finishedBlocked), blocked);
    const busyOnly = subtract(mergeInto(clip(finishedBusy), busy), blockedMerged);
    const segments = prefix.concat(mergeLoop(blockedMerged, busyOnly));
    this.keptLoops.set(worker, { until, segments, openFrom });
    this.changedFrom.delete(worker);
    return segments;
  }

  private database(open: readonly RequestLifecycle[], until: number): CountPoint[] {
    const openDeltas: Array<[number, number]> = [];
    for (const life of open) databaseDeltas(life, openDeltas);
    openDeltas.sort(byTimeThenDelta);
    const openFrom = openDeltas[0]?.[0] ?? Infinity;
    const kept = this.keptDatabase;
    let points: CountPoint[];
    if (kept && until >= kept.until && until >= this.finishedEnd) {
      const from = Math.min(this.deltasChangedFrom, openFrom, kept.openFrom);
      // The last point given closes the lane at `until`: never kept. The kept points carry the count on.
      const cut = Math.min(kept.points.length - 1, firstPointFrom(kept.points, from));
      const prefix = kept.points.slice(0, Math.max(0, cut));
      const tail = mergeSorted(this.deltas.slice(firstDeltaFrom(this.deltas, from)), openDeltas);
      const last = prefix.at(-1);
      const more = countPoints(tail, until, last?.count ?? 0);
      // No change after the kept points: the lane still closes at `until`, as a sweep from scratch closes it.
      if (more.length === 0 && last) more.push({ t: Math.max(until, last.t), count: last.count });
      points = prefix.concat(more);
    } else points = countPoints(mergeSorted(this.deltas, openDeltas), until);
    this.keptDatabase = { until, points, openFrom };
    this.deltasChangedFrom = Infinity;
    return points;
  }
}

/** Blocked and busy segments, both sorted, as one list in time order. */
function mergeLoop(blocked: readonly Interval[], busy: readonly Interval[]): LoopSegment[] {
  const out: LoopSegment[] = [];
  let i = 0;
  let j = 0;
  while (i < blocked.length || j < busy.length) {
    if (j >= busy.length || (i < blocked.length && blocked[i]!.start <= busy[j]!.start))
      out.push({ state: 'blocked', ...blocked[i++]! });
    else out.push({ state: 'busy', ...busy[j++]! });
  }
  return out;
}

function mergeSorted(a: ReadonlyArray<[number, number]>, b: ReadonlyArray<[number, number]>): Array<[number, number]> {
  if (b.length === 0) return a as Array<[number, number]>;
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && byTimeThenDelta(a[i]!, b[j]!) <= 0)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

function countPoints(deltas: ReadonlyArray<[number, number]>, until: number, startCount = 0): CountPoint[] {
  const points: CountPoint[] = [];
  let count = startCount;
  for (const [t, d] of deltas) {
    count += d;
    if (points.at(-1)?.t === t) points.at(-1)!.count = count;
    else points.push({ t, count });
  }
  if (points.length > 0) points.push({ t: Math.max(until, points.at(-1)!.t), count });
  return points;
}

const indexes = new WeakMap<readonly RequestLifecycle[], LaneIndex>();

/** The lanes of a run's lifecycles (the run's own array, which grows in place), kept incrementally. */
export function lanesOf(lifecycles: readonly RequestLifecycle[], until: number) {
  let index = indexes.get(lifecycles);
  if (!index) indexes.set(lifecycles, (index = new LaneIndex()));
  return index.lanes(lifecycles, until);
}
