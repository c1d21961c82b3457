/**
 * Lets a static copy of the site, hosted elsewhere, drive this lab ("Connect to a lab at…"),
 * but only from the origins the person starting the lab named with --allow-origin: any
 * other web page the browser visits must not be able to change the lab.
 */
import type { FastifyInstance } from 'fastify';

export function allowOrigins(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins.map((o) => new URL(o).origin));
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'origin');
    if (request.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, PUT, POST, DELETE')
        .header('access-control-allow-headers', 'content-type, accept')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
  });
}
