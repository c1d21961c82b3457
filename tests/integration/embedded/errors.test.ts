import { Long } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target';

let target: Target;

beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.stop();
});

describe('errors, as mongod reports them', () => {
  it('answers an unknown command with CommandNotFound (59)', async () => {
    await expect(target.db.command({ frobnicate: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  });

  it('refuses transaction fields on a standalone server with IllegalOperation (20)', async () => {
    const command = {
      insert: 'tx',
      documents: [{ a: 1 }],
      txnNumber: Long.fromNumber(1),
      startTransaction: true,
      autocommit: false,
    };
    await expect(target.db.command(command)).rejects.toMatchObject({ code: 20 });
    expect(await target.db.collection('tx').countDocuments()).toBe(0);
  });

  it('reports a duplicate key on a unique index as write error 11000', async () => {
    const users = target.db.collection('dups');
    await users.createIndex({ username: 1 }, { unique: true });
    await users.insertOne({ username: 'alice' });
    await expect(users.insertOne({ username: 'alice' })).rejects.toMatchObject({ code: 11000 });
    await expect(users.insertOne({ _id: (await users.findOne())!._id })).rejects.toMatchObject({ code: 11000 });
    const reply = await target.db.command({
      insert: 'dups',
      documents: [{ username: 'bob' }, { username: 'alice' }, { username: 'carol' }],
      ordered: false,
    });
    expect(reply.n).toBe(2);
    expect(reply.writeErrors).toEqual([expect.objectContaining({ index: 1, code: 11000 })]);
    await users.insertOne({ username: 'dave' });
    await expect(users.updateOne({ username: 'dave' }, { $set: { username: 'bob' } })).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('refuses a unique index over existing duplicates', async () => {
    const clash = target.db.collection('clash');
    await clash.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(clash.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
  });

  it('answers ok: 0 with a message naming the field when a field has the wrong type', async () => {
    const cases = [
      { find: 'c', filter: 5 },
      { find: 'c', sort: 'name' },
      { insert: 'c', documents: 'not an array' },
      { update: 'c', updates: 7 },
      { delete: 'c', deletes: [{ q: 'x', limit: 0 }] },
      { distinct: 'c', key: 5 },
      { find: 'c', limit: 'ten' },
    ];
    for (const command of cases) {
      const field = Object.keys(command)[1]!;
      const error = await target.db.command(command).then(
        () => undefined,
        (e: { ok?: number; errmsg?: string; message: string }) => e,
      );
      expect(error, JSON.stringify(command)).toBeDefined();
      expect(error!.message).toMatch(new RegExp(field === 'deletes' ? 'q' : field));
    }
  });

  it('answers an unknown query operator with ok: 0, not a crash', async () => {
    await expect(target.db.collection('c').findOne({ a: { $nonsense: 1 } })).rejects.toMatchObject({ ok: 0 });
    expect(await target.db.admin().ping()).toMatchObject({ ok: 1 });
  });
});
