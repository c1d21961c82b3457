/**
 * POST /users, non-blocking: insert a user. A taken username is MongoDB's duplicate key
 * error (code 11000, from the unique index), answered with 409.
 */
import type { NonblockingContext } from './context';
import { parseNewUser } from './input';
import { sendJson } from './respond';

export async function createUser({ res, body, step, cpu, users }: NonblockingContext): Promise<void> {
  step('parse');
  const user = parseNewUser(body);

  step('cpu');
  cpu();

  step('query');
  const { insertedId } = await users.insertOne(user);

  step('respond');
  sendJson(res, 201, { id: insertedId, username: user.username });
}
