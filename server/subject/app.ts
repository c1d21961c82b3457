/**
 * The subject's HTTP server: routes a request to its handler for the current mode, and
 * traces its lifecycle (accepted, steps, responded). Builds the server without listening.
 */
import http from 'node:http';
import type { Mode, SubjectRouteName } from '../../common/config';
import { HEADER_MODE, HEADER_RID, now } from '../../common/trace';
import type { ModeAccess } from './dataAccess';
import { readJsonBody } from './body';
import { callbackUsers } from './data/usersOver';
import type { HandlerContext, StepName } from './handlers/context';
import { HttpError } from '../../common/httpError';
import { guardEdited } from './handlers/guard';
import { type HandlerTable, originalHandlers } from './handlers/loader';
import { sendError, sendJson } from './handlers/respond';
import { matchRoute } from './routes';
import type { RequestTrace, Tracer } from './runtime/tracer';

/** What can change while the subject runs: read on every request, so no restart is needed. */
export interface LiveSettings {
  mode: Mode;
  cpuMs: number;
  blockingTimeoutMs: number;
}

export interface SubjectAppOptions {
  access: ModeAccess;
  tracer: Tracer;
  worker: number;
  settings: LiveSettings;
  /** Which function serves each route; edited versions replace the project's (handlers/loader.ts). */
  handlers?: HandlerTable;
  /** How long an edited handler has to answer (guard.ts's EDITED_DEADLINE_MS if unset). */
  editedDeadlineMs?: number;
}

const RID = /^[\w.:-]{1,64}$/;

/**
 * Each route's handler names ('getUser.nonblocking'), built once: a name built per request is
 * a new string each time, which the trace then hashes or compares character by character.
 */
const HANDLER_NAMES = new Map<SubjectRouteName, { sync: string; async: string }>();
function handlerName(route: SubjectRouteName, style: 'sync' | 'async'): string {
  let names = HANDLER_NAMES.get(route);
  if (!names) {
    names =
      route === 'getUserCallback'
        ? { sync: 'getUser.callback', async: 'getUser.callback' }
        : { sync: `${route}.blocking`, async: `${route}.nonblocking` };
    HANDLER_NAMES.set(route, names);
  }
  return names[style];
}

/** The busy loop behind `cpu()`: the loop can do nothing else meanwhile. */
function burnCpu(trace: RequestTrace, ms: number): void {
  if (ms <= 0) return;
  const start = now();
  while (now() - start < ms) {
    // spin: synchronous work, as template rendering or JSON crunching would be
  }
  trace.blocked(start, now() - start, 'cpu');
}

export function createSubjectServer({
  access: both,
  tracer,
  worker,
  settings,
  handlers = originalHandlers,
  editedDeadlineMs,
}: SubjectAppOptions): http.Server {
  let counter = 0;

  /** A request keeps the mode it arrived in, even if the mode switches while it runs. */
  const run = async (
    route: SubjectRouteName,
    mode: Mode,
    base: Omit<HandlerContext<unknown>, 'users' | 'step'>,
    trace: RequestTrace,
  ): Promise<void> => {
    const access = both.of(mode);
    const stepFor = (handler: string) => (step: StepName) => trace.step(handler, step);
    const name = handlerName(route, access.style);
    if (handlers.edited.has(name)) guardEdited(base.res, editedDeadlineMs);
    if (route === 'getUserCallback') {
      const users = callbackUsers(access.users(trace), (error) =>
        sendError(base.res, error, handlers.edited.has(name)),
      );
      return handlers.callback({ ...base, users, step: stepFor(name) });
    }
    if (access.style === 'sync') {
      return handlers.blocking[route]({ ...base, users: access.users(trace), step: stepFor(name) });
    }
    return handlers.nonblocking[route]({ ...base, users: access.users(trace), step: stepFor(name) });
  };

  // Every failure is answered inside handle(): the promise it returns never rejects.
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const header = req.headers[HEADER_RID];
    const rid = typeof header === 'string' && RID.test(header) ? header : `s${worker}-${++counter}`;
    const url = new URL(req.url ?? '/', 'http://subject');
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    const trace = tracer.request(rid);
    const mode = settings.mode;
    // Answers are live measurements: a browser must never serve one from its cache, nor
    // hold identical requests back behind its cache lock (which serialises them).
    res.setHeader('cache-control', 'no-store');
    res.setHeader(HEADER_MODE, mode);
    // Requests for no route are traced too (as 'unmatched'): a hand-sent typo still shows up.
    trace.accepted(match.ok ? match.route : 'unmatched', mode);
    // Stamped when the handler ends the response, not on 'finish': 'finish' fires after the
    // bytes reached the OS, which can be later than the client's first byte.
    const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (!res.writableEnded) trace.responded(res.statusCode);
      return end(...args);
    }) as typeof res.end;
    if (!match.ok) return sendJson(res, match.status, { error: match.message });

    try {
      const body = match.route === 'createUser' ? await readJsonBody(req) : undefined;
      const cpu = () => burnCpu(trace, settings.cpuMs);
      await run(match.route, mode, { req, res, params: match.params, query: url.searchParams, body, cpu }, trace);
    } catch (error) {
      // A refused upload may still be arriving: close the connection rather than read it.
      if (error instanceof HttpError && error.statusCode === 413) res.setHeader('connection', 'close');
      // An edited handler's mistake is the lesson: its 500 carries the stack (source-mapped to the edited line).
      sendError(res, error, handlers.edited.size > 0);
    }
  };
  return http.createServer((req, res) => void handle(req, res));
}
