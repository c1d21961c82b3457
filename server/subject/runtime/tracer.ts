/**
 * The subject's side of the trace: events are buffered and shipped to the parent in
 * batches (process.send every ~25 ms) so that tracing costs a push per event, not an IPC
 * message. In blocking mode the batch leaves when the loop unblocks; that is fine, the
 * timestamps were taken when things happened.
 */
import { type TraceEvent, type TraceEventOf, now } from '../../../common/trace';

type SubjectRequestType =
  | 'subject.accepted'
  | 'handler.step'
  | 'db.call'
  | 'pool.wait'
  | 'db.sent'
  | 'db.reply'
  | 'loop.blocked'
  | 'subject.responded';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request event as a handler or DAO writes it: rid, worker and (by default) t are filled in. */
export type RequestEventInput = DistributiveOmit<TraceEventOf<SubjectRequestType>, 'rid' | 'worker' | 't'> & { t?: number };
export type SampleInput = Omit<TraceEventOf<'sample'>, 'type' | 't' | 'worker'>;

export interface RequestTrace {
  readonly rid: string;
  emit(event: RequestEventInput): void;
}

export interface Tracer {
  readonly enabled: boolean;
  request(rid: string): RequestTrace;
  sample(values: SampleInput): void;
  /** Ships what is buffered now (also done on a timer). */
  flush(): void;
  close(): void;
}

export interface TracerOptions {
  enabled: boolean;
  worker: number;
  ship: (events: TraceEvent[]) => void;
  flushEveryMs?: number;
}

const MAX_BUFFERED = 2000;

export function createTracer({ enabled, worker, ship, flushEveryMs = 25 }: TracerOptions): Tracer {
  let buffer: TraceEvent[] = [];
  const flush = (): void => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    ship(batch);
  };
  const push = (event: TraceEvent): void => {
    buffer.push(event);
    if (buffer.length >= MAX_BUFFERED) flush();
  };
  const timer = enabled ? setInterval(flush, flushEveryMs) : undefined;
  timer?.unref();

  return {
    enabled,
    request(rid) {
      if (!enabled) return { rid, emit: () => undefined };
      return {
        rid,
        emit: (event) => push({ t: now(), ...event, rid, worker } as TraceEvent),
      };
    },
    sample(values) {
      if (enabled) push({ type: 'sample', t: now(), worker, ...values });
    },
    flush,
    close() {
      if (timer) clearInterval(timer);
      flush();
    },
  };
}
