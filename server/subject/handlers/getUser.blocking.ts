/**
 * GET /users/:username, blocking: FriendFeed's Tornado with a blocking MySQL client.
 * `users.findOne` returns only when MongoDB has answered. Until then this process does
 * nothing else: every other request waits at the door.
 */
import type { BlockingContext } from './context';
import { parseUsername } from './input';
import { notFound, sendGreeting } from './respond';

export function getUser({ req, res, params, step, cpu, users }: BlockingContext): void {
  step('parse');
  const username = parseUsername(params.username);

  step('cpu');
  cpu();

  step('query');
  const user = users.findOne({ username });

  step('respond');
  if (!user) return notFound(res, `no user named ${username}`);
  sendGreeting(req, res, user);
}
