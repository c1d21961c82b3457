/**
 * Seeding the lab's users (seedData.ts) through the driver: on first start, and to complete
 * a seed that was interrupted. The embedded server seeds itself (embedded/seedLab.ts).
 */
import { type Db, MongoClient } from 'mongodb';
import { generateUsers, LAB_DB_NAME, SEED_USER_COUNT, type SeedUser, USERS_COLLECTION } from './seedData';

export * from './seedData';

const BATCH_SIZE = 1_000;

function isDuplicateKeyOnly(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: Array<{ code?: number }> } | null)?.writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 && list.every((e) => e.code === 11000);
}

/**
 * Creates the users on first start and leaves them alone afterwards.
 *
 * A full collection is never touched. A partial one (a seed interrupted by Ctrl-C) is
 * completed: unordered inserts skip the usernames that exist thanks to the unique index,
 * so existing documents are never changed.
 */
export async function seedUsers(db: Db): Promise<{ created: boolean; count: number }> {
  const users = db.collection<SeedUser>(USERS_COLLECTION);
  // Idempotent on every server: an identical index is a no-op.
  await users.createIndex({ username: 1 }, { unique: true, name: 'username_1' });
  const existing = await users.countDocuments({});
  if (existing >= SEED_USER_COUNT) return { created: false, count: existing };

  const all = generateUsers();
  let inserted = 0;
  for (let i = 0; i < all.length; i += BATCH_SIZE) {
    // insertMany mutates its input (adds _id); fresh copies keep generateUsers() pure.
    const batch = all.slice(i, i + BATCH_SIZE).map((u) => ({ ...u }));
    try {
      const result = await users.insertMany(batch, { ordered: existing === 0 });
      inserted += result.insertedCount;
    } catch (error) {
      if (existing === 0 || !isDuplicateKeyOnly(error)) throw error;
      inserted += (error as { insertedCount?: number }).insertedCount ?? 0;
    }
  }
  return { created: inserted > 0, count: await users.countDocuments({}) };
}

/** seedUsers on a database given by URI (its own short-lived client). */
export async function seedUsersAt(uri: string): Promise<{ created: boolean; count: number }> {
  const client = new MongoClient(uri);
  try {
    return await seedUsers(client.db(LAB_DB_NAME));
  } finally {
    await client.close();
  }
}
