import type { Lesson } from '../../common/lesson';
import type { Progress } from './progress';
import { stepPath } from './routes';

/** The course: every lesson with its summary and how many of its checks were answered right. */
export function LessonList({
  lessons,
  progress,
  navigate,
}: {
  lessons: Lesson[];
  /** Steps answered right, per lesson id. */
  progress: Progress;
  navigate: (path: string) => void;
}) {
  return (
    <nav aria-labelledby="lessons-heading" className="lesson-list">
      <h1 id="lessons-heading" tabIndex={-1}>
        Lessons
      </h1>
      <p>{lessons.length} short lessons, each with the handler code that runs and a live experiment at every step.</p>
      <ol>
        {lessons.map((lesson) => {
          const done = progress[lesson.id]?.length ?? 0;
          const total = lesson.steps.length;
          const next = Math.min(total, done + 1);
          const href = stepPath(lesson.id, done >= total ? 1 : next);
          return (
            <li key={lesson.id} data-complete={done >= total || undefined}>
              <a
                href={href}
                onClick={(event) => {
                  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                  event.preventDefault();
                  navigate(href);
                }}
              >
                <span className="lesson-number">{lesson.number}.</span> {lesson.title}
              </a>
              <span className="lesson-progress">{done >= total ? '✓ done' : `${done} of ${total} checks`}</span>
              <p>{lesson.summary}</p>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
