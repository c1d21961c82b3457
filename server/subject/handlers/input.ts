/**
 * Input validation for the handlers. Everything a client sends is checked here before
 * it can reach a filter: a username is always a string matching USERNAME, never an object.
 */
import { z } from 'zod';
import { describeZodError, LONG_POLL_BOUNDS, LONG_POLL_DEFAULTS } from '../../../common/config';
import type { User } from '../data/types';
import { HttpError } from '../../../common/httpError';

export const USERNAME = /^[a-z0-9_.-]{1,64}$/i;
const USERNAME_RULE = "a username is 1 to 64 letters, digits, '.', '_' or '-'";
/** City names as the seed writes them: letters (any script), spaces, apostrophes, dots, hyphens. */
const CITY = /^[\p{L}\p{M}][\p{L}\p{M} .'-]{0,63}$/u;
export const LIST_LIMIT = { min: 1, max: 100, default: 20 } as const;

export function parseUsername(raw: string | undefined): string {
  if (typeof raw !== 'string' || !USERNAME.test(raw)) throw new HttpError(400, USERNAME_RULE);
  return raw;
}

export function parseCityQuery(query: URLSearchParams): { city: string; limit: number } {
  for (const key of new Set(query.keys())) {
    if (key !== 'city' && key !== 'limit')
      throw new HttpError(400, `unknown query parameter: ${key} (allowed: city, limit)`);
    if (query.getAll(key).length > 1) throw new HttpError(400, `${key} may be given once`);
  }
  const city = query.get('city');
  if (city === null || !CITY.test(city))
    throw new HttpError(400, 'city is required: 1 to 64 letters, spaces or hyphens');
  const limitText = query.get('limit') ?? String(LIST_LIMIT.default);
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < LIST_LIMIT.min || limit > LIST_LIMIT.max) {
    throw new HttpError(400, `limit must be a whole number from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}`);
  }
  return { city, limit };
}

/** A cursor: the id of the newest user the client has seen (an ObjectId, 24 hex digits). */
const OBJECT_ID_HEX = /^[0-9a-fA-F]{24}$/;

export function parseUpdatesQuery(query: URLSearchParams): { after: string; timeoutMs: number } {
  for (const key of new Set(query.keys())) {
    if (key !== 'after' && key !== 'timeoutMs')
      throw new HttpError(400, `unknown query parameter: ${key} (allowed: after, timeoutMs)`);
    if (query.getAll(key).length > 1) throw new HttpError(400, `${key} may be given once`);
  }
  const after = query.get('after');
  if (after === null || !OBJECT_ID_HEX.test(after))
    throw new HttpError(400, 'after is required: the id of the newest user seen, 24 hex digits');
  const { min, max } = LONG_POLL_BOUNDS.timeoutMs;
  const timeoutText = query.get('timeoutMs') ?? String(LONG_POLL_DEFAULTS.timeoutMs);
  const timeoutMs = Number(timeoutText);
  if (!/^\d{1,6}$/.test(timeoutText) || timeoutMs < min || timeoutMs > max) {
    throw new HttpError(400, `timeoutMs must be a whole number from ${min} to ${max}`);
  }
  return { after: after.toLowerCase(), timeoutMs };
}

const newUserSchema = z
  .object({
    username: z.string({ error: USERNAME_RULE }).regex(USERNAME, { error: USERNAME_RULE }),
    first_name: z.string({ error: 'first_name must be a string' }).trim().min(1).max(64),
    last_name: z.string({ error: 'last_name must be a string' }).trim().max(64).optional(),
    city: z
      .string({ error: 'city must be a string' })
      .regex(CITY, { error: 'city: 1 to 64 letters, spaces or hyphens' })
      .optional(),
  })
  .strict();

export function parseNewUser(body: unknown): User {
  const result = newUserSchema.safeParse(body);
  if (!result.success) throw new HttpError(400, describeZodError(result.error));
  return { ...result.data, created_at: new Date() };
}
