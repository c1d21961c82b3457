/**
 * What keeps a web page the learner happens to visit from driving the lab (root hooks, so
 * they cover every route: the API, /subject/*, the UI's files and the WebSocket upgrade):
 *
 * - **Host.** A request must name the lab by one of its own addresses: a loopback name
 *   (`localhost`, `127.0.0.1`, `[::1]`) or the address it listens on, with its port; when
 *   it listens on every interface, this machine's own addresses (what the join URL and
 *   "other devices on your network" print); the classroom's join address; or a name given
 *   with `--allow-host` (`NAME` for any port, `NAME:PORT` for one). Anything else is 421:
 *   a page that rebinds its own name to 127.0.0.1 (DNS rebinding) still sends its name.
 * - **Origin.** A state-changing request (POST, PUT, PATCH, DELETE) or a WebSocket upgrade
 *   that carries an `Origin` must come from the lab's own pages (an origin whose host
 *   passes the Host rule) or from an `--allow-origin` origin; else 403. No Origin (curl,
 *   the load generator, scripts) is allowed: only browsers send it, and they always do on
 *   those requests.
 * - **Content type.** A request with a body must say it is JSON (`application/json`), or
 *   for a trace import JSON lines (`application/x-ndjson` or `application/jsonl`); else
 *   415. A page can send `text/plain` or a form to any address without asking; JSON it
 *   cannot send across sites without the preflight the lab does not grant.
 */
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../common/httpError';
import { publicHost } from './classroom/joinUrl';
import type { ClassroomSession } from './classroom/session';

export interface GuardOptions {
  /** --allow-host: `name` (any port) or `name:port`. */
  allowHosts?: readonly string[];
  /** --allow-origin: origins of static copies of the site allowed to drive the lab. */
  allowOrigins?: readonly string[];
  classroom?: ClassroomSession;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD = new Set(['0.0.0.0', '::', '']);
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPES = ['application/json'];
/** Body types per route (method + Fastify route pattern); every other route takes JSON. */
const BODY_TYPES: Record<string, readonly string[]> = {
  'POST /api/runs/import': ['application/x-ndjson', 'application/jsonl'],
};
/** How often a Host that is not (yet) known makes the guard look at the interfaces again. */
const RESCAN_MS = 1000;

/** A Host header (or an origin's host) as name and port; undefined when it is not one. */
export function parseHost(text: string, defaultPort = 80): { name: string; port: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i.exec(text.trim());
  if (!match) return undefined;
  const name = match[1]!
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  return name && port <= 65_535 ? { name, port } : undefined;
}

/** Parses --allow-host values (repeatable, comma separated); throws a message naming a bad one. */
export function parseAllowHosts(values: readonly string[]): string[] {
  const hosts = values
    .flatMap((value) => value.split(','))
    .map((host) => host.trim())
    .filter(Boolean);
  for (const host of hosts) {
    if (!parseHost(host))
      throw new Error(
        `--allow-host takes a host name or address, optionally with :PORT (e.g. lab.example or lab.example:3000), not "${host}"`,
      );
  }
  return hosts;
}

/** Only the media type, e.g. `application/json` from `application/json; charset=utf-8`. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

const shown = (text: string) => JSON.stringify(text.slice(0, 100));

export function guardRequests(app: FastifyInstance, options: GuardOptions): void {
  const namedHosts = (options.allowHosts ?? []).map((host) => ({
    ...parseHost(host)!,
    anyPort: !/:\d+$/.test(host) || host.endsWith(']'),
  }));
  const namedOrigins = new Set((options.allowOrigins ?? []).map((origin) => new URL(origin).origin));
  let own: Set<string> | undefined;
  let scannedAt = 0;

  /** Where the lab listens, or undefined when it does not (tests with inject reach no one else). */
  const listening = (): AddressInfo | undefined => {
    const address = app.server.address();
    return typeof address === 'object' && address ? address : undefined;
  };

  const ownNames = (address: AddressInfo | undefined): Set<string> => {
    const names = new Set(LOOPBACK_NAMES);
    if (address && !WILDCARD.has(address.address)) names.add(address.address.toLowerCase());
    if (address && WILDCARD.has(address.address)) {
      // Every interface: this machine's addresses are its own, and the name the printed links use.
      for (const list of Object.values(os.networkInterfaces())) {
        for (const info of list ?? []) names.add(info.address.replace(/%.*$/, '').toLowerCase());
      }
      names.add(
        publicHost(address.address)
          .replace(/^\[|\]$/g, '')
          .toLowerCase(),
      );
    }
    const classroom = options.classroom?.links()?.origin;
    if (classroom) names.add(parseHost(new URL(classroom).host)!.name);
    return names;
  };

  const isOwn = (host: { name: string; port: number }): boolean => {
    if (namedHosts.some((named) => named.name === host.name && (named.anyPort || named.port === host.port)))
      return true;
    const address = listening();
    if (address && host.port !== address.port) return false;
    if (own?.has(host.name)) return true;
    const now = Date.now();
    if (own && now - scannedAt < RESCAN_MS) return false;
    own = ownNames(address);
    scannedAt = now;
    return own.has(host.name);
  };

  app.addHook('onRequest', async (request) => {
    const header = request.headers.host ?? '';
    const host = parseHost(header);
    if (!host || !isOwn(host)) {
      throw new HttpError(
        421,
        `this lab does not answer to the host ${shown(header)}: use one of its own addresses (e.g. 127.0.0.1 or localhost with its port), or start it with --allow-host NAME`,
      );
    }
    const origin = request.headers.origin;
    const upgrade = (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (origin === undefined || !(upgrade || STATE_CHANGING.has(request.method))) return;
    if (namedOrigins.has(origin)) return;
    const url = URL.canParse(origin) ? new URL(origin) : undefined;
    const from =
      url && (url.protocol === 'http:' || url.protocol === 'https:')
        ? parseHost(url.host, url.protocol === 'https:' ? 443 : 80)
        : undefined;
    if (!from || !isOwn(from)) {
      throw new HttpError(
        403,
        `refused: a page from ${origin === 'null' ? 'no origin (a file or sandboxed page)' : shown(origin)} may not ${upgrade ? 'open the live stream of' : 'change'} this lab; only the lab's own pages and --allow-origin origins may`,
      );
    }
  });

  // After onRequest (so access control answers first), before any body is read.
  app.addHook('preParsing', async (request) => {
    if (!hasBody(request)) return;
    const allowed = BODY_TYPES[`${request.method} ${request.routeOptions.url ?? ''}`] ?? JSON_TYPES;
    const type = mediaType(request.headers['content-type']);
    if (!allowed.includes(type)) {
      throw new HttpError(
        415,
        `unsupported content type ${type ? shown(type) : '(none)'}: send the body as ${allowed.join(' or ')}`,
      );
    }
  });
}
