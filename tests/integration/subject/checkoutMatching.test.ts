/**
 * db.sent is matched to its request through the driver's pool events (server/subject/data/monitor.ts).
 * These tests run the real driver against the embedded server and make the pool queue
 * checkouts: a failCommand blockConnection holds the one connection while others wait.
 */
import { type ConnectionCheckedOutEvent, MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedServer } from '../../../server/db/embedded';
import { clientOptions } from '../../../server/subject/data/clientOptions';
import { monitorClient, trackOperation } from '../../../server/subject/data/monitor';
import { now } from '../../../common/traceBasics';

let server: EmbeddedServer;
let admin: MongoClient;
const clients: MongoClient[] = [];

beforeAll(async () => {
  server = await startEmbeddedServer({ testCommands: true, log: () => {} });
  admin = await new MongoClient(server.uri).connect();
});
afterEach(async () => {
  await admin.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

/** The driver's checkout clock (whole ms of performance.now()), as monitor.ts reads it. */
const driverMs = (): number => Math.floor(performance.now());

/** Waits on a condition, a turn of the loop at a time. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

interface Watched {
  client: MongoClient;
  /** Comments in the order their db.sent was reported, with the time. */
  sent: { comment: string; t: number }[];
  /** driverMs() at each checkout's start, in order. */
  starts: number[];
  waiting(): number;
}

/** A client set up as the subject's (clientOptions), monitored as the subject's is. */
async function watchedClient(poolSize: number, minPoolSize: number, before?: (client: MongoClient) => void) {
  const client = new MongoClient(server.uri, {
    ...clientOptions({ poolSize, minPoolSize, dbLatencyMs: 0, monitorCommands: true }),
    directConnection: true,
  });
  clients.push(client);
  const watched: Watched = { client, sent: [], starts: [], waiting: () => waiting };
  let waiting = 0;
  // Registered before the monitor's listeners, so they run first (an emitter calls in order).
  before?.(client);
  client.on('connectionCheckOutStarted', () => watched.starts.push(driverMs()));
  monitorClient(client, {
    sent: (comment, t) => watched.sent.push({ comment, t }),
    pool: (_inUse, waitingDelta) => {
      waiting += waitingDelta;
    },
  });
  await client.connect();
  return watched;
}

const blockFinds = (blockTimeMS: number, times: number) =>
  admin.db('admin').command({
    configureFailPoint: 'failCommand',
    mode: { times },
    data: { failCommands: ['find'], blockConnection: true, blockTimeMS },
  });

function find(watched: Watched, comment: string): Promise<unknown> {
  const users = watched.client.db('lab').collection('users');
  return trackOperation(watched.client, comment, 1, () => users.findOne({}, { comment }));
}

it('gives each queued request its own db.sent when the loop stalls as a checkout is served', async () => {
  // The failure this guards against (a timing test, beside a CPU hog): the subject lost a few
  // ms between the driver reading its clock for an event and our listener reading it, so a
  // checkout's age (durationMS) pointed at a checkout that started later. Here a listener
  // that runs before the monitor's stalls the loop by exactly that much when B is served.
  let stall: ((event: ConnectionCheckedOutEvent) => void) | undefined;
  const watched = await watchedClient(1, 1, (client) =>
    client.on('connectionCheckedOut', (event: ConnectionCheckedOutEvent) => stall?.(event)),
  );
  await find(watched, 'warm-up');
  watched.sent.length = 0;
  watched.starts.length = 0;
  await blockFinds(60, 1);

  const a = find(watched, 'A');
  await until(() => watched.starts.length === 1);
  const b = find(watched, 'B');
  await until(() => watched.waiting() === 1);
  // C's checkout starts at least 3 ms after B's.
  const bStarted = watched.starts[1] ?? 0;
  while (driverMs() < bStarted + 3);
  const c = find(watched, 'C');
  await until(() => watched.waiting() === 2);
  const cStarted = watched.starts[2] ?? 0;
  expect(cStarted - bStarted).toBeGreaterThanOrEqual(3);

  stall = (event) => {
    if (watched.sent.length !== 1) return;
    stall = undefined;
    // B is being served: hold the loop until B's age, read now, says it started when C did.
    while (driverMs() - event.durationMS < cStarted);
  };
  await Promise.all([a, b, c]);

  expect(stall, 'the stall ran').toBeUndefined();
  expect(watched.sent.map((s) => s.comment)).toEqual(['A', 'B', 'C']);
});

it('gives each request its own db.sent while the pool opens the connections they wait for', async () => {
  // minPoolSize 0: every checkout here waits for a connection the pool opens for it, the
  // case where the pool may serve out of order and durationMS picks the checkout.
  const watched = await watchedClient(3, 0);
  const comments = ['P', 'Q', 'R'];
  const started = new Map<string, number>();
  const finished = new Map<string, number>();
  await Promise.all(
    comments.map(async (comment) => {
      started.set(comment, now());
      await find(watched, comment);
      finished.set(comment, now());
    }),
  );
  expect(watched.sent.map((s) => s.comment).sort()).toEqual(comments);
  for (const { comment, t } of watched.sent) {
    expect(t).toBeGreaterThanOrEqual(started.get(comment) ?? Infinity);
    expect(t).toBeLessThanOrEqual(finished.get(comment) ?? -Infinity);
  }
});

it('serves the oldest waiting request first once the pool is open, however long ago each started', async () => {
  // Five requests queue behind one connection, each a few ms after the last; then they are
  // served one by one in the order they came, and db.sent says so.
  const watched = await watchedClient(1, 1);
  await find(watched, 'warm-up');
  watched.sent.length = 0;
  watched.starts.length = 0;
  await blockFinds(20, 6);
  const comments = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'];
  const runs: Promise<unknown>[] = [];
  for (const [i, comment] of comments.entries()) {
    runs.push(find(watched, comment));
    await until(() => watched.starts.length === i + 1);
    const last = watched.starts[i] ?? 0;
    while (driverMs() < last + 2);
  }
  await Promise.all(runs);
  expect(watched.sent.map((s) => s.comment)).toEqual(comments);
  const gaps = watched.sent.slice(1).map((s, i) => s.t - (watched.sent[i]?.t ?? Infinity));
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(15);
});
