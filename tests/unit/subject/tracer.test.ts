/**
 * The subject's tracer: each of a request's typed methods arrives at the lab as exactly the
 * event common/trace.ts describes (its rid, its time, its fields, valid by the schema); a
 * request's id is written right in every batch it spans; a request traces whole or not at
 * all when tracing is switched; and a full batch leaves at once.
 */
import { describe, expect, it } from 'vitest';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import { type TraceBatch, unpackBatch } from '../../../server/subject/runtime/traceBatch';
import { createTracer } from '../../../server/subject/runtime/tracer';

function recording(enabled = true) {
  const batches: TraceBatch[] = [];
  const tracer = createTracer({ enabled, worker: 7, flushEveryMs: 0, ship: (batch) => batches.push(batch) });
  const events = (): TraceEvent[] => batches.flatMap(unpackBatch);
  return { tracer, batches, events };
}

describe('the subject tracer', () => {
  it('writes every request event with its rid, worker, time and fields, as the contract shapes it', () => {
    const { tracer, events } = recording();
    const trace = tracer.request('c1-42');
    const before = performance.timeOrigin + performance.now();
    trace.accepted('getUser', 'nonblocking');
    trace.step('getUser.nonblocking', 'query');
    trace.dbCall('findOne', 'users');
    trace.poolWait();
    trace.dbSent(before + 0.5);
    trace.dbReply(true);
    trace.dbReply(false, 'connection refused');
    trace.blocked(before + 1, 12.5, 'cpu');
    trace.responded(404);
    tracer.flush();
    const after = performance.timeOrigin + performance.now();

    const got = events();
    for (const event of got) expect(parseTraceEvent(event)).toEqual({ ok: true, event });
    expect(got.map(({ t: _t, ...rest }) => rest)).toEqual([
      { type: 'subject.accepted', rid: 'c1-42', worker: 7, route: 'getUser', mode: 'nonblocking' },
      { type: 'handler.step', rid: 'c1-42', worker: 7, handler: 'getUser.nonblocking', step: 'query' },
      { type: 'db.call', rid: 'c1-42', worker: 7, op: 'findOne', collection: 'users' },
      { type: 'pool.wait', rid: 'c1-42', worker: 7 },
      { type: 'db.sent', rid: 'c1-42', worker: 7 },
      { type: 'db.reply', rid: 'c1-42', worker: 7, ok: true },
      { type: 'db.reply', rid: 'c1-42', worker: 7, ok: false, error: 'connection refused' },
      { type: 'loop.blocked', rid: 'c1-42', worker: 7, durationMs: 12.5, reason: 'cpu' },
      { type: 'subject.responded', rid: 'c1-42', worker: 7, status: 404 },
    ]);
    // Given times are kept; the others are taken when the method runs.
    expect(got[4]!.t).toBe(before + 0.5);
    expect(got[7]!.t).toBe(before + 1);
    for (const i of [0, 1, 2, 3, 5, 6, 8]) {
      expect(got[i]!.t).toBeGreaterThanOrEqual(before);
      expect(got[i]!.t).toBeLessThanOrEqual(after);
    }
    // The key order is the contract's (the lab's consumers and recordings rely on it).
    expect(Object.keys(got[0]!)).toEqual(['type', 't', 'worker', 'rid', 'route', 'mode']);
  });

  it('names each request right in every batch its events span, however they interleave', () => {
    const { tracer, batches, events } = recording();
    const a = tracer.request('a-1');
    const b = tracer.request('b-2');
    a.accepted('getUser', 'nonblocking');
    b.accepted('createUser', 'blocking');
    tracer.flush();
    // New batch: its strings start again, so each rid must be written into it afresh.
    b.step('createUser.blocking', 'insert');
    a.step('getUser.nonblocking', 'query');
    a.responded(200);
    tracer.flush();
    b.responded(201);
    tracer.flush();

    expect(batches).toHaveLength(3);
    expect(batches[1]!.strings).toContain('b-2');
    expect(batches[1]!.strings).toContain('a-1');
    expect(batches[2]!.strings).toEqual(['b-2']);
    expect(events().map((event) => [event.type, 'rid' in event ? event.rid : undefined])).toEqual([
      ['subject.accepted', 'a-1'],
      ['subject.accepted', 'b-2'],
      ['handler.step', 'b-2'],
      ['handler.step', 'a-1'],
      ['subject.responded', 'a-1'],
      ['subject.responded', 'b-2'],
    ]);
  });

  it('traces a request whole or not at all when tracing is switched while it runs', () => {
    const { tracer, events } = recording(false);
    const untraced = tracer.request('u-1');
    untraced.accepted('getUser', 'nonblocking');
    tracer.setEnabled(true);
    const traced = tracer.request('t-1');
    traced.accepted('getUser', 'nonblocking');
    untraced.responded(200);
    tracer.setEnabled(false);
    traced.responded(200);
    tracer.flush();
    expect(events().map((event) => ['rid' in event ? event.rid : undefined, event.type])).toEqual([
      ['t-1', 'subject.accepted'],
      ['t-1', 'subject.responded'],
    ]);
  });

  it('ships a full batch at once, without waiting for its timer', () => {
    const { tracer, batches, events } = recording();
    for (let i = 0; i < 1100; i++) {
      const trace = tracer.request(`r-${i}`);
      trace.accepted('getUser', 'nonblocking');
      trace.responded(200);
    }
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches[0]!.count).toBe(2000);
    tracer.flush();
    const got = events();
    expect(got).toHaveLength(2200);
    expect(got.filter((event) => event.type === 'subject.responded' && event.rid === 'r-1099')).toHaveLength(1);
  });
});
