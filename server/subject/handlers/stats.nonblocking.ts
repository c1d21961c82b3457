/**
 * GET /stats, non-blocking: users per city, counted by MongoDB ($group) rather than here.
 */
import type { NonblockingContext } from './context';
import { sendJson } from './respond';

export async function stats({ res, step, cpu, users }: NonblockingContext): Promise<void> {
  step('parse'); // nothing to read: /stats takes no input

  step('cpu');
  cpu();

  step('query');
  const cities = await users.aggregate([{ $group: { _id: '$city', users: { $sum: 1 } } }, { $sort: { users: -1, _id: 1 } }]);

  step('respond');
  sendJson(res, 200, { cities: cities.map(({ _id, users }) => ({ city: _id, users })) });
}
