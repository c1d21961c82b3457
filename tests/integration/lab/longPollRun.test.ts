/**
 * The long-poll run kind through the real lab: 2,000 long-polls held by the real subject,
 * one publish, every one answered; in blocking mode, one waiter at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../common/api';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from './harness';

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

async function traceOf(id: string): Promise<TraceEvent[]> {
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

async function longPollRun(config: object, plan: object): Promise<{ summary: RunSummary; events: TraceEvent[] }> {
  expect((await lab.json('PUT', '/api/config', { dbLatencyMs: 0, workers: 1, ...config })).status).toBe(200);
  const started = await lab.json<{ id: string }>('POST', '/api/runs', { route: 'longPoll', ...plan });
  expect(started.status).toBe(202);
  const summary = await lab.waitForRun(started.body.id, 300_000);
  if (summary.status !== 'done') console.error('long-poll run ended', summary);
  return { summary, events: await traceOf(started.body.id) };
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

describe('a long-poll run', () => {
  it('refuses bad plans with 400: over 10,000, requests unlike concurrency, an unbounded hold, unknown fields', async () => {
    for (const plan of [
      { concurrency: 10_001 },
      { concurrency: 10, requests: 11 },
      { concurrency: 10, holdMs: 60_001 },
      { concurrency: 10, extra: 1 },
      { concurrency: '10' },
    ]) {
      const reply = await lab.json<{ error: string }>('POST', '/api/runs', { route: 'longPoll', ...plan });
      expect(reply.status, JSON.stringify(plan)).toBe(400);
      expect(reply.body.error, JSON.stringify(plan)).toMatch(/long-poll run: .*(concurrency|requests|holdMs|unknown)/);
    }
    // Other routes keep their own bound.
    expect((await lab.json('POST', '/api/runs', { route: 'getUser', requests: 10, concurrency: 2001 })).status).toBe(
      400,
    );
  });

  it('refuses with 409 when a publish could not reach every waiter (several workers)', async () => {
    expect((await lab.json('PUT', '/api/config', { workers: 2 })).status).toBe(200);
    const reply = await lab.json<{ error: string }>('POST', '/api/runs', { route: 'longPoll', concurrency: 10 });
    expect(reply.status).toBe(409);
    expect(reply.body.error).toMatch(/workers: 1/);
    expect((await lab.json('PUT', '/api/config', { workers: 1 })).status).toBe(200);
  });

  it('holds 2,000 long-polls in non-blocking mode and answers every one 200 after one publish', async () => {
    const { summary, events } = await longPollRun({ mode: 'nonblocking' }, { concurrency: 2000, holdMs: 60_000 });
    expect(summary.status).toBe('done');
    const done = answers(events);
    expect(done).toHaveLength(2000);
    // Every answer a 200; a failure lists the others (status and error), not only their count.
    expect(done.filter((e) => e.status !== 200).map((e) => ({ status: e.status, error: e.error }))).toEqual([]);
    const published = events.filter((e) => e.type === 'run.published');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ via: 'subject' });
    // Every answer came after the one publish.
    expect(Math.min(...done.map((e) => e.t))).toBeGreaterThan(published[0]!.t);
    // The first waiters reach the subject while the rest are still being opened: the door fills
    // as they come. Opened all in one go, none could connect before the last was made.
    const sent = events.flatMap((e) => (e.type === 'client.sent' && !e.rid.endsWith('-publish') ? [e.t] : []));
    const accepted = events.flatMap((e) => (e.type === 'subject.accepted' && e.route === 'longPoll' ? [e.t] : []));
    expect(Math.min(...accepted)).toBeLessThan(Math.max(...sent));
    expect(summary.peakConcurrent).toBeGreaterThanOrEqual(1950);
    expect(summary.subjectMemory?.peakRssBytes).toBeGreaterThanOrEqual(summary.subjectMemory?.idleRssBytes ?? Infinity);
    expect(summary.publishToLastAnswerMs).toBeGreaterThan(0);
    expect(summary.waitingLoopDelayMs).toBeGreaterThanOrEqual(0);
    // Taking 2,000 requests in is work for the loop; holding them is not.
    expect(summary.arrivalLoopDelayMs).toBeGreaterThan(summary.waitingLoopDelayMs!);
    // One database read answered them all.
    const waiterReads = events.filter((e) => e.type === 'db.call' && !e.rid.endsWith('-publish'));
    expect(waiterReads).toHaveLength(1);
  }, 300_000);

  it('holds on past a hold shorter than the opening while waiters still arrive: one publish answers all', async () => {
    // holdMs 0: the hold is over before the first connection is open. Published then, nearly
    // every waiter would arrive after the news and make its own database read.
    const { summary, events } = await longPollRun({ mode: 'nonblocking' }, { concurrency: 2000, holdMs: 0 });
    expect(summary.status).toBe('done');
    const published = events.filter((e) => e.type === 'run.published');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ via: 'subject' });
    expect((published[0] as { waiting: number }).waiting).toBeGreaterThanOrEqual(1950);
    const waiterReads = events.filter((e) => e.type === 'db.call' && !e.rid.endsWith('-publish'));
    expect(waiterReads.length).toBeLessThanOrEqual(50);
    expect(answers(events).filter((e) => e.status !== 200)).toEqual([]);
  }, 300_000);

  it('serves at most one waiter at a time in blocking mode, and still answers all 2,000', async () => {
    const { summary, events } = await longPollRun(
      { mode: 'blocking', executorThreads: 0 },
      { concurrency: 2000, holdMs: 1000 },
    );
    expect(summary.status).toBe('done');
    const done = answers(events);
    expect(done).toHaveLength(2000);
    // Every answer a 200; a failure lists the others (status and error), not only their count.
    expect(done.filter((e) => e.status !== 200).map((e) => ({ status: e.status, error: e.error }))).toEqual([]);
    expect(events.find((e) => e.type === 'run.published')).toMatchObject({ via: 'database' });
    expect(maxServedAtOnce(events)).toBe(1);
    expect(summary.peakConcurrent).toBe(1);
  }, 300_000);
});
