/**
 * "The state at time t", kept up to date frame after frame instead of recomputed: each
 * request's place is cached with the time it stays valid until (its next phase boundary,
 * step or answer), so a frame re-examines only the requests that changed since the last
 * one (or whose lifecycle a live batch re-folded). 10,000 long-polls parked at the door
 * cost a comparison each per frame, not a fold of their phases.
 *
 * Gives the same snapshot as snapshotAt (then parkLongPolls) at every t; `stamp` moves
 * only when what the loop view draws moves, so a still picture is not redrawn.
 */
import type { RequestLifecycle } from './lifecycle';
import { phaseAt, segmentAt, stepAt } from './lifecycle';
import { upperBound, type RunTrace } from './store';
import { emptySnapshot, type RequestAt, type Snapshot } from './snapshot';

/** What the tracker hands the page each frame. */
export interface TrackedSnapshot extends Snapshot {
  /** Long-polls parked at the door: the first `parked` of `queued`. */
  parked: number;
  /** Changes when the tokens' places change (who is where, or a token moving along its path). */
  stamp: number;
  /** Who is where: the same object until `stamp` moves (a view that lays tokens out can depend on it). */
  places: Snapshot & { parked: number };
}

/** A request's place, with the end of its current phase (for its progress as t moves). */
interface TrackedAt extends RequestAt {
  end: number;
}

type State = TrackedAt | 'waiting' | 'done';

/** Moves the thread's parked long-polls to the door; see parkLongPolls (the loop layout's rule). */
export type Parker = (snap: Snapshot) => Snapshot & { parked: number };

export class SnapshotTracker {
  private trace: RunTrace | undefined;
  private lives: Array<RequestLifecycle | undefined> = [];
  private states: State[] = [];
  private validUntil = new Float64Array(0);
  /** The time of the last step each request reached at t (-Infinity: none yet). */
  private lastStep = new Float64Array(0);
  private lastT = -Infinity;
  private lists: (Snapshot & { parked: number }) | undefined;
  private stamp = 0;
  private places: { stamp: number; lists: Snapshot & { parked: number } } | undefined;

  constructor(private readonly park: Parker) {}

  at(trace: RunTrace, t: number): TrackedSnapshot {
    const n = trace.lifecycles.length;
    if (trace !== this.trace || t < this.lastT) this.reset(trace, n);
    else if (n > this.validUntil.length) this.grow(n);
    let changed = this.lists === undefined;
    const { lifecycles } = trace;
    for (let i = 0; i < n; i += 1) {
      const life = lifecycles[i]!;
      if (life === this.lives[i] && this.validUntil[i]! > t) continue;
      this.lives[i] = life;
      this.update(i, life, t);
      changed = true;
    }
    this.lastT = t;
    if (changed) {
      this.lists = this.park(this.collect(t));
      this.stamp += 1;
    }
    const lists = this.lists!;
    // Tokens on their way (to the database and back, to the client) move every frame.
    const toDatabase = this.refreshProgress(lists.database, t);
    const toClient = this.refreshProgress(lists.responding, t);
    if (!changed && (toDatabase || toClient)) this.stamp += 1;
    for (const list of [lists.queued, lists.onThread, lists.pool]) this.refreshProgress(list, t);
    if (this.places?.stamp !== this.stamp) this.places = { stamp: this.stamp, lists: { ...lists } };
    const sampleIndex = upperBound(trace.samples, t) - 1;
    return {
      ...lists,
      places: this.places.lists,
      t,
      eventIndex: upperBound(trace.events, t),
      sample: sampleIndex >= 0 ? trace.samples[sampleIndex] : undefined,
      stamp: this.stamp,
    };
  }

  /**
   * The request that moved most recently at or before t (the code view follows it), among
   * the open ones first when `openFirst` (live: only they can still move).
   */
  latestMover(trace: RunTrace, openFirst: boolean): RequestLifecycle | undefined {
    if (trace !== this.trace) return undefined;
    let best = -1;
    let bestOpen = -1;
    const n = Math.min(this.lives.length, trace.lifecycles.length);
    for (let i = 0; i < n; i += 1) {
      const at = this.lastStep[i]!;
      if (at === -Infinity) continue;
      if (best < 0 || at > this.lastStep[best]!) best = i;
      if (openFirst && this.lives[i]!.doneAt === undefined && (bestOpen < 0 || at > this.lastStep[bestOpen]!))
        bestOpen = i;
    }
    const pick = bestOpen >= 0 ? bestOpen : best;
    return pick >= 0 ? this.lives[pick] : undefined;
  }

  private reset(trace: RunTrace, n: number) {
    this.trace = trace;
    this.lives = new Array<RequestLifecycle | undefined>(n);
    this.states = new Array<State>(n);
    this.validUntil = new Float64Array(n);
    this.lastStep = new Float64Array(n).fill(-Infinity);
    this.lists = undefined;
  }

  private grow(n: number) {
    const size = Math.max(n, this.validUntil.length * 2);
    const valid = new Float64Array(size);
    valid.set(this.validUntil);
    const steps = new Float64Array(size).fill(-Infinity);
    steps.set(this.lastStep);
    this.validUntil = valid;
    this.lastStep = steps;
  }

  /** One request's place at t, as snapshotAt computes it, and until when it holds. */
  private update(i: number, life: RequestLifecycle, t: number) {
    const phase = phaseAt(life, t);
    const step = stepAt(life, t);
    this.lastStep[i] = step?.t ?? -Infinity;
    this.validUntil[i] = nextChange(life, t);
    if (phase === 'done' || phase === 'waiting') {
      this.states[i] = phase;
      return;
    }
    const segment = segmentAt(life, t);
    const since = segment?.start ?? life.sentAt;
    const end = segment?.end ?? Infinity;
    this.states[i] = {
      life,
      phase,
      since,
      progress: progressOf(since, end, t),
      holdsLoop: segment?.holdsLoop ?? false,
      step,
      end,
    };
  }

  private collect(t: number): Snapshot {
    const snap = emptySnapshot(t, 0);
    const n = Math.min(this.states.length, this.lives.length);
    for (let i = 0; i < n; i += 1) {
      const at = this.states[i];
      if (at === undefined) continue;
      if (at === 'done') snap.done += 1;
      else if (at === 'waiting') snap.waiting += 1;
      else if (at.phase === 'queued') snap.queued.push(at);
      else if (at.phase === 'running' || at.holdsLoop) snap.onThread.push(at);
      else if (at.phase === 'pool') snap.pool.push(at);
      else if (at.phase === 'database') snap.database.push(at);
      else snap.responding.push(at);
    }
    snap.queued.sort((a, b) => a.since - b.since);
    return snap;
  }

  /** Updates the progress of requests whose phase has a known end; true if any moved. */
  private refreshProgress(list: readonly RequestAt[], t: number): boolean {
    let moved = false;
    for (const at of list as readonly TrackedAt[]) {
      const progress = progressOf(at.since, at.end, t);
      if (progress !== at.progress) {
        at.progress = progress;
        moved = true;
      }
    }
    return moved;
  }
}

function progressOf(since: number, end: number, t: number): number {
  return Number.isFinite(end) && end > since ? Math.min(1, (t - since) / (end - since)) : 0;
}

/** The first time after t at which the request's place, phase or step can change. */
export function nextChange(life: RequestLifecycle, t: number): number {
  let next = Infinity;
  const consider = (time: number | undefined) => {
    if (time !== undefined && time > t && time < next) next = time;
  };
  consider(life.sentAt);
  consider(life.doneAt);
  for (const segment of life.segments) {
    consider(segment.start);
    consider(segment.end);
  }
  for (const mark of life.steps) {
    if (mark.t > t) {
      consider(mark.t);
      break;
    }
  }
  return next;
}
