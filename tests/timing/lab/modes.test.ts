/**
 * The lab's promise, end to end through its API: with dbLatencyMs 100, ten concurrent
 * GET /users/alice serialise in blocking mode and overlap in non-blocking mode, as the
 * stored trace shows. Timing-dependent: own file, ratios and lower bounds only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../common/api';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from '../../integration/lab/harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir);
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

async function runTen(mode: 'blocking' | 'nonblocking'): Promise<{ summary: RunSummary; events: TraceEvent[] }> {
  const put = await lab.json('PUT', '/api/config', {
    mode,
    dbLatencyMs: 100,
    poolSize: 10,
    cpuMs: 0,
    workers: 1,
    executorThreads: 0,
  });
  expect(put.status).toBe(200);
  // One unmeasured run first, so connections and JIT are warm in both modes alike.
  const warm = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 10, concurrency: 10, route: 'getUser' });
  await lab.waitForRun(warm.body.id);
  const { body } = await lab.json<{ id: string }>('POST', '/api/runs', {
    requests: 10,
    concurrency: 10,
    route: 'getUser',
  });
  const summary = await lab.waitForRun(body.id);
  const text = await (await fetch(`${lab.url}/api/runs/${body.id}/trace`)).text();
  const events = text
    .trim()
    .split('\n')
    .map((line) => {
      const parsed = parseTraceEvent(JSON.parse(line));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.event;
    });
  return { summary, events };
}

/** The most requests the subject held between accepted and responded at one moment. */
function maxOverlap(events: TraceEvent[]): number {
  const edges = events
    .flatMap((e) =>
      e.type === 'subject.accepted' ? [{ t: e.t, d: 1 }] : e.type === 'subject.responded' ? [{ t: e.t, d: -1 }] : [],
    )
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const edge of edges) max = Math.max(max, (now += edge.d));
  return max;
}

const span = (events: TraceEvent[]) => {
  const sent = events.filter((e) => e.type === 'client.sent').map((e) => e.t);
  const done = events.filter((e) => e.type === 'client.done').map((e) => e.t);
  return Math.max(...done) - Math.min(...sent);
};

describe('blocking vs non-blocking through the lab', () => {
  it('serialises ten requests in blocking mode and overlaps them in non-blocking mode', async () => {
    const blocking = await runTen('blocking');
    const nonblocking = await runTen('nonblocking');
    for (const { summary } of [blocking, nonblocking])
      expect(summary).toMatchObject({ status: 'done', completed: 10, errors: 0 });

    // Blocking: one at a time, at least nine round trips, a loop held for a round trip.
    expect(maxOverlap(blocking.events)).toBe(1);
    expect(span(blocking.events)).toBeGreaterThanOrEqual(9 * 100 * 0.9);
    expect(blocking.summary.loop.delayMaxMs).toBeGreaterThanOrEqual(80);
    // Non-blocking: all in flight together, several times quicker, a freer loop.
    expect(maxOverlap(nonblocking.events)).toBeGreaterThanOrEqual(8);
    expect(span(blocking.events) / span(nonblocking.events)).toBeGreaterThanOrEqual(5);
    expect(nonblocking.summary.loop.delayMaxMs).toBeLessThan(blocking.summary.loop.delayMaxMs);
  });
});
