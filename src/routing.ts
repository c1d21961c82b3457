/**
 * The app's few routes, on the History API (three paths do not need a router library).
 */
import { useCallback, useEffect, useState } from 'react';

export type Route = { name: 'lab' } | { name: 'lessons'; path: string } | { name: 'not-found'; path: string };

export function parseRoute(path: string): Route {
  // A query (the lab's `?run=…`) does not choose the page.
  const clean = path.split('?')[0]!.replace(/\/+$/, '') || '/';
  if (clean === '/') return { name: 'lab' };
  if (clean === '/lessons' || /^\/lessons\/[^/]+(\/[^/]+)?$/.test(clean)) return { name: 'lessons', path: clean };
  return { name: 'not-found', path: clean };
}

/** The classroom's student page (phones): it never opens the lab's live connection. */
export const isStudentPath = (path: string) => (path.replace(/\/+$/, '') || '/') === '/join';

/** The current path and a navigate function (pushState + re-render; back/forward work). */
export function useLocationPath(): [string, (path: string) => void] {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: string) => {
    if (next !== window.location.pathname) window.history.pushState(null, '', next);
    setPath(next);
    window.scrollTo?.(0, 0);
  }, []);
  return [path, navigate];
}
