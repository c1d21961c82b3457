/**
 * The trace's plain values and helpers (version, headers, the clock, type guards), without
 * zod, so the browser bundle can import them cheaply. The schema is in trace.ts.
 */
import type { RequestEvent, TraceEvent, TraceEventType } from './trace';

/**
 * The trace format's version, written in every run.started. Version 2 added the events
 * load.counts and run.published, which a version-1 reader refuses. A version-1 trace is a
 * version-2 trace without them, so it is still read as it is; a newer version is refused.
 */
export const TRACE_VERSION = 2;
/** The oldest trace version this code still reads. */
export const OLDEST_TRACE_VERSION = 1;

export const HEADER_RID = 'x-lab-rid';
export const HEADER_RUN = 'x-lab-run';
export const HEADER_CLIENT = 'x-lab-client';
/** On the subject's answers: the mode that served the request (a phone shows it). */
export const HEADER_MODE = 'x-lab-mode';

/**
 * Where every process of one lab reads its clock from (set by the first Node process, the
 * lab, and inherited by every process it starts): epoch ms minus the machine's monotonic ms.
 */
export const LAB_CLOCK_ENV = 'EVENT_LOOP_LAB_CLOCK';

/**
 * The one clock: epoch ms with sub-ms precision, the same in every process of one lab.
 *
 * Why not each process's own `performance.timeOrigin + performance.now()`: timeOrigin is the
 * wall clock read when that process started, and performance.now() then counts on the
 * machine's monotonic clock, which stops while a laptop sleeps and ignores clock steps. Two
 * processes started on either side of a sleep disagree by its length: a subject restarted
 * after the lid was shut for ten minutes stamped its events ten minutes after the load that
 * caused them (the timeline showed requests "queued at the door" for that long). So the lab
 * fixes wall-minus-monotonic once, at its start, and its children count from it on the same
 * monotonic clock (process.hrtime here, time.monotonic in the Tornado subject's clock.py).
 * A browser page keeps its own clock; the lab page calibrates against the lab's.
 * `shift` is a constant: performance.timeOrigin is a getter, and now() is called per event.
 */
export function now(): number {
  return performance.now() + shift;
}

const shift = clockShift();

/** now() - performance.now(), from the lab's anchor when this process has one. */
function clockShift(): number {
  const own = performance.timeOrigin;
  if (typeof process === 'undefined' || typeof process.hrtime?.bigint !== 'function') return own;
  const perf = performance.now();
  const monotonic = Number(process.hrtime.bigint()) / 1e6;
  let anchor = Number(process.env[LAB_CLOCK_ENV] ?? NaN);
  if (!Number.isFinite(anchor)) {
    anchor = own + perf - monotonic;
    process.env[LAB_CLOCK_ENV] = String(anchor);
  }
  // performance.now() and hrtime are both monotonic: they differ by a constant.
  return anchor + (monotonic - perf);
}

export function isRequestEvent(event: TraceEvent): event is RequestEvent {
  return 'rid' in event;
}

/** The order a single request's lifecycle must follow (each type at most once unless noted). */
export const REQUEST_LIFECYCLE: readonly TraceEventType[] = [
  'client.sent',
  'subject.accepted',
  'subject.responded',
  'client.firstByte',
  'client.done',
];
