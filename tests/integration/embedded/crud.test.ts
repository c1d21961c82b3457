import type { Collection } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target';

let target: Target;
interface Person {
  _id?: number;
  name: string;
  city?: string;
  age?: number;
  tags?: string[];
  country?: string;
}

let people: Collection<Person>;

beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.stop();
});
beforeEach(async () => {
  people = target.db.collection<Person>('people');
  await people.deleteMany({});
  await people.insertMany([
    { _id: 1, name: 'alice', city: 'Oslo', age: 31, tags: ['admin', 'dev'] },
    { _id: 2, name: 'bob', city: 'Lima', age: 25, tags: ['dev'] },
    { _id: 3, name: 'carol', city: 'Oslo', age: 42, tags: [] },
    { _id: 4, name: 'dave', city: 'Pune', age: 25 },
  ]);
});

describe('find', () => {
  it('filters, sorts, skips, limits and projects', async () => {
    const found = await people
      .find({ age: { $gte: 25 } }, { projection: { name: 1, _id: 0 } })
      .sort({ age: -1, name: 1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(found).toEqual([{ name: 'alice' }, { name: 'bob' }]);
  });

  it('matches array elements, $in, $or and regular expressions', async () => {
    expect((await people.find({ tags: 'dev' }).toArray()).map((p) => p.name)).toEqual(['alice', 'bob']);
    expect(await people.countDocuments({ _id: { $in: [1, 3, 99] } })).toBe(2);
    expect(await people.countDocuments({ $or: [{ city: 'Lima' }, { age: 42 }] })).toBe(2);
    expect((await people.findOne({ name: /^ca/ }))?.name).toBe('carol');
  });

  it('returns null from findOne when nothing matches', async () => {
    expect(await people.findOne({ name: 'nobody' })).toBeNull();
  });

  it('stores _id first even when the driver appends it', async () => {
    await people.insertOne({ name: 'erin' });
    const erin = await people.findOne({ name: 'erin' });
    expect(Object.keys(erin!)[0]).toBe('_id');
  });
});

describe('update', () => {
  it('applies operators to one document', async () => {
    const result = await people.updateOne(
      { name: 'bob' },
      { $set: { city: 'Quito' }, $inc: { age: 1 }, $push: { tags: 'ops' } },
    );
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await people.findOne({ _id: 2 })).toEqual({
      _id: 2,
      name: 'bob',
      city: 'Quito',
      age: 26,
      tags: ['dev', 'ops'],
    });
  });

  it('updates every match with updateMany and counts unchanged documents as matched only', async () => {
    await people.updateOne({ name: 'dave' }, { $set: { city: 'Oslo' } });
    const result = await people.updateMany({ city: 'Oslo' }, { $set: { country: 'NO' } });
    expect(result).toMatchObject({ matchedCount: 3, modifiedCount: 3 });
    const again = await people.updateMany({ city: 'Oslo' }, { $set: { country: 'NO' } });
    expect(again).toMatchObject({ matchedCount: 3, modifiedCount: 0 });
  });

  it('replaces a whole document but keeps its _id', async () => {
    await people.replaceOne({ _id: 3 }, { name: 'caroline' });
    expect(await people.findOne({ _id: 3 })).toEqual({ _id: 3, name: 'caroline' });
  });

  it('upserts from the filter fields and $setOnInsert', async () => {
    const result = await people.updateOne(
      { name: 'frank' },
      { $set: { age: 50 }, $setOnInsert: { city: 'Rome' } },
      { upsert: true },
    );
    expect(result.upsertedCount).toBe(1);
    const frank = await people.findOne({ name: 'frank' });
    expect(frank).toMatchObject({ name: 'frank', age: 50, city: 'Rome' });
    expect(String(frank?._id)).toBe(String(result.upsertedId));
    await people.updateOne({ name: 'frank' }, { $set: { age: 51 }, $setOnInsert: { city: 'Nice' } }, { upsert: true });
    expect(await people.findOne({ name: 'frank' })).toMatchObject({ age: 51, city: 'Rome' });
  });

  it('refuses to change _id', async () => {
    await expect(people.updateOne({ _id: 1 }, { $set: { _id: 9 } })).rejects.toMatchObject({ code: 66 });
  });
});

describe('delete', () => {
  it('deletes one or many', async () => {
    expect((await people.deleteOne({ city: 'Oslo' })).deletedCount).toBe(1);
    expect((await people.deleteMany({ age: 25 })).deletedCount).toBe(2);
    expect(await people.countDocuments()).toBe(1);
  });
});

describe('findAndModify', () => {
  it('returns the document before or after an update', async () => {
    const before = await people.findOneAndUpdate({ name: 'alice' }, { $inc: { age: 1 } });
    expect(before?.age).toBe(31);
    const after = await people.findOneAndUpdate({ name: 'alice' }, { $inc: { age: 1 } }, { returnDocument: 'after' });
    expect(after?.age).toBe(33);
  });

  it('takes the first match in sort order, deletes, replaces and upserts', async () => {
    const youngest = await people.findOneAndDelete({ age: 25 }, { sort: { name: -1 } });
    expect(youngest?.name).toBe('dave');
    const replaced = await people.findOneAndReplace({ name: 'bob' }, { name: 'robert' }, { returnDocument: 'after' });
    expect(replaced).toEqual({ _id: 2, name: 'robert' });
    const upserted = await people.findOneAndUpdate(
      { name: 'gus' },
      { $set: { age: 9 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upserted).toMatchObject({ name: 'gus', age: 9 });
  });
});

describe('count and distinct', () => {
  it('counts with the count command and with an aggregation', async () => {
    expect(await people.estimatedDocumentCount()).toBe(4);
    expect(await people.countDocuments({ city: 'Oslo' })).toBe(2);
    const counted = await target.db.command({ count: 'people', query: { age: 25 }, limit: 1 });
    expect(counted.n).toBe(1);
  });

  it('lists distinct values, unwinding arrays', async () => {
    expect((await people.distinct('city')).sort()).toEqual(['Lima', 'Oslo', 'Pune']);
    expect((await people.distinct('tags', { age: { $lt: 40 } })).sort()).toEqual(['admin', 'dev']);
  });
});

describe('aggregate', () => {
  it('runs $match, $unwind, $group, $sort, $project, $skip and $limit', async () => {
    const result = await people
      .aggregate([
        { $match: { age: { $lt: 40 } } },
        { $unwind: '$tags' },
        { $group: { _id: '$tags', people: { $sum: 1 }, ages: { $push: '$age' } } },
        { $sort: { _id: 1 } },
        { $project: { _id: 0, tag: '$_id', people: 1 } },
        { $skip: 0 },
        { $limit: 5 },
      ])
      .toArray();
    expect(result).toEqual([
      { people: 1, tag: 'admin' },
      { people: 2, tag: 'dev' },
    ]);
  });

  it('counts with $count', async () => {
    expect(await people.aggregate([{ $match: { city: 'Oslo' } }, { $count: 'n' }]).toArray()).toEqual([{ n: 2 }]);
  });

  it('leaves stored documents untouched when a stage adds fields', async () => {
    await people.aggregate([{ $set: { age: 0 } }]).toArray();
    expect((await people.findOne({ _id: 1 }))?.age).toBe(31);
  });
});
