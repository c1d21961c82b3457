/**
 * The executor's threads: a call that timed out leaves its thread stuck in the call (as a
 * real thread in a blocking driver call would be), so the next call must go to a free
 * thread, not queue behind the abandoned one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now } from '../../common/trace';
import { type LatencyProxy, startLatencyProxy } from '../../server/proxy/latencyProxy';
import { LAB_DB_NAME } from '../../server/db/seed';
import { createExecutor, type Executor } from '../../server/subject/blocking/executor';
import { type Database, startDatabase } from '../integration/subject/harness';

const HELD_MS = 6000;
let database: Database;
let proxy: LatencyProxy;
let executor: Executor;
/** Generous while the connections open; short once the test holds a call. */
let timeoutMs = 30_000;

beforeAll(async () => {
  database = await startDatabase();
  proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: database.server.port, latencyMs: 0 });
  const poolGauge = new SharedArrayBuffer(8);
  const client = { poolSize: 1, minPoolSize: 1, dbLatencyMs: HELD_MS, monitorCommands: false };
  executor = await createExecutor(
    { uri: `mongodb://127.0.0.1:${proxy.port}`, dbName: LAB_DB_NAME, client, poolGauge },
    2,
    () => timeoutMs,
  );
  // Both threads' connections open before the test holds anything.
  await Promise.all([executor.call('ping', [1], 'warm-1'), executor.call('ping', [1], 'warm-2')]);
});
afterAll(async () => {
  await executor?.close();
  await proxy?.close();
  await database?.stop();
});

describe('an executor call that timed out', () => {
  it('keeps its thread busy, so the next call goes to the free thread', async () => {
    // The held call's query waits HELD_MS / 2 in the proxy; everything after it, none.
    timeoutMs = 300;
    proxy.setLatency(HELD_MS);
    const heldAt = now();
    const held = executor.call('findOne', [{ username: 'alice' }], 'held');
    await expect(held).rejects.toThrow(/no answer from the database within 300 ms/);
    proxy.setLatency(0);
    expect(executor.saturated()).toBe(false); // one thread is stuck, the other is free

    const next = await executor.call('findOne', [{ username: 'alice' }], 'next');
    const answeredAt = now();
    expect(next.ok).toBe(true);
    // Queued behind the held call, it could not be answered before the held query even left the proxy.
    expect(answeredAt - heldAt).toBeLessThan(HELD_MS / 2);
  });

  it('frees the thread when the abandoned call finally ends', async () => {
    // Two at once need both threads: the stuck one serves again once its call has ended.
    const both = await Promise.all([executor.call('ping', [1], 'a'), executor.call('ping', [1], 'b')]);
    expect(both.every((reply) => reply.ok)).toBe(true);
  });
});
