/**
 * Commands apps and drivers reach for beyond CRUD: the 8.0 bulkWrite command (client.bulkWrite),
 * renameCollection, dbStats, collStats and $collStats, collMod (validator, hidden index),
 * database-level aggregate, collation, and the refusal of text search — all through the real
 * driver, with the answers mongod gives.
 */
import { type ClientBulkWriteOptions, type Document, MongoClientBulkWriteError, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, REAL_MONGODB, type Target } from './target';

let target: Target;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const coll = (name: string) => target.db.collection<any>(name);
const ns = (name: string) => `${target.db.databaseName}.${name}` as const;
/** client.bulkWrite with loosely typed models: these tests use numbers and strings as _id. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bulk = (models: any[], options?: ClientBulkWriteOptions) => target.client.bulkWrite(models, options);

beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.stop();
});

describe('client.bulkWrite (the bulkWrite command)', () => {
  it('inserts, updates, replaces and deletes across collections with verbose results', async () => {
    await coll('bw_a').insertMany([
      { _id: 1, x: 1 },
      { _id: 2, x: 2 },
    ]);
    const result = await bulk(
      [
        { name: 'insertOne', namespace: ns('bw_a'), document: { _id: 3, x: 3 } },
        { name: 'insertOne', namespace: ns('bw_b'), document: { _id: 'b1' } },
        { name: 'updateOne', namespace: ns('bw_a'), filter: { _id: 1 }, update: { $inc: { x: 10 } } },
        { name: 'updateMany', namespace: ns('bw_a'), filter: { x: { $gte: 2 } }, update: { $set: { big: true } } },
        { name: 'replaceOne', namespace: ns('bw_b'), filter: { _id: 'b2' }, replacement: { y: 1 }, upsert: true },
        { name: 'deleteOne', namespace: ns('bw_a'), filter: { _id: 2 } },
      ],
      { verboseResults: true },
    );
    expect(result).toMatchObject({
      insertedCount: 2,
      matchedCount: 4,
      modifiedCount: 4,
      upsertedCount: 1,
      deletedCount: 1,
    });
    expect(result.insertResults?.get(1)).toEqual({ insertedId: 'b1' });
    expect(result.updateResults?.get(4)).toMatchObject({ modifiedCount: 0, upsertedId: 'b2' });
    expect(result.deleteResults?.get(5)).toEqual({ deletedCount: 1 });
    expect(await coll('bw_a').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, x: 11, big: true },
      { _id: 3, x: 3, big: true },
    ]);
    expect(await coll('bw_b').find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 'b1' }, { _id: 'b2', y: 1 }]);
  });

  it('stops an ordered bulk write at the first error and reports it by its index', async () => {
    await coll('bw_err').insertOne({ _id: 1 });
    const error = await bulk([
      { name: 'insertOne', namespace: ns('bw_err'), document: { _id: 2 } },
      { name: 'insertOne', namespace: ns('bw_err'), document: { _id: 1 } },
      { name: 'insertOne', namespace: ns('bw_err'), document: { _id: 3 } },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoClientBulkWriteError);
    expect((error as MongoClientBulkWriteError).writeErrors.get(1)).toMatchObject({ code: 11000 });
    expect((error as MongoClientBulkWriteError).partialResult).toMatchObject({ insertedCount: 1 });
    expect((await coll('bw_err').find().toArray()).map((d) => d._id).sort()).toEqual([1, 2]);
  });

  it('carries on past an error when unordered', async () => {
    await coll('bw_unordered').insertOne({ _id: 1 });
    const error = (await bulk(
      [
        { name: 'insertOne', namespace: ns('bw_unordered'), document: { _id: 1 } },
        { name: 'insertOne', namespace: ns('bw_unordered'), document: { _id: 2 } },
      ],
      { ordered: false },
    ).catch((e: unknown) => e)) as MongoClientBulkWriteError;
    expect([...error.writeErrors.keys()]).toEqual([0]);
    expect(await coll('bw_unordered').countDocuments()).toBe(2);
  });
});

describe('renameCollection', () => {
  it('moves the documents and indexes to the new name, and refuses an existing target without dropTarget', async () => {
    await coll('ren_from').insertMany([
      { _id: 1, k: 'a' },
      { _id: 2, k: 'b' },
    ]);
    await coll('ren_from').createIndex({ k: 1 }, { unique: true });
    await coll('ren_other').insertOne({ _id: 'x' });
    await coll('ren_from').rename('ren_to');
    expect(await coll('ren_to').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, k: 'a' },
      { _id: 2, k: 'b' },
    ]);
    expect((await coll('ren_to').indexes()).map((i) => i.name)).toEqual(['_id_', 'k_1']);
    await expect(coll('ren_to').insertOne({ k: 'a' })).rejects.toMatchObject({ code: 11000 });
    expect((await target.db.listCollections({ name: 'ren_from' }).toArray()).length).toBe(0);
    await expect(coll('ren_to').rename('ren_other')).rejects.toMatchObject({ code: 48 });
    await coll('ren_to').rename('ren_other', { dropTarget: true });
    expect(await coll('ren_other').countDocuments()).toBe(2);
    await expect(coll('ren_missing').rename('ren_somewhere')).rejects.toMatchObject({ code: 26 });
  });
});

describe('dbStats, collStats and $collStats', () => {
  it('count the collections, documents and indexes', async () => {
    const db = target.client.db(`${target.db.databaseName}_stats`);
    await db.collection('s1').insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    await db.collection('s2').insertOne({ b: 'x'.repeat(1000) });
    await db.collection('s2').createIndex({ b: 1 });
    const stats = await db.stats();
    expect(stats).toMatchObject({ db: db.databaseName, collections: 2, objects: 4, indexes: 3 });
    expect(stats.dataSize).toBeGreaterThan(1000);
    const kb = await db.command({ dbStats: 1, scale: 1024 });
    expect(kb.dataSize).toBeLessThan(stats.dataSize);
    const coll2 = await db.command({ collStats: 's2' });
    expect(coll2).toMatchObject({ ns: `${db.databaseName}.s2`, count: 1, nindexes: 2 });
    expect(coll2.size).toBeGreaterThan(1000);
    expect(Object.keys(coll2.indexSizes).sort()).toEqual(['_id_', 'b_1']);
    const [viaStage] = await db
      .collection('s1')
      .aggregate([{ $collStats: { count: {}, storageStats: {} } }])
      .toArray();
    expect(viaStage).toMatchObject({ ns: `${db.databaseName}.s1`, count: 3, storageStats: { count: 3, nindexes: 1 } });
    await db.dropDatabase();
  });
});

describe('collMod', () => {
  it('adds a validator that later writes must pass (DocumentValidationFailure, 121), unless bypassed', async () => {
    const c = coll('validated');
    await c.insertOne({ _id: 1, x: 'ok' });
    await target.db.command({ collMod: 'validated', validator: { x: { $type: 'string' } } });
    const error = (await c.updateOne({ _id: 1 }, { $set: { x: 5 } }).catch((e: unknown) => e)) as MongoServerError;
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error.code).toBe(121);
    expect(error.errInfo).toMatchObject({ failingDocumentId: 1 });
    await expect(c.insertOne({ _id: 2, x: 2 })).rejects.toMatchObject({ code: 121 });
    await c.insertOne({ _id: 3, x: 3 }, { bypassDocumentValidation: true });
    await c.insertOne({ _id: 4, x: 'four' });
    expect((await c.find().sort({ _id: 1 }).toArray()).map((d) => d.x)).toEqual(['ok', 3, 'four']);
    const [info] = await target.db.listCollections({ name: 'validated' }).toArray();
    expect((info as Document).options.validator).toEqual({ x: { $type: 'string' } });
  });

  it('hides an index from the planner and shows it again', async () => {
    const c = coll('hidden_idx');
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ k: i })));
    await c.createIndex({ k: 1 });
    const stageOf = async () =>
      JSON.stringify((await c.find({ k: 7 }).explain('queryPlanner')).queryPlanner.winningPlan);
    expect(await stageOf()).toContain('IXSCAN');
    expect(
      await target.db.command({ collMod: 'hidden_idx', index: { keyPattern: { k: 1 }, hidden: true } }),
    ).toMatchObject({ hidden_old: false, hidden_new: true });
    expect(await stageOf()).not.toContain('IXSCAN');
    expect(await c.find({ k: 7 }).toArray()).toHaveLength(1);
    expect((await c.indexes()).find((i) => i.name === 'k_1')).toMatchObject({ hidden: true });
    await target.db.command({ collMod: 'hidden_idx', index: { name: 'k_1', hidden: false } });
    expect(await stageOf()).toContain('IXSCAN');
  });

  it.runIf(!REAL_MONGODB)('refuses what it does not implement with a clear error', async () => {
    await coll('collmod_refused').insertOne({});
    await expect(target.db.command({ collMod: 'collmod_refused', expireAfterSeconds: 5 })).rejects.toMatchObject({
      code: 115,
    });
    await expect(target.db.command({ collMod: 'collmod_missing', validator: {} })).rejects.toMatchObject({ code: 26 });
  });
});

describe('aggregate on a database ({aggregate: 1})', () => {
  it('runs a $documents pipeline, and can $merge its output into a collection', async () => {
    const docs = await target.db
      .aggregate([
        { $documents: [{ a: 1 }, { a: 2 }, { a: 3 }] },
        { $match: { a: { $gte: 2 } } },
        { $project: { _id: 0, a: 1 } },
      ])
      .toArray();
    expect(docs).toEqual([{ a: 2 }, { a: 3 }]);
    await target.db.aggregate([{ $documents: [{ _id: 1, v: 'x' }] }, { $merge: { into: 'from_documents' } }]).toArray();
    expect(await coll('from_documents').find().toArray()).toEqual([{ _id: 1, v: 'x' }]);
  });

  it('lists this client’s session with $listLocalSessions', async () => {
    const [first] = await target.db.aggregate([{ $listLocalSessions: {} }, { $limit: 1 }]).toArray();
    expect(first?._id?.id).toBeDefined();
  });

  it('refuses a pipeline that needs a collection, and $currentOp with a clear error', async () => {
    await expect(target.db.aggregate([{ $match: {} }]).toArray()).rejects.toMatchObject({ code: 73 });
    if (!REAL_MONGODB)
      await expect(
        target.client
          .db('admin')
          .aggregate([{ $currentOp: {} }])
          .toArray(),
      ).rejects.toMatchObject({ code: 115 });
  });
});

describe('collation', () => {
  it('matches, sorts, counts and updates case-insensitively at strength 2', async () => {
    const c = coll('collated');
    await c.insertMany([
      { _id: 1, s: 'apple' },
      { _id: 2, s: 'Apple' },
      { _id: 3, s: 'banana' },
      { _id: 4, s: 'Äpple' },
    ]);
    await c.createIndex({ s: 1 });
    const en2 = { locale: 'en', strength: 2 };
    expect((await c.find({ s: 'APPLE' }, { collation: en2 }).toArray()).map((d) => d._id).sort()).toEqual([1, 2]);
    expect(await c.countDocuments({ s: 'apple' }, { collation: { locale: 'en', strength: 1 } })).toBe(3);
    expect(await c.countDocuments({ s: 'apple' })).toBe(1);
    expect((await c.find({ s: { $in: ['BANANA'] } }, { collation: en2 }).toArray()).map((d) => d._id)).toEqual([3]);
    expect((await c.find({}, { collation: en2 }).sort({ s: 1, _id: 1 }).toArray()).map((d) => d.s)).toEqual([
      'apple',
      'Apple',
      'Äpple',
      'banana',
    ]);
    expect(await c.distinct('s', { _id: { $lte: 2 } }, { collation: en2 })).toHaveLength(1);
    const updated = await c.updateMany({ s: 'apple' }, { $set: { fruit: true } }, { collation: en2 });
    expect(updated).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    await c.updateOne({ _id: 1 }, { $set: { s: 'APPLE' } }, { collation: en2 });
    expect((await c.findOne({ _id: 1 }))!.s).toBe('APPLE');
  });

  it('at strength 5 (identical) equates only canonically equivalent strings; strength 4 and index collations are refused', async () => {
    const c = coll('identical');
    // café precomposed and decomposed are canonically equivalent; the other two differ by case or accent.
    await c.insertMany([
      { _id: 1, s: 'caf\u00e9' },
      { _id: 2, s: 'cafe\u0301' },
      { _id: 3, s: 'Caf\u00e9' },
      { _id: 4, s: 'cafe' },
      { _id: 5, s: 'cafe10' },
      { _id: 6, s: 'cafe9' },
    ]);
    const en5 = { locale: 'en', strength: 5 };
    expect((await c.find({ s: 'caf\u00e9' }, { collation: en5 }).toArray()).map((d) => d._id).sort()).toEqual([1, 2]);
    expect(await c.countDocuments({ s: 'CAFE' }, { collation: en5 })).toBe(0);
    expect((await c.find({}, { collation: en5 }).sort({ s: 1, _id: 1 }).toArray()).map((d) => d._id)).toEqual([
      4, 1, 2, 3, 5, 6,
    ]);
    const numeric = { ...en5, numericOrdering: true };
    expect(
      (
        await c
          .find({ _id: { $gte: 4 } }, { collation: numeric })
          .sort({ s: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual([4, 6, 5]);
    if (!REAL_MONGODB) {
      await expect(c.find({}, { collation: { locale: 'en', strength: 4 } }).toArray()).rejects.toMatchObject({
        code: 115,
      });
      await expect(c.createIndex({ s: 1 }, { collation: { locale: 'en', strength: 2 } })).rejects.toMatchObject({
        code: 115,
      });
    }
  });
});

describe('views', () => {
  it('reads through the view pipeline, and refuses writes to the view', async () => {
    await coll('view_src').insertMany([
      { _id: 1, a: 1, k: 'x' },
      { _id: 2, a: 2, k: 'y' },
      { _id: 3, a: 3, k: 'x' },
    ]);
    await target.db.createCollection('big_a', { viewOn: 'view_src', pipeline: [{ $match: { a: { $gt: 1 } } }] });
    const view = coll('big_a');
    expect(await view.find({ k: 'x' }).toArray()).toEqual([{ _id: 3, a: 3, k: 'x' }]);
    expect(await view.estimatedDocumentCount()).toBe(2);
    expect(await view.countDocuments({ k: 'y' })).toBe(1);
    expect((await view.distinct('k')).sort()).toEqual(['x', 'y']);
    expect(await view.aggregate([{ $group: { _id: null, s: { $sum: '$a' } } }]).toArray()).toEqual([
      { _id: null, s: 5 },
    ]);
    await coll('view_src').insertOne({ _id: 4, a: 4, k: 'z' });
    expect(await view.estimatedDocumentCount()).toBe(3);
    await expect(view.insertOne({ a: 9 })).rejects.toMatchObject({ code: 166 });
    await expect(view.deleteMany({})).rejects.toMatchObject({ code: 166 });
    await expect(view.updateMany({}, { $set: { z: 1 } })).rejects.toMatchObject({ code: 166 });
    expect(await coll('view_src').countDocuments()).toBe(4);
    const [info] = await target.db.listCollections({ name: 'big_a' }).toArray();
    expect(info).toMatchObject({ type: 'view', options: { viewOn: 'view_src' } });
    await view.drop();
    expect(await target.db.listCollections({ name: 'big_a' }).toArray()).toEqual([]);
  });
});

describe('text search', () => {
  it.runIf(!REAL_MONGODB)(
    'refuses text indexes and $text with CommandNotSupported (115), never a wrong answer',
    async () => {
      const c = coll('texts');
      await c.insertOne({ body: 'the quick brown fox' });
      await expect(c.createIndex({ body: 'text' })).rejects.toMatchObject({ code: 115 });
      await expect(c.find({ $text: { $search: 'fox' } }).toArray()).rejects.toMatchObject({ code: 115 });
      expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
    },
  );
});
