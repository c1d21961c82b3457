/**
 * Classroom mode as one Fastify plugin. Registered by buildApp when the lab
 * starts with --classroom. Wrapped with fastify-plugin so its access hook sits at the root
 * and covers every route of the lab, not just the classroom's own.
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { classroomAccess } from './permissions';
import { classroomRoutes } from './routes';
import type { ClassroomSession } from './session';

async function classroom(app: FastifyInstance, { session }: { session: ClassroomSession }): Promise<void> {
  await app.register(fastifyCookie);
  app.addHook('onRequest', classroomAccess(session));
  await app.register(classroomRoutes, { session });
}

export const classroomPlugin = fp(classroom, { name: 'event-loop-lab-classroom', fastify: '5.x' });
