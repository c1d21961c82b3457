import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import type { RequestEvent } from '../../../common/trace';
import { foldRequest, phaseAt, stepAt } from '../../../src/trace/lifecycle';
import { databaseInFlight, laneShares, loopLane, mergeIntervals } from '../../../src/trace/lanes';
import { snapshotAt, nextEventTime, previousEventTime } from '../../../src/trace/snapshot';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';
import { narrate } from '../../../src/trace/narrate';

const blockingRequest = (rid: string, t0: number, rtt = 200): RequestEvent[] => [
  { type: 'client.sent', t: t0, rid, route: 'getUser' },
  { type: 'subject.accepted', t: t0 + 1, rid, worker: 0, route: 'getUser', mode: 'blocking' },
  { type: 'handler.step', t: t0 + 1, rid, worker: 0, handler: 'getUser.blocking', step: 'parse' },
  { type: 'handler.step', t: t0 + 2, rid, worker: 0, handler: 'getUser.blocking', step: 'query' },
  { type: 'db.call', t: t0 + 2, rid, worker: 0, op: 'findOne', collection: 'users' },
  { type: 'db.sent', t: t0 + 2, rid, worker: 0 },
  { type: 'loop.blocked', t: t0 + 2, rid, worker: 0, durationMs: rtt, reason: 'db' },
  { type: 'db.reply', t: t0 + 2 + rtt, rid, worker: 0, ok: true },
  { type: 'handler.step', t: t0 + 3 + rtt, rid, worker: 0, handler: 'getUser.blocking', step: 'respond' },
  { type: 'subject.responded', t: t0 + 4 + rtt, rid, worker: 0, status: 200 },
  { type: 'client.done', t: t0 + 5 + rtt, rid, status: 200 },
];

describe('foldRequest', () => {
  it('turns one request into queued, running, database, running, responding phases', () => {
    const life = foldRequest(blockingRequest('r1', 1000));
    expect(life.segments.map((s) => s.phase)).toEqual(['queued', 'running', 'database', 'running', 'responding']);
    expect(life.acceptedAt).toBe(1001);
    expect(life.doneAt).toBe(1205);
    expect(life.dbOps).toEqual(['findOne']);
  });

  it('marks the database wait as holding the loop when a loop.blocked event covers it', () => {
    const life = foldRequest(blockingRequest('r1', 0));
    expect(life.segments.find((s) => s.phase === 'database')?.holdsLoop).toBe(true);
    const nonblocking = foldRequest(blockingRequest('r2', 0).filter((e) => e.type !== 'loop.blocked'));
    expect(nonblocking.segments.find((s) => s.phase === 'database')?.holdsLoop).toBe(false);
  });

  it('sorts events that arrive out of order before folding', () => {
    const events = blockingRequest('r1', 0).reverse();
    expect(foldRequest(events).segments[0]?.phase).toBe('queued');
  });

  it('adds a pool phase when the driver had to wait for a connection', () => {
    const events: RequestEvent[] = [
      { type: 'client.sent', t: 0, rid: 'r1', route: 'getUser' },
      { type: 'subject.accepted', t: 1, rid: 'r1', worker: 0, route: 'getUser', mode: 'nonblocking' },
      { type: 'db.call', t: 2, rid: 'r1', worker: 0, op: 'findOne', collection: 'users' },
      { type: 'pool.wait', t: 2, rid: 'r1', worker: 0 },
      { type: 'db.sent', t: 50, rid: 'r1', worker: 0 },
      { type: 'db.reply', t: 150, rid: 'r1', worker: 0, ok: true },
    ];
    const life = foldRequest(events);
    expect(life.segments.map((s) => [s.phase, s.start, s.end])).toEqual([
      ['queued', 0, 1],
      ['running', 1, 2],
      ['pool', 2, 50],
      ['database', 50, 150],
      ['running', 150, Infinity],
    ]);
  });

  it('knows the phase and the step marker at any time', () => {
    const life = foldRequest(blockingRequest('r1', 0));
    expect(phaseAt(life, -1)).toBe('waiting');
    expect(phaseAt(life, 100)).toBe('database');
    expect(phaseAt(life, 1000)).toBe('done');
    expect(stepAt(life, 100)?.step).toBe('query');
    expect(stepAt(life, 203.5)?.step).toBe('respond');
  });
});

describe('lanes', () => {
  it('merges overlapping intervals', () => {
    expect(
      mergeIntervals([
        { start: 5, end: 8 },
        { start: 0, end: 3 },
        { start: 2, end: 6 },
      ]),
    ).toEqual([{ start: 0, end: 8 }]);
  });

  it('shows the loop blocked through every blocking round trip', () => {
    const lives = [foldRequest(blockingRequest('r1', 0)), foldRequest(blockingRequest('r2', 205))];
    const lane = loopLane(lives, 0, 500);
    expect(lane.filter((s) => s.state === 'blocked').map((s) => [s.start, s.end])).toEqual([
      [2, 202],
      [207, 407],
    ]);
    const shares = laneShares(lane, 0, 410);
    expect(shares.blocked).toBeGreaterThan(0.9);
  });

  it('counts database calls in flight over time', () => {
    const lives = [foldRequest(blockingRequest('r1', 0)), foldRequest(blockingRequest('r2', 50))];
    const points = databaseInFlight(lives, 400);
    expect(Math.max(...points.map((p) => p.count))).toBe(2);
    expect(points.at(-1)?.count).toBe(0);
  });
});

describe('snapshotAt', () => {
  it('queues the second request while the loop is blocked by the first', () => {
    const events = [
      ...blockingRequest('r1', 0),
      ...blockingRequest('r2', 0).map((e) => (e.type === 'client.sent' ? e : { ...e, t: e.t + 205 })),
    ];
    const store = new TraceStore();
    const run = store.ingest('run1', events);
    const snap = snapshotAt(run.lifecycles, 100, run.samples, run.events);
    expect(snap.onThread.map((r) => r.life.rid)).toEqual(['r1']);
    expect(snap.onThread[0]?.holdsLoop).toBe(true);
    expect(snap.queued.map((r) => r.life.rid)).toEqual(['r2']);
    expect(narrate(snap, 2)).toBe(
      "Request 2 waits at the door: the loop is blocked inside request 1's findOne for 200 ms.",
    );
  });

  it('steps to the next and previous event times', () => {
    const events = [{ t: 1 }, { t: 5 }, { t: 9 }];
    expect(nextEventTime(events, 5)).toBe(9);
    expect(nextEventTime(events, 9)).toBe(9);
    expect(previousEventTime(events, 5)).toBe(1);
    expect(previousEventTime(events, 1)).toBe(1);
  });
});

describe('TraceStore', () => {
  it('folds batches incrementally into the same lifecycles as one big batch', () => {
    const events = synthesizeRun({ ...DEFAULT_CONFIG, mode: 'nonblocking' }, { requests: 20, concurrency: 5 });
    const whole = new TraceStore().ingest('a', events);
    const store = new TraceStore();
    for (let i = 0; i < events.length; i += 7) store.ingest('a', events.slice(i, i + 7));
    const batched = store.run('a')!;
    expect(batched.lifecycles.map((l) => l.segments)).toEqual(whole.lifecycles.map((l) => l.segments));
    expect(batched.events.map((e) => e.t)).toEqual(whole.events.map((e) => e.t));
  });

  it('knows which requests are still open', () => {
    const store = new TraceStore();
    store.ingest('a', blockingRequest('r1', 0));
    store.ingest('a', blockingRequest('r2', 300).slice(0, 4));
    expect(
      store
        .run('a')!
        .openLifecycles()
        .map((l) => l.rid),
    ).toEqual(['r2']);
    store.ingest('a', blockingRequest('r2', 300).slice(4));
    expect(store.run('a')!.openLifecycles()).toEqual([]);
  });

  it('keeps events sorted when a batch arrives late', () => {
    const store = new TraceStore();
    store.ingest('a', blockingRequest('r2', 100));
    store.ingest('a', blockingRequest('r1', 0));
    const times = store.run('a')!.events.map((e) => e.t);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});

describe('clock skew between processes', () => {
  it('ends the request at client.done even when the subject stamped its response a little later', () => {
    const events = blockingRequest('r1', 0).map((e) => (e.type === 'subject.responded' ? { ...e, t: 206 } : e));
    const life = foldRequest(events);
    expect(life.segments.at(-1)?.end).toBe(206);
    expect(life.doneAt).toBe(206);
    expect(life.segments.every((s) => Number.isFinite(s.end))).toBe(true);
    expect(phaseAt(life, 300)).toBe('done');
  });
});
