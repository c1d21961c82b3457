/**
 * The Tornado subject answers the Node subject's routes, with the same statuses and
 * bodies, in both modes, through the real supervisor, proxy and database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type Lab, request, startDatabase, startLab } from '../subject/harness';
import { noTornado } from './python';

describe.skipIf(noTornado)('the Tornado subject answers the lab routes', () => {
  let database: Database;
  let lab: Lab;
  beforeAll(async () => {
    database = await startDatabase();
    lab = await startLab(database, { runtime: 'tornado', mode: 'nonblocking', dbLatencyMs: 0 });
  });
  afterAll(async () => {
    await lab?.supervisor.stop();
    await database?.stop();
  });

  for (const mode of ['nonblocking', 'blocking'] as const) {
    describe(`in ${mode} mode`, () => {
      beforeAll(async () => {
        await lab.supervisor.apply({
          ...(await import('../../../common/config')).DEFAULT_CONFIG,
          runtime: 'tornado',
          mode,
          dbLatencyMs: 0,
        });
      });

      it('greets a user by name, in HTML or JSON', async () => {
        const html = await request(lab.url('/users/alice'));
        expect(html.status).toBe(200);
        expect(html.body).toContain('Hello, ');
        const json = await request(lab.url('/users/alice'), { headers: { accept: 'application/json' } });
        expect(JSON.parse(json.body)).toMatchObject({ username: 'alice', greeting: expect.stringMatching(/^Hello, /) });
      });

      it('answers 404 for an unknown user and 400 for a malformed name', async () => {
        expect((await request(lab.url('/users/nobody-like-this'))).status).toBe(404);
        const bad = await request(lab.url(`/users/${encodeURIComponent('{"$ne":null}')}`));
        expect(bad.status).toBe(400);
        expect(JSON.parse(bad.body).error).toMatch(/username/);
      });

      it('serves the callback route', async () => {
        const reply = await request(lab.url('/callback/users/alice'), { headers: { accept: 'application/json' } });
        expect(reply.status).toBe(200);
        expect(JSON.parse(reply.body).username).toBe('alice');
        expect((await request(lab.url('/callback/users/nobody-like-this'))).status).toBe(404);
      });

      it('lists users by city, with bounded limits', async () => {
        const stats = JSON.parse((await request(lab.url('/stats'))).body) as {
          cities: { city: string; users: number }[];
        };
        expect(stats.cities.length).toBeGreaterThan(1);
        const city = stats.cities[0]!.city;
        const list = await request(lab.url(`/users?city=${encodeURIComponent(city)}&limit=3`));
        expect(list.status).toBe(200);
        expect(JSON.parse(list.body).users).toHaveLength(3);
        expect((await request(lab.url('/users?city=Paris&limit=1000'))).status).toBe(400);
        expect((await request(lab.url('/users?city[$ne]=x'))).status).toBe(400);
      });

      it('creates a user, then refuses the same username with 409', async () => {
        const username = `t-${mode}-${Date.now()}`;
        const body = JSON.stringify({ username, first_name: 'Ada' });
        const created = await request(lab.url('/users'), {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(created.status).toBe(201);
        expect(JSON.parse(created.body).username).toBe(username);
        const again = await request(lab.url('/users'), {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(again.status).toBe(409);
        const operator = await request(lab.url('/users'), {
          method: 'POST',
          body: JSON.stringify({ username: { $ne: null }, first_name: 'x' }),
        });
        expect(operator.status).toBe(400);
        const extra = await request(lab.url('/users'), {
          method: 'POST',
          body: JSON.stringify({ username: 'zz', first_name: 'x', admin: true }),
        });
        expect(JSON.parse(extra.body).error).toMatch(/unknown field/);
        expect((await request(lab.url('/users'), { method: 'POST', body: 'not json' })).status).toBe(400);
      });

      it('answers 404 for no route and 405 for a wrong method, as JSON', async () => {
        const none = await request(lab.url('/nope'));
        expect(none.status).toBe(404);
        expect(JSON.parse(none.body).error).toMatch(/no route/);
        const wrong = await request(lab.url('/stats'), { method: 'POST', body: '{}' });
        expect(wrong.status).toBe(405);
      });
    });
  }
});
