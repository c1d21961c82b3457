/**
 * What the trace's wire between a subject process and the lab costs, on its own and in one
 * process: the subject writing a getUser request's nine events into a batch and serializing
 * it as IPC does (structured clone), and the lab deserializing it and building the events.
 *
 * A batch holds 50 requests (1,000 req/s for the 50 ms a batch waits). Each figure is the
 * quickest of several rounds: other work on a shared machine only ever adds time, so the
 * quickest round is the one closest to the code's own cost.
 */
import { deserialize, serialize } from 'node:v8';
import { now } from '../common/trace';
import { type TraceBatch, unpackBatch } from '../server/subject/runtime/traceBatch';
import { type RequestTrace, createTracer } from '../server/subject/runtime/tracer';
import type { BenchRow } from './table';

const REQUESTS_PER_BATCH = 50;
const ROUNDS = 15;
const BATCHES_PER_ROUND = 200;
const EVENTS_PER_REQUEST = 9;

/** A non-blocking getUser request's events, written as the subject writes them. */
function writeRequest(trace: RequestTrace): void {
  const handler = 'getUser.nonblocking';
  trace.accepted('getUser', 'nonblocking');
  trace.step(handler, 'parse');
  trace.step(handler, 'cpu');
  trace.step(handler, 'query');
  trace.dbCall('findOne', 'users');
  trace.dbSent(now());
  trace.dbReply(true);
  trace.step(handler, 'respond');
  trace.responded(200);
}

/** µs per request of `work` (which handles one batch), the quickest of ROUNDS rounds. */
function quickest(work: () => void): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < BATCHES_PER_ROUND; i++) work();
    best = Math.min(best, ((performance.now() - start) * 1000) / BATCHES_PER_ROUND / REQUESTS_PER_BATCH);
  }
  return best;
}

export function benchTraceWire(): BenchRow[] {
  const rids = Array.from({ length: REQUESTS_PER_BATCH }, (_, i) => `c0-${i}-${Math.random().toString(36).slice(2)}`);
  let shipped: TraceBatch | undefined;
  const tracer = createTracer({ enabled: true, worker: 0, flushEveryMs: 0, ship: (batch) => (shipped = batch) });
  const write = (): Buffer => {
    for (const rid of rids) writeRequest(tracer.request(rid));
    tracer.flush();
    return serialize({ type: 'events', events: shipped });
  };
  const message = write();
  const read = () => unpackBatch((deserialize(message) as { events: TraceBatch }).events);
  if (read().length !== REQUESTS_PER_BATCH * EVENTS_PER_REQUEST) throw new Error('trace wire: events lost on the way');
  const rows: BenchRow[] = [
    { name: 'wire: subject writes and serializes, per request (9 events)', value: quickest(write), unit: 'µs' },
    { name: 'wire: lab deserializes and builds the events, per request', value: quickest(read), unit: 'µs' },
    { name: 'wire: bytes per request', value: message.length / REQUESTS_PER_BATCH, unit: 'B' },
  ];
  tracer.close();
  return rows;
}
