/**
 * Timing, the Tornado subject: blocking pymongo serves ten concurrent requests one after
 * another, Motor (or AsyncMongoClient) overlaps them, and the executor and workers knobs
 * change the result as the model says; a block is reported even when the sampler was resting.
 * Real processes on what may be a busy laptop: every assertion is a lower bound, an ordering,
 * or a ratio between runs measured here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import type { TraceEvent } from '../../../common/trace';
import {
  type Database,
  type Lab,
  batch,
  blockAfterRest,
  caughtUp,
  loopDelayMax,
  startDatabase,
  startLab,
} from '../../integration/subject/harness';
import { noTornado } from '../../integration/tornado/python';

const LATENCY_MS = 100;
let database: Database;
let lab: Lab;

/** Applies a config, warms the pool and runs one unmeasured batch so connections are open. */
async function use(patch: Partial<LabConfig>): Promise<void> {
  await lab.supervisor.apply({ ...DEFAULT_CONFIG, runtime: 'tornado', dbLatencyMs: LATENCY_MS, ...patch });
  await lab.supervisor.warm();
  await batch(lab.url('/users/alice'), 10, 'warmup');
}

const first = (rid: string, type: TraceEvent['type']): TraceEvent =>
  lab.events.find((event) => event.type === type && 'rid' in event && event.rid === rid)!;

/** The most intervals [from, to] open at one moment. */
function maxOverlap(intervals: Array<[number, number]>): number {
  const edges = intervals
    .flatMap(([from, to]) => [
      { t: from, d: 1 },
      { t: to, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const edge of edges) max = Math.max(max, (open += edge.d));
  return max;
}

/** Ten concurrent GET /users/alice: elapsed time, handler overlap, db.sent times in order, the loop's worst delay. */
async function tenRequests(patch: Partial<LabConfig>) {
  await use(patch);
  const result = await batch(lab.url('/users/alice'), 10);
  await caughtUp(lab);
  expect(result.replies.every((reply) => reply.status === 200)).toBe(true);
  const rids = result.replies.map((reply) => reply.rid);
  const start = Math.min(...result.replies.map((reply) => reply.sentAt));
  return {
    elapsedMs: result.elapsedMs,
    overlap: maxOverlap(
      rids.map((rid): [number, number] => [first(rid, 'subject.accepted').t, first(rid, 'subject.responded').t]),
    ),
    sent: rids.map((rid) => first(rid, 'db.sent').t).sort((a, b) => a - b),
    loopDelayMax: loopDelayMax(lab.events, start, start + result.elapsedMs),
  };
}

/**
 * Non-blocking's side of a ratio: the quickest of three batches. Its one round trip is short
 * enough for the machine's other work to double it (a ratio of 2.1 against 2.5 with a CPU hog
 * beside the suite); the blocking side's nine round trips cannot be beaten whatever the load,
 * so one batch is enough there.
 */
async function quickestNonblocking(): Promise<Awaited<ReturnType<typeof tenRequests>>> {
  let best = await tenRequests({ mode: 'nonblocking' });
  for (let i = 1; i < 3; i++) {
    const next = await tenRequests({ mode: 'nonblocking' });
    if (next.elapsedMs < best.elapsedMs) best = next;
  }
  return best;
}

describe.skipIf(noTornado)(`Tornado: ten concurrent GET /users/alice with dbLatencyMs ${LATENCY_MS}`, () => {
  beforeAll(async () => {
    database = await startDatabase();
    lab = await startLab(database, { runtime: 'tornado', dbLatencyMs: LATENCY_MS });
  });
  afterAll(async () => {
    await lab?.supervisor.stop();
    await database?.stop();
  });

  it('serialises them with blocking pymongo and overlaps them with the non-blocking driver', async () => {
    const blocking = await tenRequests({ mode: 'blocking' });
    // Once unmeasured: the first batch after the switch also opens Motor's connections
    // (the lab's own runs warm the pool first); the lesson is about the warm driver.
    await tenRequests({ mode: 'nonblocking' });
    const nonblocking = await quickestNonblocking();

    console.log(
      `tornado, 10 requests at ${LATENCY_MS} ms: blocking ${blocking.elapsedMs.toFixed(0)} ms, non-blocking ${nonblocking.elapsedMs.toFixed(0)} ms (${(blocking.elapsedMs / nonblocking.elapsedMs).toFixed(1)}x)`,
    );
    // Blocking: one request in a handler at a time, each query sent about a round trip
    // after the previous one, and the loop reports being held for about a round trip.
    expect(blocking.overlap).toBe(1);
    for (let i = 1; i < blocking.sent.length; i++)
      expect(blocking.sent[i]! - blocking.sent[i - 1]!).toBeGreaterThanOrEqual(LATENCY_MS * 0.9);
    expect(blocking.elapsedMs).toBeGreaterThanOrEqual(9 * LATENCY_MS * 0.9);
    expect(blocking.loopDelayMax).toBeGreaterThanOrEqual(LATENCY_MS * 0.8);
    // Non-blocking: most of them in the handler together, all sent within one round trip, several times quicker.
    expect(nonblocking.overlap).toBeGreaterThanOrEqual(8);
    expect(nonblocking.sent.at(-1)! - nonblocking.sent[0]!).toBeLessThan(blocking.sent.at(-1)! - blocking.sent[0]!);
    expect(blocking.elapsedMs / nonblocking.elapsedMs).toBeGreaterThanOrEqual(5);
    expect(nonblocking.loopDelayMax).toBeLessThan(blocking.loopDelayMax);
  });

  it('reports the block of a request that finds the sampler resting, at its full length', async () => {
    await use({ mode: 'nonblocking', cpuMs: 60 });
    // Three requests, each after the subject has been at rest (see the Node subject's samples test).
    // The Tornado sampler reads the delay at the loop's selector (runtime/sampler.py): the whole
    // block, where a heartbeat (the Node subject's) reports it less up to one beat.
    for (let i = 0; i < 3; i++) {
      const { blockedMs, reportedMs } = await blockAfterRest(lab);
      expect(reportedMs).toBeGreaterThanOrEqual(blockedMs - 1);
    }
  });

  it('halves the blocking time with 2 executor threads, or with 2 worker processes', async () => {
    const blocking = await tenRequests({ mode: 'blocking' });
    const executor = await tenRequests({ mode: 'blocking', executorThreads: 2 });
    const workers = await tenRequests({ mode: 'blocking', workers: 2 });
    const nonblocking = await quickestNonblocking();
    const ms = (run: { elapsedMs: number }) => run.elapsedMs.toFixed(0);
    console.log(
      `tornado, 10 blocking requests: ${ms(blocking)} ms; 2 executor threads ${ms(executor)} ms; 2 workers ${ms(workers)} ms; non-blocking ${ms(nonblocking)} ms`,
    );
    // The model: 10, 5, 5 and 1 round trips.
    expect(blocking.elapsedMs / executor.elapsedMs).toBeGreaterThanOrEqual(1.5);
    expect(executor.elapsedMs / nonblocking.elapsedMs).toBeGreaterThanOrEqual(2.5);
    expect(executor.overlap).toBeGreaterThanOrEqual(8); // the handlers await; only the threads are scarce
    expect(blocking.elapsedMs / workers.elapsedMs).toBeGreaterThanOrEqual(1.5);
    const served = new Set(lab.events.flatMap((event) => (event.type === 'subject.accepted' ? [event.worker] : [])));
    expect([...served].sort()).toEqual([0, 1]);
  });
});
