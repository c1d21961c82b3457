/**
 * ANY /subject/* is forwarded to the subject unchanged: this is how a person (or a
 * student's phone) sends one request by hand. The lab traces it like the load generator
 * does (client.sent, client.firstByte, client.done) with a fresh rid and the client tag
 * from the `x-lab-client` header or a `client` query parameter (which is removed before
 * forwarding; everything else goes through as sent).
 *
 * Hand-written rather than @fastify/http-proxy because it must add the trace headers and
 * record the three client events around each request; that is most of the code anyway.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { HEADER_CLIENT, HEADER_RID, HEADER_RUN, now } from '../../../common/trace';
import { routeOf } from '../../load/routes';
import { HttpError } from '../../../common/httpError';
import type { Lab } from '../lab';

/** Seconds a client should wait before retrying while the subject restarts. */
const RETRY_AFTER_S = '1';
const CLIENT_TAG = /^[\p{L}\p{N} _.@-]{1,32}$/u;
/** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones this forwarder sets itself. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  HEADER_RID,
  HEADER_RUN,
  HEADER_CLIENT,
]);

function clientTag(header: unknown, query: URLSearchParams): string | undefined {
  const raw = typeof header === 'string' ? header : (query.get('client') ?? undefined);
  if (raw === undefined) return undefined;
  const tag = raw.trim();
  if (!CLIENT_TAG.test(tag)) throw new HttpError(400, 'client tag must be 1 to 32 letters, digits, spaces or . _ @ -');
  return tag;
}

export async function forwardRoutes(
  app: FastifyInstance,
  { lab, subjectUrl }: { lab: Lab; subjectUrl: () => string },
): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  app.addHook('onClose', async () => agent.destroy());
  // Bodies pass through as bytes (up to the app's 1 MB limit), whatever their type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.all('/subject/*', async (request, reply) => {
    const url = new URL(request.url, 'http://lab');
    const client = clientTag(request.headers[HEADER_CLIENT], url.searchParams);
    url.searchParams.delete('client');
    const path = `${url.pathname.slice('/subject'.length) || '/'}${url.search}`;
    let base: URL;
    try {
      base = new URL(subjectUrl());
    } catch {
      return reply
        .code(503)
        .header('retry-after', RETRY_AFTER_S)
        .send({ error: 'the subject is not running; try again in a moment' });
    }
    const rid = `m-${randomBytes(6).toString('hex')}`;
    const runId = lab.recordingRunId();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !DROPPED.has(name)) headers[name] = value;
    }
    headers[HEADER_RID] = rid;
    if (runId) headers[HEADER_RUN] = runId;
    // Percent-encoded: a header value cannot carry a nickname like 李雷 (Node throws ERR_INVALID_CHAR).
    if (client) headers[HEADER_CLIENT] = encodeURIComponent(client);
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    if (body) headers['content-length'] = String(body.length);

    const route = routeOf(request.method, path);
    lab.recordClientEvents([{ type: 'client.sent', t: now(), rid, route, ...(client ? { client } : {}) }]);
    const done = (status: number, error?: string) =>
      lab.recordClientEvents([{ type: 'client.done', t: now(), rid, status, ...(error ? { error } : {}) }]);

    return new Promise<void>((resolve) => {
      const upstream = http.request(
        { agent, hostname: base.hostname, port: base.port, method: request.method, path, headers, timeout: 60_000 },
        (res) => {
          lab.recordClientEvents([{ type: 'client.firstByte', t: now(), rid }]);
          const status = res.statusCode ?? 502;
          res.once('end', () => done(status));
          res.once('error', (error) => done(status, error.message));
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined && !DROPPED.has(name)) out[name] = value;
          }
          reply.code(status).headers(out).header(HEADER_RID, rid).send(res);
          resolve();
        },
      );
      upstream.once('timeout', () => upstream.destroy(new Error('the subject did not answer within 60 s')));
      upstream.once('error', (error) => {
        done(0, error.message);
        // The subject is the lab's own process: unreachable means it is restarting (or down),
        // which is a temporary condition for the client (503), not a bad gateway (502).
        if (!reply.sent)
          reply
            .code(503)
            .header('retry-after', RETRY_AFTER_S)
            .send({ error: `the subject is not reachable (${error.message}); try again in a moment` });
        resolve();
      });
      upstream.end(body);
    });
  });
}
