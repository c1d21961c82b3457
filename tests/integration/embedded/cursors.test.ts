import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target';

let target: Target;
let monitored: MongoClient;
const started: CommandStartedEvent[] = [];

beforeAll(async () => {
  target = await openTarget();
  monitored = await target.connect({ monitorCommands: true });
  monitored.on('commandStarted', (event) => started.push(event));
  await target.db
    .collection<{ _id: number; i: number }>('numbers')
    .insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i, i })));
});
afterAll(async () => {
  await target?.stop();
});

const commandsNamed = (name: string) => started.filter((e) => e.commandName === name);

describe('cursors', () => {
  it('returns 101 documents first and the rest through getMore', async () => {
    started.length = 0;
    const all = await monitored.db(target.db.databaseName).collection('numbers').find().sort({ i: 1 }).toArray();
    expect(all.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(commandsNamed('getMore').length).toBeGreaterThanOrEqual(1);
  });

  it('honours batchSize on find and getMore', async () => {
    started.length = 0;
    const docs = await monitored
      .db(target.db.databaseName)
      .collection('numbers')
      .find({ i: { $lt: 25 } }, { batchSize: 10 })
      .toArray();
    expect(docs).toHaveLength(25);
    expect(commandsNamed('getMore')).toHaveLength(2);
  });

  it('answers a single batch with a closed cursor when asked', async () => {
    const reply = await target.db.command({ find: 'numbers', batchSize: 5, singleBatch: true });
    expect(reply.cursor.firstBatch).toHaveLength(5);
    expect(reply.cursor.id.toString()).toBe('0');
  });

  it('kills an open cursor, after which getMore fails with CursorNotFound', async () => {
    const reply = await target.db.command({ find: 'numbers', batchSize: 2 });
    const id = reply.cursor.id;
    expect(id.toString()).not.toBe('0');
    const killed = await target.db.command({ killCursors: 'numbers', cursors: [id] });
    expect(killed.cursorsKilled.map(String)).toEqual([id.toString()]);
    await expect(target.db.command({ getMore: id, collection: 'numbers' })).rejects.toMatchObject({ code: 43 });
  });

  it('pages an aggregation through getMore', async () => {
    const docs = await target.db
      .collection('numbers')
      .aggregate([{ $match: { i: { $gte: 50 } } }], { batchSize: 20 })
      .toArray();
    expect(docs).toHaveLength(200);
  });

  it('splits a batch at 16 MiB and still returns every document', { timeout: 60_000 }, async () => {
    const big = target.db.collection<{ _id: number; payload: string }>('big');
    const payload = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 40; i += 10) {
      await big.insertMany(Array.from({ length: 10 }, (_, k) => ({ _id: i + k, payload })));
    }
    started.length = 0;
    const docs = await monitored.db(target.db.databaseName).collection('big').find({}, { batchSize: 1000 }).toArray();
    expect(docs.map((d) => Number(d._id)).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(docs.every((d) => d.payload.length === payload.length)).toBe(true);
    // 40 MiB cannot fit under the 16 MiB reply limit: the server had to split it.
    expect(commandsNamed('getMore').length).toBeGreaterThanOrEqual(2);
  });
});
