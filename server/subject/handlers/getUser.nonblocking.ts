/**
 * GET /users/:username, non-blocking: the asyncmongo idea with today's driver.
 * `await` hands the loop back while the query travels to MongoDB; other requests run in
 * the meantime, and this one resumes when the reply arrives.
 */
import type { NonblockingContext } from './context';
import { parseUsername } from './input';
import { notFound, sendGreeting } from './respond';

export async function getUser({ req, res, params, step, cpu, users }: NonblockingContext): Promise<void> {
  step('parse');
  const username = parseUsername(params.username);

  step('cpu');
  cpu();

  step('query');
  const user = await users.findOne({ username });

  step('respond');
  if (!user) return notFound(res, `no user named ${username}`);
  sendGreeting(req, res, user);
}
