/**
 * The subject's side of the trace: events are written into a binary batch (traceBatch.ts)
 * and shipped to the parent every ~50 ms, so that tracing costs a few numbers written per
 * event, not an object, and one IPC message per batch. In blocking mode the batch leaves
 * when the loop unblocks; that is fine, the timestamps were taken when things happened.
 *
 * A request's events are written through typed methods (`trace.step(handler, step)`), each
 * writing its numbers straight into the batch: no event object is built, and the request's
 * id goes into a batch's strings once, not once an event. Written as `emit({ type, ... })`, a
 * request's nine events cost the subject ~10 µs (bench/tracing.ts, stop 30): with tracing off
 * V8 drops an empty emit and the object it is given; with tracing on it builds the object
 * and reads it back by name at a call site that sees every event type.
 */
import type { Mode } from '../../../common/config';
import { type TraceEventOf, now } from '../../../common/trace';
import { BatchWriter, type TraceBatch, layoutOf } from './traceBatch';

export type SampleInput = Omit<TraceEventOf<'sample'>, 'type' | 't' | 'worker'>;

/** What a request's handler and data access write into the trace (common/trace.ts's subject events); t is now unless given. */
export interface RequestTrace {
  readonly rid: string;
  /** subject.accepted */
  accepted(route: string, mode: Mode): void;
  /** handler.step */
  step(handler: string, step: string): void;
  /** db.call */
  dbCall(op: string, collection: string): void;
  /** pool.wait */
  poolWait(): void;
  /** db.sent, at t */
  dbSent(t: number): void;
  /** db.reply */
  dbReply(ok: boolean, error?: string): void;
  /** loop.blocked, from t for durationMs */
  blocked(t: number, durationMs: number, reason: TraceEventOf<'loop.blocked'>['reason']): void;
  /** subject.responded */
  responded(status: number): void;
}

/** Each request event's code; the field order (rid first) is checked against the contract as this module loads. */
const ACCEPTED = layoutOf('subject.accepted', ['rid', 'route', 'mode']).code;
const STEP = layoutOf('handler.step', ['rid', 'handler', 'step']).code;
const DB_CALL = layoutOf('db.call', ['rid', 'op', 'collection']).code;
const POOL_WAIT = layoutOf('pool.wait', ['rid']).code;
const DB_SENT = layoutOf('db.sent', ['rid']).code;
const DB_REPLY = layoutOf('db.reply', ['rid', 'ok', 'error']).code;
const BLOCKED = layoutOf('loop.blocked', ['rid', 'durationMs', 'reason']).code;
const RESPONDED = layoutOf('subject.responded', ['rid', 'status']).code;

/** A batch this large leaves at once, whatever the timer says (a burst must not pile up). */
const MAX_BUFFERED_EVENTS = 2000;

/** Where a traced request writes: the tracer's writer, and how to ship it when it is full. */
interface Sink {
  writer: BatchWriter;
  flush(): void;
}

/** A traced request: one object, its methods on the prototype (a closure each would cost more per request). */
class TracedRequest implements RequestTrace {
  /** The rid's index in the strings of batch `ridBatch` (-1: of no batch yet). */
  private ridIndex = 0;
  private ridBatch = -1;

  constructor(
    readonly rid: string,
    private readonly sink: Sink,
  ) {}

  /** The rid's string index in the batch being written. */
  private id(): number {
    const { writer } = this.sink;
    if (this.ridBatch !== writer.batch) {
      this.ridIndex = writer.add(this.rid);
      this.ridBatch = writer.batch;
    }
    return this.ridIndex;
  }

  private written(): void {
    if (this.sink.writer.count >= MAX_BUFFERED_EVENTS) this.sink.flush();
  }

  accepted(route: string, mode: Mode): void {
    const { writer } = this.sink;
    writer.put(ACCEPTED, now(), 3, this.id(), writer.str(route), writer.str(mode));
    this.written();
  }

  step(handler: string, step: string): void {
    const { writer } = this.sink;
    writer.put(STEP, now(), 3, this.id(), writer.str(handler), writer.str(step));
    this.written();
  }

  dbCall(op: string, collection: string): void {
    const { writer } = this.sink;
    writer.put(DB_CALL, now(), 3, this.id(), writer.str(op), writer.str(collection));
    this.written();
  }

  poolWait(): void {
    this.sink.writer.put(POOL_WAIT, now(), 1, this.id());
    this.written();
  }

  dbSent(t: number): void {
    this.sink.writer.put(DB_SENT, t, 1, this.id());
    this.written();
  }

  dbReply(ok: boolean, error?: string): void {
    const { writer } = this.sink;
    writer.put(DB_REPLY, now(), 3, this.id(), ok ? 1 : 0, error === undefined ? NaN : writer.str(error));
    this.written();
  }

  blocked(t: number, durationMs: number, reason: TraceEventOf<'loop.blocked'>['reason']): void {
    const { writer } = this.sink;
    writer.put(BLOCKED, t, 3, this.id(), durationMs, writer.str(reason));
    this.written();
  }

  responded(status: number): void {
    this.sink.writer.put(RESPONDED, now(), 2, this.id(), status);
    this.written();
  }
}

/** An untraced request: the same methods, doing nothing. */
class UntracedRequest implements RequestTrace {
  constructor(readonly rid: string) {}
  accepted(): void {}
  step(): void {}
  dbCall(): void {}
  poolWait(): void {}
  dbSent(): void {}
  dbReply(): void {}
  blocked(): void {}
  responded(): void {}
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

export function createTracer({ enabled: startEnabled, worker, ship, flushEveryMs = 50 }: TracerOptions): Tracer {
  let enabled = startEnabled;
  const writer = new BatchWriter();
  const flush = (): void => {
    if (writer.count > 0) ship(writer.take(worker));
  };
  const sink: Sink = { writer, flush };
  let timer: NodeJS.Timeout | undefined;
  const setTimer = (): void => {
    if (timer) clearInterval(timer);
    timer = enabled && flushEveryMs > 0 ? setInterval(flush, flushEveryMs) : undefined;
    timer?.unref();
  };
  setTimer();

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
      return enabled ? new TracedRequest(rid, sink) : new UntracedRequest(rid);
    },
    sample(values) {
      if (!enabled) return;
      writer.append({ type: 'sample', ...values }, now());
      if (writer.count >= MAX_BUFFERED_EVENTS) flush();
    },
    flush,
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      flush();
    },
  };
}
