/**
 * Seats in a classroom: one client cannot fill the room, leaving does not refill a
 * student's rate limit, a seat nobody uses is freed, and the presenter sees and removes
 * students. Each test speaks from its own loopback address (127.0.0.x), as separate
 * devices on a LAN do, so the per-address limits apply as they would in a room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudentSeat } from '../../../common/api';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startSeededDatabase } from '../lab/harness';
import { startClassroomLab, type Answer, type ClassroomLab } from './harness';

const JOINS_PER_MINUTE = 5;
const RATE_PER_SEC = 1;
const BURST = 10;
const SILENT_MS = 1500;

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: ClassroomLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startClassroomLab(database, data.dir, {
    config: { dbLatencyMs: 0 },
    limits: { joinsPerMinute: JOINS_PER_MINUTE, ratePerSec: RATE_PER_SEC, burst: BURST, silentEvictMs: SILENT_MS },
  });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

/** Polls an async probe until it gives a value (waits on the condition, not a clock). */
async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function joined(nickname: string, from: string): Promise<string> {
  const { answer, cookie } = await lab.join(nickname, from);
  expect(answer.status, answer.text).toBe(201);
  // The phone's page comes back at once (it polls the lab): the seat is heard from.
  expect((await lab.call('GET', '/api/classroom/me', { as: cookie, from })).status).toBe(200);
  return cookie!;
}

const send = (cookie: string, from: string) =>
  lab.call('GET', '/subject/users/alice', { as: cookie, from, headers: { accept: 'application/json' } });
const seats = async () =>
  (await lab.call('GET', '/api/classroom/students', { as: 'presenter' })).json<{ students: StudentSeat[] }>().students;

describe('joining from one address', () => {
  it('gives one client address at most its joins a minute, with a 429 and Retry-After, and leaves other addresses alone', async () => {
    const from = '127.0.0.2';
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) answers.push((await lab.join(`flood ${i}`, from)).answer);
    const created = answers.filter((a) => a.status === 201).length;
    const limited = answers.filter((a) => a.status === 429);
    console.log(`20 joins from one address: ${created} x 201, ${limited.length} x 429`);
    expect(created).toBe(JOINS_PER_MINUTE);
    expect(limited).toHaveLength(20 - JOINS_PER_MINUTE);
    expect(limited[0]!.json().error).toMatch(/too many joins from your address: at most 5 a minute/);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.headers.get('set-cookie')).toBeNull();
    // A student on another device still gets in.
    expect((await lab.join('real student', '127.0.0.3')).answer.status).toBe(201);
  });
});

describe("a student's rate limit", () => {
  it('is not refilled by leaving and joining again from the same address', async () => {
    const from = '127.0.0.4';
    const first = await joined('keeper', from);
    const before: Answer[] = [];
    while (before.length < 100 && !before.some((a) => a.status === 429)) before.push(await send(first, from));
    expect(before.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(BURST);
    const drainedAt = performance.now();
    expect((await lab.call('DELETE', '/api/classroom/me', { as: first, from })).status).toBe(204);
    const again = await joined('keeper', from);
    const after: Answer[] = [];
    for (let i = 0; i < BURST; i++) after.push(await send(again, from));
    const elapsedMs = performance.now() - drainedAt;
    const ok = after.filter((a) => a.status === 200).length;
    console.log(
      `after leave + rejoin: ${ok} of ${BURST} answered 200 (${Math.round(elapsedMs)} ms after the bucket ran dry)`,
    );
    // Only what refilled since the bucket ran dry, at RATE_PER_SEC: never a fresh burst.
    expect(ok).toBeLessThanOrEqual(Math.ceil((elapsedMs / 1000) * RATE_PER_SEC));
  });
});

describe('a seat nobody uses', () => {
  it('is freed once its cookie has not come back for the silent spell; a seat in use stays', async () => {
    const from = '127.0.0.5';
    const ghost = await lab.join('ghost', from);
    expect(ghost.answer.status).toBe(201);
    const talker = await joined('talker', from);
    await eventually(async () => !(await seats()).some((s) => s.nickname === 'ghost'), 'the silent seat to be freed');
    expect((await seats()).some((s) => s.nickname === 'talker')).toBe(true);
    const late = await lab.call('GET', '/api/classroom/me', { as: ghost.cookie, from });
    expect(late.status).toBe(401);
    expect(late.json().error).toMatch(/never used it/);
    // The freed name can be taken again.
    expect((await lab.join('ghost', '127.0.0.6')).answer.status).toBe(201);
    expect((await lab.call('GET', '/api/classroom/me', { as: talker, from })).status).toBe(200);
  });
});

describe('nicknames', () => {
  it('refuses an invisible name with a 400 and a look-alike of a present name with a 409', async () => {
    for (const invisible of ['\u3164', '\uFFA0', '\u115F\u1160']) {
      const answer = (await lab.join(invisible, '127.0.0.9')).answer;
      expect(answer.status, JSON.stringify(invisible)).toBe(400);
      expect(answer.json().error).toMatch(/invisible/);
    }
    await joined('bob', '127.0.0.9');
    for (const lookalike of ['b\u043Eb', '\uFF42\uFF4F\uFF42']) {
      const answer = (await lab.join(lookalike, '127.0.0.10')).answer;
      expect(answer.status, lookalike).toBe(409);
      expect(answer.json().error).toMatch(/looks like "bob"/);
    }
  });
});

describe("the presenter's list of students", () => {
  it("shows each student's nickname, address, join time and requests sent, and removes one", async () => {
    const from = '127.0.0.7';
    const t0 = Date.now();
    const mallory = await joined('Mallory', from);
    const other = await joined('Bystander', '127.0.0.8');
    expect((await send(mallory, from)).status).toBe(200);
    const seat = (await seats()).find((s) => s.nickname === 'Mallory');
    expect(seat).toMatchObject({ address: '127.0.0.7', sent: 1, heard: true });
    expect(seat!.joinedAt).toBeGreaterThanOrEqual(t0 - 1000);
    expect(seat).not.toHaveProperty('key');

    // Only the presenter may list or remove.
    for (const as of [mallory, other, undefined]) {
      expect((await lab.call('GET', '/api/classroom/students', { as, from })).status).toBe(403);
      expect((await lab.call('DELETE', `/api/classroom/students/${seat!.id}`, { as, from })).status).toBe(403);
    }
    expect((await lab.call('DELETE', '/api/classroom/students/s999999', { as: 'presenter' })).status).toBe(404);
    expect((await lab.call('DELETE', '/api/classroom/students/..%2Fconfig', { as: 'presenter' })).status).toBe(400);

    expect((await lab.call('DELETE', `/api/classroom/students/${seat!.id}`, { as: 'presenter' })).status).toBe(204);
    expect((await seats()).some((s) => s.nickname === 'Mallory')).toBe(false);
    expect((await lab.call('DELETE', `/api/classroom/students/${seat!.id}`, { as: 'presenter' })).status).toBe(404);
    for (const route of ['/subject/users/alice', '/api/classroom/me', '/api/classroom']) {
      const answer = await lab.call('GET', route, { as: mallory, from, headers: { accept: 'application/json' } });
      expect(answer.status, route).toBe(401);
      expect(answer.json().error, route).toMatch(/the presenter removed you/);
    }
    // Everyone else carries on.
    expect((await send(other, '127.0.0.8')).status).toBe(200);
  });
});
