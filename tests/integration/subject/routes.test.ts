/**
 * The subject's routes and its answers to bad input, in each way it can reach MongoDB:
 * the driver's async API, the blocking facade and the executor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../../common/config';
import { liveChildren } from '../../../server/process/children';
import { type Database, type Lab, caughtUp, eventsFor, request, startDatabase, startLab } from './harness';

const VARIANTS: [string, Partial<LabConfig>][] = [
  ['non-blocking', { mode: 'nonblocking' }],
  ['blocking', { mode: 'blocking' }],
  ['blocking with an executor', { mode: 'blocking', executorThreads: 2 }],
];

let database: Database;
beforeAll(async () => {
  database = await startDatabase();
});
afterAll(async () => {
  await database.stop();
  expect(liveChildren()).toBe(0);
});

describe.each(VARIANTS)('the subject, %s', (name, patch) => {
  let lab: Lab;
  const json = { accept: 'application/json' };
  beforeAll(async () => {
    lab = await startLab(database, { dbLatencyMs: 0, ...patch });
  });
  afterAll(async () => {
    await lab.supervisor.stop();
  });

  it('greets a user by first name, in HTML by default', async () => {
    const reply = await request(lab.url('/users/alice'));
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<p>Hello, Alice!</p>');
  });

  it('answers JSON when asked', async () => {
    const reply = await request(lab.url('/users/alice'), { headers: json });
    expect(JSON.parse(reply.body)).toEqual({ username: 'alice', first_name: 'Alice', greeting: 'Hello, Alice!' });
  });

  it('answers 404 for an unknown user, in both handler styles', async () => {
    expect((await request(lab.url('/users/nobody.here'))).status).toBe(404);
    expect((await request(lab.url('/callback/users/nobody.here'))).status).toBe(404);
  });

  it('serves the 2010 callback version of the same handler', async () => {
    const reply = await request(lab.url('/callback/users/alice'), { headers: json });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ first_name: 'Alice' });
  });

  it('lists the users of a city, up to the limit', async () => {
    const reply = await request(lab.url('/users?city=London&limit=7'));
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body) as { city: string; users: { username: string }[] };
    expect(body.city).toBe('London');
    expect(body.users).toHaveLength(7);
    const usernames = body.users.map((user) => user.username);
    const inLondon = await database.db
      .collection('users')
      .countDocuments({ username: { $in: usernames }, city: 'London' });
    expect(inLondon).toBe(7);
  });

  it('counts users per city with an aggregation', async () => {
    const reply = await request(lab.url('/stats'));
    const { cities } = JSON.parse(reply.body) as { cities: { city: string; users: number }[] };
    const total = await database.db.collection('users').countDocuments();
    expect(cities.reduce((sum, city) => sum + city.users, 0)).toBe(total);
    expect(cities.find((city) => city.city === 'London')?.users).toBe(
      await database.db.collection('users').countDocuments({ city: 'London' }),
    );
  });

  it('creates a user, then answers 409 for the same username', async () => {
    const username = `new_${name.replace(/\W/g, '')}`;
    const body = JSON.stringify({ username, first_name: 'Newt', city: 'Oslo' });
    const created = await request(lab.url('/users'), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    expect(await database.db.collection('users').findOne({ username })).toMatchObject({
      first_name: 'Newt',
      city: 'Oslo',
    });
    const again = await request(lab.url('/users'), { method: 'POST', body });
    expect(again.status).toBe(409);
  });

  describe('bad input', () => {
    const post = (body: string) =>
      request(lab.url('/users'), { method: 'POST', body, headers: { 'content-type': 'application/json' } });

    it('refuses an operator as a username in a POST body with 400', async () => {
      const reply = await post('{"username": {"$ne": null}, "first_name": "Eve"}');
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body).error).toMatch(/username/);
    });

    it('never hands the driver an object filter for a JSON string in the path', async () => {
      const reply = await request(lab.url('/users/%7B%22%24ne%22%3Anull%7D'));
      expect([400, 404]).toContain(reply.status);
      await caughtUp(lab);
      const types = eventsFor(lab.events, reply.rid).map((event) => event.type);
      expect(types).toContain('subject.responded');
      expect(types).not.toContain('db.call');
    });

    it('refuses a bracketed operator in the query string with 400', async () => {
      for (const query of ['city[$ne]=', 'city=London&username[$ne]=', 'city=London&city=Paris']) {
        const reply = await request(lab.url(`/users?${query}`));
        expect(reply.status, query).toBe(400);
      }
    });

    it('refuses an oversized body with 413', async () => {
      const reply = await post(JSON.stringify({ username: 'big', first_name: 'x'.repeat(20_000) }));
      expect(reply.status).toBe(413);
    });

    it('refuses a body that is not JSON, or has unknown or missing fields, with 400', async () => {
      for (const body of [
        'username=alice',
        '',
        '{"username": "ok_name"}',
        '{"username": "ok_name", "first_name": "A", "admin": true}',
      ]) {
        const reply = await post(body);
        expect(reply.status, body).toBe(400);
        expect(JSON.parse(reply.body).error).toBeTruthy();
      }
    });

    it('refuses a limit out of bounds and a missing city with 400', async () => {
      for (const query of [
        'city=London&limit=0',
        'city=London&limit=101',
        'city=London&limit=abc',
        'city=London&limit=2.5',
        'limit=5',
      ]) {
        const reply = await request(lab.url(`/users?${query}`));
        expect(reply.status, query).toBe(400);
      }
    });

    it('answers 404 for an unknown path and 405 for a wrong method, and traces them', async () => {
      const missing = await request(lab.url('/nothing'));
      expect(missing.status).toBe(404);
      expect((await request(lab.url('/users'), { method: 'DELETE' })).status).toBe(405);
      await caughtUp(lab);
      expect(eventsFor(lab.events, missing.rid).map((event) => event.type)).toEqual([
        'subject.accepted',
        'subject.responded',
      ]);
    });
  });
});
