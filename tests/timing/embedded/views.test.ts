/**
 * Views over a large collection: reading one is a long scan like any other, so it steps aside
 * for other connections and stops at maxTimeMS; collMod changes a view's source and pipeline.
 * Through the official driver, against the embedded server or the real MongoDB named in target.ts.
 * A timing test: it counts the pings that fit inside a read, so it runs alone (tests/timing),
 * not beside another test file that would take the CPU the pings need.
 */
import { type Collection, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from '../../integration/embedded/target';

const DOCS = 100_000;
/** A view whose pipeline touches every document: a field computed per document, then a match on it. */
const PIPELINE = [{ $addFields: { w: { $add: ['$i', 1] } } }, { $match: { w: { $gte: 0 } } }];

let target: Target;
let view: Collection;

beforeAll(async () => {
  target = await openTarget();
  const source = target.db.collection('big_source');
  for (let at = 0; at < DOCS; at += 10_000) {
    await source.insertMany(
      Array.from({ length: 10_000 }, (_, k) => ({ i: at + k, s: String((at + k) % 97), pad: 'x'.repeat(20) })),
    );
  }
  await target.db.createCollection('big_view', { viewOn: 'big_source', pipeline: PIPELINE });
  view = target.db.collection('big_view');
}, 120_000);
afterAll(async () => {
  await target?.stop();
});

/** Pings `admin` on another connection until `work` settles; returns how many answered meanwhile. */
async function pingsDuring(work: Promise<unknown>): Promise<number> {
  const pinger = await target.connect({ maxPoolSize: 1 });
  await pinger.db('admin').command({ ping: 1 });
  let settled = false;
  const done = work.finally(() => (settled = true));
  let answered = 0;
  while (!settled) {
    await pinger.db('admin').command({ ping: 1 });
    if (!settled) answered++;
  }
  await done;
  return answered;
}

describe('a view over 100,000 documents', () => {
  it('is read in full: every document through the pipeline', async () => {
    expect(await view.countDocuments({ w: { $gt: DOCS - 10 } })).toBe(10);
    expect(await view.findOne({ i: 41 }, { projection: { _id: 0, w: 1, s: 1 } })).toEqual({ w: 42, s: '41' });
  });

  it('lets another connection ping while it is read (find, count and aggregate)', async () => {
    // No filter of their own: all the time goes into the view's pipeline.
    const reads = [
      () => view.findOne({}),
      () => view.estimatedDocumentCount(),
      () => view.aggregate([{ $limit: 1 }]).toArray(),
    ];
    for (const read of reads) {
      const answered = await pingsDuring(read());
      // Without yielding, the whole pipeline runs in one turn: at most one ping could slip in first.
      expect(answered).toBeGreaterThanOrEqual(3);
    }
  });

  it('stops at maxTimeMS with MaxTimeMSExpired (50), long before the whole read would end', async () => {
    let started = performance.now();
    expect(await view.findOne({})).not.toBeNull();
    const whole = performance.now() - started;
    for (const read of [
      () => view.findOne({}, { maxTimeMS: 20 }),
      () => view.aggregate([{ $limit: 1 }], { maxTimeMS: 20 }).toArray(),
    ]) {
      started = performance.now();
      const error = await read().catch((e: unknown) => e);
      const stopped = performance.now() - started;
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({ code: 50, codeName: 'MaxTimeMSExpired' });
      expect(stopped).toBeLessThan(whole / 2);
    }
  });
});

describe('collMod on a view', () => {
  it('changes its pipeline and its source, and is refused on a collection', async () => {
    const items = target.db.collection<{ _id: number; k: string }>('cm_items');
    await items.insertMany([
      { _id: 1, k: 'a' },
      { _id: 2, k: 'b' },
    ]);
    await target.db.collection<{ _id: number; k: string }>('cm_other').insertOne({ _id: 9, k: 'z' });
    await target.db.createCollection('cm_view', { viewOn: 'cm_items', pipeline: [{ $match: { k: 'a' } }] });
    const cmView = target.db.collection('cm_view');
    expect(await cmView.find().toArray()).toEqual([{ _id: 1, k: 'a' }]);

    await target.db.command({ collMod: 'cm_view', pipeline: [{ $match: { k: 'b' } }] });
    expect(await cmView.find().toArray()).toEqual([{ _id: 2, k: 'b' }]);
    await target.db.command({ collMod: 'cm_view', viewOn: 'cm_other', pipeline: [] });
    expect(await cmView.find().toArray()).toEqual([{ _id: 9, k: 'z' }]);
    const [info] = await target.db.listCollections({ name: 'cm_view' }).toArray();
    expect(info).toMatchObject({ type: 'view', options: { viewOn: 'cm_other', pipeline: [] } });

    // A cycle is refused and leaves the view as it was.
    await target.db.createCollection('cm_view2', { viewOn: 'cm_view' });
    await expect(target.db.command({ collMod: 'cm_view', viewOn: 'cm_view2' })).rejects.toMatchObject({ code: 182 });
    expect(await cmView.find().toArray()).toEqual([{ _id: 9, k: 'z' }]);
    await expect(target.db.command({ collMod: 'cm_view', pipeline: [{ $out: 'x' }] })).rejects.toMatchObject({
      code: 72,
    });
    await expect(target.db.command({ collMod: 'cm_view', validator: { k: 'a' } })).rejects.toMatchObject({ code: 72 });
    await expect(target.db.command({ collMod: 'cm_items', viewOn: 'cm_other', pipeline: [] })).rejects.toMatchObject({
      code: 72,
    });
  });
});
