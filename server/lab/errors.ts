/**
 * One error path for the whole API: handlers throw `HttpError` (or fail a zod schema) and
 * the single error handler answers `{ error: message }` with a 4xx. Only a bug in the lab
 * itself is a 500.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { describeZodError } from '../../common/config';

import { HttpError } from '../../common/httpError';

/** Parses untrusted input with a schema, or throws a 400 naming the field and its bounds. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}: ${describeZodError(result.error)}`);
  return result.data;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Fastify's own codes for client mistakes, turned into sentences a person can act on. */
function describeFastifyError(error: FastifyError, bodyLimit: number): { status: number; message: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        message: `request body is too large: the limit for this endpoint is ${formatBytes(bodyLimit)}`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `unsupported content type: send application/json` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'body is empty: send a JSON object' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: `body is not valid JSON: ${error.message}` };
    default:
      break;
  }
  if (error instanceof SyntaxError) return { status: 400, message: `body is not valid JSON: ${error.message}` };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return { status: error.statusCode, message: error.message };
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.message });
    const known = describeFastifyError(error, request.routeOptions.bodyLimit ?? BODY_LIMIT_BYTES);
    if (known) return reply.code(known.status).send({ error: known.message });
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ error: 'internal error in the lab (see its log)' });
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}
