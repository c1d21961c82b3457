/**
 * The embedded server seeding the lab's users into its own store, as the lab starts it
 * (`--seed-lab`): the same users and index seed.ts creates through the driver, without
 * encoding 10,000 documents in the lab, sending them and decoding them here.
 */
import { generateUsers, LAB_DB_NAME, SEED_USER_COUNT, USERS_COLLECTION } from '../seedData';
import { CommandError } from './errors';
import type { Store } from './store';

export interface LabSeed {
  /** Whether any user was added (false: the users were already there). */
  created: boolean;
  /** Users in the collection afterwards. */
  count: number;
}

export function seedLabUsers(store: Store): LabSeed {
  const users = store.db(LAB_DB_NAME).getOrCreate(USERS_COLLECTION).collection;
  users.createIndex({ key: { username: 1 }, unique: true, name: 'username_1' });
  const existing = users.docs.size;
  if (existing >= SEED_USER_COUNT) return { created: false, count: existing };
  let added = 0;
  for (const user of generateUsers()) {
    try {
      users.insert({ ...user });
      added += 1;
    } catch (error) {
      // A partial seed (kept with --dbpath) is completed; its users are left as they are.
      if (!(existing > 0 && error instanceof CommandError && error.codeName === 'DuplicateKey')) throw error;
    }
  }
  return { created: added > 0, count: users.docs.size };
}
