/**
 * Folds one request's trace events into its lifecycle: the phases it went through
 * (queued at the door, running on the loop, waiting for a pool connection, waiting
 * for the database, responding) as time segments. Pure: same events, same result.
 */
import type { Mode } from '../../common/config';
import type { RequestEvent } from '../../common/trace';

export type Phase = 'queued' | 'running' | 'pool' | 'database' | 'responding';

export const PHASE_LABELS: Record<Phase, string> = {
  queued: 'queued at the door',
  running: 'running on the loop',
  pool: 'waiting for a pool connection',
  database: 'waiting for the database',
  responding: 'response on its way',
};

export interface Segment {
  phase: Phase;
  start: number;
  /** Infinity while the phase is still going on. */
  end: number;
  /** True when the loop could do nothing else meanwhile (a blocking driver call). */
  holdsLoop: boolean;
}

export interface StepMark {
  t: number;
  handler: string;
  step: string;
}

export interface RequestLifecycle {
  rid: string;
  route: string;
  client?: string;
  worker?: number;
  mode?: Mode;
  sentAt: number;
  /** When the subject's loop picked it up: the start the timeline's spacing is about. */
  acceptedAt?: number;
  respondedAt?: number;
  doneAt?: number;
  /** Open loop: latency counts from here. */
  scheduledAt?: number;
  status?: number;
  error?: string;
  segments: Segment[];
  steps: StepMark[];
  /** The op names of its database calls, e.g. ['findOne']. */
  dbOps: string[];
  events: RequestEvent[];
}

/** Which phase an event starts (undefined: the event does not change the phase). */
function phaseStartedBy(event: RequestEvent): Phase | 'end' | undefined {
  switch (event.type) {
    case 'client.sent':
      return 'queued';
    case 'subject.accepted':
    case 'db.reply':
      return 'running';
    case 'pool.wait':
      return 'pool';
    case 'db.call':
    case 'db.sent':
      return 'database';
    case 'subject.responded':
      return 'responding';
    case 'client.done':
      return 'end';
    default:
      return undefined;
  }
}

/** Events of one request, oldest first; ties keep arrival order (Array.sort is stable). */
export function sortByTime<T extends { t: number }>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.t - b.t);
}

/**
 * Time order, except that the client's send comes first and its done comes last: the
 * client and the subject are different processes, and their clocks may disagree by a
 * fraction of a millisecond (a subject.responded stamped just after client.done).
 */
function lifecycleOrder(events: readonly RequestEvent[]): RequestEvent[] {
  const sorted = sortByTime(events);
  const rank = (e: RequestEvent) => (e.type === 'client.sent' ? 0 : e.type === 'client.done' ? 2 : 1);
  return sorted.sort((a, b) => rank(a) - rank(b));
}

export function foldRequest(unsorted: readonly RequestEvent[]): RequestLifecycle {
  const events = lifecycleOrder(unsorted);
  const first = events[0];
  if (!first) throw new Error('foldRequest needs at least one event');
  const life: RequestLifecycle = {
    rid: first.rid,
    route: '',
    sentAt: first.t,
    segments: [],
    steps: [],
    dbOps: [],
    events,
  };
  let open: Segment | undefined;
  const blocks: Array<[number, number]> = [];
  for (const event of events) {
    switch (event.type) {
      case 'client.sent':
        life.sentAt = event.t;
        life.route = event.route;
        life.client = event.client;
        life.scheduledAt = event.scheduledAt;
        break;
      case 'subject.accepted':
        life.acceptedAt = event.t;
        life.worker = event.worker;
        life.mode = event.mode;
        if (!life.route) life.route = event.route;
        break;
      case 'handler.step':
        life.steps.push({ t: event.t, handler: event.handler, step: event.step });
        break;
      case 'db.call':
        life.dbOps.push(event.op);
        break;
      case 'loop.blocked':
        if (event.reason === 'db') blocks.push([event.t, event.t + event.durationMs]);
        break;
      case 'subject.responded':
        life.respondedAt = event.t;
        life.status ??= event.status;
        break;
      case 'client.done':
        life.doneAt = event.t;
        life.status = event.status;
        life.error = event.error;
        break;
    }
    const next = phaseStartedBy(event);
    if (!next || (open && open.phase === next)) continue;
    // Phases never go back in time, whatever the clocks say.
    const at = Math.max(event.t, open?.start ?? -Infinity);
    if (open) open.end = at;
    if (next === 'end') life.doneAt = at;
    open = next === 'end' ? undefined : { phase: next, start: at, end: Infinity, holdsLoop: false };
    if (open) life.segments.push(open);
  }
  // Zero-length phases (db.call and pool.wait at the same instant) only add noise.
  life.segments = life.segments.filter((s) => s.end > s.start);
  for (const segment of life.segments) {
    if (segment.phase !== 'database' && segment.phase !== 'pool') continue;
    segment.holdsLoop = blocks.some(([from, to]) => from < segment.end && to > segment.start);
  }
  return life;
}

/** The phase a request is in at time t: 'waiting' before it was sent, 'done' after. */
export function phaseAt(life: RequestLifecycle, t: number): Phase | 'waiting' | 'done' {
  if (t < life.sentAt) return 'waiting';
  for (const segment of life.segments) {
    if (t >= segment.start && t < segment.end) return segment.phase;
  }
  return life.doneAt !== undefined && t >= life.doneAt ? 'done' : (life.segments.at(-1)?.phase ?? 'queued');
}

/** The segment covering t, if any. */
export function segmentAt(life: RequestLifecycle, t: number): Segment | undefined {
  return life.segments.find((s) => t >= s.start && t < s.end);
}

/** The last step marker the request reached at or before t. */
export function stepAt(life: RequestLifecycle, t: number): StepMark | undefined {
  let found: StepMark | undefined;
  for (const mark of life.steps) {
    if (mark.t > t) break;
    found = mark;
  }
  return found;
}

/** Latency as the client saw it; from the scheduled time in open-loop runs (no coordinated omission). */
export function latencyOf(life: RequestLifecycle): number | undefined {
  if (life.doneAt === undefined) return undefined;
  return life.doneAt - (life.scheduledAt ?? life.sentAt);
}
