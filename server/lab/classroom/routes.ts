/**
 * The classroom's own endpoints:
 * - GET  /classroom/presenter?token=…  the presenter link: sets the presenter cookie, then /presenter
 * - GET  /api/classroom                who am I, the join URL, how many students, the limits
 * - GET  /api/classroom/qr.svg         the join URL as a QR code (for the projector)
 * - POST /api/classroom/join           { nickname } → the student (and their cookie)
 * - GET  /api/classroom/me             the student's own results; DELETE leaves the class
 * - GET  /api/classroom/students       the presenter's list, with each seat's address (permissions.ts
 *                                       keeps it presenter-only)
 * - DELETE /api/classroom/students/:id the presenter removes a student (presenter-only too)
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../../../common/httpError';
import { parseWith } from '../errors';
import { callerOf } from './permissions';
import { NICKNAME_MAX_CHARS, parseNickname } from './nickname';
import { PRESENTER_COOKIE, STUDENT_COOKIE, tokenMatches } from './presenterToken';
import { addressKey, view, type Student } from './registry';
import type { ClassroomSession } from './session';
import { svgQr } from './joinUrl';

const JOIN_BODY_LIMIT = 1024;
const joinSchema = z.object({ nickname: z.string().max(NICKNAME_MAX_CHARS * 8) }).strict();
const presenterQuery = z.object({ token: z.string().max(256) }).strict();
const studentParams = z.object({ id: z.string().regex(/^s\d{1,12}$/, 'a student id looks like s12') }).strict();
/** A student's seat lasts a school day; the presenter's cookie as long as the browser session. */
const STUDENT_COOKIE_MAX_AGE_SEC = 8 * 3600;

export async function classroomRoutes(app: FastifyInstance, { session }: { session: ClassroomSession }): Promise<void> {
  const cookie = { path: '/', httpOnly: true, sameSite: 'strict' as const };
  const me = (reply: FastifyReply, student: Student | undefined) => {
    if (!student)
      throw new HttpError(404, 'you have not joined this class (or the lab restarted): open /join and pick a nickname');
    return reply.send({ role: 'student', student: view(student) });
  };

  app.get('/classroom/presenter', async (request, reply) => {
    const query = presenterQuery.safeParse(request.query);
    if (!query.success || !tokenMatches(session.presenterToken, query.data.token)) {
      // Deliberately vague: the page must not help anyone guess the token.
      return reply
        .code(403)
        .type('text/plain; charset=utf-8')
        .send('This presenter link is not valid: use the one the lab printed in its terminal.');
    }
    reply.setCookie(PRESENTER_COOKIE, query.data.token, cookie);
    // 303 to a URL without the token, so it does not stay in the address bar.
    return reply.redirect('/presenter', 303);
  });

  app.get('/api/classroom', async (request) => {
    const caller = callerOf(request);
    const { ratePerSec, burst, maxInFlightPerStudent, maxStudents } = session.registry.limits;
    return {
      role: caller.role,
      joinUrl: session.links()?.join ?? null,
      students: session.registry.size,
      limits: { ratePerSec, burst, maxInFlightPerStudent, maxStudents },
      ...(caller.student ? { student: view(caller.student) } : {}),
    };
  });

  let qr: { text: string; svg: string } | undefined;
  app.get('/api/classroom/qr.svg', async (_request, reply) => {
    const join = session.links()?.join;
    if (!join) throw new HttpError(503, 'the join URL is not known yet: the lab is still starting');
    if (qr?.text !== join) qr = { text: join, svg: await svgQr(join) };
    return reply.type('image/svg+xml').header('cache-control', 'no-cache').send(qr.svg);
  });

  app.post('/api/classroom/join', { bodyLimit: JOIN_BODY_LIMIT }, async (request, reply) => {
    const body = parseWith(joinSchema, request.body, 'join request');
    const nickname = parseNickname(body.nickname);
    if (!nickname.ok) throw new HttpError(400, nickname.message);
    const joined = session.registry.join(nickname.nickname, callerOf(request).student?.key, addressKey(request.ip));
    if (!joined.ok) {
      if (joined.status === 503) reply.header('retry-after', '30');
      if (joined.status === 429) reply.header('retry-after', String(joined.retryAfterSec));
      throw new HttpError(joined.status, joined.message);
    }
    reply.setCookie(STUDENT_COOKIE, joined.student.key, { ...cookie, maxAge: STUDENT_COOKIE_MAX_AGE_SEC });
    return reply.code(201).send({ role: 'student', student: view(joined.student) });
  });

  app.get('/api/classroom/me', async (request, reply) => me(reply, callerOf(request).student));

  app.delete('/api/classroom/me', async (request, reply) => {
    const student = callerOf(request).student;
    if (student) session.registry.leave(student);
    reply.clearCookie(STUDENT_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/classroom/students', async () => {
    const students = session.registry.seats().sort((a, b) => b.maxLatencyMs - a.maxLatencyMs);
    return { students };
  });

  app.delete('/api/classroom/students/:id', async (request, reply) => {
    const { id } = parseWith(studentParams, request.params, 'student id');
    const removed = session.registry.remove(id);
    if (!removed) throw new HttpError(404, `no student ${id} in the class (they may have left already)`);
    return reply.code(204).send();
  });
}
