/**
 * What each route name means on the wire. The load generator only ever targets these
 * subject routes (there is no URL parameter), and the lab's /subject/* forwarder uses
 * `routeOf` to name a hand-sent request the same way.
 */
import type { RouteName } from '../../common/config';

export interface RouteRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

/**
 * Seeded usernames the getUser route cycles through: `alice` first (the post's example),
 * then a few more so that not every request hits the same document.
 */
export const LOAD_USERNAMES = ['alice'] as const;
/** A seeded city for the (unindexed) listByCity query. */
export const LOAD_CITY = 'Paris';

/** The request the generator sends as number `index` of run `runId` on `route`. */
export function requestFor(route: RouteName, index: number, runId: string): RouteRequest {
  switch (route) {
    case 'getUser':
      return { method: 'GET', path: `/users/${LOAD_USERNAMES[index % LOAD_USERNAMES.length]}` };
    case 'getUserCallback':
      return { method: 'GET', path: '/callback/users/alice' };
    case 'listByCity':
      return { method: 'GET', path: `/users?city=${encodeURIComponent(LOAD_CITY)}&limit=20` };
    case 'stats':
      return { method: 'GET', path: '/stats' };
    case 'createUser': {
      // Unique per run and request, so repeated runs never collide on the unique index.
      const username = `load-${runId}-${index}`.toLowerCase();
      const body = JSON.stringify({ username, first_name: 'Load', last_name: `Test ${index}`, city: LOAD_CITY });
      return { method: 'POST', path: '/users', body };
    }
  }
}

/** Names a hand-sent request after the route it hits, or `METHOD /path` when it is none of them. */
export function routeOf(method: string, url: string): string {
  const path = url.split('?')[0] ?? url;
  if (method === 'GET' && /^\/users\/[^/]+$/.test(path)) return 'getUser';
  if (method === 'GET' && /^\/callback\/users\/[^/]+$/.test(path)) return 'getUserCallback';
  if (method === 'GET' && path === '/users') return 'listByCity';
  if (method === 'GET' && path === '/stats') return 'stats';
  if (method === 'GET' && path === '/updates') return 'longPoll';
  if (method === 'POST' && path === '/users') return 'createUser';
  return `${method} ${path}`.slice(0, 200);
}
