/**
 * The subject's side of the trace: events are written into a binary batch (traceBatch.ts)
 * and shipped to the parent every ~50 ms, so that tracing costs a few numbers written per
 * event, not an object, and one IPC message per batch. In blocking mode the batch leaves
 * when the loop unblocks; that is fine, the timestamps were taken when things happened.
 */
import { type TraceEventOf, now } from '../../../common/trace';
import { BatchWriter, type TraceBatch } from './traceBatch';

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
export type RequestEventInput = DistributiveOmit<TraceEventOf<SubjectRequestType>, 'rid' | 'worker' | 't'> & {
  t?: number;
};
export type SampleInput = Omit<TraceEventOf<'sample'>, 'type' | 't' | 'worker'>;

export interface RequestTrace {
  readonly rid: string;
  emit(event: RequestEventInput): void;
}

export interface Tracer {
  /** Read when a request starts: a request traces whole or not at all. */
  readonly enabled: boolean;
  /**
   * Turns tracing on or off in a running process (bench/tracing.ts compares both sides in one
   * warm process); what is buffered ships first. The lab itself restarts the subject instead.
   */
  setEnabled(on: boolean): void;
  request(rid: string): RequestTrace;
  sample(values: SampleInput): void;
  /** Ships what is buffered now (also done on a timer). */
  flush(): void;
  close(): void;
}

export interface TracerOptions {
  enabled: boolean;
  worker: number;
  ship: (batch: TraceBatch) => void;
  /** Ship every this many ms; 0: only when told (flush) or full, e.g. when the sampler ships on its own timer. */
  flushEveryMs?: number;
}

/** A batch this large leaves at once, whatever the timer says (a burst must not pile up). */
const MAX_BUFFERED_EVENTS = 2000;

export function createTracer({ enabled: startEnabled, worker, ship, flushEveryMs = 50 }: TracerOptions): Tracer {
  let enabled = startEnabled;
  const writer = new BatchWriter();
  const flush = (): void => {
    if (writer.count > 0) ship(writer.take(worker));
  };
  const afterAppend = (): void => {
    if (writer.count >= MAX_BUFFERED_EVENTS) flush();
  };
  let timer: NodeJS.Timeout | undefined;
  const setTimer = (): void => {
    if (timer) clearInterval(timer);
    timer = enabled && flushEveryMs > 0 ? setInterval(flush, flushEveryMs) : undefined;
    timer?.unref();
  };
  setTimer();
  const off: RequestTrace['emit'] = () => undefined;

  return {
    get enabled() {
      return enabled;
    },
    setEnabled(on) {
      if (on === enabled) return;
      flush();
      enabled = on;
      setTimer();
    },
    request(rid) {
      if (!enabled) return { rid, emit: off };
      return {
        rid,
        emit: (event) => {
          writer.append(event, event.t ?? now(), rid);
          afterAppend();
        },
      };
    },
    sample(values) {
      if (!enabled) return;
      writer.append({ type: 'sample', ...values }, now());
      afterAppend();
    },
    flush,
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      flush();
    },
  };
}
