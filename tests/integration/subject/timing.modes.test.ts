/**
 * Timing: what blocking, the pool and CPU work do to ten concurrent requests.
 * Real processes on a shared 2-core machine: the ratios are generous on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import type { TraceEvent } from '../../../common/trace';
import { type Database, type Lab, batch, loopDelayMax, settle, startDatabase, startLab } from './harness';

let database: Database;
let lab: Lab;
let config: LabConfig;

/** Applies a config, warms the pool and runs one unmeasured batch so JIT and connections are warm. */
async function use(patch: Partial<LabConfig>): Promise<void> {
  config = { ...DEFAULT_CONFIG, dbLatencyMs: 100, ...patch };
  await lab.supervisor.apply(config);
  await lab.supervisor.warm();
  await batch(lab.url('/users/alice'), 10, 'warmup');
}

const ofBatch = (events: TraceEvent[], rids: string[], type: TraceEvent['type']) =>
  events.filter((event) => event.type === type && 'rid' in event && rids.includes(event.rid));

beforeAll(async () => {
  database = await startDatabase();
  lab = await startLab(database, { dbLatencyMs: 100 });
});
afterAll(async () => {
  await lab?.supervisor.stop();
  await database?.stop();
});

describe('ten concurrent GET /users/alice with dbLatencyMs 100', () => {
  it('serialises them in blocking mode, and the loop delay shows it', async () => {
    await use({ mode: 'blocking' });
    const result = await batch(lab.url('/users/alice'), 10);
    await settle();
    expect(result.replies.every((reply) => reply.status === 200)).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(800);
    const first = Math.min(...result.replies.map((r) => r.sentAt));
    expect(loopDelayMax(lab.events, first, first + result.elapsedMs)).toBeGreaterThanOrEqual(80);
  });

  it('overlaps them in non-blocking mode, and the loop stays responsive', async () => {
    await use({ mode: 'nonblocking' });
    const result = await batch(lab.url('/users/alice'), 10);
    await settle();
    expect(result.replies.every((reply) => reply.status === 200)).toBe(true);
    expect(result.elapsedMs).toBeLessThan(400);
    const first = Math.min(...result.replies.map((r) => r.sentAt));
    expect(loopDelayMax(lab.events, first, first + result.elapsedMs)).toBeLessThan(50);
  });
});

describe('limits that non-blocking does not remove', () => {
  it('queues requests in waves when the pool has 2 connections', async () => {
    await use({ mode: 'nonblocking', poolSize: 2 });
    const result = await batch(lab.url('/users/alice'), 10);
    await settle();
    // 10 requests through 2 connections: 5 round trips of 100 ms.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(400);
    expect(result.elapsedMs).toBeLessThan(1000);
    const rids = result.replies.map((reply) => reply.rid);
    expect(ofBatch(lab.events, rids, 'pool.wait').length).toBeGreaterThanOrEqual(6);
    // Each request's db.sent is when its own round trip began: one round trip (100 ms)
    // before its reply, however long it waited for a connection first.
    for (const rid of rids) {
      const [sent] = ofBatch(lab.events, [rid], 'db.sent');
      const [reply] = ofBatch(lab.events, [rid], 'db.reply');
      expect(reply!.t - sent!.t).toBeGreaterThanOrEqual(90);
      expect(reply!.t - sent!.t).toBeLessThan(190);
    }
  });

  it('serialises CPU work of 50 ms per request even in non-blocking mode', async () => {
    await use({ mode: 'nonblocking', cpuMs: 50 });
    const result = await batch(lab.url('/users/alice'), 10);
    await settle();
    expect(result.elapsedMs).toBeGreaterThanOrEqual(10 * 50 * 0.9);
    const rids = result.replies.map((reply) => reply.rid);
    const cpu = ofBatch(lab.events, rids, 'loop.blocked')
      .flatMap((event) => (event.type === 'loop.blocked' && event.reason === 'cpu' ? [event] : []))
      .sort((a, b) => a.t - b.t);
    expect(cpu).toHaveLength(10);
    // One thread: each burst of CPU work starts after the previous one ended.
    for (let i = 1; i < cpu.length; i++) expect(cpu[i]!.t).toBeGreaterThanOrEqual(cpu[i - 1]!.t + cpu[i - 1]!.durationMs - 0.01);
  });

  it('changes cpuMs without restarting the subject', async () => {
    await use({ mode: 'nonblocking', cpuMs: 0 });
    const url = lab.supervisor.url();
    await lab.supervisor.apply({ ...config, cpuMs: 30 });
    expect(lab.supervisor.url()).toBe(url);
    const result = await batch(lab.url('/users/alice'), 5);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(5 * 30 * 0.9);
  });
});
