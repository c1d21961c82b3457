/**
 * Timing: the subject's periodic samples (every <= 50 ms per process) and what they show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { type Database, type Lab, batch, settle, startDatabase, startLab } from './harness';

let database: Database;
let lab: Lab;

beforeAll(async () => {
  database = await startDatabase();
  lab = await startLab(database, { dbLatencyMs: 20 });
});
afterAll(async () => {
  await lab?.supervisor.stop();
  await database?.stop();
});

describe('the samples', () => {
  it('arrive at least every 50 ms from each worker, with the pool and memory', async () => {
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 20, workers: 2 });
    const from = lab.events.length;
    await settle(600);
    const samples = lab.events.slice(from).flatMap((event) => (event.type === 'sample' ? [event] : []));
    for (const worker of [0, 1]) {
      const times = samples.filter((sample) => sample.worker === worker).map((sample) => sample.t);
      expect(times.length).toBeGreaterThanOrEqual(8);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(50);
    }
    expect(samples.every((sample) => sample.rssBytes > 0 && sample.heapUsedBytes > 0)).toBe(true);
  });

  it('report pool connections in use while requests wait for the database', async () => {
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 200, poolSize: 4 });
    await lab.supervisor.warm();
    const from = lab.events.length;
    await batch(lab.url('/users/alice'), 8);
    await settle();
    const samples = lab.events.slice(from).flatMap((event) => (event.type === 'sample' ? [event] : []));
    expect(Math.max(...samples.map((sample) => sample.poolInUse))).toBe(4);
    expect(Math.max(...samples.map((sample) => sample.dbInFlight))).toBe(8);
  });
});

