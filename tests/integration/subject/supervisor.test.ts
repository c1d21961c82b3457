/**
 * The supervisor: it restarts what crashes, restarts only what a knob needs, and leaves
 * no process behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { liveChildren } from '../../../server/process/children';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { createSubjectSupervisor } from '../../../server/subject/supervisor';
import { type Database, type Lab, eventually, request, startDatabase, startLab } from './harness';

let database: Database;
let lab: Lab;
const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  database = await startDatabase();
  lab = await startLab(database, { dbLatencyMs: 0 });
});
afterAll(async () => {
  await lab?.supervisor.stop();
  await database?.stop();
  expect(liveChildren()).toBe(0);
});

describe('the subject supervisor', () => {
  it('restarts a subject that crashed, and reports it', async () => {
    const { subject } = lab.supervisor.pids();
    process.kill(subject!, 'SIGKILL');
    await eventually(() => lab.supervisor.state() === 'ready' && lab.supervisor.pids().subject !== subject);
    expect(lab.states.map((s) => s.state)).toContain('restarting');
    expect(lab.states.find((s) => s.state === 'restarting')?.message).toMatch(/subject exited/);
    expect((await request(lab.url('/users/alice'))).status).toBe(200);
  });

  it('restarts the proxy and the subject when the proxy dies', async () => {
    const before = lab.supervisor.pids();
    process.kill(before.proxy!, 'SIGKILL');
    await eventually(() => lab.supervisor.state() === 'ready' && lab.supervisor.pids().proxy !== before.proxy);
    expect(alive(before.subject)).toBe(false);
    expect((await request(lab.url('/users/alice'))).status).toBe(200);
  });

  it('changes the latency and the mode without restarting the subject, and the pool size by restarting it', async () => {
    const before = lab.supervisor.pids();
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 50 });
    expect(lab.supervisor.pids()).toEqual(before);
    await lab.supervisor.apply({
      ...DEFAULT_CONFIG,
      dbLatencyMs: 50,
      mode: 'blocking',
      blockingTimeoutMs: 2000,
      cpuMs: 1,
    });
    expect(lab.supervisor.pids()).toEqual(before);
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 50, mode: 'blocking', poolSize: 4 });
    expect(lab.supervisor.pids().proxy).toBe(before.proxy);
    expect(lab.supervisor.pids().subject).not.toBe(before.subject);
    expect(alive(before.subject)).toBe(false);
  });

  it('stops every process it started, and stopping twice is harmless', async () => {
    const { proxy, subject } = lab.supervisor.pids();
    await lab.supervisor.stop();
    await lab.supervisor.stop();
    expect(alive(proxy) || alive(subject)).toBe(false);
    expect(lab.supervisor.state()).toBe('down');
    expect(() => lab.supervisor.url()).toThrow();
  });

  it('stops the balancer and all its workers', async () => {
    const other = createSubjectSupervisor({
      mongoUri: database.server.uri,
      dbName: LAB_DB_NAME,
      onEvents: () => undefined,
    });
    await other.start({ ...DEFAULT_CONFIG, workers: 3 });
    const accepted = new Set<number>();
    for (let i = 0; i < 6; i++) accepted.add((await request(`${other.url()}/users/alice`)).status);
    expect([...accepted]).toEqual([200]);
    await other.stop();
    expect(liveChildren()).toBe(1); // only the test's database is left
  });

  it('refuses a mongodb+srv URI, which cannot go through the latency proxy', () => {
    expect(() =>
      createSubjectSupervisor({
        mongoUri: 'mongodb+srv://cluster.example.net/x',
        dbName: 'x',
        onEvents: () => undefined,
      }),
    ).toThrow(/mongodb\+srv/);
  });
});
