/** The subject's routes: a tiny table matched by hand (node:http, no framework on purpose). */
import type { SubjectRouteName } from '../../common/config';

export type RouteMatch =
  | { ok: true; route: SubjectRouteName; params: Record<string, string> }
  | { ok: false; status: 400 | 404 | 405; message: string };

const TABLE: { method: string; pattern: RegExp; route: SubjectRouteName }[] = [
  { method: 'GET', pattern: /^\/users\/([^/]+)$/, route: 'getUser' },
  { method: 'GET', pattern: /^\/callback\/users\/([^/]+)$/, route: 'getUserCallback' },
  { method: 'GET', pattern: /^\/users$/, route: 'listByCity' },
  { method: 'POST', pattern: /^\/users$/, route: 'createUser' },
  { method: 'GET', pattern: /^\/stats$/, route: 'stats' },
  { method: 'GET', pattern: /^\/updates$/, route: 'longPoll' },
];

export function matchRoute(method: string, pathname: string): RouteMatch {
  const path = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  const candidates = TABLE.filter((entry) => entry.pattern.test(path));
  if (candidates.length === 0) return { ok: false, status: 404, message: `no route for ${method} ${path}` };
  const entry = candidates.find((candidate) => candidate.method === method);
  if (!entry) return { ok: false, status: 405, message: `${method} is not allowed on ${path}` };
  const raw = entry.pattern.exec(path)?.[1];
  if (raw === undefined) return { ok: true, route: entry.route, params: {} };
  try {
    return { ok: true, route: entry.route, params: { username: decodeURIComponent(raw) } };
  } catch {
    return { ok: false, status: 400, message: 'the path is not valid URL encoding' };
  }
}
