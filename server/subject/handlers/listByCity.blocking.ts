/**
 * GET /users?city=X&limit=N, blocking. `city` has no index: MongoDB scans the whole
 * collection, a slow query, and in blocking mode the loop waits for all of it.
 */
import type { BlockingContext } from './context';
import { parseCityQuery } from './input';
import { sendJson } from './respond';

export function listByCity({ res, query, step, cpu, users }: BlockingContext): void {
  step('parse');
  const { city, limit } = parseCityQuery(query);

  step('cpu');
  cpu();

  step('query');
  const found = users.find({ city }, { limit });

  step('respond');
  sendJson(res, 200, { city, users: found.map((user) => ({ username: user.username, first_name: user.first_name })) });
}
