/**
 * A page is never left saying "the database is DOWN" after it answers again.
 *
 * The page hears the lab's health only in the live stream's hello and in `status` broadcasts.
 * A health check whose ping went unanswered within its second (a busy machine, a database
 * process held up a moment) said "down", and when the database answered the next ping no
 * one was told: the page said DOWN, and "Subject down", until something else changed. A
 * freshly started lab in the e2e suite showed exactly that for a whole minute (stop 28's CI).
 * Here the database process is held (SIGSTOP) while a page connects, then let go (SIGCONT).
 * And a held database is sent one ping at a time, not one more for every check that asks.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HealthResponse, LiveMessage } from '../../../common/api';
import type { StartedDatabase } from '../../../server/db/resolve';
import { healthUntil, makeDataDir, openLive, startLab, startSeededDatabase, until, type RunningLab } from './harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
let held: number | undefined;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  if (held) process.kill(held, 'SIGCONT');
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

const healthOf = (message: LiveMessage | undefined): HealthResponse | undefined =>
  message && (message.type === 'hello' || message.type === 'status') ? message.health : undefined;

/** Stops the database process (SIGSTOP) until the lab's ping goes unanswered and its health says the database is down. */
async function holdDatabase(): Promise<void> {
  held = database.process!.pid();
  process.kill(held, 'SIGSTOP');
  await healthUntil(lab, (health) => !health.database.up, 'the health to say the stopped database is down', 30_000);
}

function releaseDatabase(): void {
  process.kill(held!, 'SIGCONT');
  held = undefined;
}

it('tells a page the database is back when a ping answers again, with nothing else changing', async () => {
  await healthUntil(lab, (health) => health.subject.state === 'ready', 'the subject to be ready', 120_000);
  await holdDatabase();
  const live = await openLive(lab.url);
  try {
    await until(() => live.messages[0], 10_000, 'the hello');
    expect(healthOf(live.messages[0])).toMatchObject({ database: { up: false }, subject: { state: 'down' } });

    releaseDatabase();
    // Nothing else happens: no run, no config change, no keeper news. The page must still be told.
    const back = await until(
      () => live.messages.map(healthOf).find((h) => h?.database.up && h.subject.state === 'ready'),
      30_000,
      'a status that says the database is up again',
    );
    expect(back).toMatchObject({ status: 'ok', database: { up: true }, subject: { state: 'ready' } });
  } finally {
    live.socket.close();
  }
}, 180_000);

/** Commands the database has answered since it started (serverStatus.opcounters.command, as mongod counts them). */
async function commandsAnswered(): Promise<number> {
  const client = new MongoClient(database.uri, { directConnection: true });
  try {
    const status = await client.db('admin').command({ serverStatus: 1 });
    return (status as { opcounters: { command: number } }).opcounters.command;
  } finally {
    await client.close();
  }
}

/**
 * Holds the database until the lab's health says it is down, sends `bursts` bursts of 20
 * health checks at once, each waiting on a ping (it takes the ping's 1 s), lets the database go,
 * waits for the lab to say it is up, and returns how many commands reached it meanwhile.
 */
async function commandsWhileHeld(bursts: number): Promise<number> {
  const before = await commandsAnswered();
  await holdDatabase();
  for (let waited = 0; waited < bursts;) {
    const started = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => lab.json('GET', '/api/health')));
    // A burst that took the ping's second asked while no fresh answer was kept: it pinged.
    if (Date.now() - started >= 900) waited++;
  }
  releaseDatabase();
  await healthUntil(lab, (health) => health.database.up, 'the health to say the database is up again', 30_000);
  return (await commandsAnswered()) - before;
}

it('sends one ping at a time to a database that does not answer, however many pages ask', async () => {
  const quiet = await commandsWhileHeld(0);
  const asked = await commandsWhileHeld(3);
  // Three bursts of 20 health checks that each waited on a ping: one ping each, not 20 (the
  // re-check's ping a second, the driver's own hellos and this test's serverStatus are in both).
  expect(asked - quiet).toBeLessThan(20);
}, 180_000);
