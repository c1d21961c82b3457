/**
 * The seed: 10,000 deterministic users, created once, left alone afterwards, against the
 * embedded server through the real driver.
 */
import { type Db, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../../server/db/embedded';
import {
  CITY_NAMES,
  generateUsers,
  LAB_DB_NAME,
  seedUsers,
  SEED_USER_COUNT,
  USERS_COLLECTION,
} from '../../../server/db/seed';

let stopServer: () => Promise<void>;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  const server = await startEmbeddedServer();
  stopServer = () => server.stop();
  client = await MongoClient.connect(server.uri);
  db = client.db(LAB_DB_NAME);
});
afterAll(async () => {
  await client?.close();
  await stopServer?.();
});

const everyone = () =>
  db
    .collection(USERS_COLLECTION)
    .find({}, { sort: { username: 1 } })
    .toArray();

describe('generateUsers', () => {
  it('is the same on every call and every machine (no Math.random)', () => {
    const a = generateUsers();
    expect(generateUsers()).toEqual(a);
    expect(a).toHaveLength(SEED_USER_COUNT);
    // Pinned so a change to the generator (which would silently change every lesson's numbers) fails here.
    expect(a.slice(0, 4).map((u) => u.username)).toEqual(['alice', 'iknuth', 'mhamilton', 'bwilson']);
    expect(a.filter((u) => u.city === 'London')).toHaveLength(1901);
    expect(a.filter((u) => u.city === 'Ulaanbaatar')).toHaveLength(23);
  });

  it('has unique usernames, alice first, and an uneven spread over the known cities', () => {
    const users = generateUsers();
    expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
    expect(users[0]).toMatchObject({ username: 'alice', first_name: 'Alice' });
    const perCity = new Map<string, number>();
    for (const u of users) perCity.set(u.city, (perCity.get(u.city) ?? 0) + 1);
    expect([...perCity.keys()].every((c) => CITY_NAMES.includes(c))).toBe(true);
    expect(perCity.size).toBe(CITY_NAMES.length);
    expect(CITY_NAMES.length).toBeGreaterThanOrEqual(18);
    const counts = [...perCity.values()];
    expect(Math.max(...counts)).toBeGreaterThan(20 * Math.min(...counts));
  });
});

describe('seedUsers', () => {
  it('creates 10,000 users with a unique username index and no city index', async () => {
    const t0 = performance.now();
    const result = await seedUsers(db);
    const ms = performance.now() - t0;
    expect(result).toEqual({ created: true, count: SEED_USER_COUNT });
    console.log(`seedUsers: ${SEED_USER_COUNT} users in ${ms.toFixed(0)} ms`); // a figure, not a bound: npm run bench times the lab's start
    const alice = await db.collection(USERS_COLLECTION).findOne({ username: 'alice' });
    expect(alice).toMatchObject({ first_name: 'Alice', last_name: 'Liddell', city: 'London' });
    expect(alice?.created_at).toBeInstanceOf(Date);
    const indexes = await db.collection(USERS_COLLECTION).listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'username_1')).toMatchObject({ key: { username: 1 }, unique: true });
    expect(indexes.some((i) => 'city' in (i.key as object))).toBe(false);
  });

  it('refuses a second alice: the index is really unique', async () => {
    const error = await db
      .collection(USERS_COLLECTION)
      .insertOne({ username: 'alice' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(11000);
  });

  it('creates nothing and changes nothing on the next start', async () => {
    const before = await everyone();
    expect(await seedUsers(db)).toEqual({ created: false, count: SEED_USER_COUNT });
    expect(await everyone()).toEqual(before);
  });

  it('completes a seed that was interrupted, without touching the users that exist', async () => {
    const users = db.collection(USERS_COLLECTION);
    await users.updateOne({ username: 'alice' }, { $set: { city: 'Oxford' } });
    await users.deleteMany({
      username: {
        $in: generateUsers()
          .slice(5_000, 5_200)
          .map((u) => u.username),
      },
    });
    expect(await users.countDocuments()).toBe(SEED_USER_COUNT - 200);
    expect(await seedUsers(db)).toEqual({ created: true, count: SEED_USER_COUNT });
    expect(await users.findOne({ username: 'alice' })).toMatchObject({ city: 'Oxford' });
  });
});
