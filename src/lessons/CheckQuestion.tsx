import { useId, useState } from 'react';
import type { Check } from '../../common/lesson';

/** The verdict is said once, in bold: an explanation that opens with "Right." does not say it again. */
export const withoutVerdict = (explanation: string) => explanation.replace(/^\s*(Right|Not quite)[.!:]\s*/, '');

/**
 * The step's check question: a radio group, then "Check" announces whether the choice is
 * right and why, in an aria-live region. Answering right is reported once via onCorrect.
 */
export function CheckQuestion({
  check,
  onCorrect,
}: {
  check: Check;
  /** Called when the right answer is checked. */ onCorrect: () => void;
}) {
  const name = useId();
  const [selected, setSelected] = useState<number | null>(null);
  const [checked, setChecked] = useState<number | null>(null);
  const answer = checked === null ? null : check.choices[checked];

  return (
    <form
      className="lesson-check"
      onSubmit={(event) => {
        event.preventDefault();
        if (selected === null) return;
        setChecked(selected);
        if (check.choices[selected]?.correct) onCorrect();
      }}
    >
      <fieldset>
        <legend>Check: {check.question}</legend>
        {check.choices.map((choice, index) => (
          <label key={index} className="lesson-choice">
            <input
              type="radio"
              name={name}
              value={index}
              checked={selected === index}
              onChange={() => setSelected(index)}
            />
            {choice.text}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={selected === null}>
        Check answer
      </button>
      <div
        aria-live="polite"
        role="status"
        className="lesson-feedback"
        data-verdict={answer ? (answer.correct ? 'right' : 'wrong') : undefined}
      >
        {answer ? (
          <p>
            <strong>{answer.correct ? '✓ Right.' : '✗ Not quite.'}</strong> {withoutVerdict(answer.explanation)}
          </p>
        ) : null}
      </div>
    </form>
  );
}
