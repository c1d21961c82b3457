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
import { BatchWriter, type TraceBatch, unpackBatch } from '../server/subject/runtime/traceBatch';
import type { RequestEventInput } from '../server/subject/runtime/tracer';
import type { BenchRow } from './table';

const REQUESTS_PER_BATCH = 50;
const ROUNDS = 15;
const BATCHES_PER_ROUND = 200;

/** A non-blocking getUser request's events, as the subject emits them. */
function requestEvents(): RequestEventInput[] {
  const handler = 'getUser.nonblocking';
  return [
    { type: 'subject.accepted', route: 'getUser', mode: 'nonblocking' },
    { type: 'handler.step', handler, step: 'parse' },
    { type: 'handler.step', handler, step: 'cpu' },
    { type: 'handler.step', handler, step: 'query' },
    { type: 'db.call', op: 'findOne', collection: 'users' },
    { type: 'db.sent', t: now() },
    { type: 'db.reply', ok: true },
    { type: 'handler.step', handler, step: 'respond' },
    { type: 'subject.responded', status: 200 },
  ];
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
  const events = requestEvents();
  const rids = Array.from({ length: REQUESTS_PER_BATCH }, (_, i) => `c0-${i}-${Math.random().toString(36).slice(2)}`);
  const writer = new BatchWriter();
  const write = (): Buffer => {
    for (const rid of rids) for (const event of events) writer.append(event, event.t ?? now(), rid);
    return serialize({ type: 'events', events: writer.take(0) });
  };
  const message = write();
  const read = () => unpackBatch((deserialize(message) as { events: TraceBatch }).events);
  if (read().length !== REQUESTS_PER_BATCH * events.length) throw new Error('trace wire: events lost on the way');
  return [
    { name: 'wire: subject writes and serializes, per request (9 events)', value: quickest(write), unit: 'µs' },
    { name: 'wire: lab deserializes and builds the events, per request', value: quickest(read), unit: 'µs' },
    { name: 'wire: bytes per request', value: message.length / REQUESTS_PER_BATCH, unit: 'B' },
  ];
}
