/**
 * The embedded server seeding the lab's users itself (`--seed-lab`, as the lab starts it):
 * the very users and index seed.ts makes through the driver, none of them visible half-way,
 * and a seed kept with --dbpath completed rather than redone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../../server/db/embedded';
import { startDatabase } from '../../../server/db/resolve';
import { generateUsers, LAB_DB_NAME, SEED_USER_COUNT, seedUsersAt, USERS_COLLECTION } from '../../../server/db/seed';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function withClient<T>(uri: string, use: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(uri);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

describe('the embedded server seeding the lab', () => {
  it('holds every user the moment a client can ask, the same users and index seed.ts makes', async () => {
    const server = await startEmbeddedServer({ seedLab: true });
    try {
      // Asked before waiting for the seed: the server reads no request before the users are in.
      const count = await withClient(server.uri, (client) =>
        client.db(LAB_DB_NAME).collection(USERS_COLLECTION).countDocuments(),
      );
      expect(count).toBe(SEED_USER_COUNT);
      const seed = await server.seeded!;
      expect(seed).toMatchObject({ created: true, count: SEED_USER_COUNT });
      expect(seed.ms).toBeGreaterThanOrEqual(0);

      await withClient(server.uri, async (client) => {
        const users = client.db(LAB_DB_NAME).collection(USERS_COLLECTION);
        const stored = await users.find({}, { projection: { _id: 0 }, sort: { username: 1 } }).toArray();
        const expected = generateUsers().sort((a, b) => (a.username < b.username ? -1 : 1));
        expect(stored).toEqual(expected.map((user) => ({ ...user })));
        const indexes = await users.listIndexes().toArray();
        expect(indexes.find((index) => index.name === 'username_1')).toMatchObject({
          key: { username: 1 },
          unique: true,
        });
        expect(indexes.some((index) => 'city' in (index.key as object))).toBe(false);
      });
      // The driver's seed finds nothing to do.
      expect(await seedUsersAt(server.uri)).toEqual({ created: false, count: SEED_USER_COUNT });
    } finally {
      await server.stop();
    }
  });

  it('completes a partial seed kept with --dbpath, leaving the users that exist as they are', async () => {
    const dbpath = mkdtempSync(path.join(tmpdir(), 'embedded-seed-'));
    dirs.push(dbpath);
    const first = await startEmbeddedServer({ dbpath, seedLab: true });
    const gone = generateUsers()
      .slice(5_000, 5_200)
      .map((user) => user.username);
    try {
      await first.seeded;
      await withClient(first.uri, async (client) => {
        const users = client.db(LAB_DB_NAME).collection(USERS_COLLECTION);
        await users.updateOne({ username: 'alice' }, { $set: { city: 'Oxford' } });
        await users.deleteMany({ username: { $in: gone } });
      });
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedServer({ dbpath, seedLab: true });
    try {
      expect(await second.seeded).toMatchObject({ created: true, count: SEED_USER_COUNT });
      await withClient(second.uri, async (client) => {
        const users = client.db(LAB_DB_NAME).collection(USERS_COLLECTION);
        expect(await users.findOne({ username: 'alice' })).toMatchObject({ city: 'Oxford' });
        expect(await users.countDocuments({ username: { $in: gone } })).toBe(gone.length);
      });
    } finally {
      await second.stop();
    }
    const third = await startEmbeddedServer({ dbpath, seedLab: true });
    try {
      expect(await third.seeded).toMatchObject({ created: false, count: SEED_USER_COUNT });
    } finally {
      await third.stop();
    }
  });

  it('is how the lab gets its embedded database: startDatabase says it is seeded', async () => {
    const database = await startDatabase({ offline: true });
    try {
      expect(await database.seeded).toMatchObject({ created: true, count: SEED_USER_COUNT });
    } finally {
      await database.stop();
    }
  });
});
