/**
 * Who may do what while classroom mode is on (a root onRequest hook, so it covers every
 * route, including ones added later):
 * - the presenter (token in the `x-lab-presenter` header or the cookie the presenter
 *   link sets) may do everything;
 * - anyone else may read the lab's health and config, use the classroom endpoints and
 *   load the UI; `/api/*` beyond that answers 403 (default deny: a new endpoint is
 *   presenter-only until it is listed here);
 * - students (a valid student cookie) may send requests through /subject/*, within their
 *   rate limit, their in-flight cap and the shared gate; their requests are tagged with
 *   their nickname by the lab, whatever the phone sends;
 * - a phone whose seat was taken away (the presenter removed it, or it was freed) gets a
 *   401 saying why on /api/* and /subject/*, until it joins again or leaves.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEADER_CLIENT } from '../../../common/trace';
import { PRESENTER_COOKIE, PRESENTER_HEADER, STUDENT_COOKIE, tokenMatches } from './presenterToken';
import type { Student } from './registry';
import type { ClassroomSession } from './session';

export type Role = 'presenter' | 'student' | 'guest';

export interface Caller {
  role: Role;
  student?: Student;
  /** For a guest whose student cookie names a seat that was removed or freed: why. */
  gone?: string;
}

/** Routes anyone may call (method + Fastify route pattern). HEAD follows GET. */
const OPEN_API = new Set([
  'GET /api/health',
  'GET /api/config',
  'GET /api/classroom',
  'GET /api/classroom/qr.svg',
  'POST /api/classroom/join',
  'GET /api/classroom/me',
  'DELETE /api/classroom/me',
]);

const callers = new WeakMap<FastifyRequest, Caller>();

export function callerOf(request: FastifyRequest): Caller {
  return callers.get(request) ?? { role: 'guest' };
}

function identify(session: ClassroomSession, request: FastifyRequest): Caller {
  const header = request.headers[PRESENTER_HEADER];
  if (
    tokenMatches(session.presenterToken, header) ||
    tokenMatches(session.presenterToken, request.cookies[PRESENTER_COOKIE])
  ) {
    return { role: 'presenter' };
  }
  const key = request.cookies[STUDENT_COOKIE];
  const student = session.registry.find(key);
  if (student) return { role: 'student', student };
  const gone = session.registry.goneReason(key);
  return gone ? { role: 'guest', gone } : { role: 'guest' };
}

/** What a phone whose seat is gone may still do: join again, or leave (which clears its cookie). */
const GONE_MAY = new Set(['POST /api/classroom/join', 'DELETE /api/classroom/me']);

function refuse(reply: FastifyReply, status: number, message: string, retryAfterSec?: number): FastifyReply {
  if (retryAfterSec !== undefined) reply.header('retry-after', String(retryAfterSec));
  return reply.code(status).send({ error: message });
}

export function classroomAccess(session: ClassroomSession) {
  return async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const caller = identify(session, request);
    callers.set(request, caller);
    if (caller.role === 'presenter') return;
    const pattern = request.routeOptions.url;
    if (pattern === undefined) return; // no such route: the 404 handler answers
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    if (
      caller.gone &&
      (pattern.startsWith('/api/') || pattern.startsWith('/subject/')) &&
      !GONE_MAY.has(`${method} ${pattern}`)
    ) {
      refuse(reply, 401, caller.gone);
      return;
    }
    if (pattern.startsWith('/subject/')) return admitStudent(session, caller, request, reply);
    if (pattern.startsWith('/api/') && !OPEN_API.has(`${method} ${pattern}`)) {
      refuse(reply, 403, `classroom mode: only the presenter may ${method} ${pattern}`);
    }
  };
}

/** Rate limit, in-flight cap, then a slot in the shared gate; 429 with Retry-After when any says no. */
async function admitStudent(
  session: ClassroomSession,
  caller: Caller,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const student = caller.student;
  if (!student) {
    refuse(reply, 403, 'classroom mode: join the class first (open /join and pick a nickname)');
    return;
  }
  const limits = session.registry.limits;
  if (student.inFlight >= limits.maxInFlightPerStudent) {
    student.limited += 1;
    refuse(reply, 429, `you already have ${student.inFlight} requests waiting: let them finish first`, 1);
    return;
  }
  const take = student.bucket.take();
  if (!take.ok) {
    student.limited += 1;
    refuse(
      reply,
      429,
      `slow down: at most ${limits.ratePerSec} requests a second (bursts of ${limits.burst})`,
      Math.max(1, Math.ceil(take.retryAfterMs / 1000)),
    );
    return;
  }
  const slot = session.gate.acquire();
  if (!slot) {
    student.limited += 1;
    refuse(reply, 429, "the lab is busy with the whole room's requests: try again in a moment", 1);
    return;
  }
  student.inFlight += 1;
  student.sent += 1;
  const startedAt = performance.now();
  // Filled once the gate lets the request through; the close may come first (phone gone).
  const held: { release?: () => void } = {};
  reply.raw.once('close', () => {
    student.inFlight -= 1;
    held.release?.();
    if (reply.raw.writableFinished)
      session.registry.record(student, { status: reply.statusCode, latencyMs: performance.now() - startedAt });
  });
  held.release = await slot;
  // The phone may have given up while queued: free the slot rather than forward for nobody.
  if (reply.raw.destroyed) {
    held.release();
    reply.hijack();
    return;
  }
  // The lab, not the phone, names the request: nobody can send under someone else's name.
  request.headers[HEADER_CLIENT] = student.nickname;
}
