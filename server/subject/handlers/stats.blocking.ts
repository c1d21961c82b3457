/**
 * GET /stats, blocking: users per city, counted by MongoDB ($group) rather than here.
 */
import type { BlockingContext } from './context';
import { sendJson } from './respond';

export function stats({ res, step, cpu, users }: BlockingContext): void {
  step('parse'); // nothing to read: /stats takes no input

  step('cpu');
  cpu();

  step('query');
  const cities = users.aggregate([{ $group: { _id: '$city', users: { $sum: 1 } } }, { $sort: { users: -1, _id: 1 } }]);

  step('respond');
  sendJson(res, 200, { cities: cities.map(({ _id, users }) => ({ city: _id, users })) });
}
