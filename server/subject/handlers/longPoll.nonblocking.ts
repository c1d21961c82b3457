/**
 * GET /updates?after=<id>, non-blocking: wait for the next new user, the way Tornado's
 * chat demo waits for the next message. `await` parks this request as a small record in
 * a list (its socket stays open); the loop serves everyone else meanwhile. One POST /users
 * wakes every waiting request at once, with one database read shared by all of them.
 */
import type { NonblockingContext } from './context';
import { parseUpdatesQuery } from './input';
import { noContent, sendJson } from './respond';

export async function longPoll({ res, query, step, cpu, users }: NonblockingContext): Promise<void> {
  step('parse');
  const { after, timeoutMs } = parseUpdatesQuery(query);

  step('cpu');
  cpu();

  step('query');
  const fresh = await users.waitForNewer(after, timeoutMs);

  step('respond');
  if (fresh.length === 0) return noContent(res);
  sendJson(res, 200, { users: fresh });
}
