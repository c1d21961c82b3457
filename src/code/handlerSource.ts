/**
 * The handler source the subject really runs, imported as text (Vite `?raw`, lazily:
 * never a copy), and the line of each step marker, found by its `step('name')` call.
 */
import type { Mode, RouteName, Runtime } from '../../common/config';
import { findMarkers } from './markers';

const sources = import.meta.glob<string>('../../server/subject/handlers/*.ts', { query: '?raw', import: 'default' });
/** The Tornado subject's handlers: their trace names are their file names, e.g. "get_user_blocking.py". */
const pythonSources = import.meta.glob<string>('../../server/subject-tornado/handlers/*.py', {
  query: '?raw',
  import: 'default',
});

/**
 * "getUser.blocking" for a route in a mode; the callback route has one style only. The
 * Tornado subject's handlers are named by their files: "get_user_blocking.py".
 */
export function handlerName(route: string, mode: Mode, runtime: Runtime = 'node'): string {
  const name = route === 'getUserCallback' ? 'getUser.callback' : `${route}.${mode}`;
  if (runtime !== 'tornado') return name;
  return `${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace('.', '_')}.py`;
}

export function handlerNames(): string[] {
  return Object.keys(sources)
    .map((path) => /([^/]+)\.ts$/.exec(path)?.[1] ?? '')
    .filter((name) => /\.(blocking|nonblocking|callback)$/.test(name))
    .sort();
}

/** Where a handler's file is in the repository, as the Code view names it. */
export function handlerPath(handler: string): string {
  return handler.endsWith('.py')
    ? `server/subject-tornado/handlers/${handler}`
    : `server/subject/handlers/${handler}.ts`;
}

export async function loadHandlerSource(handler: string): Promise<string | undefined> {
  const load = handler.endsWith('.py')
    ? pythonSources[`../../server/subject-tornado/handlers/${handler}`]
    : sources[`../../server/subject/handlers/${handler}.ts`];
  return load ? load() : undefined;
}

/** 1-based line of each step marker (`step('query')` or `self.step('query')` on its own line); the first one wins. */
export function stepLines(source: string): Map<string, number> {
  const lines = new Map<string, number>();
  for (const { name, line } of findMarkers(source, 'call')) if (!lines.has(name)) lines.set(name, line);
  return lines;
}

export const DEFAULT_ROUTE: RouteName = 'getUser';
