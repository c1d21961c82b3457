/**
 * A database the lab started dies (`kill -9`) mid-session: the keeper starts it again on
 * the same port, re-seeds it, and the subject behind the latency proxy reconnects, so the
 * next run works without anyone restarting the lab.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepDatabase, type DatabaseKeeper } from '../../../server/db/keeper';
import { startDatabase, type StartedDatabase } from '../../../server/db/resolve';
import { LAB_DB_NAME, SEED_USER_COUNT, seedUsersAt, USERS_COLLECTION } from '../../../server/db/seed';
import { healthUntil, makeDataDir, startLab, type RunningLab } from '../lab/harness';

let database: StartedDatabase;
let keeper: DatabaseKeeper;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
const logged: string[] = [];

beforeAll(async () => {
  database = await startDatabase({ offline: true });
  await seedUsersAt(database.uri);
  keeper = keepDatabase(database, {
    seed: async (uri) => void (await seedUsersAt(uri)),
    log: (line) => logged.push(line),
    onChange: (up, message, state) => lab?.lab.onDatabaseChange(up, message, state),
  });
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await lab?.close();
  await keeper?.stop();
  await data?.remove();
});

it('restarts a killed embedded database on the same port, re-seeded, and the subject reconnects', async () => {
  const first = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 50, concurrency: 5 });
  expect((await lab.waitForRun(first.body.id)).status).toBe('done');

  const pid = database.process!.pid();
  process.kill(pid, 'SIGKILL');
  const health = await healthUntil(
    lab,
    (h) => h.database.up && h.subject.state === 'ready' && /restarted/.test(h.database.message ?? ''),
    'the database to be restarted',
  );
  expect(health.database.message).toMatch(/restarted .* after the database process exited \(SIGKILL\)/);
  expect(health.database.restarting).toBeUndefined();
  expect(database.process!.pid()).not.toBe(pid);
  expect(logged.some((line) => line.includes('the database process exited (SIGKILL)'))).toBe(true);

  // Same URI, seeded again: alice is back.
  const client = new MongoClient(database.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    expect(await client.db(LAB_DB_NAME).collection(USERS_COLLECTION).countDocuments({})).toBe(SEED_USER_COUNT);
  } finally {
    await client.close();
  }

  const next = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 50, concurrency: 5 });
  expect(next.status).toBe(202);
  const run = await lab.waitForRun(next.body.id);
  expect(run).toMatchObject({ status: 'done', completed: 50, errors: 0 });
}, 120_000);
