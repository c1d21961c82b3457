/**
 * The Tornado subject's long poll (GET /updates?after=<id>), with the Node subject's
 * semantics: a waiting request is a Future in a set (non-blocking, Motor), a held executor
 * thread (run_in_executor) or the held IOLoop (blocking pymongo), and one new user answers
 * every waiter. Real supervisor, proxy, Python process and database.
 */
import type { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../../common/config';
import { parseTraceEvent, type TraceEvent } from '../../../common/trace';
import {
  type Database,
  type Lab,
  type Reply,
  caughtUp,
  eventually,
  idNewerThan,
  request,
  startDatabase,
  startLab,
} from '../subject/harness';
import { noTornado } from './python';

let database: Database;
beforeAll(async () => {
  if (!noTornado) database = await startDatabase();
});
afterAll(async () => {
  await database?.stop();
});

async function newestId(): Promise<string> {
  const [doc] = await database.db
    .collection('users')
    .find({}, { projection: { _id: 1 } })
    .sort({ _id: -1 })
    .limit(1)
    .toArray();
  return (doc!._id as ObjectId).toHexString();
}

const tag = () => Math.random().toString(36).slice(2, 8);
const newUser = () => ({ username: `tpoll-${tag()}`, first_name: 'Polly' });
const post = (lab: Lab, body: object) =>
  request(lab.url('/users'), {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
/** The most long-polls the subject reported holding at once. */
const peakWaiting = (events: TraceEvent[]): number =>
  events.reduce((max, e) => (e.type === 'sample' ? Math.max(max, e.longPollsWaiting ?? 0) : max), 0);
const latestWaiting = (events: TraceEvent[]): number => {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'sample') return e.longPollsWaiting ?? 0;
  }
  return 0;
};
/** The most long-poll handlers running at one moment (between accepted and responded), by the trace. */
function servedAtOnce(events: TraceEvent[], prefix: string): number {
  const edges = events
    .flatMap((e) => (e.type === 'subject.accepted' && e.rid.startsWith(prefix) ? [{ t: e.t, d: 1 }] : []))
    .concat(
      events.flatMap((e) => (e.type === 'subject.responded' && e.rid.startsWith(prefix) ? [{ t: e.t, d: -1 }] : [])),
    )
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const edge of edges) max = Math.max(max, (now += edge.d));
  return max;
}

describe.skipIf(noTornado)('the Tornado long poll, non-blocking (Motor)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab(database, { runtime: 'tornado', mode: 'nonblocking', dbLatencyMs: 0 });
  });
  afterAll(async () => {
    await lab?.supervisor.stop();
  });

  it('refuses a missing, malformed or operator-shaped cursor and out-of-bounds timeouts with 400', async () => {
    const id = await newestId();
    for (const query of [
      '',
      '?after=zz',
      '?after[$gt]=',
      `?after=${id}x`,
      `?after=${id}&after=${id}`,
      `?after=${id}&timeoutMs=0`,
      `?after=${id}&timeoutMs=999999`,
      `?after=${id}&timeoutMs=1e3`,
      `?after=${id}&limit=3`,
      '?after=%7B%22%24gt%22%3A%22%22%7D',
    ]) {
      const reply = await request(lab.url(`/updates${query}`));
      expect(reply.status, query).toBe(400);
      expect(JSON.parse(reply.body).error, query).toMatch(/after|timeoutMs|unknown|once/);
    }
  });

  it('answers 204 when nothing new arrives before the timeout', async () => {
    const reply = await request(lab.url(`/updates?after=${await newestId()}&timeoutMs=150`));
    expect(reply.status).toBe(204);
    expect(reply.doneAt - reply.sentAt).toBeGreaterThanOrEqual(140);
  });

  it('holds 500 waiters at once and answers every one 200 after one POST /users, from one database read', async () => {
    const after = await newestId();
    const prefix = `tw-${tag()}`;
    const waiting = Array.from({ length: 500 }, (_, i) =>
      request(lab.url(`/updates?after=${after}&timeoutMs=60000`), { rid: `${prefix}-${i}` }),
    );
    await eventually(() => latestWaiting(lab.events) >= 500, 60_000, 20);

    const user = newUser();
    const created = await post(lab, user);
    expect(created.status).toBe(201);
    const replies: Reply[] = await Promise.all(waiting);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).users).toEqual([
        expect.objectContaining({ username: user.username, first_name: 'Polly' }),
      ]);
    }
    // Every answer left after the publish was accepted.
    const publishedAt = Math.min(...replies.map((r) => r.doneAt));
    expect(publishedAt).toBeGreaterThan(created.sentAt);
    await caughtUp(lab);
    expect(peakWaiting(lab.events)).toBeGreaterThanOrEqual(490);
    const readsByWaiters = lab.events.filter((e) => e.type === 'db.call' && e.rid.startsWith(prefix));
    expect(readsByWaiters).toHaveLength(1);
    expect(readsByWaiters[0]).toMatchObject({ op: 'findNewer' });
    // Each waiter's handler ran its markers once each, in order, and every event validates.
    const steps = lab.events
      .filter((e) => e.type === 'handler.step' && e.rid === `${prefix}-7`)
      .map((e) => e.type === 'handler.step' && e.step);
    expect(steps).toEqual(['parse', 'cpu', 'query', 'respond']);
    expect(lab.events.filter((e) => e.type === 'handler.step' && e.rid === `${prefix}-7`)[0]).toMatchObject({
      handler: 'long_poll_nonblocking.py',
    });
    expect(lab.events.map((e) => parseTraceEvent(e)).filter((parsed) => !parsed.ok)).toEqual([]);
  }, 120_000);

  it('answers at once a cursor older than a user it has already published', async () => {
    const before = await newestId();
    const created = await post(lab, newUser());
    expect(created.status).toBe(201);
    const reply = await request(lab.url(`/updates?after=${before}&timeoutMs=60000`));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).users[0].id).toBe(String(JSON.parse(created.body).id));
  });
});

const HELD_VARIANTS: [string, Partial<LabConfig>, number][] = [
  ['blocking pymongo (the IOLoop holds one waiter)', { mode: 'blocking', executorThreads: 0 }, 1],
  ['blocking with 2 executor threads (each thread holds one waiter)', { mode: 'blocking', executorThreads: 2 }, 2],
];

describe.skipIf(noTornado).each(HELD_VARIANTS)('the Tornado long poll, %s', (_name, patch, holders) => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab(database, { runtime: 'tornado', dbLatencyMs: 0, blockingTimeoutMs: 1000, ...patch });
  });
  afterAll(async () => {
    await lab?.supervisor.stop();
  });

  it(`holds at most ${holders} waiter(s) at a time and answers them all once a newer user exists`, async () => {
    const after = await newestId();
    const prefix = `th-${tag()}`;
    const waiting = Array.from({ length: 6 }, (_, i) =>
      request(lab.url(`/updates?after=${after}&timeoutMs=30000`), { rid: `${prefix}-${i}` }),
    );
    // Threads leave the loop free to sample; a held loop reports its waiter only once it is let go.
    if (patch.executorThreads) await eventually(() => latestWaiting(lab.events) >= holders, 20_000, 20);
    // The loop or the threads are held, so the new user comes from elsewhere (as another app server would write it).
    const { insertedId } = await database.db.collection('users').insertOne({ ...newUser(), _id: idNewerThan(after) });
    const replies = await Promise.all(waiting);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).users[0].id).toBe(insertedId.toHexString());
    }
    await caughtUp(lab);
    expect(peakWaiting(lab.events)).toBe(holders);
    if (!patch.executorThreads) expect(servedAtOnce(lab.events, prefix)).toBe(1);
    const handler = patch.executorThreads ? 'long_poll_nonblocking.py' : 'long_poll_blocking.py';
    expect(lab.events.find((e) => e.type === 'handler.step' && e.rid.startsWith(prefix))).toMatchObject({ handler });
  }, 60_000);

  it('answers 204 at the timeout, past blockingTimeoutMs if the wait is meant to be longer', async () => {
    const reply = await request(lab.url(`/updates?after=${await newestId()}&timeoutMs=1500`));
    expect(reply.status).toBe(204);
    expect(reply.doneAt - reply.sentAt).toBeGreaterThanOrEqual(1490);
  });
});
