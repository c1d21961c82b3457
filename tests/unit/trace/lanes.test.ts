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
