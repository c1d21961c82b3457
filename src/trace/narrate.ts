/**
 * Plain-language narration of a snapshot, for the aria-live region and the caption
 * under the loop. Pure: the narration machine decides how often it is spoken.
 */
import type { RequestLifecycle } from './lifecycle';
import type { RequestAt, Snapshot } from './snapshot';

/** "request 4" from a rid like "r4" or "run-3:4"; the rid itself when it has no number. */
export function requestName(life: Pick<RequestLifecycle, 'rid' | 'client'>): string {
  const digits = /(\d+)$/.exec(life.rid)?.[1];
  const name = digits ? `request ${Number(digits)}` : `request ${life.rid}`;
  return life.client ? `${name} (from ${life.client})` : name;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const ms = (value: number) => `${Math.round(value)} ms`;

function holdDuration(at: RequestAt, t: number): string {
  const segment = at.life.segments.find((s) => s.start === at.since);
  return segment && Number.isFinite(segment.end) ? ms(segment.end - segment.start) : `${ms(t - at.since)} so far`;
}

const counted = new Intl.NumberFormat('en-US');

/** "1 request waits", "10,000 requests wait". */
const many = (n: number, one: string, other: string) => `${counted.format(n)} ${n === 1 ? one : other}`;

export function narrate(snap: Snapshot, total: number): string {
  const holder = snap.onThread.find((r) => r.holdsLoop);
  const door = snap.queued[0];
  if (holder) {
    const op = holder.life.dbOps.at(-1) ?? 'database call';
    const inside = `the loop is blocked inside ${requestName(holder.life)}'s ${op} for ${holdDuration(holder, snap.t)}`;
    if (door) {
      const more = snap.queued.length > 1 ? ` (${snap.queued.length - 1} more behind it)` : '';
      return `${capital(requestName(door.life))} waits at the door${more}: ${inside}.`;
    }
    return `${capital(inside)}: nothing else can run on it meanwhile.`;
  }
  const running = snap.onThread[0];
  if (running) {
    const step = running.step ? ` at step "${running.step.step}"` : '';
    const queue = snap.queued.length > 0 ? `; ${snap.queued.length} waiting at the door` : '';
    return `The loop runs ${requestName(running.life)}'s handler${step}${queue}.`;
  }
  if (snap.pool.length > 0) {
    return `${many(snap.pool.length, 'request waits', 'requests wait')} for a free pool connection while ${many(snap.database.length, 'database call is', 'database calls are')} in flight.`;
  }
  if (snap.database.length > 0) {
    const next =
      snap.queued.length > 0
        ? `; it takes the next of the ${counted.format(snap.queued.length)} at the door in now`
        : '';
    return `${many(snap.database.length, 'database call', 'database calls')} in flight; the loop is free for other work${next}.`;
  }
  if (snap.queued.length > 0)
    return `${many(snap.queued.length, 'request waits', 'requests wait')} at the door; the loop is taking the first one in.`;
  if (snap.responding.length > 0)
    return `${many(snap.responding.length, 'response is on its', 'responses are on their')} way back.`;
  if (total > 0 && snap.done === total) return `All ${total} requests are done.`;
  return 'The loop is idle, waiting for requests.';
}

/**
 * The words under the thread: what it is doing. Never "idle" while requests wait at the door:
 * between two handlers the loop is reading the next request in, which the trace does not mark.
 * `crowdCounted`: the door shows its own exact count, so the caption leaves it out (a long
 * caption ran into the done count on a lesson's stage). A phone's caption is short enough for 320 px.
 */
export function threadCaption(snap: Snapshot | undefined, compact: boolean, crowdCounted = false): string {
  const holder = snap?.onThread.find((r) => r.holdsLoop);
  if (holder) return compact ? 'BLOCKED' : `BLOCKED: ${requestName(holder.life)} holds the thread`;
  const running = snap?.onThread[0];
  if (running) return `running ${requestName(running.life)}`;
  const waiting = snap?.queued.length ?? 0;
  if (waiting > 0) {
    if (compact) return `taking in 1 of ${counted.format(waiting)}`;
    return crowdCounted
      ? 'taking in the next request'
      : `taking in the next request: ${counted.format(waiting)} at the door`;
  }
  return 'idle';
}
