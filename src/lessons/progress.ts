/**
 * Lesson progress, kept in the browser (localStorage): which steps' questions were
 * answered right. Nothing is sent anywhere. A broken or missing store reads as "no progress".
 */
import { z } from 'zod';

export const PROGRESS_KEY = 'event-loop-lab.lessons.v1';

const progressSchema = z.record(z.string().max(80), z.array(z.number().int().min(1).max(99)).max(99));
/** lesson id -> the 1-based steps whose check question was answered right. */
export type Progress = z.infer<typeof progressSchema>;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // e.g. storage disabled by the browser's privacy settings
  }
}

export function loadProgress(): Progress {
  const raw = storage()?.getItem(PROGRESS_KEY);
  if (!raw) return {};
  try {
    const parsed = progressSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Records a step as answered right; returns the new progress (the input is not changed). */
export function markStepDone(progress: Progress, lessonId: string, step: number): Progress {
  const done = progress[lessonId] ?? [];
  if (done.includes(step)) return progress;
  const next = { ...progress, [lessonId]: [...done, step].sort((a, b) => a - b) };
  try {
    storage()?.setItem(PROGRESS_KEY, JSON.stringify(next));
  } catch {
    // Quota or privacy mode: progress then lasts for this page only.
  }
  return next;
}
