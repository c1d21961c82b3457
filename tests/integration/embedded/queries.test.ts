import { BSONRegExp, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target';

let target: Target;
/** Loosely typed documents: these tests use numbers and strings as _id. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const coll = (name: string) => target.db.collection<any>(name);

beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.stop();
});

describe('array updates and projections', () => {
  it('updates the matched element with the positional $', async () => {
    const c = coll('orders');
    await c.insertOne({
      _id: 1,
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
    });
    await c.updateOne({ 'items.sku': 'b' }, { $inc: { 'items.$.qty': 5 } });
    expect((await c.findOne({ _id: 1 }))!.items).toEqual([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 7 },
    ]);
  });

  it('updates every element with $[] and the chosen ones with $[<id>] and arrayFilters', async () => {
    const c = coll('grades');
    await c.insertOne({ _id: 1, grades: [80, 95, 60], marks: [{ v: 1 }, { v: 9 }] });
    await c.updateOne({ _id: 1 }, { $inc: { 'grades.$[]': 1 } });
    await c.updateOne({ _id: 1 }, { $set: { 'marks.$[big].v': 0 } }, { arrayFilters: [{ 'big.v': { $gt: 5 } }] });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, grades: [81, 96, 61], marks: [{ v: 1 }, { v: 0 }] });
  });

  it('projects the matched element with a positional projection', async () => {
    const c = coll('positional');
    await c.insertOne({ _id: 1, lines: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(await c.findOne({ 'lines.n': 2 }, { projection: { 'lines.$': 1 } })).toEqual({ _id: 1, lines: [{ n: 2 }] });
  });

  it('applies $push modifiers to a missing field', async () => {
    const c = coll('push');
    await c.insertOne({ _id: 1 });
    await c.updateOne({ _id: 1 }, { $push: { scores: { $each: [5, 1, 9, 3], $sort: -1, $slice: 2 } } } as Document);
    expect((await c.findOne({ _id: 1 }))!.scores).toEqual([9, 5]);
  });

  it('uses the sort option of updateOne to choose which document changes', async () => {
    const c = coll('updatesort');
    await c.insertMany([
      { _id: 1, n: 5 },
      { _id: 2, n: 9 },
      { _id: 3, n: 1 },
    ]);
    await c.updateOne({}, { $set: { top: true } }, { sort: { n: -1 } });
    expect((await c.find({ top: true }).toArray()).map((d) => d._id)).toEqual([2]);
  });
});

describe('indexes', () => {
  it('answers an $in of thousands of values through the index', async () => {
    const c = coll('bigin');
    await c.insertMany(Array.from({ length: 6000 }, (_, i) => ({ _id: i, k: i % 3000 })));
    await c.createIndex({ k: 1 });
    const wanted = Array.from({ length: 2500 }, (_, i) => i);
    const explained = await c.find({ k: { $in: wanted } }).explain('executionStats');
    expect(explained.queryPlanner.winningPlan.inputStage.stage).toBe('IXSCAN');
    expect(explained.executionStats.nReturned).toBe(5000);
    expect(await c.countDocuments({ _id: { $in: wanted } })).toBe(2500);
  });
});

describe('regular expressions', () => {
  it('honours the s flag, inline (?i) and \\A, like mongod', async () => {
    const c = coll('regex');
    await c.insertMany([
      { _id: 1, s: 'Alice\nSmith' },
      { _id: 2, s: 'bob' },
      { _id: 3, s: 'A literal' },
    ]);
    expect((await c.find({ s: { $regex: 'alice.smith', $options: 'is' } }).toArray()).map((d) => d._id)).toEqual([1]);
    expect((await c.find({ s: { $regex: '(?i)^ALI' } }).toArray()).map((d) => d._id)).toEqual([1]);
    expect((await c.find({ s: new BSONRegExp('\\Ab', '') }).toArray()).map((d) => d._id)).toEqual([2]);
    expect(
      (await c.find({ s: { $regex: 'a  l i # spaced out', $options: 'xi' } }).toArray()).map((d) => d._id),
    ).toEqual([1]);
  });
});

describe('aggregation', () => {
  it('joins with $lookup by field and by pipeline', async () => {
    await coll('authors').insertMany([
      { _id: 'ada', name: 'Ada' },
      { _id: 'alan', name: 'Alan' },
    ]);
    const posts = coll('posts');
    await posts.insertMany([
      { _id: 1, author: 'ada' },
      { _id: 2, author: 'nobody' },
    ]);
    const byField = await posts
      .aggregate([{ $lookup: { from: 'authors', localField: 'author', foreignField: '_id', as: 'who' } }])
      .toArray();
    expect(byField.map((p) => p.who.map((a: { name: string }) => a.name))).toEqual([['Ada'], []]);
    const byPipeline = await posts
      .aggregate([
        {
          $lookup: {
            from: 'authors',
            let: { a: '$author' },
            pipeline: [{ $match: { $expr: { $eq: ['$_id', '$$a'] } } }],
            as: 'who',
          },
        },
      ])
      .toArray();
    expect(byPipeline.map((p) => p.who.length)).toEqual([1, 0]);
  });

  it('returns nothing from $count over no documents, and $sample never repeats a document', async () => {
    const c = coll('sampled');
    expect(await c.aggregate([{ $count: 'n' }]).toArray()).toEqual([]);
    await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i })));
    const ids = (await c.aggregate([{ $sample: { size: 15 } }]).toArray()).map((d) => d._id);
    expect(new Set(ids).size).toBe(15);
  });
});

describe('never a silent wrong answer', () => {
  it('refuses what it does not implement, with mongod codes', async () => {
    const c = coll('refusals');
    await c.insertOne({ name: 'a' });
    await expect(c.find({ name: 'A' }, { collation: { locale: 'en', strength: 4 } }).toArray()).rejects.toMatchObject({
      code: 115,
    });
    await expect(c.find({}, { hint: 'no_such_index' }).toArray()).rejects.toMatchObject({ code: 2 });
    await expect(c.aggregate([{ $frobnicate: {} }]).toArray()).rejects.toMatchObject({ code: 40324 });
    await expect(c.aggregate([{ $graphLookup: {} }]).toArray()).rejects.toMatchObject({ code: 115 });
    await expect(c.find({ $where: 'true' }).toArray()).rejects.toMatchObject({ code: 115 });
    await expect(c.find({ name: { $frob: 1 } }).toArray()).rejects.toMatchObject({ code: 2 });
    await expect(target.db.command({ find: 'refusals', tailable: true })).rejects.toMatchObject({ code: 115 });
    await expect(target.db.command({ find: 'refusals', frobnicate: 1 })).rejects.toMatchObject({ code: 40415 });
    await expect(c.updateOne({}, { $frob: { a: 1 } })).rejects.toMatchObject({ code: 9 });
  });
});
