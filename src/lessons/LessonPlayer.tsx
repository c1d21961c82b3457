/**
 * The lesson player, mounted by the app at `/lessons` and `/lessons/:lesson/:step`.
 * Keyboard: Alt+→ / Alt+← (or j / k outside text fields) go to the next / previous step.
 */
import { useEffect, useState } from 'react';
import { isTyping } from '../viz/shortcuts';
import { course } from './load';
import { LessonList } from './LessonList';
import { loadProgress, markStepDone, type Progress } from './progress';
import { adjacentSteps, LESSONS_PATH, parseLessonPath } from './routes';
import { StepView } from './StepView';
import './lessons.css';

export interface LessonPlayerProps {
  /** The current location's path, e.g. `/lessons/the-blocking-call/2`. */
  path: string;
  /** Goes to another path (the app's router: pushState and re-render). */
  navigate: (path: string) => void;
}

export default function LessonPlayer({ path, navigate }: LessonPlayerProps) {
  const [progress, setProgress] = useState<Progress>(loadProgress);
  const route = parseLessonPath(path);
  const lesson = route.kind === 'step' ? course.lessons.find((l) => l.id === route.lessonId) : undefined;
  const step = route.kind === 'step' ? route.step : 0;
  const valid = lesson !== undefined && step >= 1 && step <= lesson.steps.length;
  const { prev, next } = valid ? adjacentSteps(course.lessons, lesson.id, step) : { prev: null, next: null };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      const forward = (event.altKey && event.key === 'ArrowRight') || (!event.altKey && event.key === 'j');
      const back = (event.altKey && event.key === 'ArrowLeft') || (!event.altKey && event.key === 'k');
      const target = forward ? next : back ? prev : null;
      if (!target) return;
      event.preventDefault(); // Alt+← is also the browser's "back": ours wins here
      navigate(target);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [prev, next, navigate]);

  return (
    <div className="lesson-player">
      {course.problems.length ? (
        <div role="alert" className="lesson-error">
          Some lessons could not be read: {course.problems.join(' ')}
        </div>
      ) : null}
      {route.kind === 'list' ? (
        <LessonList lessons={course.lessons} progress={progress} navigate={navigate} />
      ) : valid ? (
        <StepView
          key={`${lesson.id}/${step}`}
          lesson={lesson}
          step={step}
          done={progress[lesson.id] ?? []}
          prev={prev}
          next={next}
          navigate={navigate}
          onCorrect={() => setProgress((p) => markStepDone(p, lesson.id, step))}
        />
      ) : (
        <section className="lesson-missing">
          <h1>No such lesson step</h1>
          <p>
            <a
              href={LESSONS_PATH}
              onClick={(event) => {
                event.preventDefault();
                navigate(LESSONS_PATH);
              }}
            >
              See all lessons
            </a>
          </p>
        </section>
      )}
    </div>
  );
}
