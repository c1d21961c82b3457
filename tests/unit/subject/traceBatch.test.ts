/**
 * The subject's compact trace batches: every event a subject writes arrives with exactly the
 * shape common/trace.ts gives it, over either IPC encoding (structured clone, or JSON as
 * node:cluster's channel uses).
 */
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import { appendEvent, type TraceBatch, unpackBatch } from '../../../server/subject/runtime/traceBatch';

const worker = 3;
const rid = 'r-42';
const t = 1_700_000_000_123.456;

/** One of each event a subject writes, optional fields both present and absent. */
const EVENTS: TraceEvent[] = [
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
];

function pack(events: TraceEvent[]): TraceBatch {
  const data: unknown[] = [];
  for (const event of events) {
    appendEvent(data, event, event.t, 'rid' in event ? event.rid : undefined);
  }
  return { worker, data };
}

describe('trace batches', () => {
  it('unpack to the very events that were packed, each valid by the contract', () => {
    const unpacked = unpackBatch(pack(EVENTS));
    expect(unpacked).toEqual(EVENTS);
    for (const event of unpacked) expect(parseTraceEvent(event)).toEqual({ ok: true, event });
  });

  it('leave absent optional fields out, not as undefined keys', () => {
    const [reply] = unpackBatch(pack([EVENTS[5]!]));
    expect(Object.keys(reply!).sort()).toEqual(['ok', 'rid', 't', 'type', 'worker']);
  });

  it('survive structured clone and JSON, the two IPC encodings', () => {
    const batch = pack(EVENTS);
    expect(unpackBatch(deserialize(serialize(batch)) as TraceBatch)).toEqual(EVENTS);
    expect(unpackBatch(JSON.parse(JSON.stringify(batch)) as TraceBatch)).toEqual(EVENTS);
  });

  it('refuses a batch with an unknown event code rather than inventing events', () => {
    expect(() => unpackBatch({ worker, data: [999, t] })).toThrow(/unknown event code 999/);
  });
});
