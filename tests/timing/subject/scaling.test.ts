/**
 * Timing: the two 2010 ways around a blocking driver. Several processes behind a
 * balancer (FriendFeed's nginx + Tornado) and a pool of threads (run_in_executor).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { type Database, type Lab, batch, caughtUp, startDatabase, startLab } from '../../integration/subject/harness';

const REQUESTS = 16;
let database: Database;
let lab: Lab;

async function timeBatch(patch: Partial<LabConfig>): Promise<number> {
  await lab.supervisor.apply({ ...DEFAULT_CONFIG, mode: 'blocking', dbLatencyMs: 100, ...patch });
  await lab.supervisor.warm();
  await batch(lab.url('/users/alice'), REQUESTS, 'warmup');
  const result = await batch(lab.url('/users/alice'), REQUESTS);
  expect(result.replies.every((reply) => reply.status === 200)).toBe(true);
  return result.elapsedMs;
}

beforeAll(async () => {
  database = await startDatabase();
  lab = await startLab(database, { mode: 'blocking', dbLatencyMs: 100 });
});
afterAll(async () => {
  await lab?.supervisor.stop();
  await database?.stop();
});

describe('blocking mode, 16 concurrent requests, dbLatencyMs 100', () => {
  let single = 0;
  it('takes one round trip per request in one process', async () => {
    single = await timeBatch({ workers: 1 });
    expect(single).toBeGreaterThanOrEqual(REQUESTS * 100 * 0.8);
  });

  it('is about four times faster with 4 worker processes behind the balancer', async () => {
    const four = await timeBatch({ workers: 4 });
    // 4 at best; on 2 cores beside other work about 2 to 3: at least 1.6 is clearly more than one at a time.
    expect(single / four).toBeGreaterThanOrEqual(1.6);
    await caughtUp(lab);
    const workers = new Set(lab.events.flatMap((event) => (event.type === 'subject.accepted' ? [event.worker] : [])));
    expect([...workers].sort()).toEqual([0, 1, 2, 3]);
  });

  it('is about four times faster with 4 executor threads, in one process', async () => {
    const executor = await timeBatch({ workers: 1, executorThreads: 4 });
    expect(single / executor).toBeGreaterThanOrEqual(2);
  });
});
