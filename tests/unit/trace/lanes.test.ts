/**
 * The timeline's loop and database lanes, kept incrementally while a run streams in: after
 * every batch they equal the lanes computed from scratch (loopLane, databaseInFlight).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import type { TraceEvent } from '../../../common/trace';
import { isRequestEvent } from '../../../common/traceBasics';
import { databaseInFlight, LaneIndex, lanesOf, loopLane } from '../../../src/trace/lanes';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';

/** A run on two workers: odd requests on worker 1. */
function twoWorkers(events: TraceEvent[]): TraceEvent[] {
  return events.map((e) =>
    isRequestEvent(e) && 'worker' in e && Number(e.rid.replace(/\D/g, '')) % 2 === 1 ? { ...e, worker: 1 } : e,
  );
}

function fromScratch(trace: { lifecycles: Parameters<typeof loopLane>[0] }, workers: number[], until: number) {
  return {
    workers,
    loops: workers.map((w) => loopLane(trace.lifecycles, w, until)),
    database: databaseInFlight(trace.lifecycles, until),
  };
}

describe('lanes kept incrementally', () => {
  for (const mode of ['blocking', 'nonblocking'] as const) {
    it(`equal the lanes from scratch after every live batch (${mode}, two workers)`, () => {
      const events = twoWorkers(
        synthesizeRun(
          { ...DEFAULT_CONFIG, mode, dbLatencyMs: 15, cpuMs: 2, poolSize: 4 },
          { requests: 80, concurrency: 12, runId: mode },
        ),
      );
      const store = new TraceStore(() => undefined);
      let compared = 0;
      for (let i = 0; i < events.length; i += 29) {
        const run = store.ingest(mode, events.slice(i, i + 29));
        const until = run.endT;
        const kept = lanesOf(run.lifecycles, until);
        expect(kept).toEqual(fromScratch(run, kept.workers, until));
        compared += kept.loops.flat().length;
      }
      expect(store.run(mode)!.lifecycles.every((l) => l.doneAt !== undefined)).toBe(true);
      expect(lanesOf(store.run(mode)!.lifecycles, store.run(mode)!.endT).workers).toEqual([0, 1]);
      expect(compared).toBeGreaterThan(100);
    });
  }

  it('equal the lanes from scratch on a long run in uneven batches, the cursor sometimes past the last event', () => {
    // Long enough that most of a step's lane is kept from the step before (the part before the earliest change).
    const events = twoWorkers(
      synthesizeRun(
        { ...DEFAULT_CONFIG, mode: 'blocking', dbLatencyMs: 8, cpuMs: 1, poolSize: 6 },
        { requests: 600, concurrency: 30, runId: 'long' },
      ),
    );
    const store = new TraceStore(() => undefined);
    const index = new LaneIndex();
    let seed = 7;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let steps = 0;
    for (let i = 0; i < events.length;) {
      const size = 1 + Math.floor(next() * 120);
      const run = store.ingest('long', events.slice(i, i + size));
      i += size;
      const until = run.endT + (next() < 0.3 ? next() * 50 : 0);
      const kept = index.lanes(run.lifecycles, until);
      expect(kept).toEqual(fromScratch(run, kept.workers, until));
      steps += 1;
    }
    expect(steps).toBeGreaterThan(50);
  });

  it('equal the lanes from scratch when one lane has overlapping requests (two runs folded onto one loop)', () => {
    // Overlaps a real loop never has, but the lane's rule (blocked wins over busy) is defined for them: a
    // request that started long before the newest change must be worked out again with it.
    const blocking = synthesizeRun(
      { ...DEFAULT_CONFIG, mode: 'blocking', dbLatencyMs: 6, cpuMs: 3, poolSize: 4 },
      { requests: 200, concurrency: 10 },
    );
    const other = synthesizeRun(
      { ...DEFAULT_CONFIG, mode: 'nonblocking', dbLatencyMs: 9, cpuMs: 7, poolSize: 4 },
      { requests: 200, concurrency: 10 },
    )
      .filter(isRequestEvent)
      .map((e) => ({ ...e, rid: `b${e.rid}`, t: e.t + 0.37 }));
    const events = [...blocking, ...other].sort((a, b) => a.t - b.t);
    const store = new TraceStore(() => undefined);
    const index = new LaneIndex();
    for (let i = 0; i < events.length; i += 37) {
      const run = store.ingest('overlap', events.slice(i, i + 37));
      const kept = index.lanes(run.lifecycles, run.endT);
      expect(kept).toEqual(fromScratch(run, kept.workers, run.endT));
    }
  });

  it('gives the same arrays again when nothing changed, so what is drawn from them is reused', () => {
    const events = synthesizeRun({ ...DEFAULT_CONFIG, dbLatencyMs: 10 }, { requests: 40, concurrency: 8 });
    const store = new TraceStore(() => undefined);
    const run = store.ingest('same', events);
    expect(run.lifecycles.every((l) => l.doneAt !== undefined)).toBe(true);
    const index = new LaneIndex();
    const first = index.lanes(run.lifecycles, run.endT);
    const again = index.lanes(run.lifecycles, run.endT + 10);
    expect(again.loops[0]).toBe(first.loops[0]);
    expect(again).toEqual(fromScratch(run, again.workers, run.endT + 10));
  });

  it('starts over when a finished request is folded again (its subject events came late)', () => {
    const events = synthesizeRun(
      { ...DEFAULT_CONFIG, mode: 'blocking', dbLatencyMs: 10 },
      { requests: 10, concurrency: 10 },
    );
    const late = (e: TraceEvent) =>
      isRequestEvent(e) && e.rid === events.find(isRequestEvent)!.rid && e.type.startsWith('db.');
    const store = new TraceStore(() => undefined);
    const index = new LaneIndex();
    const run = store.ingest(
      'r',
      events.filter((e) => !late(e)),
    );
    const first = run.lifecycles[0]!;
    expect(first.doneAt).toBeDefined();
    index.lanes(run.lifecycles, run.endT);
    store.ingest('r', events.filter(late));
    expect(run.lifecycles[0]).not.toBe(first);
    const kept = index.lanes(run.lifecycles, run.endT);
    expect(kept).toEqual(fromScratch(run, kept.workers, run.endT));
    expect(kept.database).toEqual(databaseInFlight(run.lifecycles, run.endT));
    expect(Math.max(...kept.database.map((p) => p.count))).toBeGreaterThan(0);
  });
});
