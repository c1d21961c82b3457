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

/** Back and next across the whole course: past a lesson's last step comes the next lesson's first. */
export function adjacentSteps(
  lessons: readonly { id: string; steps: readonly unknown[] }[],
  lessonId: string,
  step: number,
): { prev: string | null; next: string | null } {
  const index = lessons.findIndex((lesson) => lesson.id === lessonId);
  const lesson = lessons[index];
  if (!lesson) return { prev: null, next: null };
  const before = lessons[index - 1];
  const after = lessons[index + 1];
  const prev = step > 1 ? stepPath(lessonId, step - 1) : before ? stepPath(before.id, before.steps.length) : null;
  const next = step < lesson.steps.length ? stepPath(lessonId, step + 1) : after ? stepPath(after.id, 1) : null;
  return { prev, next };
}
