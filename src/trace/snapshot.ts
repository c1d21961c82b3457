/**
 * "The state at time t": what the loop view, the narration and the code view draw.
 * Pure; O(requests) per call, which is cheap enough to run every frame.
 */
import type { TraceEvent, TraceEventOf } from '../../common/trace';
import { phaseAt, segmentAt, stepAt, type Phase, type RequestLifecycle, type StepMark } from './lifecycle';
import { upperBound } from './store';

export interface RequestAt {
  life: RequestLifecycle;
  phase: Phase;
  /** When the current phase began. */
  since: number;
  /** 0..1 progress through the current phase, when its end is known. */
  progress: number;
  holdsLoop: boolean;
  step?: StepMark;
}

export interface Snapshot {
  t: number;
  /** Requests waiting at the door, oldest first. */
  queued: RequestAt[];
  /** On the thread: running handler code, or holding it through a blocking call. */
  onThread: RequestAt[];
  pool: RequestAt[];
  /** Database calls in flight that do not hold the loop (tokens away from the thread). */
  database: RequestAt[];
  responding: RequestAt[];
  done: number;
  waiting: number;
  /** The latest sample at or before t, per worker. */
  sample?: TraceEventOf<'sample'>;
  /** Index of the next event after t in the run's sorted events. */
  eventIndex: number;
}

export function snapshotAt(
  lifecycles: readonly RequestLifecycle[],
  t: number,
  samples: readonly TraceEventOf<'sample'>[] = [],
  events: readonly TraceEvent[] = [],
): Snapshot {
  const snap = emptySnapshot(t, upperBound(events, t));
  for (const life of lifecycles) {
    const phase = phaseAt(life, t);
    if (phase === 'done') snap.done += 1;
    else if (phase === 'waiting') snap.waiting += 1;
    else {
      const segment = segmentAt(life, t);
      const since = segment?.start ?? life.sentAt;
      const end = segment?.end ?? Infinity;
      const at: RequestAt = {
        life,
        phase,
        since,
        progress: Number.isFinite(end) && end > since ? Math.min(1, (t - since) / (end - since)) : 0,
        holdsLoop: segment?.holdsLoop ?? false,
        step: stepAt(life, t),
      };
      if (phase === 'queued') snap.queued.push(at);
      else if (phase === 'running' || at.holdsLoop) snap.onThread.push(at);
      else if (phase === 'pool') snap.pool.push(at);
      else if (phase === 'database') snap.database.push(at);
      else snap.responding.push(at);
    }
  }
  snap.queued.sort((a, b) => a.since - b.since);
  const sampleIndex = upperBound(samples, t) - 1;
  snap.sample = sampleIndex >= 0 ? samples[sampleIndex] : undefined;
  return snap;
}

/** The time of the next event after t (step forward), or t when there is none. */
export function nextEventTime(events: readonly { t: number }[], t: number): number {
  return events[upperBound(events, t)]?.t ?? t;
}

/** The time of the last event strictly before t (step back), or t when there is none. */
export function previousEventTime(events: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return events[lo - 1]?.t ?? t;
}

/** The state at `t` before any request is placed in it. */
export function emptySnapshot(t: number, eventIndex: number): Snapshot {
  return { t, queued: [], onThread: [], pool: [], database: [], responding: [], done: 0, waiting: 0, eventIndex };
}
