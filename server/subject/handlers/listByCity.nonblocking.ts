/**
 * GET /users?city=X&limit=N, non-blocking. `city` has no index: MongoDB scans the whole
 * collection, a slow query, but the loop serves other requests while it runs.
 */
import type { NonblockingContext } from './context';
import { parseCityQuery } from './input';
import { sendJson } from './respond';

export async function listByCity({ res, query, step, cpu, users }: NonblockingContext): Promise<void> {
  step('parse');
  const { city, limit } = parseCityQuery(query);

  step('cpu');
  cpu();

  step('query');
  const found = await users.find({ city }, { limit });

  step('respond');
  sendJson(res, 200, { city, users: found.map((user) => ({ username: user.username, first_name: user.first_name })) });
}
