/** The player's URLs: `/lessons` (the list) and `/lessons/<lesson id>/<step number, 1-based>`. */

export type LessonRoute = { kind: 'list' } | { kind: 'step'; lessonId: string; step: number } | { kind: 'unknown' };

export const LESSONS_PATH = '/lessons';

export function parseLessonPath(path: string): LessonRoute {
  const clean = path.split(/[?#]/)[0]?.replace(/\/+$/, '') ?? '';
  if (clean === LESSONS_PATH) return { kind: 'list' };
  const match = /^\/lessons\/([a-z0-9-]+)(?:\/(\d{1,2}))?$/.exec(clean);
  if (!match) return { kind: 'unknown' };
  return { kind: 'step', lessonId: match[1] ?? '', step: match[2] ? Number(match[2]) : 1 };
}

export const stepPath = (lessonId: string, step: number) => `${LESSONS_PATH}/${lessonId}/${step}`;
