import { useEffect, useRef } from 'react';
import type { Lesson } from '../../common/lesson';
import { CheckQuestion } from './CheckQuestion';
import { CodePane } from './CodePane';
import { ExperimentPanel } from './ExperimentPanel';
import { LessonStage } from './LessonStage';
import { LookFor } from './LookFor';
import { WithLiveStep } from './LiveStep';
import { Markdown } from './Markdown';
import { LESSONS_PATH } from './routes';

/** One step of a lesson: text, code, experiment, check question, and back / next. */
export function StepView({
  lesson,
  step,
  done,
  prev,
  next,
  navigate,
  onCorrect,
}: {
  lesson: Lesson;
  /** Where back and next lead (across lessons), or null at either end of the course. */
  prev: string | null;
  next: string | null;
  /** 1-based step number, already checked to exist. */
  step: number;
  /** Steps of this lesson answered right. */
  done: number[];
  navigate: (path: string) => void;
  onCorrect: () => void;
}) {
  const current = lesson.steps[step - 1];
  const heading = useRef<HTMLHeadingElement>(null);
  // Moving focus to the heading tells screen-reader users the step changed.
  useEffect(() => heading.current?.focus(), [lesson.id, step]);
  if (!current) return null;
  const total = lesson.steps.length;
  const link = (href: string, label: string, rel?: string) => (
    <a
      href={href}
      rel={rel}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {label}
    </a>
  );

  return (
    <article className="lesson-step" aria-labelledby="step-heading">
      <p className="lesson-breadcrumb">
        {link(LESSONS_PATH, 'All lessons')} › Lesson {lesson.number}: {lesson.title}
      </p>
      <h1 id="step-heading" ref={heading} tabIndex={-1}>
        <span className="lesson-step-count">
          Step {step} of {total}
          {done.includes(step) ? ' ✓' : ''}
        </span>{' '}
        {current.title}
      </h1>
      <div className="lesson-columns">
        <div className="lesson-text">
          {step === 1 && lesson.intro ? <Markdown text={lesson.intro} /> : null}
          <Markdown text={current.markdown} />
          <LookFor experiment={current.experiment} />
          <WithLiveStep>
            {(live) => (
              <div className="lesson-code-panes" data-panes={current.code.length}>
                {current.code.map((ref, index) => {
                  const here = live && 'handler' in ref && live.handler === ref.handler ? live : undefined;
                  return (
                    <CodePane key={index} id={`code-${index}`} lesson={lesson} codeRef={ref} liveStep={here?.step} />
                  );
                })}
              </div>
            )}
          </WithLiveStep>
          <CheckQuestion check={current.check} onCorrect={onCorrect} />
        </div>
        {/* Beside the text on a wide screen (sticky, so the run stays in view), under it on a narrow one. */}
        <div className="lesson-side">
          <ExperimentPanel experiment={current.experiment} lessonId={lesson.id} step={step}>
            <LessonStage navigate={navigate} recording={{ lessonId: lesson.id, step }} />
          </ExperimentPanel>
        </div>
      </div>
      <nav className="lesson-nav" aria-label="Steps">
        {prev ? link(prev, '← Back', 'prev') : link(LESSONS_PATH, '← All lessons')}
        <span className="lesson-keys">
          Keys: <kbd>Alt</kbd>+<kbd>←</kbd> / <kbd>Alt</kbd>+<kbd>→</kbd>, or <kbd>k</kbd> / <kbd>j</kbd>
        </span>
        {next
          ? link(next, step < total ? 'Next →' : 'Next lesson →', 'next')
          : link(LESSONS_PATH, 'Finish: all lessons →')}
      </nav>
    </article>
  );
}
