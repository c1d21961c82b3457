/**
 * Timing: the latency proxy adds dbLatencyMs per ROUND TRIP (half each way), keeps the
 * wire protocol's byte order while the delay changes, and the lab can change the delay
 * without restarting the subject.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { type LatencyProxy, startLatencyProxy } from '../../../server/proxy/latencyProxy';
import { type Database, request, startDatabase, startLab } from '../../integration/subject/harness';

let database: Database;
let proxy: LatencyProxy;
let client: MongoClient;

beforeAll(async () => {
  database = await startDatabase();
  proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: database.server.port, latencyMs: 0 });
  client = new MongoClient(`mongodb://127.0.0.1:${proxy.port}/`, { directConnection: true, maxPoolSize: 1 });
  await client.db('admin').command({ ping: 1 });
});
afterAll(async () => {
  await client?.close(true);
  await proxy?.close();
  await database?.stop();
});

async function pingMs(): Promise<number> {
  const start = performance.now();
  await client.db('admin').command({ ping: 1 });
  return performance.now() - start;
}

describe('the latency proxy', () => {
  it('adds the configured latency to each round trip, not to each direction', async () => {
    proxy.setLatency(0);
    const fast = Math.min(await pingMs(), await pingMs(), await pingMs());
    proxy.setLatency(100);
    await pingMs(); // a heartbeat may have been queued under the old delay
    const slow = Math.min(await pingMs(), await pingMs(), await pingMs());
    // The added delay is a floor under every round trip (fast itself may be inflated by a busy machine).
    expect(slow).toBeGreaterThanOrEqual(95);
    expect(slow).toBeGreaterThan(fast);
    // Per direction it would be two delays: a ping races a timer of 1.9 delays started
    // with it, and wins at least once in three (an ordering, which a busy machine delays
    // on both sides alike, rather than an absolute bound).
    const wins: boolean[] = [];
    for (let i = 0; i < 3 && !wins.includes(true); i++) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 190)));
      wins.push(
        await Promise.race([
          client
            .db('admin')
            .command({ ping: 1 })
            .then(() => true as const),
          late,
        ]),
      );
      clearTimeout(timer);
    }
    expect(wins).toContain(true);
  });

  it('keeps replies intact and in order while the delay keeps changing', async () => {
    const users = client.db(LAB_DB_NAME).collection('users');
    const direct = await database.db
      .collection('users')
      .find({}, { projection: { _id: 0 } })
      .sort({ username: 1 })
      .toArray();
    proxy.setLatency(10);
    const flip = setInterval(() => proxy.setLatency(proxy.latencyMs() === 10 ? 0 : 10), 3);
    try {
      const proxied = await users
        .find({}, { projection: { _id: 0 } })
        .sort({ username: 1 })
        .batchSize(500)
        .toArray();
      expect(proxied).toEqual(direct);
    } finally {
      clearInterval(flip);
    }
  });
});

describe('dbLatencyMs through the supervisor', () => {
  it('takes effect at once, without restarting the subject', async () => {
    const lab = await startLab(database, { dbLatencyMs: 0 });
    try {
      const time = async () => {
        const reply = await request(lab.url('/users/alice'));
        expect(reply.status).toBe(200);
        return reply.doneAt - reply.sentAt;
      };
      await time();
      const before = await time();
      const { subject } = lab.supervisor.pids();
      await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 300 });
      await time(); // a connection may still carry a chunk delayed under the old setting
      const after = await time();
      expect(lab.supervisor.pids().subject).toBe(subject);
      expect(after - before).toBeGreaterThanOrEqual(250);
    } finally {
      await lab.supervisor.stop();
    }
  });
});
