/**
 * The handler source the subject really runs, imported as text (Vite `?raw`, lazily:
 * never a copy), and the line of each step marker, found by its `step('name')` call.
 */
import type { Mode, RouteName } from '../../common/config';
import { findMarkers } from './markers';

const sources = import.meta.glob<string>('../../server/subject/handlers/*.ts', { query: '?raw', import: 'default' });

/** "getUser.blocking" for a route in a mode; the callback route has one style only. */
export function handlerName(route: string, mode: Mode): string {
  if (route === 'getUserCallback') return 'getUser.callback';
  return `${route}.${mode}`;
}

export function handlerNames(): string[] {
  return Object.keys(sources)
    .map((path) => /([^/]+)\.ts$/.exec(path)?.[1] ?? '')
    .filter((name) => /\.(blocking|nonblocking|callback)$/.test(name))
    .sort();
}

export async function loadHandlerSource(handler: string): Promise<string | undefined> {
  const load = sources[`../../server/subject/handlers/${handler}.ts`];
  return load ? load() : undefined;
}

/** 1-based line of each step marker (`step('query')` on its own line); the first one wins. */
export function stepLines(source: string): Map<string, number> {
  const lines = new Map<string, number>();
  for (const { name, line } of findMarkers(source, 'call')) if (!lines.has(name)) lines.set(name, line);
  return lines;
}

export const DEFAULT_ROUTE: RouteName = 'getUser';
