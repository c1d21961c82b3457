/**
 * The long-poll run kind (POST /api/runs {"route":"longPoll"}) on the Tornado subject,
 * through the real lab: 500 long-polls parked on the IOLoop, one publish, every one
 * answered; with blocking pymongo, one waiter at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../common/api';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from '../lab/harness';
import { noTornado } from './python';

const WAITERS = 500;

async function traceOf(lab: RunningLab, id: string): Promise<TraceEvent[]> {
  const text = await (await fetch(`${lab.url}/api/runs/${id}/trace`)).text();
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const parsed = parseTraceEvent(JSON.parse(line));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.event;
    });
}

/** The most long-polls whose handlers ran at one moment (between accepted and responded). */
function maxServedAtOnce(events: TraceEvent[]): number {
  const edges = events
    .flatMap((e) => (e.type === 'subject.accepted' && e.route === 'longPoll' ? [{ t: e.t, d: 1 }] : []))
    .concat(
      events.flatMap((e) => (e.type === 'subject.responded' && !e.rid.endsWith('-publish') ? [{ t: e.t, d: -1 }] : [])),
    )
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const edge of edges) max = Math.max(max, (now += edge.d));
  return max;
}

const answers = (events: TraceEvent[]) =>
  events.filter(
    (e): e is Extract<TraceEvent, { type: 'client.done' }> => e.type === 'client.done' && !e.rid.endsWith('-publish'),
  );

describe.skipIf(noTornado)('a long-poll run on the Tornado subject', () => {
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

  async function longPollRun(config: object, plan: object): Promise<{ summary: RunSummary; events: TraceEvent[] }> {
    const applied = await lab.json('PUT', '/api/config', { runtime: 'tornado', dbLatencyMs: 0, workers: 1, ...config });
    expect(applied.status).toBe(200);
    const started = await lab.json<{ id: string; error?: string }>('POST', '/api/runs', { route: 'longPoll', ...plan });
    expect(started.status, started.body.error).toBe(202);
    const summary = await lab.waitForRun(started.body.id, 300_000);
    if (summary.status !== 'done') console.error('long-poll run ended', summary);
    return { summary, events: await traceOf(lab, started.body.id) };
  }

  it(`holds ${WAITERS} long-polls on the IOLoop (Motor) and answers every one 200 after one publish`, async () => {
    const { summary, events } = await longPollRun({ mode: 'nonblocking' }, { concurrency: WAITERS, holdMs: 60_000 });
    expect(summary.status).toBe('done');
    expect(events.find((e) => e.type === 'run.started')).toMatchObject({
      driver: expect.stringMatching(/Motor|AsyncMongoClient/),
    });
    const done = answers(events);
    expect(done).toHaveLength(WAITERS);
    // Every answer a 200; a failure lists the others (status and error), not only their count.
    expect(done.filter((e) => e.status !== 200).map((e) => ({ status: e.status, error: e.error }))).toEqual([]);
    const published = events.filter((e) => e.type === 'run.published');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ via: 'subject' });
    expect(Math.min(...done.map((e) => e.t))).toBeGreaterThan(published[0]!.t);
    expect(summary.peakConcurrent).toBeGreaterThanOrEqual(WAITERS - 10);
    expect(summary.subjectMemory?.peakRssBytes).toBeGreaterThanOrEqual(summary.subjectMemory?.idleRssBytes ?? Infinity);
    expect(summary.publishToLastAnswerMs).toBeGreaterThan(0);
    // One database read answered them all, made by a waiter running the Python handler.
    const waiterReads = events.filter(
      (e): e is Extract<TraceEvent, { type: 'db.call' }> => e.type === 'db.call' && !e.rid.endsWith('-publish'),
    );
    expect(waiterReads).toHaveLength(1);
    const reader = waiterReads[0]!.rid;
    expect(events.find((e) => e.type === 'handler.step' && e.rid === reader)).toMatchObject({
      handler: 'long_poll_nonblocking.py',
    });
  }, 300_000);

  it('serves at most one waiter at a time with blocking pymongo, and still answers them all', async () => {
    const { summary, events } = await longPollRun(
      { mode: 'blocking', executorThreads: 0 },
      { concurrency: WAITERS, holdMs: 1000 },
    );
    expect(summary.status).toBe('done');
    const done = answers(events);
    expect(done).toHaveLength(WAITERS);
    // Every answer a 200; a failure lists the others (status and error), not only their count.
    expect(done.filter((e) => e.status !== 200).map((e) => ({ status: e.status, error: e.error }))).toEqual([]);
    expect(events.find((e) => e.type === 'run.published')).toMatchObject({ via: 'database' });
    expect(events.find((e) => e.type === 'handler.step')).toMatchObject({ handler: 'long_poll_blocking.py' });
    expect(maxServedAtOnce(events)).toBe(1);
    expect(summary.peakConcurrent).toBe(1);
  }, 300_000);

  it('holds at most executorThreads waiters with run_in_executor', async () => {
    const { summary, events } = await longPollRun(
      { mode: 'blocking', executorThreads: 4 },
      { concurrency: 40, holdMs: 1000 },
    );
    expect(summary.status).toBe('done');
    const done = answers(events);
    expect(done).toHaveLength(40);
    // Every answer a 200; a failure lists the others (status and error), not only their count.
    expect(done.filter((e) => e.status !== 200).map((e) => ({ status: e.status, error: e.error }))).toEqual([]);
    expect(summary.peakConcurrent).toBe(4);
  }, 300_000);
});
