/**
 * No query can freeze the embedded server: a long scan steps aside for other connections,
 * and maxTimeMS stops it. Assertions are counts and ordering, measured in the same test.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedServer } from '../../server/db/embedded';

const DOCS = 100_000;
let server: EmbeddedServer;
let scanner: MongoClient;
let pinger: MongoClient;

beforeAll(async () => {
  server = await startEmbeddedServer({ log: () => undefined });
  scanner = await new MongoClient(server.uri, { maxPoolSize: 1 }).connect();
  pinger = await new MongoClient(server.uri, { maxPoolSize: 1 }).connect();
  const c = scanner.db('timing').collection('big');
  for (let start = 0; start < DOCS; start += 10_000) {
    await c.insertMany(Array.from({ length: 10_000 }, (_, k) => ({ i: start + k, s: `document number ${start + k}` })));
  }
  await pinger.db('admin').command({ ping: 1 });
}, 120_000);
afterAll(async () => {
  await scanner?.close();
  await pinger?.close();
  await server?.stop();
});

/** A scan of every document that matches none: the server walks all 100,000. */
const fullScan = () =>
  scanner
    .db('timing')
    .collection('big')
    .find({ s: { $regex: 'never there$' } })
    .toArray();

describe('a 100,000-document scan', () => {
  it('lets pings on another connection through while it runs', async () => {
    let scanDone = false;
    const scan = fullScan().then((docs) => {
      scanDone = true;
      return docs;
    });
    let pingsDuringScan = 0;
    while (!scanDone) {
      await pinger.db('admin').command({ ping: 1 });
      if (!scanDone) pingsDuringScan++;
    }
    expect(await scan).toEqual([]);
    // Without yielding, pings queue behind the scan: at most the one sent before it started gets through.
    expect(pingsDuringScan).toBeGreaterThanOrEqual(3);
  });

  it('stops at maxTimeMS with MaxTimeMSExpired (50)', async () => {
    const started = performance.now();
    await fullScan(); // how long a whole scan takes on this machine right now
    const wholeScanMs = performance.now() - started;
    const limit = Math.max(1, Math.floor(wholeScanMs / 50));
    const limited = scanner
      .db('timing')
      .collection('big')
      .find({ s: { $regex: 'never there$' } }, { maxTimeMS: limit })
      .toArray();
    await expect(limited).rejects.toMatchObject({ code: 50 });
  });
});
