/**
 * Where the lab's API is. Served by the lab, the page talks to its own origin. A static
 * build (marked by `<meta name="lab-backend" content="static">`, which the lab server
 * removes when it serves the page) has no lab behind it: it makes no API call and opens no
 * live socket until the user connects it to a lab, whose URL it remembers.
 */
const STORAGE_KEY = 'event-loop-lab.lab-url';

function readMarker(): string | null {
  return typeof document === 'undefined'
    ? null
    : (document.querySelector('meta[name="lab-backend"]')?.getAttribute('content') ?? null);
}

/** True for the static build (served by any file host), false when the lab serves the page. */
export const isStaticSite = (): boolean => readMarker() === 'static';

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage disabled: the site stays unconnected
  }
}

/** The lab a static site was connected to (an origin like http://127.0.0.1:3000), if any. */
export function connectedLab(): string | undefined {
  return isStaticSite() ? (storage()?.getItem(STORAGE_KEY) ?? undefined) : undefined;
}

/** Checks and normalises what the user typed: an http(s) URL, kept as its origin. */
export function parseLabUrl(text: string): { origin: string } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { error: 'Type the address `npm start` printed, e.g. http://127.0.0.1:3000.' };
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
  } catch {
    return { error: `“${trimmed}” is not an address.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { error: 'The address must start with http:// or https://.' };
  return { origin: url.origin };
}

/** Remembers the lab (or forgets it, with undefined) and reloads, so every part starts over against it. */
export function connectToLab(origin: string | undefined): void {
  if (origin) storage()?.setItem(STORAGE_KEY, origin);
  else storage()?.removeItem(STORAGE_KEY);
  window.location.reload();
}

/** Whether the page may call the API: always when the lab serves it; on a static site, once connected. */
export const hasLab = (): boolean => !isStaticSite() || connectedLab() !== undefined;

/** An API path (/api/..., /subject/...) on the lab's origin. */
export const labUrl = (path: string): string => (connectedLab() ?? '') + path;

/** ws(s)://host/api/live for the lab, or undefined when there is none to connect to. */
export function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string | undefined {
  const lab = connectedLab();
  if (lab) return `${lab.replace(/^http/, 'ws')}/api/live`;
  if (isStaticSite()) return undefined;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
}

export const NO_LAB_MESSAGE = 'No lab is connected: this is the static site.';
