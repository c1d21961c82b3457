/**
 * The API's refusals, through the real Fastify app with `inject`: what a client gets for
 * bad input (a 4xx naming the problem, never a 500). No database, proxy or subject is
 * started: the lab is built on a stand-in supervisor (the `createSupervisor` seam) and a
 * database address nothing listens on, because none of these requests may reach them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { buildApp, type LabServer } from '../../../server/lab/app';
import type { SubjectState, SubjectSupervisor } from '../../../server/subject/supervisorContract';

/** Accepts every config and serves nothing: these tests must never get as far as a request. */
function standInSupervisor(): SubjectSupervisor & { applied: LabConfig[] } {
  let state: SubjectState = 'starting';
  const applied: LabConfig[] = [];
  return {
    applied,
    start: async (config) => void (applied.push(config), (state = 'ready')),
    apply: async (config) => void applied.push(config),
    warm: async () => undefined,
    url: () => 'http://127.0.0.1:9',
    state: () => state,
    stop: async () => void (state = 'down'),
  };
}

let dir: string;
let server: LabServer;
let supervisor: ReturnType<typeof standInSupervisor>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lab-validation-'));
  supervisor = standInSupervisor();
  server = await buildApp({
    dataDir: dir,
    database: {
      uri: 'mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=50',
      dbName: 'eventlooplab',
      info: { kind: 'external', version: 'n/a', reason: 'a unit test' },
    },
    createSupervisor: () => supervisor,
    tornado: async () => ({ available: false, reason: 'not probed in unit tests', install: 'n/a' }),
  });
});
afterAll(async () => {
  await server?.app.close();
  await rm(dir, { recursive: true, force: true });
});

const send = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, body?: unknown) => {
  const res = await server.app.inject({
    method,
    url,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, error: (res.body ? (res.json() as { error?: string }).error : undefined) ?? '' };
};

describe('PUT /api/config', () => {
  it.each([
    [{ poolSize: 0 }, /poolSize must be between 1 and 200/],
    [{ poolSize: 201 }, /poolSize must be between 1 and 200/],
    [{ dbLatencyMs: 2001 }, /dbLatencyMs must be between 0 and 2000/],
    [{ dbLatencyMs: -1 }, /dbLatencyMs must be between 0 and 2000/],
    [{ cpuMs: 1.5 }, /cpuMs must be a whole number/],
    [{ workers: 9 }, /workers must be between 1 and 8/],
    [{ executorThreads: 17 }, /executorThreads must be between 0 and 16/],
    [{ blockingTimeoutMs: 99 }, /blockingTimeoutMs must be between 100 and 30000/],
    [{ mode: 'fast' }, /mode must be one of: blocking, nonblocking/],
    [{ mode: { $ne: null } }, /mode must be one of/],
    [{ colour: 'red' }, /unknown field\(s\): colour/],
    [{ __proto__: { mode: 'blocking' }, poolSize: '3' }, /poolSize/],
    [[1, 2], /config/],
    ['null', /config/],
  ])('refuses %j with a 400 naming the field', async (patch, message) => {
    const before = supervisor.applied.length;
    const res = await send('PUT', '/api/config', patch);
    expect(res.status).toBe(400);
    expect(res.error).toMatch(message);
    expect(supervisor.applied.length).toBe(before);
  });

  it('refuses a body that is not JSON with 400 and one over 1 MB with 413', async () => {
    expect(await send('PUT', '/api/config', '{"mode":')).toMatchObject({
      status: 400,
      error: expect.stringMatching(/not valid JSON/),
    });
    const huge = await send('PUT', '/api/config', JSON.stringify({ mode: 'x'.repeat(1024 * 1024 + 10) }));
    expect(huge).toMatchObject({ status: 413, error: expect.stringMatching(/limit for this endpoint is 1 MB/) });
  });

  it('applies a valid patch through the supervisor and answers the whole config', async () => {
    const res = await server.app.inject({ method: 'PUT', url: '/api/config', payload: { poolSize: 4 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...DEFAULT_CONFIG, poolSize: 4 });
    expect(supervisor.applied.at(-1)).toEqual({ ...DEFAULT_CONFIG, poolSize: 4 });
  });
});

describe('POST /api/runs', () => {
  it.each([
    [{ requests: 0, concurrency: 1 }, /requests must be between 1 and 100000/],
    [{ requests: 100_001, concurrency: 1 }, /requests must be between 1 and 100000/],
    [{ requests: 10 }, /a run is \{ requests, concurrency, route\? \}/],
    [{ requests: 1, concurrency: 2001 }, /concurrency/],
    [{ ratePerSec: 10, durationSec: 121 }, /durationSec/],
    [{ ratePerSec: 20_001, durationSec: 1 }, /ratePerSec/],
    [{ requests: 1, concurrency: 1, url: 'http://example.com' }, /url/],
    [{ requests: 1, concurrency: 1, route: 'dropDatabase' }, /route/],
    [{ requests: { $gt: 0 }, concurrency: 1 }, /requests/],
  ])('refuses %j with a 400', async (plan, message) => {
    const res = await send('POST', '/api/runs', plan);
    expect(res.status).toBe(400);
    expect(res.error).toMatch(message);
  });
});

describe('run ids', () => {
  it('refuses ids that are not run ids with 400, and answers 404 for unknown ones and endpoints', async () => {
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwin.ini', 'x'.repeat(80), 'abc']) {
      const res = await send('GET', `/api/runs/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.error).toMatch(/not a run id/);
    }
    // `..` itself is normalised away by the router: no such endpoint.
    expect((await send('GET', '/api/runs/%2E%2E/trace')).status).toBe(404);
    for (const [method, url] of [
      ['GET', '/api/runs/zzzzzz-000000'],
      ['GET', '/api/runs/zzzzzz-000000/trace'],
      ['DELETE', '/api/runs/zzzzzz-000000'],
    ] as const) {
      expect((await send(method, url)).status, url).toBe(404);
    }
    expect(await send('GET', '/api/nope')).toEqual({ status: 404, error: 'no such endpoint: GET /api/nope' });
  });
});
