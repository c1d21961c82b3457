/**
 * The presenter's token: whoever holds it may change the config, start, import and
 * delete runs while classroom mode is on. It is printed once in the terminal (inside the
 * presenter link) and travels as the `x-lab-presenter` header or the cookie that link sets.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const PRESENTER_HEADER = 'x-lab-presenter';
export const PRESENTER_COOKIE = 'lab_presenter';
export const STUDENT_COOKIE = 'lab_student';

/** 32 random bytes, URL-safe. */
export function createPresenterToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Constant-time comparison. Both sides are hashed first so that timingSafeEqual gets
 * equal lengths and the candidate's length leaks nothing either.
 */
export function tokenMatches(expected: string, candidate: unknown): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 256) return false;
  return timingSafeEqual(digest(expected), digest(candidate));
}
