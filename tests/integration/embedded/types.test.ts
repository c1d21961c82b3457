import { Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'mongodb';
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

/** Reads documents with every number wrapped, so a test sees the exact BSON type the server sent. */
const raw = { promoteValues: false } as const;
const typeOf = (value: unknown) => (value as { _bsontype?: string } | null)?._bsontype ?? typeof value;

describe('BSON types survive end to end', () => {
  it('gives back int32, int64, double and decimal exactly as they were stored', async () => {
    const c = coll('exact');
    await c.insertOne({
      _id: 1,
      i: new Int32(7),
      big: Long.fromNumber(1_700_000_000_000),
      small: Long.fromNumber(5),
      whole: new Double(10),
      frac: 2.5,
      dec: Decimal128.fromString('2.50'),
    });
    const doc = (await c.findOne({ _id: 1 }, raw))!;
    expect([
      typeOf(doc.i),
      typeOf(doc.big),
      typeOf(doc.small),
      typeOf(doc.whole),
      typeOf(doc.frac),
      typeOf(doc.dec),
    ]).toEqual(['Int32', 'Long', 'Long', 'Double', 'Double', 'Decimal128']);
    expect(String(doc.big)).toBe('1700000000000');
    expect(doc.dec.toString()).toBe('2.50');
  });

  it('widens an int32 that $inc pushes past 2^31-1 to int64, and keeps a double a double', async () => {
    const c = coll('inc');
    await c.insertOne({ _id: 1, n: 2147483647, d: new Double(1) });
    await c.updateOne({ _id: 1 }, { $inc: { n: 1, d: 1 } });
    const doc = (await c.findOne({ _id: 1 }, raw))!;
    expect(typeOf(doc.n)).toBe('Long');
    expect(String(doc.n)).toBe('2147483648');
    expect(typeOf(doc.d)).toBe('Double');
    await c.updateOne({ _id: 1 }, { $inc: { n: Decimal128.fromString('0.5') }, $mul: { d: new Int32(3) } });
    const after = (await c.findOne({ _id: 1 }, raw))!;
    expect([typeOf(after.n), after.n.toString()]).toEqual(['Decimal128', '2147483648.5']);
    expect([typeOf(after.d), Number(after.d)]).toEqual(['Double', 6]);
  });

  it('compares and sorts Decimal128 by value, mixed with other numbers', async () => {
    const c = coll('decimals');
    await c.insertMany([
      { amt: Decimal128.fromString('10.5') },
      { amt: 2 },
      { amt: Decimal128.fromString('9.5') },
      { amt: Decimal128.fromString('2') },
    ]);
    const sorted = await c
      .find({}, { projection: { _id: 0 } })
      .sort({ amt: 1 })
      .toArray();
    expect(sorted.map((d) => Number(d.amt.toString()))).toEqual([2, 2, 9.5, 10.5]);
    expect(await c.countDocuments({ amt: { $gt: Decimal128.fromString('3') } })).toBe(2);
    expect(await c.countDocuments({ amt: 2 })).toBe(2);
    const [sum] = await c
      .aggregate([{ $group: { _id: null, total: { $sum: '$amt' }, avg: { $avg: '$amt' } } }], raw)
      .toArray();
    expect([typeOf(sum!.total), sum!.total.toString()]).toEqual(['Decimal128', '24.0']);
    expect(Number(sum!.avg.toString())).toBe(6);
  });

  it('compares int64 values beyond 2^53 exactly', async () => {
    const c = coll('bigints');
    const values = ['9007199254740993', '9007199254740992', '100', '9007199254740994'];
    await c.insertMany(values.map((v) => ({ n: Long.fromString(v) })));
    const sorted = await c
      .find({}, { ...raw, projection: { _id: 0 } })
      .sort({ n: -1 })
      .toArray();
    expect(sorted.map((d) => d.n.toString())).toEqual([
      '9007199254740994',
      '9007199254740993',
      '9007199254740992',
      '100',
    ]);
    expect(await c.countDocuments({ n: { $gt: Long.fromString('9007199254740992') } })).toBe(2);
    expect(await c.countDocuments({ n: Long.fromString('9007199254740993') })).toBe(1);
  });

  it('sums int32 into int64 on overflow and averages into a double', async () => {
    const c = coll('sums');
    await c.insertMany([{ n: 2_000_000_000 }, { n: 2_000_000_000 }, { n: 'not a number' }]);
    const [out] = await c
      .aggregate([{ $group: { _id: null, total: { $sum: '$n' }, avg: { $avg: '$n' }, count: { $sum: 1 } } }], raw)
      .toArray();
    expect([typeOf(out!.total), out!.total.toString()]).toEqual(['Long', '4000000000']);
    expect([typeOf(out!.avg), Number(out!.avg)]).toEqual(['Double', 2_000_000_000]);
    expect(typeOf(out!.count)).toBe('Int32');
  });

  it("sorts mixed types in MongoDB's BSON order", async () => {
    const c = coll('order');
    const oid = new ObjectId();
    const when = new Date(0);
    await c.insertMany([
      { _id: 1, v: true },
      { _id: 2, v: 'b' },
      { _id: 3, v: when },
      { _id: 4, v: { a: 1 } },
      { _id: 5, v: [5] },
      { _id: 6, v: null },
      { _id: 7, v: 3 },
      { _id: 8, v: oid },
      { _id: 9, v: new MaxKey() },
      { _id: 10, v: new MinKey() },
    ]);
    const ids = (await c.find().sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    // Ascending, [5] sorts by its element 5, among the numbers after 3.
    expect(ids).toEqual([10, 6, 7, 5, 2, 4, 8, 1, 3, 9]);
  });

  it('sorts an array field by its largest element when descending', async () => {
    const c = coll('arraysort');
    await c.insertMany([
      { _id: 'a', v: [1, 10] },
      { _id: 'b', v: [5, 6] },
    ]);
    expect((await c.find().sort({ v: -1 }).toArray()).map((d) => d._id)).toEqual(['a', 'b']);
    expect((await c.find().sort({ v: 1 }).toArray()).map((d) => d._id)).toEqual(['a', 'b']);
  });

  it('returns documents in reverse insertion order for $natural: -1', async () => {
    const c = coll('natural');
    await c.insertMany([{ _id: 3 }, { _id: 1 }, { _id: 2 }]);
    expect((await c.find().sort({ $natural: -1 }).toArray()).map((d) => d._id)).toEqual([2, 1, 3]);
  });
});
