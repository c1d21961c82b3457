/**
 * The limits that keep a room of phones from taking the demo down: bad nicknames, the
 * class cap, each student's rate limit and in-flight cap, and the shared gate. Timing
 * matters here (requests must overlap), so the subject runs in blocking mode with a
 * generous database latency and the assertions count answers, not milliseconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startSeededDatabase } from '../../integration/lab/harness';
import { startClassroomLab, type Answer, type ClassroomLab } from '../../integration/classroom/harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: ClassroomLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startClassroomLab(database, data.dir, {
    config: { dbLatencyMs: 0 },
    // silentEvictMs: most seats here are taken and never used (no phone page polls), and the
    // class cap test counts them; a slow machine must not see them freed halfway.
    limits: { maxStudents: 12, maxInFlightPerStudent: 3, silentEvictMs: 3_600_000 },
    gate: { max: 2, maxQueue: 2 },
  });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

async function joined(nickname: string): Promise<string> {
  const { answer, cookie } = await lab.join(nickname);
  expect(answer.status, answer.text).toBe(201);
  return cookie!;
}

const send = (cookie: string) =>
  lab.call('GET', '/subject/users/alice', { as: cookie, headers: { accept: 'application/json' } });
const statuses = (answers: Answer[]) => answers.map((a) => a.status).sort();

describe('joining', () => {
  it.each([
    ['an empty nickname', { nickname: '' }, 400, /empty/],
    ['markup', { nickname: '<img src=x>' }, 400, /letters, digits/],
    ['a query operator', { nickname: { $ne: null } }, 400, /nickname/],
    ['a long nickname', { nickname: 'n'.repeat(25) }, 400, /at most 24/],
    ['an unknown field', { nickname: 'Ada', admin: true }, 400, /admin/],
    ['no nickname', {}, 400, /nickname/],
    ['a JSON array', ['Ada'], 400, /join request/],
  ])('refuses %s with a 400', async (_what, body, status, message) => {
    const answer = await lab.call('POST', '/api/classroom/join', { body });
    expect(answer.status).toBe(status);
    expect(answer.json().error).toMatch(message);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('refuses malformed JSON and an oversized body', async () => {
    const malformed = await lab.call('POST', '/api/classroom/join', { body: '{"nickname": "Ada"' });
    expect(malformed.status).toBe(400);
    const huge = await lab.call('POST', '/api/classroom/join', { body: { nickname: 'x'.repeat(4096) } });
    expect(huge.status).toBe(413);
    expect(huge.json().error).toMatch(/too large/);
  });

  it('refuses a nickname already taken, even in other case or composition', async () => {
    await joined('Zoé');
    const again = await lab.call('POST', '/api/classroom/join', { body: { nickname: 'ZOE\u0301' } });
    expect(again.status).toBe(409);
  });
});

describe('sending', () => {
  it('holds a student to 5 requests a second after a burst of 20, with Retry-After', async () => {
    await lab.call('PUT', '/api/config', { as: 'presenter', body: { mode: 'nonblocking', dbLatencyMs: 0 } });
    const cookie = await joined('rapid');
    const answers: Answer[] = [];
    // One after another, so neither the in-flight cap nor the gate is what says no.
    const started = performance.now();
    // Until the first 429: 20 at once, then 5 a second; a slow machine refills more in between.
    while (answers.length < 200 && !answers.some((a) => a.status === 429)) answers.push(await send(cookie));
    const elapsedMs = performance.now() - started;
    const ok = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(ok).toBeGreaterThanOrEqual(20);
    // The burst of 20, plus what refilled at 5 a second while they were sent (a slow machine refills more).
    expect(ok).toBeLessThanOrEqual(20 + Math.ceil((elapsedMs / 1000) * 5));
    expect(limited).toHaveLength(1);
    expect(ok + limited.length).toBe(answers.length);
    expect(answers.slice(0, 20).every((a) => a.status === 200)).toBe(true);
    expect(limited[0]!.json().error).toMatch(/at most 5 requests a second/);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const me = (await lab.call('GET', '/api/classroom/me', { as: cookie })).json<{
      student: { sent: number; limited: number };
    }>();
    expect(me.student).toMatchObject({ sent: ok, limited: limited.length });
  });

  it("caps one student's requests in flight", async () => {
    await lab.call('PUT', '/api/config', { as: 'presenter', body: { mode: 'blocking', dbLatencyMs: 300 } });
    const cookie = await joined('eager');
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(cookie)));
    expect(statuses(answers)).toEqual([200, 200, 200, 429, 429]);
    expect(answers.find((a) => a.status === 429)!.json().error).toMatch(/already have 3 requests/);
  });

  it('turns students away with a 429 when the shared queue is full, but never the presenter', async () => {
    await lab.call('PUT', '/api/config', { as: 'presenter', body: { mode: 'blocking', dbLatencyMs: 300 } });
    const cookies = await Promise.all(['gate a', 'gate b', 'gate c'].map(joined));
    // Two forwarded at once, two waiting: of six at the same moment, two are turned away.
    const students = Promise.all(cookies.flatMap((c) => [send(c), send(c)]));
    const presenter = lab.call('GET', '/subject/users/alice', {
      as: 'presenter',
      headers: { accept: 'application/json' },
    });
    const answers = await students;
    expect(statuses(answers)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.find((a) => a.status === 429)!.json().error).toMatch(/busy/);
    expect((await presenter).status).toBe(200);
    expect(lab.session.gate.inFlight).toBe(0);
    await lab.call('PUT', '/api/config', { as: 'presenter', body: { mode: 'nonblocking', dbLatencyMs: 0 } });
  });
});

describe('the class cap', () => {
  it('refuses the student after the last seat, until someone leaves', async () => {
    const limit = lab.session.registry.limits.maxStudents;
    let last = '';
    for (let i = lab.session.registry.size; i < limit; i++) last = await joined(`seat ${i}`);
    const full = await lab.call('POST', '/api/classroom/join', { body: { nickname: 'one too many' } });
    expect(full.status).toBe(503);
    expect(full.json().error).toMatch(/full/);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await lab.call('DELETE', '/api/classroom/me', { as: last })).status).toBe(204);
    expect((await lab.call('GET', '/api/classroom/me', { as: last })).status).toBe(404);
    expect((await lab.call('POST', '/api/classroom/join', { body: { nickname: 'one too many' } })).status).toBe(201);
  });
});
