import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, RunSummary } from '../../../common/api';
import type { LabConfig } from '../../../common/config';
import { parseTraceEvent, REQUEST_LIFECYCLE, TRACE_VERSION, type TraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { summarizeTrace } from '../../../common/runSummary';
import { liveChildren } from '../../../server/process/children';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from './harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
let childrenBefore = 0;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  childrenBefore = liveChildren();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

const parseLines = (text: string): TraceEvent[] =>
  text
    .trim()
    .split('\n')
    .map((line) => {
      const parsed = parseTraceEvent(JSON.parse(line));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.event;
    });

async function fetchTrace(id: string): Promise<{ text: string; events: TraceEvent[] }> {
  const text = await (await fetch(`${lab.url}/api/runs/${id}/trace`)).text();
  return { text, events: parseLines(text) };
}

describe('health and config', () => {
  it('reports the database, the subject and the config', async () => {
    const { status, body } = await lab.json<HealthResponse>('GET', '/api/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.database).toMatchObject({ kind: 'embedded', up: true });
    expect(body.subject.state).toBe('ready');
    expect(body.config.dbLatencyMs).toBe(0);
  });

  it('applies a partial config and answers with the whole applied config', async () => {
    const put = await lab.json<LabConfig>('PUT', '/api/config', { poolSize: 4, cpuMs: 1 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ poolSize: 4, cpuMs: 1, dbLatencyMs: 0, mode: 'nonblocking' });
    expect((await lab.json<LabConfig>('GET', '/api/config')).body).toEqual(put.body);
    await lab.json('PUT', '/api/config', { poolSize: 10, cpuMs: 0 });
  });

  // The refusals (400/413 for bad config bodies) are unit tests: tests/unit/lab/validation.test.ts.
});

describe('runs', () => {
  let finished: RunSummary;

  it('runs a closed loop and stores a summary that agrees with its trace', async () => {
    const started = await lab.json<{ id: string }>('POST', '/api/runs', {
      requests: 30,
      concurrency: 5,
      route: 'getUser',
    });
    expect(started.status).toBe(202);
    finished = await lab.waitForRun(started.body.id);
    expect(finished).toMatchObject({
      status: 'done',
      completed: 30,
      errors: 0,
      plan: { requests: 30, concurrency: 5, route: 'getUser' },
    });
    const { events } = await fetchTrace(finished.id);
    expect(events[0]).toMatchObject({ type: 'run.started', runId: finished.id, version: TRACE_VERSION });
    // Which driver served the run, in words: the lab's config is non-blocking Node here.
    expect((events[0] as { driver?: string }).driver).toMatch(
      /^mongodb \d+\.\d+\.\d+ \(Node\), (awaited|behind a blocking facade)/,
    );
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', runId: finished.id, status: 'done' });
    expect(summarizeTrace(events, { id: finished.id })).toEqual(finished);
    expect((await lab.json<RunSummary[]>('GET', '/api/runs')).body.map((r) => r.id)).toContain(finished.id);
  });

  it('runs an open loop at the asked rate, with latency counted from each scheduled time', async () => {
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', {
      ratePerSec: 40,
      durationSec: 1,
      route: 'stats',
    });
    const summary = await lab.waitForRun(body.id);
    expect(summary).toMatchObject({
      status: 'done',
      completed: 40,
      errors: 0,
      plan: { ratePerSec: 40, durationSec: 1, route: 'stats' },
    });
    const { events } = await fetchTrace(body.id);
    const due = events.flatMap((e) => (e.type === 'client.sent' && e.scheduledAt !== undefined ? [e.scheduledAt] : []));
    expect(due).toHaveLength(40);
    expect(due[39]! - due[0]!).toBeCloseTo(39 * 25, 0);
  });

  it('records a complete, ordered lifecycle for every request', async () => {
    const { events } = await fetchTrace(finished.id);
    const byRid = new Map<string, TraceEvent[]>();
    for (const e of events) if ('rid' in e) byRid.set(e.rid, [...(byRid.get(e.rid) ?? []), e]);
    expect(byRid.size).toBe(30);
    for (const [rid, list] of byRid) {
      const at = (type: TraceEvent['type']) => {
        const found = list.filter((e) => e.type === type);
        expect(found, `${rid} ${type}`).toHaveLength(1);
        return found[0]!.t;
      };
      const [sent, accepted, responded, firstByte, done] = REQUEST_LIFECYCLE.map(at) as [
        number,
        number,
        number,
        number,
        number,
      ];
      expect(sent).toBeLessThanOrEqual(accepted);
      expect(accepted).toBeLessThanOrEqual(responded);
      expect(accepted).toBeLessThanOrEqual(firstByte);
      expect(firstByte).toBeLessThanOrEqual(done);
      // The subject stamps subject.responded on the response's 'finish' (data handed to the
      // kernel), which can come a hair after the client already read it.
      expect(responded).toBeLessThanOrEqual(done + 5);
    }
  });

  // Bad plans and bad run ids: tests/unit/lab/validation.test.ts.

  it('answers 409 while a run is in progress, and cancels it on request', async () => {
    await lab.json('PUT', '/api/config', { dbLatencyMs: 50 });
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 200, concurrency: 1 });
    const second = await lab.json<{ error: string }>('POST', '/api/runs', { requests: 1, concurrency: 1 });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatch(/already running/);
    const config = await lab.json<{ error: string }>('PUT', '/api/config', { dbLatencyMs: 0 });
    expect(config.status).toBe(409);
    expect((await lab.json('DELETE', `/api/runs/${body.id}`)).status).toBe(409);
    // A running run's numbers are live.
    const deadline = Date.now() + 10_000;
    let live: RunSummary | undefined;
    while (Date.now() < deadline && !(live && live.completed >= 3)) {
      live = (await lab.json<RunSummary>('GET', `/api/runs/${body.id}`)).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(live).toMatchObject({ status: 'running' });
    expect(live!.completed).toBeGreaterThanOrEqual(3);
    const cancelled = await lab.json<RunSummary>('POST', `/api/runs/${body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.completed).toBeLessThan(200);
    expect((await lab.json('PUT', '/api/config', { dbLatencyMs: 0 })).status).toBe(200);
  });

  it('exports a run and imports it back with the same numbers', async () => {
    const { text } = await fetchTrace(finished.id);
    const res = await fetch(`${lab.url}/api/runs/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: text,
    });
    expect(res.status).toBe(201);
    const imported = (await res.json()) as RunSummary;
    expect(imported.id).not.toBe(finished.id);
    expect(imported.imported).toBe(true);
    const { id: _a, imported: _b, ...numbers } = imported;
    const { id: _c, ...original } = finished;
    expect(numbers).toEqual(original);
    const again = await fetchTrace(imported.id);
    expect(again.events.length).toBe(text.trim().split('\n').length);
    expect(again.events[0]).toMatchObject({ type: 'run.started', runId: imported.id });
  });

  it('refuses a bad trace file with the line number, and one over 50 MB with 413', async () => {
    const { text } = await fetchTrace(finished.id);
    const lines = text.trim().split('\n');
    lines.splice(3, 0, '{"type":"client.done","t":1,"rid":"x","status":"ok"}');
    const ndjson = { 'content-type': 'application/x-ndjson' };
    const bad = await fetch(`${lab.url}/api/runs/import`, { method: 'POST', headers: ndjson, body: lines.join('\n') });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid trace file: line 4: status/);
    const big = await fetch(`${lab.url}/api/runs/import`, {
      method: 'POST',
      headers: ndjson,
      body: `${lines[0]}\n${' '.repeat(51 * 1024 * 1024)}`,
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/50 MB/);
    const empty = await fetch(`${lab.url}/api/runs/import`, { method: 'POST', headers: ndjson, body: '' });
    expect(empty.status).toBe(400);
  });

  it('deletes a run and its file', async () => {
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 2, concurrency: 1 });
    await lab.waitForRun(body.id);
    expect((await lab.json('DELETE', `/api/runs/${body.id}`)).status).toBe(204);
    expect((await lab.json('GET', `/api/runs/${body.id}`)).status).toBe(404);
    await expect(readFile(path.join(data.dir, 'runs', `${body.id}.jsonl`))).rejects.toThrow();
  });
});

describe('/subject/* forwarding', () => {
  it('forwards a request unchanged and traces it with its client tag', async () => {
    const res = await fetch(`${lab.url}/subject/users/alice?client=phone-7`, {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Alice/);
    expect(res.headers.get('x-lab-rid')).toMatch(/^m-/);
  });

  it('passes the subject’s own 4xx through: an operator is never a username', async () => {
    const post = await fetch(`${lab.url}/subject/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lab-client': 'mallory' },
      body: JSON.stringify({ username: { $ne: null }, first_name: 'M' }),
    });
    expect(post.status).toBe(400);
    const query = await fetch(`${lab.url}/subject/users?username[$ne]=`);
    expect(query.status).toBe(400);
    expect((await fetch(`${lab.url}/subject/users/nobody-here`)).status).toBe(404);
  });

  it('refuses a client tag that is not a short name', async () => {
    const res = await fetch(`${lab.url}/subject/users/alice`, { headers: { 'x-lab-client': '<script>' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/client tag/);
  });
});

describe('storage across restarts', () => {
  it('keeps every run when the lab restarts, and closes a run a crash left open', async () => {
    const before = (await lab.json<RunSummary[]>('GET', '/api/runs')).body;
    expect(before.length).toBeGreaterThan(0);
    await lab.close();
    // A crash mid-run: run.started, one complete request, and a line cut short.
    const crashed = 'zzzzzz-abcdef';
    const start = {
      type: 'run.started',
      t: 1,
      runId: crashed,
      version: TRACE_VERSION,
      config: before[0]!.config,
      plan: { requests: 2, concurrency: 1 },
    };
    const lines = [
      start,
      { type: 'client.sent', t: 2, rid: 'a', route: 'getUser' },
      { type: 'client.done', t: 5, rid: 'a', status: 200 },
    ].map((e) => JSON.stringify(e));
    await writeFile(path.join(data.dir, 'runs', `${crashed}.jsonl`), `${lines.join('\n')}\n{"type":"client.se`);

    lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
    const after = (await lab.json<RunSummary[]>('GET', '/api/runs')).body;
    for (const run of before) expect(after.find((r) => r.id === run.id)).toEqual(run);
    const recovered = after.find((r) => r.id === crashed)!;
    expect(recovered).toMatchObject({ status: 'failed', completed: 1, errors: 0 });
    expect(recovered.message).toMatch(/stopped before this run finished/);
    const text = await (await fetch(`${lab.url}/api/runs/${crashed}/trace`)).text();
    expect(text.trim().split('\n').at(-1)).toMatch(/"type":"run.finished"/);
  });

  it('leaves no child processes behind when it closes', async () => {
    expect(liveChildren()).toBeGreaterThan(childrenBefore);
    await lab.close();
    expect(liveChildren()).toBe(childrenBefore);
    lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
  });
});
