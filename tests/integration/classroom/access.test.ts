import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startSeededDatabase, until } from '../lab/harness';
import { startClassroomLab, type ClassroomLab } from './harness';
import { openLiveAs, presenterHeaders } from './live';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: ClassroomLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startClassroomLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

describe('the presenter token', () => {
  it('lets only the presenter change the config', async () => {
    const { cookie } = await lab.join('Ada');
    expect((await lab.call('PUT', '/api/config', { body: { mode: 'blocking' } })).status).toBe(403);
    const student = await lab.call('PUT', '/api/config', { as: cookie, body: { mode: 'blocking' } });
    expect(student.status).toBe(403);
    expect(student.json().error).toMatch(/only the presenter/);
    const wrong = await lab.call('PUT', '/api/config', {
      headers: { 'x-lab-presenter': 'not-the-token' },
      body: { mode: 'blocking' },
    });
    expect(wrong.status).toBe(403);
    expect((await lab.call('GET', '/api/config')).json<{ mode: string }>().mode).toBe('nonblocking');
    const presenter = await lab.call('PUT', '/api/config', { as: 'presenter', body: { mode: 'blocking' } });
    expect(presenter.status).toBe(200);
    expect(presenter.json<{ mode: string }>().mode).toBe('blocking');
    await lab.call('PUT', '/api/config', { as: 'presenter', body: { mode: 'nonblocking' } });
  });

  it('keeps runs, imports and deletes to the presenter', async () => {
    const { cookie } = await lab.join('Grace');
    const attempts: Array<[string, string, unknown?]> = [
      ['POST', '/api/runs', { requests: 2, concurrency: 1 }],
      ['GET', '/api/runs'],
      ['POST', '/api/runs/import', 'x'],
      ['DELETE', '/api/runs/mb3k2x1a-3f9a1c'],
      ['POST', '/api/runs/mb3k2x1a-3f9a1c/cancel'],
      ['GET', '/api/classroom/students'],
    ];
    for (const [method, route, body] of attempts) {
      for (const as of [undefined, cookie]) {
        const answer = await lab.call(method, route, { as, body });
        expect(answer.status, `${method} ${route} as ${as ? 'a student' : 'a stranger'}`).toBe(403);
      }
    }
    const started = await lab.call('POST', '/api/runs', { as: 'presenter', body: { requests: 2, concurrency: 1 } });
    expect(started.status).toBe(202);
    const { id } = started.json<{ id: string }>();
    const deadline = Date.now() + 20_000;
    while (
      (await lab.call('GET', `/api/runs/${id}`, { as: 'presenter' })).json<{ status: string }>().status === 'running'
    ) {
      if (Date.now() > deadline) throw new Error('run did not finish');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await lab.call('DELETE', `/api/runs/${id}`, { as: 'presenter' })).status).toBe(204);
  });

  it('turns the presenter link into an HttpOnly cookie, and refuses a wrong or missing token', async () => {
    for (const route of [
      '/classroom/presenter',
      '/classroom/presenter?token=nope',
      `/classroom/presenter?token=${lab.session.presenterToken}x`,
    ]) {
      const answer = await lab.call('GET', route);
      expect(answer.status, route).toBe(403);
      expect(answer.headers.get('set-cookie'), route).toBeNull();
    }
    const link = await lab.call('GET', `/classroom/presenter?token=${encodeURIComponent(lab.session.presenterToken)}`);
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/presenter');
    const setCookie = link.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    expect((await lab.call('GET', '/api/classroom', { as: cookie })).json<{ role: string }>().role).toBe('presenter');
    expect((await lab.call('PUT', '/api/config', { as: cookie, body: { dbLatencyMs: 0 } })).status).toBe(200);
    expect((await lab.call('PUT', '/api/config', { as: 'lab_presenter=wrong', body: { dbLatencyMs: 0 } })).status).toBe(
      403,
    );
  });

  it('leaves health, config and the join page open to everyone', async () => {
    expect((await lab.call('GET', '/api/health')).status).toBe(200);
    expect((await lab.call('GET', '/api/config')).status).toBe(200);
    const info = (await lab.call('GET', '/api/classroom')).json<{ role: string; joinUrl: string }>();
    expect(info).toMatchObject({ role: 'guest', joinUrl: `${lab.url}/join` });
    const qr = await lab.call('GET', '/api/classroom/qr.svg');
    expect(qr.status).toBe(200);
    expect(qr.text).toMatch(/^<svg/);
  });
});

describe('students sending requests', () => {
  it('refuses /subject/* to someone who has not joined', async () => {
    const answer = await lab.call('GET', '/subject/users/alice');
    expect(answer.status).toBe(403);
    expect(answer.json().error).toMatch(/join the class first/);
  });

  it('tags each student request with their nickname, whatever name the phone claims', async () => {
    const live = await openLiveAs(lab.url, presenterHeaders(lab.session.presenterToken));
    const { cookie } = await lab.join('Linus');
    const answer = await lab.call('GET', '/subject/users/alice?client=Mallory', {
      as: cookie,
      headers: { accept: 'application/json', 'x-lab-client': 'Mallory' },
    });
    expect(answer.status).toBe(200);
    const rid = answer.headers.get('x-lab-rid')!;
    const sent = await until(
      () => {
        const events = live.messages.flatMap((m) => (m.type === 'trace' ? m.events : [])) as TraceEvent[];
        return events.find((e) => e.type === 'client.sent' && e.rid === rid);
      },
      5000,
      'client.sent on the presenter stream',
    );
    expect(sent).toMatchObject({ client: 'Linus' });
    live.socket.close();
    const me = (await lab.call('GET', '/api/classroom/me', { as: cookie })).json<{
      student: { sent: number; answered: number; recent: Array<{ status: number }> };
    }>();
    expect(me.student).toMatchObject({ sent: 1, answered: 1, recent: [{ status: 200 }] });
  });

  it('forwards the request of a student whose nickname is not Latin', async () => {
    const { answer: joined, cookie } = await lab.join('李雷 Ωμέγα');
    expect(joined.status).toBe(201);
    const answer = await lab.call('GET', '/subject/users/alice', {
      as: cookie,
      headers: { accept: 'application/json' },
    });
    expect(answer.status).toBe(200);
  });

  it('lists students for the presenter, longest wait first', async () => {
    const list = (await lab.call('GET', '/api/classroom/students', { as: 'presenter' })).json<{
      students: Array<{ nickname: string; maxLatencyMs: number }>;
    }>();
    expect(list.students.map((s) => s.nickname)).toEqual(expect.arrayContaining(['Ada', 'Grace', 'Linus']));
    const waits = list.students.map((s) => s.maxLatencyMs);
    expect(waits).toEqual([...waits].sort((a, b) => b - a));
  });
});

describe('the live stream in classroom mode', () => {
  it("is the presenter's: a student or a stranger cannot open it", async () => {
    const { cookie } = await lab.join('Eve');
    await expect(openLiveAs(lab.url, { cookie: cookie! })).rejects.toThrow(/403/);
    await expect(openLiveAs(lab.url, {})).rejects.toThrow(/403/);
    await expect(openLiveAs(lab.url, presenterHeaders('wrong'))).rejects.toThrow(/403/);
  });

  it('closes a socket that sends an oversized message or floods, and only that one', async () => {
    const headers = presenterHeaders(lab.session.presenterToken);
    const steady = await openLiveAs(lab.url, headers);
    const big = await openLiveAs(lab.url, headers);
    big.socket.send('x'.repeat(64 * 1024));
    expect(await big.closed).toBe(1009);
    const flood = await openLiveAs(lab.url, headers);
    for (let i = 0; i < 200; i++) flood.socket.send('{"type":"ping"}');
    expect(await flood.closed).toBe(1008);
    const malformed = await openLiveAs(lab.url, headers);
    malformed.socket.send('{not json');
    await until(() => malformed.messages.find((m) => m.type === 'error'), 5000, 'an error message');
    malformed.socket.close();
    const before = steady.messages.length;
    steady.socket.send('{"type":"ping"}');
    // Trace batches may arrive meanwhile: look for the status answer among the new messages.
    const answer = await until(
      () => steady.messages.slice(before).find((m) => m.type === 'status'),
      5000,
      'a status answer',
    );
    expect(answer.type).toBe('status');
    steady.socket.close();
  });
});
