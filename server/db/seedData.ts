/**
 * The lab's seed data: 10,000 deterministic users that every lesson queries.
 *
 * Deterministic so that a lesson can say "alice lives in London" and a test can pin
 * counts per city on any machine. `username` has a unique index (the fast lookup);
 * `city` deliberately has none (a lesson shows the slow, scanning query).
 *
 * No driver here: the embedded server seeds itself from this module (seed.ts inserts
 * the same users through the driver into any other database).
 */

/** The database the lab keeps its data in (on an external MongoDB too). */
export const LAB_DB_NAME = 'eventlooplab';
export const USERS_COLLECTION = 'users';
export const SEED_USER_COUNT = 10_000;
const SEED = 20_100_908; // any constant works; this one is the asyncmongo post's date

/** The seed's cities with relative weights: uneven on purpose, so "users in X" varies a lot. */
export const SEED_CITIES: ReadonlyArray<{ name: string; weight: number }> = [
  { name: 'London', weight: 20 },
  { name: 'New York', weight: 16 },
  { name: 'Tokyo', weight: 12 },
  { name: 'Paris', weight: 9 },
  { name: 'Berlin', weight: 8 },
  { name: 'São Paulo', weight: 7 },
  { name: 'Sydney', weight: 6 },
  { name: 'Toronto', weight: 5 },
  { name: 'Lagos', weight: 4 },
  { name: 'Mumbai', weight: 4 },
  { name: 'Madrid', weight: 3 },
  { name: 'Seoul', weight: 3 },
  { name: 'Nairobi', weight: 2 },
  { name: 'Dublin', weight: 2 },
  { name: 'Oslo', weight: 1.5 },
  { name: 'Lima', weight: 1.5 },
  { name: 'Reykjavík', weight: 1 },
  { name: 'Wellington', weight: 1 },
  { name: 'Montevideo', weight: 0.5 },
  { name: 'Ulaanbaatar', weight: 0.25 },
];
export const CITY_NAMES: readonly string[] = SEED_CITIES.map((c) => c.name);

const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Barbara',
  'Bjarne',
  'Brian',
  'Charles',
  'Dennis',
  'Donald',
  'Edsger',
  'Frances',
  'Grace',
  'Guido',
  'Hedy',
  'Ivan',
  'James',
  'Jean',
  'John',
  'Ken',
  'Linus',
  'Margaret',
  'Mary',
  'Niklaus',
  'Radia',
  'Rasmus',
  'Ryan',
  'Shafi',
  'Sophie',
  'Tim',
  'Yukihiro',
  'Zhang',
];
const LAST_NAMES = [
  'Allen',
  'Backus',
  'Cerf',
  'Dahl',
  'Eich',
  'Floyd',
  'Goldwasser',
  'Hamilton',
  'Hopper',
  'Iverson',
  'Johnson',
  'Kahn',
  'Knuth',
  'Lamport',
  'Liskov',
  'McCarthy',
  'Naur',
  'Ousterhout',
  'Perlman',
  'Pike',
  'Ritchie',
  'Stroustrup',
  'Thompson',
  'Turing',
  'Van Rossum',
  'Wilson',
  'Wirth',
  'Xu',
  'Yao',
  'Zuse',
];
const CREATED_FROM = Date.UTC(2010, 0, 1);
const CREATED_SPAN_MS = Date.UTC(2025, 0, 1) - CREATED_FROM;

export interface SeedUser {
  username: string;
  first_name: string;
  last_name: string;
  city: string;
  created_at: Date;
}

/**
 * mulberry32: a well-known 32-bit seeded PRNG. Hand-written because it is five lines
 * and Math.random cannot be seeded; the seed must be identical on every machine.
 */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function weightedCity(random: () => number): string {
  const total = SEED_CITIES.reduce((sum, c) => sum + c.weight, 0);
  let r = random() * total;
  for (const city of SEED_CITIES) {
    r -= city.weight;
    if (r < 0) return city.name;
  }
  return SEED_CITIES[0]!.name;
}

/** The full seed, same output every call: alice first, then generated users with unique usernames. */
export function generateUsers(count = SEED_USER_COUNT): SeedUser[] {
  const random = mulberry32(SEED);
  const users: SeedUser[] = [
    {
      username: 'alice',
      first_name: 'Alice',
      last_name: 'Liddell',
      city: 'London',
      created_at: new Date(CREATED_FROM),
    },
  ];
  const taken = new Set(['alice']);
  while (users.length < count) {
    const first = pick(FIRST_NAMES, random);
    const last = pick(LAST_NAMES, random);
    const base = `${first[0]}${last}`.toLowerCase().replace(/[^a-z]/g, '');
    let username = base;
    for (let n = 2; taken.has(username); n++) username = `${base}${n}`;
    taken.add(username);
    users.push({
      username,
      first_name: first,
      last_name: last,
      city: weightedCity(random),
      created_at: new Date(CREATED_FROM + Math.floor(random() * CREATED_SPAN_MS)),
    });
  }
  return users;
}
