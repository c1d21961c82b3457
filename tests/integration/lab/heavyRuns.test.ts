/**
 * Heavy use never takes the lab down: a big import does not stall the API, an open-loop run
 * far above the subject's capacity still ends (and says what it could not send), and a run
 * deleted as it finishes stays deleted.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../common/api';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { bigTrace } from './bigTrace';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from './harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

const filesOf = async (id: string) =>
  (await readdir(path.join(data.dir, 'runs'))).filter((name) => name.startsWith(id));

describe('deleting a run as it finishes', () => {
  it('never lists it again and leaves no file behind', async () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const { body } = await lab.json<{ id: string }>('POST', '/api/runs', {
        requests: 30 + attempt * 7,
        concurrency: 3,
      });
      // DELETE answers 409 while the run runs; the first 204 lands as close to its end as a client can get.
      let status = 409;
      while (status === 409) status = (await lab.json('DELETE', `/api/runs/${body.id}`)).status;
      expect(status).toBe(204);
      await lab.lab.settled();
      expect((await lab.json('GET', `/api/runs/${body.id}`)).status).toBe(404);
      expect((await lab.json<RunSummary[]>('GET', '/api/runs')).body.map((run) => run.id)).not.toContain(body.id);
      expect((await fetch(`${lab.url}/api/runs/${body.id}/trace`)).status).toBe(404);
      expect(await filesOf(body.id)).toEqual([]);
    }
  });
});

describe('importing a large trace', () => {
  it('keeps the API answering while it streams, and refuses a second import at the same time with 429', async () => {
    const { text, requests } = bigTrace(40);
    const file = Buffer.from(text);
    const runsDir = path.join(data.dir, 'runs');
    const before = new Set(await readdir(runsDir));
    const began = performance.now();
    let importEnded = 0;
    const importing = fetch(`${lab.url}/api/runs/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: file,
    }).then(async (res) => {
      importEnded = performance.now();
      return { status: res.status, body: (await res.json()) as RunSummary & { error?: string } };
    });

    // The lab's API while the import runs: when each answer came back.
    const answeredAt: number[] = [];
    const polling = (async () => {
      while (!importEnded) {
        const res = await fetch(`${lab.url}/api/config`);
        expect(res.status).toBe(200);
        await res.text();
        answeredAt.push(performance.now());
      }
    })();

    // Once the first import is writing its file, a second one is refused, not queued.
    while (!(await readdir(runsDir)).some((name) => !before.has(name)))
      await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await fetch(`${lab.url}/api/runs/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: text.slice(0, text.indexOf('\n') + 1),
    });
    const secondBody = (await second.json()) as { error: string };
    expect(importEnded).toBe(0);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(secondBody.error).toMatch(/one at a time/);

    const first = await importing;
    await polling;
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ imported: true, status: 'done', completed: requests, errors: 0 });
    const during = answeredAt.filter((at) => at < importEnded);
    // The API answered throughout: many times, and never with a gap that is a large share of the import.
    expect(during.length).toBeGreaterThanOrEqual(20);
    const gaps = during.map((at, i) => at - (during[i - 1] ?? began));
    expect(Math.max(...gaps)).toBeLessThan((importEnded - began) / 4);
    expect((await readdir(runsDir)).filter((name) => name.endsWith('.importing'))).toEqual([]);
    // Once it is done, the next import is accepted.
    const third = await fetch(`${lab.url}/api/runs/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: text.slice(0, text.indexOf('\n') + 1),
    });
    expect(third.status).toBe(201);
  });
});

const traceOf = async (id: string): Promise<{ text: string; events: TraceEvent[] }> => {
  const text = await (await fetch(`${lab.url}/api/runs/${id}/trace`)).text();
  const events = text
    .trim()
    .split('\n')
    .map((line) => {
      const parsed = parseTraceEvent(JSON.parse(line));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.event;
    });
  return { text, events };
};

describe("an open-loop run far above the subject's capacity", () => {
  it('ends, counts what it could not send, and samples a trace that would not fit the import limit', async () => {
    // 120,000 arrivals: more than a trace holds in full, and far more than the subject answers in 6 s.
    const plan = { ratePerSec: 20_000, durationSec: 6 };
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', plan);
    const run = await lab.waitForRun(body.id, 120_000);
    expect(run.status).toBe('done');
    expect(run.notSent).toBeGreaterThan(0);
    // Every arrival is either answered (sent) or counted as not sent.
    expect(run.completed + run.notSent!).toBe(plan.ratePerSec * plan.durationSec);
    expect(run.tracedOneIn).toBe(2);
    const { text, events } = await traceOf(body.id);
    const rids = new Set(events.flatMap((e) => ('rid' in e && e.rid.startsWith(`${body.id}-`) ? [e.rid] : [])));
    expect(rids.size).toBeGreaterThan(0);
    expect([...rids].every((rid) => Number(rid.slice(body.id.length + 1)) % 2 === 0)).toBe(true);
    // The sampled trace re-imports with the same numbers.
    const imported = await fetch(`${lab.url}/api/runs/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: text,
    });
    expect(imported.status).toBe(201);
    const { id: _a, imported: _b, ...numbers } = (await imported.json()) as RunSummary;
    const { id: _c, ...original } = run;
    expect(numbers).toEqual(original);
  });

  it('is cancelled at once', async () => {
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', { ratePerSec: 20_000, durationSec: 120 });
    const began = performance.now();
    let live: RunSummary | undefined;
    while (!live || live.completed < 100 || (live.notSent ?? 0) === 0 || performance.now() - began < 3000) {
      live = (await lab.json<RunSummary>('GET', `/api/runs/${body.id}`)).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const running = performance.now() - began;
    const asked = performance.now();
    const cancelled = await lab.json<RunSummary>('POST', `/api/runs/${body.id}/cancel`);
    const cancelMs = performance.now() - asked;
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.notSent).toBeGreaterThan(0);
    // Cancelling takes a small share of the time the run had been running (the run had queued nothing).
    expect(cancelMs).toBeLessThan(running / 3);
    expect((await lab.json<RunSummary>('GET', `/api/runs/${body.id}`)).body.status).toBe('cancelled');
  });
});
