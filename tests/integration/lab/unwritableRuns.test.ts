import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, RunSummary } from '../../../common/api';
import { TRACE_VERSION } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeUnwritable, type Fault } from './faults';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from './harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
let fault: Fault | undefined;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await fault?.undo();
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

describe('a runs folder the lab cannot write to', () => {
  it('ends the run as failed with the reason, keeps the lab up and says so in /api/health', async () => {
    const before = await lab.json<HealthResponse>('GET', '/api/health');
    expect(before.body.runs).toEqual({ canSave: true });

    fault = await makeUnwritable(path.join(data.dir, 'runs'));
    const started = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 200, concurrency: 10 });
    expect(started.status, fault.how).toBe(202);
    const run = await lab.waitForRun(started.body.id);
    expect(run.status).toBe('failed');
    expect(run.message).toMatch(/could not be saved: E(PERM|ACCES)/);
    expect(run.message).toContain(started.body.id);

    // The lab is still up: it lists the failed run and says why new runs will fail too.
    const listed = await lab.json<RunSummary[]>('GET', '/api/runs');
    expect(listed.body.find((r) => r.id === started.body.id)?.status).toBe('failed');
    const health = await lab.json<HealthResponse>('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.runs?.canSave).toBe(false);
    expect(health.body.runs?.message).toMatch(/^runs cannot be saved: E(PERM|ACCES)/);

    // An import cannot be stored either: a clear 503, not a 500.
    const trace = [
      { type: 'run.started', t: run.startedAt, runId: 'x', version: TRACE_VERSION, config: run.config, plan: run.plan },
      { type: 'run.finished', t: run.startedAt + 1, runId: 'x', status: 'done' },
    ];
    const imported = await fetch(`${lab.url}/api/runs/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: trace.map((e) => JSON.stringify(e)).join('\n'),
    });
    expect(imported.status).toBe(503);
    expect(((await imported.json()) as { error: string }).error).toMatch(/could not be saved: E(PERM|ACCES)/);
  });

  it('saves runs again once the folder is writable', async () => {
    await fault?.undo();
    fault = undefined;
    const started = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 50, concurrency: 5 });
    expect(started.status).toBe(202);
    expect((await lab.waitForRun(started.body.id)).status).toBe('done');
    const health = await lab.json<HealthResponse>('GET', '/api/health');
    expect(health.body.runs).toEqual({ canSave: true });
  });
});
