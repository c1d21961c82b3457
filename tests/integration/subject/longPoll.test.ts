/**
 * The long poll (GET /updates?after=<id>) in each way the subject can reach MongoDB: a
 * waiting request is a record (non-blocking), a held thread (executor) or the held loop
 * (blocking), and one new user answers every waiter.
 */
import type { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../../common/config';
import type { TraceEvent } from '../../../common/trace';
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
} from './harness';

let database: Database;
beforeAll(async () => {
  database = await startDatabase();
});
afterAll(async () => {
  await database.stop();
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
const newUser = () => ({ username: `poll-${tag()}`, first_name: 'Polly' });
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

describe('the long poll, non-blocking', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab(database, { mode: 'nonblocking', dbLatencyMs: 0 });
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

  it('answers every waiter with the new user after one POST /users, from one database read', async () => {
    const after = await newestId();
    const prefix = `w-${tag()}`;
    const waiting = Array.from({ length: 40 }, (_, i) =>
      request(lab.url(`/updates?after=${after}&timeoutMs=30000`), { rid: `${prefix}-${i}` }),
    );
    await eventually(() => latestWaiting(lab.events) === 40, 20_000, 20);

    const user = newUser();
    const created = await request(lab.url('/users'), {
      method: 'POST',
      body: JSON.stringify(user),
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    const replies: Reply[] = await Promise.all(waiting);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).users).toEqual([
        expect.objectContaining({ username: user.username, first_name: 'Polly' }),
      ]);
    }
    await caughtUp(lab);
    const readsByWaiters = lab.events.filter((e) => e.type === 'db.call' && e.rid.startsWith(prefix));
    expect(readsByWaiters).toHaveLength(1);
  });

  it('answers at once a cursor older than a user it has already published', async () => {
    const before = await newestId();
    const created = await request(lab.url('/users'), {
      method: 'POST',
      body: JSON.stringify(newUser()),
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    const reply = await request(lab.url(`/updates?after=${before}&timeoutMs=60000`));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).users[0].id).toBe(String(JSON.parse(created.body).id));
  });
});

const HELD_VARIANTS: [string, Partial<LabConfig>, number][] = [
  ['blocking (the loop holds one waiter)', { mode: 'blocking' }, 1],
  ['blocking with 2 executor threads (each thread holds one waiter)', { mode: 'blocking', executorThreads: 2 }, 2],
];

describe.each(HELD_VARIANTS)('the long poll, %s', (_name, patch, holders) => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab(database, { dbLatencyMs: 0, blockingTimeoutMs: 1000, ...patch });
  });
  afterAll(async () => {
    await lab?.supervisor.stop();
  });

  it(`holds at most ${holders} waiter(s) at a time and answers them all once a newer user exists`, async () => {
    const after = await newestId();
    const waiting = Array.from({ length: 6 }, () => request(lab.url(`/updates?after=${after}&timeoutMs=30000`)));
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
  });

  it('answers 204 at the timeout, past blockingTimeoutMs if the wait is meant to be longer', async () => {
    const reply = await request(lab.url(`/updates?after=${await newestId()}&timeoutMs=1500`));
    expect(reply.status).toBe(204);
    expect(reply.doneAt - reply.sentAt).toBeGreaterThanOrEqual(1490);
  });
});
