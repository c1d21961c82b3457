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

/** Fixed for the life of a process (or thread, or page); read once, it is a getter each time. */
const TIME_ORIGIN = performance.timeOrigin;

/** The one clock: epoch ms, sub-ms precision, comparable across processes on one machine. */
export function now(): number {
  return TIME_ORIGIN + performance.now();
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
