/**
 * A config change whose subject does not start (here: every new Node process refuses to
 * boot, a real failed spawn) must leave the lab usable: the old config stays, the state is
 * not stuck at "restarting", and the subject comes back once processes start again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HealthResponse, RunSummary } from '../../../common/api';
import type { LabConfig } from '../../../common/config';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from '../lab/harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
const savedNodeOptions = process.env.NODE_OPTIONS;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0, mode: 'nonblocking' } });
});

afterAll(async () => {
  if (savedNodeOptions === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = savedNodeOptions;
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

async function healthUntil(accept: (health: HealthResponse) => boolean, what: string): Promise<HealthResponse> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await lab.json<HealthResponse>('GET', '/api/health');
    if (accept(body)) return body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last health: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('keeps the old config and comes back when the new subject fails to start', async () => {
  // Children inherit the lab's environment: with this, no new Node process can boot.
  process.env.NODE_OPTIONS = '--no-such-flag-for-this-test';
  const put = await lab.json<{ error: string }>('PUT', '/api/config', { poolSize: 7 });
  expect(put.status).toBe(503);
  expect(put.body.error).toMatch(/could not apply the config/);
  expect((await lab.json<LabConfig>('GET', '/api/config')).body.poolSize).toBe(10);
  const failed = await healthUntil((h) => h.subject.state === 'down', 'the subject to be reported down');
  expect(failed.subject.message).toMatch(/kept the previous one.*retrying/);

  process.env.NODE_OPTIONS = savedNodeOptions ?? '';
  const back = await healthUntil((h) => h.subject.state === 'ready', 'the subject to come back');
  expect(back.config.poolSize).toBe(10);
  const run = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 20, concurrency: 4 });
  expect(run.status).toBe(202);
  expect(await lab.waitForRun(run.body.id)).toMatchObject<Partial<RunSummary>>({ status: 'done', errors: 0 });

  // And the change the user wanted still works once processes can start.
  const retried = await lab.json<LabConfig>('PUT', '/api/config', { poolSize: 7 });
  expect(retried.status).toBe(200);
  expect(retried.body.poolSize).toBe(7);
}, 120_000);
