/** Many clients at once: 100 drivers, 100 operations each, every answer checked. */
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target';

const CLIENTS = 100;
const OPERATIONS = 100;

let target: Target;

beforeAll(async () => {
  target = await openTarget();
  await target.db.collection('tally').createIndex({ client: 1, i: 1 }, { unique: true });
  await target.db.collection('tally').createIndex({ client: 1 });
});
afterAll(async () => {
  await target?.stop();
});

/** Each client inserts, reads back, updates and counts its own documents: 25 rounds of 4 operations. */
async function work(client: MongoClient, id: number): Promise<void> {
  const tally = client.db(target.db.databaseName).collection('tally');
  for (let i = 0; i < OPERATIONS / 4; i++) {
    await tally.insertOne({ client: id, i, hits: 0 });
    const mine = await tally.findOne({ client: id, i });
    expect(mine).toMatchObject({ client: id, i, hits: 0 });
    const updated = await tally.updateOne({ client: id, i }, { $inc: { hits: id + 1 } });
    expect(updated.modifiedCount).toBe(1);
    expect(await tally.countDocuments({ client: id })).toBe(i + 1);
  }
}

describe('concurrency', () => {
  it(
    'serves 100 concurrent clients doing 100 operations each with the right results',
    { timeout: 120_000 },
    async () => {
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => target.connect({ maxPoolSize: 2 })));
      await Promise.all(clients.map((client, id) => work(client, id)));
      const tally = target.db.collection('tally');
      expect(await tally.countDocuments()).toBe(CLIENTS * (OPERATIONS / 4));
      const sums = await tally.aggregate([{ $group: { _id: null, hits: { $sum: '$hits' } } }]).toArray();
      const expected = (OPERATIONS / 4) * ((CLIENTS * (CLIENTS + 1)) / 2);
      expect(sums[0]?.hits).toBe(expected);
      await Promise.all(clients.map((c) => c.close()));
    },
  );
});
