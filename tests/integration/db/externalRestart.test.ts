/**
 * An external database (MONGODB_URI) is not the lab's to restart: when it stops answering the
 * keeper retries it with backoff and the lab says so (down, why, next retry); the subject is
 * not ready and no run starts meanwhile, a config change included; when the database is back
 * on the same address, runs work again. The "external" database is the embedded server in a
 * process of its own, killed with `kill -9` and started again on the same port.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HealthResponse } from '../../../common/api';
import { type EmbeddedServer, startEmbeddedServer } from '../../../server/db/embedded';
import { type DatabaseKeeper, type DatabaseState, keepDatabase } from '../../../server/db/keeper';
import { startDatabase, type StartedDatabase } from '../../../server/db/resolve';
import { seedUsersAt } from '../../../server/db/seed';
import { makeDataDir, startLab, type RunningLab } from '../lab/harness';
import { isAlive } from './helpers';

let server: EmbeddedServer;
let database: StartedDatabase;
let keeper: DatabaseKeeper;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
const logged: string[] = [];
const reports: Array<DatabaseState & { at: number }> = [];

beforeAll(async () => {
  server = await startEmbeddedServer();
  await seedUsersAt(server.uri);
  database = await startDatabase({ mongodbUri: server.uri });
  keeper = keepDatabase(database, {
    seed: () => Promise.reject(new Error('an external database is never seeded by the keeper')),
    log: (line) => logged.push(line),
    onChange: (up, message, state) => {
      reports.push({ ...state, at: Date.now() });
      lab?.lab.onDatabaseChange(up, message, state);
    },
  });
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
}, 120_000);

afterAll(async () => {
  await lab?.close();
  await keeper?.stop();
  await server?.stop();
  await data?.remove();
});

async function healthUntil(accept: (health: HealthResponse) => boolean, what: string): Promise<HealthResponse> {
  const deadline = Date.now() + 90_000; // a hang detector, not a speed goal
  for (;;) {
    const { body } = await lab.json<HealthResponse>('GET', '/api/health');
    if (accept(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last health: ${JSON.stringify(body)}\n${logged.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('retries a dead external database with backoff, reports it, keeps the subject unready, and runs again once it is back', async () => {
  expect(database.info.kind).toBe('external');
  expect(database.process).toBeUndefined();
  const first = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 50, concurrency: 5 });
  expect((await lab.waitForRun(first.body.id)).status).toBe('done');

  const { port, pid } = server;
  process.kill(pid, 'SIGKILL');
  const down = await healthUntil(
    (h) => !h.database.up && h.database.nextRetryAt !== undefined,
    'the database to be reported down with a next retry',
  );
  expect(down.database.message).toMatch(
    /^the database at mongodb:\/\/127\.0\.0\.1:\d+\/? does not answer \(.+\); next retry in \d+\.\d s$/,
  );
  expect(Number.isNaN(Date.parse(down.database.nextRetryAt!))).toBe(false);
  expect(down.database.restarting).toBeUndefined();
  expect(down.subject.state).not.toBe('ready');
  expect(down.status).toBe('degraded');
  expect(isAlive(pid)).toBe(false);

  // No run starts while it is down: a clear 503 that says why, not a pool that fails to warm.
  const refused = await lab.json<{ error: string }>('POST', '/api/runs', { requests: 50, concurrency: 5 });
  expect(refused.status).toBe(503);
  expect(refused.body.error).toMatch(/database is down: .*does not answer/);

  // A config change restarts the subject (its processes connect while the database is down;
  // blocking mode's calls go through database threads): it still must not be declared ready.
  const changed = await lab.json('PUT', '/api/config', { workers: 2, mode: 'blocking' });
  expect(changed.status).toBe(200);
  const afterChange = await healthUntil(
    (h) => h.config.workers === 2 && !h.database.up,
    'the new config with the database still down',
  );
  expect(afterChange.subject.state).not.toBe('ready');

  // Backoff: the retries get further apart.
  await healthUntil(() => reports.filter((r) => !r.up).length >= 4, 'four retries');
  const delays = reports.filter((r) => !r.up).map((r) => r.nextRetryAt! - r.at);
  for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);

  // The database comes back on the same address (a real one would keep its data: seed this one).
  server = await startEmbeddedServer({ port });
  await seedUsersAt(server.uri);
  const back = await healthUntil(
    (h) => h.database.up && h.database.nextRetryAt === undefined && h.subject.state === 'ready',
    'the database to be back',
  );
  expect(back.database.message).toMatch(/answers again after \d+\.\d s/);
  expect(back.status).toBe('ok');
  expect(logged.some((line) => /does not answer .*retrying with backoff/.test(line))).toBe(true);

  const next = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 50, concurrency: 5 });
  expect(next.status).toBe(202);
  const run = await lab.waitForRun(next.body.id);
  expect(run, JSON.stringify(run)).toMatchObject({ status: 'done', completed: 50, errors: 0 });
}, 240_000);
