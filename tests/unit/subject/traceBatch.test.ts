/**
 * The subject's binary trace batches: every event a subject writes arrives with exactly the
 * shape (and key order) common/trace.ts gives it, over either IPC encoding (structured
 * clone, or JSON with the numbers in base64 as the Tornado subject sends them).
 */
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import { BatchWriter, batchLayouts, type TraceBatch, unpackBatch } from '../../../server/subject/runtime/traceBatch';

const worker = 3;
const HEAD = new Set(['type', 't', 'worker']);
const rid = 'r-42';
const t = 1_700_000_000_123.456;

/** One of each event a subject writes, optional fields both present and absent. */
const SUBJECT_EVENTS: TraceEvent[] = [
  { type: 'subject.accepted', t, rid, worker, route: 'getUser', mode: 'nonblocking' },
  { type: 'handler.step', t: t + 0.1, rid, worker, handler: 'getUser.nonblocking', step: 'query' },
  { type: 'db.call', t: t + 0.2, rid, worker, op: 'findOne', collection: 'users' },
  { type: 'pool.wait', t: t + 0.3, rid, worker },
  { type: 'db.sent', t: t + 0.4, rid, worker },
  { type: 'db.reply', t: t + 0.5, rid, worker, ok: true },
  { type: 'db.reply', t: t + 0.6, rid, worker, ok: false, error: 'connection refused' },
  { type: 'loop.blocked', t: t + 0.7, rid, worker, durationMs: 12.5, reason: 'cpu' },
  { type: 'subject.responded', t: t + 0.8, rid, worker, status: 404 },
  {
    type: 'sample',
    t: t + 1,
    worker,
    loopDelayMaxMs: 0.25,
    elu: 0.5,
    poolInUse: 2,
    poolWaiting: 0,
    dbInFlight: 1,
    rssBytes: 123_456_789,
    heapUsedBytes: 45_678_901,
  },
  {
    type: 'sample',
    t: t + 2,
    worker,
    loopDelayMaxMs: 0,
    elu: 1,
    poolInUse: 0,
    poolWaiting: 7,
    dbInFlight: 0,
    longPollsWaiting: 10_000,
    rssBytes: 2 ** 40,
    heapUsedBytes: 0,
  },
];

/**
 * Every other plain-valued event type, as they would travel if a process wrote them (each
 * event here carries `worker`, since a batch gives it to all its events).
 */
const OTHER_EVENTS: TraceEvent[] = [
  { type: 'run.finished', t, worker, runId: 'run-1', status: 'failed', message: 'stopped' } as TraceEvent,
  {
    type: 'client.sent',
    t,
    rid,
    worker,
    route: 'getUser',
    scheduledAt: t - 1,
    client: 'élève',
  } as TraceEvent,
  { type: 'client.firstByte', t, rid, worker } as TraceEvent,
  {
    type: 'load.counts',
    t,
    worker,
    notSent: 0,
    untracedCompleted: Number.MAX_SAFE_INTEGER,
    untracedErrors: 3,
  } as TraceEvent,
  { type: 'client.done', t, rid, worker, status: 200 } as TraceEvent,
  { type: 'run.published', t, worker, runId: 'run-1', via: 'database', waiting: 9999 } as TraceEvent,
];

function write(events: TraceEvent[], writer = new BatchWriter()): TraceBatch {
  for (const event of events) writer.append(event, event.t, 'rid' in event ? event.rid : undefined);
  return writer.take(worker);
}

/** A batch as a JSON channel carries it: the numbers as the base64 of their bytes. */
function overJson(batch: TraceBatch): TraceBatch {
  const numbers = batch.numbers as Float64Array;
  const base64 = Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength).toString('base64');
  return JSON.parse(JSON.stringify({ ...batch, numbers: base64 })) as TraceBatch;
}

describe('binary trace batches', () => {
  it('unpack to the very events that were written, each valid by the contract, keys in the same order', () => {
    const unpacked = unpackBatch(write(SUBJECT_EVENTS));
    expect(unpacked).toEqual(SUBJECT_EVENTS);
    // The order the supervisor has always built them in (and saved trace files show): type, t, worker, the rest.
    const order = (event: TraceEvent) => ['type', 't', 'worker', ...Object.keys(event).filter((k) => !HEAD.has(k))];
    unpacked.forEach((event, i) => expect(Object.keys(event)).toEqual(order(SUBJECT_EVENTS[i]!)));
    for (const event of unpacked) expect(parseTraceEvent(event)).toEqual({ ok: true, event });
  });

  it('carry every plain-valued event type of the contract', () => {
    const all = [...SUBJECT_EVENTS, ...OTHER_EVENTS];
    const covered = new Set(all.map((event) => event.type));
    for (const layout of batchLayouts()) expect(covered, layout.type).toContain(layout.type);
    expect(unpackBatch(write(all))).toEqual(all);
  });

  it('leave absent optional fields out, not as undefined keys', () => {
    const [reply, sample] = unpackBatch(write([SUBJECT_EVENTS[5]!, SUBJECT_EVENTS[9]!]));
    expect(Object.keys(reply!)).toEqual(['type', 't', 'worker', 'rid', 'ok']);
    expect(Object.keys(sample!)).not.toContain('longPollsWaiting');
  });

  it('keep unicode strings, large numbers and sub-millisecond timestamps exactly', () => {
    const events: TraceEvent[] = [
      { type: 'handler.step', t: 1e15 + 0.125, rid: 'ид-🚀-€', worker, handler: '処理', step: 'a\u0000b\n"c"' },
      { type: 'db.reply', t: Number.MIN_VALUE, rid: 'ид-🚀-€', worker, ok: false, error: '\ud800 lone half' },
      { type: 'loop.blocked', t: 0, rid: 'x', worker, durationMs: 1e300, reason: 'db' },
      { type: 'subject.responded', t: 1_764_770_000_000 + 1 / 3, rid: 'x', worker, status: -1 },
    ];
    expect(unpackBatch(write(events))).toEqual(events);
    expect(unpackBatch(deserialize(serialize(write(events))) as TraceBatch)).toEqual(events);
    expect(unpackBatch(overJson(write(events)))).toEqual(events);
  });

  it('write each distinct string once a batch, however many events name it', () => {
    const batch = write(SUBJECT_EVENTS);
    expect(batch.strings.filter((value) => value === rid)).toHaveLength(1);
    expect(batch.count).toBe(SUBJECT_EVENTS.length);
  });

  it('names the right string however many it is asked for, across batches (the ring of recent strings included)', () => {
    const writer = new BatchWriter();
    // 40 distinct names asked for in turn, more than the ring holds, some built at run time
    // (equal text, another string object), across three batches.
    const names = Array.from({ length: 40 }, (_, i) => `step-${i % 40}`);
    for (let batch = 0; batch < 3; batch++) {
      const events: TraceEvent[] = [];
      for (let i = 0; i < 200; i++) {
        const step = i % 3 === 0 ? names[(i * 7) % 40]! : ['step', String((i * 7) % 40)].join('-');
        events.push({ type: 'handler.step', t: t + i, rid: `r-${batch}`, worker, handler: `h-${i % 5}`, step });
      }
      expect(unpackBatch(write(events, writer))).toEqual(events);
    }
    // Strings added without a lookup (a request's id) still read back, and may repeat harmlessly.
    const first = writer.add('same');
    const second = writer.add('same');
    expect(writer.take(worker).strings).toEqual(['same', 'same']);
    expect([first, second]).toEqual([0, 1]);
  });

  it('an empty batch unpacks to no events', () => {
    const batch = new BatchWriter().take(worker);
    expect(batch.count).toBe(0);
    expect(unpackBatch(batch)).toEqual([]);
    expect(unpackBatch(overJson(batch))).toEqual([]);
  });

  it('survive structured clone and JSON, the two IPC encodings', () => {
    const batch = write(SUBJECT_EVENTS);
    expect(unpackBatch(deserialize(serialize(batch)) as TraceBatch)).toEqual(SUBJECT_EVENTS);
    expect(unpackBatch(overJson(batch))).toEqual(SUBJECT_EVENTS);
  });

  it('grow past its first size and start afresh after each take', () => {
    const writer = new BatchWriter(2);
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...SUBJECT_EVENTS[1]!, rid: `r-${i}`, t: t + i }));
    expect(unpackBatch(write(many, writer))).toEqual(many);
    expect(unpackBatch(write(SUBJECT_EVENTS, writer))).toEqual(SUBJECT_EVENTS);
  });

  it('refuses a batch with an unknown event code, or cut short, rather than inventing events', () => {
    const strings = ['r'];
    expect(() => unpackBatch({ worker, count: 1, numbers: new Float64Array([999, t]), strings })).toThrow(
      /unknown event code 999/,
    );
    const cut = write([SUBJECT_EVENTS[0]!]);
    const numbers = (cut.numbers as Float64Array).subarray(0, 3);
    expect(() => unpackBatch({ ...cut, numbers })).toThrow(/cut short/);
    expect(() => unpackBatch({ ...cut, numbers: 'AAAA' })).toThrow(/whole float64s/);
  });

  it('refuses to write an event type that is not plain values', () => {
    expect(() => new BatchWriter().append({ type: 'run.started' }, t)).toThrow(/cannot travel/);
  });
});
