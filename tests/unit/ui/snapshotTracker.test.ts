import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import type { TraceEvent } from '../../../common/trace';
import { snapshotAt, type Snapshot } from '../../../src/trace/snapshot';
import { SnapshotTracker } from '../../../src/trace/snapshotTracker';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';
import { parkLongPolls } from '../../../src/viz/layout/loopLayout';
import { synthesizeLongPoll } from '../../../src/viz/syntheticLongPoll';

/** Who is where, and how far along: what the loop view draws from a snapshot. */
function places(snap: Snapshot & { parked: number }) {
  const of = (list: Snapshot['queued']) =>
    list.map(
      (r) => `${r.life.rid}:${r.phase}:${r.since}:${r.progress.toFixed(6)}:${r.holdsLoop}:${r.step?.step ?? ''}`,
    );
  return {
    queued: of(snap.queued),
    onThread: of(snap.onThread),
    pool: of(snap.pool),
    database: of(snap.database),
    responding: of(snap.responding),
    done: snap.done,
    waiting: snap.waiting,
    parked: snap.parked,
    eventIndex: snap.eventIndex,
    sample: snap.sample?.t,
  };
}

describe('the snapshot tracker', () => {
  it('gives the same picture as a fresh snapshot at every time, forwards and back', () => {
    const events = synthesizeRun(
      { ...DEFAULT_CONFIG, dbLatencyMs: 30, poolSize: 3 },
      { requests: 40, concurrency: 10 },
    );
    const run = new TraceStore().replace('r', events);
    const tracker = new SnapshotTracker(parkLongPolls);
    const times = [];
    for (let t = run.startT - 1; t <= run.endT + 1; t += 0.7) times.push(t);
    times.push(run.startT + 50, run.startT + 10, run.endT - 3, run.startT);
    let moving = 0;
    for (const t of times) {
      const fresh = parkLongPolls(snapshotAt(run.lifecycles, t, run.samples, run.events));
      const tracked = tracker.at(run, t);
      expect(places(tracked)).toEqual(places(fresh));
      if (tracked.database.length > 0) moving += 1;
    }
    expect(moving).toBeGreaterThan(10);
  });

  it('keeps `places` the same object while the stamp stands still, and a new one when it moves', () => {
    const { events, allWaitingAt } = synthesizeLongPoll({ waiters: 50, runId: 'still', holdMs: 4000 });
    const run = new TraceStore().replace('still', events);
    const tracker = new SnapshotTracker(parkLongPolls);
    const first = tracker.at(run, allWaitingAt + 10);
    const still = tracker.at(run, allWaitingAt + 20);
    expect(still.stamp).toBe(first.stamp);
    expect(still.places).toBe(first.places);
    expect(places({ ...still.places, t: still.t, eventIndex: still.eventIndex, sample: still.sample })).toEqual(
      places(still),
    );
    const later = tracker.at(run, run.endT + 1);
    expect(later.stamp).not.toBe(first.stamp);
    expect(later.places).not.toBe(first.places);
    expect(later.places.done).toBe(later.done);
  });

  it('follows live batches: re-folded and new requests are looked at again', () => {
    const events = synthesizeRun(
      { ...DEFAULT_CONFIG, dbLatencyMs: 20, poolSize: 5 },
      { requests: 60, concurrency: 20, runId: 'live' },
    );
    const store = new TraceStore();
    const tracker = new SnapshotTracker(parkLongPolls);
    for (let i = 0; i < events.length; i += 37) {
      const run = store.ingest('live', events.slice(i, i + 37) as TraceEvent[]);
      const t = run.endT;
      expect(places(tracker.at(run, t))).toEqual(
        places(parkLongPolls(snapshotAt(run.lifecycles, t, run.samples, run.events))),
      );
    }
  });

  it('keeps its stamp while a parked crowd stands still, and moves it when tokens move', () => {
    const { events, allWaitingAt, publishedAt } = synthesizeLongPoll({ waiters: 3000, holdMs: 2000 });
    const run = new TraceStore().replace('c', events);
    const tracker = new SnapshotTracker(parkLongPolls);
    const first = tracker.at(run, allWaitingAt);
    expect(first.parked).toBe(3000);
    const later = tracker.at(run, allWaitingAt + 500);
    expect(later.parked).toBe(3000);
    expect(later.t).toBe(allWaitingAt + 500);
    expect(later.stamp).toBe(first.stamp);
    // The queue's arrays are the same ones: nothing was rebuilt.
    expect(later.queued).toBe(first.queued);
    const answered = tracker.at(run, publishedAt + 20);
    expect(answered.stamp).not.toBe(first.stamp);
    expect(answered.parked).toBeLessThan(3000);
    expect(places(answered)).toEqual(
      places(parkLongPolls(snapshotAt(run.lifecycles, publishedAt + 20, run.samples, run.events))),
    );
  });

  it('names the request that moved last, open ones first when live', () => {
    const events = synthesizeRun({ ...DEFAULT_CONFIG, dbLatencyMs: 30 }, { requests: 10, concurrency: 5 });
    const run = new TraceStore().replace('m', events);
    const tracker = new SnapshotTracker(parkLongPolls);
    const t = run.startT + 45;
    tracker.at(run, t);
    let best: string | undefined;
    let bestT = -Infinity;
    for (const life of run.lifecycles) {
      const mark = life.steps.filter((s) => s.t <= t).at(-1);
      if (mark && mark.t > bestT) [best, bestT] = [life.rid, mark.t];
    }
    expect(best).toBeDefined();
    expect(tracker.latestMover(run, false)?.rid).toBe(best);
  });
});
