/**
 * POST /users, blocking: insert a user. A taken username is MongoDB's duplicate key
 * error (code 11000, from the unique index), answered with 409.
 */
import type { BlockingContext } from './context';
import { parseNewUser } from './input';
import { sendJson } from './respond';

export function createUser({ res, body, step, cpu, users }: BlockingContext): void {
  step('parse');
  const user = parseNewUser(body);

  step('cpu');
  cpu();

  step('query');
  const { insertedId } = users.insertOne(user);

  step('respond');
  sendJson(res, 201, { id: insertedId, username: user.username });
}
