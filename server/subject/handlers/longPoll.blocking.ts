/**
 * GET /updates?after=<id>, blocking: wait for the next new user, the thread-per-request
 * way. `users.waitForNewer` asks MongoDB again and again until a user newer than `after`
 * exists (or the time is up), and returns only then. Here the thread is the loop's: while
 * one client waits, no other request gets in, not even the POST that would answer it.
 */
import type { BlockingContext } from './context';
import { parseUpdatesQuery } from './input';
import { noContent, sendJson } from './respond';

export function longPoll({ res, query, step, cpu, users }: BlockingContext): void {
  step('parse');
  const { after, timeoutMs } = parseUpdatesQuery(query);

  step('cpu');
  cpu();

  step('query');
  const fresh = users.waitForNewer(after, timeoutMs);

  step('respond');
  if (fresh.length === 0) return noContent(res);
  sendJson(res, 200, { users: fresh });
}
