/**
 * The subject process is killed (`kill -9`) in the middle of a run: hand-sent requests get
 * 503 with Retry-After while it restarts (not 502), and the run ends as failed saying why
 * instead of counting requests to a dead port as the subject's answers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HealthResponse } from '../../../common/api';
import type { StartedDatabase } from '../../../server/db/resolve';
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

it('answers 503 with Retry-After while the subject restarts and fails the run it interrupted', async () => {
  const plan = { ratePerSec: 100, durationSec: 60 };
  const started = await lab.json<{ id: string }>('POST', '/api/runs', plan);
  expect(started.status).toBe(202);
  // Wait until the run is really sending, then kill the subject under it.
  const deadline = Date.now() + 30_000;
  while ((await lab.json<{ completed: number }>('GET', `/api/runs/${started.body.id}`)).body.completed < 20) {
    if (Date.now() > deadline)
      throw new Error(
        `the run never got going: ${JSON.stringify((await lab.json('GET', `/api/runs/${started.body.id}`)).body)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(lab.supervisor.pids().subject!, 'SIGKILL');

  const statuses: Array<{ status: number; retryAfter: string | null }> = [];
  for (;;) {
    const res = await fetch(`${lab.url}/subject/users/alice`);
    await res.arrayBuffer();
    if (res.status === 200 && statuses.length > 0) break;
    if (res.status !== 200) statuses.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
    if (statuses.length > 10_000) throw new Error('the subject never came back');
  }
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s.status !== 503 || s.retryAfter === null)).toEqual([]);

  const run = await lab.waitForRun(started.body.id);
  expect(run.status).toBe('failed');
  expect(run.message).toMatch(/the subject (restarted|went down) during the run/);
  // It did not keep sending to a dead port: it ended before its planned end, short of its planned requests.
  expect(run.durationMs).toBeLessThan(plan.durationSec * 1000);
  expect(run.completed).toBeLessThan(plan.ratePerSec * plan.durationSec);

  const health = await lab.json<HealthResponse>('GET', '/api/health');
  expect(health.body.subject.state).toBe('ready');
  const next = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 20, concurrency: 4 });
  expect(await lab.waitForRun(next.body.id)).toMatchObject({ status: 'done', errors: 0 });
}, 180_000);
