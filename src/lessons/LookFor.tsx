import type { Experiment } from '../../common/lesson';
import { FOCUS_LABELS } from './describe';

/** "What to look for": read before pressing Run, so it sits with the step's text. */
export function LookFor({ experiment }: { experiment: Experiment }) {
  return (
    <div className="lesson-look-for">
      <h2 className="lesson-look-for-title">
        What to look for{experiment.focus ? <span> — look at {FOCUS_LABELS[experiment.focus]}</span> : null}
      </h2>
      <p>{experiment.lookFor}</p>
    </div>
  );
}
